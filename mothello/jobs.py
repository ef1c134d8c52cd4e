"""Background training jobs: launch, list, cancel, resume, and notice a run whose process died.

A job is a training process in its own process group (it outlives the page and the app) writing a
run directory (train.py). Everything a viewer needs is in that directory; nothing here holds a thread.
    launch(...)   create a fresh run directory (never shared: created exclusively, unique name),
                  write its configs, start `python -m mothello train --resume --out RUN`
    runs()        every run under runs/, with its live status
    cancel(run)   SIGTERM to the job's process group: the trainer saves a resumable state and stops
    resume(run)   start the trainer again on the run; it continues from the last saved state
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import storage
from .checkpoints import ROOT, runs_dir
from .languages import ExperimentConfig
from .train import TrainConfig, process_start_time as _proc_start_time, read_metrics

ACTIVE = ("starting", "running", "cancelling")


class JobError(ValueError):
    pass


def _alive(job: dict) -> bool:
    pid = job.get("pid")
    if not pid:
        return False
    start = _proc_start_time(int(pid))
    return start is not None and start == job.get("proc_start")


def _alive_from_status(run: Path, st: dict) -> bool:
    """A run started outside the jobs API (the CLI, Python) has no job.json: its trainer is alive if the
    pid in status.json is a live process started when the trainer recorded (proc_start); for runs from
    before proc_start was recorded, a live pid whose command line names this run directory."""
    pid = st.get("pid")
    start = _proc_start_time(int(pid)) if pid else None
    if start is None:
        return False
    if st.get("proc_start"):
        return start == st["proc_start"]
    try:
        args = Path(f"/proc/{int(pid)}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(a and Path(a.decode("utf-8", "replace")).name == run.name for a in args)


def _spawn(run: Path, kind: str) -> dict:
    log = open(run / "log.txt", "ab")
    cmd = [sys.executable, "-m", "mothello", kind, "--resume", "--out", str(run)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, cwd=str(ROOT), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True, env=env)
    log.close()
    start = None
    for _ in range(50):  # /proc entry appears at once; retry briefly on a loaded machine
        start = _proc_start_time(proc.pid)
        if start is not None:
            break
        time.sleep(0.01)
    job = {"pid": proc.pid, "pgid": proc.pid, "proc_start": start, "kind": kind, "command": cmd,
           "launched": datetime.now().astimezone().isoformat(timespec="seconds")}
    storage.write_json(run / "job.json", job)
    return job


def new_run_dir(name: str, root: Path | None = None) -> Path:
    """A fresh, exclusively created run directory runs/NAME-YYYYmmdd-HHMMSS-XXXX."""
    root = Path(root or runs_dir())
    root.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "run"
    for _ in range(20):
        path = root / f"{slug}-{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise JobError(f"could not create a fresh run directory under {root}")


def launch(exp: ExperimentConfig, tc: TrainConfig, name: str | None = None, root: Path | None = None,
           kind: str = "train") -> Path:
    """Start a training run in the background; returns its run directory at once."""
    run = new_run_dir(name or exp.name, root)
    storage.write_text(run / "experiment.toml", exp.to_toml())
    storage.write_json(run / "train.json", tc.to_dict())
    storage.write_json(run / "status.json", {"state": "starting", "step": 0, "total": tc.total_steps,
                                             "experiment": exp.name, "error": None})
    _spawn(run, kind)
    return run


def launch_transfer(exp: ExperimentConfig, tc, name: str | None = None, root: Path | None = None,
                    pretrained: Path | None = None) -> Path:
    """Start the transfer experiment (transfer.TransferConfig) in the background; with `pretrained` (a
    finished pretrain/ folder of another transfer run, transfer.pretraining_mismatch) it is copied in
    first and only the fine-tuning runs. ValueError, leaving nothing behind, when it does not match."""
    from .transfer import reuse_pretraining

    run = new_run_dir(name or f"transfer-{exp.name}", root)
    if pretrained is not None:
        try:
            reuse_pretraining(exp, tc, pretrained, run)  # checks it matches first
        except ValueError:
            shutil.rmtree(run)
            raise
    storage.write_text(run / "experiment.toml", exp.to_toml())
    storage.write_json(run / "transfer.json", tc.to_dict())
    storage.write_json(run / "status.json", {"state": "starting", "step": 0, "total": 0, "kind": "transfer",
                                             "experiment": exp.name, "error": None})
    _spawn(run, "transfer")
    return run


@dataclass
class RunStatus:
    path: Path
    name: str
    state: str                 # starting, running, finished, failed, cancelled, cancelling, died
    step: int
    total: int
    error: str | None
    status: dict = field(repr=False)
    alive: bool = False
    log_tail: list[str] = field(default_factory=list, repr=False)

    @property
    def fraction(self) -> float:
        return min(1.0, self.step / self.total) if self.total else 0.0

    @property
    def resumable(self) -> bool:
        return not self.alive and self.state in ("cancelled", "failed", "died")


def log_tail(run: Path, n: int = 20) -> list[str]:
    path = Path(run) / "log.txt"
    if not path.is_file():
        return []
    with open(path, "rb") as f:
        f.seek(max(0, path.stat().st_size - 16384))
        text = f.read().decode("utf-8", "replace")
    return [line for line in text.replace("\r", "\n").splitlines() if line.strip()][-n:]


def status(run) -> RunStatus:
    """The run's status, corrected by whether its process still lives."""
    run = Path(run)
    st = storage.read_json(run / "status.json") if (run / "status.json").is_file() else {}
    job = storage.read_json(run / "job.json") if (run / "job.json").is_file() else {}
    alive = _alive(job) if job else _alive_from_status(run, st)
    state = st.get("state", "unknown")
    error = st.get("error")
    tail: list[str] = []
    if state in ACTIVE and not alive:
        if job.get("cancel_requested"):
            state = "cancelled"
        else:
            state = "died"
            tail = log_tail(run)
            error = error or "the training process ended without saying why" + (
                f"; last log line: {tail[-1]}" if tail else "")
    elif state == "failed":
        tail = log_tail(run)
    return RunStatus(path=run, name=run.name, state=state, step=int(st.get("step", 0)),
                     total=int(st.get("total", 0)), error=error, status=st, alive=alive, log_tail=tail)


def runs(root: Path | None = None) -> list[RunStatus]:
    """Every run directory under runs/, newest first."""
    root = Path(root or runs_dir())
    if not root.is_dir():
        return []
    found = [status(p) for p in root.iterdir() if p.is_dir() and (p / "status.json").is_file()]
    return sorted(found, key=lambda r: r.status.get("started") or r.path.name, reverse=True)


def cancel(run) -> None:
    """Ask the job to stop: it saves a resumable state and ends with state 'cancelled'."""
    run = Path(run)
    job = storage.read_json(run / "job.json") if (run / "job.json").is_file() else {}
    if not _alive(job):
        raise JobError(f"{run.name} is not running")
    job["cancel_requested"] = True
    storage.write_json(run / "job.json", job)
    try:
        os.killpg(int(job["pgid"]), signal.SIGTERM)
    except ProcessLookupError:
        pass


def resume(run) -> None:
    """Start a stopped (cancelled, failed or died) run again from its last saved state."""
    run = Path(run)
    st = status(run)
    if st.alive:
        raise JobError(f"{run.name} is still running")
    if st.state == "finished":
        raise JobError(f"{run.name} has finished")
    kind = (storage.read_json(run / "job.json") if (run / "job.json").is_file() else {}).get("kind", "train")
    storage.write_json(run / "status.json", {**st.status, "state": "starting", "error": None})
    _spawn(run, kind)


def wait(run, timeout: float = 600, poll: float = 0.2) -> RunStatus:
    """Block until the run's process has ended (for scripts and tests)."""
    deadline = time.monotonic() + timeout
    while True:
        st = status(run)
        if (st.state not in ACTIVE and not st.alive) or time.monotonic() > deadline:
            return st
        time.sleep(poll)


def metrics(run) -> list[dict]:
    return read_metrics(Path(run))
