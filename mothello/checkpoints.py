"""Checkpoints: a folder with `model.safetensors` and `checkpoint.json`; loading never unpickles.

checkpoint.json holds the model config, the full experiment config with its vocabulary tables, the
training config, the step, a metrics summary, the project version and commit, and the SHA-256 of
the weights file (so a truncated or tampered file is caught before use). A checkpoint folder may
also hold `snapshots/step-NNNNNNNNN/` (checkpoints along training) and `analysis/` (probe and
alignment results, written by the analysis modules).

The registry lists every checkpoint under `checkpoints/` (shipped) and `runs/` (trained here).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from . import __version__, storage
from .languages import ConfigError, ExperimentConfig, Vocabulary
from .model import GPT, GPTConfig

FORMAT = "mothello-checkpoint/1"
WEIGHTS, META = "model.safetensors", "checkpoint.json"
ROOT = Path(__file__).resolve().parents[1]
REQUIRED_KEYS = ("format", "model", "experiment", "vocabulary", "training", "step", "weights_sha256")


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message names the file and what is wrong."""


def checkpoints_dir() -> Path:
    return Path(os.environ.get("MOTHELLO_CHECKPOINTS", ROOT / "checkpoints"))


def runs_dir() -> Path:
    return Path(os.environ.get("MOTHELLO_RUNS", ROOT / "runs"))


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=5)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def vocabulary_dict(vocab: Vocabulary) -> dict:
    return {"size": vocab.size, "tokens": vocab.tokens.tolist(), "lengths": vocab.lengths.tolist()}


def save_checkpoint(path, model: GPT, vocab: Vocabulary, training: dict, step: int,
                    metrics: dict | None = None, half: bool = False) -> Path:
    """Write model.safetensors then checkpoint.json (each atomically). half: float16 weights."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    state = {k: (v.half() if half and v.is_floating_point() else v) for k, v in model.state_dict().items()}
    storage.save_tensors(path / WEIGHTS, state)
    meta = {
        "format": FORMAT,
        "model": model.cfg.to_dict(),
        "experiment": vocab.config.to_dict(),
        "vocabulary": vocabulary_dict(vocab),
        "training": training,
        "step": int(step),
        "metrics": metrics or {},
        "version": __version__,
        "commit": git_commit(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "weights_dtype": "float16" if half else "float32",
        "weights_sha256": _sha256(path / WEIGHTS),
    }
    storage.write_json(path / META, meta)
    return path


def read_meta(path) -> dict:
    """checkpoint.json of a checkpoint folder, checked for the required keys."""
    path = Path(path)
    meta_path = path / META
    if not path.is_dir():
        raise CheckpointError(f"{path}: no such checkpoint folder")
    if not meta_path.is_file():
        raise CheckpointError(f"{meta_path}: missing (a checkpoint folder needs {WEIGHTS} and {META})")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CheckpointError(f"{meta_path}: not valid JSON ({e})") from None
    if not isinstance(meta, dict):
        raise CheckpointError(f"{meta_path}: expected a JSON object")
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    if missing:
        raise CheckpointError(f"{meta_path}: missing key(s) {', '.join(missing)}")
    if meta["format"] != FORMAT:
        raise CheckpointError(f"{meta_path}: unknown format {meta['format']!r} (expected {FORMAT})")
    return meta


@dataclass
class Checkpoint:
    path: Path
    model: GPT
    vocab: Vocabulary
    meta: dict = field(repr=False)

    @property
    def config(self) -> ExperimentConfig:
        return self.vocab.config

    @property
    def name(self) -> str:
        return display_name(self.path)

    @property
    def step(self) -> int:
        return int(self.meta["step"])

    @property
    def metrics(self) -> dict:
        return self.meta.get("metrics", {})


def load_checkpoint(path, device: str | torch.device = "cpu") -> Checkpoint:
    """Load and verify a checkpoint folder. Raises CheckpointError naming the file and the problem."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    path = Path(path)
    meta = read_meta(path)
    meta_path, weights = path / META, path / WEIGHTS
    if not weights.is_file():
        raise CheckpointError(f"{weights}: missing")
    if _sha256(weights) != meta["weights_sha256"]:
        raise CheckpointError(f"{weights}: contents do not match the SHA-256 recorded in {META} "
                              "(truncated, modified, or from another checkpoint)")
    try:
        cfg = ExperimentConfig.from_dict(meta["experiment"], source=str(meta_path))
        vocab = Vocabulary.build(cfg)
    except (ConfigError, TypeError, KeyError) as e:
        raise CheckpointError(f"{meta_path}: invalid experiment config ({e})") from None
    stored = meta["vocabulary"]
    try:
        same = (stored["size"] == vocab.size and np.array_equal(np.asarray(stored["tokens"]), vocab.tokens)
                and np.array_equal(np.asarray(stored["lengths"]), vocab.lengths))
    except (KeyError, TypeError, ValueError):
        same = False
    if not same:
        raise CheckpointError(f"{meta_path}: vocabulary does not match the one its experiment config builds "
                              "(made by an incompatible version, or edited)")
    try:
        mcfg = GPTConfig(**meta["model"])
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{meta_path}: invalid model config ({e})") from None
    if mcfg.vocab_size != vocab.size:
        raise CheckpointError(f"{meta_path}: model vocabulary {mcfg.vocab_size} != experiment vocabulary {vocab.size}")
    try:
        state = load_file(str(weights))
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(f"{weights}: unreadable safetensors file ({e})") from None
    model = GPT(mcfg)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    extra = sorted(set(state) - set(expected))
    if missing or extra:
        raise CheckpointError(f"{weights}: tensors do not fit the model config "
                              f"(missing {missing[:3]}, unexpected {extra[:3]})")
    for k, v in expected.items():
        if state[k].shape != v.shape:
            raise CheckpointError(f"{weights}: tensor {k} has shape {tuple(state[k].shape)}, "
                                  f"the model config needs {tuple(v.shape)}")
    model.load_state_dict({k: v.float() for k, v in state.items()})
    model.to(device).eval()
    return Checkpoint(path=path, model=model, vocab=vocab, meta=meta)


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------
def display_name(path: Path) -> str:
    path = Path(path).resolve()
    for prefix, root in (("checkpoints", checkpoints_dir()), ("runs", runs_dir())):
        try:
            return f"{prefix}/{path.relative_to(Path(root).resolve())}"
        except ValueError:
            continue
    return str(path)


def resolve(name: str, allow_paths: bool = False) -> Path:
    """A registry name ('checkpoints/naive-2', 'runs/x', or a bare name under either) to its folder.

    Rejects names that would escape those folders. With allow_paths (the command line, where the user
    names a folder on their own disk) a path to an existing checkpoint folder elsewhere is accepted.
    """
    name = str(name).strip()
    if not name:
        raise CheckpointError("empty checkpoint name")
    direct = Path(name)
    if direct.is_absolute() or name.startswith("."):
        if not allow_paths:
            raise CheckpointError(f"{name}: checkpoint names are relative to checkpoints/ or runs/")
        if (direct / META).is_file():
            return direct
        raise CheckpointError(f"{name}: no checkpoint there (expected {META} inside)")
    parts = Path(name).parts
    if ".." in parts:
        raise CheckpointError(f"{name}: checkpoint names may not contain '..'")
    roots = {"checkpoints": checkpoints_dir(), "runs": runs_dir()}
    candidates = []
    if parts[0] in roots:
        candidates.append((roots[parts[0]], Path(*parts[1:]) if len(parts) > 1 else Path(".")))
    candidates += [(root, Path(name)) for root in roots.values()]
    for root, rel in candidates:
        root = Path(root).resolve()
        target = (root / rel).resolve()
        if target != root and root not in target.parents:
            raise CheckpointError(f"{name}: resolves outside {root}")
        if (target / META).is_file():
            return target
    if allow_paths and (direct / META).is_file():
        return direct
    raise CheckpointError(f"{name}: no such checkpoint (looked in {', '.join(str(r) for r in roots.values())})")


@dataclass
class CheckpointInfo:
    name: str
    path: Path
    experiment: str
    languages: list[str]
    n_layer: int
    d_model: int
    n_params: int
    step: int
    legal_move_accuracy: dict
    snapshots: list[int]
    error: str | None = None

    @property
    def mean_accuracy(self) -> float | None:
        acc = self.legal_move_accuracy
        return float(np.mean(list(acc.values()))) if acc else None


def training_stages(meta: dict) -> list[dict]:
    """The training stages recorded in a checkpoint's metadata (metrics.trained.stages, suite.STAGES: each
    {from, to, lr, dtype, device, started, finished}); [] for a model trained in one go."""
    stages = (meta.get("metrics") or {}).get("trained", {}).get("stages") or []
    return stages if len(stages) > 1 else []


def stage_games(stage: dict, batch_size: int) -> int:
    """Games one training stage saw: its steps times its batch (`batch_size` where the stage records none:
    the stages recorded before batches were, all trained at the suite's first batch size)."""
    return (int(stage.get("to") or 0) - int(stage.get("from") or 0)) * int(stage.get("batch_size") or batch_size)


def games_at(stages: list[dict], step: int, batch_size: int) -> int:
    """Games a model trained in `stages` had seen by `step`: each stage's steps up to `step` times its batch.
    With no stages recorded, step * batch_size."""
    if not stages:
        return int(step) * int(batch_size)
    return sum(stage_games({**s, "to": min(int(s.get("to") or 0), step)}, batch_size) for s in stages
               if int(s.get("from") or 0) < step)


def games_seen(meta: dict, steps) -> np.ndarray:
    """Games a checkpoint's model had seen at each of `steps` (its metrics' steps, say): over its recorded
    training stages, each at its own batch (a stage that records none: the checkpoint's batch), else
    steps x its batch. The x axis that compares training at different batch sizes."""
    batch = int((meta.get("training") or {}).get("batch_size") or 1)
    stages = training_stages(meta)
    return np.array([games_at(stages, int(x), batch) for x in steps], dtype=np.int64)


def stage_hours(stage: dict) -> float | None:
    """Wall-clock hours of one training stage (its started/finished timestamps); None if not recorded."""
    try:
        return (datetime.fromisoformat(stage["finished"]) - datetime.fromisoformat(stage["started"])).total_seconds() / 3600
    except (KeyError, TypeError, ValueError):
        return None


def list_snapshots(path) -> list[tuple[int, Path]]:
    """(step, folder) of each snapshot of a checkpoint, by step."""
    snaps = []
    for p in sorted((Path(path) / "snapshots").glob("step-*")):
        if (p / META).is_file():
            try:
                snaps.append((int(p.name.split("-")[1]), p))
            except ValueError:
                continue
    return sorted(snaps)


def info(path) -> CheckpointInfo:
    """Registry entry from checkpoint.json alone (no weights read)."""
    path = Path(path)
    name = display_name(path)
    try:
        meta = read_meta(path)
        m, exp = meta["model"], meta["experiment"]
        d, L, V, T = m["d_model"], m["n_layer"], m["vocab_size"], m["context_length"]
        n_params = 2 * V * d + T * d + L * (12 * d * d + 13 * d) + 2 * d  # embeddings + head, positions, blocks, ln_f
        return CheckpointInfo(name=name, path=path, experiment=exp.get("name", "?"),
                              languages=[lang["name"] for lang in exp["languages"]], n_layer=L, d_model=d,
                              n_params=int(n_params), step=int(meta["step"]),
                              legal_move_accuracy=meta.get("metrics", {}).get("legal_move_accuracy", {}),
                              snapshots=[s for s, _ in list_snapshots(path)])
    except (CheckpointError, KeyError, TypeError) as e:
        return CheckpointInfo(name=name, path=path, experiment="?", languages=[], n_layer=0, d_model=0,
                              n_params=0, step=0, legal_move_accuracy={}, snapshots=[], error=str(e))


def list_checkpoints(include_runs: bool = True) -> list[CheckpointInfo]:
    """Every checkpoint folder directly under checkpoints/ (and runs/), shipped ones first."""
    roots = [checkpoints_dir()] + ([runs_dir()] if include_runs else [])
    found = []
    for root in roots:
        if not Path(root).is_dir():
            continue
        for p in sorted(Path(root).iterdir()):
            if p.is_dir() and (p / META).is_file():
                found.append(info(p))
    return found
