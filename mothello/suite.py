"""The shipped demo suite: which models, how they are trained, and how a run becomes a shipped checkpoint.

`python -m mothello suite` (= `make demo-suite`) trains every model of the suite into runs/suite-NAME,
and its later training stages (STAGES) into runs/suite-NAME-to-STEP (resuming whatever is there; with
--from-shipped a shipped model that ends a stage stands in for that stage's run), runs the transfer
experiments and the anchor sweep (mothello.sweep), and
installs each result into checkpoints/NAME: float16 weights (kept only when evaluation shows no loss),
snapshots, the alignment analysis (every layer, with baselines and Procrustes), and the metrics the app
shows, plus an exact evaluation on a small fixed sample that tests/test_shipped.py recomputes from the
weights.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

from . import storage
from .checkpoints import (META, checkpoints_dir, list_snapshots, load_checkpoint, read_meta, runs_dir,
                          save_checkpoint, training_stages)
from .data import heldout_games
from .evaluate import default_device, legal_move_accuracy
from .languages import load_config
from .probes import (BoardProbe, alignment, embedding_similarity, load_or_compute_alignment,
                     load_or_compute_colour_by_move, load_or_compute_probe_games,
                     load_or_train_layer_probes)
from .train import TrainConfig, bfloat16_emulated, load_run_configs, snapshot_steps, train
from .transfer import (ANSWERS, RESTORED, TransferConfig, load_or_compute_alignment_over_training, run_transfer,
                       store_answer_languages, store_restored_parts)

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
# Every suite model: the study's objective, the `small` preset, fresh games every step.
# float32, as the shipped models were trained (before bfloat16 became the default on CPUs that have it).
SUITE_TRAINING = dict(preset="small", games=None, steps=12_000, batch_size=64, lr=1.5e-3, min_lr=1.5e-4,
                      warmup_steps=500, eval_every=1000, eval_games=100, checkpoint_every=500, dtype="float32")
SUITE = ("naive-2", "anchors-8", "unified-mixed", "atomic-10")
# Later training stages, per model: the steps each one ends at. A stage continues the model where the
# previous stage ended (train.json: init_from, init_step): the stream of fresh games goes on, and the
# learning rate warms up again, to a lower peak, and decays over the stage (a warm restart). A session
# can thus add training to a shipped model without the previous stage's optimizer state, which is not
# shipped. runs/suite-NAME holds the first stage (SUITE_TRAINING), runs/suite-NAME-to-STEP the others.
STAGES: dict[str, tuple[int, ...]] = {
    "naive-2": (24_000, 32_000), "anchors-8": (24_000, 32_000),
    "unified-mixed": (24_000, 48_000, 51_000, 56_000, 66_000, 78_000, 85_000),
    "atomic-10": (24_000, 48_000, 62_000, 72_000, 77_000, 82_000, 90_000)}
STAGE_TRAINING = dict(lr=1e-3, min_lr=1e-4, warmup_steps=200, dtype="bfloat16")
# A stage's own settings over STAGE_TRAINING's, by (model, step the stage ends at). A short stage that
# refines a long-trained model warms up to a lower peak: at 1e-3 a stage first undoes more than a few
# thousand steps win back (unified-mixed's 24,000 -> 48,000 stage fell from 90.6% to 85.0% legal in its
# first 1,000 steps, and was above 90.6% again only at 40,000, once the rate had decayed below 3.3e-4).
# A stage with init_optimizer carries the previous stage's AdamW moments over (train.carry_optimizer): it
# needs that stage's run folder with its saved state, which a shipped checkpoint lacks, so it runs only
# right after the stage before it, in the same runs/. atomic-10's 77,000 -> 82,000 stage repeats the
# 72,000 -> 77,000 stage's schedule with carried moments: is the dip after a warm restart the fresh
# moments'? It is not: carried, the model fell about as far (93.4% -> 91.0% mean legal moves 1,000 steps
# in, against 93.5% -> 90.8% fresh); the jump of the learning rate (10x, from the last stage's 2e-5) makes
# it. The later stages therefore warm up to half that peak, 1e-4 (_LOWER).
# A stage trained on a lent GPU (scripts/gpu_stages.py: every model at once, each as many steps as fit
# in the lease): 16x the batch, so each step sees 1,024 fresh games, at a peak rate between the first
# stage's and the later ones'; it warms up from the shipped model and decays over the stage.
GPU_STAGE = dict(batch_size=1024, lr=6e-4, min_lr=6e-5, warmup_steps=1000, eval_every=2000, eval_games=100,
                 checkpoint_every=5000, dtype="bfloat16")
_LOW = dict(lr=2e-4, min_lr=2e-5)
_LOWER = dict(lr=1e-4, min_lr=1e-5, warmup_steps=1000)
STAGE_OVERRIDES: dict[tuple[str, int], dict] = {
    ("unified-mixed", 51_000): _LOW, ("unified-mixed", 56_000): _LOWER, ("unified-mixed", 66_000): _LOWER,
    ("unified-mixed", 78_000): _LOWER,
    ("atomic-10", 62_000): _LOW, ("atomic-10", 72_000): dict(_LOW, warmup_steps=1000),
    ("atomic-10", 77_000): dict(_LOW, warmup_steps=1000),
    ("atomic-10", 82_000): dict(_LOW, warmup_steps=1000, init_optimizer=True),
    # the lent H200 (2026-12-04): all four at once, 7 minutes (scripts/gpu_stages.py)
    ("naive-2", 32_000): GPU_STAGE, ("anchors-8", 32_000): GPU_STAGE, ("unified-mixed", 85_000): GPU_STAGE,
    ("atomic-10", 90_000): GPU_STAGE}
TRANSFER = ("naive-2", "anchors-8", "unified-mixed")
TRANSFER_SETTINGS = dict(preset="small", pretrain_steps=6000, finetune_games=25_600, finetune_epochs=2,
                         dtype="float32")
# Side runs beside a suite transfer run, shipped as tables only (no weights), each with one change:
# fine-tuning variants, NOT the study's protocol (labelled so wherever they show, transfer.variant_label),
# fine-tuned from the plain run's own pretraining; and a longer pretraining (the study's protocol at a
# larger scale, transfer.scale_label), which runs its own (in bfloat16 where the CPU computes it natively:
# 2.3x faster; float32 where it would be emulated, dtype_here).
VARIANTS = {"unified-mixed": {"block-1-attention-frozen": dict(freeze=["block 1 attention"]),
                               "pretrain-12000": dict(pretrain_steps=12_000, dtype="bfloat16"),
                               "pretrain-24000": dict(pretrain_steps=24_000, dtype="bfloat16")}}
SAMPLE_GAMES, SAMPLE_SEED = 30, 4242      # the fixed sample whose accuracy the shipped-checkpoint test recomputes
FULL_EVAL_GAMES = 500
MAX_SNAPSHOTS = 3          # snapshots shipped per model (each ~2.8 MB in float16)
SNAPSHOTS_SHIPPED = {"atomic-10": 2}  # fewer for the 10-language model: checkpoints/ stays under 60 MB
AOT_GAMES = 500            # probe-training games of the stored alignment-over-training table (the app's default)


def full_eval_games() -> np.ndarray:
    """The held-out games every shipped model's (and sweep point's) legal-move accuracy is measured on."""
    return heldout_games(FULL_EVAL_GAMES, seed=SAMPLE_SEED + 1)


def train_model(name: str, steps: int | None = None, progress: bool = True, until: int | None = None,
                config: Path | None = None) -> Path:
    """Train (or resume) runs/suite-NAME with the suite's settings (up to step `until` if given)."""
    run = runs_dir() / f"suite-{name}"
    if (run / "train.json").is_file():
        exp, tc = load_run_configs(run)
        if _finished(run, tc.total_steps):  # also a stage adopted from a shipped checkpoint (no state)
            return run
    else:
        exp = load_config(config or CONFIGS / f"{name}.toml")
        tc = TrainConfig(**{**SUITE_TRAINING, **({"steps": steps} if steps else {})})
    return train(exp, tc, run, resume=True, progress=progress, until=until)


def stage_ends(name: str) -> list[int]:
    """The steps a suite model's training stages end at: the first stage's, then STAGES'."""
    return [SUITE_TRAINING["steps"], *STAGES.get(name, ())]


def stage_run(name: str, k: int) -> Path:
    """The run folder of stage k (0: the first)."""
    return runs_dir() / (f"suite-{name}" if k == 0 else f"suite-{name}-to-{stage_ends(name)[k]}")


def dtype_here(settings: dict) -> dict:
    """`settings`, with a request for bfloat16 turned into float32 where this machine would emulate it.
    The later stages and the longer pretrainings ask for bfloat16 for its speed (2.3x float32 on a CPU
    with AVX512-BF16 or AMX); on a CPU without, it is about 17x SLOWER than float32 (train.bfloat16_emulated).
    The run's train.json records the dtype it trained in, and the report reads it from there."""
    if settings.get("dtype") == "bfloat16" and bfloat16_emulated(default_device()):
        return {**settings, "dtype": "float32"}
    return settings


def stage_settings(name: str, end: int) -> dict:
    """The settings of the stage of model `name` that ends at step `end`: STAGE_TRAINING's, then its own."""
    return {**STAGE_TRAINING, **STAGE_OVERRIDES.get((name, end), {})}


def stage_config(name: str, k: int) -> TrainConfig:
    """Stage k >= 1: the suite's settings with the stage's (stage_settings, dtype_here), from the end of
    stage k - 1."""
    ends = stage_ends(name)
    return TrainConfig(**{**SUITE_TRAINING, **dtype_here(stage_settings(name, ends[k])), "steps": ends[k],
                          "init_step": ends[k - 1], "init_from": str(stage_run(name, k - 1))})


def _finished(run: Path, step: int) -> bool:
    st = storage.read_json(run / "status.json") if (run / "status.json").is_file() else {}
    return st.get("state") == "finished" and st.get("step") == step


def adopt_shipped(name: str) -> int | None:
    """Make the shipped checkpoints/NAME the finished run of the stage it ends (when no run is there),
    so the stages after it continue from it instead of retraining the model from scratch. Returns the
    index of that stage, or None when the shipped model ends no stage or that stage's run exists."""
    src = checkpoints_dir() / name
    if not (src / META).is_file():
        return None
    meta = storage.read_json(src / META)
    ends = stage_ends(name)
    if meta.get("step") not in ends:
        return None
    k = ends.index(meta["step"])
    run = stage_run(name, k)
    if (run / "status.json").is_file():
        return None
    tmp = run.with_name(f".{run.name}.adopting")
    if tmp.exists():
        shutil.rmtree(tmp)
    shutil.copytree(src, tmp, ignore=shutil.ignore_patterns("analysis"))
    trained = meta.get("metrics", {}).get("trained", {})
    storage.write_json(tmp / "status.json", {
        **{k_: v for k_, v in trained.items() if v is not None}, "state": "finished", "step": meta["step"],
        "total": meta["step"], "adopted_from": _shown(src), "weights_dtype": meta.get("weights_dtype")})
    os.rename(tmp, run)
    return k


def _shown(path: Path) -> str:
    """A path as recorded in shipped metadata: relative to the project when inside it."""
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def train_stages(name: str, progress: bool = True, from_shipped: bool = False) -> Path:
    """Train (resuming) every stage of a suite model in turn; returns the last stage's run (finished or
    not). from_shipped: start from the shipped checkpoint where it ends a stage (adopt_shipped)."""
    first = 0
    if from_shipped:
        adopt_shipped(name)
        ends = stage_ends(name)
        first = max([k for k in range(len(ends)) if _finished(stage_run(name, k), ends[k])], default=0)
    run = train_model(name, progress=progress) if first == 0 else stage_run(name, first)
    for k in range(first + 1, len(stage_ends(name))):
        if not _finished(run, stage_ends(name)[k - 1]):
            return run
        run = stage_run(name, k)
        if (run / "train.json").is_file():
            exp, tc = load_run_configs(run)
            if _finished(run, tc.total_steps):
                continue
        else:
            exp, tc = load_config(CONFIGS / f"{name}.toml"), stage_config(name, k)
        train(exp, tc, run, resume=True, progress=progress)
    return run


def stage_history(run: Path) -> list[Path]:
    """The runs a run continues (train.json init_from with init_step), oldest first, then the run."""
    chain, seen = [Path(run)], set()
    while True:
        tc_path = chain[0] / "train.json"
        tc = storage.read_json(tc_path) if tc_path.is_file() else {}
        prev = tc.get("init_from")
        if not tc.get("init_step") or not prev or not (Path(prev) / "train.json").is_file() or prev in seen:
            return chain
        seen.add(prev)
        chain.insert(0, Path(prev))


def install(run, name: str | None = None, half: bool = True, alignment_games: int = 1000,
            aot_games: int = AOT_GAMES, snapshots: int | None = None, reference_probe: bool = True) -> Path:
    """Make checkpoints/NAME from a training run: weights (float16 if lossless), snapshots, metrics,
    alignment analysis (linear probes, and with `reference_probe` the study's MLP probe too), probes
    (float16 weights with `half`). Returns the checkpoint folder."""
    run = Path(run)
    name = name or run.name.removeprefix("suite-")
    snapshots = SNAPSHOTS_SHIPPED.get(name, MAX_SNAPSHOTS) if snapshots is None else snapshots
    device = default_device()
    src = load_checkpoint(run, device=device)
    games = full_eval_games()
    acc32 = legal_move_accuracy(src.model, src.vocab, games, device=device)
    dst = checkpoints_dir() / name
    tmp = checkpoints_dir() / f".{name}.installing"
    if tmp.exists():
        shutil.rmtree(tmp)
    training = src.meta["training"]
    status = storage.read_json(run / "status.json") if (run / "status.json").is_file() else {}
    save_checkpoint(tmp, src.model, src.vocab, training, src.step, src.metrics, half=half)
    ck = load_checkpoint(tmp, device=device)
    acc16 = legal_move_accuracy(ck.model, ck.vocab, games, device=device)
    if half and max(abs(acc16[k] - acc32[k]) for k in acc32) > 0.002:  # float16 lost accuracy: keep float32
        save_checkpoint(tmp, src.model, src.vocab, training, src.step, src.metrics, half=False)
        ck = load_checkpoint(tmp, device=device)
        acc16 = acc32
    for step, path in shipped_snapshots(run, src.step, snapshots):
        snap = load_checkpoint(path, device=device)
        save_checkpoint(tmp / "snapshots" / f"step-{step:09d}", snap.model, snap.vocab, snap.meta["training"],
                        step, snap.metrics, half=half)
    if (dst / META).is_file():
        carry_shipped_metrics(tmp, storage.read_json(dst / META))
    for extra in ("experiment.toml", "train.json"):
        if (run / extra).is_file():
            shutil.copy2(run / extra, tmp / extra)
    history = stage_history(run)
    storage.write_text(tmp / "metrics.jsonl", "".join(json.dumps(row) + "\n" for row in stage_metrics(history)))
    sample = heldout_games(SAMPLE_GAMES, seed=SAMPLE_SEED)
    metrics = {
        **ck.metrics,
        "legal_move_accuracy": acc16,
        "legal_move_accuracy_games": FULL_EVAL_GAMES,
        "legal_move_accuracy_float32": acc32,
        "sample_check": {"games": SAMPLE_GAMES, "seed": SAMPLE_SEED,
                         "legal_move_accuracy": legal_move_accuracy(ck.model, ck.vocab, sample, device=device)},
        "trained": {**{k: status.get(k) for k in ("started", "updated", "finished", "device", "state")},
                    **({"started": stages_trained(history)[0]["started"], "stages": stages_trained(history)}
                       if len(history) > 1 else {})},
    }
    _write_metrics(tmp, metrics)
    ck = load_checkpoint(tmp, device=device)
    al = load_or_compute_alignment(ck, "linear", "relative", alignment_games, device=device)
    if reference_probe:  # the study's 2-layer MLP probe beside it: is the colour missing, or only not linear?
        load_or_compute_alignment(ck, "mlp", "relative", alignment_games, device=device)
    metrics["alignment"] = alignment_summary(al)
    emb = embedding_similarity(ck)
    off = ~np.eye(len(emb["languages"]), dtype=bool)
    metrics["embedding_similarity"] = {
        "same_move_cross_lingual": float(emb["same_move"][off].mean()) if off.any() else None,
        "different_move_cross_lingual": float(emb["different_move"][off].mean()) if off.any() else None}
    _write_metrics(tmp, metrics)
    # the Probe boards page's default probes (linear, relative, every layer) and alignment over training at
    # the snapshots as the Transfer page shows it by default: instant in the app
    for li in ck.config.input_languages:
        load_or_train_layer_probes(ck, li, "linear", "relative", alignment_games, device=device)
    # where along a game the colour is lost, with those probes at the layer the report reads (FINDINGS.md)
    load_or_compute_colour_by_move(ck, metrics["alignment"]["best_layer"], alignment_games, device=device)
    if reference_probe:  # and is the probe short of games: the same probes on four times as many (FINDINGS.md)
        load_or_compute_probe_games(ck, metrics["alignment"]["best_layer"], (alignment_games, 4 * alignment_games),
                                    device=device)
    load_or_compute_alignment_over_training(tmp, layer=ck.model.cfg.n_layer, n_train=aot_games, device=device)
    # the ends of earlier stages that ship (a stage run right after the one before it was never installed):
    # their headline numbers, so the report can say what the last stage bought and compare at matched steps
    ends = {s["to"] for s in (metrics["trained"].get("stages") or [])[:-1]}
    for step, snap in list_snapshots(tmp):
        if step in ends and "alignment" not in read_meta(snap).get("metrics", {}):
            analyse_stage_end(snap, games, alignment_games, device)
    if half:  # the stored probes' weights in float16: half the size, predictions unchanged (test_probes)
        for folder in sorted((tmp / "analysis" / "probes").glob("*/")):
            BoardProbe.load(folder).save(folder, half=True)
    if dst.exists():
        shutil.rmtree(dst)
    tmp.rename(dst)
    return dst


def shipped_snapshots(run, final_step: int, keep: int = MAX_SNAPSHOTS) -> list[tuple[int, Path]]:
    """The run's snapshots that ship (pick_snapshots): a run that continues earlier stages adds their
    snapshots and their final models."""
    history = stage_history(run)
    snaps = {}
    for r in history:
        snaps.update(dict(list_snapshots(r)))
    ends = [read_meta(r)["step"] for r in history[:-1]]
    snaps.update({step: r for step, r in zip(ends, history[:-1])})
    # a stage adopted from a shipped checkpoint brings the ends of the stages before it in its metadata
    # (their runs are not here; their final models are among its snapshots)
    ends = sorted(set(ends) | {s["to"] for r in history[:-1] for s in training_stages(read_meta(r))
                               if s.get("to") not in (None, final_step)})
    return [(s, snaps[s]) for s in pick_snapshots(list(snaps), ends, final_step, keep, matched_steps())]


def matched_steps() -> set[int]:
    """The steps at which every suite model ends a stage: where the report compares the models at matched
    steps (findings.matched_ordering), so a longer-trained model's stage end there ships."""
    return set.intersection(*(set(stage_ends(n)) for n in SUITE))


def pick_snapshots(steps: list[int], ends: list[int], final_step: int, keep: int,
                   matched: set[int] | frozenset = frozenset()) -> list[int]:
    """Which of a model's snapshot steps ship: not the final step (that is the checkpoint itself), at most
    `keep` (the size budget of checkpoints/). First the ends of earlier stages (where each stage begins):
    the latest, then those at a `matched` step (where another suite model ends: the report compares
    there), then the others, latest first, keeping room for the earliest snapshot (alignment before it
    emerged); the rest spread over the later snapshots, up to the last. Sorted."""
    steps = sorted(set(steps) - {final_step})
    ends = sorted(s for s in set(ends) if s in steps)
    if keep <= 0 or not steps:
        return []
    ranked = ends[-1:] + sorted((e for e in ends[:-1] if e in matched), reverse=True) + \
        sorted((e for e in ends[:-1] if e not in matched), reverse=True)
    first = ranked[:max(keep - 1, 1)]
    if keep > 1 and steps[0] not in first:
        first.append(steps[0])
    rest = [s for s in steps if s not in first]
    n = keep - len(first)
    if len(rest) > n:
        rest = [rest[i] for i in np.linspace(0, len(rest) - 1, n + 1)[1:].round().astype(int)] if n else []
    return sorted(first + rest)


def stage_metrics(history: list[Path]) -> list[dict]:
    """The metrics rows of a model trained in stages, each stage's rows after the previous stage's end."""
    from .train import read_metrics

    rows, last = [], -1
    for r in history:
        new = [row for row in read_metrics(r) if row.get("step", 0) > last]
        rows += new
        last = max([last] + [row.get("step", 0) for row in new])
    return rows


def stages_trained(history: list[Path]) -> list[dict]:
    """Per stage: its steps, learning rate, batch, number format, device, when it ran (and, for a stage taken
    from a shipped checkpoint, where from)."""
    out = []
    for r in history:
        tc = storage.read_json(r / "train.json")
        st = storage.read_json(r / "status.json") if (r / "status.json").is_file() else {}
        shipped = read_meta(r).get("metrics", {}).get("trained", {}).get("stages") if st.get("adopted_from") else None
        if shipped:  # a shipped model adopted as a stage: the stages it was trained in (those recorded before
            # stages recorded their batch all trained at the suite's)
            out += [{**x, "batch_size": x.get("batch_size") or SUITE_TRAINING["batch_size"]} for x in shipped]
            continue
        out.append({"from": tc.get("init_step") or 0, "to": st.get("step"), "lr": tc.get("lr"),
                    "min_lr": tc.get("min_lr"), "warmup_steps": tc.get("warmup_steps"), "dtype": tc.get("dtype"),
                    **({"init_optimizer": True} if tc.get("init_optimizer") else {}),
                    "batch_size": tc.get("batch_size"), "device": st.get("device"),
                    **({"device_name": st["device_name"]} if st.get("device_name") else {}),
                    "started": st.get("started"),
                    "finished": st.get("finished"), **({"adopted_from": st["adopted_from"]}
                                                        if st.get("adopted_from") else {})})
    return out


def alignment_summary(al) -> dict:
    """The headline numbers of an alignment analysis per layer, as checkpoint.json records them (null where
    one was not measured: cross-lingual numbers of a one-language model, the random model when skipped)."""
    layers = {}
    for x in al.layers:
        row = {"in_language": al.mean_diag(x), "cross_lingual": al.mean_cross(x),
               "aligned_rotation": al.mean_cross(x, aligned=True),
               "colour_in_language": al.mean_diag(x, colour=True),
               "colour_cross_lingual": al.mean_cross(x, colour=True),
               "baseline_majority": al.baseline_majority["accuracy"],
               "baseline_random_model": al.baseline_random_model[x]["accuracy"]}
        layers[str(x)] = storage.finite({k: float(v) for k, v in row.items()})  # not measured: null, not NaN
    return {"probe": "linear, relative (empty/mine/theirs)", "best_layer": al.best_layer(), "layers": layers}


def analyse_stage_end(snap: Path, games: np.ndarray, alignment_games: int, device=None) -> None:
    """Record in a shipped snapshot's checkpoint.json what the final model records: legal-move accuracy
    on the full held-out games and the alignment summary (the analysis itself is not stored: size)."""
    ck = load_checkpoint(snap, device=device)
    al = alignment(ck, kind="linear", labels="relative", n_train=alignment_games, device=device)
    acc = legal_move_accuracy(ck.model, ck.vocab, games, device=device)
    _write_metrics(snap, {**ck.metrics, "legal_move_accuracy": acc, "legal_move_accuracy_games": len(games),
                          "alignment": alignment_summary(al)})


def carry_shipped_metrics(folder: Path, shipped: dict) -> list[int]:
    """A snapshot with the very weights of the checkpoint shipped before (the end of the previous stage:
    same weights_sha256) takes that checkpoint's metrics (its alignment analysis, full evaluation), so the
    report can say what the last stage bought. Returns the steps it updated."""
    done = []
    for step, snap in list_snapshots(folder):
        meta = read_meta(snap)
        if meta.get("weights_sha256") == shipped.get("weights_sha256") and "alignment" not in meta.get("metrics", {}):
            _write_metrics(snap, shipped["metrics"])
            done.append(step)
    return done


def _write_metrics(path: Path, metrics: dict) -> None:
    meta = storage.read_json(path / META)
    meta["metrics"] = metrics
    storage.write_json(path / META, meta)


def run_transfer_suite(name: str, progress: bool = True, variant: str | None = None) -> Path:
    """runs/suite-transfer-NAME (resuming), or with `variant` (VARIANTS) runs/suite-transfer-NAME-VARIANT:
    a variant that changes the pretraining runs its own; one that changes only the fine-tuning starts from
    the plain run's pretraining (which is run first if it is not there yet)."""
    exp = load_config(CONFIGS / f"{name}.toml")
    out = runs_dir() / f"suite-transfer-{name}"
    tc = TransferConfig(finetune_language=exp.input_languages[0], **TRANSFER_SETTINGS)
    if variant is None:
        return run_transfer(exp, tc, out, resume=True, progress=progress)
    vtc = TransferConfig.from_dict({**tc.to_dict(), **dtype_here(VARIANTS[name][variant])})
    vout = runs_dir() / f"suite-transfer-{name}-{variant}"
    if vtc.pretrain_config() != tc.pretrain_config():  # a pretraining variant runs its own pretraining
        return run_transfer(exp, vtc, vout, resume=True, progress=progress)
    done = out / "pretrain" / "status.json"
    if not done.is_file() or storage.read_json(done).get("state") != "finished":
        run_transfer_suite(name, progress=progress)
    return run_transfer(exp, vtc, vout, resume=True, progress=progress, pretrained=out / "pretrain")


def install_transfer(run, name: str, weights: bool = True) -> Path:
    """checkpoints/transfer-NAME: the table, the settings, and the final fine-tuned model (float16, with
    its accuracy on the fixed sample that tests/test_shipped.py recomputes), and which language that
    model answers the other languages in (transfer.answer_languages, measured on the shipped weights), and
    where in the weights fine-tuning's effect sits (transfer.restore_parts: it needs the pretrained model,
    which stays in the run, so it is measured there and its table ships). A side run (VARIANTS,
    weights=False) ships its tables only, all measured in the run."""
    run = Path(run)
    dst = checkpoints_dir() / f"transfer-{name}"
    tmp = checkpoints_dir() / f".transfer-{name}.installing"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    for f in ("transfer.csv", "transfer.json", "experiment.toml", "status.json"):
        shutil.copy2(run / f, tmp / f)
    if not (run / RESTORED).is_file():
        store_restored_parts(run)
    if weights:
        ck = load_checkpoint(run / "finetune")
        save_checkpoint(tmp / "finetune", ck.model, ck.vocab, ck.meta["training"], ck.step, ck.metrics, half=True)
        ck = load_checkpoint(tmp / "finetune")
        sample = heldout_games(SAMPLE_GAMES, seed=SAMPLE_SEED)
        _write_metrics(tmp / "finetune", {**ck.metrics, "sample_check": {
            "games": SAMPLE_GAMES, "seed": SAMPLE_SEED,
            "legal_move_accuracy": legal_move_accuracy(ck.model, ck.vocab, sample)}})
        store_answer_languages(tmp)
    elif not (run / ANSWERS).is_file():
        store_answer_languages(run)
    for f in (RESTORED, ANSWERS):
        if (run / f).is_file() and not (tmp / f).is_file():
            shutil.copy2(run / f, tmp / f)
    if dst.exists():
        shutil.rmtree(dst)
    tmp.rename(dst)
    return dst


def folder_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 1e6


def part_names() -> list[str]:
    """What `build(only=...)` (`suite --only`) accepts: the models, their transfer runs and fine-tuning
    variants and longer pretrainings, and the anchor sweep."""
    return [*SUITE, *(f"transfer-{n}" for n in TRANSFER),
            *(f"transfer-{n}-{v}" for n, vs in VARIANTS.items() for v in vs), "anchor-sweep"]


def build(only: list[str] | None = None, progress: bool = True, from_shipped: bool = False) -> list[Path]:
    """Train (resuming) and install the whole suite, or the models named in `only`. from_shipped: a
    model's later stages continue from its shipped checkpoint where it ends a stage (adopt_shipped)."""
    unknown = sorted(set(only or ()) - set(part_names()))
    if unknown:
        raise ValueError(f"no suite part named {', '.join(unknown)}; the parts: {' '.join(part_names())}")
    done = []
    for name in SUITE:
        if only and name not in only:
            continue
        run = train_stages(name, progress=progress, from_shipped=from_shipped)
        st = storage.read_json(run / "status.json")
        if st.get("state") != "finished":
            print(f"{name}: {st.get('state')} at step {st.get('step')}; run `make demo-suite` again to resume")
            return done
        done.append(install(run, name))
    for name in TRANSFER:
        if only and f"transfer-{name}" not in only:
            continue
        run = run_transfer_suite(name, progress=progress)
        st = storage.read_json(run / "status.json")
        if st.get("state") != "finished":
            print(f"transfer-{name}: {st.get('state')}; run `make demo-suite` again to resume")
            return done
        done.append(install_transfer(run, name))
    for name, variants in VARIANTS.items():
        for variant in variants:
            if only and f"transfer-{name}-{variant}" not in only:
                continue
            run = run_transfer_suite(name, progress=progress, variant=variant)
            if storage.read_json(run / "status.json").get("state") != "finished":
                print(f"transfer-{name}-{variant}: not finished; run `make demo-suite` again to resume")
                return done
            done.append(install_transfer(run, f"{name}-{variant}", weights=False))
    if not only or "anchor-sweep" in only:
        out = build_sweep(progress=progress)
        if out is None:
            return done
        done.append(out)
    print(f"checkpoints/ holds {folder_size_mb(checkpoints_dir()):.1f} MB")
    return done


def build_sweep(until: int | None = None, progress: bool = True) -> Path | None:
    """The anchor sweep (mothello.sweep): train its runs (resuming) up to `until`, then measure all five
    at that step into checkpoints/anchor-sweep. None when a run stopped before it got there."""
    from . import sweep

    until = until or sweep.STEP
    steps = sorted(snapshot_steps(TrainConfig(**SUITE_TRAINING)))
    if until not in steps:  # checked before anything trains: only snapshot steps can be compared
        raise ValueError(f"--until {until}: the sweep compares its models at a snapshot step of the suite's "
                         f"schedule, one of {', '.join(f'{s:,}' for s in steps)}")
    for run in sweep.train(until=until, progress=progress):
        st = storage.read_json(run / "status.json")
        if st.get("step", 0) < until:
            print(f"{run.name}: {st.get('state')} at step {st.get('step')}; run it again to resume")
            return None
    return sweep.build(step=until, progress=progress)


def summary() -> list[dict]:
    """One row per shipped checkpoint: name, step, legal-move accuracy, best-layer alignment."""
    rows = []
    for p in sorted(Path(checkpoints_dir()).glob("*/" + META)):
        meta = storage.read_json(p)
        m = meta.get("metrics", {})
        acc = m.get("legal_move_accuracy", {})
        al = m.get("alignment", {})
        best = al.get("layers", {}).get(str(al.get("best_layer")), {})
        rows.append({"name": p.parent.name, "step": meta.get("step"),
                     "legal_move_accuracy": float(np.mean(list(acc.values()))) if acc else None, **best})
    return rows
