"""The width trials' runs on a lent GPU, all at once, in one timed call: the depth ladder's recipe at more depths.

width_trial.py trains its runs one after the other on this machine's cores; a lent GPU comes for minutes. This
measures each shape's training speed alone on the GPU, then trains every shape at once there, each in its own
process (compiled; eagerly if the compiler fails), with width_trial's recipe (--model, --steps, --objective: the
same runs, the same folders). Trainings still running at the deadline are stopped (they save: a run stopped
part-way keeps the snapshots it reached, and is recorded as such). Every snapshot is analysed there on the GPU as
soon as it is written (width_trial.point: the shipped models' protocol), by an analyser that shares the GPU with
the trainings, then by several (--analysers) taking the runs' ends first once training has ended; they share the
snapshots out. What comes back in OUT (few files, small enough for a lease's return channel):

    records.json        each run's record (width_trial.width_record), as checkpoints/width-trials/runs.json holds it
    logs.tar.gz         every process's output, and each run's configs, log, status, speed and analyses (no weights)
    SHAPE-step-N.tar    the last two snapshots of each run (weights and checkpoint.json): to check the analysis here
A snapshot not analysed by the end of --analysis-seconds is left out of its run's record (renamed unanalysed-...).

    python scripts/gpu_ladder.py --shapes 6x192,8x192 --steps 24000 --objective legal-set --seconds 420 --out DIR
    python scripts/width_trial.py --merge DIR/records.json        # back here: into the width trials' records
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]
import width_trial  # noqa: E402

CLAIM = ".analysing"   # in a snapshot folder: an analyser has taken it
SENT_SNAPSHOTS = 2     # the last snapshots of each run whose weights come back
ENV = {"PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "4", "NUMBA_NUM_THREADS": "4"}


def _device():
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def measure_alone(model: str, spec: str, steps: int, objective: str) -> dict:
    """The speed of the run of shape `spec` (width_trial.measured: eager, data generation included), measured
    before anything trains and kept in its folder, where width_record reads it."""
    from mothello.languages import load_config
    from mothello.suite import CONFIGS

    configs = (load_config(CONFIGS / f"{model}.toml"), width_trial.recipe(spec, steps, objective=objective))
    return width_trial.measured(width_trial.run_dir(model, spec, objective, steps), configs=configs)


def worker(model: str, spec: str, steps: int, objective: str, compile_: bool) -> Path:
    """Train (or resume) one run, compiled when asked; eagerly, saying why, when the compiled training fails."""
    try:
        return width_trial.train_shape(model, spec, steps, progress=False, objective=objective, compile=compile_)
    except Exception as e:  # noqa: BLE001 - any failure of the compiler: train eagerly, and say why
        if not compile_:
            raise
        print(f"compiled training failed ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}); "
              "training eagerly", flush=True)
        return width_trial.train_shape(model, spec, steps, progress=False, objective=objective, compile=False)


def _claim(snap: Path) -> bool:
    try:
        os.close(os.open(snap / CLAIM, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def analyser(runs: list[Path], done: Path, hard: float, n_train: int, latest_first: bool = False) -> None:
    """Analyse the runs' snapshots (width_trial.point, on the GPU) as they are written, earliest first (or
    latest first: the ends of the runs before their early snapshots), each taken by one analyser (CLAIM),
    until `done` exists and none is left, or until `hard` (a time)."""
    from mothello.checkpoints import list_snapshots

    device = _device()
    while time.time() < hard:
        finished = done.exists()   # before listing: a snapshot written before `done` is still found
        todo = sorted(((step, snap) for r in runs for step, snap in list_snapshots(r)
                       if not (snap / "width.json").is_file()), reverse=latest_first)
        snap = next((s for _, s in todo if _claim(s)), None)
        if snap is None:
            if finished:
                return
            time.sleep(2)
            continue
        try:
            width_trial.point(snap, n_train, device=device)
        except Exception as e:  # noqa: BLE001 - said, and left to width_record, which tries it again
            print(f"{snap}: analysis failed: {type(e).__name__}: {e}", flush=True)


def _stop(procs: list[subprocess.Popen], grace: float = 60) -> None:
    """SIGTERM those still running (train() saves its state and stops), then kill any still there after `grace`."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    t_end = time.time() + grace
    for p in procs:
        try:
            p.wait(timeout=max(0.0, t_end - time.time()))
        except subprocess.TimeoutExpired:
            p.kill()


def _wait(procs: list[subprocess.Popen], until: float) -> None:
    while any(p.poll() is None for p in procs) and time.time() < until:
        time.sleep(1)


def pack(runs: list[Path], logs: Path, out: Path) -> list[str]:
    """OUT/logs.tar.gz (the logs, and each run without its weights or optimizer state) and the last
    SENT_SNAPSHOTS snapshots of each run as OUT/SHAPE-step-N.tar: the names written."""
    from mothello.checkpoints import list_snapshots

    small = ("train.json", "experiment.toml", "status.json", "metrics.jsonl", "speed.json")
    with tarfile.open(out / "logs.tar.gz", "w:gz") as tar:
        tar.add(logs, arcname="logs")
        for run in runs:
            for f in small:
                if (run / f).is_file():
                    tar.add(run / f, arcname=f"{run.name}/{f}")
            for _, snap in list_snapshots(run):
                for f in ("checkpoint.json", "width.json"):
                    if (snap / f).is_file():
                        tar.add(snap / f, arcname=f"{run.name}/snapshots/{snap.name}/{f}")
    names = ["logs.tar.gz"]
    for run in runs:
        for step, snap in list_snapshots(run)[-SENT_SNAPSHOTS:]:
            name = f"{run.name.removeprefix('scratch-')}-step-{step}.tar"
            with tarfile.open(out / name, "w") as tar:
                for f in ("checkpoint.json", "model.safetensors"):
                    tar.add(snap / f, arcname=f"{run.name}/snapshots/{snap.name}/{f}")
            names.append(name)
    return names


def _summary(rec: dict) -> str:
    """One line of a record: its speed, and each snapshot's worst-language legal moves and best-layer colour."""
    from mothello.findings.trials.runs import _best

    return (f"{rec['n_layer']}x{rec['d_model']}: {rec['measured']['steps_per_s']:.1f} steps/s alone; "
            + ", ".join(f"step {p['step']}: legal min {min(p['legal_move_accuracy'].values()):.3f} colour "
                        f"{_best(p)['colour_in_language']:.3f}" for p in rec["points"]))


def main(argv=None) -> int:
    from mothello.train import OBJECTIVES

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="unified-mixed", help="the model (configs/NAME.toml)")
    ap.add_argument("--shapes", default="", help="comma-separated layers x width, e.g. 6x192,8x192")
    ap.add_argument("--steps", type=int, default=width_trial.STEPS, help="training steps of each run (its schedule)")
    ap.add_argument("--objective", default="next-token", choices=OBJECTIVES, help="the training objective")
    ap.add_argument("--seconds", type=float, default=420,
                    help="training time, speeds measured first included; trainings still running then are stopped")
    ap.add_argument("--analysis-seconds", type=float, default=120,
                    help="time after training for the snapshots still to analyse")
    ap.add_argument("--out", type=Path, default=None, help="where what comes back is written")
    ap.add_argument("--no-compile", action="store_true", help="train eagerly (default: torch.compile)")
    ap.add_argument("--analysers", type=int, default=3,
                    help="analysers once training has ended, latest snapshots first (one analyses while it trains)")
    ap.add_argument("--probe-games", type=int, default=1000, help=argparse.SUPPRESS)  # a CPU-sized check: fewer
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--analyser", nargs="+", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--done", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--latest-first", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--hard", type=float, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.model, args.worker, args.steps, args.objective, not args.no_compile)
        return 0
    if args.analyser:
        analyser(args.analyser, args.done, args.hard, args.probe_games, args.latest_first)
        return 0

    from mothello.suite import CONFIGS, runs_dir

    try:
        specs = [s.strip() for s in args.shapes.split(",") if s.strip()]
        for s in specs:
            width_trial.shape(s)
    except ValueError as e:
        ap.error(str(e))
    if not specs:
        ap.error("--shapes takes shapes (6x192,8x192)")
    if not (CONFIGS / f"{args.model}.toml").is_file():
        ap.error(f"--model {args.model}: no configs/{args.model}.toml")
    if args.steps < 1 or args.seconds <= 0 or args.analysis_seconds <= 0 or args.analysers < 1:
        ap.error("--steps, --seconds, --analysis-seconds and --analysers must be positive")
    if args.out is None:
        ap.error("--out is needed")
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    deadline, hard = t0 + args.seconds, t0 + args.seconds + args.analysis_seconds
    runs = [width_trial.run_dir(args.model, s, args.objective, args.steps) for s in specs]
    logs = runs_dir() / "gpu-ladder-logs"
    logs.mkdir(parents=True, exist_ok=True)
    done = runs_dir() / ".gpu-ladder-trained"
    done.unlink(missing_ok=True)
    for run in runs:   # what an earlier call left: its claims, and the snapshots it had no time to analyse
        for claim in run.glob(f"snapshots/*/{CLAIM}"):
            claim.unlink()
        for snap in run.glob("snapshots/unanalysed-step-*"):
            snap.rename(snap.with_name(snap.name.removeprefix("unanalysed-")))
    for s in specs:
        try:
            print(f"{s}: {measure_alone(args.model, s, args.steps, args.objective)['steps_per_s']:.1f} steps/s "
                  f"measured alone ({time.time() - t0:.0f} s)", flush=True)
        except Exception as e:  # noqa: BLE001 - the lease's minutes go to training; width_record measures it later
            print(f"{s}: not measured ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}); "
                  "measured after training instead", flush=True)
    common = ["--model", args.model, "--steps", str(args.steps), "--objective", args.objective,
              "--probe-games", str(args.probe_games)]
    env = {**ENV, **os.environ}   # the caller's thread counts win

    def start(name: str, extra: list[str]) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, __file__, *common, *extra], stdout=open(logs / f"{name}.log", "w"),
                                stderr=subprocess.STDOUT, env=env, cwd=ROOT)

    trainers = [start(s, ["--worker", s, *(["--no-compile"] if args.no_compile else [])]) for s in specs]
    analysers = [start("analyser-1", ["--analyser", *map(str, runs), "--done", str(done), "--hard", str(hard)])]
    _wait(trainers, deadline)
    _stop(trainers)
    done.touch()
    print(f"training ended ({time.time() - t0:.0f} s): " + ", ".join(
        f"{s} {json.loads((r / 'status.json').read_text()).get('step') if (r / 'status.json').is_file() else 0} steps"
        for s, r in zip(specs, runs)), flush=True)
    analysers += [start(f"analyser-{k + 2}", ["--analyser", *map(str, runs), "--done", str(done), "--hard", str(hard),
                                              "--latest-first"]) for k in range(args.analysers)]
    _wait(analysers, hard)
    _stop(analysers, grace=5)
    print(f"analyses ended ({time.time() - t0:.0f} s); packing", flush=True)
    for run in runs:   # not analysed in time: left out of the record (width_record would analyse it now, too late)
        for snap in run.glob("snapshots/step-*"):
            if not (snap / "width.json").is_file():
                snap.rename(snap.with_name(f"unanalysed-{snap.name}"))
                print(f"{run.name}: {snap.name} not analysed in time, left out of the record", flush=True)
    print(", ".join(pack(runs, logs, args.out)), flush=True)
    from mothello import storage
    from mothello.checkpoints import list_snapshots

    records = []
    for run in runs:
        if not list_snapshots(run):
            print(f"{run.name}: not recorded: no snapshot analysed in time", flush=True)
            continue
        try:
            records.append(width_trial.width_record(run, args.probe_games, partial=True, device=_device()))
        except Exception as e:  # noqa: BLE001 - the other runs are still recorded
            print(f"{run.name}: not recorded: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", flush=True)
            continue
        print(_summary(records[-1]), flush=True)
        storage.write_json(args.out / "records.json", storage.finite({"runs": records}))
    print(f"done ({time.time() - t0:.0f} s)", flush=True)
    return 0 if len(records) == len(runs) else 1


if __name__ == "__main__":
    sys.exit(main())
