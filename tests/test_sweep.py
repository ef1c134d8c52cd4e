"""The anchor sweep (mothello.sweep): its configs, its table from real (tiny) runs, what the report reads
off it, and its place on the Alignment page."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CONFIGS
from mothello import findings, sweep
from mothello.checkpoints import load_checkpoint, read_meta
from mothello.data import heldout_games
from mothello.evaluate import legal_move_accuracy
from mothello.languages import load_config
from mothello.train import TrainConfig, train

REFERENCE = {1, 2, 3, 16, 47, 48, 51, 58}  # MOTHELLO.md's 8 anchor squares


def _squares(k):
    return {q for a in load_config(sweep.SWEEP[k]).anchors for q in a.squares}


def test_sweep_configs_are_nested_and_differ_only_in_their_anchors():
    assert sorted(sweep.SWEEP) == [0, 2, 4, 8, 16]
    sets = [_squares(k) for k in sorted(sweep.SWEEP)]
    assert [len(x) for x in sets] == [0, 2, 4, 8, 16]
    assert all(a < b for a, b in zip(sets, sets[1:]))  # nested: each set holds the smaller ones
    assert sets[3] == REFERENCE
    base = load_config(CONFIGS / "naive-2.toml")
    for k in sweep.SWEEP:
        cfg = load_config(sweep.SWEEP[k])
        assert (cfg.languages, cfg.unified_output, cfg.seed) == (base.languages, base.unified_output, base.seed)
        assert all(set(a.languages) == {0, 1} for a in cfg.anchors)


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory):
    """Two sweep points (0 and 2 anchors) as tiny runs in a runs/ of their own, measured at step 10 of
    20 (the schedule's 50 % snapshot) into a checkpoints/ of their own."""
    base = tmp_path_factory.mktemp("sweep")
    runs, cks = base / "runs", base / "checkpoints"
    mp = pytest.MonkeyPatch()
    mp.setenv("MOTHELLO_RUNS", str(runs))
    mp.setenv("MOTHELLO_CHECKPOINTS", str(cks))
    mp.setattr(sweep, "SWEEP", {k: sweep.SWEEP[k] for k in (0, 2)})
    tc = TrainConfig(preset="tiny", games=256, batch_size=32, steps=20, warmup_steps=5, eval_every=10,
                     eval_games=4, checkpoint_every=5, snapshots=[0.5], device="cpu")
    for k in (0, 2):
        train(load_config(sweep.SWEEP[k]), tc, runs / f"suite-anchors-{k}", until=10)
    with pytest.raises(FileNotFoundError, match="--sweep --until 7"):
        sweep.build(step=7, n_train=20, progress=False)
    out = sweep.build(step=10, n_train=20, progress=False)
    yield out, runs
    mp.undo()


def test_sweep_table_records_every_layer_with_baselines_and_the_weights(tiny_sweep):
    out, runs = tiny_sweep
    table, info = sweep.load(out.parent)
    assert sorted(p.name for p in out.parent.iterdir()) == [sweep.FOLDER]  # built aside, then renamed into place
    assert info["step"] == 10 and info["schedule_steps"] == 20 and info["n_train"] == 20
    assert [p["anchors"] for p in info["points"]] == [0, 2]
    for p in info["points"]:
        snap = runs / f"suite-anchors-{p['anchors']}" / "snapshots" / "step-000000010"
        assert p["weights_sha256"] == read_meta(snap)["weights_sha256"] and not p["shipped"]
        assert set(p["squares"]) == _squares(p["anchors"])
        # the recorded legal-move accuracy is the weights' (500 held-out games, as the shipped models')
        ck = load_checkpoint(snap)
        fresh = legal_move_accuracy(ck.model, ck.vocab, heldout_games(500, seed=4243))
        rec = table[(table["anchors"] == p["anchors"]) & (table["metric"] == "legal_move_accuracy")]["value"]
        assert float(rec.iloc[0]) == pytest.approx(np.mean(list(fresh.values())), abs=1e-9)
    per_layer = table[table["layer"] >= 0]
    assert sorted(set(per_layer["layer"])) == [0, 1, 2]  # the tiny preset's 2 layers and the embeddings
    expected = set(sweep.METRICS) | {"baseline_majority", "baseline_majority_colour", "baseline_random_model",
                                     "baseline_random_model_colour"}
    for _, g in per_layer.groupby(["anchors", "layer"]):
        assert sorted(g["metric"]) == sorted(expected)
    assert per_layer["value"].between(0, 1).all()

    wide = sweep.at_layer(table, 2)
    assert list(wide["anchors"]) == [0, 2]
    assert list(wide.columns) == ["anchors", "in-language", "cross-lingual", "after rotation", "majority guess",
                                  "random-model probe", "legal moves"]
    row = per_layer[(per_layer["anchors"] == 2) & (per_layer["layer"] == 2)].set_index("metric")["value"]
    assert wide.iloc[1]["cross-lingual"] == row["cross_lingual"]
    colour = sweep.at_layer(table, 2, colour=True)
    assert colour.iloc[1]["cross-lingual"] == row["colour_cross"]
    assert colour.iloc[1]["after rotation"] == row["colour_rotation"]
    assert colour.iloc[1]["majority guess"] == row["baseline_majority_colour"]


def test_report_reads_the_sweep_at_the_anchored_models_layer(tiny_sweep):
    out, _ = tiny_sweep
    sw = findings.sweep_numbers(out.parent, {"anchors": {"layer": 1}})
    assert sw["layer"] == 1 and sw["step"] == 10 and [r["anchors"] for r in sw["rows"]] == [0, 2]
    assert findings.sweep_numbers(out.parent, {})["layer"] == 2  # no anchored model: the last layer
    text = findings.render({"models": {}, "transfer": {}, "sweep": sw}, {"sweep": "docs/findings/anchor-sweep.png"})
    assert "**Anchor sweep (2 models).**" in text and "![Anchor sweep" in text
    assert "| anchor squares |" in text
    assert findings.sweep_numbers(out.parent / "nowhere", {}) is None
    assert sw["train_hours"] == {}  # the tiny runs log one evaluation each: nothing to time
    how = findings.how_trained({"models": {}, "transfer": {}, "sweep": {**sw, "train_hours": {0: 0.31, 2: 0.39}}})
    assert "Anchor sweep: 2 further runs of 10 steps each (0 anchors 0.3 h, 2 anchors 0.4 h)" in how


def _rows(cross, ins=None):
    ins = ins or [0.8] * len(cross)
    return [{"anchors": k, "cross-lingual": c, "in-language": i} for k, c, i in zip([0, 2, 4, 8, 16], cross, ins)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.3, 0.9), min_size=5, max_size=5))
def test_sweep_note_says_rises_only_when_every_step_up_gains(cross):
    note = findings.sweep_note({"rows": _rows(cross), "step": 3000, "schedule_steps": 12000, "layer": 2,
                                "n_train": 1000})
    rises = all(b > a for a, b in zip(cross, cross[1:]))
    assert ("rises with every step up" in note) == rises
    for a, b, ka, kb in zip(cross, cross[1:], [0, 2, 4, 8], [2, 4, 8, 16]):
        assert (f"{ka} -> {kb}" in note) == (b <= a)
    assert "In-language accuracy varies by only 0.0 points" in note


def test_sweep_note_names_the_in_language_spread_when_it_is_large():
    note = findings.sweep_note({"rows": _rows([0.5, 0.55, 0.6, 0.65, 0.7], [0.7, 0.75, 0.8, 0.8, 0.8]),
                                "step": 3000, "schedule_steps": 12000, "layer": 2, "n_train": 1000})
    assert "ranges from 70.0% to 80.0%" in note and "varies by only" not in note


@given(st.integers(1, 50_000), st.integers(1, 50_000))
def test_when_says_the_schedule_end_only_at_its_last_step(step, total):
    words = sweep.when({"step": step, "schedule_steps": total})
    assert ("end of their" in words) == (step == total)
    assert f"{step:,}" in words and (step == total or f"of {total:,}" in words)


def test_no_sweep_or_a_broken_one_reads_as_none(tmp_path):
    assert sweep.load(tmp_path) is None
    folder = tmp_path / sweep.FOLDER
    folder.mkdir()
    (folder / sweep.TABLE).write_text("anchors,layer,metric,value\n0,1,cross_lingual,0.5\n")
    assert sweep.load(tmp_path) is None  # no settings file
    (folder / sweep.META).write_text(json.dumps({"step": 1}))
    assert sweep.load(tmp_path) is None  # settings without the schedule and probe size
    (folder / sweep.META).write_text(json.dumps({"step": 1, "schedule_steps": 4, "n_train": 2}))
    table, info = sweep.load(tmp_path)
    assert list(table["metric"]) == ["cross_lingual"] and info["schedule_steps"] == 4
    (folder / sweep.TABLE).write_text("not,a\ntable,at all\n")
    assert sweep.load(tmp_path) is None  # not the sweep's columns


def test_build_sweep_measures_nothing_until_every_run_has_reached_the_step(tmp_path, monkeypatch):
    """A sweep run that stopped short (cancelled, or killed) leaves the shipped table as it was."""
    from mothello import storage, suite

    run = tmp_path / "suite-anchors-2"
    run.mkdir()
    storage.write_json(run / "status.json", {"state": "cancelled", "step": 1200})
    monkeypatch.setattr(sweep, "train", lambda until, progress: [run])
    monkeypatch.setattr(sweep, "build", lambda **kw: pytest.fail("measured before the runs got there"))
    assert suite.build_sweep(until=3000, progress=False) is None
    storage.write_json(run / "status.json", {"state": "cancelled", "step": 3000})
    monkeypatch.setattr(sweep, "build", lambda step, progress: tmp_path / f"built-at-{step}")
    assert suite.build_sweep(until=3000, progress=False) == tmp_path / "built-at-3000"


def test_a_sweep_point_is_found_as_a_snapshot_or_as_a_final_model(tiny_sweep, tmp_path, monkeypatch):
    import shutil

    _, runs = tiny_sweep
    ck = tmp_path / "checkpoints"
    monkeypatch.setenv("MOTHELLO_RUNS", str(runs))
    monkeypatch.setenv("MOTHELLO_CHECKPOINTS", str(ck))
    assert sweep.snapshot(2, 10) == runs / "suite-anchors-2" / "snapshots" / "step-000000010"
    # a shipped checkpoint is preferred (it re-measures from a fresh clone), and its last step is itself
    shutil.copytree(runs / "suite-anchors-2", ck / "anchors-2", ignore=shutil.ignore_patterns("snapshots", "state"))
    assert sweep.snapshot(2, 10) == ck / "anchors-2"
    with pytest.raises(FileNotFoundError, match="no snapshot of anchors-2 at step 20"):
        sweep.snapshot(2, 20)


def test_cli_rejects_a_sweep_step_that_no_run_snapshots_before_training_anything(tmp_path):
    from conftest import run_cli

    runs = tmp_path / "runs"
    proc = run_cli("suite", "--sweep", "--until", "7", env={"MOTHELLO_RUNS": str(runs)})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--until 7" in lines[0] and "600, 1,200, 3,000, 6,000, 12,000" in lines[0]
    assert not runs.exists() or not any(runs.iterdir())
