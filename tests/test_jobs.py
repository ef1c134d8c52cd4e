"""Background training jobs (mothello.jobs): launch, progress, cancel, a killed process noticed as
died, resume, and unique run directories."""

import json
import os
import signal
import threading
import time

import pytest

from conftest import CONFIGS
from mothello import jobs
from mothello.languages import load_config
from mothello.train import TrainConfig, read_metrics


@pytest.fixture
def root(tmp_path, monkeypatch):
    """runs/ in a temporary folder (the job processes inherit the environment)."""
    r = tmp_path / "runs"
    monkeypatch.setenv("MOTHELLO_RUNS", str(r))
    return r


@pytest.fixture(scope="module")
def exp():
    return load_config(CONFIGS / "naive-2.toml")


def _tc(steps, **kw):
    """Tiny, cheap steps (batch 8) over a small corpus; no evaluation except at the end."""
    return TrainConfig(**{**dict(preset="tiny", games=256, batch_size=8, steps=steps, warmup_steps=5,
                                 eval_every=10_000, eval_games=4, checkpoint_every=10, snapshots=[],
                                 device="cpu"), **kw})


def _until(predicate, timeout=120, poll=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(poll)


def _wait(run, timeout=180):
    st = jobs.wait(run, timeout=timeout, poll=0.1)
    assert not st.alive, f"{run.name} still running after {timeout} s"
    return st


def _log(run):
    return (run / "log.txt").read_text(errors="replace")[-3000:] if (run / "log.txt").is_file() else ""


def test_job_lifecycle_launch_cancel_resume_kill_resume(root, exp):
    """One run through everything a job can go through (each process start costs seconds):
    launch -> progress -> cancel (state saved) -> resume -> SIGKILL (seen as died) -> resume -> finished."""
    tc = _tc(100)
    run = jobs.launch(exp, tc, name="life cycle")
    assert run.parent == root and run.name.startswith("life-cycle-")
    assert json.loads((run / "train.json").read_text()) == tc.to_dict()
    assert load_config(run / "experiment.toml") == exp
    job = json.loads((run / "job.json").read_text())
    assert job["kind"] == "train" and job["pid"] == job["pgid"] and job["proc_start"]
    st = jobs.status(run)
    assert st.state in ("starting", "running") and st.total == 100 and st.alive
    assert [r.path for r in jobs.runs()] == [run]

    # progress
    st = _until(lambda: (s := jobs.status(run)).step >= 1 and s, what="progress")
    assert st.state == "running" and st.alive and 0 < st.fraction < 1 and not st.resumable

    # cancel: the trainer saves its state at the step it stopped and says cancelled
    jobs.cancel(run)
    st = _wait(run)
    assert st.state == "cancelled", _log(run)
    assert st.error is None and not st.alive and st.resumable
    assert 1 <= st.step < 100, "the job finished before it could be cancelled"
    cancelled_at = st.step
    assert (run / "state" / "LATEST").read_text().strip() == f"step-{cancelled_at:09d}"
    with pytest.raises(jobs.JobError, match="not running"):
        jobs.cancel(run)

    # resume, then SIGKILL the process group once a later checkpoint exists: the view says died
    jobs.resume(run)
    assert jobs.status(run).state in ("starting", "running")
    _until(lambda: (run / "state" / "LATEST").read_text().strip() > f"step-{cancelled_at:09d}"
           and jobs.status(run).step > cancelled_at, what="a checkpoint after resuming, and its status")
    os.killpg(json.loads((run / "job.json").read_text())["pgid"], signal.SIGKILL)
    st = _wait(run)
    assert st.state == "died" and not st.alive and st.resumable, _log(run)
    assert cancelled_at < st.step < 100
    assert "ended" in st.error and "last log line" in st.error
    assert st.log_tail and st.log_tail[-1] in st.error
    assert any("(resumed)" in line for line in st.log_tail)
    assert json.loads((run / "status.json").read_text())["state"] == "running"  # only the view says died

    # resume again: it finishes
    jobs.resume(run)
    st = _wait(run)
    assert st.state == "finished", _log(run)
    assert st.step == st.total == 100 and st.fraction == 1.0 and not st.resumable and st.error is None
    assert read_metrics(run)[-1]["step"] == 100
    assert "finished at step 100/100" in _log(run)
    with pytest.raises(jobs.JobError, match="finished"):
        jobs.resume(run)
    assert [(r.path, r.state) for r in jobs.runs()] == [(run, "finished")]


def test_two_launches_at_once_get_their_own_run_directories(root, exp):
    tc = _tc(2, games=16)
    made = []

    def go():
        made.append(jobs.launch(exp, tc, name="same name"))
    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 2 and made[0] != made[1]
    assert all(p.parent == root and p.name.startswith("same-name-") for p in made)
    listed = jobs.runs()
    assert sorted(r.path for r in listed) == sorted(made)
    assert all(r.state in ("starting", "running") and r.total == 2 for r in listed)
    # cancelled while still starting up: they end at once, and read as cancelled (resumable)
    for run in made:
        jobs.cancel(run)
    for run in made:
        st = _wait(run)
        assert st.state == "cancelled" and st.resumable, _log(run)
    assert json.loads((made[0] / "job.json").read_text())["cancel_requested"] is True


def test_new_run_dirs_are_unique_and_exclusive(tmp_path):
    dirs = [jobs.new_run_dir("x/../../evil name!", root=tmp_path) for _ in range(30)]
    assert len(set(dirs)) == 30
    assert all(d.parent == tmp_path and d.is_dir() and d.name.startswith("x-..-..-evil-name-") for d in dirs)
    assert jobs.new_run_dir("", root=tmp_path).name.startswith("run-")


def test_status_of_a_directory_without_a_job(tmp_path):
    run = tmp_path / "r"
    run.mkdir()
    (run / "status.json").write_text(json.dumps({"state": "running", "step": 3, "total": 10}))
    st = jobs.status(run)
    assert st.state == "died" and "ended without saying why" in st.error and st.log_tail == []
    assert jobs.runs(tmp_path)[0].path == run
    with pytest.raises(jobs.JobError, match="not running"):
        jobs.cancel(run)


def test_a_trainer_started_outside_the_jobs_api_is_alive_by_pid_and_start_time(tmp_path):
    """A run trained from Python or the CLI (no job.json) records its pid and process start time; the
    run is alive exactly while that process runs, whatever its command line (here: pytest's)."""
    from mothello.train import process_start_time

    run = tmp_path / "suite-x"
    run.mkdir()
    me = os.getpid()
    st = {"state": "running", "step": 3, "total": 10, "pid": me, "proc_start": process_start_time(me)}
    (run / "status.json").write_text(json.dumps(st))
    assert jobs.status(run).state == "running" and jobs.status(run).alive
    # the same pid with another start time: the recorded process has ended and the pid was reused
    (run / "status.json").write_text(json.dumps({**st, "proc_start": "1"}))
    assert jobs.status(run).state == "died"
    # a run from before proc_start was recorded: a live pid counts only if its command line names the run
    (run / "status.json").write_text(json.dumps({k: v for k, v in st.items() if k != "proc_start"}))
    assert jobs.status(run).state == "died"


def test_a_transfer_launch_with_a_pretraining_that_does_not_match_makes_nothing(root, exp, monkeypatch):
    from mothello.transfer import TransferConfig

    monkeypatch.setattr(jobs, "_spawn", lambda run, kind: pytest.fail("nothing may start"))
    fake = root / "elsewhere" / "pretrain"
    fake.mkdir(parents=True)
    before = sorted(root.iterdir())
    with pytest.raises(ValueError, match="not a training run"):
        jobs.launch_transfer(exp, TransferConfig(preset="tiny"), root=root, pretrained=fake)
    assert sorted(root.iterdir()) == before
