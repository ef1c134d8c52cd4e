"""Training (mothello.train): schedule, losses, the run directory, exact resume (also after a
SIGKILL), refusal to overwrite a run, DistributedDataParallel, fine-tuning."""

import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors.torch import load_file

from conftest import CONFIGS, ROOT, run_cli
from mothello.checkpoints import load_checkpoint
from mothello.cli import main as cli_main
from mothello.data import IGNORE, TrainingData, heldout_games, legal_next_targets, make_batch
from mothello.languages import Vocabulary, load_config
from mothello.evaluate import legal_move_accuracy
from mothello.model import GPT, PRESETS, GPTConfig, preset
from mothello.train import (
    PRESET_TRAINING,
    RunError,
    TrainConfig,
    _loss,
    load_run_configs,
    lr_at,
    read_metrics,
    snapshot_steps,
    machines_of,
    train,
    trained_on,
)


@pytest.fixture(scope="module")
def naive2():
    return load_config(CONFIGS / "naive-2.toml")


def _weights(run):
    return load_file(str(run / "model.safetensors"))


def assert_same_weights(a, b):
    wa, wb = _weights(a), _weights(b)
    assert wa.keys() == wb.keys()
    for k in wa:
        assert torch.equal(wa[k], wb[k]), f"{k} differs between {a} and {b}"


def _status(run):
    return json.loads((run / "status.json").read_text())


# ---------------------------------------------------------------------------------------------
# Settings and schedule
# ---------------------------------------------------------------------------------------------
def test_lr_schedule_warms_up_linearly_then_decays_by_cosine_to_min_lr():
    tc = TrainConfig(games=None, steps=1000, warmup_steps=100, lr=1e-3, min_lr=1e-4)
    assert lr_at(0, tc) == pytest.approx(1e-5)
    assert lr_at(49, tc) == pytest.approx(5e-4)
    assert lr_at(99, tc) == pytest.approx(1e-3)
    warm = [lr_at(s, tc) for s in range(100)]
    assert all(b > a for a, b in zip(warm, warm[1:]))
    assert lr_at(100, tc) == pytest.approx(1e-3)
    assert lr_at(550, tc) == pytest.approx(1e-4 + 0.5 * 9e-4)  # half-way through the cosine
    assert lr_at(325, tc) == pytest.approx(1e-4 + 0.5 * 9e-4 * (1 + math.cos(math.pi / 4)))
    decay = [lr_at(s, tc) for s in range(100, 1001)]
    assert all(b <= a for a, b in zip(decay, decay[1:]))
    assert lr_at(1000, tc) == pytest.approx(1e-4) and lr_at(5000, tc) == pytest.approx(1e-4)
    assert min(decay) >= 1e-4 - 1e-12


def test_total_steps_and_config_validation():
    assert TrainConfig(games=1000, batch_size=64, epochs=2).total_steps == 32  # ceil(2000 / 64)
    assert TrainConfig(games=1000, steps=7).total_steps == 7
    tc = TrainConfig(preset="tiny", games=None, steps=5, languages=[1], prefix=[19, 18])
    assert TrainConfig.from_dict(json.loads(json.dumps(tc.to_dict()))) == tc
    for bad in (dict(objective="magic"), dict(games=None), dict(games=10, batch_size=64), dict(steps=0),
                dict(batch_size=0), dict(eval_every=0), dict(dtype="float16")):
        with pytest.raises(ValueError):
            TrainConfig(**bad)
    with pytest.raises(ValueError, match="unknown training setting"):
        TrainConfig.from_dict({"presett": "tiny"})


@pytest.mark.parametrize("bad, said", [
    (dict(lr=float("nan")), "lr must be a number >= 0"), (dict(lr=float("inf")), "lr must be a number >= 0"),
    (dict(lr=-1e-3), "lr must be a number >= 0"), (dict(min_lr=-1e-5), "min_lr must be a number >= 0"),
    (dict(min_lr=float("inf")), "min_lr must be a number >= 0"), (dict(warmup_steps=-1), "warmup_steps must be >= 0"),
    (dict(epochs=0.0), "epochs must be a positive number"), (dict(eval_games=0), "eval_games must be >= 1")])
def test_settings_a_run_cannot_train_with_are_refused_when_made(bad, said):
    """A rate that is negative or not a number (a NaN would train on NaN weights until the end; 0 leaves the weights
    as they are, which a test of where training starts uses), a negative warm-up, no epochs or no evaluation games:
    refused by name when the settings are made, before a run starts."""
    with pytest.raises(ValueError, match=said):
        TrainConfig(**bad)
    TrainConfig(**{k: type(v)(1) for k, v in bad.items()})   # the same setting at a sane value is fine


def test_a_continuing_run_needs_a_model_and_ends_after_its_step():
    for bad in (dict(init_step=5, steps=10), dict(init_step=10, steps=10, init_from="x"),
                dict(init_step=-1, steps=10, init_from="x")):
        with pytest.raises(ValueError):
            TrainConfig(games=None, **bad)
    tc = TrainConfig(games=1000, batch_size=100, epochs=1, init_step=30, init_from="x")
    assert tc.total_steps == 40 and tc.run_steps == 10  # epochs count the run's own steps, on from init_step


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 50_000), st.integers(1, 3000), st.integers(0, 400), st.integers(-5, 3500),
       st.lists(st.floats(0.01, 1.0), max_size=5))
def test_a_continued_schedule_is_the_plain_schedule_moved_to_init_step(init, n, warmup, s, fractions):
    """A run from init_step has the learning rate and snapshots of a fresh run of its length, moved on by
    init_step: its own warm-up from where the model was, its own cosine to its last step."""
    plain = TrainConfig(games=None, steps=n, warmup_steps=warmup, lr=1e-3, min_lr=1e-4, snapshots=fractions)
    cont = TrainConfig(games=None, steps=init + n, init_step=init, init_from="m", warmup_steps=warmup, lr=1e-3,
                       min_lr=1e-4, snapshots=fractions)
    assert lr_at(init + s, cont) == lr_at(s, plain)
    assert snapshot_steps(cont) == {init + x for x in snapshot_steps(plain)}
    assert all(init < x <= init + n for x in snapshot_steps(cont))


def test_dtype_auto_takes_bfloat16_on_cuda_and_on_cpus_that_have_it(monkeypatch):
    from mothello import train as training

    tc = {d: TrainConfig(games=None, steps=1, dtype=d) for d in ("auto", "float32", "bfloat16")}
    for native in (True, False):
        monkeypatch.setattr(training, "native_bf16_cpu", lambda: native)
        assert training.use_bfloat16(tc["auto"], torch.device("cpu")) is native
        assert training.use_bfloat16(tc["float32"], torch.device("cpu")) is False
        assert training.use_bfloat16(tc["bfloat16"], torch.device("cpu")) is True
        assert training.use_bfloat16(tc["auto"], torch.device("cuda")) is True
        assert training.use_bfloat16(tc["float32"], torch.device("cuda")) is False


def test_a_run_asking_for_bfloat16_on_a_cpu_that_emulates_it_says_so(naive2, tmp_path, monkeypatch, capsys):
    from mothello import train as training

    for native, warned in ((False, True), (True, False)):
        monkeypatch.setattr(training, "native_bf16_cpu", lambda: native)
        assert training.bfloat16_emulated("cpu") is warned and training.bfloat16_emulated("cuda") is False
        train(naive2, _small_tc(dtype="bfloat16", steps=2), tmp_path / f"native-{native}", progress=True)
        assert ("this CPU emulates bfloat16" in capsys.readouterr().out) is warned
    train(naive2, _small_tc(dtype="float32", steps=2), tmp_path / "fp32", progress=True)  # still emulated
    assert "emulates bfloat16" not in capsys.readouterr().out


def test_bfloat16_on_cpu_trains_float32_weights_and_resumes_exactly(naive2, tmp_path):
    """bfloat16 autocast computes the products in bfloat16; the weights and optimizer stay float32, and a
    run in two parts ends with the weights of the run in one go."""
    tc = _small_tc(dtype="bfloat16", steps=12)
    one = train(naive2, tc, tmp_path / "one")
    train(naive2, tc, tmp_path / "two", until=7)
    two = train(naive2, tc, tmp_path / "two", resume=True)
    assert_same_weights(one, two)
    assert all(w.dtype == torch.float32 for w in _weights(one).values())
    fp32 = train(naive2, _small_tc(dtype="float32", steps=12), tmp_path / "fp32")
    assert not torch.equal(_weights(one)["head.weight"], _weights(fp32)["head.weight"])  # it did compute in bf16
    rows = read_metrics(one)
    assert rows[-1]["train_loss"] < rows[0]["train_loss"] + 0.5


def test_a_run_resumed_on_another_machine_keeps_where_each_part_trained(naive2, tmp_path, monkeypatch, capsys):
    """dtype "auto" resolves per machine: the status keeps each start's device, CPU model and number format
    from the step it started there, and the log says when a resumed run goes on elsewhere."""
    import mothello.train as train_mod

    tc, run = _small_tc(dtype="float32", steps=12), tmp_path / "r"
    train(naive2, tc, run, until=7)
    first = {"device": "cpu", "name": train_mod.cpu_model(), "dtype": "float32"}
    assert json.loads((run / "status.json").read_text())["machines"] == [{"from": 0, **first}]
    saved = int((run / "state" / "LATEST").read_text().split("-")[1])
    capsys.readouterr()
    monkeypatch.setattr(train_mod, "cpu_model", lambda: "Another CPU")
    train(naive2, tc, run, resume=True)
    machines = json.loads((run / "status.json").read_text())["machines"]
    assert machines == [{"from": 0, **first}, {"from": saved, **first, "name": "Another CPU"}]
    assert (f"note: this run trained on cpu ({first['name']}), float32 until step {saved:,}; it resumes on cpu "
            "(Another CPU), float32") in capsys.readouterr().out


machine = st.fixed_dictionaries({"device": st.sampled_from(["cpu", "cuda:0"]), "name": st.sampled_from(["A", "B", None]),
                                 "dtype": st.sampled_from(["float32", "bfloat16"])})


@given(st.lists(st.tuples(st.integers(0, 50), machine), min_size=1, max_size=8))
def test_the_machines_a_run_trained_on_are_one_entry_per_change_up_to_where_it_starts(starts):
    status = {}
    for start, here in starts:
        kept = [m for m in status.get("machines", []) if m["from"] < start]   # what trained before this start
        status["machines"] = got = trained_on(status, start, here)
        froms = [m["from"] for m in got]
        assert froms == sorted(set(froms)) and froms[-1] <= start   # in order, none past where it starts
        assert {k: v for k, v in got[-1].items() if k != "from"} == here  # the last is where it trains now
        assert all({**a, "from": 0} != {**b, "from": 0} for a, b in zip(got, got[1:]))  # each entry a change
        assert got[:len(kept)] == kept and len(got) - len(kept) in (0, 1)   # the past is kept as it was
        assert len(got) == len(kept) or got[-1]["from"] == start   # a change is dated where it started


@given(st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=3), machine,
                          st.builds(lambda m, f: {**m, "from": f}, machine, st.integers(0, 50)),
                          st.dictionaries(st.sampled_from(["from", "device", "dtype", "name"]),
                                          st.one_of(st.none(), st.integers(), st.text(max_size=3)))), max_size=6),
       st.integers(0, 50), machine)
def test_a_hand_edited_list_of_machines_keeps_only_its_entries_that_are_such(listed, start, now_on):
    valid = [m for m in listed if isinstance(m, dict) and type(m.get("from")) is int and isinstance(m.get("device"), str)
             and m.get("dtype") in ("float32", "bfloat16")]   # a step, a device and a number format
    assert machines_of({"machines": listed}) == valid and machines_of({"machines": "cpu"}) == []
    got = trained_on({"machines": listed}, start, now_on)
    assert got[-1] == {"from": got[-1]["from"], **now_on} and all(m in valid for m in got[:-1])


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(sorted(PRESETS)), st.one_of(st.none(), st.integers(-1, 9)),
       st.one_of(st.none(), st.integers(-1, 9)), st.one_of(st.none(), st.integers(-1, 300)))
def test_a_shape_override_is_accepted_exactly_when_it_makes_a_model(name, n_layer, n_head, d_model):
    shape = {**PRESETS[name], **{k: v for k, v in (("n_layer", n_layer), ("n_head", n_head), ("d_model", d_model))
                                 if v is not None}}
    valid = min(shape.values()) >= 1 and shape["d_model"] % shape["n_head"] == 0
    kw = dict(preset=name, n_layer=n_layer, n_head=n_head, d_model=d_model)
    if valid:
        assert TrainConfig(**kw).model_shape() == shape
    else:
        with pytest.raises(ValueError):
            TrainConfig(**kw)


def test_a_run_with_a_shape_override_trains_and_saves_that_shape(naive2, tmp_path):
    tc = TrainConfig(preset="tiny", n_layer=1, n_head=4, d_model=32, games=None, steps=2, batch_size=4,
                     eval_every=2, eval_games=2, checkpoint_every=2)
    train(naive2, tc, tmp_path / "r")
    ck = load_checkpoint(tmp_path / "r")
    cfg = ck.model.cfg
    assert (cfg.n_layer, cfg.n_head, cfg.d_model) == (1, 4, 32) and len(ck.model.blocks) == 1
    assert ck.meta["training"]["d_model"] == 32


@pytest.mark.parametrize("objective", ["next-token", "legal-set"])
@pytest.mark.parametrize("config", ["naive-2", "unified-mixed"])
def test_a_model_with_uniform_output_has_loss_log_v(objective, config):
    """Both objectives are cross-entropies against distributions over the vocabulary: a model whose
    logits are all equal scores exactly ln V on each, and gradients reach the weights."""
    vocab = Vocabulary.build(load_config(CONFIGS / f"{config}.toml"))
    torch.manual_seed(0)
    m = GPT(preset("tiny", vocab.size, vocab.context_length))
    with torch.no_grad():
        m.head.weight.zero_()
    games = heldout_games(6, seed=2)
    batch = make_batch(vocab, games, np.array(vocab.config.input_languages * 6)[:6])
    tc = TrainConfig(preset="tiny", games=None, steps=1, objective=objective)
    loss = _loss(m, batch, vocab, tc, "cpu")
    assert loss.item() == pytest.approx(math.log(vocab.size), rel=1e-5)
    loss.backward()
    assert m.head.weight.grad.abs().sum() > 0


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), config=st.sampled_from(["naive-2", "unified-mixed"]))
def test_the_legal_set_loss_is_the_mean_cross_entropy_with_each_positions_legal_moves(seed, config):
    """The legal-set loss, gathered from one entry per legal move, equals the plain dense form: at each
    position after a move, the cross-entropy with the legal moves' first tokens counted into a distribution;
    elsewhere the next token; the mean over every scored position."""
    vocab = Vocabulary.build(load_config(CONFIGS / f"{config}.toml"))
    torch.manual_seed(seed)
    m = GPT(preset("tiny", vocab.size, vocab.context_length)).eval()
    games = heldout_games(3, seed=seed)
    langs = np.array(vocab.config.input_languages)[np.arange(3) % len(vocab.config.input_languages)]
    batch = make_batch(vocab, games, langs)
    tc = TrainConfig(preset="tiny", games=None, steps=1, objective="legal-set")
    with torch.no_grad():
        loss = _loss(m, batch, vocab, tc, "cpu").item()
        logp = torch.log_softmax(m(torch.as_tensor(batch.inputs)).double(), -1)  # (B, T, V)
    legal = legal_next_targets(vocab, batch)
    counts = torch.as_tensor(legal.counts(vocab.size), dtype=torch.float64)
    dense = -(counts / counts.sum(-1, keepdim=True) * logp[legal.rows, legal.cols]).sum()
    hard = batch.targets.copy()
    hard[legal.rows, legal.cols] = IGNORE
    b, t = np.nonzero(hard != IGNORE)
    dense += -logp[b, t, hard[b, t]].sum()
    assert loss == pytest.approx(dense.item() / (len(legal.rows) + len(b)), rel=1e-5)


# ---------------------------------------------------------------------------------------------
# The run directory of the tiny preset's default training (shared fixture)
# ---------------------------------------------------------------------------------------------
def test_run_directory_status(tiny_checkpoint):
    st = _status(tiny_checkpoint)
    tc = TrainConfig.from_dict(json.loads((tiny_checkpoint / "train.json").read_text()))
    assert tc.preset == "tiny" and tc.games == PRESET_TRAINING["tiny"]["games"]
    assert st["state"] == "finished" and st["error"] is None
    assert st["step"] == st["total"] == tc.total_steps == 157
    for key in ("started", "updated", "finished"):
        assert st[key][:4].isdigit() and "T" in st[key]
    assert st["started"] <= st["updated"]
    assert st["experiment"] == "naive-2" and st["objective"] == "next-token" and st["world_size"] == 1
    assert load_config(tiny_checkpoint / "experiment.toml") == load_config(CONFIGS / "naive-2.toml")


def test_run_directory_metrics(tiny_checkpoint):
    rows = read_metrics(tiny_checkpoint)
    tc, total = TrainConfig.from_dict(json.loads((tiny_checkpoint / "train.json").read_text())), 157
    snaps = {max(1, min(total, round(f * total))) for f in tc.snapshots}
    assert snaps == {8, 16, 39, 78, 157}
    expected = sorted(snaps | set(range(tc.eval_every, total + 1, tc.eval_every)))
    assert [r["step"] for r in rows] == expected
    for r in rows:
        assert math.isfinite(r["train_loss"]) and math.isfinite(r["val_loss"]) and r["tokens_per_s"] > 0
        assert set(r["legal_move_accuracy"]) == {"L0", "L1"}
        assert all(0.0 <= v <= 1.0 for v in r["legal_move_accuracy"].values())
        assert r["lr"] == pytest.approx(lr_at(r["step"] - 1, tc))
    # training reduced the loss and raised legal-move accuracy
    assert rows[0]["train_loss"] > rows[-1]["train_loss"] + 0.3
    assert rows[0]["val_loss"] > rows[-1]["val_loss"] + 0.3
    assert rows[0]["val_loss"] == pytest.approx(math.log(121), abs=0.15)  # near uniform over V = 121
    assert np.mean(list(rows[-1]["legal_move_accuracy"].values())) > \
        np.mean(list(rows[0]["legal_move_accuracy"].values())) + 0.15
    ck = load_checkpoint(tiny_checkpoint)
    assert ck.metrics["legal_move_accuracy"] == rows[-1]["legal_move_accuracy"]
    assert ck.metrics["val_loss"] == rows[-1]["val_loss"]


def test_run_directory_snapshots_and_state(tiny_checkpoint):
    snap_dirs = sorted((tiny_checkpoint / "snapshots").iterdir())
    assert [p.name for p in snap_dirs] == [f"step-{s:09d}" for s in (8, 16, 39, 78, 157)]
    for p in snap_dirs:
        assert load_checkpoint(p).step == int(p.name.split("-")[1])
    assert_same_weights(snap_dirs[-1], tiny_checkpoint)
    first = _weights(snap_dirs[0])
    assert not torch.equal(first["head.weight"], _weights(tiny_checkpoint)["head.weight"])
    latest = (tiny_checkpoint / "state" / "LATEST").read_text().strip()
    assert latest == "step-000000157"
    assert [p.name for p in (tiny_checkpoint / "state").iterdir() if p.is_dir()] == [latest]  # old states removed
    state = tiny_checkpoint / "state" / latest
    assert {p.name for p in state.iterdir()} == {"model.safetensors", "checkpoint.json", "optimizer.safetensors",
                                                "trainer.json"}
    assert_same_weights(state, tiny_checkpoint)
    opt = load_file(str(state / "optimizer.safetensors"))
    assert "rng.torch" in opt and any(k.endswith(".exp_avg") for k in opt)
    assert json.loads((state / "trainer.json").read_text())["step"] == 157


def test_unified_legal_set_run(tiny_unified_checkpoint):
    """Unified output trains, with the legal-set objective; accuracy is reported per input language."""
    st = _status(tiny_unified_checkpoint)
    assert st["state"] == "finished" and st["step"] == 40 and st["objective"] == "legal-set"
    rows = read_metrics(tiny_unified_checkpoint)
    assert [r["step"] for r in rows] == [20, 40]
    for r in rows:
        assert math.isfinite(r["train_loss"]) and math.isfinite(r["val_loss"])
        assert list(r["legal_move_accuracy"]) == ["atomic-1", "atomic-2", "split", "comp"]
    assert rows[-1]["train_loss"] < rows[0]["train_loss"]
    assert sorted(p.name for p in (tiny_unified_checkpoint / "snapshots").iterdir()) == \
        ["step-000000020", "step-000000040"]


# ---------------------------------------------------------------------------------------------
# Exact resume
# ---------------------------------------------------------------------------------------------
def _small_tc(**kw):
    """20 steps over a 256-game corpus (8 steps per epoch, so resume crosses epoch boundaries)."""
    base = dict(preset="tiny", games=256, batch_size=32, steps=20, warmup_steps=5, eval_every=8, eval_games=4,
                checkpoint_every=5, snapshots=[0.5], device="cpu")
    return TrainConfig(**{**base, **kw})


def test_resume_after_a_crash_reproduces_the_uninterrupted_run_exactly(naive2, tmp_path, monkeypatch):
    tc = _small_tc()
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    a = train(naive2, tc, tmp_path / "a")
    # the trainer catches SIGINT/SIGTERM while it runs, and gives them back to its caller after
    assert {s: signal.getsignal(s) for s in handlers} == handlers

    original = TrainingData.batch
    calls = {"n": 0}

    def crash_at_13(self, step):
        if step == 13:
            raise RuntimeError("simulated crash at step 13")
        return original(self, step)
    monkeypatch.setattr(TrainingData, "batch", crash_at_13)
    b = tmp_path / "b"
    with pytest.raises(RuntimeError, match="simulated crash"):
        train(naive2, tc, b)
    st = _status(b)
    assert st["state"] == "failed" and st["step"] == 13 and "simulated crash" in st["error"]
    assert {s: signal.getsignal(s) for s in handlers} == handlers  # also after a failure
    assert (b / "state" / "LATEST").read_text().strip() == "step-000000010"
    monkeypatch.setattr(TrainingData, "batch", original)

    def counting(self, step):
        calls["n"] += 1
        return original(self, step)
    monkeypatch.setattr(TrainingData, "batch", counting)
    train(naive2, tc, b, resume=True)
    assert calls["n"] == 10  # steps 11..20 only
    st = _status(b)
    assert st["state"] == "finished" and st["step"] == 20 and st["error"] is None
    assert_same_weights(a, b)
    sa, sb = (load_file(str(r / "state" / "step-000000020" / "optimizer.safetensors")) for r in (a, b))
    assert sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)
    ra, rb = read_metrics(a), read_metrics(b)
    assert [r["step"] for r in ra] == [r["step"] for r in rb] == [8, 10, 16, 20]
    for x, y in zip(ra, rb):
        assert x["val_loss"] == y["val_loss"] and x["legal_move_accuracy"] == y["legal_move_accuracy"]


def test_training_in_parts_with_until_equals_the_run_in_one_go(naive2, tmp_path):
    """`until` stops at that step of the SAME schedule (resumable), which is how the anchor sweep compares
    its models part-way: two parts give exactly the weights of one uninterrupted run."""
    tc = _small_tc()
    whole = train(naive2, tc, tmp_path / "whole")
    parts = tmp_path / "parts"
    train(naive2, tc, parts, until=10)
    st = _status(parts)
    assert st["state"] == "cancelled" and st["step"] == 10 and st["total"] == 20
    assert (parts / "state" / "LATEST").read_text().strip() == "step-000000010"
    assert load_checkpoint(parts).step == 10
    assert [s.name for s in (parts / "snapshots").iterdir()] == ["step-000000010"]  # the 0.5 snapshot
    train(naive2, tc, parts, resume=True, until=10)  # already there: nothing more is trained
    assert _status(parts)["step"] == 10 and load_checkpoint(parts).step == 10
    train(naive2, tc, parts, resume=True)
    assert _status(parts)["state"] == "finished"
    assert_same_weights(whole, parts)
    assert [r["step"] for r in read_metrics(parts)] == [r["step"] for r in read_metrics(whole)]


def test_status_is_written_after_every_saved_state(naive2, tmp_path):
    """A job that dies right after saving a state must not show an older step than the one it resumes
    from: status.json follows every saved state (besides its every-2-seconds beat)."""
    import dataclasses

    tc = dataclasses.replace(_small_tc(), checkpoint_every=3)
    reported = []
    train(naive2, tc, tmp_path / "r", on_status=lambda step, total: reported.append(step))
    saved = [s for s in range(1, tc.total_steps + 1) if s % 3 == 0 or s == tc.total_steps]
    assert set(saved) <= set(reported), (saved, reported)


def test_resume_after_sigkill_of_the_cli_reproduces_the_uninterrupted_run(naive2, tmp_path):
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "mothello", "train", str(CONFIGS / "naive-2.toml"), "--preset", "tiny",
           "--games", "256", "--batch-size", "16", "--steps", "40", "--checkpoint-every", "10",
           "--eval-every", "1000", "--eval-games", "4", "--device", "cpu", "--out", str(out)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    latest = out / "state" / "LATEST"
    deadline = time.monotonic() + 180
    while not latest.exists():
        if proc.poll() is not None:
            pytest.fail(f"training ended before its first checkpoint:\n{proc.stderr.read()[-3000:]}")
        assert time.monotonic() < deadline, "no checkpoint within 180 s"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    st = _status(out)
    assert st["state"] == "running" and st["step"] < 40  # killed mid-run: nobody recorded the end

    res = run_cli("train", "--resume", "--out", out, check=True)
    assert "(resumed)" in res.stdout and "finished at step 40/40" in res.stdout
    st = _status(out)
    assert st["state"] == "finished" and st["step"] == 40

    exp, tc = load_run_configs(out)
    straight = train(exp, tc, tmp_path / "straight")
    assert_same_weights(out, straight)
    assert [r["step"] for r in read_metrics(out)] == [r["step"] for r in read_metrics(straight)]


def test_a_second_run_into_a_run_directory_is_refused(naive2, tmp_path, capsys):
    tc = _small_tc(steps=2, games=64, eval_games=2, snapshots=[])
    run = train(naive2, tc, tmp_path / "run")
    before = {p.name: p.stat().st_mtime_ns for p in run.iterdir()}
    with pytest.raises(RunError, match="already holds a run"):
        train(naive2, tc, run)
    assert {p.name: p.stat().st_mtime_ns for p in run.iterdir()} == before  # nothing was touched
    assert cli_main(["train", str(CONFIGS / "naive-2.toml"), "--preset", "tiny", "--steps", "2",
                     "--out", str(run)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "already holds a run" in err and err.count("\n") == 1
    # resuming a directory that never saved a state starts it from the beginning
    fresh = tmp_path / "fresh"
    train(naive2, tc, fresh, resume=True)
    assert _status(fresh)["state"] == "finished"


def test_corpus_generation_does_not_change_the_callers_thread_count(naive2, tmp_path):
    """numba's parallel game generation resets the OpenMP thread count that torch shares; training
    keeps the caller's (a different count changes the arithmetic, and so exact resumption)."""
    import numba

    from mothello import othello

    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("one CPU: games are generated serially")
    torch.set_num_threads(1)
    tc = TrainConfig(preset="tiny", games=othello._PARALLEL_MIN_GAMES, seed=4242, steps=1, eval_games=2,
                     snapshots=[], device="cpu")
    train(naive2, tc, tmp_path / "r")
    assert numba.threading_layer()  # the parallel generator ran
    assert torch.get_num_threads() == 1


# ---------------------------------------------------------------------------------------------
# Fine-tuning
# ---------------------------------------------------------------------------------------------
def test_init_from_and_languages_fine_tune_on_one_language(naive2, tiny_checkpoint, tmp_path, monkeypatch):
    seen = []
    original = TrainingData.batch

    def recording(self, step):
        batch = original(self, step)
        seen.append(batch.languages.copy())
        return batch
    monkeypatch.setattr(TrainingData, "batch", recording)
    # lr 0: the weights stay those of the checkpoint, proving where training started
    tc = TrainConfig(preset="tiny", games=None, steps=4, batch_size=16, lr=0.0, min_lr=0.0, warmup_steps=1,
                     eval_every=1000, eval_games=2, snapshots=[], init_from=str(tiny_checkpoint), languages=[1],
                     device="cpu")
    run = train(naive2, tc, tmp_path / "ft")
    assert _status(run)["state"] == "finished"
    assert_same_weights(run, tiny_checkpoint)
    assert len(seen) == 4 and all((langs == 1).all() for langs in seen)
    assert json.loads((run / "train.json").read_text())["languages"] == [1]

    # with a learning rate the model moves away from the checkpoint, and the CLI names the language
    seen.clear()
    out = tmp_path / "ft-cli"
    assert cli_main(["train", str(CONFIGS / "naive-2.toml"), "--preset", "tiny", "--stream", "--steps", "3",
                     "--batch-size", "16", "--eval-games", "2", "--init-from", str(tiny_checkpoint),
                     "--finetune-language", "L0", "--device", "cpu", "--out", str(out)]) == 0
    assert len(seen) == 3 and all((langs == 0).all() for langs in seen)
    assert json.loads((out / "train.json").read_text())["languages"] == [0]
    assert not torch.equal(_weights(out)["head.weight"], _weights(tiny_checkpoint)["head.weight"])


def test_a_run_that_continues_a_model_counts_on_from_its_step(naive2, tiny_checkpoint, tmp_path, monkeypatch, capsys):
    """init_step: the run takes the model's next steps: the stream of games goes on where the model's left
    off, and the metrics, snapshots and status are numbered on from the model's step."""
    k = load_checkpoint(tiny_checkpoint).step
    seen = []
    original = TrainingData.batch

    def recording(self, step):
        seen.append(step)
        return original(self, step)
    monkeypatch.setattr(TrainingData, "batch", recording)
    tc = TrainConfig(preset="tiny", games=None, steps=k + 6, batch_size=8, warmup_steps=2, eval_every=3,
                     eval_games=2, checkpoint_every=3, snapshots=[0.5, 1.0], init_from=str(tiny_checkpoint),
                     init_step=k, device="cpu")
    run = train(naive2, tc, tmp_path / "more")
    assert seen == list(range(k, k + 6))
    st = _status(run)
    assert st["state"] == "finished" and st["step"] == st["total"] == k + 6
    # evaluations on the schedule's grid of steps (every eval_every), and at the snapshots and the end
    assert [r["step"] for r in read_metrics(run)] == sorted({s for s in range(k + 1, k + 7) if s % 3 == 0} | {k + 3, k + 6})
    assert sorted(int(p.name.split("-")[1]) for p in (run / "snapshots").iterdir()) == [k + 3, k + 6]
    assert load_checkpoint(run).step == k + 6
    # resuming it continues the same numbering
    train(naive2, TrainConfig.from_dict({**tc.to_dict(), "steps": k + 9}), tmp_path / "more", resume=True)
    assert _status(run)["step"] == k + 9 and seen[6:] == [k + 6, k + 7, k + 8]
    # a model trained to another step than init_step says is refused, before anything is written
    with pytest.raises(RunError, match=f"trained to step {k}"):
        train(naive2, TrainConfig.from_dict({**tc.to_dict(), "init_step": k + 1, "steps": k + 5}), tmp_path / "bad")
    assert not (tmp_path / "bad" / "status.json").exists()
    # the command line: --init-step names where it goes on from, and needs --init-from
    out = tmp_path / "cli"
    assert cli_main(["train", str(CONFIGS / "naive-2.toml"), "--preset", "tiny", "--stream", "--steps", str(k + 2),
                     "--batch-size", "8", "--eval-games", "2", "--init-from", str(tiny_checkpoint),
                     "--init-step", str(k), "--device", "cpu", "--out", str(out)]) == 0
    assert f"from step {k} to {k + 2}" in capsys.readouterr().out and _status(out)["step"] == k + 2
    assert cli_main(["train", str(CONFIGS / "naive-2.toml"), "--preset", "tiny", "--stream", "--steps", "9",
                     "--init-step", "4", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "needs init_from" in err and err.count("\n") == 1


def test_a_continuation_that_carries_the_optimizer_is_the_uninterrupted_run(naive2, tiny_checkpoint, tmp_path,
                                                                             capsys):
    """init_optimizer: a run that continues run A from A's last step with A's AdamW moments, at the same
    (constant) learning rate, trains exactly the steps A would have trained next; a fresh optimizer does
    not. It needs A's saved state at init_step, and says so in one line where it is missing."""
    flat = dict(preset="tiny", games=None, batch_size=16, lr=1e-3, min_lr=1e-3, warmup_steps=0, eval_every=100,
                eval_games=2, checkpoint_every=100, snapshots=[], device="cpu")
    whole = train(naive2, TrainConfig(**flat, steps=8), tmp_path / "whole")
    first = train(naive2, TrainConfig(**flat, steps=4), tmp_path / "first")
    carried = train(naive2, TrainConfig(**flat, steps=8, init_from=str(first), init_step=4, init_optimizer=True),
                    tmp_path / "carried")
    fresh = train(naive2, TrainConfig(**flat, steps=8, init_from=str(first), init_step=4), tmp_path / "fresh")
    assert_same_weights(carried, whole)
    assert not torch.equal(_weights(fresh)["head.weight"], _weights(whole)["head.weight"])
    assert json.loads((carried / "train.json").read_text())["init_optimizer"] is True
    # refused before anything is written: a checkpoint without a saved state, a state at another step
    shipped = tmp_path / "shipped"  # a checkpoint folder, as shipped: weights, no optimizer state
    shutil.copytree(tiny_checkpoint, shipped, ignore=shutil.ignore_patterns("state"))
    k = load_checkpoint(shipped).step
    with pytest.raises(RunError, match="no readable optimizer state"):
        train(naive2, TrainConfig(**flat, steps=k + 2, init_from=str(shipped), init_step=k,
                                  init_optimizer=True), tmp_path / "bad1")
    mixed = tmp_path / "mixed"  # the model of step 4 beside the state of step 8
    shutil.copytree(first, mixed, ignore=shutil.ignore_patterns("state"))
    shutil.copytree(whole / "state", mixed / "state")
    with pytest.raises(RunError, match="state is at step 8, not 4"):
        train(naive2, TrainConfig(**flat, steps=6, init_from=str(mixed), init_step=4, init_optimizer=True),
              tmp_path / "bad0")
    assert not (tmp_path / "bad1" / "status.json").exists()
    with pytest.raises(ValueError, match="needs init_from and init_step"):
        TrainConfig(**flat, steps=8, init_optimizer=True)
    # the command line
    assert cli_main(["train", str(CONFIGS / "naive-2.toml"), "--preset", "tiny", "--stream", "--steps", str(k + 2),
                     "--batch-size", "16", "--eval-games", "2", "--init-from", str(shipped), "--init-step",
                     str(k), "--init-optimizer", "--device", "cpu",
                     "--out", str(tmp_path / "cli")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "no readable optimizer state" in err and err.count("\n") == 1


def test_a_deepening_run_starts_as_the_shallower_model_and_trains_the_deeper_one(naive2, tiny_checkpoint, tmp_path,
                                                                                  capsys):
    """deepen: a run from a trained model, grown by two blocks that start as identities: its first
    evaluation (before any step) is the shallower model's; then the deeper model trains and is saved as
    such. Without deepen the deeper shape is refused; deepen needs a model to grow, and no carried optimizer."""
    base = load_checkpoint(tiny_checkpoint)
    k, n = base.step, base.model.cfg.n_layer
    tc = TrainConfig(preset="tiny", n_layer=n + 2, games=None, steps=k + 4, batch_size=8, warmup_steps=2,
                     eval_every=4, eval_games=3, checkpoint_every=4, snapshots=[], init_from=str(tiny_checkpoint),
                     init_step=k, deepen=True, device="cpu", dtype="float32")
    grown = GPT(GPTConfig(vocab_size=base.vocab.size, context_length=base.vocab.context_length,
                          **tc.model_shape()))
    grown.load_deepened(base.model.state_dict())
    games = heldout_games(4, seed=11)
    assert legal_move_accuracy(grown, base.vocab, games) == legal_move_accuracy(base.model, base.vocab, games)
    run = train(naive2, tc, tmp_path / "deeper")
    ck = load_checkpoint(run)
    assert ck.model.cfg.n_layer == n + 2 and ck.step == k + 4
    assert json.loads((run / "train.json").read_text())["deepen"] is True
    assert not torch.equal(ck.model.state_dict()["blocks.0.attn.qkv.weight"], base.model.state_dict()["blocks.0.attn.qkv.weight"])
    with pytest.raises(RunError, match="weights do not fit the model preset"):
        train(naive2, TrainConfig.from_dict({**tc.to_dict(), "deepen": False}), tmp_path / "refused")
    with pytest.raises(ValueError, match="deepen grows a trained model: it needs init_from"):
        TrainConfig(preset="tiny", n_layer=4, games=None, steps=4, deepen=True)
    with pytest.raises(ValueError, match="not with init_optimizer"):
        TrainConfig.from_dict({**tc.to_dict(), "init_optimizer": True})
    # the command line
    out = tmp_path / "cli"
    assert cli_main(["train", str(CONFIGS / "naive-2.toml"), "--preset", "tiny", "--n-layer", str(n + 1), "--stream",
                     "--steps", str(k + 2), "--batch-size", "8", "--eval-games", "2", "--init-from",
                     str(tiny_checkpoint), "--init-step", str(k), "--deepen", "--device", "cpu", "--out", str(out)]) == 0
    assert load_checkpoint(out).model.cfg.n_layer == n + 1
    capsys.readouterr()


def test_init_from_a_checkpoint_of_another_vocabulary_is_refused(tiny_checkpoint, tmp_path):
    tc = TrainConfig(preset="tiny", games=None, steps=2, init_from=str(tiny_checkpoint), device="cpu")
    with pytest.raises(RunError, match="vocabulary differs"):
        train(load_config(CONFIGS / "anchors-8.toml"), tc, tmp_path / "x")


def test_languages_must_be_input_languages(tmp_path):
    tc = TrainConfig(preset="tiny", games=None, steps=2, languages=[0], device="cpu")  # 0 is the output space
    with pytest.raises(RunError, match="'out' is the unified output language of unified-mixed: the model writes"):
        train(load_config(CONFIGS / "unified-mixed.toml"), tc, tmp_path / "x")
    with pytest.raises(RunError, match="unknown language 9"):
        train(load_config(CONFIGS / "unified-mixed.toml"), TrainConfig(**{**tc.to_dict(), "languages": [1, 9]}),
              tmp_path / "x")
    assert not (tmp_path / "x" / "status.json").exists()  # never marked running


# ---------------------------------------------------------------------------------------------
# DistributedDataParallel
# ---------------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_torchrun_with_two_processes_on_cpu(tmp_path):
    out = tmp_path / "ddp"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port",
           str(_free_port()), "-m", "mothello", "train", str(CONFIGS / "naive-2.toml"), "--preset", "tiny",
           "--steps", "20", "--eval-every", "1000", "--eval-games", "4", "--checkpoint-every", "10",
           "--device", "cpu", "--out", str(out)]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-4000:]
    st = _status(out)
    assert st["state"] == "finished" and st["step"] == st["total"] == 20
    assert st["world_size"] == 2 and st["device"] == "cpu"
    rows = read_metrics(out)
    assert rows and rows[-1]["step"] == 20 and math.isfinite(rows[-1]["val_loss"])
    assert rows[-1]["val_loss"] < rows[0]["val_loss"]
    ck = load_checkpoint(out)
    assert ck.step == 20 and (out / "state" / "LATEST").read_text().strip() == "step-000000020"
