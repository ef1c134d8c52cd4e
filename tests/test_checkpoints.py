"""Checkpoints (mothello.checkpoints): round trips, verification errors that name the file, the
registry, name resolution, and loading that never unpickles."""

import hashlib
import json
import os
import pickle
import shutil

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from safetensors import safe_open

from conftest import CONFIGS
from mothello.checkpoints import (
    games_at,
    games_seen,
    stage_games,
    META,
    WEIGHTS,
    CheckpointError,
    info,
    list_checkpoints,
    list_snapshots,
    load_checkpoint,
    read_meta,
    resolve,
    save_checkpoint,
    stage_hours,
    training_stages,
)
from mothello.languages import Vocabulary, load_config
from mothello.model import GPT, preset


@pytest.fixture(scope="module")
def vocab():
    return Vocabulary.build(load_config(CONFIGS / "naive-2.toml"))


def _model(vocab, seed=0):
    torch.manual_seed(seed)
    m = GPT(preset("tiny", vocab.size, vocab.context_length))
    with torch.no_grad():
        for p in m.parameters():
            p.add_(0.05 * torch.randn_like(p))
    return m.eval()


METRICS = {"legal_move_accuracy": {"L0": 0.75, "L1": 0.5}, "val_loss": 2.5}


@pytest.fixture
def ckpt(tmp_path, vocab):
    """A saved checkpoint folder and the model it holds."""
    m = _model(vocab)
    path = save_checkpoint(tmp_path / "ck", m, vocab, {"preset": "tiny"}, step=7, metrics=METRICS)
    return path, m


def _tokens(vocab, n=2):
    g = torch.Generator().manual_seed(0)
    return torch.randint(1, vocab.size, (n, 30), generator=g)


def _edit_meta(path, fn):
    meta = json.loads((path / META).read_text())
    fn(meta)
    (path / META).write_text(json.dumps(meta))


def _error(path) -> str:
    with pytest.raises(CheckpointError) as e:
        load_checkpoint(path)
    return str(e.value)


# ---------------------------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------------------------
def test_save_load_round_trip(ckpt, vocab):
    path, m = ckpt
    assert sorted(p.name for p in path.iterdir()) == sorted([WEIGHTS, META])
    ck = load_checkpoint(path)
    idx = _tokens(vocab)
    assert torch.equal(ck.model(idx), m(idx))
    for k, v in m.state_dict().items():
        assert torch.equal(ck.model.state_dict()[k], v), k
    assert not ck.model.training
    assert ck.step == 7 and ck.metrics == METRICS
    assert ck.config == vocab.config and ck.config.name == "naive-2"
    assert np.array_equal(ck.vocab.tokens, vocab.tokens) and ck.vocab.size == vocab.size
    assert ck.model.cfg == m.cfg
    meta = read_meta(path)
    assert meta["weights_sha256"] == hashlib.sha256((path / WEIGHTS).read_bytes()).hexdigest()
    assert meta["weights_dtype"] == "float32" and meta["training"] == {"preset": "tiny"}


def test_half_precision_weights_load_as_float32(tmp_path, vocab):
    m = _model(vocab)
    path = save_checkpoint(tmp_path / "half", m, vocab, {}, step=1, half=True)
    with safe_open(str(path / WEIGHTS), framework="pt") as f:
        assert all(f.get_tensor(k).dtype == torch.float16 for k in f.keys())
    full = save_checkpoint(tmp_path / "full", m, vocab, {}, step=1)
    assert (path / WEIGHTS).stat().st_size < 0.6 * (full / WEIGHTS).stat().st_size
    ck = load_checkpoint(path)
    assert read_meta(path)["weights_dtype"] == "float16"
    for k, v in m.state_dict().items():
        got = ck.model.state_dict()[k]
        assert got.dtype == torch.float32
        assert torch.equal(got, v.half().float()), k
    idx = _tokens(vocab)
    torch.testing.assert_close(ck.model(idx), m(idx), rtol=0, atol=2e-2)


# ---------------------------------------------------------------------------------------------
# Verification errors: a CheckpointError that names the file
# ---------------------------------------------------------------------------------------------
def test_truncated_weights(ckpt):
    path, _ = ckpt
    w = path / WEIGHTS
    w.write_bytes(w.read_bytes()[: w.stat().st_size // 2])
    msg = _error(path)
    assert str(w) in msg and "SHA-256" in msg


def test_one_modified_byte(ckpt):
    path, _ = ckpt
    w = path / WEIGHTS
    data = bytearray(w.read_bytes())
    data[len(data) // 2] ^= 0x01
    w.write_bytes(bytes(data))
    msg = _error(path)
    assert str(w) in msg and "SHA-256" in msg


def test_missing_weights(ckpt):
    path, _ = ckpt
    (path / WEIGHTS).unlink()
    msg = _error(path)
    assert str(path / WEIGHTS) in msg and "missing" in msg


def test_missing_checkpoint_json(ckpt):
    path, _ = ckpt
    (path / META).unlink()
    msg = _error(path)
    assert str(path / META) in msg and "missing" in msg


def test_not_a_folder(tmp_path):
    msg = _error(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in msg


@pytest.mark.parametrize("text", ["{not json", "", "\xff\xfe", "[1, 2]"])
def test_invalid_json(ckpt, text):
    path, _ = ckpt
    (path / META).write_bytes(text.encode("latin-1"))
    msg = _error(path)
    assert str(path / META) in msg
    assert "JSON" in msg


@pytest.mark.parametrize("key", ["model", "vocabulary", "weights_sha256", "format", "step"])
def test_missing_required_key(ckpt, key):
    path, _ = ckpt
    _edit_meta(path, lambda meta: meta.pop(key))
    msg = _error(path)
    assert str(path / META) in msg and "missing key" in msg and key in msg


def test_unknown_format(ckpt):
    path, _ = ckpt
    _edit_meta(path, lambda meta: meta.update(format="mothello-checkpoint/99"))
    msg = _error(path)
    assert str(path / META) in msg and "format" in msg


def test_shape_mismatch_from_an_edited_model_config(ckpt):
    """The SHA covers the weights only, so an edited config passes it and must be caught by shape."""
    path, _ = ckpt
    _edit_meta(path, lambda meta: meta["model"].update(d_model=32))
    msg = _error(path)
    assert str(path / WEIGHTS) in msg and "shape" in msg


def test_layer_count_mismatch(ckpt):
    path, _ = ckpt
    _edit_meta(path, lambda meta: meta["model"].update(n_layer=3))
    msg = _error(path)
    assert str(path / WEIGHTS) in msg and "missing" in msg and "blocks.2" in msg


def test_invalid_model_config(ckpt):
    path, _ = ckpt
    _edit_meta(path, lambda meta: meta["model"].update(n_head=3))  # 64 is not divisible by 3
    msg = _error(path)
    assert str(path / META) in msg and "model config" in msg


def test_vocabulary_mismatch(ckpt):
    path, _ = ckpt

    def edit(meta):
        meta["vocabulary"]["tokens"][1][19][0] += 1
    _edit_meta(path, edit)
    msg = _error(path)
    assert str(path / META) in msg and "vocabulary" in msg


def test_model_vocabulary_size_mismatch(ckpt):
    path, _ = ckpt
    _edit_meta(path, lambda meta: meta["model"].update(vocab_size=meta["model"]["vocab_size"] + 1))
    msg = _error(path)
    assert str(path / META) in msg and "vocabulary" in msg


def test_invalid_experiment_config(ckpt):
    path, _ = ckpt
    _edit_meta(path, lambda meta: meta["experiment"]["languages"][0].update(type="klingon"))
    msg = _error(path)
    assert str(path / META) in msg and "experiment" in msg


# ---------------------------------------------------------------------------------------------
# Never unpickle
# ---------------------------------------------------------------------------------------------
class _Evil:
    """Unpickling this creates the sentinel folder."""

    def __init__(self, sentinel):
        self.sentinel = str(sentinel)

    def __reduce__(self):
        return os.mkdir, (self.sentinel,)


@pytest.mark.parametrize("how", ["pickle", "torch.save"])
@pytest.mark.parametrize("sha", ["kept", "updated"])
def test_a_pickle_posing_as_weights_is_rejected_and_never_unpickled(ckpt, tmp_path, how, sha):
    path, m = ckpt
    sentinel = tmp_path / "unpickled"
    w = path / WEIGHTS
    payload = {**m.state_dict(), "evil": _Evil(sentinel)}
    if how == "pickle":
        w.write_bytes(pickle.dumps(payload))
    else:
        torch.save(payload, w)
    assert pickle.loads(pickle.dumps(_Evil(tmp_path / "probe"))) is None and (tmp_path / "probe").is_dir()
    if sha == "updated":  # a checksum that matches, so the file reaches the safetensors reader
        _edit_meta(path, lambda meta: meta.update(weights_sha256=hashlib.sha256(w.read_bytes()).hexdigest()))
    msg = _error(path)
    assert str(w) in msg
    assert ("unreadable safetensors" in msg) if sha == "updated" else ("SHA-256" in msg)
    assert not sentinel.exists()


# ---------------------------------------------------------------------------------------------
# Registry and name resolution
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def registry(tmp_path, monkeypatch, vocab):
    """checkpoints/ with two shipped checkpoints (one with snapshots), runs/ with a run, a folder
    that is no checkpoint, and a broken one."""
    ck_root, run_root = tmp_path / "checkpoints", tmp_path / "runs"
    monkeypatch.setenv("MOTHELLO_CHECKPOINTS", str(ck_root))
    monkeypatch.setenv("MOTHELLO_RUNS", str(run_root))
    m = _model(vocab)
    save_checkpoint(ck_root / "naive", m, vocab, {}, step=100, metrics=METRICS)
    for s in (10, 50):
        save_checkpoint(ck_root / "naive" / "snapshots" / f"step-{s:09d}", m, vocab, {}, step=s)
    anchors = Vocabulary.build(load_config(CONFIGS / "anchors-8.toml"))
    save_checkpoint(ck_root / "anchors", GPT(preset("tiny", anchors.size, anchors.context_length)), anchors,
                    {}, step=3)
    save_checkpoint(run_root / "my-run", m, vocab, {}, step=42, metrics={"legal_move_accuracy": {"L0": 0.9, "L1": 0.7}})
    (run_root / "not-a-checkpoint").mkdir()
    (run_root / "not-a-checkpoint" / "status.json").write_text("{}")
    broken = run_root / "broken"
    broken.mkdir()
    (broken / META).write_text("{oops")
    return ck_root, run_root


def test_list_checkpoints(registry):
    ck_root, run_root = registry
    found = {c.name: c for c in list_checkpoints()}
    assert list(found) == ["checkpoints/anchors", "checkpoints/naive", "runs/broken", "runs/my-run"]
    naive = found["checkpoints/naive"]
    assert naive.path == ck_root / "naive" and naive.error is None
    assert naive.experiment == "naive-2" and naive.languages == ["L0", "L1"]
    assert naive.step == 100 and naive.legal_move_accuracy == METRICS["legal_move_accuracy"]
    assert naive.mean_accuracy == pytest.approx(0.625)
    assert naive.snapshots == [10, 50]
    assert (naive.n_layer, naive.d_model) == (2, 64)
    assert naive.n_params == load_checkpoint(ck_root / "naive").model.n_params
    assert found["checkpoints/anchors"].experiment == "anchors-8"
    assert found["checkpoints/anchors"].legal_move_accuracy == {} and found["checkpoints/anchors"].mean_accuracy is None
    run = found["runs/my-run"]
    assert run.step == 42 and run.legal_move_accuracy == {"L0": 0.9, "L1": 0.7}
    assert found["runs/broken"].error and "JSON" in found["runs/broken"].error
    assert [c.name for c in list_checkpoints(include_runs=False)] == ["checkpoints/anchors", "checkpoints/naive"]
    assert [s for s, _ in list_snapshots(ck_root / "naive")] == [10, 50]
    assert info(ck_root / "naive").name == "checkpoints/naive"


def test_registry_of_missing_folders_is_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("MOTHELLO_CHECKPOINTS", str(tmp_path / "none1"))
    monkeypatch.setenv("MOTHELLO_RUNS", str(tmp_path / "none2"))
    assert list_checkpoints() == []


def test_resolve_registry_names(registry, tmp_path):
    ck_root, run_root = registry
    assert resolve("checkpoints/naive") == (ck_root / "naive").resolve()
    assert resolve("naive") == (ck_root / "naive").resolve()
    assert resolve(" runs/my-run ") == (run_root / "my-run").resolve()
    assert resolve("my-run") == (run_root / "my-run").resolve()
    assert resolve("checkpoints/naive/snapshots/step-000000010") == (ck_root / "naive/snapshots/step-000000010").resolve()
    # a checkpoint folder given by its path is accepted as it is where paths are allowed (the CLI) ...
    assert resolve(str(ck_root / "naive"), allow_paths=True) == ck_root / "naive"
    # ... and refused as a registry name (what the app passes)
    with pytest.raises(CheckpointError, match="relative to checkpoints/ or runs/"):
        resolve(str(ck_root / "naive"))
    assert load_checkpoint(resolve("checkpoints/naive")).step == 100


@pytest.mark.parametrize("name", [
    "", "  ", "../x", "..", "./..", "checkpoints/../../etc", "runs/../checkpoints/naive", "naive/../../..",
    "checkpoints/../runs/my-run", "/etc", "/", "nothing-here", "checkpoints/nothing", "runs/not-a-checkpoint",
])
def test_resolve_rejects_names_outside_the_registry_or_without_a_checkpoint(registry, name):
    with pytest.raises(CheckpointError):
        resolve(name)


def test_resolve_rejects_dotdot_even_when_the_target_is_a_checkpoint(registry, monkeypatch):
    ck_root, run_root = registry
    monkeypatch.chdir(ck_root / "naive" / "snapshots")
    with pytest.raises(CheckpointError, match=r"'\.\.'"):
        resolve("checkpoints/../checkpoints/naive")
    with pytest.raises(CheckpointError, match=r"'\.\.'"):
        resolve("step-000000010/../step-000000050")


def test_resolve_rejects_a_link_that_escapes_the_registry(registry, tmp_path, vocab):
    ck_root, _ = registry
    outside = save_checkpoint(tmp_path / "elsewhere" / "secret", _model(vocab), vocab, {}, step=1)
    (ck_root / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(CheckpointError, match="outside"):
        resolve("checkpoints/link")
    with pytest.raises(CheckpointError, match="outside"):
        resolve("link")


def test_trained_run_directory_is_a_checkpoint(tiny_checkpoint, tmp_path, monkeypatch):
    """The run directory written by training loads as a checkpoint and appears in the registry."""
    run_root = tmp_path / "runs"
    run_root.mkdir()
    shutil.copytree(tiny_checkpoint, run_root / "tiny", ignore=shutil.ignore_patterns("state"))
    monkeypatch.setenv("MOTHELLO_RUNS", str(run_root))
    monkeypatch.setenv("MOTHELLO_CHECKPOINTS", str(tmp_path / "none"))
    [entry] = list_checkpoints()
    status = json.loads((tiny_checkpoint / "status.json").read_text())
    assert entry.name == "runs/tiny" and entry.step == status["total"] and entry.languages == ["L0", "L1"]
    last = [json.loads(line) for line in (tiny_checkpoint / "metrics.jsonl").read_text().splitlines()][-1]
    assert entry.legal_move_accuracy == last["legal_move_accuracy"]
    assert entry.snapshots == sorted(int(p.name.split("-")[1]) for p in (tiny_checkpoint / "snapshots").iterdir())
    ck = load_checkpoint(resolve("runs/tiny"))
    assert ck.step == status["total"] and ck.meta["training"]["preset"] == "tiny"


def test_training_stages_and_their_wall_clock_hours():
    """Stages show only for a model trained in more than one; hours come from the stage's own timestamps
    (any UTC offset), and a stage that never recorded both gives None rather than an error."""
    first = {"from": 0, "to": 12000, "started": "2026-11-21T10:00:00+00:00", "finished": "2026-11-21T12:30:00+00:00"}
    second = {"from": 12000, "to": 24000, "started": "2026-11-28T20:00:00+01:00", "finished": "2026-11-28T19:45:00+00:00"}
    assert training_stages({"metrics": {"trained": {"stages": [first]}}}) == []
    assert training_stages({}) == []
    assert training_stages({"metrics": {"trained": {"stages": [first, second]}}}) == [first, second]
    assert stage_hours(first) == pytest.approx(2.5)
    assert stage_hours(second) == pytest.approx(0.75)
    assert stage_hours({"started": first["started"]}) is None
    assert stage_hours({"started": "yesterday", "finished": first["finished"]}) is None


# ---------------------------------------------------------------------------------------------
# Games seen across training stages of different batch sizes
# ---------------------------------------------------------------------------------------------
_stage_lists = st.lists(st.tuples(st.integers(1, 5_000), st.sampled_from([None, 8, 64, 1024])), min_size=1, max_size=6)


def _stages(spans):
    stages, at = [], 0
    for n, batch in spans:
        stages.append({"from": at, "to": at + n, **({"batch_size": batch} if batch else {})})
        at += n
    return stages


@given(_stage_lists, st.integers(0, 40_000))
def test_games_seen_count_each_stages_steps_at_its_own_batch(spans, step):
    stages = _stages(spans)
    games = games_at(stages, step, batch_size=64)
    # one game list per step, as a brute-force count
    per_step = [s.get("batch_size") or 64 for s in stages for _ in range(s["to"] - s["from"])]
    assert games == sum(per_step[:step])
    assert games_at(stages, stages[-1]["to"], 64) == sum(stage_games(s, 64) for s in stages)


def test_games_seen_without_stages_is_steps_times_the_batch():
    assert games_at([], 1_000, 64) == 64_000
    assert stage_games({"from": 24_000, "to": 32_000, "batch_size": 1024}, 64) == 8_192_000
    assert stage_games({"from": 12_000, "to": 24_000}, 64) == 768_000  # a stage recorded before batches were


def test_a_checkpoints_games_seen_follow_its_stages_or_its_batch():
    one_go = {"training": {"batch_size": 32}, "metrics": {}}
    assert list(games_seen(one_go, [0, 10, 250])) == [0, 320, 8000]
    staged = {"training": {"batch_size": 1024}, "metrics": {"trained": {"stages": [
        {"from": 0, "to": 100, "batch_size": 64}, {"from": 100, "to": 300}]}}}  # the second: the checkpoint's batch
    assert list(games_seen(staged, [50, 100, 200, 300])) == [3200, 6400, 6400 + 102_400, 6400 + 204_800]
