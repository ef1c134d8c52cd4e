"""Training: an experiment config (languages) + a training config -> a run directory.

A run directory holds
    experiment.toml, train.json   the configs
    status.json                   state (running / finished / failed / cancelled), step, total, times, error,
                                  and the machines it trained on from which step (trained_on)
    metrics.jsonl                 train loss, validation loss, legal-move accuracy per language, tokens/s
    model.safetensors, checkpoint.json   the current model (a checkpoint folder, see checkpoints.py)
    snapshots/step-NNNNNNNNN/     models along training
    state/step-NNNNNNNNN/, state/LATEST   the resumable state: model, optimizer, RNG
    log.txt                       stdout and stderr of a background run (jobs.py)

The data order, learning rate and RNG are functions of the step, and the resumable state holds
everything else, so `--resume` after a kill continues exactly as the uninterrupted run would have (on a
machine that resolves dtype "auto" alike: a run resumed elsewhere says so in its log and its status).
SIGTERM (cancel) saves the state and stops cleanly. Under `torchrun --nproc_per_node N` the same
entry point trains with DistributedDataParallel (NCCL on GPUs, gloo on CPU); rank 0 writes the files.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from . import storage
from .checkpoints import CheckpointError, load_checkpoint, save_checkpoint
from .data import IGNORE, TrainingData, heldout_games, legal_next_targets
from .evaluate import legal_move_accuracy, validation_loss
from .languages import ExperimentConfig, Vocabulary, load_config
from .model import GPT, PRESETS, GPTConfig

OBJECTIVES = ("next-token", "legal-set")
# Per-preset defaults of the training settings a user does not give.
PRESET_TRAINING = {
    "tiny": dict(games=10_000, eval_every=50, checkpoint_every=50, eval_games=50),
    "small": dict(games=100_000),
    "paper": dict(games=2_000_000, batch_size=256, lr=5e-4, min_lr=5e-5, warmup_steps=500,
                  eval_every=1000, checkpoint_every=1000),
}


@dataclass
class TrainConfig:
    preset: str = "small"
    n_layer: int | None = None          # overrides of the preset
    n_head: int | None = None
    d_model: int | None = None
    games: int | None = 100_000         # corpus size; None streams fresh games every step
    epochs: float = 1.0
    steps: int | None = None            # if set, overrides epochs
    batch_size: int = 64
    lr: float = 1.5e-3
    min_lr: float = 1.5e-4
    warmup_steps: int = 100
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    seed: int = 0
    objective: str = "next-token"       # the study's; "legal-set": its exact expectation (data.legal_next_targets)
    eval_every: int = 250
    eval_games: int = 100
    checkpoint_every: int = 250
    snapshots: list[float] = field(default_factory=lambda: [0.05, 0.1, 0.25, 0.5, 1.0])
    prefix: list[int] | None = None     # forced opening of the training games (transfer pretraining)
    languages: list[int] | None = None  # train only on these input languages (fine-tuning)
    init_from: str | None = None        # start from this checkpoint's weights (fine-tuning, continuing)
    init_step: int = 0                  # with init_from: the step its weights were trained to; this run
                                        # counts on from there (data stream, snapshots, metrics), with its
                                        # own warm-up and cosine over its steps init_step+1 .. total_steps
    init_optimizer: bool = False        # with init_from a run folder whose saved state is at init_step:
                                        # carry its AdamW moments over too (a continuation, not a restart
                                        # with a fresh optimizer); its learning-rate schedule stays this run's
    deepen: bool = False                # with init_from a shallower model of the same width: its blocks
                                        # first, the new blocks after them starting as identities
                                        # (GPT.load_deepened), so the run starts as that model computes
    freeze: list[str] | None = None     # model parts left as they are (model.model_parts names)
    device: str = "auto"                # auto: CUDA when present, else CPU
    dtype: str = "auto"                 # auto: bfloat16 autocast on CUDA and on CPUs with native bfloat16
    compile: bool = False

    def __post_init__(self):
        if self.objective not in OBJECTIVES:
            raise ValueError(f"unknown objective {self.objective!r} (known: {', '.join(OBJECTIVES)})")
        if self.games is None and self.steps is None:
            raise ValueError("streaming (games = None) needs a number of steps")
        for k in ("batch_size", "eval_every", "eval_games", "checkpoint_every"):
            if getattr(self, k) < 1:
                raise ValueError(f"{k} must be >= 1")
        if not (math.isfinite(self.lr) and self.lr >= 0):   # 0 trains nothing (the weights stay): allowed
            raise ValueError(f"lr must be a number >= 0 (got {self.lr})")
        if not (math.isfinite(self.min_lr) and self.min_lr >= 0):
            raise ValueError(f"min_lr must be a number >= 0 (got {self.min_lr})")
        if self.warmup_steps < 0:
            raise ValueError("warmup_steps must be >= 0")
        if not (math.isfinite(self.epochs) and self.epochs > 0):
            raise ValueError(f"epochs must be a positive number (got {self.epochs})")
        if self.steps is not None and self.steps < 1:
            raise ValueError("steps must be >= 1")
        if self.games is not None and self.games < self.batch_size:
            raise ValueError(f"games ({self.games}) must be at least the batch size ({self.batch_size})")
        if self.dtype not in ("auto", "float32", "bfloat16"):
            raise ValueError("dtype must be auto, float32 or bfloat16")
        if self.init_step < 0:
            raise ValueError("init_step must be >= 0")
        if self.init_step and not self.init_from:
            raise ValueError("init_step continues a model's step count: it needs init_from")
        if self.deepen and not self.init_from:
            raise ValueError("deepen grows a trained model: it needs init_from")
        if self.deepen and self.init_optimizer:
            raise ValueError("deepen adds weights the carried optimizer has no moments for: not with init_optimizer")
        if self.init_optimizer and not (self.init_from and self.init_step):
            raise ValueError("init_optimizer carries a run's optimizer over: it needs init_from and init_step")
        if self.total_steps <= self.init_step:
            raise ValueError(f"steps ({self.total_steps}) must be more than init_step ({self.init_step}): "
                             "steps is the step the run ends at")
        GPTConfig(vocab_size=1, context_length=1, **self.model_shape())  # a bad shape fails here, before a run

    def model_shape(self) -> dict:
        """{n_layer, n_head, d_model}: the preset's, with this config's overrides."""
        if self.preset not in PRESETS:
            raise ValueError(f"unknown model preset {self.preset!r} (known: {', '.join(PRESETS)})")
        return {**PRESETS[self.preset], **{k: getattr(self, k) for k in ("n_layer", "n_head", "d_model")
                                           if getattr(self, k) is not None}}

    @property
    def total_steps(self) -> int:
        """The step the run ends at (counted from init_step's model when it continues one)."""
        if self.steps is not None:
            return int(self.steps)
        return self.init_step + max(1, math.ceil(self.epochs * self.games / self.batch_size))

    @property
    def run_steps(self) -> int:
        """How many steps this run trains: total_steps - init_step."""
        return self.total_steps - self.init_step

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown training setting(s): {', '.join(sorted(unknown))}")
        return cls(**d)


def lr_at(step: int, tc: TrainConfig) -> float:
    """Linear warmup, then cosine decay to min_lr at the last step (both counted from init_step)."""
    total, step = tc.run_steps, step - tc.init_step
    if tc.warmup_steps and step < tc.warmup_steps:  # no warm-up: the cosine from the first step
        return tc.lr * (step + 1) / tc.warmup_steps
    progress = min(1.0, (step - tc.warmup_steps) / max(1, total - tc.warmup_steps))
    return tc.min_lr + 0.5 * (tc.lr - tc.min_lr) * (1 + math.cos(math.pi * progress))


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class RunError(ValueError):
    """A run directory that cannot be started or resumed as asked."""


# ---------------------------------------------------------------------------------------------
# Resumable state (no pickle: optimizer tensors in safetensors, the rest in JSON)
# ---------------------------------------------------------------------------------------------
def _save_state(run: Path, step: int, model: GPT, vocab: Vocabulary, opt: torch.optim.Optimizer,
                tc: TrainConfig, metrics: dict) -> None:
    state_dir = run / "state"
    final = state_dir / f"step-{step:09d}"
    tmp = state_dir / f".tmp-step-{step:09d}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    save_checkpoint(tmp, model, vocab, tc.to_dict(), step, metrics)
    sd = opt.state_dict()
    tensors = {"rng.torch": torch.get_rng_state()}
    scalars = {}
    for idx, st in sd["state"].items():
        for k, v in st.items():
            if torch.is_tensor(v):
                tensors[f"state.{idx}.{k}"] = v
            else:
                scalars[f"state.{idx}.{k}"] = v
    storage.save_tensors(tmp / "optimizer.safetensors", tensors)
    storage.write_json(tmp / "trainer.json", {"step": step, "param_groups": sd["param_groups"],
                                              "scalars": scalars})
    if final.exists():
        shutil.rmtree(final)
    os.rename(tmp, final)
    storage.write_text(state_dir / "LATEST", final.name + "\n")
    for old in state_dir.glob("step-*"):
        if old != final:
            shutil.rmtree(old, ignore_errors=True)


def _latest_state(run: Path) -> Path:
    latest = run / "state" / "LATEST"
    if not latest.is_file():
        raise RunError(f"{run}: nothing to resume (no state/LATEST)")
    return run / "state" / latest.read_text().strip()


def _read_optimizer_state(sdir: Path) -> tuple[dict, dict, dict]:
    """A saved state's optimizer: ({param index: {name: value}}, trainer.json, the tensors file)."""
    from safetensors.torch import load_file

    trainer = storage.read_json(sdir / "trainer.json")
    tensors = load_file(str(sdir / "optimizer.safetensors"))
    state: dict = {}
    for key, v in tensors.items():
        if key.startswith("state."):
            _, idx, name = key.split(".", 2)
            state.setdefault(int(idx), {})[name] = v
    for key, v in trainer["scalars"].items():
        _, idx, name = key.split(".", 2)
        state.setdefault(int(idx), {})[name] = v
    return state, trainer, tensors


def _load_state(run: Path, model: GPT, opt: torch.optim.Optimizer) -> int:
    sdir = _latest_state(run)
    ck = load_checkpoint(sdir)
    model.load_state_dict(ck.model.state_dict())
    state, trainer, tensors = _read_optimizer_state(sdir)
    opt.load_state_dict({"state": state, "param_groups": trainer["param_groups"]})
    torch.set_rng_state(tensors["rng.torch"])
    return int(trainer["step"])


def carry_optimizer(run: Path, step: int, model: GPT, opt: torch.optim.Optimizer) -> None:
    """Give `opt` (over `model`) the AdamW moments that run folder `run` saved at `step`, keeping `opt`'s
    own hyperparameters: a later stage then continues the earlier one's optimizer instead of starting
    from zero moments. The saved model must be `model`'s weights (checked), so the moments fit them."""
    try:
        sdir = _latest_state(Path(run))
        state, trainer, _ = _read_optimizer_state(sdir)
        saved = load_checkpoint(sdir).model.state_dict()
    except (OSError, KeyError, ValueError, CheckpointError) as e:
        raise RunError(f"--init-optimizer: {run} holds no readable optimizer state ({e}); a shipped "
                       "checkpoint has none, only a run folder that saved one does") from None
    if int(trainer["step"]) != step:
        raise RunError(f"--init-optimizer: {run}'s saved state is at step {trainer['step']}, not {step}")
    if any(not torch.equal(v, saved[k]) for k, v in model.state_dict().items()):
        raise RunError(f"--init-optimizer: {run}'s saved state is not the model it starts from")
    groups = opt.state_dict()["param_groups"]
    if [len(g["params"]) for g in groups] != [len(g["params"]) for g in trainer["param_groups"]]:
        raise RunError(f"--init-optimizer: {run}'s optimizer trained other parameters (a different --freeze?)")
    opt.load_state_dict({"state": state, "param_groups": groups})


# ---------------------------------------------------------------------------------------------
# Status and metrics
# ---------------------------------------------------------------------------------------------
def process_start_time(pid: int) -> str | None:
    """Start time (clock ticks since boot, from /proc) of a live, non-zombie process; None if it is gone.
    With the pid it identifies a process even after the pid is reused."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields_ = stat[stat.rindex(")") + 2:].split()
    if fields_[0] in ("Z", "X"):  # a zombie has finished
        return None
    return fields_[19]


def write_status(run: Path, **fields_) -> dict:
    path = run / "status.json"
    status = storage.read_json(path) if path.is_file() else {}
    status.update(fields_, updated=now())
    storage.write_json(path, status)
    return status


def read_metrics(run: Path) -> list[dict]:
    path = Path(run) / "metrics.jsonl"
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut by a kill
    return rows


def _truncate_metrics(run: Path, step: int) -> None:
    rows = [r for r in read_metrics(run) if r.get("step", 0) <= step]
    storage.write_text(run / "metrics.jsonl", "".join(json.dumps(r) + "\n" for r in rows))


def _append_metrics(run: Path, row: dict) -> None:
    with open(run / "metrics.jsonl", "a") as f:
        f.write(json.dumps(row) + "\n")


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------
def _to_device(x: np.ndarray, device: torch.device) -> torch.Tensor:
    """A batch array on `device`; to a GPU through pinned memory, without waiting for the copy, so the
    next batch is generated while the GPU still computes this step."""
    t = torch.from_numpy(np.ascontiguousarray(x))
    if device.type != "cuda":
        return t
    return t.pin_memory().to(device, non_blocking=True)


def _loss(model, batch, vocab: Vocabulary, tc: TrainConfig, device, rows=None):
    device = torch.device(device)
    inputs = _to_device(batch.inputs, device)
    targets = _to_device(batch.targets, device)
    logits = model(inputs)  # (B, T, V)
    if tc.objective == "next-token":
        return F.cross_entropy(logits.flatten(0, 1).float(), targets.flatten(), ignore_index=IGNORE)
    # legal-set: at each move's last token, the next token's exact distribution (uniform over the legal
    # next moves, read on their first tokens: the expectation of the next-token target, as the generator
    # plays uniformly); elsewhere (inside multi-token moves) the ordinary next token.
    legal = legal_next_targets(vocab, batch)
    b_t, p_t, of_t, tok_t = (_to_device(x, device) for x in (legal.rows, legal.cols, legal.of, legal.tokens))
    logp = F.log_softmax(logits[b_t, p_t].float(), -1)  # (K, V)
    moves = torch.bincount(of_t, minlength=len(legal.rows))  # (K,) legal next moves per position, >= 1
    soft = -(logp[of_t, tok_t] / moves[of_t]).sum()  # sum over positions of the cross-entropy with the uniform set
    hard_t = targets.clone()
    hard_t[b_t, p_t] = IGNORE
    hard = F.cross_entropy(logits.flatten(0, 1).float(), hard_t.flatten(), ignore_index=IGNORE, reduction="sum")
    n_hard = (hard_t != IGNORE).sum()
    return (soft + hard) / (len(legal.rows) + n_hard).clamp(min=1)


def snapshot_steps(tc: TrainConfig) -> set[int]:
    """The steps whose models the run keeps: fractions of its own steps, counted on from init_step."""
    n = tc.run_steps
    return {tc.init_step + max(1, min(n, round(f * n))) for f in tc.snapshots}


def native_bf16_cpu() -> bool:
    """Whether this CPU computes bfloat16 matrix products natively (AVX512-BF16 or AMX): then bfloat16
    autocast trains faster (benchmarks/bench_train.py); elsewhere it is emulated and slower."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def bfloat16_emulated(device) -> bool:
    """Whether bfloat16 autocast would be emulated on `device`: a CPU without AVX512-BF16 or AMX, where it
    trains many times slower than float32 (`small` on a 2-core AMD EPYC: 465 against 7,791 tokens/s)."""
    return torch.device(device).type == "cpu" and not native_bf16_cpu()


def cpu_model() -> str | None:
    """This machine's CPU model as the OS names it ('AMD EPYC', 'Intel(R) Xeon(R) Platinum 8480+'), or None where
    it does not say: two CPU runs in one number format compare in speed only on one model."""
    import platform

    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and value.strip():
                    return " ".join(value.split())
    except OSError:
        pass
    return platform.processor() or None


def here(device: torch.device, bf16: bool) -> dict:
    """What a start of a run trains on: {"device": "cpu", "name": "AMD EPYC", "dtype": "float32"} (the GPU's name
    on a GPU; name None where the OS does not say)."""
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else cpu_model() if device.type == "cpu" else None
    return {"device": str(device), "name": name, "dtype": "bfloat16" if bf16 else "float32"}


def machines_of(status: dict) -> list[dict]:
    """The trained_on entries a run's status keeps, those that are such (a hand-edited status may hold others)."""
    listed = status.get("machines")
    return [m for m in listed if isinstance(m, dict) and isinstance(m.get("from"), int) and isinstance(
        m.get("device"), str) and m.get("dtype") in ("float32", "bfloat16")] if isinstance(listed, list) else []


def trained_on(status: dict, start: int, now_on: dict) -> list[dict]:
    """The machines a run has trained on, as status.json keeps them: [{"from": step, **here()}, ...], one entry
    per change, the last the one it starts on now at `start`. Entries from past `start` (a resumption from an
    earlier state) are dropped; a run whose status predates the list starts it here."""
    past = [m for m in machines_of(status) if m["from"] < start]
    if past and {k: v for k, v in past[-1].items() if k != "from"} == now_on:
        return past
    return past + [{"from": start, **now_on}]


def describe(machine: dict) -> str:
    """'cpu (AMD EPYC), float32': a trained_on entry in words."""
    return machine["device"] + (f" ({machine['name']})" if machine.get("name") else "") + f", {machine['dtype']}"


def use_bfloat16(tc: TrainConfig, device: torch.device) -> bool:
    if tc.dtype != "auto":
        return tc.dtype == "bfloat16"
    return device.type == "cuda" or (device.type == "cpu" and native_bf16_cpu())


def _resolve_device(tc: TrainConfig, local_rank: int) -> torch.device:
    if tc.device == "auto":
        return torch.device(f"cuda:{local_rank}" if torch.cuda.is_available() else "cpu")
    return torch.device(tc.device)


def train(exp: ExperimentConfig, tc: TrainConfig, out, resume: bool = False, progress: bool = False,
          on_status=None, until: int | None = None) -> Path:
    """Train, writing the run directory `out`; returns it. See the module docstring.

    until: stop after this step (state 'cancelled', resumable) without changing the schedule, so a run
    can be trained in parts, or compared with other runs at the same step of the same schedule.

    on_status(step, total) is called whenever status.json is written (e.g. by a job that runs several
    trainings and keeps its own status)."""
    run = Path(out)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = _resolve_device(tc, local_rank)
    if world > 1:
        import torch.distributed as dist

        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        if device.type == "cuda":
            torch.cuda.set_device(device)
    main = rank == 0

    has_state = (run / "state" / "LATEST").exists()
    if has_state and not resume:
        raise RunError(f"{run} already holds a run; resume it with --resume or choose another --out")
    resume = resume and has_state  # resuming a run that never saved a state starts it from step 0
    run.mkdir(parents=True, exist_ok=True)
    vocab = Vocabulary.build(exp)
    torch.manual_seed(tc.seed)
    model = GPT(GPTConfig(vocab_size=vocab.size, context_length=vocab.context_length, **tc.model_shape())).to(device)
    if tc.init_from and not resume:
        base = load_checkpoint(tc.init_from)
        if base.vocab.size != vocab.size or not np.array_equal(base.vocab.tokens, vocab.tokens):
            raise RunError(f"--init-from {tc.init_from}: its vocabulary differs from this experiment's")
        try:
            if tc.deepen:
                model.load_deepened(base.model.state_dict())
            else:
                model.load_state_dict(base.model.state_dict())
        except (RuntimeError, ValueError) as e:
            raise RunError(f"--init-from {tc.init_from}: weights do not fit the model preset ({e})") from None
        if tc.init_step and base.step != tc.init_step:
            raise RunError(f"--init-step {tc.init_step}: {tc.init_from} was trained to step {base.step}")
    if tc.freeze:
        try:
            model.freeze(tc.freeze)
        except ValueError as e:
            raise RunError(f"--freeze: {e}") from None
    opt = model.configure_optimizer(tc.lr, tc.weight_decay)
    if tc.init_optimizer and not resume:
        carry_optimizer(Path(tc.init_from), tc.init_step, model, opt)
    start = tc.init_step
    if resume:
        start = _load_state(run, model, opt)
        if main:
            _truncate_metrics(run, start)
    elif main:
        storage.write_text(run / "experiment.toml", exp.to_toml())
        storage.write_json(run / "train.json", tc.to_dict())
        storage.write_text(run / "metrics.jsonl", "")

    # Bad settings (languages, an illegal prefix) fail here, before the run is marked running.
    try:
        langs = exp.input_languages if tc.languages is None else [exp.input_index(x) for x in tc.languages]
    except ValueError as e:
        raise RunError(str(e)) from None
    threads = torch.get_num_threads()
    data = TrainingData(vocab, tc.batch_size, tc.games, seed=tc.seed, prefix=tc.prefix, languages=langs)
    eval_games = heldout_games(tc.eval_games, seed=tc.seed)
    # numba's OpenMP layer (parallel game generation) resets the thread count it shares with torch;
    # keep the caller's, or a run that generated its corpus computes differently from its resumption.
    torch.set_num_threads(threads)
    snap_steps = snapshot_steps(tc)
    use_bf16 = use_bfloat16(tc, device)

    total = tc.total_steps
    if main:
        status = storage.read_json(run / "status.json") if (run / "status.json").is_file() else {}
        write_status(run, state="running", step=start, total=total, pid=os.getpid(),
                     proc_start=process_start_time(os.getpid()),
                     started=status.get("started") or now(), error=None, world_size=world,
                     device=str(device), objective=tc.objective, experiment=exp.name,
                     device_name=torch.cuda.get_device_name(device) if device.type == "cuda" else None,
                     # what it trains on, from which step: dtype "auto" resolves per machine, and a resumed run
                     # may be on another
                     machines=(machines := trained_on(status, start, here(device, use_bf16))))
        if len(machines) > 1 and machines[-1]["from"] == start:
            print(f"note: this run trained on {describe(machines[-2])} until step {start:,}; it resumes on "
                  f"{describe(machines[-1])} (dtype {tc.dtype!r} resolves per machine)", flush=True)

    train_model = model
    if tc.compile:
        train_model = torch.compile(model)
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel as DDP

        train_model = DDP(train_model, device_ids=[device.index] if device.type == "cuda" else None)

    stop = {"flag": False}

    def _on_signal(signum, frame):
        stop["flag"] = True

    previous_handlers = {}
    if main:
        for s in (signal.SIGTERM, signal.SIGINT):
            previous_handlers[s] = signal.signal(s, _on_signal)

    if progress and main and use_bf16 and bfloat16_emulated(device):
        print("warning: this CPU emulates bfloat16 (no AVX512-BF16 or AMX): training will be many times "
              "slower than with --dtype float32", flush=True)
    bar = None
    if progress and main:
        from tqdm import tqdm

        bar = tqdm(total=total, initial=start, desc=exp.name, unit="step", dynamic_ncols=True, disable=None)
        if bar.disable:  # not a terminal (a background job's log): plain lines instead
            bar.close()
            bar = None

    def evaluate_now(step: int, train_loss: float | None, tok_s: float | None) -> dict:
        acc = legal_move_accuracy(model, vocab, eval_games, device=device)
        row = {"step": step, "time": now(), "train_loss": train_loss,
               "val_loss": validation_loss(model, vocab, eval_games[:64], device=device),
               "legal_move_accuracy": acc, "tokens_per_s": tok_s, "lr": lr_at(max(step - 1, 0), tc)}
        model.train()
        return row

    step = start
    last_metrics: dict = {}
    losses: list[torch.Tensor] = []
    tokens_seen, t0, last_status = 0, time.perf_counter(), 0.0
    try:
        model.train()
        while step < total and not (until is not None and step >= until):
            batch = data.batch(step)
            if world > 1:
                batch = _shard(batch, rank, world)
            for g in opt.param_groups:
                g["lr"] = lr_at(step, tc)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16):
                loss = _loss(train_model, batch, vocab, tc, device)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if tc.grad_clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), tc.grad_clip)
            opt.step()
            step += 1
            if until is not None and step >= until:
                stop["flag"] = True
            losses.append(loss.detach())  # no .item() here: on a GPU it would wait for the step every step
            tokens_seen += int((batch.inputs > 0).sum()) * world
            if bar is not None:
                bar.update(1)
            if world > 1:
                import torch.distributed as dist

                flag = torch.tensor([1.0 if stop["flag"] else 0.0], device=device)
                dist.all_reduce(flag)
                stop["flag"] = bool(flag.item())
            if not main:
                if stop["flag"]:
                    break
                continue
            elapsed = time.perf_counter() - t0
            tok_s = tokens_seen / elapsed if elapsed > 0 else None
            if step % tc.eval_every == 0 or step == total or step in snap_steps:
                row = evaluate_now(step, float(torch.stack(losses).float().mean()) if losses else None, tok_s)
                losses = []
                last_metrics = row
                _append_metrics(run, row)
                if bar is not None:
                    acc = row["legal_move_accuracy"]
                    bar.set_postfix(loss=f"{row['train_loss']:.3f}", legal=f"{np.mean(list(acc.values())):.3f}",
                                    tok_s=f"{tok_s:,.0f}")
                else:
                    print(f"step {step}/{total} loss {row['train_loss']:.4f} val {row['val_loss']:.4f} legal "
                          + " ".join(f"{k}={v:.3f}" for k, v in row["legal_move_accuracy"].items())
                          + f" tok/s {tok_s:,.0f}", flush=True)
            if step in snap_steps:
                save_checkpoint(run / "snapshots" / f"step-{step:09d}", model, vocab, tc.to_dict(), step,
                                _summary(last_metrics))
            saved = step % tc.checkpoint_every == 0 or step == total or stop["flag"]
            if saved:
                _save_state(run, step, model, vocab, opt, tc, _summary(last_metrics))
                save_checkpoint(run, model, vocab, tc.to_dict(), step, _summary(last_metrics))
            # status at least every 2 s, and after every saved state: a job that dies then shows the step
            # it will resume from, not an older one
            if saved or time.perf_counter() - last_status > 2:
                last_status = time.perf_counter()
                eta = (total - step) * elapsed / max(step - start, 1)
                write_status(run, state="running", step=step, tokens_per_s=tok_s, eta_s=eta)
                if on_status is not None:
                    on_status(step, total)
            if stop["flag"]:
                break
        if main:
            if step >= total:
                write_status(run, state="finished", step=step, finished=now())
            else:
                write_status(run, state="cancelled", step=step, error=None)
        if world > 1:  # leave together: a rank that tears gloo down while the other still talks to it can abort
            import torch.distributed as dist

            dist.barrier()
    except BaseException as e:
        if main:
            msg = f"{type(e).__name__}: {e}".splitlines()[0]
            write_status(run, state="failed", step=step, error=msg)
            traceback.print_exc(file=sys.stderr)
        raise
    finally:
        for s, handler in previous_handlers.items():  # give an in-process caller its Ctrl-C back
            if handler is not None:
                signal.signal(s, handler)
        if bar is not None:
            bar.close()
        if world > 1:
            import torch.distributed as dist

            dist.destroy_process_group()
    return run


def _summary(row: dict) -> dict:
    if not row:
        return {}
    return {k: row[k] for k in ("step", "train_loss", "val_loss", "legal_move_accuracy", "tokens_per_s") if k in row}


def _shard(batch, rank: int, world: int):
    from .data import Batch

    sl = slice(rank, None, world)
    return Batch(batch.inputs[sl], batch.targets[sl], batch.languages[sl], batch.games[sl], batch.last[sl])


def load_run_configs(run) -> tuple[ExperimentConfig, TrainConfig]:
    run = Path(run)
    for name in ("experiment.toml", "train.json"):
        if not (run / name).is_file():
            raise RunError(f"{run}: not a run directory (no {name})")
    exp = load_config(run / "experiment.toml")
    tc = TrainConfig.from_dict(storage.read_json(run / "train.json"))
    return exp, tc

