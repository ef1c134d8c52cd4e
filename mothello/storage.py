"""Atomic writes: every file that outlives a process is written to a temporary file, then renamed."""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np


# the process's umask, read once at import (reading it means setting it): files written here get the
# permissions a plain open() would give them, not mkstemp's owner-only 0600
_UMASK = os.umask(0o022)
os.umask(_UMASK)


@contextmanager
def _atomic(path: Path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(fd, 0o666 & ~_UMASK)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes(path, data: bytes) -> None:
    with _atomic(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())


def write_text(path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path, obj) -> None:
    write_text(path, json.dumps(obj, indent=1, sort_keys=False) + "\n")


def finite(obj):
    """`obj` (nested dicts and lists) with every NaN or infinite float made None: JSON has no NaN, so a
    record other tools read (checkpoints/*/runs.json) says null for what was not measured."""
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    return obj


def save_npy(path, array: np.ndarray) -> None:
    with _atomic(path) as tmp:
        with open(tmp, "wb") as f:
            np.save(f, array)


def save_tensors(path, tensors: dict, metadata: dict[str, str] | None = None) -> None:
    """A safetensors file, written atomically (contiguous CPU copies of the tensors)."""
    from safetensors.torch import save_file

    with _atomic(path) as tmp:
        save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, str(tmp), metadata=metadata)
        os.chmod(tmp, 0o666 & ~_UMASK)  # safetensors writes its file anew, owner-only


def read_json(path) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_json_if_any(path) -> dict:
    """The JSON object in `path`, or {} when it is missing, unreadable or not an object."""
    try:
        obj = read_json(path) if Path(path).is_file() else {}
    except (OSError, ValueError):
        return {}
    return obj if isinstance(obj, dict) else {}
