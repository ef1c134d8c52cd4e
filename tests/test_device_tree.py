"""scripts/device_tree.sh: the working tree slimmed for a lent GPU (the shipped weights untracked, still on
disk) and restored as committed, in a repository of its own."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "device_tree.sh"
MIB = 1024 * 1024

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def _tree(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "scripts/device_tree.sh", *args], cwd=repo, capture_output=True, text=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository laid out like ours: 70 MiB of weights under checkpoints/, code and small JSON beside them."""
    r = tmp_path / "repo"
    (r / "scripts").mkdir(parents=True)
    shutil.copy(SCRIPT, r / "scripts" / "device_tree.sh")
    for name in ("naive-2/model.safetensors", "naive-2/analysis/probes/L0/probe.safetensors"):
        (r / "checkpoints" / name).parent.mkdir(parents=True, exist_ok=True)
        (r / "checkpoints" / name).write_bytes(b"\0" * (35 * MIB))
    (r / "checkpoints" / "naive-2" / "checkpoint.json").write_text('{"step": 1}')
    (r / "train.py").write_text("print('hi')\n")
    _git(r, "init", "-q")
    _git(r, "add", "-A")
    _git(r, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    return r


def test_slim_leaves_only_what_training_needs_and_restore_puts_the_tree_back(repo):
    big = _tree(repo, "size")
    assert big.returncode == 1 and "bytes would travel (limit 67108864)" in big.stdout   # over the limit
    slim = _tree(repo, "slim")
    assert slim.returncode == 0, slim.stderr
    small = int(_tree(repo, "size").stdout.split()[0])
    assert small < MIB and _tree(repo, "size").returncode == 0
    assert (repo / "checkpoints" / "naive-2" / "model.safetensors").stat().st_size == 35 * MIB   # still on disk
    assert "checkpoints/naive-2/checkpoint.json" in _git(repo, "ls-files")   # the metadata travels
    assert "already slim" in _tree(repo, "slim").stdout                     # twice is once
    assert _tree(repo, "restore").returncode == 0
    assert _git(repo, "status", "--porcelain") == ""                        # as committed
    assert "safetensors" not in (repo / ".git" / "info" / "exclude").read_text()
    assert int(_tree(repo, "size").stdout.split()[0]) > 70 * MIB


def test_slim_refuses_staged_changes_to_the_checkpoints_and_a_bad_command_says_how(repo):
    (repo / "checkpoints" / "naive-2" / "checkpoint.json").write_text('{"step": 2}')
    _git(repo, "add", "checkpoints")
    refused = _tree(repo, "slim")
    assert refused.returncode == 1 and refused.stderr.strip().startswith("error: changes under checkpoints/ are staged")
    assert "checkpoints/naive-2/model.safetensors" in _git(repo, "ls-files")     # nothing untracked
    bad = _tree(repo, "shrink")
    assert bad.returncode == 2 and bad.stderr.strip() == "usage: scripts/device_tree.sh slim|restore|size"
