"""Test setup: the project package and the tests' helper modules importable however pytest is started,
thread and data-folder isolation, and session fixtures with small trained models (see below)."""

import sys
from pathlib import Path

_TESTS = Path(__file__).resolve().parent
for _p in (_TESTS.parent, _TESTS):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

# ---------------------------------------------------------------------------------------------
# Shared settings and trained-model fixtures for the model, training, checkpoint, evaluation,
# job and command-line tests (and the analysis tests that build on them).
# ---------------------------------------------------------------------------------------------
import os  # noqa: E402

# Tiny models train fastest on one thread, and several threads per process oversubscribe a small,
# busy machine (a tiny training step went from 0.1 s to 1.7 s with 2 threads beside another job).
# Set before torch is imported; subprocesses (CLI, torchrun, jobs) inherit it. Override by setting it.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import json  # noqa: E402
import subprocess  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import pytest  # noqa: E402

ROOT = _TESTS.parent
CONFIGS = ROOT / "configs"


@pytest.fixture(scope="session", autouse=True)
def _isolated_data_dirs(tmp_path_factory):
    """The whole session caches, trains and registers under a temporary folder, never in the
    project's .cache/, runs/ or checkpoints/. Tests that need their own set them with monkeypatch;
    subprocesses inherit these values through os.environ."""
    base = tmp_path_factory.mktemp("mothello-env")
    mp = pytest.MonkeyPatch()
    for var, sub in (("MOTHELLO_CACHE", "cache"), ("MOTHELLO_RUNS", "runs"),
                     ("MOTHELLO_CHECKPOINTS", "checkpoints")):
        (base / sub).mkdir()
        mp.setenv(var, str(base / sub))
    yield base
    mp.undo()


def run_cli(*args, env=None, timeout=300, check=False):
    """`python -m mothello ARGS` in a subprocess from the project root; returns CompletedProcess."""
    import sys

    proc = subprocess.run([sys.executable, "-m", "mothello", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})
    if check and proc.returncode != 0:
        raise AssertionError(f"mothello {' '.join(map(str, args))} exited {proc.returncode}:\n"
                             f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


@dataclass
class CliTrainResult:
    run: Path
    proc: subprocess.CompletedProcess

    @property
    def status(self) -> dict:
        return json.loads((self.run / "status.json").read_text())


@pytest.fixture(scope="session")
def tiny_cli_train(tmp_path_factory) -> CliTrainResult:
    """`python -m mothello train configs/naive-2.toml --preset tiny --out RUN` with the preset's
    default settings (the issue's "trains in under a minute on CPU" command): 10,000-game corpus,
    one epoch = 157 steps of batch 64, next-token objective (the study's), evaluation every 50 steps
    on 50 held-out games, a resumable state every 50 steps, snapshots at 5/10/25/50/100 % of
    training (steps 8, 16, 39, 78, 157). Trained once per session; reaches a legal-move accuracy
    of about 0.4 per language (an untrained model: about 0.07). Do not modify the run directory."""
    run = tmp_path_factory.mktemp("tiny_checkpoint") / "naive-2-tiny"
    proc = run_cli("train", CONFIGS / "naive-2.toml", "--preset", "tiny", "--out", run, timeout=600)
    return CliTrainResult(run=run, proc=proc)


@pytest.fixture(scope="session")
def tiny_checkpoint(tiny_cli_train) -> Path:
    """Run directory (also a checkpoint folder: model.safetensors + checkpoint.json) of a tiny
    model (2 layers x 64 wide, 2 heads) trained on configs/naive-2.toml (two atomic languages L0,
    L1) by `tiny_cli_train`. Holds status.json, metrics.jsonl, snapshots/step-*/ and state/.
    Read-only for tests: copy it (shutil.copytree) before changing anything."""
    r = tiny_cli_train
    assert r.proc.returncode == 0, f"tiny training failed:\n{r.proc.stdout[-3000:]}\n{r.proc.stderr[-3000:]}"
    return r.run


@pytest.fixture(scope="session")
def toy_transfer(tmp_path_factory) -> Path:
    """A finished toy transfer run of naive-2 (tiny model: 20 pretraining steps, 128 fine-tuning games,
    1 epoch, 2 snapshots, 5 evaluation games, 40 probe games): pretrained model + 2 snapshots measured.
    Read-only for tests: copy it before changing anything."""
    from mothello.languages import load_config
    from mothello.transfer import TransferConfig, run_transfer

    pin_torch_threads()
    run = tmp_path_factory.mktemp("toy_transfer") / "transfer-naive-2"
    tc = TransferConfig(preset="tiny", pretrain_steps=20, finetune_games=128, finetune_epochs=1, snapshots_per_epoch=2,
                        eval_games=5, probe_games=40)
    run_transfer(load_config(CONFIGS / "naive-2.toml"), tc, run)
    return run


@pytest.fixture(scope="session")
def tiny_unified_checkpoint(tmp_path_factory) -> Path:
    """Run directory of a tiny model trained in-process on configs/unified-mixed.toml (output
    language 'out'; inputs atomic-1, atomic-2, split, comp): 40 steps of batch 32 on streamed games,
    legal-set objective, 8 evaluation games, resumable state every 20 steps, snapshots at 50 % and
    100 %. Barely trained (legal-move accuracy about 0.2): for shapes, plumbing and unified-output
    decoding, not for claims about learning. Read-only for tests."""
    from mothello.languages import load_config
    from mothello.train import TrainConfig, train

    pin_torch_threads()  # session fixtures are set up before the per-test autouse fixture runs
    run = tmp_path_factory.mktemp("tiny_unified_checkpoint") / "unified-mixed-tiny"
    tc = TrainConfig(preset="tiny", games=None, steps=40, batch_size=32, objective="legal-set", warmup_steps=10,
                     eval_every=1000, eval_games=8, checkpoint_every=20, snapshots=[0.5, 1.0], device="cpu")
    train(load_config(CONFIGS / "unified-mixed.toml"), tc, run)
    return run


@pytest.fixture(autouse=True)
def _torch_threads():
    """Hold torch to OMP_NUM_THREADS in every test: numba's OpenMP layer (parallel game generation in
    other tests) resets the thread count it shares with torch, which makes in-process training
    slower on a busy machine and numerically different from the single-threaded subprocesses that
    the resume tests compare it with."""
    pin_torch_threads()
    yield


def pin_torch_threads():
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            n = int(os.environ.get("OMP_NUM_THREADS", "1"))
        except ValueError:  # e.g. a nested setting "4,2"
            n = 1
        torch.set_num_threads(max(1, n))


def staged_copy(src: Path, dst: Path) -> dict:
    """A copy of checkpoint `src` at `dst`, recorded as trained in two stages (suite.STAGES): 0 -> 100 in
    float32 for 1.5 h at batch 64, then 100 -> its step in bfloat16 for 0.75 h at batch 1,024 on a GPU, carrying
    the first stage's AdamW moments over. Returns its metadata."""
    import json
    import shutil

    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("state"))
    meta = json.loads((dst / "checkpoint.json").read_text())
    meta["metrics"]["trained"] = {"stages": [
        {"from": 0, "to": 100, "lr": 3e-3, "dtype": "float32", "batch_size": 64, "device": "cpu",
         "started": "2026-11-01T10:00:00+00:00", "finished": "2026-11-01T11:30:00+00:00"},
        {"from": 100, "to": meta["step"], "lr": 1e-3, "min_lr": 1e-4, "warmup_steps": 200, "init_optimizer": True,
         "dtype": "bfloat16", "batch_size": 1024, "device": "cuda:0", "device_name": "NVIDIA H200",
         "started": "2026-11-02T10:00:00+00:00", "finished": "2026-11-02T10:45:00+00:00"}]}
    (dst / "checkpoint.json").write_text(json.dumps(meta))
    return meta
