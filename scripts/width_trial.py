"""From-scratch trials on this machine: is the colour of the discs a matter of width, of target noise, of the
learning rate, or of how many languages share the games?

The width trial, with --objective an objective trial (is it the noise of the next-token target?), and with
--model over several suite models at one shape the pooling trial (do the languages share their games? the
one-language configs/mono-1.toml against two, four and ten languages, naive, anchored or with unified output).

One suite model is trained from scratch at several shapes with the same recipe (the suite's first stage:
batch 64, peak lr 1.5e-3, warm-up 500, cosine to 1.5e-4) on the same stream of fresh games, one shape
after the other (the cores are shared: never two trainings at once). Each run's snapshots along training
are analysed with the shipped models' protocol (linear probes on relative labels, 1,000 training games per
language, every layer; legal moves on the suite's 500 held-out games), so the shapes compare after as many
games AND after as much training time. The numbers go to checkpoints/width-trials/runs.json, which the
report reads (FINDINGS "Is it width?"); the weights do not ship. With --objective legal-set the same runs
train on the next move's exact distribution instead of the sampled move (train.OBJECTIVES), recorded beside
the next-token runs (FINDINGS "Is it the noise of the target?"); a longer legal-set run with no next-token run
of its length carries the exact target further, beside the shipped model (FINDINGS "The exact target carried
further"). Runs of other models (--model) at the one-language model's shape and recipe make the pooling trial
(FINDINGS "Do the languages share their games?").
With --lr the same run trains at another peak learning rate, its cosine to a tenth of it (FINDINGS "Is it the
learning rate?"), beside the run at the suite's rate. With --batch it trains at another batch, the rates and warm-up
(in steps) the suite's; with --steps scaled so that steps x batch stays the same, over the same games as the run at
the suite's batch (FINDINGS "Is it the batch?"). With --weight-decay it trains at another AdamW weight decay, the
rest the suite's (FINDINGS "Is it the weight decay?"). A run at another width with the depth ladder's recipe, with
--speed-beside the ladder's shapes measured back to back with it on this machine, sets depth against cost (FINDINGS
"Is it the depth or the size?"). A run of the width trial's own recipe (next-token) at more layers of its width, with
--speed-beside its shallow shape, sets the depth under the sampled move beside the ladder's (FINDINGS "Does the
objective let the depth count?"); the same with --objective legal-set makes that trial two depths by two objectives
on one recipe.

    python scripts/width_trial.py                              # train (resuming), analyse, record
    python scripts/width_trial.py --shapes 3x192,3x384 --steps 5000 --model unified-mixed
    python scripts/width_trial.py --shapes 3x192 --objective legal-set
    python scripts/width_trial.py --shapes 3x192 --objective legal-set --steps 24000   # carried further
    python scripts/width_trial.py --shapes 3x192 --objective legal-set --steps 24000 --carry-on 24000   # and on
    python scripts/width_trial.py --model mono-1 --shapes 3x192     # the pooling trial: one run per model
    python scripts/width_trial.py --shapes 3x192 --objective legal-set --lr 0.003   # the learning-rate trial
    python scripts/width_trial.py --shapes 2x192 --objective legal-set --steps 48000 --batch 32   # the batch trial
    python scripts/width_trial.py --shapes 3x192 --objective legal-set --weight-decay 0   # the weight-decay trial
    python scripts/width_trial.py --shapes 8x96 --objective legal-set --steps 24000 --speed-beside 3x192,4x192
    python scripts/width_trial.py --shapes 6x192 --speed-beside 3x192   # the depth under the sampled move
    python scripts/width_trial.py --shapes 6x192 --objective legal-set --speed-beside 3x192   # and on the exact target
    python scripts/width_trial.py --continue --objective legal-set   # the shipped model trained on
    python scripts/width_trial.py --record-only                # analyse and record the runs that are there
    python scripts/width_trial.py --merge DIR/records.json     # add runs recorded on a lent GPU (gpu_ladder.py)

With --continue, the shipped model itself trains on from its step with the objective (CONTINUE: one recipe,
its stream of games goes on), into runs/width-trials/continued-MODEL-from-STEP-OBJECTIVE; its record starts
with the shipped model's own analysis (FINDINGS "A trained model on the exact target").

With --carry-on STEPS[,STEPS...], a finished run from scratch trains on from its last step, each stage a later
stage as the shipped models' are (a warm restart of the learning rate: suite.STAGE_TRAINING), at the run's
batch, its AdamW moments carried over, on the next games of its stream, into RUN-to-END beside it; the report
reads the stages as the run carried on past the end of its schedule (FINDINGS "The exact target carried
further"). Sessions can go on from there: `--carry-on 24000,24000` trains the second stage from the first's end.
A stage written STEPS@LR warms up to peak LR instead (its cosine to a tenth of it), into RUN-to-END-lr-LR:
`--carry-on 24000,48000,24000@0.0002` trains a third stage with a gentler warm restart.

The runs live in runs/width-trials/scratch-MODEL-LxW[-OBJECTIVE][-STEPS-steps][-lr-LR][-batch-B][-wd-WD]; a killed training
resumes where it stopped, an analysis already made is kept beside its snapshot (width.json, keyed by the
weights).
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


def shape(spec: str, flag: str = "--shapes") -> dict:
    """A shape (gpu_stages.scratch_shape) with every dimension named: '3' is 3 layers at the small preset's
    width. ValueError, in one line naming `flag` (the option it came from), for a bad one."""
    from mothello.model import PRESETS

    return {k: PRESETS["small"][k] for k in ("n_layer", "n_head", "d_model")} | scratch_shape(spec, flag=flag)


def recipe(spec: str, steps: int = STEPS, **over):
    """The TrainConfig of one shape: the suite's first stage, cut to `steps`, at shape `spec`, in the number
    format this machine computes fastest ("auto")."""
    from mothello.suite import SUITE_TRAINING
    from mothello.train import TrainConfig

    return TrainConfig(**{**SUITE_TRAINING, "steps": steps, "dtype": "auto", **shape(spec), **over})


def lr_rates(lr: float | None = None) -> dict:
    """The peak learning rate and the cosine's end (a tenth of it, as the suite's); {} for the suite's own.
    ValueError, in one line, for a rate that is not positive."""
    from mothello.suite import SUITE_TRAINING

    if lr is None or lr == SUITE_TRAINING["lr"]:
        return {}
    if not lr > 0:
        raise ValueError(f"--lr must be positive, not {lr}")
    return {"lr": lr, "min_lr": lr / 10}


def batch_size(batch: int | None = None) -> dict:
    """The batch of a run from scratch: {} for the suite's own (SUITE_TRAINING), else {"batch_size": batch}.
    ValueError, in one line, for a batch under 1."""
    from mothello.suite import SUITE_TRAINING

    if batch is None or batch == SUITE_TRAINING["batch_size"]:
        return {}
    if batch < 1:
        raise ValueError(f"--batch must be at least 1, not {batch}")
    return {"batch_size": batch}


def decay(weight_decay: float | None = None) -> dict:
    """The AdamW weight decay of a run from scratch: {} for the suite's own (TrainConfig's), else
    {"weight_decay": weight_decay}. ValueError, in one line, for a negative one."""
    from mothello.train import TrainConfig

    if weight_decay is None or weight_decay == TrainConfig.weight_decay:
        return {}
    if not weight_decay >= 0:
        raise ValueError(f"--weight-decay must be 0 or more, not {weight_decay}")
    return {"weight_decay": weight_decay}


def run_dir(model: str, spec: str, objective: str = "next-token", steps: int = STEPS, lr: float | None = None,
            batch: int | None = None, weight_decay: float | None = None) -> Path:
    """runs/width-trials/scratch-MODEL-LxW[-OBJECTIVE][-STEPS-steps][-lr-LR][-batch-B][-wd-WD]: a run of other
    than STEPS steps is another run (the learning rate's schedule spans the run), kept beside the trial's; so is a
    run at another peak learning rate than the suite's (the learning-rate trial), at another batch (the batch
    trial), or at another weight decay (the weight-decay trial)."""
    from mothello.suite import runs_dir

    s = shape(spec)
    tail = ("" if objective == "next-token" else f"-{objective}") + ("" if steps == STEPS else f"-{steps}-steps") \
        + (f"-lr-{lr:g}" if lr_rates(lr) else "") + (f"-batch-{batch}" if batch_size(batch) else "") \
        + (f"-wd-{weight_decay:g}" if decay(weight_decay) else "")
    return runs_dir() / "width-trials" / f"scratch-{model}-{s['n_layer']}x{s['d_model']}{tail}"


def train_shape(model: str, spec: str, steps: int = STEPS, progress: bool = True, objective: str = "next-token",
                lr: float | None = None, batch: int | None = None, weight_decay: float | None = None, **over) -> Path:
    """Train (or resume; nothing when finished) suite model `model` from scratch at shape `spec`, with the
    training objective `objective` (train.OBJECTIVES), at peak learning rate `lr` (lr_rates; None: the
    suite's), batch `batch` (batch_size; None: the suite's) and AdamW weight decay `weight_decay` (decay; None:
    the suite's)."""
    from mothello.languages import load_config
    from mothello.suite import CONFIGS, _finished
    from mothello.train import train

    run = run_dir(model, spec, objective, steps, lr, batch, weight_decay)
    tc = recipe(spec, steps, objective=objective, **lr_rates(lr), **batch_size(batch), **decay(weight_decay), **over)
    if _finished(run, tc.total_steps):
        return run
    return train(load_config(CONFIGS / f"{model}.toml"), tc, run, resume=True, progress=progress)


# --continue: the shipped model trained on from its last step with each objective, one recipe, the same games
# (its stream goes on): does the exact target teach a long-trained model the colour faster? Batch 256 (a
# quarter of its last stage's, the games per second this machine trains at do not depend on it much), its
# last stage's peak rate scaled by the square root of the batch, warm-up 100, cosine to a tenth.
CONTINUE = dict(batch_size=256, lr=3e-4, min_lr=3e-5, warmup_steps=100, snapshots=[1 / 3, 2 / 3, 1.0],
                eval_every=250, checkpoint_every=100)
CONTINUE_STEPS = 1500


def continued_dir(model: str, start: int, objective: str) -> Path:
    from mothello.suite import runs_dir

    return runs_dir() / "width-trials" / f"continued-{model}-from-{start}-{objective}"


def continued_recipe(model: str, steps: int = CONTINUE_STEPS, objective: str = "next-token", **over):
    """The TrainConfig that trains the shipped suite model `model` (its shape, from its step) on for `steps`
    more steps (CONTINUE) with the training objective `objective`."""
    from mothello.checkpoints import checkpoints_dir, load_checkpoint
    from mothello.suite import SUITE_TRAINING
    from mothello.train import TrainConfig

    shipped = checkpoints_dir() / model
    ck = load_checkpoint(shipped)
    shape = {k: getattr(ck.model.cfg, k) for k in ("n_layer", "n_head", "d_model")}
    return TrainConfig(**{**SUITE_TRAINING, **CONTINUE, "dtype": "auto", **shape, "objective": objective,
                          "init_from": str(shipped), "init_step": ck.step, "steps": ck.step + steps, **over})


def train_continued(model: str, steps: int = CONTINUE_STEPS, objective: str = "next-token",
                    progress: bool = True, **over) -> Path:
    """Train (or resume; nothing when finished) the shipped suite model `model` on from its step for
    `steps` more steps (continued_recipe) with the training objective `objective`."""
    from mothello.languages import load_config
    from mothello.suite import CONFIGS, _finished
    from mothello.train import train

    tc = continued_recipe(model, steps, objective, **over)
    run = continued_dir(model, tc.init_step, objective)
    if _finished(run, tc.total_steps):
        return run
    return train(load_config(CONFIGS / f"{model}.toml"), tc, run, resume=True, progress=progress)


# --carry-on: a finished run from scratch trained on from its last step, a later stage as the suite's (a warm
# restart: STAGE_TRAINING's rates), at the run's batch, with its AdamW moments carried over, on the next games of
# its stream: how the colour goes on past the end of the run's schedule (FINDINGS "The exact target carried
# further").
CARRY_ON = dict(snapshots=[0.25, 0.5, 1.0], init_optimizer=True)


def carried_dir(run: Path, steps: int, lr: float | None = None) -> Path:
    """RUN-to-END beside the run from scratch it trains on from (or from that run's stage RUN-to-STEP[-lr-LR]):
    END its step after `steps` more steps; RUN-to-END-lr-LR for a stage warming up to its own peak `lr`.
    ValueError, in one line, without a run there."""
    import re

    from mothello import storage

    if not (run / "status.json").is_file():
        raise ValueError(f"--carry-on: no run in {run}: train it first")
    end = storage.read_json(run / "status.json")["step"] + steps
    return run.parent / (f"{re.sub(r'-to-[0-9]+(-lr-[0-9.e+-]+)?$', '', run.name)}-to-{end}"
                         + (f"-lr-{lr:g}" if lr is not None else ""))


def carry_stages(text: str) -> list[tuple[int, float | None]]:
    """--carry-on's 'STEPS[@LR],...' as [(steps, peak lr or None for the suite's)]. ValueError when a stage is
    not a whole number of steps >= 1 or its LR not a rate in (0, 1)."""
    out = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        steps, at, lr = part.partition("@")
        try:
            n, rate = int(steps), float(lr) if at else None
        except ValueError:
            n, rate = 0, None
        if n < 1 or (at and not (rate is not None and 0 < rate < 1)):
            raise ValueError(f"--carry-on stage {part!r}: STEPS[@LR], STEPS a whole number >= 1, LR in (0, 1)")
        out.append((n, rate))
    if not out:
        raise ValueError("--carry-on takes numbers of steps, e.g. 24000 or 24000,24000@0.0002")
    return out


def train_carried(run: Path, steps: int, lr: float | None = None, progress: bool = True) -> Path:
    """Train (or resume; nothing when finished) the finished run from scratch `run` on from its last step for
    `steps` more steps (CARRY_ON; with `lr`, warming up to that peak, its cosine to a tenth of it). ValueError,
    in one line, when `run` has not finished."""
    from mothello import storage
    from mothello.suite import STAGE_TRAINING, _finished
    from mothello.train import TrainConfig, load_run_configs, train

    st = storage.read_json(run / "status.json") if (run / "status.json").is_file() else {}
    if st.get("state") != "finished":
        raise ValueError(f"--carry-on: {run} has not finished training (state {st.get('state')!r}); run it first")
    exp, tc = load_run_configs(run)
    out = carried_dir(run, steps, lr)
    rates = dict(lr=lr, min_lr=lr / 10) if lr is not None else {}
    new = TrainConfig(**{**tc.to_dict(), **STAGE_TRAINING, "dtype": tc.dtype, **CARRY_ON, **rates,
                         "init_from": str(run), "init_step": st["step"], "steps": st["step"] + steps})
    if _finished(out, new.total_steps):
        return out
    return train(exp, new, out, resume=True, progress=progress)


def point(snap: Path, n_train: int = 1000, cache: Path | None = None, device=None) -> dict:
    """One snapshot's numbers: its step, its held-out legal moves and the alignment analysis at every layer
    (gpu_stages.analysed: computed once on `device` (by default the CPU), saying so, a minute or two each for
    the `small` shapes on a laptop, and kept in `cache`, by default width.json beside it, keyed by the weights
    and n_train)."""
    from gpu_stages import analysed

    from mothello import suite
    from mothello.checkpoints import load_checkpoint
    from mothello.evaluate import legal_move_accuracy

    ck = load_checkpoint(snap, device=device or "cpu")
    cache = cache or snap / "width.json"
    fresh = not cache.is_file()
    if fresh:
        print(f"analysing {snap.name if cache.parent != snap else snap.parent.parent.name} at step {ck.step:,} ...",
              end=" ", flush=True)
    done = analysed(ck, cache, n_train, device=device, more=lambda c: {
        "legal_move_accuracy": legal_move_accuracy(c.model, c.vocab, suite.full_eval_games(), device=device)})
    if fresh:
        print(f"{done['analysis_s']:.0f} s", flush=True)
    return {"step": ck.step, "legal_move_accuracy": done["legal_move_accuracy"], "alignment": done["alignment"]}


MACHINE = ("device", "cpu", "threads", "dtype", "torch")  # gpu_stages.machine's fields: where a speed was measured


def width_record(run: Path, n_train: int = 1000, partial: bool = False, device=None) -> dict:
    """A width-trial run as the report reads it: its shape, recipe, where it trained, its wall-clock time
    (its log: findings.training_hours), its measured speed (and other shapes' measured beside it: speeds_beside),
    and its snapshots' numbers (point) by step, each with the training time it takes to get there at that speed.
    ValueError, in one line, for a run that has not finished, unless `partial` (a run from scratch stopped
    part-way: the snapshots it reached)."""
    import torch

    from mothello import storage
    from mothello.checkpoints import list_snapshots, load_checkpoint
    from mothello.findings import training_hours
    from mothello.train import TrainConfig, use_bfloat16

    tc, st = storage.read_json(run / "train.json"), storage.read_json(run / "status.json")
    if st.get("state") != "finished" and not (partial and list_snapshots(run)):
        raise ValueError(f"{run}: its training has not finished (state {st.get('state')!r}); run it to the end first")
    model = load_checkpoint(run).model
    cfg = model.cfg
    start = tc.get("init_step") or 0  # a continued run (--continue) starts with the model it continues
    base = Path(tc["init_from"]) if start else None
    carried = base is not None and base.parent.resolve() == run.parent.resolve()  # --carry-on: beside its run
    # the shipped model's analysis made once for all the runs from it; a carried stage's start is its run's end
    first = [{**point(base, n_train, cache=run.parent / f"{base.name}-at-{start}.json"), "train_s": 0.0}] \
        if start and not carried else []
    speed = measured(run)
    return {"experiment": st["experiment"], "objective": tc.get("objective", "next-token"), "from_step": start,
            **({"from_run": base.name, "init_optimizer": bool(tc.get("init_optimizer"))} if carried else {}),
            "n_layer": cfg.n_layer, "d_model": cfg.d_model, "n_head": cfg.n_head,
            "params": model.n_params, "batch_size": tc["batch_size"],
            # the schedule's length (a run stopped part-way keeps it: its snapshots say where it stopped)
            "steps": st["step"] if st.get("state") == "finished" else tc["steps"],
            "lr": tc["lr"], "min_lr": tc["min_lr"], "warmup_steps": tc["warmup_steps"],
            "weight_decay": tc["weight_decay"],
            "dtype": "bfloat16" if use_bfloat16(TrainConfig.from_dict(tc), torch.device(st.get("device") or "cpu")) else "float32",
            "compiled": bool(tc.get("compile")),
            "device": st.get("device_name") or ("CPU" if st.get("device") == "cpu" else st.get("device")),
            "threads": torch.get_num_threads() if st.get("device") == "cpu" else None, "torch": torch.__version__,
            # where its speed was measured, where the measurement says (gpu_stages.machine; older ones do not):
            # the machine whose speed the record's times are at, which need not be the one recording it now
            **{k: v for k, v in speed.items() if k in MACHINE},
            "train_s": _seconds(training_hours(run)), "tokens_per_s": st.get("tokens_per_s"),
            "started": st["started"], "probe_games": n_train,
            # resumed on another machine part-way (train.trained_on): each part's device and number format
            **({"machines": st["machines"]} if len(st.get("machines") or []) > 1 else {}),
            "measured": {k: v for k, v in speed.items() if k not in MACHINE},
            **({"beside": storage.read_json(run / BESIDE)} if (run / BESIDE).is_file() else {}),
            "points": first + [{**point(snap, n_train, device=device), "train_s": (step - start) / speed["steps_per_s"]}
                               for step, snap in list_snapshots(run)]}


def _seconds(hours: float | None) -> float | None:
    return hours * 3600 if hours is not None else None


def measured(run: Path, warmup: int = 10, timed: int = 100, configs=None) -> dict:
    """The run's training speed on this machine (gpu_stages.measure: its model, batch and number format,
    data generation included), measured once with nothing else training and kept beside it (speed.json).
    The report times the shapes by it, not by their logs: a log also counts whatever else shared the cores.
    configs: the run's (ExperimentConfig, TrainConfig), for a run not yet started (else read from its folder)."""
    from gpu_stages import measure

    from mothello import storage
    from mothello.train import load_run_configs

    cache = run / "speed.json"
    if not cache.is_file():
        exp, tc = configs or load_run_configs(run)
        run.mkdir(parents=True, exist_ok=True)
        storage.write_json(cache, measure(exp, tc, warmup=warmup, timed=timed))
    return storage.read_json(cache)


BESIDE = "speed-beside.json"   # other shapes' speeds, measured back to back with a run's own (speeds_beside)


def speeds_beside(run: Path, specs: list[str], warmup: int = 10, timed: int = 100) -> dict:
    """The training speed of the run's recipe at each shape of `specs` (gpu_stages.measure, on this machine, with
    nothing else training), then the run's own measured again right after (speed.json), so that they compare:
    {"LxW": measure}, kept beside the run (BESIDE). The deeper-and-narrower trial sets a run against shapes that
    trained on another machine or in another number format: their own speeds would not compare."""
    from dataclasses import replace

    from gpu_stages import measure

    from mothello import storage
    from mothello.train import load_run_configs

    exp, tc = load_run_configs(run)
    done = {}
    for spec in specs:
        s = shape(spec)
        done[f"{s['n_layer']}x{s['d_model']}"] = measure(exp, replace(tc, **s), warmup=warmup, timed=timed)
    storage.write_json(run / "speed.json", measure(exp, tc, warmup=warmup, timed=timed))
    storage.write_json(run / BESIDE, done)
    return done


def _key(r: dict) -> tuple:
    """What a recorded run stands for: its model, shape, objective, the step it started from, the step it
    trained to, its peak learning rate, its batch and its weight decay (a newer record of it replaces it)."""
    from mothello.findings.numbers import run_decay, run_objective

    return (r["experiment"], r["n_layer"], r["d_model"], run_objective(r), r.get("from_step") or 0, r["steps"], r.get("lr"),
            r.get("batch_size"), run_decay(r))


def record(runs: list[Path], n_train: int = 1000, partial: bool = False) -> Path:
    """Record width-trial run folders in checkpoints/width-trials/runs.json: each replaces the record of
    the same run (_key: model, shape, objective, start, length, peak rate, batch and weight decay), and the other records stay
    (their folders may be long gone)."""
    return merge([width_record(r, n_train, partial) for r in runs])


def read_records(path: Path) -> list[dict]:
    """The width-trial records in a file that width_record's records were written to ({"runs": [...]}).
    ValueError, in one line, for a missing or malformed file, or a record without what the report reads."""
    from mothello import storage

    try:
        runs = storage.read_json(path)["runs"]
    except FileNotFoundError:
        raise ValueError(f"--merge {path}: no such file") from None
    except (ValueError, KeyError, TypeError, OSError) as e:
        raise ValueError(f"--merge {path}: not a records file ({type(e).__name__}: {str(e).splitlines()[0]})") from None
    if not isinstance(runs, list):
        raise ValueError(f"--merge {path}: not a records file (its runs are not a list)")
    need = ("experiment", "n_layer", "d_model", "steps", "batch_size", "lr", "measured", "points")
    for k, r in enumerate(runs):
        missing = [n for n in need if not isinstance(r, dict) or n not in r]
        if missing:
            raise ValueError(f"--merge {path}: record {k + 1} lacks {', '.join(missing)}")
    return runs


def merge(new: list[dict]) -> Path:
    """Add width-trial records (width_record's, made here or on another machine: gpu_ladder.py) to
    checkpoints/width-trials/runs.json, each replacing the record of the same run (_key)."""
    from mothello import storage
    from mothello.checkpoints import checkpoints_dir
    from mothello.findings import WIDTH_RUNS

    path = checkpoints_dir() / WIDTH_RUNS
    kept = [r for r in storage.read_json_if_any(path).get("runs", []) if _key(r) not in {_key(x) for x in new}]
    storage.write_json(path, storage.finite({"runs": kept + new}))
    return path


def main(argv=None) -> int:
    from mothello.train import OBJECTIVES

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="unified-mixed",
                    help="the model (configs/NAME.toml: a suite model, or mono-1 for the pooling trial)")
    ap.add_argument("--shapes", default=WIDTH_SHAPES, help="comma-separated layers x width, e.g. 3x192,3x384")
    ap.add_argument("--steps", type=int, default=None,
                    help=f"training steps of each run (default {STEPS:,} at batch 64; with --continue "
                         f"{CONTINUE_STEPS:,} at batch {CONTINUE['batch_size']})")
    ap.add_argument("--objective", default="next-token", choices=OBJECTIVES,
                    help="the training objective (legal-set: the next move's exact distribution)")
    ap.add_argument("--lr", type=float, default=None,
                    help="peak learning rate of the runs from scratch (default the suite's 0.0015; the cosine ends "
                         "at a tenth of it): the learning-rate trial")
    ap.add_argument("--batch", type=int, default=None,
                    help="batch of the runs from scratch (default the suite's 64; the learning rate stays the "
                         "suite's): the batch trial")
    ap.add_argument("--weight-decay", type=float, default=None,
                    help="AdamW weight decay of the runs from scratch (default the suite's 0.1): the weight-decay "
                         "trial")
    ap.add_argument("--continue", dest="continued", action="store_true",
                    help="instead of from scratch: the shipped --model trained on from its step (--shapes unused)")
    ap.add_argument("--carry-on", default=None, metavar="STEPS[@LR][,STEPS[@LR]...]",
                    help="train the finished run from scratch (--model, --shapes, --objective, --steps, --lr) on for "
                         "STEPS more steps, a later stage with a warm restart (the suite's; @LR: to that peak), each "
                         "further stage from the one before, and record them")
    ap.add_argument("--speed-beside", default=None, metavar="SHAPES",
                    help="comma-separated shapes (3x192,4x192) whose speed at the runs' recipe is measured on this "
                         "machine back to back with each run's own and recorded with it (runs from scratch): the "
                         "deeper-and-narrower trial")
    ap.add_argument("--record-only", action="store_true",
                    help="analyse and record the runs there, train nothing (a run from scratch stopped part-way: the "
                         "snapshots it reached)")
    ap.add_argument("--merge", nargs="+", type=Path, default=None, metavar="RECORDS.json",
                    help="add runs recorded on another machine (gpu_ladder.py's records.json) and train nothing")
    args = ap.parse_args(argv)
    if args.merge:
        try:
            print(merge([r for f in args.merge for r in read_records(f)]))
        except ValueError as e:
            ap.error(str(e))
        return 0
    from mothello.suite import CONFIGS

    try:
        specs = [s for s in args.shapes.split(",") if s.strip()]
        beside = [s for s in (args.speed_beside or "").split(",") if s.strip()]
        for s in specs:
            shape(s)
        for s in beside:
            shape(s, flag="--speed-beside")
    except ValueError as e:
        ap.error(str(e))
    if args.speed_beside is not None and (not beside or args.continued or args.carry_on is not None):
        ap.error("--speed-beside takes shapes (3x192,4x192), for runs from scratch (not with --continue or --carry-on)")
    if not (CONFIGS / f"{args.model}.toml").is_file():
        ap.error(f"--model {args.model}: no configs/{args.model}.toml")
    if args.steps is not None and args.steps < 1:
        ap.error("--steps must be at least 1")
    try:
        lr_rates(args.lr)
    except ValueError as e:
        ap.error(str(e))
    try:
        batch_size(args.batch)
        decay(args.weight_decay)
    except ValueError as e:
        ap.error(str(e))
    if args.continued and args.lr is not None:
        ap.error("--lr is for runs from scratch; --continue has its own recipe")
    for flag, given in (("--batch", args.batch), ("--weight-decay", args.weight_decay)):
        if given is not None and (args.continued or args.carry_on is not None):
            ap.error(f"{flag} is for runs from scratch (not with --continue or --carry-on)")
    stages = []
    if args.carry_on is not None:
        if args.continued:
            ap.error("--carry-on trains on a run from scratch (not with --continue)")
        try:
            stages = carry_stages(args.carry_on)
        except ValueError as e:
            ap.error(str(e))
    if stages:
        runs = []
        try:
            for s in specs:
                run = run_dir(args.model, s, args.objective, args.steps or STEPS, args.lr)
                for n, rate in stages:
                    run = carried_dir(run, n, rate) if args.record_only else train_carried(run, n, rate)
                    runs.append(run)
        except ValueError as e:
            ap.error(str(e).splitlines()[0])
    elif args.continued:
        from mothello.checkpoints import CheckpointError, checkpoints_dir, read_meta

        try:
            start = read_meta(checkpoints_dir() / args.model)["step"]
        except (CheckpointError, KeyError) as e:
            ap.error(f"--continue: no shipped checkpoints/{args.model} to continue ({e})")
        runs = [continued_dir(args.model, start, args.objective) if args.record_only else
                train_continued(args.model, args.steps or CONTINUE_STEPS, objective=args.objective)]
    else:
        runs = [run_dir(args.model, s, args.objective, args.steps or STEPS, args.lr, args.batch, args.weight_decay)
                for s in specs] \
            if args.record_only else [train_shape(args.model, s, args.steps or STEPS, objective=args.objective, lr=args.lr,
                                                  batch=args.batch, weight_decay=args.weight_decay) for s in specs]
    missing = [str(r) for r in runs if not (r / "status.json").is_file()]
    if missing:
        ap.error(f"no run in {', '.join(missing)}: train it first (without --record-only)")
    for run in runs if beside else []:
        print(f"measuring {', '.join(beside)} beside {run.name} ...", flush=True)
        speeds_beside(run, beside)
    try:
        print(record(runs, partial=not (stages or args.continued)))   # a run from scratch may stop part-way
    except ValueError as e:
        ap.error(str(e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
