"""Is it depth? The shipped models grown deeper on a GPU, and a suite model trained deeper from scratch there."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..numbers import DEPTH_RUNS, run_objective
from ..pace import analysed_ends, colour_at_games, colour_ends, model_games
from ..text import millions, pct
from ..verdicts import COLOUR_TARGET, TARGET
from .ladder import ladder_lifted
from .runs import DEPTH_MARGIN, _best, _depth, _depth_alone, grown_pace, ladder_runs
from .tables import _span, _together


SILENT_SHARE = 0.25       # added blocks that write at most this share of what an original block writes are silent


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
