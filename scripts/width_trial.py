"""From-scratch trials on this machine: is the colour of the discs a matter of width, or of target noise?

The width trial, and with --objective an objective trial (is it the noise of the next-token target?).

One suite model is trained from scratch at several shapes with the same recipe (the suite's first stage:
batch 64, peak lr 1.5e-3, warm-up 500, cosine to 1.5e-4) on the same stream of fresh games, one shape
after the other (the cores are shared: never two trainings at once). Each run's snapshots along training
are analysed with the shipped models' protocol (linear probes on relative labels, 1,000 training games per
language, every layer; legal moves on the suite's 500 held-out games), so the shapes compare after as many
games AND after as much training time. The numbers go to checkpoints/width-trials/runs.json, which the
report reads (FINDINGS "Is it width?"); the weights do not ship. With --objective legal-set the same runs
train on the next move's exact distribution instead of the sampled move (train.OBJECTIVES), recorded beside
the next-token runs (FINDINGS "Is it the noise of the target?").

    python scripts/width_trial.py                              # train (resuming), analyse, record
    python scripts/width_trial.py --shapes 3x192,3x384 --steps 5000 --model unified-mixed
    python scripts/width_trial.py --shapes 3x192 --objective legal-set
    python scripts/width_trial.py --record-only                # analyse and record the runs that are there

The runs live in runs/width-trials/scratch-MODEL-LxW[-OBJECTIVE]; a killed training resumes where it stopped, an
analysis already made is kept beside its snapshot (width.json, keyed by the weights).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]
from gpu_stages import scratch_shape  # noqa: E402 - '6' (the suite's width) or '3x384' (heads 32 wide)

WIDTH_SHAPES = "3x192,3x384"   # the shipped shape, and twice as wide
STEPS = 5000


def shape(spec: str) -> dict:
    """A shape (gpu_stages.scratch_shape) with every dimension named: '3' is 3 layers at the small preset's
    width. ValueError, in one line, for a bad one."""
    from mothello.model import PRESETS

    return {k: PRESETS["small"][k] for k in ("n_layer", "n_head", "d_model")} | scratch_shape(spec, flag="--shapes")


def recipe(spec: str, steps: int = STEPS, **over):
    """The TrainConfig of one shape: the suite's first stage, cut to `steps`, at shape `spec`, in the number
    format this machine computes fastest ("auto")."""
    from mothello.suite import SUITE_TRAINING
    from mothello.train import TrainConfig

    return TrainConfig(**{**SUITE_TRAINING, "steps": steps, "dtype": "auto", **shape(spec), **over})


def run_dir(model: str, spec: str, objective: str = "next-token") -> Path:
    from mothello.suite import runs_dir

    s = shape(spec)
    tail = "" if objective == "next-token" else f"-{objective}"
    return runs_dir() / "width-trials" / f"scratch-{model}-{s['n_layer']}x{s['d_model']}{tail}"


def train_shape(model: str, spec: str, steps: int = STEPS, progress: bool = True, objective: str = "next-token",
                **over) -> Path:
    """Train (or resume; nothing when finished) suite model `model` from scratch at shape `spec`, with the
    training objective `objective` (train.OBJECTIVES)."""
    from mothello.languages import load_config
    from mothello.suite import CONFIGS, _finished
    from mothello.train import train

    run = run_dir(model, spec, objective)
    tc = recipe(spec, steps, objective=objective, **over)
    if _finished(run, tc.total_steps):
        return run
    return train(load_config(CONFIGS / f"{model}.toml"), tc, run, resume=True, progress=progress)


def point(snap: Path, n_train: int = 1000) -> dict:
    """One snapshot's numbers: its step, its held-out legal moves and the alignment analysis at every layer
    (gpu_stages.analysed: computed once, saying so, a minute or two each for the `small` shapes on a
    laptop, and kept beside it in width.json, keyed by the weights and n_train)."""
    from gpu_stages import analysed

    from mothello import suite
    from mothello.checkpoints import load_checkpoint
    from mothello.evaluate import legal_move_accuracy

    ck = load_checkpoint(snap)
    cache = snap / "width.json"
    fresh = not cache.is_file()
    if fresh:
        print(f"analysing {snap.parent.parent.name} at step {ck.step:,} ...", end=" ", flush=True)
    done = analysed(ck, cache, n_train, more=lambda c: {
        "legal_move_accuracy": legal_move_accuracy(c.model, c.vocab, suite.full_eval_games())})
    if fresh:
        print(f"{done['analysis_s']:.0f} s", flush=True)
    return {"step": ck.step, "legal_move_accuracy": done["legal_move_accuracy"], "alignment": done["alignment"]}


def width_record(run: Path, n_train: int = 1000) -> dict:
    """A width-trial run as the report reads it: its shape, recipe, where it trained, its wall-clock time
    (its log: findings.training_hours), its measured speed, and its snapshots' numbers (point) by step,
    each with the training time it takes to get there at that speed."""
    import torch

    from mothello import storage
    from mothello.checkpoints import list_snapshots, load_checkpoint
    from mothello.findings import training_hours
    from mothello.train import TrainConfig, use_bfloat16

    tc, st = storage.read_json(run / "train.json"), storage.read_json(run / "status.json")
    if st.get("state") != "finished":
        raise ValueError(f"{run}: its training has not finished (state {st.get('state')!r}); run it to the end first")
    model = load_checkpoint(run).model
    cfg = model.cfg
    return {"experiment": st["experiment"], "objective": tc.get("objective", "next-token"),
            "n_layer": cfg.n_layer, "d_model": cfg.d_model, "n_head": cfg.n_head,
            "params": model.n_params, "steps": st["step"], "batch_size": tc["batch_size"],
            "lr": tc["lr"], "min_lr": tc["min_lr"], "warmup_steps": tc["warmup_steps"],
            "dtype": "bfloat16" if use_bfloat16(TrainConfig.from_dict(tc), torch.device(st.get("device") or "cpu")) else "float32",
            "device": st.get("device_name") or ("CPU" if st.get("device") == "cpu" else st.get("device")),
            "threads": torch.get_num_threads() if st.get("device") == "cpu" else None, "torch": torch.__version__,
            "train_s": _seconds(training_hours(run)), "tokens_per_s": st.get("tokens_per_s"),
            "started": st["started"], "probe_games": n_train,
            "measured": (speed := measured(run)),
            "points": [{**point(snap, n_train), "train_s": step / speed["steps_per_s"]}
                       for step, snap in list_snapshots(run)]}


def _seconds(hours: float | None) -> float | None:
    return hours * 3600 if hours is not None else None


def measured(run: Path, warmup: int = 10, timed: int = 40) -> dict:
    """The run's training speed on this machine (gpu_stages.measure: its model, batch and number format,
    data generation included), measured once with nothing else training and kept beside it (speed.json).
    The report times the shapes by it, not by their logs: a log also counts whatever else shared the cores."""
    from gpu_stages import measure

    from mothello import storage
    from mothello.train import load_run_configs

    cache = run / "speed.json"
    if not cache.is_file():
        exp, tc = load_run_configs(run)
        storage.write_json(cache, measure(exp, tc, warmup=warmup, timed=timed))
    return storage.read_json(cache)


def _key(r: dict) -> tuple:
    """What a recorded run stands for: its model, shape and objective (a newer record of it replaces it)."""
    from mothello.findings.numbers import run_objective

    return r["experiment"], r["n_layer"], r["d_model"], run_objective(r)


def record(runs: list[Path], n_train: int = 1000) -> Path:
    """Record width-trial run folders in checkpoints/width-trials/runs.json: each replaces the record of
    the same model, shape and objective, and the other records stay (their folders may be long gone)."""
    from mothello import storage
    from mothello.checkpoints import checkpoints_dir
    from mothello.findings import WIDTH_RUNS

    path = checkpoints_dir() / WIDTH_RUNS
    new = [width_record(r, n_train) for r in runs]
    kept = [r for r in storage.read_json_if_any(path).get("runs", []) if _key(r) not in {_key(x) for x in new}]
    storage.write_json(path, {"runs": kept + new})
    return path


def main(argv=None) -> int:
    from mothello.train import OBJECTIVES

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="unified-mixed", help="the suite model (configs/NAME.toml)")
    ap.add_argument("--shapes", default=WIDTH_SHAPES, help="comma-separated layers x width, e.g. 3x192,3x384")
    ap.add_argument("--steps", type=int, default=STEPS, help="training steps of each shape (batch 64)")
    ap.add_argument("--objective", default="next-token", choices=OBJECTIVES,
                    help="the training objective (legal-set: the next move's exact distribution)")
    ap.add_argument("--record-only", action="store_true", help="analyse and record the runs there, train nothing")
    args = ap.parse_args(argv)
    from mothello.suite import CONFIGS

    try:
        specs = [s for s in args.shapes.split(",") if s.strip()]
        for s in specs:
            shape(s)
    except ValueError as e:
        ap.error(str(e))
    if not (CONFIGS / f"{args.model}.toml").is_file():
        ap.error(f"--model {args.model}: no configs/{args.model}.toml")
    if args.steps < 1:
        ap.error("--steps must be at least 1")
    runs = [run_dir(args.model, s, args.objective) for s in specs] if args.record_only else \
        [train_shape(args.model, s, args.steps, objective=args.objective) for s in specs]
    missing = [str(r) for r in runs if not (r / "status.json").is_file()]
    if missing:
        ap.error(f"no run in {', '.join(missing)}: train it first (without --record-only)")
    try:
        print(record(runs))
    except ValueError as e:
        ap.error(str(e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
