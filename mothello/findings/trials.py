"""The trials beside the suite, shipped as numbers only: the `paper` preset on a GPU, and whether the
colour target is a matter of depth (grown deeper, deeper from scratch), of width, or of the noise of the
next-token target (from scratch, carried further, and the shipped model trained on), of the learning rate, or of
the batch; whether the depth sets where the colour levels off (the depth ladder), and whether the objective lets the
depth count (the depth under the sampled move); whether the languages share their games."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import suite
from ..languages import Vocabulary, load_config
from ..model import GPT, PRESETS, GPTConfig
from .numbers import DEPTH_RUNS, PAPER_RUNS, WIDTH_RUNS, run_objective
from .pace import (analysed_ends, colour_at_games, colour_ends, colour_per_doubling, log_interpolate, model_games,
                   to_target)
from .text import millions, pct, pts
from .verdicts import COLOUR_TARGET, TARGET
from .training import games_per_s, gpu_stages, on_gpu


DEPTH_MARGIN = 0.01       # colour closer than this (a deeper model against the shipped one; layer to layer) is alike
POOLING_REFERENCE = "mono-1"  # the pooling trial's one-language model (configs/mono-1.toml)


SILENT_SHARE = 0.25       # added blocks that write at most this share of what an original block writes are silent


def _depth(numbers: dict) -> list[dict]:
    """The depth trials: the recorded GPU runs (gpu_stages --deepen, --scratch) that train next-token, as the
    shipped models do. A --scratch run on another objective (--objectives) is an objective trial, not a depth
    trial, and is left out of the depth section and its figure."""
    return [r for r in numbers.get("depth") or [] if run_objective(r) == "next-token"]


def _best(r: dict) -> dict:
    """A recorded run's alignment numbers at its best layer (where its in-language colour probe is best)."""
    al = r["alignment"]
    return {"layer": al["best_layer"], **al["layers"][str(al["best_layer"])]}


def _together(n: int) -> str:
    return {1: "alone on the GPU", 2: "both at once on the one GPU"}.get(n, f"all {n} at once on the one GPU")


def _span(xs: list[float]) -> str:
    """'1.5-2.6 points' (or '2.0 points' when they agree), from fractions."""
    lo, hi = 100 * min(xs), 100 * max(xs)
    return f"{lo:.1f} points" if round(lo, 1) == round(hi, 1) else f"{lo:.1f}-{hi:.1f} points"


def paper_section(numbers: dict) -> str:
    """The `paper` preset on a lent GPU: its runs (settings, speed, legal moves, probes where measured),
    beside the shipped `small` model of the same experiment. "" without recorded runs."""
    runs = numbers.get("paper") or []
    if not runs:
        return ""
    r0 = runs[0]
    vocab = Vocabulary.build(_config(r0["experiment"]))
    shape = PRESETS[r0["preset"]]
    params = GPT(GPTConfig(vocab_size=vocab.size, context_length=vocab.context_length, **shape)).n_params
    small = next((m for m in numbers["models"].values() if m["name"] == r0["experiment"]), None)
    lines = [f"## The `{r0['preset']}` preset on a GPU\n",
             f"One session was lent a GPU ({r0['gpu']}, PyTorch {r0['torch']}). "
             + ("Beside the suite's GPU stages (above) it" if gpu_stages(numbers) else "It")
             + f" trained the `{r0['preset']}` preset (Othello-GPT's size: {shape['n_layer']} layers "
             f"x {shape['d_model']}, {shape['n_head']} heads, {params / 1e6:.1f}M parameters"
             + (f", {params / small['params']:.0f}x the shipped models" if small and small.get("params") else "")
             + f") on `{r0['experiment']}` from scratch, with the same training code (`scripts/gpu_stages.py`): "
             f"next-token prediction on fresh games, batch {r0['batch_size']}, AdamW with lr {r0['lr']:g} (warm-up "
             f"{r0['warmup_steps']}, cosine to {r0['min_lr']:g}), {r0['dtype']} autocast. Legal moves: the 500 held-out "
             "games of the table above; probes: its protocol (linear, relative labels, 1,000 training games, the "
             "layer where the in-language colour probe is best). Its weights do not ship (the size budget); its "
             f"numbers are in `checkpoints/{PAPER_RUNS}`.\n",
             "| run | steps (games) | GPU shared with | torch.compile | training | tokens/s | legal moves (worst / mean) "
             "| layer | in-language | cross-lingual | colour in-language |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for k, r in enumerate(runs, start=1):
        acc = list(r["legal_move_accuracy"].values())
        al = r.get("alignment") or {}
        row = (al.get("layers") or {}).get(str(al.get("best_layer")), {})
        shared = f"{r['shared_with']} other trainings" if r["shared_with"] else "nothing"
        comp = "yes" if r["compiled"] else "no"
        lines.append(f"| {k} | {r['steps']:,} ({millions(r['steps'] * r['batch_size'])}) | {shared} | {comp} | "
                     f"{r['train_s'] / 60:.1f} min | {r['tokens_per_s']:,.0f} | {pct(min(acc))} / {pct(np.mean(acc))} | "
                     + (f"{al['best_layer']} of {shape['n_layer']} | {pct(row.get('in_language'))} | "
                        f"{pct(row.get('cross_lingual'))} | {pct(row.get('colour_in_language'))} |" if row else
                        "n/a | n/a | n/a | n/a |"))
    lines.append("")
    notes = []
    cut = [k for k, r in enumerate(runs, start=1) if not r.get("alignment")]
    if cut:
        notes.append(f"Run {', '.join(map(str, cut))}: the probe analysis did not finish inside the lease, so only its "
                     "legal moves were measured.")
    if small:
        probed = [(k, r) for k, r in enumerate(runs, start=1) if r.get("alignment")]
        ends = analysed_ends(small)
        said = ", ".join(f"{st:,} steps ({millions(model_games(small, st))}): legal {pct(e.get('legal_min'))}, colour "
                         f"{pct(e['colour_in_language'])}" for st, e in sorted(ends.items()))
        for k, r in probed:
            row = r["alignment"]["layers"][str(r["alignment"]["best_layer"])]
            gap = row["in_language"] - row["cross_lingual"]
            notes.append(f"Run {k} after {millions(r['steps'] * r['batch_size'])}: colour {pct(row['colour_in_language'])}, "
                         f"cross-lingual {pct(row['cross_lingual'])} against {pct(row['in_language'])} in-language "
                         f"({100 * gap:.1f} points apart).")
        notes.append(f"The shipped `small` {small['name']} (worst language, and colour at the table's layer) at its "
                     f"analysed stage ends: {said}.")
        below = [k for k, r in probed if (r["alignment"]["layers"][str(r["alignment"]["best_layer"])]
                                          ["colour_in_language"] < COLOUR_TARGET)]
        if below:
            notes.append(f"So this run does not settle whether the {TARGET} colour target is a matter of model size: "
                         "it is below it too, after far fewer games than the shipped model has seen.")
    if len(runs) > 1 and runs[0]["compiled"] != runs[1]["compiled"]:
        c = next(r for r in runs if r["compiled"])
        notes.append(f"torch.compile compiled this model and trained with it on the GPU (about {c['measured']['warmup_s']:.0f} s "
                     "to compile); the runs shared the GPU differently, so their speeds do not compare compiled against eager.")
    return "\n".join(lines) + "\n" + " ".join(notes) + "\n"


def _all_below(colour: float, games: int, then: str = "") -> list[str]:
    """A trial's closing sentence when even its best run (`colour`) reads the colour below the target after
    `games`; none when one reaches it. `then` goes on the sentence (': the trial tells ...')."""
    return [f"All are below the {TARGET} target after {millions(games)}{then}."] if colour < COLOUR_TARGET else []


def depth_section(numbers: dict) -> str:
    """Is the colour a matter of depth? The depth trials: shipped models grown deeper by a GPU stage, and a
    suite model trained from scratch at more layers, each beside what the shipped model reached (or, by its
    pace, would reach) after as many games. "" without recorded trials."""
    runs = _depth(numbers)
    if not runs:
        return ""
    shipped = {m["name"]: m for m in numbers["models"].values()}
    grown = [r for r in runs if r["kind"] == "deepen"]
    fresh = [r for r in runs if r["kind"] == "scratch"]
    r0 = runs[0]
    lines = ["## Is it depth?\n",
             f"The shipped models read the colour of the discs below the {TARGET} target, and lose it as flips pile up "
             "(above). Are three layers too few to keep track? A lent GPU "
             f"({r0['gpu']}, PyTorch {r0['torch']}) tried it two ways, with the same training code "
             "(`scripts/gpu_stages.py --deepen`, `--scratch`), torch.compile'd, on fresh games at batch "
             f"{r0['batch_size']:,}; probes as above (linear, relative labels, {r0['probe_games']:,} training games "
             "per language, at the layer where the in-language colour probe is best). Their weights do not ship "
             f"(the size budget); their numbers are in `checkpoints/{DEPTH_RUNS}`.\n"]
    if grown:
        g0 = grown[0]
        lines += [f"**Grown deeper.** Each shipped model trained one more stage with {g0['n_layer'] - g0['from_layers']} "
                  f"blocks added after its {g0['from_layers']}, each starting as an identity (output projections zero: "
                  "the grown model starts out computing exactly what the shipped one does), "
                  f"{_together(len(grown))} (peak lr {g0['lr']:g}, warm-up {g0['warmup_steps']:,}, cosine to "
                  f"{g0['min_lr']:g}). The last column is what the shipped model's own pace (colour per doubling of "
                  "the games seen, over its stage ends) gives for as many more games:\n",
                  "| model | layers | steps (games added) | training | legal moves, worst language | colour in-language "
                  "| colour from the old last layer on | what an added block writes | the shipped pace would give |",
                  "|---|---|---|---|---|---|---|---|---|"]
        gains, spread, shares, off = [], [], [], []
        for r in grown:
            m = shipped.get(r["experiment"]) or {}
            b, old, w = _best(r), r["from_layers"], r["block_writes"]
            colours = [r["alignment"]["layers"][str(x)]["colour_in_language"] for x in range(old, r["n_layer"] + 1)]
            spread.append(max(colours) - min(colours))
            shares.append(share := np.mean([x["attention"] + x["mlp"] for x in w[old:]]) / np.mean([x["attention"] + x["mlp"] for x in w[:old]]))
            shown = [pct(c) for c in colours]
            by_layer = f"{shown[0]} at each" if len(set(shown)) == 1 else " / ".join(shown)
            added = (r["step"] - r["from_step"]) * r["batch_size"]
            expected = grown_pace(m, r)
            if m.get("colour_in_language") is not None:
                gains.append(b["colour_in_language"] - m["colour_in_language"])
            if expected is not None:
                off.append(b["colour_in_language"] - expected)
            lines.append(f"| {r['experiment']} | {old} -> {r['n_layer']} | {r['from_step']:,} -> {r['step']:,} "
                         f"({millions(added)}) | {r['train_s'] / 60:.1f} min | "
                         f"{pct(m.get('legal_min'))} -> {pct(min(r['legal_move_accuracy'].values()))} | "
                         f"{pct(m.get('colour_in_language'))} -> {pct(b['colour_in_language'])} (layer {b['layer']}) | "
                         f"{by_layer} | {share:.0%} of an original block's | "
                         f"{pct(expected) if expected is not None else 'n/a'} |")
        lines.append("")
        silent = max(shares) <= SILENT_SHARE and max(spread) <= DEPTH_MARGIN
        apart = (f"at most {100 * max(spread):.1f} points apart" if max(spread) >= 0.0005 else
                 "the same to 0.1 points")
        pace = ""
        if off:
            worst = max(off, key=abs)
            pace = (f"That is what the games alone give: at most {100 * abs(worst):.1f} points from the shipped models' "
                    "own pace (the last column). " if abs(worst) <= DEPTH_MARGIN else
                    f"The shipped models' own pace (the last column) gives up to {100 * abs(worst):.1f} points "
                    f"{'less' if worst > 0 else 'more'}. ")
        lines.append((f"The colour rose {_span(gains)}. " if gains else "") + pace
                     + ("The added blocks stayed nearly silent: what they write into the residual stream (the norm of "
                        "their attention and MLP output projections) grew from zero to at most "
                        f"{max(shares):.0%} of what an original block writes, and a probe reads the colour {apart} "
                        f"across the layers from {g0['from_layers']} on. The "
                        "models kept doing their work in the blocks they had. The grown models are not shipped: "
                        "the added blocks would cost their size and add almost nothing." if silent else
                        f"The added blocks write {min(shares):.0%}-{max(shares):.0%} of what an original block writes "
                        "(the norm of their attention and MLP output projections), and the colour differs by up to "
                        f"{100 * max(spread):.1f} points across the layers from {g0['from_layers']} on.") + "\n")
    if fresh:
        f0 = fresh[0]
        m = shipped.get(f0["experiment"])
        width = m.get("d_model") if m else None
        deeper = _depth_alone(fresh, m)

        def shape(r: dict) -> str:
            return f"{r['n_layer']} layers" if deeper else f"{r['n_layer']} x {r['d_model']}"
        what = (f"{' and '.join(str(r['n_layer']) for r in fresh)} layers (the same width, {width})" if deeper else
                " and ".join(f"{r['n_layer']} layers x {r['d_model']} wide" for r in fresh))
        lines += [f"**{'Deeper' if deeper else 'Other shapes'} from scratch.** `{f0['experiment']}` trained from scratch "
                  f"at {what}, {_together(len(fresh))} (peak lr {f0['lr']:g}, warm-up {f0['warmup_steps']:,}, cosine "
                  f"to {f0['min_lr']:g})" + (f", beside the shipped model ({m['n_layer']} x {width}) at its analysed "
                                             "stage ends, by the games each had seen" if m else "") + ":\n",
                  "| model | shape | parameters | steps | games seen | legal moves, worst language | in-language | "
                  "cross-lingual | colour in-language |",
                  "|---|---|---|---|---|---|---|---|---|"]
        rows = [(r["step"] * r["batch_size"], f"| from scratch | {r['n_layer']} x {r['d_model']} | {r['params'] / 1e6:.1f}M | "
                 f"{r['step']:,} | {millions(r['step'] * r['batch_size'])} | {pct(min(r['legal_move_accuracy'].values()))} | "
                 f"{pct(_best(r)['in_language'])} | {pct(_best(r)['cross_lingual'])} | "
                 f"{pct(_best(r)['colour_in_language'])} (layer {_best(r)['layer']}) |") for r in fresh]
        if m:
            ends = analysed_ends(m)
            rows += [(model_games(m, st), f"| shipped | {m['n_layer']} x {width} | {m['params'] / 1e6:.1f}M | {st:,} | "
                      f"{millions(model_games(m, st))} | {pct(e.get('legal_min'))} | {pct(e.get('in_language'))} | "
                      f"{pct(e.get('cross_lingual'))} | {pct(e['colour_in_language'])} (layer {m['layer']}) |")
                     for st, e in ends.items()]
        lines += [row for _, row in sorted(rows)]
        lines.append("")
        if m:
            said, ahead = [], []
            for r in fresh:
                g, c = r["step"] * r["batch_size"], _best(r)["colour_in_language"]
                there = colour_at_games(m, g)
                said.append(f"{shape(r)} {pct(c)} after {millions(g)}"
                            + (f" (the shipped model {pct(there)}, {100 * (c - there):+.1f} points)"
                               if there is not None else ""))
                if there is not None:
                    ahead.append(c - there)
            they = "the deeper models" if deeper else "these models"
            verdict = ""
            lifted = ladder_lifted(numbers) if deeper else None
            if ahead and max(ahead) <= DEPTH_MARGIN:
                verdict = (f" Per game seen, {they} learn the colour no faster than the shipped one"
                           + (f": at this width and up to {max(r['n_layer'] for r in fresh)} layers"
                              + (f", on this recipe (batch {f0['batch_size']:,}, {run_objective(f0)})" if lifted else "")
                              + f", the colour is a matter of the games seen, not of depth, and the pace to {TARGET} above "
                              "stands." if deeper else "."))
                if lifted:
                    r0 = ladder_runs(numbers)[0]
                    verdict += (f" The depth ladder below (batch {r0['batch_size']:,}, {run_objective(r0)}) finds "
                                f"otherwise: there {lifted} lifted the colour after as many games.")
            elif ahead:
                verdict = (f" {they[0].upper() + they[1:]} read the colour up to {100 * max(ahead):.1f} points better "
                           "than the shipped one after as many games, against the "
                           f"{100 * (COLOUR_TARGET - max(_best(r)['colour_in_language'] for r in fresh)):.1f} points still "
                           f"missing to {TARGET}.")
            lines.append("Colour in-language, beside the shipped model's after as many games (read on the line between "
                         "its stage ends around that many, against log2 games): " + "; ".join(said) + "." + verdict
                         + "\n")
    return "\n".join(lines)


def grown_pace(m: dict, r: dict) -> float | None:
    """The colour the shipped model `m`'s own pace (colour_per_doubling, over its stage ends) gives after the games
    the grown-deeper run `r` added on it; None without a pace, or when `r` did not start at `m`'s step."""
    per = colour_per_doubling(m) if m else None
    if per is None or m.get("step") != r["from_step"]:
        return None
    added = (r["step"] - r["from_step"]) * r["batch_size"]
    return m["colour_in_language"] + per * float(np.log2(1 + added / model_games(m, r["from_step"])))


def _depth_alone(fresh: list[dict], m: dict | None) -> bool:
    """Whether the depth trials from scratch `fresh` changed only the depth of the shipped model `m`."""
    width = m.get("d_model") if m else None
    return width is not None and all(r["d_model"] == width for r in fresh)


def depth_no_faster(numbers: dict) -> list[dict]:
    """The depth trials from scratch when the depth section finds them, deeper at the shipped model's width,
    learning the colour no faster per game seen than the shipped model (within DEPTH_MARGIN); [] otherwise."""
    fresh = [r for r in _depth(numbers) if r["kind"] == "scratch"]
    m = next((x for x in numbers["models"].values() if fresh and x["name"] == fresh[0]["experiment"]), None)
    if not _depth_alone(fresh, m):
        return []
    ahead = [_best(r)["colour_in_language"] - there for r in fresh
             if (there := colour_at_games(m, r["step"] * r["batch_size"])) is not None]
    return fresh if ahead and max(ahead) <= DEPTH_MARGIN else []


def colour_by_games(numbers: dict) -> pd.DataFrame:
    """The in-language colour probe against the games seen, one row per point: every shipped model at its
    analysed stage ends (run "shipped, N layers"), and every depth trial at its end ("grown to N layers",
    "from scratch, N layers"). Columns: model, run, layers, games, colour. Empty without depth trials."""
    runs = _depth(numbers)
    if not runs:
        return pd.DataFrame(columns=["model", "run", "layers", "games", "colour"])
    rows = []
    for m in numbers["models"].values():
        for st, c in colour_ends(m).items():
            rows.append({"model": m["name"], "run": f"shipped, {m['n_layer']} layers", "layers": m["n_layer"],
                         "games": model_games(m, st), "colour": c})
    shipped = {m["name"]: m for m in numbers["models"].values()}
    for r in runs:
        if r["kind"] == "deepen":
            m = shipped.get(r["experiment"])
            if m is None:
                continue
            games = model_games(m, r["from_step"]) + (r["step"] - r["from_step"]) * r["batch_size"]
            run = f"grown to {r['n_layer']} layers"
        else:
            games, run = r["step"] * r["batch_size"], f"from scratch, {r['n_layer']} layers"
        rows.append({"model": r["experiment"], "run": run, "layers": r["n_layer"], "games": games,
                     "colour": _best(r)["colour_in_language"]})
    return pd.DataFrame(rows)


def _scratch(numbers: dict) -> list[dict]:
    """The recorded runs from scratch (the width and objective trials), not the shipped model trained on."""
    return [r for r in numbers.get("width") or [] if not r.get("from_step")]


def _next_token_first(runs: list[dict]) -> list[dict]:
    """Runs of one comparison, the next-token one first; [] unless there is one and another objective's."""
    found = sorted(runs, key=lambda r: (run_objective(r) != "next-token", run_objective(r)))
    return found if len(found) >= 2 and run_objective(found[0]) == "next-token" else []


def _recipe_of(r: dict) -> tuple:
    """A recorded run's recipe: its steps (the learning rate's schedule spans them), batch and rates."""
    return tuple(r[k] for k in ("steps", "batch_size", "lr", "min_lr", "warmup_steps"))


def _next_token_group(numbers: dict) -> list[dict]:
    """The next-token runs from scratch of the model and recipe recorded at the most shapes (the first such in
    the record; the other models' runs are the pooling trial's): the width trial's, and the depth under the
    sampled move's; [] when every model and recipe has one shape and there are several."""
    runs = [r for r in _scratch(numbers) if run_objective(r) == "next-token"]
    shapes: dict[tuple, set] = {}
    for r in runs:
        shapes.setdefault((r["experiment"], _recipe_of(r)), set()).add((r["n_layer"], r["d_model"]))
    if not shapes:
        return []
    best = max(shapes, key=lambda e: len(shapes[e]))
    if len(shapes[best]) < 2 and len(shapes) > 1:  # one shape each: models compared (the pooling trial), no widths
        return []
    return [r for r in runs if (r["experiment"], _recipe_of(r)) == best]


def _by_shape(numbers: dict) -> list[dict]:
    """The width trials: _next_token_group's runs at the depth of its narrowest run, narrowest first (a run there
    at another depth is not a width: next_token_depth_runs); [] when that leaves one run of several."""
    group = _next_token_group(numbers)
    if not group:
        return []
    depth = min(group, key=lambda r: (r["d_model"], r["n_layer"]))["n_layer"]
    found = sorted((r for r in group if r["n_layer"] == depth), key=lambda r: r["d_model"])
    return found if len(found) >= 2 or len(found) == len(group) else []


def _objective_pairs(numbers: dict) -> list[list[dict]]:
    """The objective trials: for the model and shape of the first recorded run from scratch with another
    objective than next-token, the runs of each recipe that has a next-token run and another objective's
    (next-token first), shortest recipe first: the trial, then the trial carried on further."""
    runs = _scratch(numbers)
    other = next((r for r in runs if run_objective(r) != "next-token"), None)
    if other is None:
        return []
    groups: dict[tuple, list[dict]] = {}
    for r in runs:
        if (r["experiment"], r["n_layer"], r["d_model"]) == (other["experiment"], other["n_layer"], other["d_model"]):
            groups.setdefault(_recipe_of(r), []).append(r)
    return [p for _, g in sorted(groups.items()) if (p := _next_token_first(g))]


def objective_longer(numbers: dict) -> list[list[dict]]:
    """The objective trial carried on: the pairs of _objective_pairs after the first (longer recipes)."""
    return _objective_pairs(numbers)[1:]


def _config(name: str):
    """The experiment config of a recorded run's or shipped model's experiment (configs/NAME.toml)."""
    return load_config(suite.CONFIGS / f"{name}.toml")


def _inputs(r: dict) -> int:
    """How many languages a recorded run's model reads (its experiment config's input languages)."""
    return len(_config(r["experiment"]).input_languages)


def _types(r: dict) -> list[str]:
    """The kinds of language (atomic, split, compositional) a recorded run's model reads, sorted."""
    exp = _config(r["experiment"])
    return sorted({exp.languages[i].type for i in exp.input_languages})


def pooling_runs(numbers: dict) -> list[dict]:
    """The pooling trial: the recorded next-token runs from scratch with the one-language reference's
    (POOLING_REFERENCE) shape and recipe, the reference first, then by how many languages each model
    reads; [] without the reference and another model."""
    runs = [r for r in _scratch(numbers) if run_objective(r) == "next-token"]
    ref = next((r for r in runs if r["experiment"] == POOLING_REFERENCE), None)
    if ref is None:
        return []
    keys = ("n_layer", "d_model", "steps", "batch_size", "lr", "min_lr", "warmup_steps")
    found = sorted((r for r in runs if all(r[k] == ref[k] for k in keys)), key=lambda r: (_inputs(r), r["experiment"]))
    return found if len(found) >= 2 else []


def _trained_on(numbers: dict) -> list[dict]:
    """The shipped model trained on (width_trial --continue): the recorded runs that continue the first such
    run's model from its step, next-token first; [] without a next-token run and another objective's. (A
    later stage of a trial run, width_trial --carry-on, names the run it trains on: not these.)"""
    runs = [r for r in numbers.get("width") or [] if r.get("from_step") and not r.get("from_run")]
    if not runs:
        return []
    key = (runs[0]["experiment"], runs[0]["from_step"])
    return _next_token_first([r for r in runs if (r["experiment"], r["from_step"]) == key])


def carried_stages(numbers: dict, r: dict) -> list[dict]:
    """The later stages of the recorded run from scratch `r` (width_trial --carry-on), in order: each trains
    the model of the one before (`r` first) on from its last step, at its model, shape, objective and batch;
    [] without."""
    keys = ("experiment", "n_layer", "d_model", "batch_size")
    stages, last = [], r
    while nxt := next((x for x in numbers.get("width") or [] if x.get("from_run") and x["from_step"] == last["steps"]
                       and all(x[k] == last[k] for k in keys) and run_objective(x) == run_objective(last)), None):
        stages.append(nxt)
        last = nxt
    return stages


def _shape(r: dict) -> str:
    return f"{r['n_layer']} x {r['d_model']}"


def _trial_frame(runs: list[dict], name, key: str) -> pd.DataFrame:
    """Recorded trial runs' snapshots, one row each: the run's name (column `key`), step, games (seen; for
    a run that continues the shipped model, added since it started; for a later stage of a trial run, seen
    since that run started), minutes of training to get there at the run's measured speed, the worst
    language's legal moves, and the in-language colour and the layer it is best at."""
    cols = [key, "step", "games", "minutes", "legal_min", "colour", "layer"]
    rows = []
    for r in runs:
        for p in r["points"]:
            b = _best(p)
            start = 0 if r.get("from_run") else r.get("from_step", 0)
            rows.append({key: name(r), "step": p["step"], "games": (p["step"] - start) * r["batch_size"],
                         "minutes": p["train_s"] / 60 if p.get("train_s") is not None else np.nan,
                         "legal_min": min(p["legal_move_accuracy"].values()),
                         "colour": b["colour_in_language"], "layer": b["layer"]})
    return pd.DataFrame(rows, columns=cols)


def width_by_games(numbers: dict) -> pd.DataFrame:
    """The width trials' snapshots (_trial_frame, by "shape"). Empty without width trials."""
    return _trial_frame(_by_shape(numbers), _shape, "shape")


def objective_by_games(numbers: dict) -> pd.DataFrame:
    """The objective trials' snapshots (_trial_frame, by "objective": the objective, and with the trial carried
    on further its steps too, "legal-set, 12,000 steps"), with the columns "trained_on" (the objective) and
    "run_steps" (the run's length). Empty without one."""
    pairs = _objective_pairs(numbers)
    name = run_objective if len(pairs) < 2 else (lambda r: f"{run_objective(r)}, {r['steps']:,} steps")
    frames = [_trial_frame(p, name, "objective").assign(
        trained_on=lambda f, p=p: f["objective"].map({name(r): run_objective(r) for r in p}),
        run_steps=p[0]["steps"]) for p in pairs]
    return pd.concat(frames, ignore_index=True) if frames else \
        _trial_frame([], run_objective, "objective").assign(trained_on=[], run_steps=[])


def trained_on_by_games(numbers: dict) -> pd.DataFrame:
    """The shipped model trained on with each objective (_trial_frame, by "objective"; games: added since
    the shipped step, its own point first at 0). Empty without such runs."""
    return _trial_frame(_trained_on(numbers), run_objective, "objective")


def pooling_commands(numbers: dict) -> list[str]:
    """The commands that train the pooling trial's runs, but for one the width trial trains already."""
    width = _by_shape(numbers)
    widths = {r["experiment"] for r in width} if len(width) >= 2 else set()
    return [f"python scripts/width_trial.py --model {r['experiment']} --shapes {r['n_layer']}x{r['d_model']}   # the "
            "pooling trial, here" for r in pooling_runs(numbers) if r["experiment"] not in widths]


def pooling_by_games(numbers: dict) -> pd.DataFrame:
    """The pooling trial's snapshots (_trial_frame, by "model": its name and how many languages it reads),
    with the columns "languages" (that many) and "per_language" (the games seen in each of them). Empty
    without the trial."""
    runs = pooling_runs(numbers)
    n = {_pooling_name(r): _inputs(r) for r in runs}
    df = _trial_frame(runs, _pooling_name, "model")
    df["languages"] = df["model"].map(n).astype(float)
    df["per_language"] = df["games"] / df["languages"]
    return df


def _pooling_name(r: dict) -> str:
    n = _inputs(r)
    return f"{r['experiment']} ({n} language{'s' if n > 1 else ''})"


def _recipe(r0: dict, what: str = "", rates: str | None = None) -> str:
    """How a from-scratch trial trained: where, its recipe and where its numbers are (then `what`); `rates`
    words the learning rates where the runs differ in them (the learning-rate trial)."""
    where = _host(r0)
    rates = rates or _rates(r0)
    return (f"one after the other on this project's own machine ({where}, PyTorch {r0['torch']}), with one recipe "
            f"on the same stream of fresh games: {r0['steps']:,} steps at batch {r0['batch_size']}, {rates}, "
            f"{r0['dtype']} (the suite's first stage{_length(r0)}{', but for the rates' if rates != _rates(r0) else ''}). "
            "Each run's snapshots are analysed as the shipped models are (linear probes, "
            f"relative labels, {r0['probe_games']:,} training games per language, at the layer where the "
            "in-language colour probe is best; legal moves on the 500 held-out games). Their weights do not "
            f"ship; their numbers are in `checkpoints/{WIDTH_RUNS}`." + (f" {what}" if what else "") + "\n")


def _length(r0: dict) -> str:
    """How a trial's run is as long as the suite's first stage: ', cut short', '' or ', drawn out'."""
    first = suite.SUITE_TRAINING["steps"]
    return ", cut short" if r0["steps"] < first else ", drawn out" if r0["steps"] > first else ""


def _rates(r0: dict) -> str:
    return f"peak lr {r0['lr']:g}, warm-up {r0['warmup_steps']:,}, cosine to {r0['min_lr']:g}"


def _times(ratio: float) -> str:
    """'2.4x as long', or 'about as long' within 10%."""
    return "about as long" if abs(ratio - 1) < 0.1 else f"{ratio:.1f}x as long"


def _common_steps(df: pd.DataFrame, key: str, names: list[str]) -> tuple[list[int], dict]:
    """The steps every run named in `names` (column `key` of _trial_frame rows) has, sorted, and the rows by
    (name, step)."""
    steps = sorted(set.intersection(*(set(df[df[key] == s]["step"]) for s in names)))
    return steps, {(getattr(x, key), x.step): x for x in df.itertuples()}


def _snapshot_table(df: pd.DataFrame, key: str, names: list[str], games_title: str,
                    last_column: str | None, union: bool = False,
                    leads: list[tuple[str, str, str]] = ()) -> tuple[list[str], list[int], dict]:
    """A trial's runs side by side (_trial_frame rows, runs named in column `key`), one row per step they
    all have (`union`: any of them has, a dash where a run has none, as for a run stopped part-way): its games,
    then each run's worst language's legal moves and colour (with its layer), and with `last_column` the last
    run's colour minus the first's; each of `leads` (title, run, minus run) adds such a column for two named runs.
    (lines, those steps, {(name, step): row})."""
    steps, at = _common_steps(df, key, names)
    if union:
        steps = sorted(set(df[df[key].isin(names)]["step"]))
    head = ["steps", games_title] + [c for s in names for c in (f"{s}: legal moves, worst language",
                                                                f"{s}: colour in-language")]
    extra = ([last_column] if last_column else []) + [title for title, _, _ in leads]
    lines = ["| " + " | ".join(head + extra) + " |", "|" + "---|" * (len(head) + len(extra))]
    for st in steps:
        cells = [f"{st:,}", f"{next(at[(s, st)] for s in names if (s, st) in at).games:,}"]
        for s in names:
            x = at.get((s, st))
            cells += [pct(x.legal_min), f"{pct(x.colour)} (layer {x.layer})"] if x is not None else ["–", "–"]
        if last_column:
            cells.append(pts(at[(names[-1], st)].colour - at[(names[0], st)].colour))
        cells += [pts(at[(b, st)].colour - at[(a, st)].colour) for _, b, a in leads]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""], steps, at


def _pace(at: dict, name: str, steps: list[int]) -> float | None:
    """Run `name`'s colour gained per doubling of the games over its last two snapshots of `steps` (rows `at`
    by (name, step)); None without two, or without a gain."""
    if len(steps) < 2 or steps[-1] <= steps[-2]:
        return None
    per = (at[(name, steps[-1])].colour - at[(name, steps[-2])].colour) / float(np.log2(steps[-1] / steps[-2]))
    return per if per > 0 else None


def _head_to_head(runs: list[dict], df: pd.DataFrame, key: str, names: list[str], last_column: str,
                  speed_of: str) -> list[str]:
    """The comparison of from-scratch runs with one recipe (the first is the reference): a table by
    snapshot, their measured speeds, and the last one against the first after as many games (and what
    a lead is worth in games at the first's own pace) and after as much training time."""
    r0 = runs[0]
    pair = len(names) >= 2
    lines, steps, at = _snapshot_table(df, key, names, "games seen", last_column if pair else None)
    timed = [(s, r) for s, r in zip(names, runs) if r.get("train_s")]
    if timed:
        lines.append("Wall-clock, read from each run's log (with whatever else shared the cores, and the code as it "
                     "was then): " + ", ".join(f"{s} {r['train_s'] / 60:.0f} min" for s, r in timed) + ".")
    speeds = [r["measured"]["steps_per_s"] for r in runs]
    lines.append(f"Speed, each {speed_of} measured alone on the same machine after training (its training step with "
                 "the games' generation, as the code trains now): " + ", ".join(f"{s} {v:.2f} steps/s" for s, v in zip(names, speeds))
                 + (f": the {names[-1]} model takes {_times(speeds[0] / speeds[-1])} for the same games. " if pair else ". ")
                 + "The time axis of the figure and the comparison below are at these speeds.\n")
    if pair and steps:
        a, b, last = names[0], names[-1], steps[-1]
        d = at[(b, last)].colour - at[(a, last)].colour
        said = [f"After {millions(last * r0['batch_size'])} the {b} model reads the colour "
                + (f"as the {a} one does ({pts(d)})" if abs(d) <= DEPTH_MARGIN else
                   f"{100 * abs(d):.1f} points {'better' if d > 0 else 'worse'} than the {a} one "
                   f"({pct(at[(b, last)].colour)} against {pct(at[(a, last)].colour)})") + "."]
        per = _pace(at, a, steps)
        if d > DEPTH_MARGIN and per:
            prev = steps[-2]
            said.append(f"At the {a} run's own pace over its last snapshots ({100 * per:.1f} points per doubling of "
                        f"the games, {prev * r0['batch_size']:,} to {last * r0['batch_size']:,}), that lead is "
                        f"worth {2 ** (d / per):.1f}x the games, for {_times(speeds[0] / speeds[-1])} per game.")
        ta = at[(a, last)].minutes
        other = df[(df[key] == b) & df["minutes"].notna()]
        cb = log_interpolate(list(zip(other["minutes"], other["colour"])), ta) if np.isfinite(ta) else None
        if cb is not None:
            dt = cb - at[(a, last)].colour
            said.append(f"After as much training as the whole {a} run takes ({ta:.0f} min), the {b} model reads "
                        + (f"the colour as well ({pts(dt)}" if abs(dt) <= DEPTH_MARGIN else
                           f"the colour {100 * abs(dt):.1f} points {'better' if dt > 0 else 'worse'} ({pct(cb)}")
                        + ", read between its snapshots around that time against log time).")
        said += _all_below(df["colour"].max(), last * r0["batch_size"],
                           ": the trial tells how the runs start, not where they end")
        lines.append(" ".join(said))
    return lines


def width_section(numbers: dict) -> str:
    """Is the colour a matter of width? The width trials: one suite model from scratch at several shapes
    with one recipe on the same games, compared after as many games and after as much training time. ""
    without recorded trials."""
    runs = _by_shape(numbers)
    df = width_by_games(numbers)
    if not runs or df.empty:
        return ""
    r0 = runs[0]
    kept = {r["d_model"] for r in numbers.get("depth") or []}
    lines = ["## Is it width?\n",
             (f"The depth trials above kept the width at {kept.pop()}. " if len(kept) == 1 else "")
             + f"Here `{r0['experiment']}` trained from scratch at "
             + " and ".join(f"{_shape(r)} ({r['params'] / 1e6:.1f}M parameters)" for r in runs)
             + ", " + _recipe(r0)]
    lines += _head_to_head(runs, df, "shape", [_shape(r) for r in runs], "colour, widest minus narrowest", "shape")
    return "\n".join(lines) + "\n"


def objective_section(numbers: dict) -> str:
    """Is it the noise of the next-token target? The objective trial: one suite model from scratch at one
    shape, trained on the sampled next move (next-token, the study's) and on its exact distribution
    (legal-set), one recipe on the same games. "" without such a pair."""
    pairs = _objective_pairs(numbers)
    if not pairs:
        return ""
    runs = pairs[0]
    r0, names = runs[0], [run_objective(r) for r in runs]
    lines = ["## Is it the noise of the target?\n",
             "Next-token training scores the model, after every move, on the one move the game happened to play "
             "next. Our games are uniformly random: the generator picks that move uniformly among the legal "
             "ones, so the expected target after every move is known exactly, the uniform distribution over the "
             "legal next moves (on their first tokens). Training on that expectation (`--objective legal-set`) "
             "minimises the same expected loss as next-token training, with less noise in every step; inside "
             "a move of several tokens both train on the token that follows. Here "
             f"`{r0['experiment']}` trained from scratch at {_shape(r0)} with "
             + " and with ".join(f"`{n}`" for n in names) + ", " + _recipe(r0)]
    column = f"colour, {names[-1]} minus {names[0]}"
    df = _trial_frame(runs, run_objective, "objective")
    lines += _head_to_head(runs, df, "objective", names, column, "objective")
    leads = [_lead(runs, df)]
    for longer in pairs[1:]:
        r = longer[0]
        lines += ["", f"**Carried on.** The same objectives again over {r['steps']:,} steps "
                  f"({millions(r['steps'] * r['batch_size'])}), one after the other on the same machine, on the same "
                  f"stream of games: the same recipe but for its length (peak lr {r['lr']:g}, warm-up "
                  f"{r['warmup_steps']:,}, the cosine to {r['min_lr']:g} spanning the longer run, so a snapshot "
                  "here is not the shorter runs' at the same step).\n"]
        df = _trial_frame(longer, run_objective, "objective")
        lines += _head_to_head(longer, df, "objective", [run_objective(x) for x in longer], column, "objective")
        leads.append(_lead(longer, df))
        if longer is pairs[-1]:
            lines.append(_to_target(longer, df))
    lines.append(f"\nThe shipped models train next-token, as the study does, and the pace to {TARGET} above is theirs. "
                 + _leads_said(leads, names[-1]))
    return "\n".join(lines) + "\n"


def _to_target(runs: list[dict], df: pd.DataFrame, target: float = COLOUR_TARGET) -> str:
    """Where each run's own pace over its last two snapshots (colour per doubling of the games; `df`: their
    _trial_frame by objective) would take it to `target`: after how many games in all; "" when no run has a
    pace."""
    names = [run_objective(r) for r in runs]
    steps, at = _common_steps(df, "objective", names)
    said = []
    for n, r in zip(names, runs):
        per, last = _pace(at, n, steps), at[(n, steps[-1])] if steps else None
        if last is None or per is None:
            continue
        games = steps[-1] * r["batch_size"]
        if last.colour >= target:
            said.append(f"the {n} run is at {pct(last.colour)}, past it")
            continue
        more, total = to_target(games, last.colour, per, target)
        before = _pace(at, n, steps[:-1])
        said.append(f"the {n} run ({100 * per:.1f} points per doubling, {steps[-2] * r['batch_size']:,} to {games:,}"
                    + (f", after {100 * before:.1f} from {steps[-3] * r['batch_size']:,}" if before else "")
                    + f") after about {millions(total)} in all ({more:.1f} more doublings)")
    if not said:
        return ""
    return (f"\nAt its own pace over its last snapshots, each run would read the colour at {target:.0%}: "
            + "; ".join(said) + ". A pace read off two snapshots is a rough guide: along a run it changes, "
            "and the learning rate's schedule ends with the run.")


def _lead(runs: list[dict], df: pd.DataFrame) -> dict | None:
    """The last objective's colour lead over next-token at each of the runs' common snapshots (`along`:
    (games, lead) pairs; `df`: their _trial_frame by objective) and at the last one: its games, the lead,
    and what it is worth in games at the next-token run's own pace there (None without a pace)."""
    names = [run_objective(r) for r in runs]
    steps, at = _common_steps(df, "objective", names)
    if not steps:
        return None
    along = [(st * runs[0]["batch_size"], at[(names[-1], st)].colour - at[(names[0], st)].colour) for st in steps]
    per = _pace(at, names[0], steps)
    d = along[-1][1]
    return {"games": along[-1][0], "lead": d, "worth": 2 ** (d / per) if per and d > 0 else None, "along": along}


def _leads_said(leads: list[dict | None], other: str) -> str:
    """What the objective trials tell of the exact target in the end: from its start alone, nothing; carried
    on, its lead over next-token along the longest runs and whether it grew, held or shrank (within
    DEPTH_MARGIN) over their last doubling of the games, beside the trial's lead at its end."""
    leads = [x for x in leads if x]
    if len(leads) < 2:
        return ("This trial tells how a model trained on the exact target starts, not whether it would reach the "
                "target sooner in the end: that needs the comparison carried on over millions of games.")
    a, b = leads[0], leads[-1]
    worth = lambda x: f", worth {x['worth']:.1f}x the games at the next-token run's pace there" if x["worth"] else ""  # noqa: E731
    said = (f"Along the carried-on runs the {other} lead went " + ", ".join(pts(d) for _, d in b["along"])
            + f" ({b['along'][0][0]:,} to {b['games']:,} games)")
    if len(b["along"]) >= 2:
        (g0, d0), (g1, d1) = b["along"][-2:]
        change = d1 - d0
        said += f"; over their last {_doublings(g0, g1)} of the games it " + (
            "held (within a point)" if abs(change) <= DEPTH_MARGIN else
            f"{'grew' if change > 0 else 'shrank'} by {100 * abs(change):.1f} points")
    said += (f". At their ends: {pts(a['lead'])} after {millions(a['games'])} (the trial{worth(a)}), "
             f"{pts(b['lead'])} after {millions(b['games'])} (carried on{worth(b)}). ")
    return said + (f"Whether the exact target would reach the {TARGET} target sooner in the end needs the comparison "
                   "carried on over millions of games.")


def further_runs(numbers: dict) -> list[dict]:
    """The exact target carried further: the recorded runs from scratch of the objective trial's model, shape
    and other objective, at its batch, rates and warm-up, longer than its longest pair and with no next-token
    run of their length beside them (the shipped model, which trains next-token, stands in for one), shortest
    first; [] without the objective trial."""
    pairs = _objective_pairs(numbers)
    if not pairs:
        return []
    sampled, exact = pairs[-1][0], pairs[-1][-1]
    keys = ("experiment", "n_layer", "d_model", "batch_size", "lr", "min_lr", "warmup_steps")
    runs = _scratch(numbers)
    paired = {r["steps"] for r in runs if run_objective(r) == "next-token" and all(r[k] == sampled[k] for k in keys)}
    return sorted((r for r in runs if all(r[k] == exact[k] for k in keys) and run_objective(r) == run_objective(exact)
                   and r["steps"] > exact["steps"] and r["steps"] not in paired), key=lambda r: r["steps"])


def _run_name(r: dict) -> str:
    return f"{run_objective(r)}, {r['steps']:,} steps"


def stage_peak(x: dict) -> float | None:
    """A later stage's own peak learning rate (width_trial --carry-on STEPS@LR), None at the suite's warm
    restart's (suite.STAGE_TRAINING)."""
    return x["lr"] if x["lr"] != suite.STAGE_TRAINING["lr"] else None


def _peak_note(x: dict) -> str:
    """' (peak lr 0.0002)' for a stage with its own peak (stage_peak), else ''."""
    return f" (peak lr {p:g})" if (p := stage_peak(x)) else ""


def _stage_names(r: dict, stages: list[dict]) -> list[str]:
    """The names of run `r`'s later stages (carried_stages): 'legal-set, 24,000 + 24,000 steps', ...; a stage
    with its own peak says it: '..., 24,000 + 24,000 steps (peak lr 0.0002)'."""
    parts = [f"{r['steps']:,}"] + [f"{x['steps'] - x['from_step']:,}" for x in stages]
    return [f"{run_objective(r)}, {' + '.join(parts[:k + 2])} steps{_peak_note(x)}" for k, x in enumerate(stages)]


def _halfway(steps: list[int]) -> list[int]:
    """The two snapshots a pace is read between: the last, and the last at or below half its step (a doubling
    of the games, where the snapshots have one), else the one before it."""
    below = [st for st in steps[:-1] if st <= steps[-1] / 2]
    return [below[-1] if below else steps[-2], steps[-1]] if len(steps) >= 2 else list(steps)


def _shipped_model(numbers: dict, name: str) -> dict | None:
    return next((m for m in numbers["models"].values() if m["name"] == name), None)


SHIPPED_RUN = "shipped (next-token)"   # the shipped model's line among the runs carried further


def further_by_games(numbers: dict) -> pd.DataFrame:
    """The exact target carried further (_trial_frame rows, by "run": "legal-set, 24,000 steps"): the objective
    trial's longest pair (column "part" "pair"), the runs that carry its exact target further ("further"), the
    later stages of the longest of them ("carried", run "legal-set, 24,000 + 24,000 steps": each begins with
    the point it starts from, so its line goes on from there; minutes after the ones before), and the shipped
    model of their experiment at its analysed stage ends ("shipped", run SHIPPED_RUN; no minutes: it trained
    elsewhere and in stages); column "trained_on": the objective. Empty without such runs."""
    runs = further_runs(numbers)
    if not runs:
        return _trial_frame([], _run_name, "run").assign(part=[], trained_on=[])
    pair = _objective_pairs(numbers)[-1]
    df = pd.concat([_trial_frame(p, _run_name, "run").assign(part=part, trained_on=lambda f, p=p: f["run"].map(
        {_run_name(r): run_objective(r) for r in p})) for p, part in ((pair, "pair"), (runs, "further"))],
        ignore_index=True)
    prev = df[df["run"] == _run_name(runs[-1])]
    stages = carried_stages(numbers, runs[-1])
    for x, name in zip(stages, _stage_names(runs[-1], stages)):
        f = _trial_frame([x], lambda _, name=name: name, "run")
        f["minutes"] += prev["minutes"].max()
        start = {**prev.loc[prev["step"].idxmax()].to_dict(), "run": name}
        prev = pd.concat([pd.DataFrame([start]), f], ignore_index=True).assign(part="carried",
                                                                                trained_on=run_objective(x))
        df = pd.concat([df, prev], ignore_index=True)
    m = _shipped_model(numbers, runs[0]["experiment"])
    if m is None:
        return df
    ends = [{"run": SHIPPED_RUN, "step": st, "games": model_games(m, st), "minutes": np.nan, "legal_min": e["legal_min"],
             "colour": e["colour_in_language"], "layer": m["layer"], "part": "shipped", "trained_on": "next-token"}
            for st, e in sorted(analysed_ends(m).items())]
    return pd.concat([df, pd.DataFrame(ends, columns=df.columns)], ignore_index=True)


def further_section(numbers: dict) -> str:
    """How far does the exact target go? The objective trial's exact target carried further than its longest
    pair, and on past the end of its schedule (its later stages, carried_stages), beside the shipped model
    (next-token) after as many games: a table by games, the colour after as many games and what that is worth
    in the shipped model's games, what each later stage's warm restart cost, the run's own pace over its last
    doubling and where it would reach the 90% target (games, and hours at its measured speed), and whether the
    languages stay aligned. "" without such runs."""
    runs = further_runs(numbers)
    if not runs:
        return ""
    pair, r = _objective_pairs(numbers)[-1], runs[-1]
    stages = carried_stages(numbers, r)
    snames = _stage_names(r, stages)
    df = further_by_games(numbers)
    m = _shipped_model(numbers, r["experiment"])
    bs, objective = r["batch_size"], run_objective(r)
    where = _host(r)
    lengths = " and ".join(f"{x['steps']:,} steps ({millions(x['steps'] * bs)})" for x in runs)
    carried = ""
    if stages:
        x0 = stages[0]
        rates = lambda x: (x["lr"], x["min_lr"], x["warmup_steps"])  # noqa: E731
        own = "".join(f"; the stage to step {x['steps']:,} {'gentler' if x['lr'] < x0['lr'] else 'steeper'}: warm-up "
                      f"{x['warmup_steps']:,} steps to {x['lr']:g}, cosine to {x['min_lr']:g}"
                      for x in stages if rates(x) != rates(x0))
        carried = (" Then it trained on from its end, past the end of its schedule (`--carry-on`): " + "; then ".join(
            f"{x['steps'] - x['from_step']:,} more steps ({millions((x['steps'] - x['from_step']) * bs)}, to step "
            f"{x['steps']:,})" for x in stages) + f", {'each ' if len(stages) > 1 else ''}a later stage as the shipped "
            f"models' are: a warm restart of the learning rate (warm-up {x0['warmup_steps']:,} steps to {x0['lr']:g}, "
            f"cosine to {x0['min_lr']:g} over the stage{own}), at batch {bs}, "
            + ("its AdamW moments carried over" if x0.get("init_optimizer") else "a fresh optimizer state")
            + ", on the next games of its stream.")
    lines = ["## The exact target carried further\n",
             f"The objective trial carried on ended after {millions(pair[0]['steps'] * bs)}. Here `{r['experiment']}` "
             f"trained from scratch at {_shape(r)} with `{objective}` again, over {lengths}, on this project's own "
             f"machine ({where}, PyTorch {r['torch']}): the objective trial's recipe but for its length (batch {bs}, "
             f"peak lr {r['lr']:g}, warm-up {r['warmup_steps']:,}, the cosine to {r['min_lr']:g} spanning the run, "
             f"{r['dtype']}), on the same stream of fresh games, its snapshots analysed as the trials above." + carried
             + " No next-token run of its length stands beside it"
             + (f": the shipped `{m['name']}`, which trains next-token as the study does, stands in for one, at its "
                "analysed stage ends or on the line between two of them against log games (its schedule differs: "
                "a first stage, then warm restarts; see how the models were trained, above)" if m else "")
             + f". Its weights do not ship; its numbers are in `checkpoints/{WIDTH_RUNS}`.\n"]
    main = _run_name(r)
    names = [_run_name(x) for x in runs] + snames
    others = [_run_name(x) for x in reversed(pair)]   # the exact target's shorter run first
    head = ["games seen"] + [c for n in names for c in (f"{n}: legal moves, worst language", f"{n}: colour in-language")] \
        + [f"{n}: colour in-language" for n in others] + ([f"{SHIPPED_RUN}: colour in-language"] if m else [])
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    starts = {n: x["from_step"] for n, x in zip(snames, stages)}   # a stage's first row is where it starts from
    at = {(x.run, x.games): x for x in df.itertuples() if x.step > starts.get(x.run, -1)}
    ends = [(model_games(m, st), c) for st, c in colour_ends(m).items()] if m else []
    own = df[df["run"].isin([main, *snames]) & (df["step"] > df["run"].map(starts).fillna(-1))].sort_values("games")
    for g in own["games"]:
        cells = [f"{g:,}"]
        for n in names:
            x = at.get((n, g))
            cells += [pct(x.legal_min), f"{pct(x.colour)} (layer {x.layer})"] if x else ["", ""]
        cells += [f"{pct(at[(n, g)].colour)} (layer {at[(n, g)].layer})" if (n, g) in at else "" for n in others]
        if m:
            cs = log_interpolate(ends, g)
            cells.append(pct(cs) if cs is not None else "")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    last = own.iloc[-1]
    games, c = int(last["games"]), float(last["colour"])
    said = [f"After {millions(games)} the {objective} run reads the colour at {pct(c)} (layer {last['layer']}), the "
            f"legal moves in its worst language at {pct(last['legal_min'])}."]
    if m:
        cs = log_interpolate(ends, games)
        if cs is not None:
            said.append(f"The shipped model, trained next-token, reads the colour at {pct(cs)} after as many games: "
                        f"{pts(c - cs)}.")
        kind, g = _games_for(ends, c)
        if kind == "=" and g > games:
            said.append(f"It reads the colour as well only after about {millions(g)}: the exact target was worth "
                        f"{g / games:.1f}x the games here.")
        elif kind == ">":
            said.append(f"That is better than the shipped model reads it after all its {millions(g)} "
                        f"({pct(max(ends)[1])}): the exact target was worth more than {g / games:.1f}x the games here.")
    reads = []   # per stage: its peak, the colour's dip after its warm restart, its pace per doubling
    for x, n in zip(stages, snames):
        rows = df[df["run"] == n].sort_values("step")
        s0, s1, s2 = rows.iloc[0], rows.iloc[1], rows.iloc[-1]
        doublings = np.log2(s2["games"] / s0["games"])
        pace = (s2["colour"] - s0["colour"]) / doublings
        reads.append((x["lr"], s1["colour"] - s0["colour"], pace))
        said.append(f"The stage from step {x['from_step']:,} to {x['steps']:,}{_peak_note(x)}: "
                    f"{millions(s1['games'] - s0['games'])} after its warm restart the colour read {pct(s1['colour'])} "
                    f"({pts(s1['colour'] - s0['colour'])} on its start), the legal moves in the worst language "
                    f"{pct(s1['legal_min'])} ({pts(s1['legal_min'] - s0['legal_min'])}); at its end {pct(s2['colour'])} "
                    f"({pts(s2['colour'] - s0['colour'])} over the stage"
                    + ("" if abs(doublings - 1) < 0.05 else  # over a doubling the gain is the pace: said
                       f", {100 * pace:.1f} points per doubling of the games")
                    + f") and {pct(s2['legal_min'])}.")
    said += [t for t in [_gentler(reads)] if t]
    # the pace is read between points at the end of a cosine (the run's own snapshots, the stages' ends), not
    # inside a stage, where a warm restart's dip would pass for a pace
    stage_ends = {x["steps"] for x in stages}
    steps = sorted(st for st in own["step"] if st <= r["steps"] or st in stage_ends)
    at_step = {(main, x.step): x for x in own.itertuples()}
    span = _halfway(steps)
    earlier = _halfway([st for st in steps if st <= span[0]]) if span else []
    per, before, target = _pace(at_step, main, span), _pace(at_step, main, earlier), None
    if per:
        g0, g1 = span[0] * bs, span[1] * bs
        text = (f"Over its last {_doublings(g0, g1)} of the games ({g0:,} to {g1:,}) it gained "
                f"{100 * per:.1f} points per doubling" + (f" (from {earlier[0] * bs:,} to {g0:,}: "
                                                           f"{100 * before:.1f})" if before else ""))
        if c < COLOUR_TARGET:
            more, target = to_target(games, c, per)
            sps = ((stages[-1] if stages else r).get("measured") or {}).get("steps_per_s")
            text += (f"; at that pace it would read the colour at {TARGET} after about {millions(target)} in all "
                     f"({more:.1f} more doublings)" + (f", some {target / bs / sps / 3600:,.0f} hours of training at its "
                                                       f"measured speed here ({sps:.2f} steps/s at batch {bs})" if sps else ""))
            gpu = [x for x in (m.get("trained") or {}).get("stages") or [] if on_gpu(x)] if m else []
            if gpu and (rate := games_per_s(gpu[-1])):
                text += (f", or about {target / rate / 3600:.1f} GPU-hours at the {rate:,.0f} games/s the shipped "
                         "model's GPU stage trained at (next-token, sharing the GPU)")
        said.append(text + ".")
    mper = colour_per_doubling(m) if m else None
    if mper and m["colour_in_language"] < COLOUR_TARGET:
        _, shipped_target = to_target(model_games(m, m["step"]), m["colour_in_language"], mper)
        if not target:
            than = ""
        elif shipped_target > target:
            than = f": at these paces the exact target gets there on {shipped_target / target:.1f}x fewer games"
        else:
            than = _lead_moved(at_step[(main, span[0])].colour, c, ends, span[0] * bs, games)
        said.append(f"The shipped model's own pace ({100 * mper:.1f} points per doubling, over its stage ends) gives "
                    f"{TARGET} after about {millions(shipped_target)}{than}.")
    b = _best((stages[-1] if stages else r)["points"][-1])
    if b.get("cross_lingual") is not None and b.get("in_language") is not None:
        gap = b["in_language"] - b["cross_lingual"]
        text = (f"Across its languages after {millions(games)}: the cross-lingual probe reads {pct(b['cross_lingual'])} "
                f"against {pct(b['in_language'])} in-language, {100 * gap:.1f} points apart")
        e, between = _shipped_alignment(m, games) if m else (None, False)
        if e:
            shipped_gap = e["in_language"] - e["cross_lingual"]
            text += (f"; the shipped model's after as many games{' (on the line between its stage ends)' if between else ''} "
                     f"{pct(e['cross_lingual'])} against {pct(e['in_language'])}, {100 * shipped_gap:.1f} points apart: "
                     "the exact target keeps the "
                     + ("languages as aligned (within a point)" if abs(gap - shipped_gap) <= DEPTH_MARGIN else
                        f"languages {'less' if gap > shipped_gap else 'more'} aligned"))
        said.append(text + ".")
    if c < COLOUR_TARGET:
        said.append(f"Below the {TARGET} target after {millions(games)}: {100 * (COLOUR_TARGET - c):.1f} points short.")
    lines.append(" ".join(said))
    return "\n".join(lines) + "\n"


GENTLER_MARGIN = 0.01   # colour points per doubling a stage's pace must gain to count as faster (a short stage's
#                         pace moves by about this much with the probe's own noise of a few tenths of a point)


def _gentler(reads: list[tuple[float, float, float]]) -> str:
    """What a gentler warm restart told, from the stages' (peak lr, colour dip after the restart, pace per
    doubling): the last stage with a lower peak than the stage before it, against that stage. '' without."""
    k = next((k for k in range(len(reads) - 1, 0, -1) if reads[k][0] < reads[k - 1][0]), None)
    if k is None:
        return ""
    (lr0, dip0, pace0), (lr1, dip1, pace1) = reads[k - 1], reads[k]
    text = (f"With the gentler warm restart (to {lr1:g} against {lr0:g}) the colour dipped {pts(dip1)} against "
            f"{pts(dip0)} the stage before, and gained {100 * pace1:.1f} points per doubling against {100 * pace0:.1f}")
    if pace1 <= pace0 + GENTLER_MARGIN:
        return text + (": the warm restarts' dips are not what slows the pace"
                       + ("; at this size the colour is levelling off (under a point per doubling)."
                          if max(pace0, pace1) < 0.01 else "."))
    return text + ": the warm restarts were holding the pace back."


def _lead_moved(c0: float, c1: float, ends: list, g0: float, g1: float) -> str:
    """When the shipped model's pace is the faster: how the exact target's lead over it moved from g0 to g1 games
    ('' where the shipped model has no colour at either)."""
    s0, s1 = log_interpolate(ends, g0), log_interpolate(ends, g1)
    if s0 is None or s1 is None:
        return ""
    return (f": the faster pace now, the exact target's lead after as many games went from {100 * (c0 - s0):.1f} "
            f"points ({g0:,.0f} games) to {100 * (c1 - s1):.1f} ({g1:,.0f} games)")


def _shipped_alignment(m: dict, games: float) -> tuple[dict | None, bool]:
    """The shipped model's in-language and cross-lingual probes after `games` games: at an analysed stage end
    of as many games, else on the line between the two around it against log games (then True); None outside."""
    ends = {model_games(m, st): e for st, e in analysed_ends(m).items()
            if e.get("cross_lingual") is not None and e.get("in_language") is not None}
    if games in ends:
        return ends[games], False
    at = {k: log_interpolate([(g, e[k]) for g, e in ends.items()], games) for k in ("in_language", "cross_lingual")}
    return (at, True) if None not in at.values() else (None, False)


def _doublings(g0: float, g1: float) -> str:
    """The span from g0 to g1 games: 'doubling' (within 5% of one), else '2.3 doublings'."""
    n = float(np.log2(g1 / g0))
    return "doubling" if abs(n - 1) < 0.05 else f"{n:.1f} doublings"


LEVEL_PACE = 0.01   # colour points per doubling of the games under which a run's colour has levelled off


def ladder_runs(numbers: dict) -> list[dict]:
    """The depth ladder: the recorded runs from scratch of the exact target carried further (further_runs'
    shortest: its model, width, objective and recipe) at every depth, shallowest first; [] without a run of
    another depth beside it."""
    further = further_runs(numbers)
    if not further:
        return []
    r0 = further[0]
    keys = ("experiment", "d_model", "steps", "batch_size", "lr", "min_lr", "warmup_steps")
    found = sorted((r for r in _scratch(numbers) if all(r[k] == r0[k] for k in keys)
                    and run_objective(r) == run_objective(r0)), key=lambda r: r["n_layer"])
    return found if len({r["n_layer"] for r in found}) >= 2 else []


def ladder_by_games(numbers: dict) -> pd.DataFrame:
    """The depth ladder's snapshots (_trial_frame, by "shape": "2 x 192"), each run's (column "part" "run")
    followed by its later stages' ("carried": carried_stages, games seen since the run started, so its line goes
    on). Empty without the ladder."""
    frames = [f for r in ladder_runs(numbers) for f in (_trial_frame([r], _shape, "shape").assign(part="run"),
              _trial_frame(carried_stages(numbers, r), _shape, "shape").assign(part="carried"))]
    return pd.concat(frames, ignore_index=True) if frames else _trial_frame([], _shape, "shape").assign(part=[])


def _last_stage_pace(numbers: dict, r: dict) -> tuple[int, float, float] | None:
    """Run `r` carried on (carried_stages): (games seen at its last stage's end, the colour there, the colour
    gained per doubling of the games over that stage); None without later stages."""
    stages = carried_stages(numbers, r)
    if not stages:
        return None
    (ga, ca), (gb, cb) = [(x["steps"] * x["batch_size"], _best(x["points"][-1])["colour_in_language"])
                          for x in ([r] + stages)[-2:]]
    return gb, cb, (cb - ca) / float(np.log2(gb / ga))


def _lifts(names: list[str], at: dict, step: int) -> list[tuple[str, str, float]]:
    """(shallower, deeper, colour gained) for each added layer of the ladder's runs `names`, at `step` (rows `at`)."""
    return [(a, b, at[(b, step)].colour - at[(a, step)].colour) for a, b in zip(names, names[1:])]


def _lifted(lifts: list[tuple[str, str, float]]) -> str | None:
    """'each added layer' or '1 of 3 added layers' (those that lifted the colour by more than DEPTH_MARGIN);
    None when none did."""
    k = sum(d > DEPTH_MARGIN for _, _, d in lifts)
    return None if not k else "each added layer" if k == len(lifts) else f"{k} of {len(lifts)} added layers"


def _reached_end(r: dict) -> bool:
    """Whether a recorded run's snapshots reach its schedule's end (not stopped part-way)."""
    return r["points"][-1]["step"] >= r["steps"]


def _host(r: dict) -> str:
    """The device a recorded run trained on: 'CPU, 2 threads', 'CPU (AMD EPYC), 2 threads' where its record names
    the CPU's model (runs recorded since the trainer wrote it), 'NVIDIA H100 80GB HBM3'."""
    return (r["device"] + (f" ({r['cpu']})" if r.get("cpu") else "")
            + (f", {r['threads']} threads" if r.get("threads") else ""))


def _machine(r: dict) -> str:
    """Where a recorded run trained: 'CPU, 2 threads, PyTorch 2.13.0+cpu'."""
    return f"{_host(r)}, PyTorch {r['torch']}"


def _setup(r: dict) -> str:
    """Where a recorded run trained and in what number format: 'CPU, 2 threads, PyTorch 2.13.0+cpu, bfloat16'.
    Two CPU runs that differ in it trained on different CPUs (train.use_bfloat16 picks bfloat16 where the CPU
    computes it natively), whose speeds do not compare."""
    return f"{_machine(r)}, {r['dtype']}"


def ladder_lifted(numbers: dict) -> str | None:
    """_lifted over the depth ladder's runs that reached their schedule's end, at the last step they all have;
    None without a ladder."""
    runs = [r for r in ladder_runs(numbers) if _reached_end(r)]
    df = ladder_by_games(numbers)
    names = [_shape(r) for r in runs]
    steps, at = _common_steps(df[df["part"] == "run"], "shape", names) if runs else ([], {})
    return _lifted(_lifts(names, at, steps[-1])) if steps else None


def _against_depth_trials(numbers: dict, fresh: list[dict], r0: dict, lifted: str, deepest: str, colour: float,
                          games: int) -> str:
    """The depth ladder beside the depth trials from scratch (`fresh`, found no faster per game than the shipped
    model): what differs between their recipes, and the colour each read after its games."""
    f0 = fresh[0]
    m = next(x for x in numbers["models"].values() if x["name"] == f0["experiment"])
    differ = []
    if f0["batch_size"] != r0["batch_size"]:
        ratio = f0["batch_size"] / r0["batch_size"]
        differ.append(f"the batch ({r0['batch_size']:,} here against {f0['batch_size']:,}: "
                      + (f"{ratio:g}x the optimizer steps" if ratio > 1 else f"{1 / ratio:g}x fewer optimizer steps")
                      + " for as many games)")
    if run_objective(f0) != run_objective(r0):
        differ.append(f"the objective ({run_objective(r0)} here against {run_objective(f0)})")
    theirs = [(_best(r)["colour_in_language"], r["step"] * r["batch_size"], _shape(r)) for r in fresh]
    faster = colour > max(c for c, _, _ in theirs) and games <= min(g for _, g, _ in theirs)
    return (f"The depth trials above (batch {f0['batch_size']:,}, {run_objective(f0)}) found "
            + " and ".join(_shape(r) for r in fresh) + f" learning the colour no faster per game than the shipped "
            f"{m['n_layer']} x {m['d_model']}; here {lifted} lifted it. "
            + (f"The two recipes differ in {' and in '.join(differ)}, and these runs do not tell which "
               f"{'of the two ' if len(differ) > 1 else ''}lets the depth count"
               + (" (the section *Does the objective let the depth count?* below asks about the objective)"
                  if len(differ) > 1 and next_token_depth_runs(numbers) else "") + ". " if differ else "")
            + ("Per game this recipe is also the faster" if faster else "For scale")
            + f": {deepest} reads {pct(colour)} here after {millions(games)}, where the trials above read "
            + " and ".join(f"{pct(c)} ({n}) after {millions(g)}" for c, g, n in theirs) + ".")


def _part(m: dict) -> str:
    """A train.trained_on entry as the report names machines (_host): 'CPU (AMD EPYC), float32', 'NVIDIA H100 80GB
    HBM3, bfloat16'."""
    cpu = m["device"] == "cpu"
    return _host({"device": "CPU" if cpu else m.get("name") or m["device"], "cpu": m.get("name") if cpu else None}) \
        + f", {m['dtype']}"


def _moved(r: dict) -> str:
    """A run resumed on another machine part-way (its record's machines: train.trained_on), in words: which steps
    up to its last snapshot trained where, in which number format ("auto" picks it per machine); "" for a run
    whose snapshots all come from one."""
    last = r["points"][-1]["step"]
    ms = [m for m in r.get("machines") or [] if m["from"] < last]   # the parts its snapshots come from
    if len(ms) < 2:
        return ""
    # the first part "until": a run whose status predates the list starts it where it first resumed after it
    parts = [f"until step {ms[1]['from']:,} on {_part(ms[0])}"] + [
        f"from step {m['from']:,} to {end:,} on {_part(m)}" for m, end in zip(ms[1:], [x["from"] for x in ms[2:]] + [last])]
    return (f"{_shape(r)} was resumed on another machine part-way (the number format \"auto\" picks per machine): "
            + "; ".join(parts) + ".\n")


def _stopped_pace(r: dict, at: dict, below: str | None, bs: int) -> str:
    """A run stopped part-way, its gain per doubling of the games from its snapshot before its last, beside the
    deepest shallower run's over the same games: is its lead growing? "" with a single snapshot."""
    if len(r["points"]) < 2:
        return ""
    n, (s0, s1) = _shape(r), (p["step"] for p in r["points"][-2:])
    beside = f", {below} {pts(_gain(at, below, s0, s1))} over the same games" if below and (below, s0) in at else ""
    return (f"; over its last {_doublings(s0 * bs, s1 * bs)} of the games ({s0 * bs:,} to {s1 * bs:,}) it gained "
            f"{pts(_gain(at, n, s0, s1))} per doubling{beside}")


def _gain(at: dict, n: str, s0: int, s1: int) -> float:
    """Colour a doubling of the games added to run `n` from step s0 to s1 (at: its snapshots by (shape, step))."""
    return (at[(n, s1)].colour - at[(n, s0)].colour) / float(np.log2(s1 / s0))


def ladder_section(numbers: dict) -> str:
    """Does the depth set where the colour levels off? The run that carried the exact target further, beside
    runs of its recipe at fewer (or more) layers: a table by snapshot, each depth's colour at the end and its
    gain over its last doubling of the games (levelled off under LEVEL_PACE), what each added layer lifted,
    again where two depths were both carried on to as many games, and the runs' later stages. Runs that trained
    on another machine (a lent GPU: scripts/gpu_ladder.py) say so, with their speeds apart; a run stopped part-way
    has a dash in the table past its last snapshot and is read where it stopped, against the deepest shallower run
    after as many games, not in the lifts. "" without such runs."""
    runs = ladder_runs(numbers)
    df = ladder_by_games(numbers)
    if not runs or df.empty:
        return ""
    r0, names = runs[0], [_shape(r) for r in runs]
    ref = _shape(further_runs(numbers)[0])   # the run carried further (its own section)
    carried = {_shape(r): end for r in runs if (end := _last_stage_pace(numbers, r))}
    last_pace = carried[ref][2] if ref in carried else None
    lines = ["## Does the depth set where the colour levels off?\n",
             ("The depth trials above read how fast deeper models learn the colour over their first millions of "
              "games; this trial asks where it levels off. " if numbers.get("depth") else "")
             + (f"The exact target carried further (above) found the {ref} model levelling off. Is that level "
                "set by the number of layers? " if last_pace is not None and last_pace < LEVEL_PACE else
                "Does the number of layers set where the colour levels off? ")
             + f"Here `{r0['experiment']}` trained from scratch at "
             + " and ".join(f"{_shape(r)} ({r['params'] / 1e6:.1f}M parameters)" for r in runs)
             + f" with `{run_objective(r0)}`, " + _recipe(r0)]
    elsewhere: dict[str, list[str]] = {}   # runs trained on another machine than the first, by machine
    for r in runs:
        if _setup(r) != _setup(r0):
            how = _machine(r) + (", compiled" if r.get("compiled") else "") \
                + (f", {r['dtype']}" if r["dtype"] != r0["dtype"] else "")
            elsewhere.setdefault(how, []).append(_shape(r))
    if elsewhere:
        lines.append("Of these, " + "; ".join(f"{' and '.join(ns)} trained on another machine ({how})"
                                             for how, ns in elsewhere.items())
                     + ", with the same recipe on the same games.\n")
    lines += [m for r in runs if (m := _moved(r))]
    table, _, at = _snapshot_table(df[df["part"] == "run"], "shape", names, "games seen", None, union=True)
    lines += table
    machines: dict[str, list[dict]] = {}
    for r in runs:
        machines.setdefault(_setup(r), []).append(r)
    if len(machines) == 1:
        lines.append("Speed, each shape measured alone on the same machine after training: "
                     + ", ".join(f"{_shape(r)} {r['measured']['steps_per_s']:.2f} steps/s" for r in runs) + ".\n")
    else:
        lines.append("Speed, each shape measured alone on the machine it trained on (the machines' speeds do not "
                     "compare): " + "; ".join(f"on {m}: " + ", ".join(
                         f"{_shape(r)} {r['measured']['steps_per_s']:.2f} steps/s" for r in rs) for m, rs in machines.items())
                     + ".\n")
    stopped = [r for r in runs if not _reached_end(r)]   # compared where they stopped, not in the ladder's lifts
    names = [n for r, n in zip(runs, names) if r not in stopped]
    steps, _ = _common_steps(df[df["part"] == "run"], "shape", names)
    bs = r0["batch_size"]
    stopped_said = []
    for r in stopped:
        last, n = r["points"][-1]["step"], _shape(r)
        x = at[(n, last)]
        shallower = [_shape(f) for f in runs if f not in stopped and f["n_layer"] < r["n_layer"] and (_shape(f), last) in at]
        below = shallower[-1] if shallower else None   # the deepest run shallower than it, after as many games
        stopped_said.append(f"{n} stopped at {last:,} of its {r['steps']:,} steps: after {millions(last * bs)} it reads "
                            f"{pct(x.colour)}" + (f", {pts(x.colour - at[(below, last)].colour)} against {below} after "
                                                  "as many games" if below else "")
                            + f" (legal moves {pct(x.legal_min)} in its worst language)" + _stopped_pace(r, at, below, bs) + ".")
    if len(steps) < 2 or len(names) < 2:
        return "\n".join(lines + ([" ".join(stopped_said)] if stopped_said else [])) + "\n"
    s0, s1 = steps[-2:]
    g0, g1 = s0 * bs, s1 * bs
    gains = {n: _gain(at, n, s0, s1) for n in names}
    said = [f"After {millions(g1)}, and their gain per doubling over their last {_doublings(g0, g1)} of the games "
            f"({g0:,} to {g1:,}): " + "; ".join(
                f"{n} {pct(at[(n, s1)].colour)} ({pts(gains[n])} per doubling"
                + (", levelled off" if gains[n] < LEVEL_PACE else "") + f"; legal moves {pct(at[(n, s1)].legal_min)} "
                "in its worst language)" for n in names) + "."]
    lifts = _lifts(names, at, s1)
    layers = {_shape(r): r["n_layer"] for r in runs}
    gaps = {(a, b): layers[b] - layers[a] for a, b, _ in lifts}
    said.append(("Each added layer: " if max(gaps.values()) == 1 else "Each step of depth: ")
                + ", ".join(f"{a} -> {b} {pts(d)}" + (f" ({gaps[a, b]} layers)" if gaps[a, b] > 1 else "")
                            for a, b, d in lifts) + "."
                + (" " + " ".join(stopped_said) if stopped_said else ""))
    if (fresh := depth_no_faster(numbers)) and (lifted := _lifted(lifts)):
        said.append(_against_depth_trials(numbers, fresh, r0, lifted, names[-1], at[(names[-1], s1)].colour, g1))
    later = df[df["part"] == "carried"].set_index(["shape", "step"])["colour"]
    for a, b, d in lifts:   # the lift again at the furthest step both depths' later stages reached
        if a in later.index and b in later.index and (both := sorted(set(later[a].index) & set(later[b].index))):
            said.append(f"After {millions(both[-1] * bs)}, where both were carried on: {a} -> {b} "
                        f"{pts(later[b, both[-1]] - later[a, both[-1]])} ({pts(d)} after {millions(g1)}).")
    for n, (g, c, pace) in carried.items():
        said.append(f"The {n} run, carried on past its schedule's end{' (the section above)' if n == ref else ''}"
                    f", read {pct(c)} after {millions(g)}, its last stage {pts(pace)} per doubling of the games"
                    + (": levelled off there" if pace < LEVEL_PACE else "") + ".")
    # where each depth levelled off, if it did: by its later stages where it has them, else by its own run
    latest = {n: carried[n][:2] if n in carried else (g1, at[(n, s1)].colour) for n in names}   # (games, colour)
    levels = {n: latest[n] for n in names if (carried[n][2] if n in carried else gains[n]) < LEVEL_PACE}
    rest = [n for n in names if n not in levels]
    still = f", while {' and '.join(rest)} still rise{'s' if len(rest) == 1 else ''}" if rest else ""
    found = list(levels.items())
    at_levels = ", ".join(f"{n} at about {pct(c)} (after {millions(g)})" for n, (g, c) in found)
    flat = [f"{a} -> {b}" for a, b, d in lifts if d <= DEPTH_MARGIN]
    if len(flat) == len(lifts):
        said.append("No added layer lifted the colour after as many games: these runs do not show the depth "
                    "setting the level.")
    elif flat:
        said.append(f"Not every added layer lifted the colour after as many games ({', '.join(flat)} did not, within "
                    f"{pts(DEPTH_MARGIN).lstrip('+')}): these runs do not show the depth setting the level all the way"
                    + (f". Levelled off (under a point per doubling): {at_levels}{still}" if found else "")
                    + ".")
    elif len(found) >= 2 and all(b[1][1] - a[1][1] > DEPTH_MARGIN for a, b in zip(found, found[1:])):
        said.append(f"Where the colour levels off (under a point per doubling) rises with the depth: {at_levels}{still}"
            + f". The highest level found, {pct(found[-1][1][1])}, is "
            + ("below" if found[-1][1][1] < COLOUR_TARGET else "at or above") + f" the {TARGET} target.")
    elif found:
        said.append(f"Each layer lifted the colour; levelled off (under a point per doubling): {at_levels}{still}.")
    else:
        said.append("Each layer lifted the colour, and none has levelled off yet.")
    if found:   # a depth still rising that already reads what a shallower one levelled off at, on fewer games
        top_name, (top_g, top_c) = max(found, key=lambda f: f[1][1])
        for n in rest[::-1]:
            g, c = latest[n]
            if names.index(n) > names.index(top_name) and c >= top_c - DEPTH_MARGIN:
                said.append(f"{n}, still rising, already reads {pct(c)} after {millions(g)}: "
                            + ("above" if c - top_c > DEPTH_MARGIN else "as high as") + f" where {top_name} levelled "
                            f"off ({pct(top_c)} after {millions(top_g)}, {top_g / g:.1f}x the games).")
                break
    said += _ladder_to_target(runs, rest, latest, {n: (carried[n][2], "its last stage") if n in carried else
                                                    (gains[n], "its last doubling") for n in rest})
    if not any(s.endswith(f"the {TARGET} target.") for s in said):
        said += _all_below(df[df["part"] == "run"]["colour"].max(), g1)
    lines.append(" ".join(said))
    return "\n".join(lines) + "\n"


def _ladder_to_target(runs: list[dict], rising: list[str], latest: dict, pace: dict) -> list[str]:
    """Where the deepest ladder run still rising (`rising`, shallow to deep; `latest`: its (games, colour);
    `pace`: its (colour per doubling of the games lately, over what)) would read the colour at the target, at
    that pace: after how many games in all, and how many more hours at its speed measured alone where it trained
    (the ladder's runs may have trained on different machines). [] when none rises or it is there."""
    if not rising:
        return []
    n = rising[-1]
    (games, colour), (per, over) = latest[n], pace[n]
    if colour >= COLOUR_TARGET:
        return []
    r = next(r for r in runs if _shape(r) == n)
    more, total = to_target(games, colour, per)
    hours = (total - games) / r["batch_size"] / r["measured"]["steps_per_s"] / 3600
    return [f"At its pace over {over} ({pts(per)} per doubling of the games), {n} would read the colour at {TARGET} after about "
            f"{millions(total)} in all ({more:.1f} more doublings), some {hours:,.0f} more hours of training at its "
            f"speed where it trained ({r['measured']['steps_per_s']:.2f} steps/s at batch {r['batch_size']} on {_setup(r)}); a pace "
            "read off so few games is a rough guide."]


def trained_on_section(numbers: dict) -> str:
    """Does the exact target teach a long-trained model the colour faster? The shipped model trained on from
    its step with next-token and with legal-set, one recipe on the same games, beside what the shipped
    model's own pace gives for as many games. "" without such a pair."""
    runs = _trained_on(numbers)
    df = trained_on_by_games(numbers)
    if not runs or df.empty:
        return ""
    r0, names = runs[0], [run_objective(r) for r in runs]
    m = _shipped_model(numbers, r0["experiment"])
    start, added = r0["from_step"], (r0["steps"] - r0["from_step"]) * r0["batch_size"]
    seen = model_games(m, start) if m else None
    where = _host(r0)
    lines = ["## A trained model on the exact target\n",
             "The objective trial above starts from scratch. Does the exact target also teach a model that has "
             f"trained long? The shipped `{r0['experiment']}` (step {start:,}"
             + (f", {millions(seen)}" if seen else "") + ") trained on from there with "
             + " and with ".join(f"`{n}`" for n in names) + ", one after the other on this project's own machine "
             f"({where}, PyTorch {r0['torch']}), with one recipe on the same games (its stream of fresh games goes "
             f"on): {r0['steps'] - start:,} steps at batch {r0['batch_size']} ({added:,} games"
             + (f", {added / seen:.0%} more than it had seen" if seen else "") + f"), peak lr {r0['lr']:g}, warm-up "
             f"{r0['warmup_steps']:,}, cosine to {r0['min_lr']:g}, {r0['dtype']}. The shipped model and each run's "
             f"snapshots are analysed as the trials above (linear probes, relative labels, {r0['probe_games']:,} "
             "training games per language, at the layer where the in-language colour probe is best; legal moves "
             f"on the 500 held-out games). Their weights do not ship; their numbers are in `checkpoints/{WIDTH_RUNS}`.\n"]
    table, steps, at = _snapshot_table(df, "objective", names, "games added", f"colour, {names[-1]} minus {names[0]}")
    lines += table
    a, b, first, last = names[0], names[-1], steps[0], steps[-1]
    c0, ca, cb = at[(a, first)].colour, at[(a, last)].colour, at[(b, last)].colour
    said = [f"After {added:,} more games the {a} run reads the colour {pts(ca - c0)} from where it started "
            f"({pct(c0)} -> {pct(ca)}), the {b} run {pts(cb - c0)} ({pct(cb)})."]
    if len(steps) >= 3:  # the warm restart: the rate rises again from the shipped model's last, lowest one
        dips = [at[(n, steps[1])].colour - c0 for n in names]
        said.append(f"Right after the warm restart (the rate back up to {r0['lr']:g}), "
                    f"{(steps[1] - start) * r0['batch_size']:,} games in: "
                    + ", ".join(f"{n} {pts(d)}" for n, d in zip(names, dips)) + ".")
    per = colour_per_doubling(m) if m else None
    if per and seen:
        expected = per * float(np.log2(1 + added / seen))
        said.append(f"The shipped model's own pace ({100 * per:.1f} points per doubling of the games, over its stage "
                    f"ends) gives {pts(expected)} for as many games.")
        twice = per * float(np.log2(1 + 2 * added / seen))
        said.append(f"A target worth twice the games would give {pts(twice)} at that pace: "
                    + ("less than the margin this trial tells apart (1 point), so it tests for a jump (a model held "
                       "back by the noise of its target), not for a better pace."
                       if twice < DEPTH_MARGIN else "a difference this trial can see."))
        if cb - ca > DEPTH_MARGIN and cb > c0:
            more = seen * (2 ** ((cb - c0) / per) - 1)
            said.append(f"At that pace next-token training would need about {millions(more)} more to gain what the "
                        f"{b} run gained in {millions(added)}.")
    timed = [(n, r) for n, r in zip(names, runs) if r.get("measured")]
    if timed:
        said.append("Speed, measured alone on the same machine after training: " + ", ".join(
            f"{n} {r['measured']['steps_per_s']:.2f} steps/s" for n, r in timed) + ".")
    if cb - ca > DEPTH_MARGIN:
        said.append(f"Switched to the exact target, the trained model reads the colour {100 * (cb - ca):.1f} points "
                    "better than on the sampled move after the same games: the exact target teaches a long-trained "
                    "model the colour faster too, not only a fresh one.")
    elif ca - cb > DEPTH_MARGIN:
        said.append(f"The exact target did worse here: {100 * (ca - cb):.1f} points behind the sampled move.")
    else:
        said.append(f"The exact target did no better here ({pts(cb - ca)}): switched to it, a long-trained model "
                    "makes no jump, so the noise of the next-token target is not what holds it where it is; whether "
                    "the exact target would quicken its pace over millions of games, this trial cannot tell.")
    if max(ca, cb) < COLOUR_TARGET:
        said.append(f"Both stay below the {TARGET} target: {100 * (COLOUR_TARGET - max(ca, cb)):.1f} points short.")
    lines.append(" ".join(said))
    return "\n".join(lines) + "\n"


def lr_runs(numbers: dict) -> list[dict]:
    """The learning-rate trial: for the first recorded run from scratch at another peak rate than the suite's,
    the runs from scratch of its model, shape, objective, length, batch and warm-up at every peak rate (each
    cosine to a tenth of its peak), lowest rate first; [] without a run at the suite's rate among them."""
    runs = _scratch(numbers)
    other = next((r for r in runs if r["lr"] != suite.SUITE_TRAINING["lr"]), None)
    if other is None:
        return []
    keys = ("experiment", "n_layer", "d_model", "steps", "batch_size", "warmup_steps")
    found = sorted((r for r in runs if all(r[k] == other[k] for k in keys)
                    and run_objective(r) == run_objective(other) and np.isclose(r["min_lr"], r["lr"] / 10)),
                   key=lambda r: r["lr"])
    return found if len(found) >= 2 and any(r["lr"] == suite.SUITE_TRAINING["lr"] for r in found) else []


def _rate_name(r: dict) -> str:
    return f"lr {r['lr']:g}"


def lr_by_games(numbers: dict) -> pd.DataFrame:
    """The learning-rate trial's snapshots (_trial_frame, by "rate": "lr 0.003"). Empty without the trial."""
    return _trial_frame(lr_runs(numbers), _rate_name, "rate")


def _reads_against(x, ref, other: str, along: str, pace_of: str, per: float | None) -> str:
    """'reads the colour as it does at OTHER (...)' or 'N points better / worse than at OTHER (...)', the lead along
    the runs (`along`), both runs' worst-language legal moves, and with a lead and the reference run's own pace `per`
    (points per doubling of the games, by `pace_of`) what the lead is worth in games; rows `x`, `ref`: _trial_frame's."""
    d = x.colour - ref.colour
    text = ("reads the colour " + (f"as it does at {other} ({pts(d)}" if abs(d) <= DEPTH_MARGIN else
                                   f"{100 * abs(d):.1f} points {'better' if d > 0 else 'worse'} than at {other} "
                                   f"({pct(x.colour)} against {pct(ref.colour)}")
            + f"; along the runs {along}), its legal moves in the worst language at {pct(x.legal_min)} against "
            f"{pct(ref.legal_min)}")
    if d > DEPTH_MARGIN and per and per > 0:
        text += (f"; at {pace_of} own pace over its last snapshots ({100 * per:.1f} points per doubling of the games) "
                 f"the lead is worth {2 ** (d / per):.1f}x the games")
    return text + "."


def lr_section(numbers: dict) -> str:
    """Is it the learning rate? One suite model from scratch at one shape and objective, at the suite's peak
    learning rate and at others, one recipe but for the rates on the same games: each rate's colour against
    the suite's after as many games, along the runs and at their end, and what a lead is worth in games at the
    suite rate's own pace. "" without the trial."""
    runs = lr_runs(numbers)
    df = _trial_frame(runs, _rate_name, "rate")
    if not runs or df.empty:
        return ""
    base = next(r for r in runs if r["lr"] == suite.SUITE_TRAINING["lr"])
    names, ref = [_rate_name(r) for r in runs], _rate_name(base)
    objective = run_objective(base)
    rates = (", ".join(f"{r['lr']:g}" for r in runs[:-1]) + f" and {runs[-1]['lr']:g}")
    lines = ["## Is it the learning rate?\n",
             f"The trials above train at the suite's peak learning rate, {base['lr']:g} at batch {base['batch_size']}. "
             "Would the colour come faster at another? Here "
             f"`{base['experiment']}` trained from scratch at {_shape(base)} with `{objective}`"
             + (" (the objective trial's faster objective)" if objective != "next-token" else "")
             + f" at peak lr {rates}, "
             + _recipe(base, rates=f"warm-up {base['warmup_steps']:,}, each rate's cosine to a tenth of it")]
    table, steps, at = _snapshot_table(df, "rate", names, "games seen", None)
    lines += table
    if not steps:
        return "\n".join(lines) + "\n"
    last, per = steps[-1], _pace(at, ref, steps)
    games = last * base["batch_size"]
    said, leads = [], {}
    for r, n in zip(runs, names):
        if n == ref:
            continue
        d = at[(n, last)].colour - at[(ref, last)].colour
        leads[n] = d
        along = ", ".join(pts(at[(n, st)].colour - at[(ref, st)].colour) for st in steps)
        said.append(f"At {n}, after {millions(games)} the model "
                    + _reads_against(at[(n, last)], at[(ref, last)], "the suite's rate", along, "the suite rate's", per))
    said.append("The rate does not change the work of a step, so after as many games is after as much training.")
    best = max(leads, key=leads.get) if leads else None
    if best is not None and leads[best] > DEPTH_MARGIN:
        said.append(f"Of the rates tried, {best} reads the colour best after {millions(games)}: at this scale it "
                    "teaches the colour faster than the suite's rate, and is worth trying in the suite's first stage; "
                    "whether its lead holds over a longer run, this trial cannot tell.")
    else:
        alike = [r["lr"] for r, n in zip(runs, names) if n == ref or abs(leads[n]) <= DEPTH_MARGIN]
        if len(alike) >= 2:
            spread = max(abs(leads[n]) for n in leads if abs(leads[n]) <= DEPTH_MARGIN)
            said.append(f"From lr {min(alike):g} to {max(alike):g} ({max(alike) / min(alike):.0f}x) the colour after "
                        f"{millions(games)} stays within {100 * spread:.1f} points of the suite's rate's.")
        said.append(f"No rate tried reads the colour more than {100 * DEPTH_MARGIN:.0f} point better than the "
                    f"suite's after {millions(games)}: at this scale the suite's rate is not what holds the colour "
                    "back.")
    said += _all_below(df["colour"].max(), games)
    lines.append(" ".join(said))
    return "\n".join(lines) + "\n"


def batch_runs(numbers: dict) -> list[dict]:
    """The batch trial: for the first recorded run from scratch at another batch than the suite's, the runs from
    scratch of its model, shape, objective, rates and warm-up over as many games (steps x batch) at every batch,
    the largest batch first; [] without a run at the suite's batch among them."""
    runs, suite_batch = _scratch(numbers), suite.SUITE_TRAINING["batch_size"]
    other = next((r for r in runs if r["batch_size"] != suite_batch), None)
    if other is None:
        return []
    keys = ("experiment", "n_layer", "d_model", "lr", "min_lr", "warmup_steps")
    found = sorted((r for r in runs if all(r[k] == other[k] for k in keys) and run_objective(r) == run_objective(other)
                    and r["steps"] * r["batch_size"] == other["steps"] * other["batch_size"]),
                   key=lambda r: -r["batch_size"])
    return found if len(found) >= 2 and any(r["batch_size"] == suite_batch for r in found) else []


def _batch_name(r: dict) -> str:
    return f"batch {r['batch_size']}"


def batch_by_games(numbers: dict) -> pd.DataFrame:
    """The batch trial's snapshots (_trial_frame, by "batch": "batch 32"), the suite's batch first. Empty without
    the trial."""
    return _trial_frame(batch_runs(numbers), _batch_name, "batch")


def _where(r: dict) -> str:
    """Where and how a recorded run trained: 'CPU, 2 threads, bfloat16, PyTorch 2.13.0+cpu, 2026-12-05'."""
    return f"{_host(r)}, {r['dtype']}, PyTorch {r['torch']}, {r['started'][:10]}"


def _stopped(r: dict) -> str:
    """' (stopped at 12,000 of its 48,000 steps)' for a run whose last snapshot is before its schedule's end."""
    last = r["points"][-1]["step"]
    return f" (stopped at {last:,} of its {r['steps']:,} steps)" if last < r["steps"] else ""


def batch_section(numbers: dict) -> str:
    """Is it the batch? One suite model from scratch at one shape, objective and rates over the same games at the
    suite's batch and at a smaller (or larger) one: so many more (or fewer) optimizer steps for each game. Each
    batch's colour against the suite's after as many games, what a lead is worth in games at the suite batch's own
    pace, and where the runs trained (a difference in machine or number format is said, not hidden). "" without
    the trial."""
    runs = batch_runs(numbers)
    df = batch_by_games(numbers)
    if not runs or df.empty:
        return ""
    base = next(r for r in runs if r["batch_size"] == suite.SUITE_TRAINING["batch_size"])
    names, ref = [_batch_name(r) for r in runs], _batch_name(base)
    games_all = base["steps"] * base["batch_size"]
    lines = ["## Is it the batch?\n",
             f"The trials above on this project's machine train at the suite's batch, {base['batch_size']} games a step. "
             "Would more optimizer "
             "steps for as many games teach the colour faster? Here "
             f"`{base['experiment']}` trained from scratch at {_shape(base)} with `{run_objective(base)}` at batch "
             + " and ".join(str(r["batch_size"]) for r in runs) + f", each over {millions(games_all)} ("
             + " and ".join(f"{r['steps']:,} steps" for r in runs) + f"), at the same {_rates(base)} (in steps, "
             "each run's schedule), on the same stream of fresh games; snapshots analysed as the shipped models are "
             f"(linear probes, relative labels, {base['probe_games']:,} training games per language, at the layer "
             "where the in-language colour probe is best; legal moves on the 500 held-out games). Their weights do "
             f"not ship; their numbers are in `checkpoints/{WIDTH_RUNS}`. Where each trained: "
             + "; ".join(f"{n}: {_where(r)}{_stopped(r)}" for n, r in zip(names, runs)) + ".\n"]
    at = {(x.batch, x.games): x for x in df.itertuples()}
    games = sorted(set.intersection(*(set(df[df["batch"] == n]["games"]) for n in names)))
    head = ["games seen"] + [c for n in names for c in (f"{n}: steps", f"{n}: legal moves, worst language",
                                                        f"{n}: colour in-language")]
    lines += ["| " + " | ".join(head + [f"colour, {names[-1]} minus {ref}"]) + " |", "|" + "---|" * (len(head) + 1)]
    for g in games:
        cells = [f"{g:,}"]
        for n in names:
            x = at[(n, g)]
            cells += [f"{x.step:,}", pct(x.legal_min), f"{pct(x.colour)} (layer {x.layer})"]
        lines.append("| " + " | ".join(cells + [pts(at[(names[-1], g)].colour - at[(ref, g)].colour)]) + " |")
    lines.append("")
    if not games:
        return "\n".join(lines) + "\n"
    g1 = games[-1]
    per = ((at[(ref, g1)].colour - at[(ref, games[-2])].colour) / float(np.log2(g1 / games[-2]))
           if len(games) >= 2 else None)
    said = []
    for r, n in zip(runs, names):
        if n == ref:
            continue
        steps_each = base["batch_size"] / r["batch_size"]
        along = ", ".join(pts(at[(n, g)].colour - at[(ref, g)].colour) for g in games)
        said.append(f"At {n} ({steps_each:g}x the optimizer steps for each game), after {millions(g1)} the model "
                    + _reads_against(at[(n, g1)], at[(ref, g1)], ref, along, f"{ref}'s", per))
        same = _setup(r) == _setup(base)
        if same:
            a, b = (x["measured"]["steps_per_s"] * x["batch_size"] for x in (r, base))
            said.append(f"Per game it trains {_times(b / a)} on this machine ({a:.0f} games/s against {b:.0f}, each "
                        "measured alone).")
        else:
            said.append("The two trained on different machines or number formats (above): this trial does not "
                        "separate the batch from that difference, and their speeds do not compare.")
    alike = [n for n in names if n != ref and abs(at[(n, g1)].colour - at[(ref, g1)].colour) <= DEPTH_MARGIN]
    if len(alike) == len(names) - 1:
        sizes = sorted(r["batch_size"] for r in runs)
        said.append(f"From batch {sizes[0]} to {sizes[-1]} the colour after as many games stays within "
                    f"{100 * DEPTH_MARGIN:.0f} point: at this scale the number of optimizer steps for each game is not "
                    "what holds the colour back.")
        bigger = [r["batch_size"] for r in depth_no_faster(numbers) if r["batch_size"] > sizes[-1]]
        if bigger:
            said.append(f"The depth trials on the GPU trained at batch {max(bigger):,}, "
                        f"{max(bigger) // sizes[-1]}x the largest here: whether that batch held their depth back, "
                        "this trial does not tell.")
    said += _all_below(df["colour"].max(), g1)
    lines.append(" ".join(said))
    return "\n".join(lines) + "\n"


def _games_for(points: list[tuple[float, float]], colour: float) -> tuple[str, float]:
    """After how many games a run with snapshots `points` ((games, colour)) reads the colour `colour`, on
    its rising part (from its last snapshot back while each is more than DEPTH_MARGIN above the one before;
    before it the colour sits at its floor): ("=", games) on the straight line against log games between the
    two snapshots around it; ("<", games) below the first of that part (it reads no better than the run
    after that many games); (">", games) above its last."""
    pts_ = sorted(points)
    k = len(pts_) - 1
    while k > 0 and pts_[k][1] - pts_[k - 1][1] > DEPTH_MARGIN:
        k -= 1
    rising = pts_[k:]
    if colour < rising[0][1]:
        return "<", float(rising[0][0])
    if colour > rising[-1][1]:
        return ">", float(rising[-1][0])
    for (g0, c0), (g1, c1) in zip(rising, rising[1:]):
        if c0 <= colour <= c1:
            return "=", float(g0 * (g1 / g0) ** ((colour - c0) / (c1 - c0))) if c1 > c0 else float(g0)
    return "=", float(rising[0][0])  # a single rising snapshot that reads exactly `colour`


def _about(x: float) -> str:
    """x to 3 significant digits, with thousands separators: 226,274 -> '226,000'."""
    return f"{round(x, 2 - int(np.floor(np.log10(x)))):,.0f}" if x > 0 else "0"


def _pooling_verdict(kind: str, times: float, n: int) -> str:
    """What `times` (the games a one-language model needs to read as well, over the games each of the n
    languages saw; 1: each learns from its own games only, n: from all of them; kind "=", or "<" / ">" for
    a bound) says."""
    own, pooled = n ** 0.25, n ** 0.75  # a quarter and three quarters of the way from 1 to n, in log games
    if kind == "=" and times <= 1 / own:
        return "below even that: each language learns from its own games only, a little slower than one language alone"
    if kind in "=<" and times <= own:
        return "close to each language learning from its own games only"
    if kind in "=>" and times >= pooled:
        return "close to every game teaching every language: its languages pool their games"
    if kind == "=":
        return "between the two: its languages share part of their games"
    return "at most partly pooled" if kind == "<" else "at least partly pooled"


def _naive(name: str) -> bool:
    """Whether an experiment is naive: atomic languages only, no anchors, no unified output."""
    exp = _config(name)
    return not exp.unified_output and not exp.anchors and all(lang.type == "atomic" for lang in exp.languages)


def _shipped_pooling(numbers: dict, names: list[str]) -> str:
    """The shipped models among `names` that read two languages or more, far beyond the trial: each at its
    analysed stage ends beside the naive one reading the fewest (the base) after as many games in each
    language and, reading more languages than it, after as many in all (colour_at_games: read between the
    base's stage ends); "" without the base and another model."""
    shipped = [(len(_config(m["name"]).input_languages), m) for m in numbers["models"].values() if m["name"] in names]
    shipped = sorted(((n, m) for n, m in shipped if n >= 2), key=lambda x: (x[0], x[1]["name"]))
    base = next(((n, m) for n, m in shipped if _naive(m["name"])), None)
    if base is None:
        return ""
    (n0, m0), said, ahead_all = base, [], []
    b = f"`{m0['name']}`"
    for n, m in shipped:
        if m is m0:
            continue
        rows = []   # (games, colour, the base's after as many in each language, after as many in all)
        for step, c in sorted(colour_ends(m).items()):
            g = model_games(m, step)
            if (each := colour_at_games(m0, g * n0 / n)) is not None:
                rows.append((g, c, each, colour_at_games(m0, g) if n != n0 else None))
        if not rows:
            continue
        name = f"`{m['name']}`"
        if n == n0:
            said.append(f"{name} ({n} languages), at its analysed stage ends, beside {b} after as many games: "
                        + "; ".join(f"after {millions(g)} {pct(c)} ({b}: {pct(each)})" for g, c, each, _ in rows) + ".")
        else:
            said.append(f"{name} ({n} languages), at its analysed stage ends, beside {b} ({n0}): " + "; ".join(
                f"after {millions(g)} {pct(c)} ({b}: {pct(each)} after as many in each language, "
                + (f"{pct(whole)} after as many in all)" if whole is not None else "it has not seen as many in all)")
                for g, c, each, whole in rows) + ".")
        leads = [c - each for _, c, each, _ in rows]
        if _naive(m["name"]):
            closer = [abs(c - each) < abs(c - whole) for _, c, each, whole in rows if whole is not None]
            if closer and all(closer):
                said.append(f"Where both can be read, {name} is closer to {b} after as many games in each language "
                            "than after as many in all.")
            elif closer and not any(closer):
                said.append(f"Where both can be read, {name} is closer to {b} after as many games in all.")
        else:
            games = "after as many games" + (" in each language" if n != n0 else "")
            if leads[-1] > DEPTH_MARGIN:
                ahead_all.append(name)
                said.append(f"{name} reads the colour better than {b} {games} at its last stage end "
                            f"({pts(leads[-1])}" + (f"; {pts(leads[0])} at its first" if len(leads) > 1 else "") + ").")
            elif leads[-1] < -DEPTH_MARGIN:
                said.append(f"{name} reads the colour worse than {b} {games} at its last stage end ({pts(leads[-1])}).")
    if not said:
        return ""
    if ahead_all:
        said.append("So over long training " + " and ".join(ahead_all) + f" get{'s' if len(ahead_all) == 1 else ''} "
                    "more of the world model out of each "
                    "language's games than the naive model does, more than the trial's first games show; how much of "
                    "that is shared games and how much else these shipped runs cannot tell apart (they did not train "
                    "with the trial's one recipe).")
    return ("The shipped models, trained far longer (their schedules differ: see how they trained, above): "
            + " ".join(said))


def _pooling_table(df: pd.DataFrame, names: list[str]) -> tuple[list[str], list[int], dict]:
    """The pooling trial's runs (pooling_by_games rows, named in "model"), one row each: how many languages
    it reads, its colour at every step all runs have, and its worst language's legal moves at the last.
    (lines, those steps, {(name, step): row})."""
    steps, at = _common_steps(df, "model", names)
    games = [at[(names[0], st)].games for st in steps]
    head = ["model", "languages"] + [f"colour after {g:,} games" if k == 0 else f"{g:,}" for k, g in enumerate(games)]
    head.append(f"legal moves after {games[-1]:,}, worst language" if games else "legal moves")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in names:
        x = at[(s, steps[-1])] if steps else None
        lines.append(f"| {s.split(' (')[0]} | {int(x.languages) if x is not None else ''} | "
                     + " | ".join(pct(at[(s, st)].colour) for st in steps) + f" | {pct(x.legal_min) if x else ''} |")
    return lines + [""], steps, at


def _shared_pooling(runs: list[dict], times_of: dict) -> list[str]:
    """For each model of the pooling trial that shares tokens (anchors) or its output (unified) beside a
    naive one reading as many languages of the same kinds: how much better its languages read each other's
    boards (cross-lingual, at the end, each at its best layer) against how much more of their games they
    share (times_of: experiment -> (kind, times))."""
    said = []
    for r in runs:
        exp = _config(r["experiment"])
        base = next((b for b in runs if b is not r and _inputs(b) == _inputs(r) and _types(b) == _types(r)
                     and _naive(b["experiment"])), None)
        if _naive(r["experiment"]) or base is None or not {r["experiment"], base["experiment"]} <= set(times_of):
            continue
        (ka, ta), (kb, tb) = times_of[r["experiment"]], times_of[base["experiment"]]
        ca, cb = _best(r["points"][-1])["cross_lingual"], _best(base["points"][-1])["cross_lingual"]
        if ca is None or cb is None or ka == "<" or kb != "=":  # the base read, the model read or above a bound
            continue
        n = _inputs(r)
        what = " and ".join(([f"{sum(len(g.squares) for g in exp.anchors)} anchor squares"] if exp.anchors else [])
                            + (["a unified output"] if exp.unified_output else []))
        read = (f"read each other's boards {'better' if ca - cb > DEPTH_MARGIN else 'no better'} than "
                f"`{base['experiment']}`'s (cross-lingual {pct(ca)} against {pct(cb)})")
        share = ("hardly more of their games" if ta / tb < n ** 0.25 else "more of their games")
        said.append(f"With {what} `{r['experiment']}`'s {n} languages {read}, and share {share} "
                    f"({'at least ' if ka == '>' else ''}{ta:.1f}x against {tb:.1f}x)"
                    + (": lining the languages' representations up does not by itself make a game in one "
                       "language teach the others." if ca - cb > DEPTH_MARGIN and ta / tb < n ** 0.25 else
                       f": with {what} a game in one language teaches the others." if ta >= n ** 0.75 else "."))
    return said


def pooling_section(numbers: dict) -> str:
    """Do the languages share their games? The pooling trial: a one-language model and multilingual ones
    from scratch with one recipe; each multilingual model's colour read as the games the one-language model
    needs for it, against the games each of its languages saw; and the shipped naive models far beyond. ""
    without the trial."""
    runs = pooling_runs(numbers)
    df = pooling_by_games(numbers)
    if not runs or df.empty:
        return ""
    ref, names = runs[0], [_pooling_name(r) for r in runs]
    refname = f"`{ref['experiment']}`"
    kinds = []
    for r in runs[1:]:
        exp = _config(r["experiment"])
        kinds.append(f"`{r['experiment']}` ({_inputs(r)} {' / '.join(_types(r))} languages"
                     + (", unified output" if exp.unified_output else "")
                     + (f", {sum(len(g.squares) for g in exp.anchors)} anchor squares" if exp.anchors
                        else ", no shared tokens" if not exp.unified_output else "") + ")")
    lines = ["## Do the languages share their games?\n",
             "A multilingual model sees each game in one of its languages. Does what a game teaches it about the "
             "board in one language serve the others (the languages pool their games), or does each language "
             "learn from its own games only? Then a model reading n languages would need n times the games for "
             "the same world model. Here " + ", ".join([f"{refname} (one atomic language: Othello-GPT's setting)"]
                                                      + kinds[:-1])
             + f" and {kinds[-1]} trained from scratch at {_shape(ref)}, " + _recipe(ref)]
    table, steps, at = _pooling_table(df, names)
    lines += ["The colour in-language (mine / theirs on occupied squares) at each model's best layer:\n", *table]
    last = steps[-1] if steps else None
    said, times_of = [], {}
    ref_points = [(x.games, x.colour) for x in df[df["model"] == names[0]].itertuples()]
    bullets = []
    for r, name in zip(runs[1:], names[1:]):
        if last is None:
            break
        n, x = _inputs(r), at[(name, last)]
        each = x.games / n
        kind, g = _games_for(ref_points, x.colour)
        times = g / each
        times_of[r["experiment"]] = (kind, times)
        read = {"=": f"which {refname} reads after about {_about(g)} games",
                "<": f"no better than {refname} after {g:,.0f} games (its colour rises from there)",
                ">": f"better than {refname} after {g:,.0f} games (its last snapshot)"}[kind]
        readings = [f"after {games:,.0f} games {pct(c)}" for games in (each, x.games)
                    if (c := log_interpolate(ref_points, games)) is not None]
        bullets.append(f"- `{r['experiment']}` ({n} languages) after {x.games:,} games, {each:,.0f} in each: colour "
                       f"{pct(x.colour)}, {read}: **" + {"=": "", "<": "at most ", ">": "at least "}[kind]
                       + f"{times:.1f}x** of {n}x, {_pooling_verdict(kind, times, n)}"
                       + (f" ({refname} " + ", ".join(readings) + ")." if readings else "."))
    if bullets:
        lines += [f"Each model after {millions(last * ref['batch_size'])}: its colour read as the games {refname} needs to "
                  "read as well, over the games each of its languages saw. 1x means each language learns the board "
                  "from its own games only; n x (n: how many languages it reads) that every game teaches every "
                  "language.\n",
                  *bullets, ""]
    said += _shared_pooling(runs, times_of)
    mixed = [f"`{r['experiment']}`" for r in runs if _types(r) != ["atomic"]]
    if mixed:
        said.append(" and ".join(mixed) + f" also read{'s' if len(mixed) == 1 else ''} languages that write a move "
                    "with more than one token, a harder task than the one-language model's in more ways than the "
                    "count of games: that reading may understate how far the languages pool.")
    if said:
        lines.append(" ".join(said))
    shipped = _shipped_pooling(numbers, [r["experiment"] for r in runs])
    if shipped:
        lines.append("\n" + shipped)
    return "\n".join(lines) + "\n"


def narrow_runs(numbers: dict) -> list[dict]:
    """Deeper and narrower: the recorded runs from scratch with the depth ladder's model, objective and recipe
    (ladder_runs: its steps, batch and rates) at another width than the ladder's, deepest first; [] without the
    ladder."""
    ladder = ladder_runs(numbers)
    if not ladder:
        return []
    r0 = ladder[0]
    keys = ("experiment", "steps", "batch_size", "lr", "min_lr", "warmup_steps")
    return sorted((r for r in _scratch(numbers) if all(r[k] == r0[k] for k in keys)
                   and run_objective(r) == run_objective(r0) and r["d_model"] != r0["d_model"]),
                  key=lambda r: (-r["n_layer"], r["d_model"]))


def _spec(r: dict) -> str:
    return f"{r['n_layer']}x{r['d_model']}"


def narrow_beside(numbers: dict) -> list[dict]:
    """The depth ladder's runs the deeper-and-narrower runs stand beside, shallowest first: the shapes measured
    beside them (width_trial --speed-beside), else the whole ladder; [] without such runs."""
    narrow = narrow_runs(numbers)
    if not narrow:
        return []
    ladder = ladder_runs(numbers)
    named = {k for r in narrow for k in (r.get("beside") or {})}
    return [r for r in ladder if _spec(r) in named] or ladder


def _speeds_that_compare(runs: list[dict], measured: dict | None) -> tuple[dict, str | None]:
    """Steps per second of the shapes of `runs` that compare, by shape name ("8 x 96"), and where they were measured:
    the run `measured`'s own speed and those measured back to back with it (its record's "beside": width_trial
    --speed-beside); else, when every run trained on one machine in one number format, each run's own measured
    speed; else ({}, None): their speeds do not compare."""
    if measured is not None:
        by_spec = {_spec(r): _shape(r) for r in runs}
        speeds = {_shape(measured): measured["measured"]["steps_per_s"]} | {
            by_spec[k]: v["steps_per_s"] for k, v in measured["beside"].items() if k in by_spec}
        return speeds, f"measured back to back on {_where(measured)[:_where(measured).rfind(',')]}, with nothing else training"
    if len({_setup(r) for r in runs}) == 1:
        return {_shape(r): r["measured"]["steps_per_s"] for r in runs}, "each measured alone on the same machine"
    return {}, None


def narrow_speeds(numbers: dict) -> tuple[dict, str | None]:
    """Steps per second of the deeper-and-narrower trial's shapes that compare, by shape name, and where they were
    measured (_speeds_that_compare: the first narrow run measured beside the ladder's shapes, else each run's own)."""
    narrow, beside = narrow_runs(numbers), narrow_beside(numbers)
    if not narrow:
        return {}, None
    return _speeds_that_compare(narrow + beside, next((r for r in narrow if r.get("beside")), None))


def narrow_by_games(numbers: dict) -> pd.DataFrame:
    """The deeper-and-narrower trial's snapshots (_trial_frame, by "shape"): the ladder's runs beside it
    (narrow_beside), then the narrow runs; "minutes" at the speeds that compare (narrow_speeds; none where they
    do not). Empty without the trial."""
    runs = narrow_beside(numbers) + narrow_runs(numbers)
    df = _trial_frame(runs, _shape, "shape")
    speeds, _ = narrow_speeds(numbers)
    df["minutes"] = [st / speeds[s] / 60 if s in speeds else np.nan for s, st in zip(df["shape"], df["step"])]
    return df


def narrow_section(numbers: dict) -> str:
    """Is it the depth or the size? The depth ladder lifted the colour with each layer, each layer also
    adding parameters and time. A run of the ladder's recipe at more layers of a smaller width, beside the ladder's
    runs: a table by snapshot, their speeds where they compare (narrow_speeds), each narrow run against each
    ladder run after as many games (with what each costs per game) and after as much training time, and a verdict;
    each one's pace over their last doubling of the games (is a narrower run closing in?); a narrower run stopped
    early says what the ladder's lifts did later. "" without the trial."""
    narrow, beside = narrow_runs(numbers), narrow_beside(numbers)
    df = narrow_by_games(numbers)
    if not narrow or df.empty:
        return ""
    r0, names = beside[0], [_shape(r) for r in beside + narrow]
    lines = ["## Is it the depth or the size?\n",
             f"The depth ladder (above) lifted the colour with each added layer at width {r0['d_model']}, and each "
             "layer there also adds parameters and time for every game: is it the depth that lifts the colour, or the "
             f"size that comes with it? Here `{r0['experiment']}` trained from scratch at "
             + " and ".join(f"{_shape(r)} ({r['params'] / 1e6:.1f}M parameters, {r['n_head']} heads)" for r in narrow)
             + f" with the ladder's recipe (`{run_objective(r0)}`, {r0['steps']:,} steps at batch {r0['batch_size']}, "
             f"{_rates(r0)}) on the same stream of fresh games, beside the ladder's "
             + " and ".join(f"{_shape(r)} ({r['params'] / 1e6:.1f}M parameters)" for r in beside)
             + f"; snapshots analysed as the shipped models are (linear probes, relative labels, "
             f"{r0['probe_games']:,} training games per language, at the layer where the in-language colour probe is "
             "best; legal moves on the 500 held-out games). Their weights do not ship; their numbers are in "
             f"`checkpoints/{WIDTH_RUNS}`. Where each trained: "
             + "; ".join(f"{_shape(r)}: {_where(r)}{_stopped(r)}" for r in beside + narrow) + ".\n"]
    table, steps, at = _snapshot_table(df, "shape", names, "games seen", None)
    lines += table
    speeds, where = narrow_speeds(numbers)
    if where:
        lines.append(f"Speed, {where}: " + ", ".join(f"{n} {speeds[n]:.2f} steps/s" for n in names if n in speeds)
                     + ".\n")
    else:
        lines.append("Their speeds do not compare: the runs trained on different machines or number formats (above), "
                     "and no speeds were measured back to back.\n")
    if not steps:
        return "\n".join(lines) + "\n"
    last = steps[-1]
    games = last * r0["batch_size"]
    said = []
    for r in narrow:
        n = _shape(r)
        x = at[(n, last)]
        parts, per_game = [], {}
        for b in beside:
            m = _shape(b)
            per_game[m] = x.colour - at[(m, last)].colour
            ratio = speeds[n] / speeds[m] if n in speeds and m in speeds else None   # m's time per game over n's
            parts.append(f"{pts(per_game[m])} on {m} ({pct(at[(m, last)].colour)}"
                         + (f", which takes {_times(ratio)} per game as {n}" if ratio else "") + ")")
        said.append(f"After {millions(games)} {n} reads the colour at {pct(x.colour)} (layer {x.layer} of "
                    f"{r['n_layer']}; legal moves {pct(x.legal_min)} in its worst language): " + "; ".join(parts) + ".")
        if n not in speeds:
            continue
        minutes = last / speeds[n] / 60   # its training time to here; each ladder run at as much, on its log-time line
        timed = {m: c for b in beside if (m := _shape(b)) in speeds and (c := log_interpolate(
            [(st / speeds[m] / 60, x_.colour) for (k, st), x_ in at.items() if k == m], minutes)) is not None}
        if not timed:
            continue
        per_time = {m: x.colour - c for m, c in timed.items()}
        text = (f"After as much training time as its {millions(games)} take here ({minutes:.0f} min at the speeds "
                "above), " + " and ".join(f"{m} reads it at {pct(c)}" for m, c in timed.items())
                + " (on each run's line between its snapshots, against log time): ")
        if all(d < -DEPTH_MARGIN for d in per_time.values()):
            game_too = all(per_game[m] < -DEPTH_MARGIN for m in timed)
            text += (f"{n} reads the colour worse than {'each' if len(timed) > 1 else 'it'}, "
                     + ("per game and per minute" if game_too else "per minute")
                     + f": at width {r['d_model']} the added layers do not make up for the width.")
        elif all(d > DEPTH_MARGIN for d in per_time.values()):
            fewer = all(r["params"] < b["params"] for b in beside if _shape(b) in timed)
            text += (f"{n} reads the colour better than {'each' if len(timed) > 1 else 'it'}"
                     + (f", with fewer parameters ({r['params'] / 1e6:.1f}M)" if fewer else "")
                     + ": for as much training time, the depth lifts the colour more than the width does.")
        else:
            said_of = [(f"as well as {m} (within {100 * DEPTH_MARGIN:.0f} point)" if abs(d) <= DEPTH_MARGIN
                        else f"{'better' if d > 0 else 'worse'} than {m}") for m, d in per_time.items()]
            text += f"{n} reads the colour " + " and ".join(said_of) + "."
        said.append(text)
    if len(steps) >= 2:   # the pace of each over the last doubling they all have: is a narrower run closing in?
        s0, bs = steps[-2], r0["batch_size"]
        gain = {m: (at[(m, last)].colour - at[(m, s0)].colour) / float(np.log2(last / s0)) for m in names}
        for r in narrow:
            n = _shape(r)
            closing = [m for b in beside if gain[n] - gain[(m := _shape(b))] > DEPTH_MARGIN
                       and at[(n, last)].colour < at[(m, last)].colour]
            said.append(f"Over their last {_doublings(s0 * bs, games)} of the games ({s0 * bs:,} to {games:,}) {n} "
                        f"gained {pts(gain[n])} per doubling, against " + " and ".join(
                            f"{pts(gain[_shape(b)])} for {_shape(b)}" for b in beside)
                        + (f": it is closing in on {' and '.join(closing)}" if closing else "") + ".")
    ends, _ = _common_steps(df, "shape", [_shape(b) for b in beside])   # the steps the ladder's runs all reached
    if any(_stopped(r) for r in narrow) and len(beside) >= 2 and ends and ends[-1] > last:
        a, b = _shape(beside[0]), _shape(beside[-1])
        early, late = (at[(b, st)].colour - at[(a, st)].colour for st in (last, ends[-1]))
        said.append(f"Read early: the narrower run stopped after {millions(games)}, and along the ladder the depth's "
                    f"lift changed with the games ({a} -> {b} {pts(early)} after {millions(games)}, {pts(late)} after "
                    f"{millions(ends[-1] * r0['batch_size'])}): where the narrower run would end, this trial does not "
                    "tell.")
    said += _all_below(df["colour"].max(), games)
    lines.append(" ".join(said))
    return "\n".join(lines) + "\n"


def next_token_depth_runs(numbers: dict) -> list[dict]:
    """Depth under the sampled move: _next_token_group's runs (the width trial's model and recipe, next-token) at
    the width of its narrowest run, at two depths or more, shallowest first; [] otherwise. Beside the depth ladder
    (legal-set at the same batch) they ask whether the objective is what lets the depth count."""
    group = _next_token_group(numbers)
    if not group:
        return []
    width = min(r["d_model"] for r in group)
    found = sorted((r for r in group if r["d_model"] == width), key=lambda r: r["n_layer"])
    return found if len({r["n_layer"] for r in found}) >= 2 else []


def _with_objective(r: dict) -> str:
    """'6 x 192, next-token'."""
    return f"{_shape(r)}, {run_objective(r)}"


def next_token_depth_ladder(numbers: dict) -> list[dict]:
    """The depth ladder's runs (legal-set) at the shallowest and the deepest shape of next_token_depth_runs; []
    unless the ladder has both."""
    runs = next_token_depth_runs(numbers)
    ladder = {(r["n_layer"], r["d_model"]): r for r in ladder_runs(numbers)}
    found = [ladder.get((r["n_layer"], r["d_model"])) for r in runs[:1] + runs[-1:]] if runs else []
    return found if found and all(found) else []


def next_token_depth_exact(numbers: dict) -> list[dict]:
    """The depth under the sampled move's own recipe on the exact target: the runs from scratch of
    next_token_depth_runs' model and recipe with another objective (one objective: the shallow run's) at its
    shallowest and its deepest shape, shallowest first; [] unless both are recorded. With them the trial is two
    depths by two objectives on one recipe, where the depth ladder's schedule is longer."""
    runs = next_token_depth_runs(numbers)
    if not runs:
        return []
    r0 = runs[0]
    others = [r for r in _scratch(numbers) if run_objective(r) != "next-token" and r["experiment"] == r0["experiment"]
              and _recipe_of(r) == _recipe_of(r0)]

    def shape(r: dict) -> tuple:
        return r["n_layer"], r["d_model"]

    shallow = next((r for r in others if shape(r) == shape(r0)), None)
    deep = shallow and next((r for r in others if shape(r) == shape(runs[-1])
                             and run_objective(r) == run_objective(shallow)), None)
    return [shallow, deep] if deep else []


def _ladder_nearest(ladder: list[dict], games: int) -> tuple[int, dict] | None:
    """The depth ladder's runs `ladder` (next_token_depth_ladder) at the snapshot they all have whose games are
    nearest `games` on a log scale: (its step, their snapshots by (shape, step): _trial_frame rows); None without one."""
    names = [_shape(r) for r in ladder]
    common, at = _common_steps(_trial_frame(ladder, _shape, "shape"), "shape", names)
    if not common:
        return None
    return min(common, key=lambda s: abs(np.log(s * ladder[0]["batch_size"] / games))), at


def next_token_depth_by_games(numbers: dict) -> pd.DataFrame:
    """The depth trial under the sampled move (_trial_frame, by "run": "6 x 192, next-token"), then its runs on the
    exact target on the same recipe (next_token_depth_exact), or without them the depth ladder's runs at its
    shallowest and deepest shape up to the ladder snapshot nearest the trial's last games (log scale), with the
    column "objective". Empty without the trial."""
    runs = next_token_depth_runs(numbers)
    if not runs:
        return _trial_frame([], _with_objective, "run").assign(objective=[])
    own = _trial_frame(runs, _with_objective, "run")
    steps, _ = _common_steps(own, "run", [_with_objective(r) for r in runs])
    frames = [own]
    exact = next_token_depth_exact(numbers)
    ladder = [] if exact else next_token_depth_ladder(numbers)
    nearest = _ladder_nearest(ladder, steps[-1] * runs[0]["batch_size"]) if ladder and steps else None
    if exact:
        frames.append(_trial_frame(exact, _with_objective, "run"))
    elif nearest:
        theirs = _trial_frame(ladder, _with_objective, "run")
        frames.append(theirs[theirs["step"] <= nearest[0]])
    df = pd.concat(frames, ignore_index=True)
    return df.assign(objective=[name.rsplit(", ", 1)[1] for name in df["run"]])


def next_token_depth_section(numbers: dict) -> str:
    """Does the objective let the depth count? The width trial's model and recipe (next-token, the suite's batch) at
    more layers of its narrowest width, beside its shallow run, and where recorded both shapes on the exact target
    with the same recipe (next_token_depth_exact): a table by snapshot, speeds where they compare, the deeper run's
    lead after as many games under each objective, beside the depth ladder's lead (legal-set, the same batch, a
    longer schedule) at its snapshot nearest those games and the exact target's own lead on this recipe, and a
    verdict: is it the objective that lets the depth count? "" without such runs."""
    runs = next_token_depth_runs(numbers)
    if not runs:
        return ""
    r0, deep = runs[0], runs[-1]
    exact = next_token_depth_exact(numbers)
    other = run_objective(exact[0]) if exact else None
    names = [_shape(r) for r in runs]
    ladder = next_token_depth_ladder(numbers)
    gpu = depth_no_faster(numbers)
    before = []
    if ladder:
        before.append(f"The depth ladder (above) trained with `{run_objective(ladder[0])}` at batch "
                      f"{ladder[0]['batch_size']} and each added layer lifted the colour there")
    if gpu:
        before.append(f"the depth trials on the GPU trained `{run_objective(gpu[0])}`, as the shipped models do, at "
                      f"batch {gpu[0]['batch_size']:,}, and found deeper models learning it no faster per game")
    name_of = _with_objective if exact else _shape
    lines = ["## Does the objective let the depth count?\n",
             ("; ".join(before) + ". " if before else "")
             + "Does a deeper model learn the colour faster when it trains on the sampled next move? Here "
             f"`{r0['experiment']}` trained from scratch at "
             + " and ".join(f"{_shape(r)} ({r['params'] / 1e6:.1f}M parameters)" for r in runs)
             + " with `next-token`" + (f", and at both again with `{other}`" if exact else "")
             + f", with one recipe on the same stream of fresh games: {r0['steps']:,} steps at batch "
             f"{r0['batch_size']}, {_rates(r0)} (the suite's first stage{_length(r0)}); snapshots analysed as the "
             f"shipped models are (linear probes, relative labels, {r0['probe_games']:,} training games per language, "
             "at the layer where the in-language colour probe is best; legal moves on the 500 held-out games). Their "
             f"weights do not ship; their numbers are in `checkpoints/{WIDTH_RUNS}`. Where each trained: "
             + "; ".join(f"{name_of(r)}: {_where(r)}{_stopped(r)}" for r in runs + exact) + ".\n"]
    own = _trial_frame(runs + exact, name_of, "run")
    keys = [name_of(r) for r in runs + exact]
    sampled = (keys[0], keys[len(runs) - 1])
    pair = (keys[len(runs)], keys[-1]) if exact else None
    if exact:
        table, steps, at = _snapshot_table(own, "run", keys, "games seen", None, leads=[
            (f"colour, {names[-1]} minus {names[0]}, {o}", b, a) for o, (a, b) in (("next-token", sampled), (other, pair))])
    else:
        table, steps, at = _snapshot_table(own, "run", keys, "games seen", f"colour, {names[-1]} minus {names[0]}")
    lines += table
    for group, of in ((runs, "next-token"), (exact, other)):
        if not group:
            continue
        speeds, where = _speeds_that_compare(group, group[-1] if group[-1].get("beside") else None)
        if where:
            ratio = speeds[names[0]] / speeds[names[-1]] if names[0] in speeds and names[-1] in speeds else None
            lines.append(("Speed" if group is runs else f"With `{of}`, speed") + f", {where}: "
                         + ", ".join(f"{n} {speeds[n]:.2f} steps/s" for n in names if n in speeds)
                         + (f": the {names[-1]} model takes {_times(ratio)} for the same games" if ratio else "") + ".\n")
        elif group is runs:
            lines.append("Their speeds do not compare: the runs trained on different machines or number formats "
                         "(above), and no speeds were measured back to back.\n")
    if not steps:
        return "\n".join(lines) + "\n"
    last, bs = steps[-1], r0["batch_size"]
    games = last * bs

    def lead(a: str, b: str, say: str) -> tuple[float, str]:
        """Run b's colour lead over run a's after the last games, said with its lead along the runs."""
        x, y = at[(a, last)], at[(b, last)]
        d = y.colour - x.colour
        along = ", ".join(pts(at[(b, st)].colour - at[(a, st)].colour) for st in steps)
        return d, (say + (f"as the {names[0]} one does ({pts(d)})" if abs(d) <= DEPTH_MARGIN else
                          f"{100 * abs(d):.1f} points {'better' if d > 0 else 'worse'} than the {names[0]} one "
                          f"({pct(y.colour)} against {pct(x.colour)})") + f"; along the runs {along}.")

    d, text = lead(*sampled, f"After {millions(games)} the {names[-1]} model reads the colour ")
    said = [text]
    d_exact = None
    if exact:
        d_exact, text = lead(*pair, f"With `{other}` on the same recipe the {names[-1]} model reads it ")
        said.append(text)
    d_ladder = None
    nearest = _ladder_nearest(ladder, games) if ladder else None
    if nearest:
        s, their_at = nearest
        ends = [_shape(r) for r in ladder]
        la, lb = their_at[(ends[0], s)], their_at[(ends[-1], s)]
        d_ladder = lb.colour - la.colour
        too = " too" if run_objective(ladder[0]) == other else ""
        said.append((f"On its longer schedule (`{run_objective(ladder[0])}`{too}) the depth ladder's {ends[-1]} read it "
                     if exact else f"With `{run_objective(ladder[0])}` the depth ladder's {ends[-1]} read it ")
                    + (f"as its {ends[0]} did ({pts(d_ladder)})" if abs(d_ladder) <= DEPTH_MARGIN else
                       f"{100 * abs(d_ladder):.1f} points {'better' if d_ladder > 0 else 'worse'} than its "
                       f"{ends[0]} ({pct(lb.colour)} against {pct(la.colour)})")
                    + f" after {millions(s * ladder[0]['batch_size'])} (its cosine spans {ladder[0]['steps']:,} "
                    "steps, so its learning rate was still higher there).")
    if exact:
        lifted = [f"{n} to {pct(at[(e, last)].colour)} ({pts(at[(e, last)].colour - at[(x, last)].colour)})"
                  for n, x, e in zip((names[0], names[-1]), sampled, pair)]
        said.append("On this recipe the exact target lifted " + " and ".join(lifted) + " after as many games.")
    else:
        paired = next((p[-1] for p in _objective_pairs(numbers) if p[0] is r0), None)
        e = next((x for x in _trial_frame([paired], _shape, "shape").itertuples() if x.step == last),
                 None) if paired is not None else None
        if e is not None:
            said.append(f"On this same recipe the exact target lifted {names[0]} to {pct(e.colour)} after as many "
                        f"games ({pts(e.colour - at[(sampled[0], last)].colour)}; the objective trial above).")
    deeper = f"the added {'layer' if deep['n_layer'] - r0['n_layer'] == 1 else 'layers'}"
    d_ref = d_exact if exact else d_ladder
    if d > DEPTH_MARGIN:
        under = "under the exact target" + (" on this recipe" if exact else "")
        than = ("" if d_ref is None else f" (about as much as {under}: {pts(d)} against {pts(d_ref)})"
                if abs(d - d_ref) <= DEPTH_MARGIN else
                f" (by {'less' if d < d_ref else 'more'} than {under}: {pts(d)} against {pts(d_ref)})")
        said.append(f"Under the sampled move too, at batch {bs}, {deeper} lift the colour after as many games{than}: "
                    "the objective is not what lets the depth count.")
        if gpu:
            said.append(f"What kept the GPU's deeper models from it lies in the rest of their recipe (batch "
                        f"{gpu[0]['batch_size']:,}: {gpu[0]['batch_size'] // bs}x fewer optimizer steps for as many "
                        "games) or in how far they had trained (read after millions of games, these runs after "
                        f"{millions(games)}): these runs do not separate the two.")
    elif d_ref is not None and d_ref > DEPTH_MARGIN:
        where = "on this recipe" if exact else "at the ladder's batch"
        said.append(f"Under the sampled move, {where}, {deeper} do not lift the colour after as many games, while "
                    "under the exact target they do: the objective, not the batch, is what lets the depth count here.")
    else:
        said.append(f"Under the sampled move {deeper} do not lift the colour after as many games.")
    said += _all_below(own["colour"].max(), games, ": the trial tells how the runs start, not where they end")
    lines.append(" ".join(said))
    return "\n".join(lines) + "\n"
