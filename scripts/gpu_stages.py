"""One timed GPU session: a training stage of every suite model, and the `paper` preset beside them.

A lent GPU comes with a fixed budget of minutes. This script spends it in one go: every suite model
continues from its shipped checkpoint (suite.adopt_shipped) into a stage of its own, and the `paper`
preset (Othello-GPT's size) trains from scratch on unified-mixed, all at once on the one GPU, each in
its own process. Each process first measures its own speed there (while the others measure theirs), then
trains a stage of as many steps as fit before the deadline: a whole schedule (warm-up, cosine decay to
min_lr) over those steps, so the stage ends decayed, not cut off.

    python scripts/gpu_stages.py --seconds 420 --out DIR

What comes back in DIR (a few files, small enough for a lease's return channel):
    NAME.tar.gz      runs/suite-NAME-to-END without its optimizer state (the model, metrics, configs)
    paper.tar.gz     the paper run's configs, metrics and its analysis (paper.json), without its weights
                     (`--record` adds such runs to checkpoints/paper-preset/runs.json, which the report reads)
    summary.json     per process: the steps, the measured speed, the held-out legal-move accuracy
    logs.tar.gz      every process's output

Back on the workstation, suite.STAGES and STAGE_OVERRIDES (GPU_STAGE) record the stages at the steps
they ended at, so `python -m mothello suite --from-shipped` installs them (and on a GPU retrains them).

Depth trials (is the colour of the discs a matter of depth?), the same way, all at once:
    --deepen 6     every suite stage grows its model from 3 to 6 layers (the new blocks start as identities)
    --scratch 6,8  instead of stages: each of --models trained from scratch at each of these depths
                   (or shapes: 3x384 is 3 layers 384 wide)
    --objectives next-token,legal-set
                   with --scratch: each shape once per training objective, all at once (is the colour a
                   matter of the noise of the next-token target, at the GPU's batch?)
Each run comes back as a tar with its worker's result inside (gpu.json); `--record-depth RUN ...` analyses
the unpacked runs here and writes checkpoints/depth-trials/runs.json, which the report reads (no weights).
--compile compiles the suite and depth runs (the paper run compiles unless --quick).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAPER = dict(preset="paper", games=None, batch_size=256, lr=5e-4, min_lr=5e-5, warmup_steps=500,
             eval_every=500, eval_games=100, checkpoint_every=5000, dtype="bfloat16")
PAPER_CONFIG = "unified-mixed"
# --dry-run: the same pipeline at a size a CPU runs in a minute (to check the script before a lease)
DRY = dict(batch_size=16, eval_every=50, checkpoint_every=100)


def _device():
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _steps_that_fit(rate: float, seconds: float, unit: int = 500, margin: float = 0.8) -> int:
    """Steps at `rate` steps/s in `seconds`, in whole units, with a margin: for evaluations and saves, and
    for the other processes, some of which were still starting while this one measured."""
    return max(unit, int(rate * seconds * margin) // unit * unit)


# The paper run measures its (compiled) speed after compiling, while the suite stages are still starting:
# on the H200 on 2026-12-04 it measured 39 steps/s, trained at 19 beside the four stages, and overran its
# slot by about 150 s, so its probe analysis was cut off. Sharing the GPU it plans with this margin.
PAPER_SHARED_MARGIN = 0.45
# Suite and scratch workers time their speed together, behind the barrier, compiled as they will train:
# on the H200 on 2026-12-04 four compiled 6-layer stages measured 23.9 steps/s and trained their 8,000
# steps, train()'s own compile (from the cache measure() filled) and evaluations included, in 334.8 s,
# as measured; planned with 0.8 and a second compile's time kept aside, they ended 165 s before the
# deadline. The margin left is for evaluations and saves.
TIMED_MARGIN = 0.9


def measure(exp, tc, init_from=None, warmup: int = 20, timed: int = 60, compile_: bool = False,
            ready=None) -> dict:
    """Steps per second of one training step as train() takes it (same model, batch, number format, on
    the GPU if there is one).
    ready(): called after the warm-up (and compiling), before timing: a barrier, so that processes
    sharing the GPU time their steps while all of them train, not while some are still compiling."""
    import torch

    from mothello.checkpoints import load_checkpoint
    from mothello.data import TrainingData
    from mothello.languages import Vocabulary
    from mothello.model import GPT, GPTConfig
    from mothello.train import _loss, use_bfloat16

    device = _device()
    vocab = Vocabulary.build(exp)
    model = GPT(GPTConfig(vocab_size=vocab.size, context_length=vocab.context_length, **tc.model_shape())).to(device)
    if init_from:
        state = load_checkpoint(init_from).model.state_dict()
        model.load_deepened(state) if tc.deepen else model.load_state_dict(state)
    opt = model.configure_optimizer(1e-5, tc.weight_decay)  # a tiny rate: this copy is thrown away anyway
    fwd = torch.compile(model) if compile_ else model
    data = TrainingData(vocab, tc.batch_size, None, seed=tc.seed + 999)
    t_compile = time.perf_counter()

    bf16 = use_bfloat16(tc, device)  # the number format train() would take here

    def step(i):
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            loss = _loss(fwd, data.batch(i), vocab, tc, device)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), tc.grad_clip)
        opt.step()

    for i in range(warmup):
        step(i)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    sync()
    t_ready = time.perf_counter()
    if ready is not None:
        ready()
    t0 = time.perf_counter()
    for i in range(timed):
        step(warmup + i)
    sync()
    dt = time.perf_counter() - t0
    return {"steps_per_s": timed / dt, "warmup_s": t_ready - t_compile, "waited_s": t0 - t_ready,
            "compiled": compile_, **machine(device, bf16)}


def machine(device, bf16: bool) -> dict:
    """Where a speed was measured, as a width-trial record names it: the device ('CPU' or the GPU's name), the
    CPU's model and threads on a CPU, the number format and PyTorch. Two speeds compare only where these agree."""
    import torch

    from mothello.train import here

    on, cpu = here(device, bf16), device.type == "cpu"   # what train() writes in a run's status
    return {"device": "CPU" if cpu else on["name"], "cpu": on["name"] if cpu else None,
            "threads": torch.get_num_threads() if cpu else None, "dtype": on["dtype"], "torch": torch.__version__}


def barrier(folder: Path, name: str, n: int, timeout: float = 120):
    """A barrier across the worker processes: each writes its name into `folder`, then waits (at most
    `timeout` seconds) until n names are there."""
    def ready():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("")
        t_end = time.time() + timeout
        while len(list(folder.iterdir())) < n and time.time() < t_end:
            time.sleep(0.2)
    return ready


def _measure(exp, tc0, init_from=None, compile_: bool = False, ready=None) -> tuple[dict, bool]:
    """measure() compiled when asked, eagerly when the compiler fails (saying why): (speed, compiled)."""
    if not compile_:
        return measure(exp, tc0, init_from, ready=ready), False
    try:
        return measure(exp, tc0, init_from, compile_=True, ready=ready, warmup=5, timed=40), True
    except Exception as e:  # noqa: BLE001 - any failure of the compiler: train eagerly, and say why
        return {**measure(exp, tc0, init_from, ready=ready),
                "compile_error": f"{type(e).__name__}: {e}".splitlines()[0]}, False


def _send_back(run: Path, out: Path, name: str, result: dict) -> dict:
    """Measure the trained run's held-out legal moves, keep the result beside it (gpu.json) and pack the
    run, without its optimizer state and snapshots, into out/NAME.tar.gz."""
    import torch

    from mothello import suite
    from mothello.checkpoints import load_checkpoint
    from mothello.evaluate import legal_move_accuracy

    status = json.loads((run / "status.json").read_text())
    ck = load_checkpoint(run, device=_device())
    result = {**result, "state": status["state"], "step": status["step"],
              "legal_move_accuracy_500": legal_move_accuracy(ck.model, ck.vocab, suite.full_eval_games(),
                                                             device=_device()),
              "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None, "torch": torch.__version__}
    (run / "gpu.json").write_text(json.dumps(result, indent=1))
    with tarfile.open(out / f"{name}.tar.gz", "w:gz") as tar:
        for f in sorted(run.iterdir()):
            if f.name not in ("state", "snapshots"):
                tar.add(f, arcname=f"{run.name}/{f.name}")
    return result


def worker_suite(name: str, deadline: float, out: Path, settings: dict, compile_: bool = False, ready=None,
                 dry: bool = False, shared_with: int = 0) -> dict:
    """Train one suite model's GPU stage (from its shipped checkpoint) until about `deadline`; with
    settings deepen and n_layer, the stage grows the model to n_layer layers (train: TrainConfig.deepen)."""
    from mothello import suite
    from mothello.checkpoints import read_meta
    from mothello.languages import load_config
    from mothello.train import TrainConfig, train

    suite.adopt_shipped(name)
    start = read_meta(suite.checkpoints_dir() / name)["step"]
    k = suite.stage_ends(name).index(start)
    init_from = suite.stage_run(name, k)
    exp = load_config(suite.CONFIGS / f"{name}.toml")
    base = {**suite.SUITE_TRAINING, **settings, "init_step": start, "init_from": str(init_from)}
    probe, compile_ = _measure(exp, TrainConfig(**{**base, "steps": start + 1}), init_from, compile_, ready)
    n = _steps_that_fit(probe["steps_per_s"], deadline - time.time(), unit=100 if dry else 500,
                        margin=TIMED_MARGIN if ready else 0.8)
    tc = TrainConfig(**{**base, "steps": start + n, "compile": compile_})
    run = suite.runs_dir() / f"suite-{name}-to-{start + n}"
    t0 = time.time()
    train(exp, tc, run, resume=True, progress=False)
    return _send_back(run, out, name, {"name": name, "from": start, "to": start + n,
                                       "from_layers": read_meta(init_from)["model"]["n_layer"], "measured": probe,
                                       "train_s": time.time() - t0, "settings": {**settings, "compile": compile_},
                                       "shared_with": shared_with})


# --scratch: a suite model retrained from scratch at another shape, on the GPU stage's batch, at the first
# stage's higher peak rate (a fresh model, not a refined one)
SCRATCH = dict(lr=1e-3, min_lr=1e-4, warmup_steps=500)
HEAD_WIDTH = 32  # the small preset's (192 wide, 6 heads): a wider scratch model keeps it, with more heads


def scratch_shape(spec: str, flag: str = "--scratch") -> dict:
    """A --scratch shape: '6' is 6 layers at the suite's width; '3x384' is 3 layers 384 wide (heads
    HEAD_WIDTH wide). ValueError, in one line naming `flag` (the option it came from), for anything else."""
    layers, x, width = spec.strip().lower().partition("x")
    if not layers.isdigit() or int(layers) < 1 or (x and not (width.isdigit() and int(width) > 0)):
        raise ValueError(f"{flag} {spec!r}: a depth (6) or a depth x width (3x384)")
    if not x:
        return {"n_layer": int(layers)}
    if int(width) % HEAD_WIDTH:
        raise ValueError(f"{flag} {spec!r}: the width must be a multiple of {HEAD_WIDTH} (the heads' width)")
    return {"n_layer": int(layers), "d_model": int(width), "n_head": int(width) // HEAD_WIDTH}


def scratch_worker(name: str, spec: str, objective: str = "next-token") -> str:
    """The --worker name of a --scratch run: NAME@SHAPE, then @OBJECTIVE unless it trains next-token."""
    return f"{name}@{spec}" + ("" if objective == "next-token" else f"@{objective}")


def scratch_label(shape: dict, objective: str = "next-token") -> str:
    """A --scratch run's folder and tar name part: '6-layers' or '3x384', then '-OBJECTIVE' unless next-token."""
    label = f"{shape['n_layer']}-layers" if "d_model" not in shape else f"{shape['n_layer']}x{shape['d_model']}"
    return label + ("" if objective == "next-token" else f"-{objective}")


def worker_scratch(name: str, spec: str, deadline: float, out: Path, settings: dict, compile_: bool = False,
                   ready=None, dry: bool = False, shared_with: int = 0, objective: str = "next-token") -> dict:
    """Train suite model `name` from scratch at the shape `spec` (scratch_shape) with the training objective
    `objective` until about `deadline`: how fast a deeper or wider model (or one on the next move's exact
    distribution) learns the board, against the shipped model's history at the same games."""
    from mothello import suite
    from mothello.languages import load_config
    from mothello.train import TrainConfig, train

    exp = load_config(suite.CONFIGS / f"{name}.toml")
    shape = scratch_shape(spec)
    base = {**suite.SUITE_TRAINING, **settings, **SCRATCH, **shape, "objective": objective}
    probe, compile_ = _measure(exp, TrainConfig(**{**base, "steps": 1}), None, compile_, ready)
    n = _steps_that_fit(probe["steps_per_s"], deadline - time.time(), unit=100 if dry else 500,
                        margin=TIMED_MARGIN if ready else 0.8)
    tc = TrainConfig(**{**base, "steps": n, "compile": compile_})
    run = suite.runs_dir() / f"scratch-{name}-{scratch_label(shape, objective)}"
    t0 = time.time()
    train(exp, tc, run, resume=True, progress=False)
    tail = "" if objective == "next-token" else f"-{objective}"
    return _send_back(run, out, f"{name}-{spec}{tail}", {
        "name": name, **shape, "objective": objective, "steps": n, "measured": probe, "train_s": time.time() - t0,
        "settings": {**base, "compile": compile_}, "shared_with": shared_with})


def worker_paper(deadline: float, out: Path, analysis_s: float, dry: bool = False, quick: bool = False,
                 shared: bool = False) -> dict:
    """Train the paper preset from scratch on unified-mixed until about `deadline` less the analysis."""
    import torch

    from mothello import suite
    from mothello.checkpoints import load_checkpoint
    from mothello.evaluate import legal_move_accuracy
    from mothello.languages import load_config
    from mothello.probes import alignment
    from mothello.train import TrainConfig, train

    exp = load_config(suite.CONFIGS / f"{PAPER_CONFIG}.toml")
    settings = {**PAPER, **(dict(DRY, preset="tiny") if dry else {})}
    tc0 = TrainConfig(**{**settings, "steps": 1})
    probe, compiled = _measure(exp, tc0, None, compile_=not quick)  # --quick: no time for compiling
    left = deadline - analysis_s - time.time() - (probe["warmup_s"] * 0.5 if compiled else 0)
    n = _steps_that_fit(probe["steps_per_s"], left, margin=PAPER_SHARED_MARGIN if shared else 0.8)
    tc = TrainConfig(**{**settings, "steps": n, "compile": compiled})
    run = suite.runs_dir() / f"paper-{PAPER_CONFIG}"
    t0 = time.time()
    train(exp, tc, run, resume=True, progress=False)
    took = time.time() - t0
    status = json.loads((run / "status.json").read_text())
    ck = load_checkpoint(run, device=_device())
    acc = legal_move_accuracy(ck.model, ck.vocab, suite.full_eval_games(), device=_device())
    result = {"name": f"paper-{PAPER_CONFIG}", "steps": n, "state": status["state"], "step": status["step"],
              "measured": probe, "train_s": took, "legal_move_accuracy_500": acc,
              "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
              "torch": torch.__version__}
    _pack_paper(run, out, result)  # what training measured comes back even if the analysis runs out of time
    t1 = time.time()
    al = alignment(ck, kind="linear", labels="relative", n_train=100 if dry else 1000, device=_device(),
                   random_baseline=not quick)
    result = {**result, "alignment": suite.alignment_summary(al), "analysis_s": time.time() - t1}
    _pack_paper(run, out, result)
    return result


def _pack_paper(run: Path, out: Path, result: dict) -> None:
    (run / "paper.json").write_text(json.dumps(result, indent=1))
    tmp = out / ".paper.tar.gz"
    with tarfile.open(tmp, "w:gz") as tar:
        for f in ("train.json", "experiment.toml", "status.json", "metrics.jsonl", "paper.json", "checkpoint.json"):
            if (run / f).is_file():
                tar.add(run / f, arcname=f"{run.name}/{f}")
    os.replace(tmp, out / "paper.tar.gz")


def paper_record(run: Path, shared_with: int) -> dict:
    """A paper run (unpacked from paper.tar.gz) as the report reads it: its settings, timing, speed,
    in-training evaluations, held-out legal moves and, where the analysis finished, its alignment."""
    from mothello import storage
    from mothello.train import read_metrics

    tc, st, res = (storage.read_json(run / f) for f in ("train.json", "status.json", "paper.json"))
    return {"experiment": PAPER_CONFIG, "preset": tc["preset"], "steps": st["step"], "state": st["state"],
            "batch_size": tc["batch_size"], "lr": tc["lr"], "min_lr": tc["min_lr"], "warmup_steps": tc["warmup_steps"],
            "dtype": tc["dtype"], "compiled": tc["compile"], "gpu": res.get("gpu"), "torch": res.get("torch"),
            "shared_with": shared_with, "started": st["started"], "finished": st.get("finished"),
            "train_s": res["train_s"], "tokens_per_s": st.get("tokens_per_s"), "measured": res["measured"],
            "legal_move_accuracy": res["legal_move_accuracy_500"], "alignment": res.get("alignment"),
            "analysis_s": res.get("analysis_s"), "metrics": read_metrics(run)}


def record(runs: list[tuple[Path, int]]) -> Path:
    """Write checkpoints/paper-preset/runs.json from paper runs (folder, how many runs shared its GPU)."""
    from mothello import storage
    from mothello.checkpoints import checkpoints_dir
    from mothello.findings import PAPER_RUNS

    path = checkpoints_dir() / PAPER_RUNS
    path.parent.mkdir(parents=True, exist_ok=True)
    storage.write_json(path, storage.finite({"runs": [paper_record(r, n) for r, n in runs]}))
    return path


def block_writes(model) -> list[dict]:
    """Per block, the Frobenius norm of what it writes into the residual stream: its attention's and its
    MLP's output projections. A deepened model's added blocks start at zero: how far they grew says how
    much of the model they became."""
    return [{"attention": float(b.attn.proj.weight.detach().float().norm()),
             "mlp": float(b.mlp[2].weight.detach().float().norm())}
            for b in model.blocks]


def analysed(ck, cache: Path, n_train: int = 1000, more=None, device=None) -> dict:
    """The alignment analysis of checkpoint `ck` at every layer with the shipped models' protocol (linear
    probes on relative labels, n_train training games per language), with more(ck)'s entries beside it:
    made on first use (on `device`, by default the CPU) and kept in the file `cache`, keyed by the weights
    and n_train."""
    from mothello import storage
    from mothello.probes import alignment
    from mothello.suite import alignment_summary

    done = storage.read_json(cache) if cache.is_file() else {}
    if (done.get("weights_sha256"), done.get("n_train")) != (ck.meta["weights_sha256"], n_train):
        t0 = time.time()
        al = alignment(ck, kind="linear", labels="relative", n_train=n_train, random_baseline=False, device=device)
        done = {"weights_sha256": ck.meta["weights_sha256"], "n_train": n_train, **(more(ck) if more else {}),
                "alignment": alignment_summary(al), "analysis_s": time.time() - t0,
                **({"analysed_on": str(device)} if device is not None else {})}
        storage.write_json(cache, done)
    return done


def depth_record(run: Path, n_train: int = 1000) -> dict:
    """A depth trial (a run unpacked from the tar a --deepen or --scratch worker sent back, with the worker's
    result saved beside it as gpu.json) as the report reads it: how it was trained, its held-out legal
    moves, which blocks it writes with, and the alignment analysis at every layer (the shipped models'
    protocol: linear probes on relative labels, 1,000 training games per language). The analysis runs here
    on first use and is kept in the run folder (depth.json, keyed by the weights)."""
    from mothello import storage
    from mothello.checkpoints import load_checkpoint, read_meta

    res, tc, st = (storage.read_json(run / f) for f in ("gpu.json", "train.json", "status.json"))
    ck = load_checkpoint(run)
    done = analysed(ck, run / "depth.json", n_train)
    deepened = bool(tc.get("deepen"))
    base_layers = (res.get("from_layers") or read_meta(tc["init_from"])["model"]["n_layer"]) if deepened else None
    return {"kind": "deepen" if deepened else "scratch", "experiment": st["experiment"],
            "objective": tc.get("objective", "next-token"),
            "n_layer": ck.model.cfg.n_layer, "d_model": ck.model.cfg.d_model, "from_layers": base_layers,
            "from_step": tc.get("init_step") or 0, "step": st["step"], "batch_size": tc["batch_size"], "lr": tc["lr"],
            "min_lr": tc["min_lr"], "warmup_steps": tc["warmup_steps"], "dtype": tc["dtype"], "compiled": tc["compile"],
            "gpu": res.get("gpu") or st.get("device_name"), "torch": res.get("torch"),
            "shared_with": res.get("shared_with", 0), "params": ck.model.n_params, "train_s": res["train_s"],
            "started": st["started"], "legal_move_accuracy": res["legal_move_accuracy_500"],
            "block_writes": block_writes(ck.model), "probe_games": n_train, "alignment": done["alignment"]}


def record_depth(runs: list[Path], n_train: int = 1000) -> Path:
    """Write checkpoints/depth-trials/runs.json from depth-trial run folders (their weights do not ship)."""
    from mothello import storage
    from mothello.checkpoints import checkpoints_dir
    from mothello.findings import DEPTH_RUNS

    path = checkpoints_dir() / DEPTH_RUNS
    path.parent.mkdir(parents=True, exist_ok=True)
    storage.write_json(path, storage.finite({"runs": [depth_record(r, n_train) for r in runs]}))
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=420, help="training time, all processes together")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--models", default=None, help="comma-separated suite models (default: all) and/or 'paper'")
    ap.add_argument("--analysis-seconds", type=float, default=75, help="kept for the paper run's analysis")
    ap.add_argument("--dry-run", action="store_true", help="a CPU-sized check of the whole pipeline")
    ap.add_argument("--quick", action="store_true", help="paper: no torch.compile, no random-model baseline")
    ap.add_argument("--deepen", type=int, default=None, metavar="N",
                    help="suite stages grow each model to N layers (train --deepen): its blocks first, the new "
                         "ones after them starting as identities")
    ap.add_argument("--scratch", default=None, metavar="SHAPE,...",
                    help="instead of stages: each of --models trained from scratch at each of these shapes: a "
                         "depth (6: the suite's width) or depth x width (3x384)")
    ap.add_argument("--objectives", default="next-token", metavar="OBJECTIVE,...",
                    help="with --scratch: train each shape once per objective (next-token, legal-set), all at once")
    ap.add_argument("--compile", action="store_true",
                    help="suite stages and --scratch runs: torch.compile (timed after compiling)")
    ap.add_argument("--record", nargs="+", metavar="RUN[:N]", default=None,
                    help="write checkpoints/paper-preset/runs.json from unpacked paper runs (N: how many other "
                         "trainings shared the GPU, default 0)")
    ap.add_argument("--record-depth", nargs="+", metavar="RUN", default=None,
                    help="write checkpoints/depth-trials/runs.json from unpacked --deepen / --scratch runs, each "
                         "with its worker's result as gpu.json (analyses each here, once)")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--deadline", type=float, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--shared", action="store_true", help=argparse.SUPPRESS)  # other workers share the GPU
    ap.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)  # how many: the barrier's count
    args = ap.parse_args()
    if args.record:
        runs = []
        for r in args.record:
            path, _, n = r.rpartition(":") if ":" in r else (r, "", "0")
            missing = [f for f in ("train.json", "status.json", "paper.json") if not (Path(path) / f).is_file()]
            if not n.isdigit():
                ap.error(f"--record {r}: N, after the colon, is how many trainings shared the GPU")
            if missing:
                ap.error(f"--record {r}: no {', '.join(missing)} in {path} (unpack paper.tar.gz first)")
            runs.append((Path(path), int(n)))
        print(record(runs))
        return 0
    if args.record_depth:
        for r in args.record_depth:
            missing = [f for f in ("gpu.json", "train.json", "status.json", "checkpoint.json") if not (Path(r) / f).is_file()]
            if missing:
                ap.error(f"--record-depth {r}: no {', '.join(missing)} there (unpack the run's tar and save its "
                         "summary.json entry as gpu.json)")
        print(record_depth([Path(r) for r in args.record_depth]))
        return 0
    if args.out is None:
        ap.error("--out is needed")
    args.out.mkdir(parents=True, exist_ok=True)

    if args.worker:
        from mothello import suite

        # the suite workers time their speed together (the paper run, compiled on its own, does not wait)
        ready = barrier(args.out / ".ready", args.worker, args.workers) if args.workers > 1 else None

        if "@" in args.worker:
            name, spec, *objective = args.worker.split("@")
            res = worker_scratch(name, spec, args.deadline, args.out,
                                 {**suite.GPU_STAGE, **(DRY if args.dry_run else {})}, compile_=args.compile,
                                 ready=ready, dry=args.dry_run, shared_with=args.workers - 1,
                                 objective=objective[0] if objective else "next-token")
        elif args.worker == "paper":
            res = worker_paper(args.deadline, args.out, args.analysis_seconds, args.dry_run, args.quick, args.shared)
        else:
            deep = dict(n_layer=args.deepen, deepen=True) if args.deepen else {}
            res = worker_suite(args.worker, args.deadline, args.out,
                               {**suite.GPU_STAGE, **deep, **(DRY if args.dry_run else {})}, compile_=args.compile,
                               ready=ready, dry=args.dry_run, shared_with=args.workers - 1)
        (args.out / f"{args.worker}.json").write_text(json.dumps(res, indent=1))
        return 0

    from mothello import suite

    names = args.models.split(",") if args.models else [*suite.SUITE, "paper"]
    unknown = [n for n in names if n not in (*suite.SUITE, "paper")]
    if unknown:
        ap.error(f"--models: no {', '.join(unknown)} (known: {', '.join(suite.SUITE)}, paper)")
    from mothello.train import OBJECTIVES

    objectives = [o.strip() for o in args.objectives.split(",") if o.strip()]
    bad = [o for o in objectives if o not in OBJECTIVES]
    if bad or not objectives:
        ap.error(f"--objectives: no {', '.join(bad) or 'objective'} (known: {', '.join(OBJECTIVES)})")
    if objectives != ["next-token"] and not args.scratch:
        ap.error("--objectives needs --scratch (the suite stages train next-token, as the shipped models did)")
    if args.scratch:
        specs = [x.strip().lower() for x in args.scratch.split(",")]
        try:
            for x in specs:
                scratch_shape(x)
        except ValueError as e:
            ap.error(str(e))
        names = [scratch_worker(n, x, o) for n in names if n != "paper" for x in specs for o in objectives]
    deadline = time.time() + args.seconds
    logs = suite.runs_dir() / "gpu-stages-logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "3", "NUMBA_NUM_THREADS": "3"}
    procs = {}
    for name in names:
        log = open(logs / f"{name}.log", "w")
        procs[name] = subprocess.Popen([sys.executable, __file__, "--worker", name, "--deadline", str(deadline),
                                        "--out", str(args.out), "--analysis-seconds", str(args.analysis_seconds),
                                        *(["--dry-run"] if args.dry_run else []),
                                        *(["--quick"] if args.quick else []),
                                        *(["--shared"] if len(names) > 1 else []),
                                        *(["--deepen", str(args.deepen)] if args.deepen else []),
                                        *(["--compile"] if args.compile else []),
                                        "--workers", str(len([n for n in names if n != "paper"]))],
                                       stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    hard = deadline + args.analysis_seconds + 30  # past this a worker is stopped (train saves and stops)
    while any(p.poll() is None for p in procs.values()) and time.time() < hard:
        time.sleep(2)
    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs.values():
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
    shutil.rmtree(args.out / ".ready", ignore_errors=True)
    summary = {}
    for name, p in procs.items():
        f = args.out / f"{name}.json"
        summary[name] = {"returncode": p.returncode, **(json.loads(f.read_text()) if f.is_file() else {})}
        if f.is_file():
            f.unlink()
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1))
    with tarfile.open(args.out / "logs.tar.gz", "w:gz") as tar:
        tar.add(logs, arcname="logs")
    print(json.dumps({n: {k: s.get(k) for k in ("returncode", "state", "step", "from", "to", "steps", "train_s",
                                                  "legal_move_accuracy_500")} for n, s in summary.items()}, indent=1))
    return 0 if all(p.returncode == 0 for p in procs.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
