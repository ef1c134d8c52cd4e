"""The findings report (FINDINGS.md): the study's four findings measured on the shipped suite.

collect() reads every number from the shipped checkpoints (their recorded metrics and stored analyses,
which tests/test_shipped.py checks against the weights), verdicts() applies the rules below, fixed
before the models were trained, and render() writes the Markdown. The figures are made by the app's
own chart code (mothello/ui/report.py, `make findings`).

The layer a model is compared at is the one where its OWN in-language colour probe is best (chosen
without looking at cross-lingual numbers). Rules, in points of probe accuracy (linear probe, relative
labels, 1,000 training games):
1. naive is not language-neutral: naive's cross-lingual accuracy is at least 10 points below its
   in-language accuracy.
2. anchors help: anchors' cross-lingual accuracy is at least 5 points above naive's.
3. alignment alone does not transfer: in the transfer experiment on anchors, the languages not
   fine-tuned gain less than a quarter of what the fine-tuned language gains.
4. unified output gives both: unified's cross-lingual accuracy is within 5 points of its in-language
   accuracy, and its other languages gain at least half of what the fine-tuned language gains.
A finding whose models are not (yet) in checkpoints/ is reported as pending, never guessed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from . import storage
from .checkpoints import META, checkpoints_dir, games_at, stage_games, stage_hours, training_stages
from .model import GPT, PRESETS, GPTConfig
from .probes import placer_baseline
from .train import read_metrics
from .transfer import (ANSWERS_SHIFTED, RESTORE_FALL, TABLE, TransferConfig, best_snapshot, per_language_transfer,
                       restored_summary, stored_alignment_over_training, stored_answer_languages,
                       scale_label, stored_restored_parts, transfer_summary, transfer_table, variant_label)

MANY_TITLE = "Ten languages, naive: probe trained on A, reading B"  # the many-language figure's title
MODELS = {"naive": "naive-2", "anchors": "anchors-8", "unified": "unified-mixed", "many": "atomic-10"}
RULES = {"naive_gap": 0.10, "anchor_gain": 0.05, "no_transfer": 0.25, "unified_gap": 0.05, "transfer": 0.5}
FIGURES = "docs/findings"
DEPTH_MARGIN = 0.01       # colour closer than this (a deeper model against the shipped one; layer to layer) is alike
SILENT_SHARE = 0.25       # added blocks that write at most this share of what an original block writes are silent
MIN_PACE_DOUBLINGS = 0.5   # the least span of stage ends (in doublings of the games seen) a pace is read from


def _model_numbers(path: Path) -> dict:
    meta = storage.read_json(path / META)
    m = meta.get("metrics", {})
    al = m.get("alignment", {})
    layer = al.get("best_layer")
    row = al.get("layers", {}).get(str(layer), {})
    training = meta.get("training", {})
    acc = m.get("legal_move_accuracy", {})
    return {
        "name": path.name, "step": meta.get("step"), "steps": training.get("steps"),
        "batch_size": training.get("batch_size"), "preset": training.get("preset"),
        "params": GPT(GPTConfig(**meta["model"])).n_params, "languages": list(acc),
        "legal_move_accuracy": acc, "legal_min": min(acc.values()) if acc else None,
        "layer": layer, "n_layer": meta.get("model", {}).get("n_layer"), "d_model": meta.get("model", {}).get("d_model"),
        **row,
        "embedding_same": m.get("embedding_similarity", {}).get("same_move_cross_lingual"),
        "embedding_different": m.get("embedding_similarity", {}).get("different_move_cross_lingual"),
        "trained": m.get("trained", {}), "train_hours": training_hours(path),
        "over_training": _over_training(path, meta.get("model", {}).get("n_layer")),
        "cross_by_layer": {int(k): v.get("cross_lingual") for k, v in al.get("layers", {}).items()},
        "anchor_squares": len({q for a in meta.get("experiment", {}).get("anchors", []) for q in a["squares"]}),
        "colour_in_language_mlp": _mlp_colour(path, meta, layer),
        "colour_by_move": _colour_by_move(path, meta, layer),
        "previous_stage": _previous_stage(path, m, layer),
        "stage_ends": _stage_ends(path, m, layer),
        "restarts": restart_dips(read_metrics(path), m.get("trained", {}).get("stages") or []),
    }


def restart_dips(rows: list[dict], stages: list[dict]) -> list[dict]:
    """For each later stage (a warm restart of the learning rate): the in-training legal-move accuracy
    (mean over the input languages) at its start, the lowest it fell to inside the stage and where, the
    first evaluation from there on back at the start's level (None: it never came back) and at the stage's end. Stages
    whose start was not evaluated are left out."""
    mean = {r["step"]: float(np.mean(list(r["legal_move_accuracy"].values())))
            for r in rows if r.get("legal_move_accuracy")}
    out = []
    for s in stages[1:]:
        a, b = s.get("from"), s.get("to")
        inside = sorted((k, v) for k, v in mean.items() if b is not None and a is not None and a < k <= b)
        if a not in mean or not inside:
            continue
        low_step, low = min(inside, key=lambda kv: kv[1])
        out.append({"from": a, "to": b, "start": mean[a], "low": low, "low_step": low_step,
                    "back": next((k for k, v in inside if k >= low_step and v >= mean[a]), None), "end": inside[-1][1],
                    "lr": s.get("lr"), "warmup_steps": s.get("warmup_steps"), "carried": bool(s.get("init_optimizer"))})
    return out


def _previous_stage(path: Path, m: dict, layer) -> dict | None:
    """For a model trained in stages: the headline numbers of its model at the end of the stage before
    the last (shipped as a snapshot, with the metrics it was installed with), at `layer`; else None."""
    stages = m.get("trained", {}).get("stages") or []
    if len(stages) < 2 or layer is None:
        return None
    return _stage_end(path, stages[-2].get("to"), layer)


def _stage_ends(path: Path, m: dict, layer) -> dict[int, dict]:
    """{step: headline numbers} of the model at the end of every earlier stage shipped fully analysed."""
    stages = m.get("trained", {}).get("stages") or []
    if layer is None:
        return {}
    found = {s.get("to"): _stage_end(path, s.get("to"), layer) for s in stages[:-1]}
    return {k: v for k, v in found.items() if v is not None}


def _stage_end(path: Path, step, layer) -> dict | None:
    f = path / "snapshots" / f"step-{step:09d}" / META if isinstance(step, int) else None
    try:
        sm = storage.read_json(f).get("metrics", {}) if f is not None and f.is_file() else {}
        row = sm["alignment"]["layers"][str(layer)]
        acc = sm["legal_move_accuracy"]
        return {"step": step, "legal_min": min(acc.values()), **{k: row[k] for k in (
            "in_language", "cross_lingual", "colour_in_language", "colour_cross_lingual")}}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _mlp_colour(path: Path, meta: dict, layer) -> float | None:
    """In-language colour accuracy at `layer` of the study's reference probe (2-layer MLP, 512 hidden),
    when an MLP alignment of these very weights is stored beside the checkpoint; else None."""
    f = path / "analysis" / "alignment-mlp-relative-n1000.json"
    try:
        d = storage.read_json(f) if f.is_file() else None
        if not d or d.get("weights_sha256") != meta.get("weights_sha256") or layer is None:
            return None
        return float(np.diag(np.asarray(d["layers"][str(layer)]["colour_matrix"])).mean())
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _colour_by_move(path: Path, meta: dict, layer) -> dict | None:
    """probes.colour_by_move stored beside the checkpoint for these weights at `layer`, with its languages
    averaged: {"bins", "occupied", "placer", "colour": [per bin]}; else None."""
    f = path / "analysis" / "colour-by-move-linear-relative-n1000.json"
    try:
        d = storage.read_json(f) if f.is_file() else None
        if not d or d.get("weights_sha256") != meta.get("weights_sha256") or d.get("layer") != layer:
            return None
        return {"bins": [tuple(b) for b in d["bins"]], "occupied": d["occupied"], "placer": d["placer"],
                "colour": np.mean(np.asarray(list(d["colour"].values()), dtype=float), axis=0).tolist()}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _over_training(path: Path, layer) -> dict | None:
    """{metric: [(step, value), ...]} of the stored alignment over training (the app's default settings)."""
    from .suite import AOT_GAMES

    df = stored_alignment_over_training(path, layer, AOT_GAMES) if layer is not None else None
    if df is None:
        return None
    return {m: sorted(zip(g.step.astype(int), g.value.astype(float))) for m, g in df.groupby("metric")}


def training_hours(run: Path, until: int | None = None) -> float | None:
    """Hours of training in a run's log (metrics.jsonl), up to step `until` if given: the time between
    consecutive evaluations, where an interval much slower than the median pace (the run was stopped and
    resumed inside it) counts at the median pace instead. A model trained in stages (checkpoint.json)
    is timed stage by stage, each against its own median pace (a stage can run on other hardware or in
    another number format). None without a log."""
    pts_ = sorted((r["step"], pd.Timestamp(r["time"])) for r in read_metrics(run)
                  if "time" in r and (until is None or r["step"] <= until))
    meta_path = Path(run) / META
    stages = training_stages(storage.read_json(meta_path)) if meta_path.is_file() else []
    spans = [(x.get("from") or 0, x.get("to")) for x in stages] or [(0, None)]
    hours = [_log_hours([p for p in pts_ if (k == 0 or a < p[0]) and (b is None or p[0] <= b)], a)
             for k, (a, b) in enumerate(spans)]
    timed = [h for h in hours if h is not None]
    return float(sum(timed)) if timed else None


def _log_hours(pts_: list, start: int) -> float | None:
    """training_hours of one stretch of (step, time) evaluations that begins at step `start`."""
    if len(pts_) < 2:
        return None
    steps = np.diff([s for s, _ in pts_])
    secs = np.array([(b - a).total_seconds() for (_, a), (_, b) in zip(pts_, pts_[1:])])
    ok = steps > 0
    if not ok.any():
        return None
    pace = secs[ok] / steps[ok]
    med = float(np.median(pace))
    secs_used = np.where(pace <= 4 * med, secs[ok], steps[ok] * med)
    first = (pts_[0][0] - start) * med  # steps before the first evaluation, at the median pace
    return float(secs_used.sum() + first) / 3600


def collect(root=None) -> dict:
    """{"models": {role: numbers}, "transfer": {role: summary row}} for what checkpoints/ holds."""
    root = Path(root or checkpoints_dir())
    models, transfer = {}, {}
    for role, name in MODELS.items():
        if (root / name / META).is_file():
            models[role] = _model_numbers(root / name)
        run = root / f"transfer-{name}"
        if (run / TABLE).is_file():
            df = transfer_table(run).assign(run=name, label=name)
            s = transfer_summary(df)
            if not s.empty:
                transfer[role] = s.iloc[0].to_dict()
                per = transfer[role]["per language"] = per_language_transfer(df, transfer[role]["fine-tuned"])
                answers = stored_answer_languages(run)
                if answers is not None:
                    transfer[role]["answers"] = [{**r, "before": per.get(r["language"], (np.nan,))[0]}
                                                 for r in answers.to_dict("records")]
                restored = stored_restored_parts(run)
                if restored is not None:
                    transfer[role]["restored"] = restored_summary(restored, transfer[role]["fine-tuned"])
    numbers = {"models": models, "transfer": transfer, "placer": placer_baseline()}
    optional = {"variants": variant_numbers(root), "longer": longer_numbers(root),
                "sweep": sweep_numbers(root, models), "paper": paper_runs(root), "depth": depth_runs(root),
                "width": width_runs(root)}
    return {**numbers, **{k: v for k, v in optional.items() if v}}


PAPER_RUNS = "paper-preset/runs.json"   # the paper preset's GPU runs, as tables (scripts/gpu_stages.py --record)


def _recorded_runs(root: Path, table: str) -> list[dict]:
    """The runs recorded in checkpoints/TABLE (runs trained elsewhere, shipped as numbers); [] when none."""
    path = Path(root) / table
    return storage.read_json(path).get("runs", []) if path.is_file() else []


def paper_runs(root: Path) -> list[dict]:
    """The recorded runs of the `paper` preset on a GPU (their weights do not ship); [] when none."""
    return _recorded_runs(root, PAPER_RUNS)


DEPTH_RUNS = "depth-trials/runs.json"   # deeper models on a GPU, as tables (scripts/gpu_stages.py --record-depth)


def depth_runs(root: Path) -> list[dict]:
    """The recorded depth trials (suite models grown deeper, or retrained deeper; no weights ship)."""
    return _recorded_runs(root, DEPTH_RUNS)


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


def depth_section(numbers: dict) -> str:
    """Is the colour a matter of depth? The depth trials: shipped models grown deeper by a GPU stage, and a
    suite model trained from scratch at more layers, each beside what the shipped model reached (or, by its
    pace, would reach) after as many games. "" without recorded trials."""
    runs = numbers.get("depth") or []
    if not runs:
        return ""
    shipped = {m["name"]: m for m in numbers["models"].values()}
    grown = [r for r in runs if r["kind"] == "deepen"]
    fresh = [r for r in runs if r["kind"] == "scratch"]
    r0 = runs[0]
    lines = ["## Is it depth?\n",
             "The shipped models read the colour of the discs below the 90% target, and lose it as flips pile up "
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
            per = colour_per_doubling(m) if m else None
            expected = (m["colour_in_language"] + per * float(np.log2(1 + added / model_games(m, r["from_step"])))
                        if per is not None and m.get("step") == r["from_step"] else None)
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
        deeper = width is not None and all(r["d_model"] == width for r in fresh)  # depth alone changed

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
            if ahead and max(ahead) <= DEPTH_MARGIN:
                verdict = (f" Per game seen, {they} learn the colour no faster than the shipped one"
                           + (f": at this width and up to {max(r['n_layer'] for r in fresh)} layers the colour is a "
                              "matter of the games seen, not of depth, and the pace to 90% above stands." if deeper
                              else "."))
            elif ahead:
                verdict = (f" {they[0].upper() + they[1:]} read the colour up to {100 * max(ahead):.1f} points better "
                           "than the shipped one after as many games, against the "
                           f"{100 * (0.9 - max(_best(r)['colour_in_language'] for r in fresh)):.1f} points still "
                           "missing to 90%.")
            lines.append("Colour in-language, beside the shipped model's after as many games (read on the line between "
                         "its stage ends around that many, against log2 games): " + "; ".join(said) + "." + verdict
                         + "\n")
    return "\n".join(lines)


WIDTH_RUNS = "width-trials/runs.json"   # one suite model at several widths on this machine (scripts/width_trial.py)


def width_runs(root: Path) -> list[dict]:
    """The recorded width trials (a suite model from scratch at several shapes, one recipe; no weights ship)."""
    return _recorded_runs(root, WIDTH_RUNS)


def _by_shape(numbers: dict) -> list[dict]:
    """The width trials, narrowest first."""
    return sorted(numbers.get("width") or [], key=lambda r: (r["d_model"], r["n_layer"]))


def _shape(r: dict) -> str:
    return f"{r['n_layer']} x {r['d_model']}"


def width_by_games(numbers: dict) -> pd.DataFrame:
    """The width trials' snapshots, one row each: shape, step, games, minutes of training to get there at
    the run's measured speed, the worst language's legal moves, and the in-language colour and the layer it
    is best at. Empty without width trials."""
    rows = []
    for r in _by_shape(numbers):
        for p in r["points"]:
            b = _best(p)
            rows.append({"shape": _shape(r), "step": p["step"], "games": p["step"] * r["batch_size"],
                         "minutes": p["train_s"] / 60 if p.get("train_s") is not None else np.nan,
                         "legal_min": min(p["legal_move_accuracy"].values()),
                         "colour": b["colour_in_language"], "layer": b["layer"]})
    return pd.DataFrame(rows, columns=["shape", "step", "games", "minutes", "legal_min", "colour", "layer"])


def width_section(numbers: dict) -> str:
    """Is the colour a matter of width? The width trials: one suite model from scratch at several shapes
    with one recipe on the same games, compared after as many games and after as much training time. ""
    without recorded trials."""
    runs = _by_shape(numbers)
    df = width_by_games(numbers)
    if not runs or df.empty:
        return ""
    r0, shapes = runs[0], [_shape(r) for r in runs]
    where = r0["device"] + (f", {r0['threads']} threads" if r0.get("threads") else "")
    kept = {r["d_model"] for r in numbers.get("depth") or []}
    lines = ["## Is it width?\n",
             (f"The depth trials above kept the width at {kept.pop()}. " if len(kept) == 1 else "")
             + f"Here `{r0['experiment']}` trained from scratch at "
             + " and ".join(f"{_shape(r)} ({r['params'] / 1e6:.1f}M parameters)" for r in runs)
             + f", one after the other on this project's own machine ({where}, PyTorch {r0['torch']}), with one "
             f"recipe on the same stream of fresh games: {r0['steps']:,} steps at batch {r0['batch_size']}, peak lr "
             f"{r0['lr']:g}, warm-up {r0['warmup_steps']:,}, cosine to {r0['min_lr']:g}, {r0['dtype']} (the suite's "
             "first stage, cut short). Each run's snapshots are analysed as the shipped models are (linear probes, "
             f"relative labels, {r0['probe_games']:,} training games per language, at the layer where the "
             "in-language colour probe is best; legal moves on the 500 held-out games). Their weights do not ship; "
             f"their numbers are in `checkpoints/{WIDTH_RUNS}`.\n"]
    steps = sorted(set.intersection(*(set(df[df["shape"] == s]["step"]) for s in shapes)))
    pair = len(shapes) >= 2
    head = ["steps", "games seen"] + [c for s in shapes for c in (f"{s}: legal moves, worst language",
                                                                  f"{s}: colour in-language")]
    lines += ["| " + " | ".join(head + (["colour, widest minus narrowest"] if pair else [])) + " |",
              "|" + "---|" * (len(head) + pair)]
    at = {(x.shape, x.step): x for x in df.itertuples()}
    for st in steps:
        cells = [f"{st:,}", f"{st * r0['batch_size']:,}"]
        for s in shapes:
            x = at[(s, st)]
            cells += [pct(x.legal_min), f"{pct(x.colour)} (layer {x.layer})"]
        if pair:
            cells.append(pts(at[(shapes[-1], st)].colour - at[(shapes[0], st)].colour))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    timed = [r for r in runs if r.get("train_s")]
    if timed:
        lines.append("Wall-clock, read from each run's log: " + ", ".join(
            f"{_shape(r)} {r['train_s'] / 60:.0f} min" for r in timed) + ".")
    speeds = [r["measured"]["steps_per_s"] for r in runs]
    lines.append("Speed, each shape measured alone on the same machine after training (its training step with "
                 "the games' generation): " + ", ".join(f"{s} {v:.2f} steps/s" for s, v in zip(shapes, speeds))
                 + (f": the {shapes[-1]} model takes {speeds[0] / speeds[-1]:.1f}x as long for the same games. "
                    if pair else ". ") + "The time axis of the figure and the comparison below are at these speeds.\n")
    if pair and steps:
        a, b, last = shapes[0], shapes[-1], steps[-1]
        d = at[(b, last)].colour - at[(a, last)].colour
        said = [f"After {millions(last * r0['batch_size'])} the {b} model reads the colour "
                + (f"as the {a} one does ({pts(d)})" if abs(d) <= DEPTH_MARGIN else
                   f"{100 * abs(d):.1f} points {'better' if d > 0 else 'worse'} than the {a} one "
                   f"({pct(at[(b, last)].colour)} against {pct(at[(a, last)].colour)})") + "."]
        if len(steps) >= 2 and d > DEPTH_MARGIN and steps[-1] > steps[-2]:
            prev = steps[-2]
            per = (at[(a, last)].colour - at[(a, prev)].colour) / float(np.log2(last / prev))
            if per > 0:
                said.append(f"At the {a} run's own pace over its last snapshots ({100 * per:.1f} points per doubling of "
                            f"the games, {prev * r0['batch_size']:,} to {last * r0['batch_size']:,}), that lead is "
                            f"worth {2 ** (d / per):.1f}x the games, for {speeds[0] / speeds[-1]:.1f}x the time per "
                            "game.")
        ta = at[(a, last)].minutes
        wide = df[(df["shape"] == b) & df["minutes"].notna()]
        cb = log_interpolate(list(zip(wide["minutes"], wide["colour"])), ta) if np.isfinite(ta) else None
        if cb is not None:
            dt = cb - at[(a, last)].colour
            said.append(f"After as much training as the whole {a} run takes ({ta:.0f} min), the {b} model reads "
                        + (f"the colour as well ({pts(dt)}" if abs(dt) <= DEPTH_MARGIN else
                           f"the colour {100 * abs(dt):.1f} points {'better' if dt > 0 else 'worse'} ({pct(cb)}")
                        + ", read between its snapshots around that time against log time).")
        if df["colour"].max() < 0.9:
            said.append(f"All are below the 90% target after {millions(last * r0['batch_size'])}: the trial tells how "
                        "the shapes start, not where they end.")
        lines.append(" ".join(said))
    return "\n".join(lines) + "\n"


def colour_by_games(numbers: dict) -> pd.DataFrame:
    """The in-language colour probe against the games seen, one row per point: every shipped model at its
    analysed stage ends (run "shipped, N layers"), and every depth trial at its end ("grown to N layers",
    "from scratch, N layers"). Columns: model, run, layers, games, colour. Empty without depth trials."""
    runs = numbers.get("depth") or []
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


def on_gpu(stage: dict) -> bool:
    """Whether a training stage ran on a GPU (its recorded device)."""
    return str(stage.get("device") or "").startswith("cuda")


def gpu_stages(numbers: dict) -> list[tuple[str, dict]]:
    """(model name, stage) of every suite model's stage that ran on a GPU."""
    return [(m["name"], x) for m in numbers["models"].values() for x in (m.get("trained") or {}).get("stages") or []
            if on_gpu(x)]


def _games_per_s(stage: dict) -> float | None:
    from .suite import SUITE_TRAINING

    h = stage_hours(stage)
    return stage_games(stage, SUITE_TRAINING["batch_size"]) / (h * 3600) if h else None


def paper_section(numbers: dict) -> str:
    """The `paper` preset on a lent GPU: its runs (settings, speed, legal moves, probes where measured),
    beside the shipped `small` model of the same experiment. "" without recorded runs."""
    runs = numbers.get("paper") or []
    if not runs:
        return ""
    from .languages import Vocabulary, load_config
    from .suite import CONFIGS

    r0 = runs[0]
    vocab = Vocabulary.build(load_config(CONFIGS / f"{r0['experiment']}.toml"))
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
                                          ["colour_in_language"] < 0.9)]
        if below:
            notes.append("So this run does not settle whether the 90% colour target is a matter of model size: "
                         "it is below it too, after far fewer games than the shipped model has seen.")
    if len(runs) > 1 and runs[0]["compiled"] != runs[1]["compiled"]:
        c = next(r for r in runs if r["compiled"])
        notes.append(f"torch.compile compiled this model and trained with it on the GPU (about {c['measured']['warmup_s']:.0f} s "
                     "to compile); the runs shared the GPU differently, so their speeds do not compare compiled against eager.")
    return "\n".join(lines) + "\n" + " ".join(notes) + "\n"


def variant_numbers(root: Path) -> dict:
    """{folder name: numbers} for every shipped transfer run that is a fine-tuning variant (its settings
    depart from the study's protocol, transfer.variant_label) and whose plain run ships beside it."""
    out = {}
    for run in sorted(root.glob("transfer-*")):
        tc_path = run / "transfer.json"
        if not (run / TABLE).is_file() or not tc_path.is_file():
            continue
        tc = TransferConfig.from_dict(storage.read_json(tc_path))
        label = variant_label(tc)
        df = transfer_table(run)
        base = root / f"transfer-{df['experiment'].iloc[0]}"
        if label is None or not (base / TABLE).is_file():
            continue
        s = transfer_summary(df.assign(run=run.name, label=run.name)).iloc[0].to_dict()
        restored = stored_restored_parts(run)
        out[run.name] = {**s, "variant": label, "minutes": _run_minutes(run), "base": base.name,
                         "frozen": list(tc.freeze or []), "per language": per_language_transfer(df, s["fine-tuned"]),
                         "restored": restored_summary(restored, s["fine-tuned"]) if restored is not None else []}
    return out


def _run_minutes(run: Path) -> float | None:
    """Wall-clock minutes from a run's start to its finish (status.json), or None."""
    st = storage.read_json(run / "status.json") if (run / "status.json").is_file() else {}
    try:
        return (datetime.fromisoformat(st["finished"]) - datetime.fromisoformat(st["started"])).total_seconds() / 60
    except (KeyError, TypeError, ValueError):
        return None


def longer_numbers(root: Path) -> dict:
    """{folder name: numbers} for every shipped transfer run that follows the study's protocol (no
    variant_label) but pretrained for another number of steps than its plain run, which ships beside it
    (transfer.scale_label)."""
    out = {}
    for run in sorted(root.glob("transfer-*")):
        if not (run / TABLE).is_file() or not (run / "transfer.json").is_file():
            continue
        tc = TransferConfig.from_dict(storage.read_json(run / "transfer.json"))
        df = transfer_table(run)
        base = root / f"transfer-{df['experiment'].iloc[0]}"
        if variant_label(tc) is not None or base == run or not (base / TABLE).is_file():
            continue
        base_tc = TransferConfig.from_dict(storage.read_json(base / "transfer.json"))
        label = scale_label(tc, base_tc)
        if label is None:
            continue
        s = transfer_summary(df.assign(run=run.name, label=run.name)).iloc[0].to_dict()
        out[run.name] = {**s, "scale": label, "base": base.name, "pretrain_steps": tc.pretrain_steps,
                         "base_pretrain_steps": base_tc.pretrain_steps, "dtype": tc.dtype,
                         "minutes": _run_minutes(run), "per language": per_language_transfer(df, s["fine-tuned"]),
                         "best": best_snapshot(df, s["fine-tuned"]),
                         "base best": best_snapshot(transfer_table(base), s["fine-tuned"])}
    return out


def _beside_plain(numbers: dict, key: str):
    """(folder name, numbers, its plain run's numbers) for each side run in numbers[key] ('variants' or
    'longer') whose plain transfer run is measured too."""
    by_run = {t["run"]: t for t in numbers["transfer"].values()}
    for name, v in numbers.get(key, {}).items():
        base = by_run.get(v["base"].removeprefix("transfer-"))
        if base is not None:
            yield name, v, base


def longer_rows(numbers: dict) -> pd.DataFrame:
    """One row per language: before -> after fine-tuning at the plain run's pretraining length and at each
    longer run's (one column per length; a `run` column when longer runs stand beside several plain runs)."""
    rows, bases, steps = {}, set(), set()
    for name, v, base in _beside_plain(numbers, "longer"):
        ft = v["fine-tuned"]
        langs = {ft: ((base["fine-tuned before"], base["fine-tuned after"]),
                      (v["fine-tuned before"], v["fine-tuned after"]))}
        for lang, ends in v["per language"].items():
            langs[lang] = (base["per language"].get(lang, (np.nan, np.nan)), ends)
        for lang, ((a0, a1), (b0, b1)) in langs.items():
            row = rows.setdefault((base["run"], lang), {"run": base["run"],
                                                        "language": lang + (" (fine-tuned)" if lang == ft else "")})
            for n, x0, x1 in ((v["base_pretrain_steps"], a0, a1), (v["pretrain_steps"], b0, b1)):
                row[f"pretrained {n:,} steps"] = f"{pct(x0)} -> {pct(x1)} ({pts(x1 - x0)})"
                steps.add(n)
        bases.add(base["run"])
    df = pd.DataFrame(list(rows.values()))
    if df.empty:
        return df
    return df[(["run"] if len(bases) > 1 else []) + ["language"] + [f"pretrained {n:,} steps" for n in sorted(steps)]]


def longer_notes(numbers: dict) -> list[str]:
    """One line per longer-pretraining run: its transfer ratio beside its plain run's, against the rule."""
    lines = []
    for name, v, base in _beside_plain(numbers, "longer"):
        r = v["transfer ratio"]
        meets = np.isfinite(r) and r >= RULES["transfer"]
        lines.append(f"- `{name}`: the others' mean goes {pct(v['others before'])} -> {pct(v['others after'])} "
                     f"({pts(v['others gain'])}; at {v['base_pretrain_steps']:,} steps {pts(base['others gain'])}), "
                     f"transfer ratio {_ratio(r)} (at {v['base_pretrain_steps']:,} steps {_ratio(base['transfer ratio'])}; "
                     f"rule: at least {RULES['transfer']}): " + ("the transfer half of finding 4 holds at this "
                     "pretraining length." if meets else "the transfer half of finding 4 still does not hold.")
                     + _best_note(v.get("best"), v.get("base best"), v["base_pretrain_steps"], v["others gain"],
                                  v["fine-tuning steps"]))
    return lines


def own_ratio(t: dict, lang: str) -> float:
    """A language not fine-tuned: its gain over the fine-tuned language's gain in transfer numbers `t`
    (nan when that language is missing, or the fine-tuned one gained no more than half a point)."""
    gain = t["fine-tuned after"] - t["fine-tuned before"]
    b0, b1 = t["per language"].get(lang, (np.nan, np.nan))
    return (b1 - b0) / gain if gain > 0.005 else np.nan


def longer_trend(numbers: dict) -> list[str]:
    """One line per plain run with longer pretrainings beside it: the transfer ratio and, per language not
    fine-tuned, its own ratio (its gain over the fine-tuned language's) at every pretraining length, and
    which languages follow the fine-tuned one (own ratio at least the rule's) at every length, at some, at none."""
    runs: dict[str, tuple[dict, dict[int, dict]]] = {}
    for _, v, base in _beside_plain(numbers, "longer"):
        _, by_steps = runs.setdefault(base["run"], (base, {v["base_pretrain_steps"]: base}))
        by_steps[v["pretrain_steps"]] = v
    lines = []
    for base, by_steps in runs.values():
        if len(by_steps) < 3:  # the plain run and one longer one: the table and the run's line say it all
            continue
        steps = sorted(by_steps)
        ft = base["fine-tuned"]
        own = {lang: [own_ratio(by_steps[n], lang) for n in steps] for lang in base["per language"]}
        follows = {lang: sum(np.isfinite(r) and r >= RULES["transfer"] for r in rs) for lang, rs in own.items()}
        groups = {"at every length": [l for l, k in follows.items() if k == len(steps)],
                  "at some lengths": [l for l, k in follows.items() if 0 < k < len(steps)],
                  "at none": [l for l, k in follows.items() if k == 0]}
        held = [n for n in steps if np.isfinite(by_steps[n]["transfer ratio"])
                and by_steps[n]["transfer ratio"] >= RULES["transfer"]]
        slash = " / ".join
        lines.append(
            f"Across pretraining lengths {slash(f'{n:,}' for n in steps)} steps, the transfer ratio is "
            f"{slash(_ratio(by_steps[n]['transfer ratio']) for n in steps)}; each language not fine-tuned, its "
            f"own gain over {ft}'s: "
            + "; ".join(f"{lang} {slash(_ratio(r) for r in rs)}" for lang, rs in own.items()) + ". "
            + ("More pretraining does not bring the transfer half of finding 4 at these lengths. " if not held else
               f"The transfer half of finding 4 holds at {slash(f'{n:,}' for n in held)} steps. ")
            + f"Following {ft} (own ratio at least {RULES['transfer']}): "
            + "; ".join(f"{', '.join(ls)} {when}" for when, ls in groups.items() if ls) + ".")
    return lines


def _best_note(best: dict | None, base_best: dict | None, base_steps: int, end_gain: float, last: int) -> str:
    """Where along fine-tuning the others stood highest (transfer.best_snapshot), when that was a rise
    that the end of fine-tuning (step `last`, the others' gain `end_gain`) gave back."""
    if not best or not base_best or best["step"] >= last or best["others gain"] - end_gain < 0.01:
        return ""
    return (f" Along fine-tuning the others stood highest at step {best['step']:,}: {pts(best['others gain'])} "
            f"while the fine-tuned language had gained {pts(best['fine-tuned gain'])} (ratio "
            f"{_ratio(best['transfer ratio'])}; at {base_steps:,} steps: step {base_best['step']:,}, "
            f"{pts(base_best['others gain'])}, ratio {_ratio(base_best['transfer ratio'])}): what transfer there is "
            "comes early, and further fine-tuning takes it back.") if best["others gain"] > 0.005 else ""


def variant_rows(numbers: dict) -> pd.DataFrame:
    """Per variant and language: pretrained, fine-tuned as in the study, fine-tuned in the variant."""
    rows = []
    for name, v, base in _beside_plain(numbers, "variants"):
        ft = v["fine-tuned"]
        langs = {ft: (v["fine-tuned before"], v["fine-tuned after"], base["fine-tuned after"])}
        for lang, (b0, b1) in v["per language"].items():
            langs[lang] = (b0, b1, base["per language"].get(lang, (np.nan, np.nan))[1])
        for lang, (before, after, study) in langs.items():
            rows.append({"variant": v["variant"], "language": lang + (" (fine-tuned)" if lang == ft else ""),
                         "pretrained": pct(before), "fine-tuned (study's protocol)": pct(study),
                         "fine-tuned, variant": pct(after)})
    return pd.DataFrame(rows)


def variant_notes(numbers: dict) -> list[str]:
    """One line per variant: its transfer ratio beside its plain run's."""
    lines = []
    for name, v, base in _beside_plain(numbers, "variants"):
        lines.append(f"- `{name}`: fine-tuned on {v['fine-tuned']} with {v['variant']}, from `{v['base']}`'s "
                     f"pretrained model and with its settings otherwise. The others' mean goes "
                     f"{pct(v['others before'])} -> {pct(v['others after'])} (study's protocol: "
                     f"{pct(base['others after'])}), {v['fine-tuned']} {pct(v['fine-tuned before'])} -> "
                     f"{pct(v['fine-tuned after'])} (study's protocol: {pct(base['fine-tuned after'])}); transfer "
                     f"ratio {_ratio(v['transfer ratio'])} (study's protocol: {_ratio(base['transfer ratio'])}).")
        restored = {r["language"]: r for r in base.get("restored") or []}
        moved = {r["language"]: r for r in v.get("restored") or []}
        for lang, (b0, b1) in base["per language"].items():
            if b0 - b1 < RESTORE_FALL or lang not in v["per language"]:
                continue
            after = v["per language"][lang][1]
            saved = (after - b1) / (b0 - b1)
            line = (f"- {lang}: the study's fine-tuning costs it {pts(b0 - b1).lstrip('+')}; with {v['variant']} "
                    f"it loses {pts(b0 - after).lstrip('+')}, so freezing saves {saved:.0%} of that loss")
            r = restored.get(lang)
            if r is not None and r["part"] in v["frozen"]:
                line += f" (putting {r['part']} back after the study's fine-tuning brought back {r['recovered']:.0%})"
            m = moved.get(lang)
            if saved < 2 / 3 and m is not None and m["part"] not in v["frozen"]:
                line += (f". Held fixed, fine-tuning finds another route: in the variant, the part that brings "
                         f"{lang} back furthest is {m['part']} (to {pct(m['with part'])}, {m['recovered']:.0%} of its "
                         "remaining loss)")
            lines.append(line + ".")
    return lines


def sweep_numbers(root: Path, models: dict) -> dict | None:
    """The anchor sweep (mothello.sweep) at the layer finding 2 is judged at (anchors-8's named layer):
    {"layer", "step", "schedule_steps", "n_train", "rows": at_layer's records}, or None without a sweep."""
    from . import sweep

    loaded = sweep.load(root)
    if loaded is None:
        return None
    table, info = loaded
    layers = sorted(x for x in set(table["layer"]) if x >= 0)
    named = models.get("anchors", {}).get("layer")
    layer = named if named in layers else layers[-1]
    wide = sweep.at_layer(table, layer)
    colour = sweep.at_layer(table, layer, colour=True)
    wide = wide.assign(**{"colour cross-lingual": colour["cross-lingual"].to_numpy(),
                          "colour in-language": colour["in-language"].to_numpy()})
    hours = {p["anchors"]: p["train_hours"] for p in info.get("points", [])
             if not p.get("shipped") and p.get("train_hours")}
    return {"layer": layer, "step": info.get("step"), "schedule_steps": info.get("schedule_steps"),
            "n_train": info.get("n_train"), "rows": wide.to_dict("records"), "train_hours": hours}


def sweep_rows(sw: dict) -> pd.DataFrame:
    return pd.DataFrame([{
        "anchor squares": int(r["anchors"]), "legal moves": pct(r["legal moves"]),
        "in-language": pct(r["in-language"]), "cross-lingual": pct(r["cross-lingual"]),
        "after rotation": pct(r["after rotation"]),
        "colour in / cross": f"{pct(r['colour in-language'])} / {pct(r['colour cross-lingual'])}",
        "majority / random model": f"{pct(r['majority guess'])} / {pct(r['random-model probe'])}"}
        for r in sw["rows"]])


def sweep_note(sw: dict) -> str:
    """What the sweep shows, read off its numbers: the cross-lingual accuracy at each anchor count and
    whether it rises with every step up."""
    from . import sweep

    rows = sorted(sw["rows"], key=lambda r: r["anchors"])
    cross = [r["cross-lingual"] for r in rows]
    each = ", ".join(f"{int(r['anchors'])}: {pct(r['cross-lingual'])}" for r in rows)
    rises = all(b > a for a, b in zip(cross, cross[1:]))
    falls = [f"{int(a['anchors'])} -> {int(b['anchors'])}" for a, b in zip(rows, rows[1:])
             if b["cross-lingual"] <= a["cross-lingual"]]
    ins = [r["in-language"] for r in rows]
    own = (f"In-language accuracy varies by only {100 * (max(ins) - min(ins)):.1f} points across the sweep: what the "
           "anchors change is how the two languages' representations line up, not how well each reads the board."
           if max(ins) - min(ins) < 0.02 else f"In-language accuracy ranges from {pct(min(ins))} to {pct(max(ins))}.")
    shape = ("rises with every step up in anchors" if rises else
             f"does not rise at every step (no gain from {', '.join(falls)})")
    return (f"**Anchor sweep ({len(rows)} models).** Two-language models that differ only in how many squares' "
            f"tokens the languages share (nested sets, the same games, seed and schedule), compared "
            f"{sweep.when(sw)} at layer {sw['layer']}; probes on {sw['n_train']:,} games per language. "
            f"Cross-lingual probe accuracy by anchor squares: {each}; it {shape}. " + own)


def verdicts(numbers: dict) -> dict[int, tuple[str, str]]:
    """{finding: (status, reason)}; status is 'holds', 'does not hold' or 'pending'."""
    M, T, R = numbers["models"], numbers["transfer"], RULES
    out = {}
    n = M.get("naive")
    if n:
        gap = n["in_language"] - n["cross_lingual"]
        out[1] = ("holds" if gap >= R["naive_gap"] else "does not hold",
                  f"in-language {pct(n['in_language'])} vs cross-lingual {pct(n['cross_lingual'])}: "
                  f"a gap of {pts(gap)} (rule: at least {pts(R['naive_gap'])})")
    else:
        out[1] = ("pending", "naive-2 is not in checkpoints/ yet")
    a = M.get("anchors")
    if n and a:
        gain = a["cross_lingual"] - n["cross_lingual"]
        out[2] = ("holds" if gain >= R["anchor_gain"] else "does not hold",
                  f"cross-lingual {pct(a['cross_lingual'])} with anchors vs {pct(n['cross_lingual'])} without: "
                  f"{pts(gain)} (rule: at least {pts(R['anchor_gain'])})")
    else:
        out[2] = ("pending", "needs naive-2 and anchors-8 in checkpoints/")
    ta = T.get("anchors")
    if ta:
        ratio = ta["transfer ratio"]
        out[3] = ("holds" if np.isfinite(ratio) and ratio < R["no_transfer"] else "does not hold",
                  f"fine-tuned language {pts(ta['fine-tuned gain'])}, the others {pts(ta['others gain'])} "
                  f"(transfer ratio {ratio:.2f}; rule: below {R['no_transfer']})")
    else:
        out[3] = ("pending", "needs the transfer run on anchors-8 (checkpoints/transfer-anchors-8)")
    u, tu = M.get("unified"), T.get("unified")
    if u and tu:
        gap = u["in_language"] - u["cross_lingual"]
        ratio = tu["transfer ratio"]
        ok = gap <= R["unified_gap"] and np.isfinite(ratio) and ratio >= R["transfer"]
        out[4] = ("holds" if ok else "does not hold",
                  f"cross-lingual {pct(u['cross_lingual'])} vs in-language {pct(u['in_language'])} "
                  f"(gap {pts(gap)}, rule: at most {pts(R['unified_gap'])}); transfer ratio {ratio:.2f} "
                  f"(rule: at least {R['transfer']})")
    elif u:
        gap = u["in_language"] - u["cross_lingual"]
        out[4] = ("pending", f"the alignment half is measured: cross-lingual {pct(u['cross_lingual'])} vs in-language "
                             f"{pct(u['in_language'])} (gap {pts(gap)}, rule: at most {pts(R['unified_gap'])}: "
                             f"{'met' if gap <= R['unified_gap'] else 'not met'}); the transfer half needs "
                             "checkpoints/transfer-unified-mixed")
    else:
        out[4] = ("pending", "needs unified-mixed and its transfer run in checkpoints/")
    return out


def _ratio(r: float) -> str:
    return f"{r:.2f}" if np.isfinite(r) else "n/a"


def pct(x) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{100 * x:.1f}%"


def pts(x) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{100 * x:+.1f} points"


def models_table(numbers: dict) -> pd.DataFrame:
    rows = []
    for role, m in numbers["models"].items():
        rows.append({
            "model": m["name"], "steps": f"{m['step']:,} / {m['steps']:,}" if m.get("steps") else f"{m['step']:,}",
            "games seen": f"{model_games(m, m['step']) / 1e6:.1f}M",
            "legal moves (worst language)": pct(m["legal_min"]),
            "layer": f"{m['layer']} of {m['n_layer']}" if m.get("layer") is not None else "n/a",
            "in-language": pct(m.get("in_language")), "cross-lingual": pct(m.get("cross_lingual")),
            "after rotation": pct(m.get("aligned_rotation")),
            "colour in / cross": f"{pct(m.get('colour_in_language'))} / {pct(m.get('colour_cross_lingual'))}",
            "majority / random model": f"{pct(m.get('baseline_majority'))} / {pct(m.get('baseline_random_model'))}",
        })
    return pd.DataFrame(rows)


def transfer_rows(numbers: dict) -> pd.DataFrame:
    rows = []
    for role, t in numbers["transfer"].items():
        rows.append({"run": t["run"], "fine-tuned": t["fine-tuned"],
                     "fine-tuned before -> after": f"{pct(t['fine-tuned before'])} -> {pct(t['fine-tuned after'])}",
                     "others before -> after": f"{pct(t['others before'])} -> {pct(t['others after'])}",
                     "each other language (points)": " · ".join(f"{lang} {100 * (b1 - b0):+.1f}"
                                                       for lang, (b0, b1) in t.get("per language", {}).items()),
                     "transfer ratio": _ratio(t["transfer ratio"])})
    return pd.DataFrame(rows)


def markdown_table(df: pd.DataFrame) -> str:
    if df.empty:
        return "_(none yet)_"
    head = "| " + " | ".join(df.columns) + " |\n|" + "---|" * len(df.columns) + "\n"
    return head + "".join("| " + " | ".join(str(v) for v in row) + " |\n" for row in df.itertuples(index=False))


CLAIMS = {
    1: ("Naive multilingual pretraining does not learn a language-neutral representation.",
        "naive", "A probe trained on one language's hidden states reads the board far worse from the other "
        "language's hidden states of the same games."),
    2: ("Anchor tokens help cross-lingual representation alignment.",
        "anchors", "Sharing the tokens of a few squares raises the cross-lingual probe accuracy."),
    3: ("Alignment alone is not enough for cross-lingual transfer.",
        "anchors", "Fine-tuning one language of the anchored model does not lift the other languages."),
    4: ("A unified output space gives both alignment and transfer, also with more than two languages.",
        "unified", "With one shared output vocabulary the languages' representations align and fine-tuning "
        "one language lifts the others."),
}


def render(numbers: dict, figures: dict[str, str] | None = None, notes: dict[int, str] | None = None,
           preamble: str = "", appendix: str = "") -> str:
    """FINDINGS.md. figures {key: relative path} (keys: matrices, many, layers, sweep, transfer, training-NAME);
    notes {finding: extra paragraph}; preamble/appendix: hand-written text around the measured parts."""
    figures, notes = figures or {}, notes or {}
    v = verdicts(numbers)
    status = ", ".join(f"finding {k} {s}" for k, (s, _) in v.items())
    out = ["# Findings: the mOthello study on our shipped models\n",
           "We trained the study's models with our own code on a laptop-class CPU"
           + (" (their last stages on a GPU lent for one session)" if gpu_stages(numbers) else "")
           + " and measured its four findings "
           "with the app's probes and metrics. Every number below is read from the shipped checkpoints, whose "
           f"recorded metrics a test recomputes from the weights. Status: {status}.\n"]
    if preamble:
        out.append(preamble.strip() + "\n")
    out.append("## The shipped models\n")
    out.append(markdown_table(models_table(numbers)))
    out.append("\nProbe numbers: linear probe, relative labels (empty / mine / theirs), 1,000 training games, 200 "
               "test games, at the layer where the model's own in-language colour probe is best. *Cross-lingual* "
               "is the mean over ordered language pairs of a probe trained on A reading the same games in B; "
               "*after rotation* maps B's hidden states onto A's with an orthogonal Procrustes fitted on 300 "
               "other games first. *Colour* is the accuracy on occupied squares only (is it mine or theirs): "
               "occupancy alone is easy. Baselines: the per-square majority guess and the same probe on a randomly "
               "initialised model" + (
                   "; and for colour, the board read off the move list with every disc the colour of whoever placed "
                   "it, no flip tracked (`probes.placer_baseline`, the same test positions): "
                   f"{pct(p['colour'])} on occupied squares ({pct(p['accuracy'])} over all squares). A colour probe "
                   "above it shows a model that tracks flips" if (p := numbers.get("placer")) else "") + ".\n")
    order = ordering(numbers)
    if order:
        out.append(order + "\n")
    for k, (claim, role, meaning) in CLAIMS.items():
        s, reason = v[k]
        out.append(f"## Finding {k}: {claim}\n")
        out.append(f"*What it means here:* {meaning}\n")
        out.append(f"**Our result: {s}.** {reason[:1].upper() + reason[1:]}.\n")
        auto = measured_notes(numbers).get(k)
        if auto:
            out.append(auto + "\n")
        if k in notes:
            out.append(notes[k].strip() + "\n")
        keys = {1: ["matrices", "many"], 2: ["layers"]}.get(k, [])
        if k == 1 and "anchors" not in numbers["models"]:
            keys.append("layers")  # with naive alone, its by-layer curve belongs to finding 1
        for key in keys:
            if key in figures and (key != "layers" or k == 1 or "anchors" in numbers["models"]):
                alt = MANY_TITLE if key == "many" else claim
                out.append(f"![{alt}]({figures[key]})\n")
        if k == 2 and numbers.get("sweep"):
            out.append(sweep_note(numbers["sweep"]) + "\n")
            out.append(markdown_table(sweep_rows(numbers["sweep"])))
            if "sweep" in figures:
                out.append(f"\n![Anchor sweep: probe accuracy against anchor squares]({figures['sweep']})\n")
        if k in (3, 4) and numbers["transfer"]:
            more = (" It also says where in the weights a fallen language's loss sits, and what fine-tuning with that "
                    "part frozen does (a variant, not the study's protocol)." if k == 4 and numbers.get("variants")
                    else "")
            if k == 4 and numbers.get("longer"):
                more += " With a longer pretraining (the same protocol at a larger scale): " + "; ".join(
                    f"{v['scale']}, transfer ratio {_ratio(v['transfer ratio'])}" for v in numbers["longer"].values()) + "."
            out.append(f"The transfer curves are in the section *Transfer experiment* below.{more}\n")
    if numbers["transfer"]:
        out.append("## Transfer experiment\n")
        out.append("Pretrained on games that open c4, c3, c2 in every language, then fine-tuned on one language "
                   "with games from the full distribution; legal-move accuracy of every language on "
                   "full-distribution games before and after fine-tuning.\n")
        out.append(markdown_table(transfer_rows(numbers)))
        if "transfer" in figures:
            out.append(f"\n![Transfer curves]({figures['transfer']})\n")
        answers = answer_notes(numbers)
        if answers:
            out.append("**Which language the fine-tuned model answers in.** For each language not fine-tuned, on the "
                       "run's evaluation games: the share of the final model's greedy next tokens that belong to the "
                       "fine-tuned language, and its legal-move accuracy when the greedy choice is limited to the "
                       "language's own tokens (a diagnostic, not the metric above).\n")
            out.append("\n".join(answers) + "\n")
        restored = restore_notes(numbers)
        if restored:
            out.append("**Where in the weights a language's loss sits.** The final fine-tuned model with ONE part of "
                       "its weights put back to the pretrained model's (the embeddings, each block's attention or "
                       "MLP, the output layer), every language measured again on the run's evaluation games; for "
                       f"each language not fine-tuned that fell by {RESTORE_FALL * 100:.0f} points or more, the part "
                       "that brings it back furthest (the Transfer page draws every part):\n")
            out.append("\n".join(restored) + "\n")
        vrows = variant_rows(numbers)
        if len(vrows):
            out.append("**A fine-tuning variant, NOT the study's protocol.** The same fine-tuning from the same "
                       "pretrained model, with the named part of the weights kept at its pretrained values: does "
                       "keeping the part that carries a language's loss keep the language? Legal-move accuracy "
                       "on the same evaluation games:\n")
            one = vrows["variant"].nunique() == 1  # then the column says which variant
            out.append(markdown_table(vrows.drop(columns="variant").rename(
                columns={"fine-tuned, variant": f"fine-tuned, {vrows['variant'].iloc[0]}"}) if one else vrows))
            out.append("\n" + "\n".join(variant_notes(numbers)) + "\n")
            if "variant" in figures:
                out.append(f"![The study's fine-tuning and the variant, overlaid]({figures['variant']})\n")
        lrows = longer_rows(numbers)
        if len(lrows):
            out.append("**The same protocol, pretrained longer.** Is the outcome a matter of scale? The plain run "
                       "again with more pretraining steps on the same restricted opening (and fine-tuning as "
                       "before); legal-move accuracy before -> after fine-tuning, on the same evaluation games:\n")
            out.append(markdown_table(lrows))
            out.append("\n" + "\n".join(longer_notes(numbers)) + "\n")
            out += [line + "\n" for line in longer_trend(numbers)]
            if "longer" in figures:
                out.append(f"![The plain run and its longer pretrainings, overlaid]({figures['longer']})\n")
        out.append("")
    training = [k for k in figures if k.startswith("training")]
    if training:
        out.append("## When alignment emerges\n")
        out.append("The cross-lingual and in-language probe accuracy at the snapshots of each training run (the "
                   "Transfer page, *alignment over training*), at the last layer.\n")
        notes_ = over_training_notes(numbers)
        if notes_:
            out.append("\n".join(notes_) + "\n")
        out += [f"![Alignment over training: {k.removeprefix('training-')}]({figures[k]})\n" for k in training]
    out.append(how_trained(numbers))
    if paper := paper_section(numbers):
        out.append(paper)
    if depth := depth_section(numbers):
        out.append(depth)
        if "depth" in figures:
            out.append(f"![Colour against the games seen: the shipped models and the depth trials]({figures['depth']})\n")
    if width := width_section(numbers):
        out.append(width)
        if "width" in figures:
            out.append(f"![The width trial: colour against the games seen and against training time]({figures['width']})\n")
    out.append(reproduce(numbers))
    if appendix:
        out.append(appendix.strip() + "\n")
    return "\n".join(out).rstrip() + "\n"


def ordering(numbers: dict) -> str:
    """The study's ordering of cross-lingual probe accuracy, naive < anchors < unified, on the shipped
    models at their named layers (empty until two of them are shipped)."""
    M = numbers["models"]
    have = [(role, M[role]) for role in ("naive", "anchors", "unified") if role in M]
    if len(have) < 2:
        return ""
    vals = [m["cross_lingual"] for _, m in have]
    holds = all(a < b for a, b in zip(vals, vals[1:]))
    chain = " < ".join(f"{m['name']} {pct(m['cross_lingual'])}" for _, m in have) if holds else \
        ", ".join(f"{m['name']} {pct(m['cross_lingual'])}" for _, m in have)
    majority = sorted({pct(m.get("baseline_majority")) for _, m in have})
    text = (f"**Ordering of cross-lingual probe accuracy (the study: naive < anchors < unified): "
            f"{'holds' if holds else 'does not hold'}.** {chain}; the majority guess scores "
            + " / ".join(majority) + ".")
    close = [f"{a['name']} and {b['name']} differ by {abs(b['cross_lingual'] - a['cross_lingual']) * 100:.2f} points"
             for (_, a), (_, b) in zip(have, have[1:]) if abs(b["cross_lingual"] - a["cross_lingual"]) < 0.01]
    if close:
        text += " " + "; ".join(close) + ": level, not ordered."
    if not holds and all(m.get("cross_by_layer") for _, m in have):
        layers = sorted(set.intersection(*(set(m["cross_by_layer"]) for _, m in have)))
        where = [k for k in layers if all(a["cross_by_layer"][k] < b["cross_by_layer"][k]
                                          for (_, a), (_, b) in zip(have, have[1:]))]
        if where:
            text += (" The ordering does hold at layer" + ("s " if len(where) > 1 else " ")
                     + ", ".join(f"{k} (" + " < ".join(pct(m["cross_by_layer"][k]) for _, m in have) + ")"
                                 for k in where)
                     + "; the named layer was fixed beforehand (best in-language colour probe), so the verdict "
                       "stays.")
    steps = {m["name"]: m.get("step") for _, m in have}
    games = {m["name"]: model_games(m, m["step"]) for _, m in have if m.get("step")}
    if len(set(steps.values())) > 1 or len(set(games.values())) > 1:  # trained unequally: say so
        text += (" Not matched in training: " + ", ".join(
            f"{n} {s:,} steps" + (f" ({millions(games[n])})" if n in games else "") for n, s in steps.items() if s)
                 + " (the later stages have not reached every model alike).")
        text += matched_ordering(have)
    shares = [(m["name"], m["cross_lingual"] / m["in_language"]) for _, m in have if m.get("in_language")]
    if len(shares) == len(have):
        text += (" As a share of each model's own in-language accuracy (the models differ in how well they read "
                 "the board at all): " + ", ".join(f"{n} {100 * r:.0f}%" for n, r in shares) + ".")
    return text


def measured_notes(numbers: dict) -> dict[int, str]:
    """Sentences read off the numbers (no judgement beyond the rules above)."""
    out = {}
    n = numbers["models"].get("naive")
    if n and n.get("aligned_rotation") is not None:
        rot_gap = n["in_language"] - n["aligned_rotation"]
        out[1] = (f"The cross-lingual probe ({pct(n['cross_lingual'])}) does no better than the per-square majority "
                  f"guess ({pct(n['baseline_majority'])}), and on occupied squares it reads the colour at "
                  f"{pct(n['colour_cross_lingual'])} (chance: 50%). Yet after an orthogonal rotation fitted on other "
                  f"games it reads {pct(n['aligned_rotation'])}, {pts(rot_gap).replace('+', '')} below the in-language "
                  "probe: the two languages hold the same board representation up to a rotation (MetaOthello), "
                  "not a shared one.")
    a = numbers["models"].get("anchors")
    if n and a and a.get("colour_cross_lingual") is not None:
        out[2] = (f"On occupied squares the anchored model's cross-lingual probe reads the colour at "
                  f"{pct(a['colour_cross_lingual'])} (naive: {pct(n['colour_cross_lingual'])}; chance 50%), close to "
                  f"its in-language {pct(a['colour_in_language'])}.")
        if a.get("embedding_same") is not None and n.get("embedding_same") is not None:
            k = a.get("anchor_squares", 0)  # anchor squares share one token: cosine 1 by construction
            rest = (a["embedding_same"] * 60 - k) / (60 - k)
            out[2] += (f" The input embeddings agree too: the same move in the two languages has cosine "
                       f"{rest:.2f} over the {60 - k} squares that are NOT anchors (each still two distinct tokens), "
                       f"against {n['embedding_same']:.2f} without anchors; different moves "
                       f"{a['embedding_different']:.2f} and {n['embedding_different']:.2f}.")
    tu = numbers["transfer"].get("unified")
    if tu and len(tu.get("per language", {})) > 1:
        each = "; ".join(f"{lang} {pct(b0)} -> {pct(b1)} ({pts(b1 - b0)}"
                         + (f", ratio {r:.2f})" if np.isfinite(r := own_ratio(tu, lang)) else ")")
                         for lang, (b0, b1) in tu["per language"].items())
        out[4] = (f"Fine-tuning {tu['fine-tuned']} ({pct(tu['fine-tuned before'])} -> {pct(tu['fine-tuned after'])}) "
                  f"moved each language not fine-tuned differently: {each}. The rule reads their mean.")
    many = numbers["models"].get("many")
    if many and many.get("in_language") is not None:
        gap = many["in_language"] - many["cross_lingual"]
        out[1] = (out.get(1, "") + f" With ten languages ({many['name']}, naive, layer {many['layer']}) the gap is "
                  f"{pts(gap)}: in-language {pct(many['in_language'])}, cross-lingual {pct(many['cross_lingual'])} "
                  f"over the 90 ordered pairs, after rotation {pct(many.get('aligned_rotation'))}.").strip()
    return out


def restore_notes(numbers: dict) -> list[str]:
    """One line per language not fine-tuned that fell by RESTORE_FALL or more in a transfer run: the one
    part of the weights whose pretrained values bring it back furthest, and what that costs the
    fine-tuned language."""
    lines = []
    for t in numbers["transfer"].values():
        ft = t["fine-tuned"]
        for r in t.get("restored") or []:
            if r["before"] - r["after"] < RESTORE_FALL:
                continue
            line = (f"- `{t['run']}`, fine-tuned on {ft}: {r['language']} fell from {pct(r['before'])} to "
                    f"{pct(r['after'])}. ")
            share = f"{100 * r['recovered']:.0f}%" if np.isfinite(r["recovered"]) else "n/a"
            rec = r["recovered"] if np.isfinite(r["recovered"]) else 0.0
            if rec < 1 / 3:
                line += (f"No single part carries the loss: the one that brings it back furthest, {r['part']}, "
                         f"reaches {pct(r['with part'])} ({share} of its loss; {ft} then "
                         f"{pct(r['finetuned with part'])}).")
            else:
                line += (f"Restoring {r['part']} alone brings it back to {pct(r['with part'])} ({share} of its loss), "
                         f"while {ft} keeps {pct(r['finetuned with part'])} (fine-tuned: {pct(r['finetuned after'])}): "
                         + ("the loss sits mostly there." if rec >= 2 / 3 else
                            "a large share of the loss sits there, the rest is spread over the model."))
            lines.append(line)
    return lines


def answer_notes(numbers: dict) -> list[str]:
    """One line per language not fine-tuned in each transfer run with separate output vocabularies."""
    lines = []
    for t in numbers["transfer"].values():
        for a in t.get("answers") or []:
            ft, lang = a["fine-tuned"], a["language"]
            both = a["answers in fine-tuned language"] + a["answers in own language"]
            line = (f"- `{t['run']}`, fine-tuned on {ft}: reading {lang}, {pct(a['answers in fine-tuned language'])} "
                    f"of its greedy next tokens are {ft} tokens and {pct(a['answers in own language'])} are {lang} "
                    f"tokens{' (an anchor token is both)' if both > 1.001 else ''}. Its legal moves: "
                    f"{pct(a['before'])} before fine-tuning, {pct(a['legal'])} after, and "
                    f"{pct(a['legal among own tokens'])} when limited to {lang}'s own tokens")
            if a["answers in fine-tuned language"] >= ANSWERS_SHIFTED:
                line += f": fine-tuning moved its answers to {ft}'s vocabulary"
                if a["legal among own tokens"] > a["before"] + 0.05:
                    line += (f", and beneath that shift its {lang} moves did improve (a transfer that separate "
                             "output tokens hide).")
                elif a["legal among own tokens"] >= 0.5 * a["before"]:
                    line += (f"; beneath that shift it still knows {lang}'s moves, no better than before "
                             "fine-tuning (no transfer there either).")
                else:
                    line += f", and even among {lang}'s own tokens it lost most of what it knew."
            else:
                line += "."
            lines.append(line)
    return lines


def _cross_at(m: dict, step: int) -> float | None:
    """A model's cross-lingual accuracy in the table's protocol (its named layer) at `step`: the model itself,
    or its model at the end of an earlier stage (stage_ends), when one is at that step."""
    if m.get("step") == step:
        return m.get("cross_lingual")
    return (m.get("stage_ends") or {}).get(step, {}).get("cross_lingual")


def matched_ordering(have: list[tuple[str, dict]]) -> str:
    """The ordering again at matched steps, or "" when the models share no step: in the table's protocol
    where every model has a fully analysed model at one step (itself or its previous stage's end), and
    at the last step of their stored alignment over training (one probe protocol for all, last layer)."""
    def chain(vals: list[float]) -> tuple[bool, str]:
        holds = all(a < b for a, b in zip(vals, vals[1:]))
        return holds, (" < " if holds else ", ").join(f"{m['name']} {pct(v)}" for (_, m), v in zip(have, vals))

    text = ""
    steps = {m.get("step") for _, m in have} | {k for _, m in have for k in (m.get("stage_ends") or {})}
    full = [k for k in steps if isinstance(k, int) and all(_cross_at(m, k) is not None for _, m in have)]
    if full:
        step = max(full)
        holds, said = chain([_cross_at(m, step) for _, m in have])
        earlier = [m["name"] for _, m in have if m.get("step") != step]
        text += (f" At matched steps, {step:,} (the table's protocol at the layers it names; "
                 + ", ".join(earlier) + f" as shipped at the end of that stage): {said}; the ordering "
                 f"{'holds' if holds else 'does not hold'} there.")
    series = [dict((m.get("over_training") or {}).get("cross_lingual") or []) for _, m in have]
    common = set.intersection(*(set(x) for x in series)) if all(series) else set()
    if common:
        step = max(common)
        holds, said = chain([x[step] for x in series])
        text += ((" With" if text else " At matched steps, with") + f" the *alignment over training* probe "
                 f"(last layer) at {step:,} steps: {said}; the ordering {'holds' if holds else 'does not hold'} there.")
    return text


def over_training_notes(numbers: dict) -> list[str]:
    """One sentence per model: its direct and rotated cross-lingual accuracy at the first and last snapshot."""
    lines = []
    for m in numbers["models"].values():
        ot = m.get("over_training") or {}
        cross, rot, inl = ot.get("cross_lingual"), ot.get("aligned_rotation"), ot.get("in_language")
        if not cross or not rot or not inl:
            continue
        (s0, c0), (s1, c1) = cross[0], cross[-1]
        lines.append(f"- `{m['name']}`, step {s0:,} -> {s1:,}: cross-lingual {pct(c0)} -> {pct(c1)}, after rotation "
                     f"{pct(rot[0][1])} -> {pct(rot[-1][1])}, in-language {pct(inl[0][1])} -> {pct(inl[-1][1])}.")
    return lines


def stage_notes(stage: dict) -> list[str]:
    """What sets a later stage apart from suite.STAGE_TRAINING (its learning rates, its number format, its
    batch), and its wall-clock time and where it ran when that was a GPU."""
    from .suite import STAGE_TRAINING, SUITE_TRAINING

    notes = []
    if stage.get("lr") not in (None, STAGE_TRAINING["lr"]):
        notes.append(f"peak lr {stage['lr']:g}" + (f", cosine to {stage['min_lr']:g}" if stage.get("min_lr") else ""))
    if stage.get("warmup_steps") not in (None, STAGE_TRAINING["warmup_steps"]):
        notes.append(f"warm-up {stage['warmup_steps']:,} steps")
    if stage.get("dtype") not in (None, STAGE_TRAINING["dtype"]):
        notes.append(stage["dtype"])
    if stage.get("batch_size") not in (None, SUITE_TRAINING["batch_size"]):
        notes.append(f"batch {stage['batch_size']:,}")
    if stage.get("init_optimizer"):
        notes.append("AdamW moments carried over")
    where = (f"on a GPU ({stage.get('device_name') or stage['device']})"
             if on_gpu(stage) else "")
    if (h := stage_hours(stage)) is not None:
        notes.append((f"{h * 60:.0f} min" if h < 1 else f"{h:.1f} h") + " wall-clock" + (f" {where}" if where else ""))
    elif where:
        notes.append(where)
    return notes


def stages_text(staged: list[tuple[str, list[dict]]]) -> str:
    """The later training stages of the models trained in stages (suite.STAGES), in words."""
    from .suite import STAGE_TRAINING

    st_ = STAGE_TRAINING
    parts = []
    for name, stages in staged:
        later = [s for s in stages[1:] if s.get("to") is not None]
        spans = ", ".join(f"{s['from']:,} -> {s['to']:,}" + (f" ({', '.join(notes)})" if (notes := stage_notes(s)) else "")
                          for s in later)
        parts.append(f"`{name}` {spans}")
    return ("Later stages: " + "; ".join(parts) + ". A later stage continues the model from where the previous "
            "stage ended, on the next games of the same stream, with a warm restart of the learning rate "
            f"(warm-up {st_['warmup_steps']} steps to {st_['lr']}, cosine to {st_['min_lr']}, unless noted) and a fresh "
            f"optimizer state unless noted, in {st_['dtype']} autocast unless noted (float32 weights): the shipped "
            "float16 model of the previous stage was its start, as the previous stage's optimizer state is not "
            "shipped (`python -m mothello suite --from-shipped`), except where the AdamW moments are carried "
            "over: that stage ran right after the one before it and started from its float32 weights and saved "
            "optimizer state (`python -m mothello train --init-optimizer`). On a CPU with native bfloat16 (AVX512-BF16 or AMX) "
            "bfloat16 trains about 1.6x faster than float32 (benchmarks/bench_train.py); a CPU that emulates "
            "bfloat16 trains about 17x slower in it, so there the suite trains these stages in float32.\n")


def stage_gains(numbers: dict) -> list[str]:
    """What the last stage bought each model trained in stages (against its model at the end of the
    stage before, at the same layer), and where the in-language colour probe would reach 90% at the pace
    per doubling of the steps its stages have kept so far (_colour_pace)."""
    rows, lines = [], []
    for m in numbers["models"].values():
        prev = m.get("previous_stage")
        if not prev or m.get("colour_in_language") is None:
            continue
        rows.append(f"| {m['name']} | {prev['step']:,} -> {m['step']:,} | {pct(prev['legal_min'])} -> "
                    f"{pct(m['legal_min'])} | {pct(prev['in_language'])} -> {pct(m['in_language'])} | "
                    f"{pct(prev['cross_lingual'])} -> {pct(m['cross_lingual'])} | "
                    f"{pct(prev['colour_in_language'])} -> {pct(m['colour_in_language'])} |")
        if (line := _colour_pace(m, prev)) is not None:
            lines.append(line)
    if not rows:
        return []
    head = ["What the last stage bought (layer as in the table above; legal moves: worst language):\n",
            "| model | steps | legal moves | in-language | cross-lingual | colour in-language |",
            "|---|---|---|---|---|---|", *rows, ""]
    return ["\n".join(head)] + ([" ".join(lines) + "\n"] if lines else [])


def restart_table(numbers: dict) -> list[str]:
    """The dip after each later stage's warm restart (restart_dips), per model trained in stages; and, where
    a stage that carried the AdamW moments over follows one with the same schedule and a fresh optimizer,
    the two dips side by side: is the dip the fresh optimizer's or the learning rate's?"""
    from .suite import SUITE_TRAINING

    rows, lines = [], []
    for m in numbers["models"].values():
        dips = m.get("restarts") or []
        for d in dips:
            back = "not back" if d["back"] is None else f"{d['back']:,}"
            warm = "n/a" if d["warmup_steps"] is None else f"{d['warmup_steps']:,} steps"
            rows.append(f"| {m['name']} | {d['from']:,} -> {d['to']:,} | {d['lr']:g}, {warm} | "
                        f"{'carried over' if d['carried'] else 'fresh'} | {pct(d['start'])} | {pct(d['low'])} at "
                        f"{d['low_step']:,} ({pts(d['low'] - d['start'])}) | {back} | {pct(d['end'])} |")
        for prev, d in zip(dips, dips[1:]):
            if d["carried"] and not prev["carried"] and (prev["lr"], prev["warmup_steps"]) == (d["lr"], d["warmup_steps"]) \
                    and prev["to"] == d["from"] and d["to"] - d["from"] == prev["to"] - prev["from"]:
                fresh, kept = prev["start"] - prev["low"], d["start"] - d["low"]
                if fresh < 0.005:  # no dip to explain
                    continue
                verdict = ("the dip is the fresh optimizer's" if kept < fresh / 2 else
                           "the dip is NOT the fresh optimizer's: the warm restart of the learning rate alone makes it"
                           if kept >= 0.8 * fresh else "carrying the moments over takes part of the dip away")
                lines.append(f"`{m['name']}`: two stages with the same schedule (peak lr {d['lr']:g}, warm-up "
                             f"{d['warmup_steps'] or 0:,} steps, {d['to'] - d['from']:,} steps), one after the other: with a "
                             f"fresh optimizer the model fell {100 * fresh:.1f} points, with the AdamW moments carried over "
                             f"{100 * kept:.1f} points: {verdict}.")
    if not rows:
        return []
    head = ["Warm restarts: each later stage warms its learning rate up again; the in-training evaluation "
            f"(legal moves, mean over the input languages, {SUITE_TRAINING['eval_games']} games each) at the stage's start, the lowest it fell to "
            "inside the stage, the first evaluation back at the start's level, and at the stage's end:\n",
            "| model | steps | peak lr, warm-up | optimizer | at start | lowest | back by step | at end |",
            "|---|---|---|---|---|---|---|---|", *rows, ""]
    return ["\n".join(head)] + ([" ".join(lines) + "\n"] if lines else [])


def colour_by_move_table(models: list[dict]) -> list[str]:
    """Where along a game the models lose the colour (probes.colour_by_move, stored at install): a row per
    model and the placer baseline's row, by stretch of the game; then what the rows say. [] when no
    model has it stored."""
    have = [m for m in models if m.get("colour_by_move")]
    if not have:
        return []
    first = have[0]["colour_by_move"]
    bins = first["bins"]
    head = " | ".join(f"moves {a}-{b}" for a, b in bins)
    rows = [f"| {m['name']} | " + " | ".join(pct(v) for v in m["colour_by_move"]["colour"]) + " |" for m in have]
    rows.append("| placer baseline (no flip tracked) | " + " | ".join(pct(v) for v in first["placer"]) + " |")
    curves = [m["colour_by_move"]["colour"] for m in have]
    placer = first["placer"]

    def span(xs: list[float], unit: str = "%") -> str:
        lo, hi = (f"{100 * x:.1f}" for x in (min(xs), max(xs)))
        return f"{lo}{unit}" if lo == hi else f"{lo}-{hi}{unit}"

    where = lambda k: f"moves {bins[k][0]}-{bins[k][1]}"  # noqa: E731
    if all(c.index(max(c)) == 0 and c.index(min(c)) == len(c) - 1 for c in curves):
        lead = [(c[0] - placer[0], c[-1] - placer[-1]) for c in curves]
        text = (f"Every model here reads the colour best in the opening ({span([c[0] for c in curves])} in "
                f"{where(0)}) and worst at the end of the game ({span([c[-1] for c in curves])} in "
                f"{where(-1)}); its lead over the placer baseline goes from {span([x for x, _ in lead], ' points')} "
                f"to {span([y for _, y in lead], ' points')}" + (
                    ": the models follow the flips of the opening and lose more of them the more have piled up."
                    if all(y < x for x, y in lead) else "."))
    else:
        text = "The models do not all lose the colour steadily along the game (see the rows)."
    above = [where(k) for k in range(len(bins)) if all(c[k] >= 0.9 for c in curves)]
    text += (f" Every model reaches the 90% target only in {', '.join(above)}." if above else
             " No stretch of the game reaches the 90% target in every model.")
    return ["Where along a game the colour is lost: the in-language linear probe at the table's layer, colour on "
            "occupied squares by the move the board follows (mean over the model's input languages; the "
            f"{sum(first['occupied']):,} occupied squares of the probe test positions), beside the placer "
            "baseline on the same positions:\n\n" + "\n".join([f"| model | {head} |", "|---" * (len(bins) + 1) + "|",
                                                              *rows]) + "\n", text + "\n"]


def model_games(m: dict, step: int) -> int:
    """Games model numbers `m` had seen by `step` (checkpoints.games_at over its recorded stages; a stage
    that records no batch trained at the suite's). checkpoints.games_seen does the same from a checkpoint's
    metadata."""
    from .suite import SUITE_TRAINING

    return games_at((m.get("trained") or {}).get("stages") or [], step, SUITE_TRAINING["batch_size"])


def millions(games: int) -> str:
    """'1.5 million games' ('2.0 billion games'; under a million, every game: '320,000 games')."""
    if games < 1e6:
        return f"{int(games):,} games"
    return f"{games / 1e9:.1f} billion games" if games >= 1e9 else f"{games / 1e6:.1f} million games"


def analysed_ends(m: dict) -> dict[int, dict]:
    """{step: headline numbers} of a model at its analysed stage ends with a colour probe, and at its last step."""
    ends = {st: e for st, e in (m.get("stage_ends") or {}).items() if e.get("colour_in_language") is not None}
    ends[m["step"]] = m
    return ends


def colour_ends(m: dict) -> dict[int, float]:
    """{step: in-language colour at the report's layer} of a model's analysed stage ends and its last step."""
    ends = {s["step"]: s["colour_in_language"] for s in [m.get("previous_stage") or {},
                                                        *(m.get("stage_ends") or {}).values()]
            if s.get("colour_in_language") is not None and s.get("step")}
    if m.get("colour_in_language") is not None:
        ends[m["step"]] = m["colour_in_language"]
    return ends


def colour_at_games(m: dict, games: float) -> float | None:
    """The model's in-language colour after `games` games, read off a straight line through its two
    analysed stage ends around that many games, against log2(games); None outside them."""
    return log_interpolate([(model_games(m, st), c) for st, c in colour_ends(m).items()], games)


def log_interpolate(points: list[tuple[float, float]], x: float) -> float | None:
    """y at x on the straight line, against log x, through the two (x, y) points around x; None outside
    them (or with x not positive)."""
    pts_ = sorted(points)
    for (x0, y0), (x1, y1) in zip(pts_, pts_[1:]):
        if 0 < x0 <= x <= x1:
            return y0 + (y1 - y0) * float(np.log(x / x0) / np.log(x1 / x0)) if x1 > x0 else y1
    return None


def colour_per_doubling(m: dict) -> float | None:
    """Points of colour a doubling of the games seen added over the model's analysed stage ends (the slope of
    a least-squares line through colour against log2 games); None when they span under MIN_PACE_DOUBLINGS."""
    pts_ = sorted((model_games(m, st), c) for st, c in colour_ends(m).items())
    x = np.log2([g for g, _ in pts_])
    if len(pts_) < 2 or x[-1] - x[0] < MIN_PACE_DOUBLINGS:
        return None
    return float(np.polyfit(x, [c for _, c in pts_], 1)[0])


def _colour_pace(m: dict, prev: dict) -> str | None:
    """Where the in-language colour probe would reach 90% if every doubling of the games seen added what the
    stages so far added per doubling: with two stage ends, the last stage's gain; with more, the slope of a
    least-squares line through colour against log2(games) over every stage end shipped (one short last
    stage alone is too little to read a pace from: under MIN_PACE_DOUBLINGS it says so instead). Games, not
    steps: a stage with a larger batch sees more games a step. None at or past the target, or with no gain."""
    ends = colour_ends({**m, "previous_stage": prev})
    steps = sorted(ends)
    games = np.array([model_games(m, k) for k in steps], dtype=float)
    x, y = np.log2(games), np.array([ends[k] for k in steps])
    doublings = float(x[-1] - x[0])
    if doublings <= 0 or m["colour_in_language"] >= 0.9:
        return None
    if doublings < MIN_PACE_DOUBLINGS:
        return (f"`{m['name']}`: its shipped stage ends span only {doublings:.1f} doublings of the games seen "
                f"({steps[0]:,} to {steps[-1]:,} steps), too few to read a pace to 90% colour from.")
    per = float(np.polyfit(x, y, 1)[0])  # through two stage ends: the last stage's gain per doubling
    if per <= 0:
        return None
    more = (0.9 - m["colour_in_language"]) / per
    span = "one doubling" if abs(doublings - 1) < 0.05 else f"{doublings:.1f} doublings"
    said = (f"the colour probe gained {100 * (y[-1] - y[0]):.1f} points over the last stage ({span} of the games seen)"
            if len(steps) == 2 else
            f"over its {len(steps)} stage ends from {steps[0]:,} to {steps[-1]:,} steps ({span} of the games seen) "
            f"the colour probe gained {100 * per:.1f} points a doubling (least-squares line through colour against "
            "log2 games)")
    target = round(games[-1] * 2 ** more, -5)
    gpu = [x for x in (m.get("trained") or {}).get("stages") or [] if on_gpu(x)]
    rate = _games_per_s(gpu[-1]) if gpu else None
    at_gpu = (f"; at the {rate:,.0f} games/s its GPU stage trained at (sharing the GPU), the rest would take about "
              f"{(target - games[-1]) / rate / 3600:.1f} GPU-hours" if rate else "")
    return (f"`{m['name']}`: {said}; at that pace 90% would take about {more:.1f} more doublings, some "
            f"{millions(target)} in all ({millions(int(games[-1]))} so far){at_gpu}.")


def gpu_text(numbers: dict) -> str:
    """Which stages ran on a GPU and how fast, against the CPU stages ("No GPU ..." when none did)."""
    gpu = gpu_stages(numbers)
    if not gpu:
        return "No GPU was lent to these sessions. "
    cpu = [g for m in numbers["models"].values() for x in (m.get("trained") or {}).get("stages") or []
           if not on_gpu(x) and x.get("from") and (g := _games_per_s(x))]
    fast = [g for _, x in gpu if (g := _games_per_s(x))]
    names = sorted({x.get("device_name") or x["device"] for _, x in gpu})
    text = (f"One session was lent a GPU ({', '.join(names)}): the last stage of " + ", ".join(f"`{n}`" for n, _ in gpu)
            + " ran there, all at once on the one GPU (below)")
    if fast and cpu:
        text += (f", at {min(fast):,.0f}-{max(fast):,.0f} games/s each against {min(cpu):,.0f}-{max(cpu):,.0f} "
                 "games/s for the later stages on the CPU")
    return text + ". "


def how_trained(numbers: dict) -> str:
    """How the suite was trained, what is missing, and how to reproduce it."""
    from .suite import SUITE, SUITE_TRAINING, TRANSFER, TRANSFER_SETTINGS

    tr = SUITE_TRAINING
    lines = ["## How these models were trained\n",
             f"Every suite model: the `{tr['preset']}` preset (3 layers x 192, 6 heads, 1.4M parameters), "
             f"next-token prediction on fresh uniformly random games every step, batch {tr['batch_size']}, "
             f"{tr['steps']:,} steps ({tr['steps'] * tr['batch_size']:,} games), AdamW with lr {tr['lr']} "
             f"(warm-up {tr['warmup_steps']}, cosine to {tr['min_lr']}), fp32 on CPU (the first stage). On one core of this "
             "2-core machine a 2-language model trains at about 7,400 tokens/s (116 steps/min), so 12,000 steps "
             "take about 1.7 core-hours; the runs shared the machine with development and were paused and "
             "resumed across sessions (exact resume from the saved state). " + gpu_text(numbers) +
             f"Transfer runs: {TRANSFER_SETTINGS['pretrain_steps']:,} pretraining steps on the restricted "
             f"distribution, then {TRANSFER_SETTINGS['finetune_games']:,} games x "
             f"{TRANSFER_SETTINGS['finetune_epochs']} epochs of fine-tuning on one language.\n"]
    staged = [(m["name"], m["trained"]["stages"]) for m in numbers["models"].values()
              if len(m.get("trained", {}).get("stages") or []) > 1]
    if staged:
        lines.append(stages_text(staged))
        lines += stage_gains(numbers)
        lines += restart_table(numbers)
    if numbers.get("variants"):
        lines.append(f"Fine-tuning variants ({', '.join(f'`{n}`' for n in numbers['variants'])}): the plain "
                     "run's fine-tuning with a part frozen, started from a copy of its pretrained model, so only the "
                     "fine-tuning and its measurements ran ("
                     + ", ".join(f"{v['minutes']:.0f} min" for v in numbers["variants"].values() if v.get("minutes"))
                     + " wall-clock on the shared CPU); they ship as tables, without weights.\n")
    if numbers.get("longer"):
        lines.append("Longer pretraining (" + "; ".join(
            f"`{n}`: {v['pretrain_steps']:,} pretraining steps in {v['dtype']}, then the same fine-tuning"
            + (f", {v['minutes'] / 60:.1f} h wall-clock on both cores" if v.get("minutes") else "")
            for n, v in numbers["longer"].items()) + ("); they ship" if len(numbers["longer"]) > 1 else "); it ships")
                     + " as tables, without weights.\n")
    timed = [(m["name"], m["train_hours"], m["step"]) for m in numbers["models"].values() if m.get("train_hours")]
    if timed:
        lines.append("Training time, read from each run's log (evaluation timestamps; the hours a run stood "
                     "paused between sessions are left out): "
                     + ", ".join(f"`{n}` {h:.1f} h for {s:,} steps" for n, h, s in timed)
                     + (", the first stages each on one CPU core shared with the other training and with "
                        "development, the later stages on both cores"
                        + (", the GPU stages on the lent GPU" if gpu_stages(numbers) else "") + ".\n" if staged else
                        ", each on one CPU core that it shared with the other training and with development.\n"))
    sw = numbers.get("sweep")
    anchors_step = next((m["step"] for m in numbers["models"].values() if m["name"] == "anchors-8"), None)
    if sw and sw.get("train_hours"):
        lines.append(f"Anchor sweep: {len(sw['train_hours'])} further runs of {sw['step']:,} steps each "
                     f"({', '.join(f'{k} anchors {h:.1f} h' for k, h in sw['train_hours'].items())}), one at a "
                     f"time on the same 2 cores, shared with development and at times with a fine-tuning run; "
                     f"the 8-anchor point is anchors-8's "
                     + ("final model" if sw["step"] == anchors_step else
                        "model at the end of its first stage (shipped as a snapshot)"
                        if sw["step"] == sw["schedule_steps"] else "snapshot at that step") + ".\n")
    have = {m["name"] for m in numbers["models"].values()}
    missing = [n for n in SUITE if n not in have]
    missing += [f"transfer-{n}" for n in TRANSFER
                if not any(t["run"] == n for t in numbers["transfer"].values())]
    if missing:
        lines.append("Not in `checkpoints/` yet (training continues; `make demo-suite` resumes it): "
                     + ", ".join(f"`{n}`" for n in missing) + ".\n")
    low = [m["name"] for m in numbers["models"].values() if m.get("legal_min") is not None and m["legal_min"] < 0.95]
    if low:
        lines.append("Below the 95% legal-move target: " + ", ".join(f"`{n}`" for n in low)
                     + ". More steps (or a GPU) would get further; the findings are read at this scale.\n")
    weak = [m["name"] for m in numbers["models"].values()
            if m.get("colour_in_language") is not None and m["colour_in_language"] < 0.9]
    if weak:
        lines.append("Below the 90% target for the in-language colour probe (mine / theirs on occupied squares): "
                     + ", ".join(f"`{x}` ({pct(m['colour_in_language'])})" for x, m in
                                 ((m["name"], m) for m in numbers["models"].values()) if x in weak)
                     + ". These models know occupancy well and colour only partly" + (
                         f" (above the {pct(p['colour'])} of ignoring every flip: they track some flips, not all)"
                         if (p := numbers.get("placer")) else "")
                     + ", so every cross-lingual number here is about a partial world model.\n")
        mlp = [(m["name"], m) for m in numbers["models"].values()
               if m["name"] in weak and m.get("colour_in_language_mlp") is not None]
        if mlp:
            lines.append("Is it the probe? The study's reference probe, a 2-layer MLP (512 hidden) on the same games and "
                         "layer, reads the colour at " + ", ".join(
                             f"`{x}` {pct(m['colour_in_language_mlp'])} (linear {pct(m['colour_in_language'])})"
                             for x, m in mlp)
                         + (": no better, so the colour is missing from the models, not hidden from a linear probe.\n"
                            if all(m["colour_in_language_mlp"] < m["colour_in_language"] + 0.02 for _, m in mlp)
                            else ".\n"))
        lines += colour_by_move_table([m for m in numbers["models"].values() if m["name"] in weak])
        if numbers.get("depth"):
            lines.append("Is it depth? The section *Is it depth?* below: the shipped models grown deeper, and one "
                         "trained deeper from scratch, on a GPU.\n")
        if numbers.get("width"):
            lines.append("Is it width? The section *Is it width?* below: one model trained from scratch at several widths "
                         "with one recipe on the same games, compared per game and per unit of training time.\n")
    return "\n".join(lines)


def reproduce(numbers: dict) -> str:
    """The commands that retrain and redraw what the report shows."""
    gpu = ("\npython scripts/gpu_stages.py --seconds 450 --out DIR   # on a lent GPU: its stages and the paper "
           "preset, all at once" if gpu_stages(numbers) or numbers.get("paper") else "")
    if numbers.get("depth"):
        gpu += ("\npython scripts/gpu_stages.py --deepen 6 --compile --seconds 500 --out DIR   # grown deeper"
                "\npython scripts/gpu_stages.py --scratch 6,8 --models unified-mixed --compile --seconds 290 --out DIR"
                "   # deeper from scratch"
                "\npython scripts/gpu_stages.py --record-depth RUN ...   # the unpacked runs, analysed into "
                f"checkpoints/{DEPTH_RUNS}")
    if numbers.get("width"):
        gpu += ("\npython scripts/width_trial.py   # the width trial, here: trains each shape in turn (resuming), "
                f"analyses, writes checkpoints/{WIDTH_RUNS}")
    return ("Reproduce:\n\n```bash\nmake demo-suite   # trains (resuming) and installs checkpoints/, then "
            "writes this file\nmake findings     # this file and docs/findings/ from checkpoints/ alone" + gpu + "\n```\n")
