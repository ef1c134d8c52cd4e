"""The anchor sweep (finding 2): cross-lingual alignment against the number of anchor squares.

Five models of two atomic languages that differ only in how many squares' tokens the languages share:
0, 2, 4, 8 and 16 (nested sets; configs/sweep/, with naive-2's config for 0). 8 is the suite's
anchors-8; the others are trained with exactly its settings (same games, seed and schedule) into
runs/suite-anchors-K, and every model is measured at the SAME step of the same schedule (`step`,
one of the schedule's snapshot steps), so the sweep can be taken part-way and deepened later: the runs
resume (`python -m mothello suite --sweep --until STEP`). The 0 point is a run of its own, not the
shipped naive-2: that run's first 2,000 steps had a different learning-rate schedule.

What ships is the table, checkpoints/anchor-sweep/sweep.csv (+ sweep.json: settings, squares, weights):
the four extra models' weights would not fit the size budget of checkpoints/. anchors-8's model at the
sweep step ships (a snapshot, or at the schedule's last step the checkpoint itself), so that point can be
re-measured from a fresh clone.

    table   one row per (anchors, layer, metric): in_language, cross_lingual, aligned_rotation,
            colour_in, colour_cross, colour_rotation, baseline_majority, baseline_random_model (and
            their colour versions), legal_move_accuracy (layer -1: not a per-layer number)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from . import storage
from .checkpoints import META as CHECKPOINT_META
from .checkpoints import checkpoints_dir, list_snapshots, load_checkpoint, read_meta, runs_dir
from .evaluate import default_device, legal_move_accuracy

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
SWEEP = {0: CONFIGS / "naive-2.toml", 2: CONFIGS / "sweep" / "anchors-2.toml",
         4: CONFIGS / "sweep" / "anchors-4.toml", 8: CONFIGS / "anchors-8.toml",
         16: CONFIGS / "sweep" / "anchors-16.toml"}
STEP = 12000           # where the five are compared: the end of the suite's 12,000-step schedule (a snapshot step)
PROBE_GAMES = 1000     # probe-training games per language, as the shipped models' own alignment
FOLDER = "anchor-sweep"
TABLE, META = "sweep.csv", "sweep.json"
METRICS = ("in_language", "cross_lingual", "aligned_rotation", "colour_in", "colour_cross", "colour_rotation")


def model_name(anchors: int) -> str:
    return f"anchors-{anchors}"


def train(until: int = STEP, progress: bool = True) -> list[Path]:
    """Train (resuming) every sweep model that is not a suite model up to step `until`."""
    from .suite import train_model

    return [train_model(model_name(k), progress=progress, until=until, config=cfg)
            for k, cfg in SWEEP.items() if k != 8]


def snapshot(anchors: int, step: int = STEP) -> Path:
    """The model with `anchors` anchor squares at `step`: the shipped snapshot (anchors-8, so that a fresh
    clone can re-measure it), else one of its run in runs/. FileNotFoundError names the command that
    makes it."""
    name = model_name(anchors)
    for root in (checkpoints_dir() / name, runs_dir() / f"suite-{name}"):
        for s, path in list_snapshots(root) if root.is_dir() else []:
            if s == step:
                return path
        if (root / CHECKPOINT_META).is_file() and read_meta(root).get("step") == step:
            return root  # the final model (a shipped checkpoint keeps no snapshot of its last step)
    raise FileNotFoundError(f"no snapshot of {name} at step {step}: train it with "
                            f"`python -m mothello suite --sweep --until {step}`")


def measure(path, anchors: int, n_train: int = PROBE_GAMES, device=None, progress=None) -> pd.DataFrame:
    """The sweep's rows for one model: alignment at every layer with baselines, and legal-move accuracy."""
    from .probes import alignment
    from .suite import full_eval_games

    device = device or default_device()
    ck = load_checkpoint(path, device=device)
    al = alignment(ck, kind="linear", labels="relative", n_train=n_train, device=device, progress=progress)
    rows = []
    for x in al.layers:
        values = {"in_language": al.mean_diag(x), "cross_lingual": al.mean_cross(x),
                  "aligned_rotation": al.mean_cross(x, aligned=True), "colour_in": al.mean_diag(x, colour=True),
                  "colour_cross": al.mean_cross(x, colour=True),
                  "colour_rotation": al.mean_cross(x, aligned=True, colour=True),
                  "baseline_majority": al.baseline_majority["accuracy"],
                  "baseline_majority_colour": al.baseline_majority["colour"],
                  "baseline_random_model": al.baseline_random_model[x]["accuracy"],
                  "baseline_random_model_colour": al.baseline_random_model[x]["colour"]}
        rows += [{"anchors": anchors, "layer": x, "metric": m, "value": v} for m, v in values.items()]
    acc = legal_move_accuracy(ck.model, ck.vocab, full_eval_games(), device=device)
    rows.append({"anchors": anchors, "layer": -1, "metric": "legal_move_accuracy",
                 "value": float(np.mean(list(acc.values())))})
    return pd.DataFrame(rows)


def build(step: int = STEP, n_train: int = PROBE_GAMES, out=None, progress: bool = True) -> Path:
    """Measure the five models at `step` and write the shipped table (atomically). Returns its folder."""
    from .findings import training_hours
    from .suite import FULL_EVAL_GAMES

    out = Path(out or checkpoints_dir() / FOLDER)
    paths = {k: snapshot(k, step) for k in SWEEP}  # all five exist before anything is measured
    frames, points = [], []
    for k, path in paths.items():
        if progress:
            print(f"anchor sweep: measuring {model_name(k)} at step {step} ({path})", flush=True)
        frames.append(measure(path, k, n_train))
        meta = read_meta(path)
        squares = sorted({q for a in meta["experiment"].get("anchors", []) for q in a["squares"]})
        run = path.parent.parent if path.parent.name == "snapshots" else path
        points.append({"anchors": k, "model": model_name(k), "squares": squares, "step": meta["step"],
                       "weights_sha256": meta["weights_sha256"],
                       "shipped": path.is_relative_to(checkpoints_dir()),
                       "train_hours": training_hours(run, until=step)})
    table = pd.concat(frames, ignore_index=True)
    tmp = out.with_name(f".{out.name}.building")  # the table and its settings replace the old pair together
    if tmp.exists():
        shutil.rmtree(tmp)
    storage.write_text(tmp / TABLE, table.to_csv(index=False))
    storage.write_json(tmp / META, {"step": step, "schedule_steps": read_meta(paths[0])["training"]["steps"],
                                    "probe": "linear, relative (empty/mine/theirs)", "n_train": n_train,
                                    "legal_move_games": FULL_EVAL_GAMES, "points": points})
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return out


def load(root=None) -> tuple[pd.DataFrame, dict] | None:
    """(table, settings) of the shipped sweep, or None when there is none or it is not a sweep table
    (unreadable, or missing its columns or settings)."""
    folder = Path(root or checkpoints_dir()) / FOLDER
    try:
        table, info = pd.read_csv(folder / TABLE), storage.read_json(folder / META)
    except (OSError, ValueError):
        return None
    if not {"anchors", "layer", "metric", "value"} <= set(table.columns) or not isinstance(info, dict) or \
            not {"step", "schedule_steps", "n_train"} <= set(info):
        return None
    return table, info


def when(info: dict) -> str:
    """Where the sweep's models are compared, in words: 'at the end of their 12,000-step schedule' or
    'at step 6,000 of 12,000'."""
    if info["step"] == info["schedule_steps"]:
        return f"at the end of their {info['step']:,}-step schedule"
    return f"at step {info['step']:,} of {info['schedule_steps']:,}"


def at_layer(table: pd.DataFrame, layer: int, colour: bool = False) -> pd.DataFrame:
    """One row per model: anchors, in-language, cross-lingual, after rotation and the baselines at
    `layer` (the colour scores on occupied squares with `colour`), plus legal-move accuracy."""
    sfx = "_colour" if colour else ""
    names = {("colour_in" if colour else "in_language"): "in-language",
             ("colour_cross" if colour else "cross_lingual"): "cross-lingual",
             ("colour_rotation" if colour else "aligned_rotation"): "after rotation",
             f"baseline_majority{sfx}": "majority guess", f"baseline_random_model{sfx}": "random-model probe"}
    wide = table[table["layer"] == layer].pivot(index="anchors", columns="metric", values="value")
    wide = wide[list(names)].rename(columns=names)
    legal = table[table["metric"] == "legal_move_accuracy"].set_index("anchors")["value"]
    return wide.assign(**{"legal moves": legal}).reset_index().sort_values("anchors")
