"""collect(): every number the report uses, read from checkpoints/ alone: the shipped models' recorded
metrics and stored analyses (which tests/test_shipped.py checks against the weights), their training
logs, the transfer runs' tables and their side runs, the anchor sweep, and the runs recorded as tables
(the paper preset, the depth and width trials)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from .. import storage, suite, sweep
from ..checkpoints import META, checkpoints_dir, training_stages
from ..model import GPT, GPTConfig
from ..probes import placer_baseline
from ..train import TrainConfig, read_metrics
from ..transfer import (TABLE, TransferConfig, best_snapshot, per_language_transfer, restored_summary,
                        scale_label, stored_alignment_over_training, stored_answer_languages, stored_restored_parts,
                        transfer_summary, transfer_table, variant_label)


MODELS = {"naive": "naive-2", "anchors": "anchors-8", "unified": "unified-mixed", "many": "atomic-10"}


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
        "probe_games": _probe_games(path, meta, layer),
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


def _probe_games(path: Path, meta: dict, layer) -> dict | None:
    """probes.probe_games stored beside the checkpoint for these weights at `layer`: {"language", "colour":
    {kind: {n_train: colour}}}; else None."""
    f = path / "analysis" / "probe-games-relative.json"
    try:
        d = storage.read_json(f) if f.is_file() else None
        if not d or d.get("weights_sha256") != meta.get("weights_sha256") or d.get("layer") != layer:
            return None
        colour: dict[str, dict[int, float]] = {}
        for p in d["points"]:
            colour.setdefault(p["kind"], {})[int(p["n_train"])] = float(p["colour"])
        return {"language": d["language"], "colour": colour}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _colour_by_move(path: Path, meta: dict, layer) -> dict | None:
    """probes.colour_by_move stored beside the checkpoint for these weights at `layer`, with its languages
    averaged: {"bins", "occupied", "placer", "colour": [per bin], "turned": the split by passes with its
    colours averaged (None when stored before it)}; else None."""
    f = path / "analysis" / "colour-by-move-linear-relative-n1000.json"
    try:
        d = storage.read_json(f) if f.is_file() else None
        if not d or d.get("weights_sha256") != meta.get("weights_sha256") or d.get("layer") != layer:
            return None
        t = d.get("turned")
        return {"bins": [tuple(b) for b in d["bins"]], "occupied": d["occupied"], "placer": d["placer"],
                "colour": np.mean(np.asarray(list(d["colour"].values()), dtype=float), axis=0).tolist(),
                "turned": {**t, **{k: float(np.mean(list(t[k].values()))) for k in ("colour", "colour_other")}}
                if t else None}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _over_training(path: Path, layer) -> dict | None:
    """{metric: [(step, value), ...]} of the stored alignment over training (the app's default settings)."""
    df = stored_alignment_over_training(path, layer, suite.AOT_GAMES) if layer is not None else None
    if df is None:
        return None
    return {m: sorted(zip(g.step.astype(int), g.value.astype(float))) for m, g in df.groupby("metric")}


def training_hours(run: Path, until: int | None = None) -> float | None:
    """Hours of training in a run's log (metrics.jsonl), up to step `until` if given: the time between
    consecutive evaluations, where an interval much slower than the median pace (the run was stopped and
    resumed inside it) counts at the median pace instead. A model trained in stages (checkpoint.json)
    is timed stage by stage, each against its own median pace (a stage can run on other hardware or in
    another number format); a run that continues another model (train.json's init_step) from that step.
    None without a log."""
    pts_ = sorted((r["step"], pd.Timestamp(r["time"])) for r in read_metrics(run)
                  if "time" in r and (until is None or r["step"] <= until))
    meta_path = Path(run) / META
    stages = training_stages(storage.read_json(meta_path)) if meta_path.is_file() else []
    begun = storage.read_json_if_any(Path(run) / "train.json").get("init_step") or 0  # a run that continues a model
    spans = [(x.get("from") or 0, x.get("to")) for x in stages] or [(begun, None)]
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


WIDTH_RUNS = "width-trials/runs.json"   # one suite model at several widths on this machine (scripts/width_trial.py)


def run_objective(r: dict) -> str:
    """A recorded from-scratch run's training objective (train.OBJECTIVES; runs recorded before the record
    said it trained next-token)."""
    return r.get("objective", "next-token")


def run_decay(r: dict) -> float:
    """A recorded run's AdamW weight decay (runs recorded before the record said it trained at the suite's)."""
    return r.get("weight_decay", TrainConfig.weight_decay)


def width_runs(root: Path) -> list[dict]:
    """The recorded width trials (a suite model from scratch at several shapes, one recipe; no weights ship)."""
    return _recorded_runs(root, WIDTH_RUNS)


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


def sweep_numbers(root: Path, models: dict) -> dict | None:
    """The anchor sweep (mothello.sweep) at the layer finding 2 is judged at (anchors-8's named layer):
    {"layer", "step", "schedule_steps", "n_train", "rows": at_layer's records}, or None without a sweep."""
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
