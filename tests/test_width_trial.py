"""scripts/width_trial.py, the width trial on this machine: its shapes and recipe, a tiny trial trained,
analysed and recorded end to end, and the report's section and figure made from such a record
(findings.width_runs / width_by_games / width_section, charts.width_trial_chart)."""

import importlib.util
import re
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from conftest import ROOT
from mothello import findings, storage, suite
from mothello.checkpoints import checkpoints_dir, list_snapshots, load_checkpoint
from mothello.findings.document import reproduce
from mothello.findings.trials import further_runs, ladder_lifted, lr_runs
from mothello.findings.trials.ladder import _ladder_to_target
from mothello.train import cpu_model
from mothello.train import TrainConfig
from mothello.ui.charts import decay_trial_chart, further_chart, ladder_chart, lr_trial_chart, objective_trial_chart, pooling_chart, trained_on_chart, width_trial_chart

_spec = importlib.util.spec_from_file_location("width_trial", ROOT / "scripts" / "width_trial.py")
width_trial = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(width_trial)

TINY = dict(batch_size=4, eval_every=2, eval_games=4, checkpoint_every=2, dtype="float32", device="cpu")


@given(st.integers(1, 12), st.integers(1, 24))
def test_a_shape_names_every_dimension_with_heads_32_wide(layers, heads):
    s = width_trial.shape(f"{layers}x{32 * heads}")
    assert s == {"n_layer": layers, "d_model": 32 * heads, "n_head": heads}
    assert width_trial.shape(str(layers)) == {"n_layer": layers, "d_model": 192, "n_head": 6}  # the small width


@pytest.mark.parametrize("spec", ["", "x384", "3x", "3x100", "0x192", "three"])
def test_a_bad_shape_is_refused_in_one_line(spec):
    with pytest.raises(ValueError) as e:
        width_trial.shape(spec)
    assert "\n" not in str(e.value)


def test_every_shape_trains_with_the_suite_first_stage_recipe_cut_short():
    narrow, wide = (width_trial.recipe(s, 5000) for s in ("3x192", "3x384"))
    for k in ("batch_size", "lr", "min_lr", "warmup_steps", "games", "eval_games"):
        assert getattr(narrow, k) == getattr(wide, k) == suite.SUITE_TRAINING[k]
    assert narrow.steps == wide.steps == 5000 and narrow.dtype == "auto"
    assert (narrow.model_shape(), wide.model_shape()) == ({"n_layer": 3, "n_head": 6, "d_model": 192},
                                                         {"n_layer": 3, "n_head": 12, "d_model": 384})


def test_an_objective_trial_runs_beside_the_width_trial_with_the_same_recipe():
    plain, exact = width_trial.recipe("3x192", 5000), width_trial.recipe("3x192", 5000, objective="legal-set")
    assert (plain.objective, exact.objective) == ("next-token", "legal-set")
    assert {**plain.to_dict(), "objective": None} == {**exact.to_dict(), "objective": None}
    assert width_trial.run_dir("unified-mixed", "3x192").name == "scratch-unified-mixed-3x192"
    assert width_trial.run_dir("unified-mixed", "3x192", "legal-set").name == "scratch-unified-mixed-3x192-legal-set"
    # a run of other than the trial's steps is another run (its schedule spans it), recorded beside the trial's
    assert width_trial.run_dir("unified-mixed", "3x192", "legal-set", 12_000).name == \
        "scratch-unified-mixed-3x192-legal-set-12000-steps"
    assert width_trial.run_dir("unified-mixed", "3x192", steps=width_trial.STEPS).name == "scratch-unified-mixed-3x192"
    trial = {"experiment": "unified-mixed", "n_layer": 3, "d_model": 192, "objective": "legal-set", "steps": 5000}
    assert width_trial._key(trial) != width_trial._key({**trial, "steps": 12_000})
    assert width_trial._key(trial) == width_trial._key({**trial, "from_step": None, "points": []})


@pytest.fixture(scope="module")
def tiny_trial(tmp_path_factory):
    """Two tiny shapes of naive-2 trained 4 steps each, on the same games, and recorded; then the narrow
    one again with the legal-set objective, recorded beside them."""
    mp = pytest.MonkeyPatch()
    mp.setattr(suite, "full_eval_games", lambda: suite.heldout_games(6, seed=5))
    runs = [width_trial.train_shape("naive-2", s, steps=4, progress=False, **TINY) for s in ("1x32", "1x64")]
    width_trial.record(runs, n_train=12)
    exact = width_trial.train_shape("naive-2", "1x32", steps=4, progress=False, objective="legal-set", **TINY)
    path = width_trial.record([exact], n_train=12)  # beside the two
    yield runs, path
    mp.undo()


def test_a_trial_trains_each_shape_resumably_on_the_same_games(tiny_trial):
    runs, _ = tiny_trial
    assert [load_checkpoint(r).model.cfg.d_model for r in runs] == [32, 64]
    assert all(storage.read_json(r / "status.json")["state"] == "finished" for r in runs)
    mtime = (runs[0] / "model.safetensors").stat().st_mtime_ns
    assert width_trial.train_shape("naive-2", "1x32", steps=4, progress=False, **TINY) == runs[0]
    assert (runs[0] / "model.safetensors").stat().st_mtime_ns == mtime  # finished: not trained again
    # one recipe, so the same stream of games (TrainingData: the experiment, the batch and the seed)
    shape = ("n_layer", "n_head", "d_model")
    a, b = ({k: v for k, v in storage.read_json(r / "train.json").items() if k not in shape} for r in runs)
    assert a == b


def test_the_record_holds_every_snapshot_analysed_and_timed(tiny_trial):
    runs, path = tiny_trial
    assert path == checkpoints_dir() / findings.WIDTH_RUNS
    rec = json.loads(path.read_text())["runs"]
    assert [(r["n_layer"], r["d_model"], r["n_head"], r["objective"]) for r in rec] == [
        (1, 32, 1, "next-token"), (1, 64, 2, "next-token"), (1, 32, 1, "legal-set")]
    for r, run in zip(rec, runs + [width_trial.run_dir("naive-2", "1x32", "legal-set", 4)]):
        assert [p["step"] for p in r["points"]] == [s for s, _ in list_snapshots(run)]
        assert r["steps"] == 4 and r["batch_size"] == 4 and r["dtype"] == "float32" and r["device"] == "CPU"
        assert r["params"] == load_checkpoint(run).model.n_params
        for p in r["points"]:
            legal = p["legal_move_accuracy"]
            assert len(legal) == 2 and all(0 <= v <= 1 for v in legal.values())  # naive-2's two languages
            layers = p["alignment"]["layers"]
            assert set(layers) == {"0", "1"} and str(p["alignment"]["best_layer"]) in layers
            assert all(0 <= v["colour_in_language"] <= 1 for v in layers.values())
    # the analysis is kept beside each snapshot and not made again for the same weights
    snap = list_snapshots(runs[0])[-1][1]
    cached = json.loads((snap / "width.json").read_text())
    assert cached["weights_sha256"] == load_checkpoint(snap).meta["weights_sha256"]
    assert width_trial.point(snap, n_train=12)["alignment"] == cached["alignment"]


def test_a_one_language_run_records_null_for_what_it_cannot_measure(tmp_path, monkeypatch):
    """mono-1, the pooling trial's reference, has no second language: no cross-lingual probe, and the record
    says null there (strict JSON), not NaN."""
    monkeypatch.setenv("MOTHELLO_CHECKPOINTS", str(tmp_path / "checkpoints"))
    monkeypatch.setenv("MOTHELLO_RUNS", str(tmp_path / "runs"))
    monkeypatch.setattr(suite, "full_eval_games", lambda: suite.heldout_games(6, seed=5))
    run = width_trial.train_shape("mono-1", "1x32", steps=4, progress=False, **TINY)
    assert run.name == "scratch-mono-1-1x32-4-steps"

    def refuse(c):
        raise ValueError(f"not JSON: {c}")

    rec = json.loads(width_trial.record([run], n_train=12).read_text(), parse_constant=refuse)["runs"][0]
    assert rec["experiment"] == "mono-1" and rec["points"]
    for p in rec["points"]:
        assert list(p["legal_move_accuracy"]) == ["L0"]
        for v in p["alignment"]["layers"].values():
            assert v["cross_lingual"] is None and v["colour_cross_lingual"] is None and v["aligned_rotation"] is None
            assert 0 <= v["colour_in_language"] <= 1 and 0 <= v["in_language"] <= 1


def test_the_report_reads_the_record_into_a_section_and_a_figure(tiny_trial):
    numbers = findings.collect(checkpoints_dir())
    # the legal-set run joined the record; the width runs stayed
    assert [(r["n_layer"], r["d_model"], r["objective"]) for r in numbers["width"]] == [
        (1, 32, "next-token"), (1, 64, "next-token"), (1, 32, "legal-set")]
    df = findings.width_by_games(numbers)
    assert list(df["shape"].unique()) == ["1 x 32", "1 x 64"] and (df["games"] == df["step"] * 4).all()
    text = findings.width_section(numbers)
    assert text.startswith("## Is it width?") and "checkpoints/width-trials/runs.json" in text
    bare, ruled = width_trial_chart(df).to_dict(), width_trial_chart(df, placer=0.627).to_dict()
    assert [len(p["layer"]) for p in bare["hconcat"]] == [1, 1]     # by games, by minutes
    assert [len(p["layer"]) for p in ruled["hconcat"]] == [3, 3]    # and the placer baseline's rule and label
    by_objective = findings.objective_by_games(numbers)
    assert list(by_objective["objective"].unique()) == ["next-token", "legal-set"]
    steps = [list(g["step"]) for _, g in by_objective.groupby("objective", sort=False)]
    assert steps[0] == steps[1] and len(steps[0]) >= 2  # the same snapshots
    text = findings.objective_section(numbers)
    assert text.startswith("## Is it the noise of the target?") and "`next-token` and with `legal-set`" in text
    assert "colour, legal-set minus next-token" in text
    made = objective_trial_chart(by_objective, placer=0.6).to_dict()
    assert [len(p["layer"]) for p in made["hconcat"]] == [3, 3]
    assert made["title"]["text"].startswith("The objective trial") and bare["title"]["text"].startswith("The width trial")
    assert [p["title"] for p in made["hconcat"]] == ["after as many games", "after as much training time"]
    # a record made again replaces its own entry only
    width_trial.record([width_trial.run_dir("naive-2", "1x32", "legal-set", 4)], n_train=12)
    assert len(findings.collect(checkpoints_dir())["width"]) == 3


def _run(d_model, colours, minutes, legal=0.9):
    """A recorded width trial of unified-mixed with the given colour (and minutes) at steps 500, 2500, 5000."""
    layers = lambda c: {"best_layer": 3, "layers": {"3": {"colour_in_language": c, "in_language": 0.8,  # noqa: E731
                                                          "cross_lingual": 0.78}}}
    return {"experiment": "unified-mixed", "n_layer": 3, "d_model": d_model, "n_head": d_model // 32,
            "params": 1.5e6 * (d_model / 192) ** 2, "steps": 5000, "batch_size": 64, "lr": 1.5e-3, "min_lr": 1.5e-4,
            "warmup_steps": 500, "dtype": "bfloat16", "device": "CPU", "threads": 2, "torch": "2.13.0",
            "train_s": 60 * minutes[-1] + 30, "tokens_per_s": 1000.0, "probe_games": 1000,
            "started": "2026-12-05T10:00:00+00:00", "measured": {"steps_per_s": 5000 / (60 * minutes[-1])},
            "points": [{"step": s, "legal_move_accuracy": {"a": legal, "b": legal + 0.01}, "alignment": layers(c),
                        "train_s": 60 * m} for s, c, m in zip((500, 2500, 5000), colours, minutes)]}


def test_the_section_compares_the_shapes_after_as_many_games_and_as_much_time():
    narrow = _run(192, [0.62, 0.66, 0.68], [2.6, 13, 26])   # minutes at the measured speed: step / speed
    wide = _run(384, [0.60, 0.66, 0.72], [6.4, 32, 64])
    text = findings.width_section({"models": {}, "width": [wide, narrow]})  # narrowest first, as recorded or not
    assert "| 5,000 | 320,000 | 90.0% | 68.0% (layer 3) | 90.0% | 72.0% (layer 3) | +4.0 points |" in text
    assert "the 3 x 384 model reads the colour 4.0 points better than the 3 x 192 one" in text
    assert "the 3 x 384 model takes 2.5x as long for the same games" in text
    # the narrow run gained 2 points from 2,500 to 5,000 steps (one doubling): a 4-point lead is worth 2^2 the games
    assert "(2.0 points per doubling of the games, 160,000 to 320,000), that lead is worth 4.0x the games, " \
           "for 2.5x as long per game." in text
    # narrow's whole run takes 26 min; the wide model at 26 min, between 6.4 min (60%) and 32 min (66%) on log time
    at26 = 0.60 + 0.06 * np.log(26 / 6.4) / np.log(32 / 6.4)
    assert f"the 3 x 384 model reads the colour {100 * (0.68 - at26):.1f} points worse ({100 * at26:.1f}%" in text
    assert "below the 90% target" in text
    assert findings.objective_section({"models": {}, "width": [narrow, wide]}) == ""  # no other objective
    alike = findings.width_section({"models": {}, "width": [narrow, _run(384, [0.62, 0.66, 0.685], [6.4, 32, 64])]})
    assert "reads the colour as the 3 x 192 one does (+0.5 points)" in alike
    assert findings.width_section({"models": {}}) == ""


def test_the_objective_section_compares_the_exact_target_with_the_sampled_move_at_one_shape():
    sampled = _run(192, [0.62, 0.66, 0.68], [2.6, 13, 26])
    exact = {**_run(192, [0.66, 0.72, 0.78], [4, 20, 40]), "objective": "legal-set"}
    wide = _run(384, [0.60, 0.66, 0.72], [6.4, 32, 64])
    numbers = {"models": {}, "width": [wide, exact, sampled]}
    text = findings.objective_section(numbers)
    assert "| 5,000 | 320,000 | 90.0% | 68.0% (layer 3) | 90.0% | 78.0% (layer 3) | +10.0 points |" in text
    assert "the legal-set model reads the colour 10.0 points better than the next-token one" in text
    assert "the legal-set model takes 1.5x as long for the same games" in text
    # the width section keeps to the next-token runs: the legal-set run is not a third shape
    assert "3 x 192 (1.5M parameters) and 3 x 384" in findings.width_section(numbers)
    assert list(findings.width_by_games(numbers)["shape"].unique()) == ["3 x 192", "3 x 384"]


def _longer(run, steps=12_000):
    """A recorded run carried on over `steps` (the same recipe but for its length), snapshots at the same shares
    of the run: its steps scaled, colours and minutes as given."""
    k = steps / run["steps"]
    return {**run, "steps": steps, "measured": {"steps_per_s": run["measured"]["steps_per_s"]},
            "points": [{**p, "step": round(p["step"] * k), "train_s": p["train_s"] * k} for p in run["points"]]}


@pytest.mark.parametrize("colours, said", [
    ([0.70, 0.78, 0.845], "went +7.0 points, +10.0 points, +14.5 points (76,800 to 768,000 games); over their last "
                          "doubling of the games it grew by 4.5 points. At their ends: +10.0 points after 320,000 "
                          "games (the trial, worth 32.0x the games at the next-token run's pace there), +14.5 points "
                          "after 768,000 games (carried on, worth 152.2x the games"),
    ([0.66, 0.76, 0.785], "went +3.0 points, +8.0 points, +8.5 points (76,800 to 768,000 games); over their last "
                          "doubling of the games it held (within a point)."),
    ([0.64, 0.78, 0.76], "went +1.0 points, +10.0 points, +6.0 points (76,800 to 768,000 games); over their last "
                         "doubling of the games it shrank by 4.0 points.")])
def test_the_objective_trial_carried_on_says_whether_the_exact_targets_lead_grew(colours, said):
    """Runs of the objective trial's model and shape with a longer recipe are the trial carried on: a second
    table beside the first, the lead at the end of each, and its own line in the figure; the width trial and
    the trial's own table keep to the trial's recipe."""
    sampled = _run(192, [0.62, 0.66, 0.68], [2.6, 13, 26])
    exact = {**_run(192, [0.66, 0.72, 0.78], [4, 20, 40]), "objective": "legal-set"}
    wide = _run(384, [0.60, 0.66, 0.72], [6.4, 32, 64])
    long_sampled = _longer(_run(192, [0.63, 0.68, 0.70], [2.6, 13, 26]))
    long_exact = {**_longer(_run(192, colours, [4, 20, 40])), "objective": "legal-set"}
    numbers = {"models": {}, "width": [wide, exact, sampled, long_exact, long_sampled]}
    text = findings.objective_section(numbers)
    assert "| 5,000 | 320,000 | 90.0% | 68.0% (layer 3) | 90.0% | 78.0% (layer 3) | +10.0 points |" in text
    carried = text[text.index("**Carried on.**"):]
    assert carried.startswith("**Carried on.** The same objectives again over 12,000 steps (768,000 games)")
    assert f"| 12,000 | 768,000 | 90.0% | 70.0% (layer 3) | 90.0% | {100 * long_exact['points'][-1]['alignment']['layers']['3']['colour_in_language']:.1f}% (layer 3) |" in carried
    assert "| 5,000 |" not in carried and "| 12,000 |" not in text[:text.index("**Carried on.**")]
    assert said in text
    assert "millions of games" in text.split("\n")[-2]
    # each longer run's own pace over its last two snapshots (384,000 to 768,000 games: one doubling), to 90%
    c = colours[-1]
    assert ("the next-token run (2.0 points per doubling, 384,000 to 768,000, after 2.2 from 76,800) after about "
            "786.4 million games in all (10.0 more doublings)") in carried
    if c > colours[1]:
        more = (0.9 - c) / (c - colours[1])
        assert (f"; the legal-set run ({100 * (c - colours[1]):.1f} points per doubling, 384,000 to 768,000, after "
                f"{100 * (colours[1] - colours[0]) / np.log2(5):.1f} from 76,800) after about ") in carried
        assert f"({more:.1f} more doublings). A pace read off two snapshots is a rough guide" in carried
    else:  # no gain over its last snapshots: no pace to read
        assert "the legal-set run (" not in carried
    # the width trial: the trial's recipe only, the longer next-token run is no third shape
    assert list(findings.width_by_games(numbers)["shape"].unique()) == ["3 x 192", "3 x 384"]
    df = findings.objective_by_games(numbers)
    assert list(df["objective"].unique()) == ["next-token, 5,000 steps", "legal-set, 5,000 steps",
                                              "next-token, 12,000 steps", "legal-set, 12,000 steps"]
    assert df.groupby("objective")["games"].max().to_dict()["legal-set, 12,000 steps"] == 768_000
    scale = json.loads(objective_trial_chart(df).to_json())["hconcat"][0]["layer"][0]["encoding"]["color"]["scale"]
    assert scale["domain"] == list(df["objective"].unique())  # each objective one hue, the longer run darker
    assert scale["range"] == ["#4292c6", "#f58518", "#08519c", "#a63603"]
    repro = reproduce(numbers)
    for objective in ("next-token", "legal-set"):
        assert (f"python scripts/width_trial.py --model unified-mixed --shapes 3x192 --steps 12000 --objective "
                f"{objective}   # the objective trial carried on") in repro
    # without the longer pair, one table and the plain names
    alone = findings.objective_section({"models": {}, "width": [wide, exact, sampled, long_sampled]})
    assert "**Carried on.**" not in alone and "not whether it would reach the target sooner" in alone
    assert list(findings.objective_by_games({"models": {}, "width": [exact, sampled]})["objective"].unique()) == \
        ["next-token", "legal-set"]


def test_a_run_from_scratch_carries_on_in_later_stages_recorded_as_its_own(tmp_path, monkeypatch):
    """--carry-on: a tiny finished legal-set run trained on 4 more steps, then 4 more from there: each stage
    a warm restart (the suite's later-stage rates) at the run's batch, with its AdamW moments, on the next games;
    recorded with the run it trains on, its points its own snapshots; the report reads them as the run's stages."""
    monkeypatch.setenv("MOTHELLO_CHECKPOINTS", str(tmp_path / "checkpoints"))
    monkeypatch.setenv("MOTHELLO_RUNS", str(tmp_path / "runs"))
    monkeypatch.setattr(suite, "full_eval_games", lambda: suite.heldout_games(6, seed=5))
    scratch = width_trial.train_shape("naive-2", "1x32", steps=4, progress=False, objective="legal-set", **TINY)
    first = width_trial.train_carried(scratch, 4, progress=False)
    second = width_trial.train_carried(first, 4, progress=False)
    assert [first.name, second.name] == [f"{scratch.name}-to-8", f"{scratch.name}-to-12"]
    base, a, b = (storage.read_json(r / "train.json") for r in (scratch, first, second))
    assert (a["init_from"], a["init_step"], a["steps"], b["init_step"], b["steps"]) == (str(scratch), 4, 8, 8, 12)
    assert {k: a[k] for k in ("lr", "min_lr", "warmup_steps")} == {k: suite.STAGE_TRAINING[k] for k in ("lr", "min_lr", "warmup_steps")}
    assert a["init_optimizer"] and a["batch_size"] == base["batch_size"] == 4 and a["objective"] == "legal-set"
    assert a["seed"] == base["seed"]   # the same stream of games, on from step 4
    assert width_trial.train_carried(scratch, 4, progress=False) == first   # finished: nothing trains again
    rec = json.loads(width_trial.record([scratch, first, second], n_train=12).read_text())["runs"]
    assert [(r["from_step"], r.get("from_run"), r["steps"]) for r in rec] == [
        (0, None, 4), (4, scratch.name, 8), (8, first.name, 12)]
    for r, run in zip(rec[1:], (first, second)):   # no point of the start: that is the run before's last
        assert [p["step"] for p in r["points"]] == [s for s, _ in list_snapshots(run)]
        assert r["points"][-1]["train_s"] == pytest.approx(4 / r["measured"]["steps_per_s"])
    numbers = {"models": {}, "width": rec}
    assert findings.carried_stages(numbers, rec[0]) == rec[1:]
    assert findings.trained_on_section(numbers) == ""   # not the shipped model trained on
    # a stage with its own peak (STEPS@LR): warms up to it, its cosine to a tenth, in its own folder; its next
    # stage (at the suite's rates) is named after the steps alone
    gentle = width_trial.train_carried(second, 4, 2e-4, progress=False)
    after = width_trial.carried_dir(gentle, 4)
    assert (gentle.name, after.name) == (f"{scratch.name}-to-16-lr-0.0002", f"{scratch.name}-to-20")
    c = storage.read_json(gentle / "train.json")
    assert (c["lr"], c["min_lr"], c["init_from"], c["init_step"]) == (2e-4, 2e-5, str(second), 12)
    assert width_trial.carry_stages("24000, 48000,28000@0.0002") == [(24000, None), (48000, None), (28000, 2e-4)]
    for bad in ("0", "24000@", "24000@2", "x@0.001", ","):
        with pytest.raises(ValueError, match="--carry-on"):
            width_trial.carry_stages(bad)
    # a run that has not finished is not carried on
    with pytest.raises(ValueError, match="has not finished training"):
        width_trial.train_carried(tmp_path / "runs" / "width-trials" / "nothing-here", 4, progress=False)
    with pytest.raises(ValueError, match="no run in .*nothing-here: train it first"):
        width_trial.carried_dir(tmp_path / "runs" / "width-trials" / "nothing-here", 4)
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "width_trial.py"), "--carry-on", "0"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--carry-on stage '0': STEPS[@LR], STEPS a whole number >= 1" in proc.stderr


def test_the_shipped_model_trains_on_with_each_objective_from_its_own_point(tmp_path, monkeypatch):
    """--continue: a tiny 'shipped' naive-2 trained on 4 steps with each objective, recorded beside a
    from-scratch run of the same shape and objective, and read into the report's section and figure."""
    monkeypatch.setenv("MOTHELLO_CHECKPOINTS", str(tmp_path / "checkpoints"))
    monkeypatch.setenv("MOTHELLO_RUNS", str(tmp_path / "runs"))
    monkeypatch.setattr(suite, "full_eval_games", lambda: suite.heldout_games(6, seed=5))
    scratch = width_trial.train_shape("naive-2", "1x32", steps=4, progress=False, **TINY)
    shutil.copytree(scratch, checkpoints_dir() / "naive-2", ignore=shutil.ignore_patterns("state", "snapshots"))
    runs = [width_trial.train_continued("naive-2", 4, objective=o, progress=False, **TINY)
            for o in ("next-token", "legal-set")]
    assert [r.name for r in runs] == ["continued-naive-2-from-4-next-token", "continued-naive-2-from-4-legal-set"]
    a, b = (storage.read_json(r / "train.json") for r in runs)
    assert {**a, "objective": None} == {**b, "objective": None}           # one recipe, so the same games
    assert (a["init_step"], a["steps"], a["n_layer"], a["d_model"]) == (4, 8, 1, 32)  # the shipped shape, on from 4
    width_trial.record([scratch], n_train=12)
    rec = json.loads(width_trial.record(runs, n_train=12).read_text())["runs"]
    assert [(r["objective"], r["from_step"]) for r in rec] == [("next-token", 0), ("next-token", 4), ("legal-set", 4)]
    for r, run in zip(rec[1:], runs):   # the shipped model's own point first, then the run's snapshots
        assert [p["step"] for p in r["points"]] == [4] + [s for s, _ in list_snapshots(run)]
        assert r["points"][0]["train_s"] == 0 and r["points"][0]["alignment"] == rec[2]["points"][0]["alignment"]
    assert len(list((tmp_path / "runs" / "width-trials").glob("naive-2-at-4.json"))) == 1  # analysed once

    numbers = {"models": {}, "width": rec}
    assert findings.width_by_games(numbers)["shape"].unique().tolist() == ["1 x 32"]   # from scratch only
    assert findings.objective_by_games(numbers).empty
    df = findings.trained_on_by_games(numbers)
    assert df["objective"].unique().tolist() == ["next-token", "legal-set"]
    assert df.groupby("objective")["games"].min().tolist() == [0, 0]                   # games added
    assert sorted(df["games"].unique()) == [0, *[(s - 4) * 4 for s in sorted(df["step"].unique())[1:]]]
    text = findings.trained_on_section(numbers)
    assert text.startswith("## A trained model on the exact target") and "(step 4)" in text
    assert "| 4 | 0 |" in text and "| 8 | 16 |" in text and "4 steps at batch 4 (16 games)" in text
    made = trained_on_chart(df).to_dict()
    assert [p["title"] for p in made["hconcat"]] == ["the colour of the discs", "legal moves"]
    assert [p["encoding"]["y"]["field"] for p in made["hconcat"]] == ["colour", "legal_min"]
    # the script takes the same runs
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "width_trial.py"), "--continue", "--model",
                           "anchors-8"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "no shipped checkpoints/anchors-8 to continue" in proc.stderr


def _continued(objective, colours, start=0.80):
    """A recorded run of the shipped unified-mixed trained on from 85,000 for 1,500 steps at batch 256: its own
    point at 85,000 (colour `start`), then the colours at 85,500, 86,000 and 86,500."""
    points = [{"step": s, "legal_move_accuracy": {"a": 0.9, "b": 0.91}, "train_s": (s - 85_000) / 0.8,
               "alignment": {"best_layer": 3, "layers": {"3": {"colour_in_language": c, "in_language": 0.9,
                                                               "cross_lingual": 0.85}}}}
              for s, c in zip((85_000, 85_500, 86_000, 86_500), [start, *colours])]
    return {**_run(192, [0] * 3, [1] * 3), "objective": objective, "from_step": 85_000, "steps": 86_500,
            "batch_size": 256, "lr": 3e-4, "min_lr": 3e-5, "warmup_steps": 100, "measured": {"steps_per_s": 0.8},
            "points": points}


def _shipped(colours=((24_000, 0.73), (78_000, 0.79), (85_000, 0.80))):
    """Numbers of a shipped unified-mixed trained at batch 64 to 24,000, then at 1,024 (its stage ends)."""
    stages = [{"from": 0, "to": 24_000, "batch_size": 64}, {"from": 24_000, "to": 85_000, "batch_size": 1024}]
    return {"name": "unified-mixed", "step": 85_000, "colour_in_language": colours[-1][1],
            "trained": {"stages": stages},
            "stage_ends": {st: {"step": st, "colour_in_language": c} for st, c in colours[:-1]}}


@pytest.mark.parametrize("exact, said", [
    ([0.82, 0.83, 0.84], "reads the colour 3.0 points better than on the sampled move after the same games"),
    ([0.80, 0.81, 0.81], "The exact target did no better here (+0.0 points)"),
    ([0.78, 0.78, 0.78], "The exact target did worse here: 3.0 points behind the sampled move.")])
def test_the_trained_on_section_says_which_objective_taught_the_colour_faster(exact, said):
    numbers = {"models": {"unified": _shipped()},
               "width": [_continued("legal-set", exact), _continued("next-token", [0.80, 0.805, 0.81])]}
    text = findings.trained_on_section(numbers)
    assert said in text
    assert "| 86,500 | 384,000 | 90.0% | 81.0% (layer 3) | 90.0% | " in text
    assert "(step 85,000, 64.0 million games)" in text   # 24,000 x 64 + 61,000 x 1,024
    assert "384,000 games, 1% more than it had seen" in text
    per = findings.colour_per_doubling(_shipped())
    assert f"({100 * per:.1f} points per doubling of the games, over its stage ends)" in text
    assert ("more to gain what the legal-set run gained" in text) == (exact[-1] > 0.82)
    assert "Both stay below the 90% target" in text and "next-token 0.80 steps/s, legal-set 0.80 steps/s" in text
    assert findings.objective_section(numbers) == "" and findings.width_section(numbers) == ""
    assert "Right after the warm restart (the rate back up to 0.0003), 128,000 games in: next-token +0.0 points, " \
           f"legal-set {findings.pts(exact[0] - 0.80)}." in text


def test_the_script_refuses_bad_input_in_one_line(tmp_path):
    for args, said in ((["--shapes", "3x100"], "multiple of 32"), (["--model", "nope"], "no configs/nope.toml"),
                       (["--steps", "0"], "at least 1"), (["--lr", "0"], "--lr must be positive"),
                       (["--lr", "-0.003"], "--lr must be positive"),
                       (["--continue", "--lr", "0.003"], "--continue has its own recipe"),
                       (["--record-only", "--shapes", "2x64"], "train it first")):
        proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "width_trial.py"), *args], capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 2 and said in proc.stderr, (args, proc.stderr)
        assert proc.stderr.strip().splitlines()[-1].startswith("width_trial.py: error:")


def test_an_unfinished_run_is_not_recorded(tmp_path, monkeypatch):
    run = width_trial.train_shape("naive-2", "1x32", steps=4, progress=False, **TINY)
    status = storage.read_json(run / "status.json")
    storage.write_json(run / "status.json", {**status, "state": "cancelled"})
    with pytest.raises(ValueError, match="has not finished"):
        width_trial.width_record(run)
    # a run from scratch stopped part-way (partial, --record-only): recorded with its schedule's length and the
    # snapshots it reached
    storage.write_json(run / "status.json", {**status, "state": "cancelled", "step": 3})
    stopped = width_trial.width_record(run, n_train=12, partial=True)
    assert stopped["steps"] == 4 and [p["step"] for p in stopped["points"]] == [s for s, _ in list_snapshots(run)]
    storage.write_json(run / "status.json", status)
    assert np.isfinite(width_trial.width_record(run, n_train=12)["params"])


@given(st.lists(st.tuples(st.floats(1, 1e7), st.floats(0, 1)), min_size=2, max_size=6, unique_by=lambda p: p[0]),
       st.floats(0.5, 2e7))
def test_log_interpolation_stays_between_its_two_points_and_is_none_outside(points, x):
    y = findings.log_interpolate(points, x)
    xs = sorted(p[0] for p in points)
    if not xs[0] <= x <= xs[-1]:
        assert y is None
        return
    lo = max(p for p in points if p[0] <= x)
    hi = min(p for p in points if p[0] >= x)
    assert min(lo[1], hi[1]) - 1e-9 <= y <= max(lo[1], hi[1]) + 1e-9
    for px, py in points:  # it passes through every point
        assert findings.log_interpolate(points, px) == pytest.approx(py)


@given(games=st.floats(1e3, 1e8), colour=st.floats(0.3, 0.99), per=st.floats(0.002, 0.2))
def test_the_pace_to_the_target_lands_on_it_after_the_games_it_names(games, colour, per):
    """A model gaining `per` a doubling reads the target after to_target's games: the doublings from `games` to
    them, times the pace, are the points still missing (none, or fewer games, when it is there already)."""
    more, total = findings.to_target(games, colour, per)
    assert np.log2(total / games) == pytest.approx(more, rel=1e-9, abs=1e-9)
    assert colour + per * more == pytest.approx(findings.COLOUR_TARGET)
    assert (total > games) == (colour < findings.COLOUR_TARGET)
    slower_more, slower_total = findings.to_target(games, colour, per / 2)
    assert slower_more == pytest.approx(2 * more) and (slower_total >= total) == (colour <= findings.COLOUR_TARGET)
    assert findings.to_target(games, 0.0, 1e-4) == (pytest.approx(9000), float("inf"))  # too slow for a float


def _pooled(model, colours):
    """A recorded pooling-trial run of `model` from scratch at 3 x 192: colours at steps 500, 2,500, 5,000."""
    return {**_run(192, colours, [2, 10, 20]), "experiment": model}


def _naive_shipped(name, ends):
    """Numbers of a shipped model trained at batch 64 throughout, with colour `c` at step `s` for (s, c) in ends."""
    (*stage_ends, (last, c_last)) = ends
    return {"name": name, "step": last, "colour_in_language": c_last,
            "trained": {"stages": [{"from": 0, "to": last, "batch_size": 64}]},
            "stage_ends": {s: {"step": s, "colour_in_language": c} for s, c in stage_ends}}


@pytest.mark.parametrize("naive, times, said", [
    (0.62, "1.0x", "close to each language learning from its own games only"),
    (0.70, "2.0x", "close to every game teaching every language: its languages pool their games"),
    (0.66, "1.4x", "between the two: its languages share part of their games"),
    (0.59, "0.4x", "below even that: each language learns from its own games only, a little slower than one "
                   "language alone")])
def test_the_pooling_section_reads_each_model_as_the_games_one_language_needs(naive, times, said):
    mono = _pooled("mono-1", [0.56, 0.62, 0.70])   # 32,000, 160,000 and 320,000 games
    numbers = {"models": {}, "width": [_run(192, [0.6, 0.64, 0.66], [2, 10, 20]), _run(384, [0.6, 0.65, 0.68], [5, 25, 50]),
                                       _pooled("atomic-10", [0.55, 0.55, 0.555]), _pooled("naive-2", [0.56, 0.6, naive]),
                                       mono]}
    text = findings.pooling_section(numbers)
    assert text.startswith("## Do the languages share their games?")
    assert "Here `mono-1` (one atomic language: Othello-GPT's setting), `naive-2` (2 atomic languages, no shared " \
           "tokens), `unified-mixed` (4 atomic / compositional / split languages, unified output) and `atomic-10` (10 " \
           "atomic languages, no shared tokens) trained from scratch at 3 x 192" in text
    # the one-language model first, then by languages read: unified-mixed reads 4, atomic-10 10
    assert "| model | languages | colour after 32,000 games | 160,000 | 320,000 | legal moves after 320,000, worst " \
           "language |" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "%" in line]
    assert [row.split(" | ")[:2] for row in rows] == [["| mono-1", "1"], ["| naive-2", "2"], ["| unified-mixed", "4"],
                                                      ["| atomic-10", "10"]]
    assert rows[1] == f"| naive-2 | 2 | 56.0% | 60.0% | {naive:.1%} | 90.0% |"
    assert f"- `naive-2` (2 languages) after 320,000 games, 160,000 in each: colour {naive:.1%}, " in text
    assert f"**{times}** of 2x, {said} (`mono-1` after 160,000 games 62.0%, after 320,000 games 70.0%)." in text
    # atomic-10 reads below where mono-1's colour starts to rise (32,000 games): a bound, 1.0x of its 32,000 a language
    assert "no better than `mono-1` after 32,000 games (its colour rises from there): **at most 1.0x** of 10x" in text
    # the width and objective trials keep to their own model: the other models' runs are the pooling trial's
    assert findings.width_by_games(numbers)["shape"].unique().tolist() == ["3 x 192", "3 x 384"]
    assert findings.objective_section(numbers) == ""
    df = findings.pooling_by_games(numbers)
    assert df.groupby("model")["languages"].first().to_dict() == {
        "mono-1 (1 language)": 1, "naive-2 (2 languages)": 2, "unified-mixed (4 languages)": 4, "atomic-10 (10 languages)": 10}
    assert (df["per_language"] * df["languages"] == df["games"]).all()
    made = pooling_chart(df).to_dict()
    assert [p["title"] for p in made["hconcat"]] == ["after as many games", "after as many games in each language"]
    assert made["hconcat"][1]["layer"][0]["encoding"]["x"]["field"] == "per_language"
    assert findings.pooling_section({"models": {}, "width": [mono]}) == ""        # a reference alone is no trial
    assert findings.pooling_section({"models": {}, "width": numbers["width"][:4]}) == ""  # nor others without it


def test_the_pooling_section_reads_the_shipped_naive_models_by_games_in_each_language():
    width = [_pooled("mono-1", [0.56, 0.62, 0.70]), _pooled("naive-2", [0.56, 0.6, 0.62]),
             _pooled("atomic-10", [0.55, 0.55, 0.555])]
    naive = _naive_shipped("naive-2", [(12_000, 0.72), (24_000, 0.76), (160_000, 0.80)])   # 0.77M, 1.5M, 10.2M games
    many = _naive_shipped("atomic-10", [(78_125, 0.73), (156_250, 0.75)])                 # 5M and 10M games
    text = findings.pooling_section({"models": {"naive": naive, "many": many}, "width": width})
    each = 0.72 + 0.04 * np.log(1e6 / 768_000) / np.log(2)                # naive-2 after 1M games (5M over 10 x 2)
    whole = 0.76 + 0.04 * np.log(5e6 / 1_536_000) / np.log(10_240_000 / 1_536_000)
    assert (f"`atomic-10` (10 languages), at its analysed stage ends, beside `naive-2` (2): after 5.0 million games "
            f"73.0% (`naive-2`: {each:.1%} after as many in each language, {whole:.1%} after as many in all)") in text
    assert "is closer to `naive-2` after as many games in each language than after as many in all." in text
    assert "So over long training" not in text   # no model that shares tokens or its output beside the naive one
    # an anchored model trained alike, 2 points ahead of naive-2 at every stage end
    anchored = _naive_shipped("anchors-8", [(12_000, 0.74), (24_000, 0.78), (160_000, 0.82)])
    text = findings.pooling_section({"models": {"naive": naive, "many": many, "anchors": anchored},
                                     "width": width + [_pooled("anchors-8", [0.56, 0.6, 0.63])]})
    assert "`anchors-8` (2 languages), at its analysed stage ends, beside `naive-2` after as many games: after 768,000 " \
           "games 74.0% (`naive-2`: 72.0%);" in text
    assert "`anchors-8` reads the colour better than `naive-2` after as many games at its last stage end (+2.0 points; " \
           "+2.0 points at its first)." in text
    assert "So over long training `anchors-8` gets more of the world model out of each language's games" in text


@pytest.mark.parametrize("anchored, said", [
    (0.63, "and share hardly more of their games (1.1x against 1.0x): lining the languages' representations up does "
            "not by itself make a game in one language teach the others."),
    (0.66, "and share more of their games (1.4x against 1.0x)."),
    (0.70, "and share more of their games (2.0x against 1.0x): with 8 anchor squares a game in one language teaches "
           "the others.")])
def test_the_pooling_section_sets_anchors_that_align_the_languages_against_how_much_they_share(anchored, said):
    mono = _pooled("mono-1", [0.56, 0.62, 0.70])
    naive, anchors = _pooled("naive-2", [0.56, 0.6, 0.62]), _pooled("anchors-8", [0.56, 0.6, anchored])
    for r, cross in ((naive, 0.48), (anchors, 0.66)):
        r["points"][-1]["alignment"]["layers"]["3"]["cross_lingual"] = cross
    text = findings.pooling_section({"models": {}, "width": [naive, mono, anchors]})
    assert "`anchors-8` (2 atomic languages, 8 anchor squares)" in text
    assert "With 8 anchor squares `anchors-8`'s 2 languages read each other's boards better than `naive-2`'s " \
           "(cross-lingual 66.0% against 48.0%), " + said in text
    unified = _pooled("unified-2", [0.56, 0.6, anchored])   # two atomic languages, one output: compared alike
    unified["points"][-1]["alignment"]["layers"]["3"]["cross_lingual"] = 0.47
    text = findings.pooling_section({"models": {}, "width": [naive, mono, unified]})
    assert "`unified-2` (2 atomic languages, unified output)" in text
    assert "With a unified output `unified-2`'s 2 languages read each other's boards no better than `naive-2`'s " \
           "(cross-lingual 47.0% against 48.0%), " + said.split(":")[0].rstrip(".") in text
    assert "is a harder task" not in text and "write a move with more than one token" not in text


def test_a_run_past_the_target_is_said_to_be_past_it_and_a_run_without_a_pace_is_left_out():
    from mothello.findings.trials.objective import _to_target
    from mothello.findings.trials.tables import _trial_frame

    sampled = _longer(_run(192, [0.63, 0.68, 0.68], [2.6, 13, 26]))      # no gain over its last snapshots
    exact = {**_longer(_run(192, [0.80, 0.88, 0.91], [4, 20, 40])), "objective": "legal-set"}
    from mothello.findings.numbers import run_objective

    frame = lambda runs: _trial_frame(runs, run_objective, "objective")  # noqa: E731
    said = _to_target([sampled, exact], frame([sampled, exact]))
    assert "the legal-set run is at 91.0%, past it." in said and "next-token run" not in said
    twin = [sampled, {**sampled, "objective": "legal-set"}]
    assert _to_target(twin, frame(twin)) == ""


@given(st.floats(1e-6, 1.0))
def test_a_run_at_another_peak_rate_is_another_run_with_its_cosine_to_a_tenth(lr):
    """The learning-rate trial: --lr changes the peak rate and the cosine's end (a tenth of it, as the suite's)
    and nothing else of the recipe, and such a run has a folder and a record of its own."""
    plain = width_trial.recipe("3x192", 5000, objective="legal-set")
    fast = width_trial.recipe("3x192", 5000, objective="legal-set", **width_trial.lr_rates(lr))
    assert fast.lr == lr and fast.min_lr == pytest.approx(lr / 10)
    assert {**plain.to_dict(), "lr": None, "min_lr": None} == {**fast.to_dict(), "lr": None, "min_lr": None}
    name = width_trial.run_dir("unified-mixed", "3x192", "legal-set", lr=lr).name
    if lr == suite.SUITE_TRAINING["lr"]:
        assert name == "scratch-unified-mixed-3x192-legal-set"
    else:
        assert name == f"scratch-unified-mixed-3x192-legal-set-lr-{lr:g}"
    trial = {"experiment": "unified-mixed", "n_layer": 3, "d_model": 192, "objective": "legal-set", "steps": 5000,
             "lr": suite.SUITE_TRAINING["lr"]}
    assert (width_trial._key({**trial, "lr": lr}) == width_trial._key(trial)) == (lr == suite.SUITE_TRAINING["lr"])


@pytest.mark.parametrize("lr", [0.0, -1e-3, float("nan")])
def test_a_rate_that_is_not_positive_is_refused_in_one_line(lr):
    with pytest.raises(ValueError, match="--lr must be positive") as e:
        width_trial.lr_rates(lr)
    assert "\n" not in str(e.value)
    assert width_trial.lr_rates(None) == width_trial.lr_rates(suite.SUITE_TRAINING["lr"]) == {}


def _at_rate(lr, colours, legal=0.9, objective="legal-set"):
    """A recorded run of unified-mixed from scratch at peak rate `lr` (cosine to a tenth), the trial's recipe."""
    return {**_run(192, colours, [4, 20, 40], legal), "objective": objective, **width_trial.lr_rates(lr)}


@pytest.mark.parametrize("fast, said", [
    ([0.68, 0.74, 0.80], "At lr 0.003, after 320,000 games the model reads the colour 4.0 points better than at the "
                         "suite's rate (80.0% against 76.0%; along the runs +2.0 points, +2.0 points, +4.0 points), "
                         "its legal moves in the worst language at 88.0% against 90.0%; at the suite rate's own pace "
                         "over its last snapshots (4.0 points per doubling of the games) the lead is worth 2.0x the "
                         "games."),
    ([0.66, 0.72, 0.765], "At lr 0.003, after 320,000 games the model reads the colour as it does at the suite's "
                          "rate (+0.5 points; along the runs +0.0 points, +0.0 points, +0.5 points)")])
def test_the_lr_section_reads_each_rate_against_the_suites_after_as_many_games(fast, said):
    base = _at_rate(1.5e-3, [0.66, 0.72, 0.76])
    quick = _at_rate(3e-3, fast, legal=0.88)
    sampled = _run(192, [0.62, 0.66, 0.68], [2.6, 13, 26])
    numbers = {"models": {}, "width": [sampled, base, quick]}
    runs = lr_runs(numbers)
    assert [r["lr"] for r in runs] == [1.5e-3, 3e-3]
    text = findings.lr_section(numbers)
    assert text.startswith("## Is it the learning rate?")
    assert "with `legal-set` (the objective trial's faster objective) at peak lr 0.0015 and 0.003" in text
    assert "warm-up 500, each rate's cosine to a tenth of it, bfloat16 (the suite's first stage, cut short, but " \
           "for the rates)" in text
    row = f"| 5,000 | 320,000 | 90.0% | 76.0% (layer 3) | 88.0% | {100 * fast[-1]:.1f}% (layer 3) |"
    assert row in text
    assert said in text
    assert ("teaches the colour faster than the suite's rate" in text) == (fast[-1] - 0.76 > 0.01)
    assert ("is not what holds the colour back" in text) == (fast[-1] - 0.76 <= 0.01)
    assert ("From lr 0.0015 to 0.003 (2x) the colour after 320,000 games stays within 0.5 points of the suite's "
            "rate's." in text) == (fast[-1] - 0.76 <= 0.01)
    assert "All are below the 90% target after 320,000 games." in text
    # the other trials keep to their runs: the objective pair stays the suite rate's, the width trial its shapes
    assert list(findings.objective_by_games(numbers)["objective"].unique()) == ["next-token", "legal-set"]
    assert "| 5,000 | 320,000 | 90.0% | 68.0% (layer 3) | 90.0% | 76.0% (layer 3) | +8.0 points |" in \
        findings.objective_section(numbers)
    assert "python scripts/width_trial.py --model unified-mixed --shapes 3x192 --objective legal-set --lr 0.003   " \
           "# the learning-rate trial" in reproduce(numbers)
    df = findings.lr_by_games(numbers)
    assert list(df["rate"].unique()) == ["lr 0.0015", "lr 0.003"]
    made = lr_trial_chart(df, placer=0.627).to_dict()
    assert [p["title"] for p in made["hconcat"]] == ["after as many games", "legal moves, after as many games"]
    assert [p["layer"][0]["encoding"]["y"]["field"] for p in made["hconcat"]] == ["colour", "legal_min"]
    assert [len(p["layer"]) for p in made["hconcat"]] == [3, 1]   # the placer rule on the colour only
    assert made["title"]["text"].startswith("The learning-rate trial")
    scale = made["hconcat"][0]["layer"][0]["encoding"]["color"]["scale"]
    assert scale == {"domain": ["lr 0.0015", "lr 0.003"], "range": ["#7fcdbb", "#0c2c84"]}  # light to dark by rate


@pytest.mark.parametrize("best", [0.899, 0.9, 0.93])
def test_a_trial_says_all_are_below_the_target_only_while_its_best_run_is(best):
    """The closing sentence follows the suite's colour target (findings.COLOUR_TARGET): a run that reaches it
    ends it, whichever run that is."""
    base, other = _at_rate(1.5e-3, [0.66, 0.72, 0.76]), _at_rate(3e-3, [0.70, 0.80, best])
    text = findings.lr_section({"models": {}, "width": [base, other]})
    assert text.startswith("## Is it the learning rate?") and findings.TARGET == "90%"
    assert ("All are below the 90% target after 320,000 games." in text) == (best < findings.COLOUR_TARGET)


def test_no_lr_section_without_a_run_at_the_suites_rate_beside_another():
    base, quick = _at_rate(1.5e-3, [0.66, 0.72, 0.76]), _at_rate(3e-3, [0.68, 0.74, 0.80])
    assert findings.lr_section({"models": {}, "width": [base]}) == ""
    assert findings.lr_section({"models": {}, "width": [quick]}) == ""       # nothing at the suite's rate
    other = _at_rate(1.5e-3, [0.66, 0.72, 0.76], objective="next-token")  # another objective: no comparison
    assert findings.lr_section({"models": {}, "width": [other, quick]}) == ""
    assert findings.lr_by_games({"models": {}, "width": [other, quick]}).empty


@given(st.integers(1, 4096))
def test_a_run_at_another_batch_is_another_run_at_the_suites_rates(batch):
    """The batch trial: --batch changes the batch and nothing else of the recipe (the rates and warm-up stay the
    suite's, in steps), and such a run has a folder and a record of its own."""
    plain = width_trial.recipe("2x192", 24_000, objective="legal-set")
    other = width_trial.recipe("2x192", 24_000, objective="legal-set", **width_trial.batch_size(batch))
    assert other.batch_size == batch
    assert {**plain.to_dict(), "batch_size": None} == {**other.to_dict(), "batch_size": None}
    name = width_trial.run_dir("unified-mixed", "2x192", "legal-set", 24_000, batch=batch).name
    suite_batch = batch == suite.SUITE_TRAINING["batch_size"]
    assert name == "scratch-unified-mixed-2x192-legal-set-24000-steps" + ("" if suite_batch else f"-batch-{batch}")
    trial = {"experiment": "unified-mixed", "n_layer": 2, "d_model": 192, "objective": "legal-set", "steps": 24_000,
             "lr": suite.SUITE_TRAINING["lr"], "batch_size": suite.SUITE_TRAINING["batch_size"]}
    assert (width_trial._key({**trial, "batch_size": batch}) == width_trial._key(trial)) == suite_batch


def test_a_batch_under_one_or_with_another_recipe_is_refused_in_one_line(capsys):
    with pytest.raises(ValueError, match="--batch must be at least 1") as e:
        width_trial.batch_size(0)
    assert "\n" not in str(e.value)
    assert width_trial.batch_size(None) == width_trial.batch_size(suite.SUITE_TRAINING["batch_size"]) == {}
    for argv in (["--batch", "0"], ["--batch", "32", "--continue"], ["--batch", "32", "--carry-on", "100"]):
        with pytest.raises(SystemExit) as stop:
            width_trial.main(argv)
        assert stop.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()[-1]
        assert "--batch" in err


def _at_batch(batch, colours, legal=0.9, dtype="bfloat16", last=None):
    """A recorded run of unified-mixed from scratch at 2 x 192 on legal-set over 1,536,000 games at `batch`, its
    snapshots at 76,800, 384,000 and 1,536,000 games (or up to `last` steps: stopped there)."""
    steps = 1_536_000 // batch
    run = {**_run(192, colours, [4, 20, 40], legal), "objective": "legal-set", "n_layer": 2, "steps": steps,
           "batch_size": batch, "dtype": dtype, "started": "2026-12-05T10:00:00+00:00",
           "measured": {"steps_per_s": 320.0 / batch}}
    points = [{**p, "step": g // batch} for p, g in zip(run["points"], (76_800, 384_000, 1_536_000))]
    return {**run, "points": [p for p in points if last is None or p["step"] <= last]}


@pytest.mark.parametrize("small, said", [
    ([0.62, 0.72, 0.80], "At batch 32 (2x the optimizer steps for each game), after 1.5 million games the model reads "
                         "the colour 4.0 points better than at batch 64 (80.0% against 76.0%; along the runs +2.0 points, "
                         "+2.0 points, +4.0 points), its legal moves in the worst language at 88.0% against 90.0%; at "
                         "batch 64's own pace over its last snapshots (3.0 points per doubling of the games) the lead is "
                         "worth 2.5x the games."),   # 70% to 76% over two doublings
    ([0.60, 0.70, 0.765], "At batch 32 (2x the optimizer steps for each game), after 1.5 million games the model reads "
                          "the colour as it does at batch 64 (+0.5 points; along the runs +0.0 points, +0.0 points, "
                          "+0.5 points)")])
def test_the_batch_section_reads_each_batch_against_the_suites_after_as_many_games(small, said):
    from mothello.ui.charts import batch_trial_chart

    base = _at_batch(64, [0.60, 0.70, 0.76])
    more_steps = _at_batch(32, small, legal=0.88)
    other_games = {**_at_batch(32, small), "steps": 24_000}   # as many steps, half the games: not the trial's
    numbers = {"models": {}, "width": [_run(192, [0.62, 0.66, 0.68], [2.6, 13, 26]), base, more_steps, other_games]}
    assert [r["batch_size"] for r in findings.batch_runs(numbers)] == [64, 32]
    text = findings.batch_section(numbers)
    assert text.startswith("## Is it the batch?")
    assert ("at 2 x 192 with `legal-set` at batch 64 and 32, each over 1.5 million games (24,000 steps and 48,000 "
            "steps), at the same peak lr 0.0015, warm-up 500, cosine to 0.00015") in text
    assert (f"| 384,000 | 6,000 | 90.0% | 70.0% (layer 3) | 12,000 | 88.0% | {100 * small[1]:.1f}% (layer 3) | "
            f"{findings.pts(small[1] - 0.70)} |") in text
    assert said in text
    # the same machine and number format: their speeds compare, per game (320 games/s each here)
    assert "Per game it trains about as long on this machine (320 games/s against 320, each measured alone)." in text
    assert "All are below the 90% target after 1.5 million games." in text
    assert "python scripts/width_trial.py --model unified-mixed --shapes 2x192 --steps 48000 --objective legal-set " \
           "--batch 32   # the batch trial, here" in reproduce(numbers)
    assert "--steps 24000 --objective legal-set   # the batch trial's run at the suite's batch, here" in reproduce(numbers)
    # the other trials keep to their runs
    assert findings.lr_section(numbers) == "" and "2 x 192" not in findings.width_section(numbers)
    df = findings.batch_by_games(numbers)
    assert list(df["batch"].unique()) == ["batch 64", "batch 32"]
    made = batch_trial_chart(df, placer=0.627).to_dict()
    assert made["title"]["text"].startswith("The batch trial")
    assert [p["title"] for p in made["hconcat"]] == ["after as many games", "legal moves, after as many games"]
    scale = made["hconcat"][0]["layer"][0]["encoding"]["color"]["scale"]
    assert scale == {"domain": ["batch 64", "batch 32"], "range": ["#fcbba1", "#67000d"]}


def test_the_batch_section_says_where_a_run_stopped_and_what_the_runs_do_not_separate():
    base = _at_batch(64, [0.60, 0.70, 0.76])
    stopped = _at_batch(32, [0.62, 0.73, 0.80], dtype="float32", last=12_000)
    numbers = {"models": {}, "width": [base, stopped]}
    text = findings.batch_section(numbers)
    assert "batch 64: CPU, 2 threads, bfloat16, PyTorch 2.13.0, 2026-12-05; batch 32: CPU, 2 threads, float32, " \
           "PyTorch 2.13.0, 2026-12-05 (stopped at 12,000 of its 48,000 steps)." in text
    assert "| 1,536,000 |" not in text and "| 384,000 | 6,000 |" in text   # only the games both reached
    assert "after 384,000 games the model reads the colour 3.0 points better than at batch 64 (73.0% against 70.0%" in text
    assert "this trial does not separate the batch from that difference, and their speeds do not compare." in text
    assert "Per game it trains" not in text
    assert "All are below the 90% target after 384,000 games." in text
    assert "is not what holds the colour back" not in text   # 3 points apart
    # alike after as many games: said, and beside GPU depth trials at a far larger batch, what this cannot tell
    alike = _at_batch(32, [0.62, 0.70, 0.80], dtype="float32", last=12_000)
    numbers = {"models": {}, "width": [base, alike]}
    assert "From batch 32 to 64 the colour after as many games stays within 1 point: at this scale the number of " \
           "optimizer steps for each game is not what holds the colour back." in findings.batch_section(numbers)
    assert "The depth trials on the GPU" not in findings.batch_section(numbers)
    shipped = {**_shipped_with_ends(), "n_layer": 3, "d_model": 192, "params": 1.5e6}
    from mothello.findings.pace import colour_at_games

    numbers = {"models": {"unified": shipped}, "width": [base, alike],
               "depth": [_scratch_depth_trial(6, 4_000, colour_at_games(shipped, 4_000 * 1024))]}
    assert "The depth trials on the GPU trained at batch 1,024, 16x the largest here: whether that batch held their " \
           "depth back, this trial does not tell." in findings.batch_section(numbers)


def test_no_batch_section_without_a_run_at_the_suites_batch_beside_another():
    base, small = _at_batch(64, [0.60, 0.70, 0.76]), _at_batch(32, [0.62, 0.72, 0.80])
    for runs in ([base], [small], [{**base, "objective": "next-token"}, small], [{**base, "lr": 3e-3}, small]):
        numbers = {"models": {}, "width": runs}
        assert findings.batch_runs(numbers) == [] and findings.batch_section(numbers) == ""
        assert findings.batch_by_games(numbers).empty and "the batch trial" not in reproduce(numbers)



@given(st.floats(0.0, 10.0))
def test_a_run_at_another_weight_decay_is_another_run_with_the_rest_of_the_recipe(wd):
    """The weight-decay trial: --weight-decay changes AdamW's weight decay and nothing else of the recipe, and
    such a run has a folder and a record of its own; a record without one trained at the suite's."""
    plain = width_trial.recipe("3x192", 5000, objective="legal-set")
    other = width_trial.recipe("3x192", 5000, objective="legal-set", **width_trial.decay(wd))
    assert other.weight_decay == wd
    assert {**plain.to_dict(), "weight_decay": None} == {**other.to_dict(), "weight_decay": None}
    suite_decay = wd == TrainConfig.weight_decay
    name = width_trial.run_dir("unified-mixed", "3x192", "legal-set", weight_decay=wd).name
    assert name == "scratch-unified-mixed-3x192-legal-set" + ("" if suite_decay else f"-wd-{wd:g}")
    trial = {"experiment": "unified-mixed", "n_layer": 3, "d_model": 192, "objective": "legal-set", "steps": 5000,
             "lr": suite.SUITE_TRAINING["lr"], "batch_size": suite.SUITE_TRAINING["batch_size"]}
    assert (width_trial._key({**trial, "weight_decay": wd}) == width_trial._key(trial)) == suite_decay


def test_a_negative_weight_decay_or_one_with_another_recipe_is_refused_in_one_line(capsys):
    for wd in (-0.1, float("nan")):
        with pytest.raises(ValueError, match="--weight-decay must be 0 or more") as e:
            width_trial.decay(wd)
        assert "\n" not in str(e.value)
    assert width_trial.decay(None) == width_trial.decay(TrainConfig.weight_decay) == {}
    for argv in (["--weight-decay", "-1"], ["--weight-decay", "0", "--continue"],
                 ["--weight-decay", "0", "--carry-on", "100"]):
        with pytest.raises(SystemExit) as stop:
            width_trial.main(argv)
        assert stop.value.code == 2
        assert "--weight-decay" in capsys.readouterr().err.strip().splitlines()[-1]


def _at_decay(wd, colours, legal=0.9, device="CPU"):
    """A recorded run of unified-mixed from scratch at 3 x 192 on legal-set at AdamW weight decay `wd`."""
    return {**_run(192, colours, [4, 20, 40], legal), "objective": "legal-set", "device": device,
            **({"weight_decay": wd} if wd is not None else {})}


@pytest.mark.parametrize("none, said", [
    ([0.67, 0.73, 0.79], "At weight decay 0, after 320,000 games the model reads the colour 3.0 points better than "
                         "at the suite's weight decay (79.0% against 76.0%; along the runs +1.0 points, +1.0 points, "
                         "+3.0 points), its legal moves in the worst language at 88.0% against 90.0%; at the suite "
                         "decay's own pace over its last snapshots (4.0 points per doubling of the games) the lead is "
                         "worth 1.7x the games."),
    ([0.66, 0.72, 0.755], "At weight decay 0, after 320,000 games the model reads the colour as it does at the "
                          "suite's weight decay (-0.5 points; along the runs +0.0 points, +0.0 points, -0.5 points)")])
def test_the_decay_section_reads_each_weight_decay_against_the_suites_after_as_many_games(none, said):
    base = _at_decay(None, [0.66, 0.72, 0.76])   # recorded before records said their weight decay: the suite's
    zero = _at_decay(0.0, none, legal=0.88, device="CPU (AMD EPYC)")
    strong = _at_decay(1.0, [0.64, 0.70, 0.75], device="CPU (AMD EPYC)")
    sampled = _run(192, [0.62, 0.66, 0.68], [2.6, 13, 26])
    rate = _at_rate(3e-3, [0.68, 0.74, 0.80])
    numbers = {"models": {}, "width": [sampled, base, strong, zero, rate]}
    assert findings.decay_runs(numbers) == [zero, base, strong]   # lowest first
    text = findings.decay_section(numbers)
    assert text.startswith("## Is it the weight decay?")
    assert "The trials above train with the suite's AdamW weight decay, 0.1 (on the weight matrices and embeddings" \
        in text
    assert "with `legal-set` at weight decay 0, 0.1 and 1, one recipe but for the weight decay" in text
    assert "Where each trained: weight decay 0: CPU (AMD EPYC), 2 threads, bfloat16, PyTorch 2.13.0, 2026-12-05; " \
           "weight decay 0.1: CPU, 2 threads, bfloat16" in text
    kept = [findings.kept_by_decay(r) for r in (base, strong)]
    assert findings.kept_by_decay(zero) == 1.0 and 0 < kept[1] < kept[0] < 1
    assert f"would leave {100 * kept[0]:.1f}% of a weight at 0.1, {100 * kept[1]:.1f}% of a weight at 1." in text
    assert f"| 5,000 | 320,000 | 88.0% | {100 * none[-1]:.1f}% (layer 3) | 90.0% | 76.0% (layer 3) | 90.0% | " \
           "75.0% (layer 3) |" in text
    assert said in text
    assert ("teaches the colour faster than the suite's" in text) == (none[-1] - 0.76 > 0.01)
    assert ("the suite's weight decay is not what holds the colour back" in text) == (none[-1] - 0.76 <= 0.01)
    assert "All are below the 90% target after 320,000 games." in text
    # the other trials keep to the suite's weight decay: the lr trial's runs, the objective pair
    assert lr_runs(numbers) == [base, rate]
    assert list(findings.objective_by_games(numbers)["objective"].unique()) == ["next-token", "legal-set"]
    commands = reproduce(numbers)
    assert "--objective legal-set --weight-decay 0   # the weight-decay trial, here" in commands
    assert "--weight-decay 1   # the weight-decay trial, here" in commands and "--weight-decay 0.1" not in commands
    df = findings.decay_by_games(numbers)
    assert list(df["decay"].unique()) == ["weight decay 0", "weight decay 0.1", "weight decay 1"]
    made = decay_trial_chart(df, placer=0.627).to_dict()
    assert made["title"]["text"].startswith("The weight-decay trial")
    assert [p["layer"][0]["encoding"]["y"]["field"] for p in made["hconcat"]] == ["colour", "legal_min"]
    scale = made["hconcat"][0]["layer"][0]["encoding"]["color"]["scale"]
    assert scale["domain"] == list(df["decay"].unique()) and scale["range"][0] == "#bcbddc"  # light: the least


def test_kept_by_decay_is_the_product_of_the_shrinks_over_the_schedule():
    flat = {"steps": 100, "batch_size": 64, "lr": 1e-2, "min_lr": 1e-2, "warmup_steps": 0, "weight_decay": 0.5}
    assert findings.kept_by_decay(flat) == pytest.approx((1 - 1e-2 * 0.5) ** 100)
    assert findings.kept_by_decay({**flat, "weight_decay": 0.0}) == 1.0


def test_no_decay_section_without_a_run_at_the_suites_weight_decay_beside_another():
    base, zero = _at_decay(0.1, [0.66, 0.72, 0.76]), _at_decay(0.0, [0.67, 0.73, 0.79])
    for runs in ([base], [zero], [{**base, "objective": "next-token"}, zero], [{**base, "lr": 3e-3}, zero]):
        numbers = {"models": {}, "width": runs}
        assert findings.decay_runs(numbers) == [] and findings.decay_section(numbers) == ""
        assert findings.decay_by_games(numbers).empty and "the weight-decay trial" not in reproduce(numbers)
        # a run at another weight decay is no other trial's run
        assert all(zero not in f(numbers) for f in (lr_runs, findings.batch_runs, findings.ladder_runs))

def _panel_title_heights(chart) -> dict:
    """Each panel title's height on the rendered chart (house style, as the report exports it): {title: y}."""
    import vl_convert as vlc

    from mothello.ui.charts import finish

    found = {}

    def walk(node, x=0.0, y=0.0):
        for item in node.get("items", []) if isinstance(node, dict) else []:
            ix, iy = x + item.get("x", 0), y + item.get("y", 0)
            if node.get("role") == "title-text" and "text" in item:
                found[item["text"]] = iy
            walk(item, ix, iy)

    walk(vlc.vegalite_to_scenegraph(finish(chart).to_json())["scenegraph"])
    return found


def test_a_colour_panel_beside_a_legal_moves_panel_has_its_title_level_with_the_others():
    """The colour's long axis title must not lift its panel's title above the legal-moves panel's (it did at
    260 px, the other trials' height, in the house font)."""
    base, quick = _at_rate(1.5e-3, [0.66, 0.72, 0.76]), _at_rate(3e-3, [0.68, 0.74, 0.80], legal=0.88)
    rates = findings.lr_by_games({"models": {}, "width": [base, quick]})
    trained = findings.trained_on_by_games({"models": {}, "width": [_continued("next-token", [0.80, 0.81, 0.81]),
                                                                    _continued("legal-set", [0.81, 0.82, 0.83])]})
    for chart, panels in ((lr_trial_chart(rates, placer=0.627), ("after as many games", "legal moves, after as many games")),
                          (trained_on_chart(trained), ("the colour of the discs", "legal moves"))):
        at = _panel_title_heights(chart)
        assert at[panels[0]] == pytest.approx(at[panels[1]], abs=1.5), at   # a pixel is not seen
    squat = _panel_title_heights(lr_trial_chart(rates, height=200))   # the check can fail: too short a plot
    assert abs(squat["after as many games"] - squat["legal moves, after as many games"]) > 5


def _shipped_with_ends(ends=((24_000, 0.732, 0.895), (78_000, 0.791, 0.96), (85_000, 0.817, 0.973)), cross=0.834):
    """A shipped unified-mixed as the report's numbers hold it (batch 64 to 24,000, then 1,024 on a GPU): its analysed
    stage ends (step, colour, worst language's legal moves) and its last step, probes at layer 3."""
    stages = [{"from": 0, "to": 24_000, "batch_size": 64},
              {"from": 24_000, "to": 85_000, "batch_size": 1024, "device": "cuda", "started": "2026-11-01T10:00:00+00:00",
               "finished": "2026-11-01T11:00:00+00:00"}]   # 62,464,000 games in an hour on a GPU
    at = {st: {"step": st, "colour_in_language": c, "legal_min": legal, "in_language": 0.85, "cross_lingual": cross}
          for st, c, legal in ends}
    last = at.pop(ends[-1][0])
    return {**last, "name": "unified-mixed", "layer": 3, "trained": {"stages": stages}, "stage_ends": at}


def _objective_runs():
    """The objective trial (5,000 steps) and its pair carried on (12,000 steps), as recorded."""
    return [_run(192, [0.62, 0.66, 0.68], [2.6, 13, 26]), {**_run(192, [0.66, 0.72, 0.78], [4, 20, 40]), "objective": "legal-set"},
            _longer(_run(192, [0.63, 0.68, 0.70], [2.6, 13, 26])),
            {**_longer(_run(192, [0.70, 0.76, 0.775], [4, 20, 40])), "objective": "legal-set"}]


@pytest.mark.parametrize("colours, said", [
    ([0.70, 0.78, 0.82], "That is better than the shipped model reads it after all its 64.0 million games (81.7%): "
                         "the exact target was worth more than 41.7x the games here."),
    ([0.70, 0.74, 0.76], "It reads the colour as well only after about 8.5 million games: the exact target was worth "
                         "5.5x the games here.")])
def test_the_exact_target_carried_further_stands_beside_the_shipped_model_after_as_many_games(colours, said):
    """A longer legal-set run of the objective trial's model and shape, without a next-token run of its length, is
    the exact target carried further: its own section beside the shipped next-token model after as many games
    (at its stage ends, or between two against log games), its pace to 90% in games and hours; the other
    trials keep to their runs."""
    further = {**_longer(_run(192, colours, [4, 20, 40]), steps=24_000), "objective": "legal-set"}
    numbers = {"models": {"unified": _shipped_with_ends()}, "width": [*_objective_runs(), further]}
    assert further_runs(numbers) == [further]
    assert list(findings.objective_by_games(numbers)["run_steps"].unique()) == [5000, 12_000]  # no third pair
    assert lr_runs(numbers) == [] and findings.pooling_section(numbers) == ""
    text = findings.further_section(numbers)
    assert text.startswith("## The exact target carried further\n")
    assert "The objective trial carried on ended after 768,000 games." in text
    assert "with `legal-set` again, over 24,000 steps (1.5 million games)" in text
    # by games: the longer run's snapshots; the shorter runs where they have a snapshot; the shipped model where
    # its stage ends reach (1,536,000: its first)
    assert f"| 1,536,000 | 90.0% | {100 * colours[-1]:.1f}% (layer 3) |  |  | 73.2% |" in text
    assert f"| 768,000 | 90.0% | {100 * colours[1]:.1f}% (layer 3) | 77.5% (layer 3) | 70.0% (layer 3) |  |" in text
    assert f"| 153,600 | 90.0% | {100 * colours[0]:.1f}% (layer 3) |  |  |  |" in text
    assert (f"the shipped model, trained next-token, reads the colour at 73.2% after as many games: "
            f"{findings.pts(colours[-1] - 0.732)}.").lower() in text.lower()
    assert said in text
    per, before = colours[2] - colours[1], (colours[1] - colours[0]) / np.log2(5)
    more = (0.9 - colours[2]) / per
    hours = 1_536_000 * 2 ** more / 64 / (5000 / 2400) / 3600
    assert (f"Over its last doubling of the games (768,000 to 1,536,000) it gained {100 * per:.1f} points per doubling "
            f"(from 153,600 to 768,000: {100 * before:.1f}); at that pace it would read the colour at 90% after about "
            f"{findings.millions(1_536_000 * 2 ** more)} in all ({more:.1f} more doublings), some {hours:.0f} hours "
            f"of training at its measured speed here (2.08 steps/s at batch 64), or about "
            f"{1_536_000 * 2 ** more / 62_464_000:.1f} GPU-hours at the 17,351 games/s the shipped model's GPU stage "
            "trained at (next-token, sharing the GPU).") in text
    found = re.search(r"The shipped model's own pace \(\d+\.\d points per doubling, over its stage ends\) gives 90% "
                      r"after about (\d+\.\d) (million|billion) games: at these paces the exact target gets there on "
                      r"(\d+\.\d)x fewer games\.", text)
    shipped = float(found[1]) * (1e6 if found[2] == "million" else 1e9)
    assert float(found[3]) == pytest.approx(shipped / (1_536_000 * 2 ** more), rel=0.05)
    assert ("Across its languages after 1.5 million games: the cross-lingual probe reads 78.0% against 80.0% "
            "in-language, 2.0 points apart; the shipped model's after as many games 83.4% against 85.0%, 1.6 points "
            "apart: the exact target keeps the languages as aligned (within a point).") in text
    assert f"Below the 90% target after 1.5 million games: {100 * (0.9 - colours[-1]):.1f} points short." in text
    assert "python scripts/width_trial.py --model unified-mixed --shapes 3x192 --steps 24000 --objective legal-set   " \
           "# the exact target carried further, here" in reproduce(numbers)
    df = findings.further_by_games(numbers)
    assert list(df["run"].unique()) == ["next-token, 12,000 steps", "legal-set, 12,000 steps", "legal-set, 24,000 steps",
                                        "shipped (next-token)"]
    assert df[df["run"] == "shipped (next-token)"]["games"].tolist() == [1_536_000, 56_832_000, 64_000_000]
    made = further_chart(df, placer=0.627).to_dict()
    assert [p["title"] for p in made["hconcat"]] == ["after as many games", "legal moves, after as many games"]
    scale = made["hconcat"][0]["layer"][0]["encoding"]["color"]["scale"]
    assert df.drop_duplicates("run")["part"].tolist() == ["pair", "pair", "further", "shipped"]
    # the carried-on pair in its colours of the objective trial's figure, the longer run vivid, the shipped grey
    assert scale == {"domain": list(df["run"].unique()), "range": ["#08519c", "#a63603", "#e6550d", "#525252"]}
    pair_colours = json.loads(objective_trial_chart(findings.objective_by_games(numbers)).to_json())[
        "hconcat"][0]["layer"][0]["encoding"]["color"]["scale"]
    assert dict(zip(pair_colours["domain"], pair_colours["range"]))["legal-set, 12,000 steps"] == "#a63603"
    assert dict(zip(pair_colours["domain"], pair_colours["range"]))["next-token, 12,000 steps"] == "#08519c"


def _stage(run, colours, steps=24_000, legal=0.92):
    """A later stage of the recorded run `run` (width_trial --carry-on): `steps` more steps from its end, the
    suite's warm restart, snapshots at a quarter, half and all of the stage, times counted from its start."""
    start, end = run["steps"], run["steps"] + steps
    layers = lambda c: {"best_layer": 3, "layers": {"3": {"colour_in_language": c, "in_language": 0.8,  # noqa: E731
                                                          "cross_lingual": 0.78}}}
    at = [start + steps // 4, start + steps // 2, end]
    return {**run, "from_step": start, "from_run": "scratch-unified-mixed-3x192-legal-set-24000-steps",
            "init_optimizer": True, "steps": end, "lr": 1e-3, "min_lr": 1e-4, "warmup_steps": 200,
            "measured": {"steps_per_s": 4.0},
            "points": [{"step": st_, "legal_move_accuracy": {"a": legal, "b": legal + 0.01}, "alignment": layers(c),
                        "train_s": (st_ - start) / 4.0} for st_, c in zip(at, colours)]}


def test_the_exact_target_carried_on_past_its_schedule_goes_on_in_its_section():
    """A later stage of the longer legal-set run (--carry-on) continues its rows, figure line and pace: the pace is
    read over the last doubling (the stage), the warm restart's cost is said, the shipped model stands beside it
    on the line between its stage ends (colour and alignment), and it is neither a run from scratch nor the
    shipped model trained on."""
    further = {**_longer(_run(192, [0.70, 0.74, 0.76], [4, 20, 40]), steps=24_000), "objective": "legal-set"}
    stage = _stage(further, [0.75, 0.77, 0.80])
    numbers = {"models": {"unified": _shipped_with_ends()}, "width": [*_objective_runs(), further, stage]}
    assert further_runs(numbers) == [further] and findings.carried_stages(numbers, further) == [stage]
    assert findings.trained_on_section(numbers) == "" and findings.trained_on_by_games(numbers).empty
    text = findings.further_section(numbers)
    assert ("Then it trained on from its end, past the end of its schedule (`--carry-on`): 24,000 more steps (1.5 "
            "million games, to step 48,000), a later stage as the shipped models' are: a warm restart of the learning "
            "rate (warm-up 200 steps to 0.001, cosine to 0.0001 over the stage), at batch 64, its AdamW moments "
            "carried over, on the next games of its stream.") in text
    assert ("| legal-set, 24,000 steps: colour in-language | legal-set, 24,000 + 24,000 steps: legal moves, worst "
            "language | legal-set, 24,000 + 24,000 steps: colour in-language | legal-set, 12,000 steps: colour") in text
    assert "| 1,536,000 | 90.0% | 76.0% (layer 3) |  |  |  |  | 73.2% |" in text   # the stage starts here: no row of its own
    # the shipped model's first two stage ends: 1,536,000 games, then 54,000 steps at batch 1,024 more
    shipped = 0.732 + (0.791 - 0.732) * np.log2(3_072_000 / 1_536_000) / np.log2(56_832_000 / 1_536_000)
    assert f"| 3,072,000 |  |  | 92.0% | 80.0% (layer 3) |  |  | {100 * shipped:.1f}% |" in text
    assert "| 1,920,000 |  |  | 92.0% | 75.0% (layer 3) |  |  |" in text
    assert ("The stage from step 24,000 to 48,000: 384,000 games after its warm restart the colour read 75.0% (-1.0 "
            "points on its start), the legal moves in the worst language 92.0% (+2.0 points); at its end 80.0% (+4.0 "
            "points over the stage) and 92.0%.") in text
    assert "After 3.1 million games the legal-set run reads the colour at 80.0% (layer 3)" in text
    more = (0.9 - 0.80) / 0.04
    assert (f"Over its last doubling of the games (1,536,000 to 3,072,000) it gained 4.0 points per doubling (from "
            f"768,000 to 1,536,000: 2.0); at that pace it would read the colour at 90% after about "
            f"{findings.millions(3_072_000 * 2 ** more)} in all ({more:.1f} more doublings), some "
            f"{3_072_000 * 2 ** more / 64 / 4.0 / 3600:.0f} hours of training at its measured speed here (4.00 steps/s "
            "at batch 64)") in text
    assert ("the cross-lingual probe reads 78.0% against 80.0% in-language, 2.0 points apart; the shipped model's after "
            "as many games (on the line between its stage ends) 83.4% against 85.0%, 1.6 points apart") in text
    assert "Below the 90% target after 3.1 million games: 10.0 points short." in text
    assert "--steps 24000 --objective legal-set --carry-on 24000   # the exact target carried further, then on past " \
           "its schedule's end, here" in reproduce(numbers)
    assert "--continue" not in reproduce(numbers)
    df = findings.further_by_games(numbers)
    assert df.drop_duplicates("run")["part"].tolist() == ["pair", "pair", "further", "carried", "shipped"]
    line = df[df["run"] == "legal-set, 24,000 + 24,000 steps"]   # from where the run ended, on through the stage
    assert line["games"].tolist() == [1_536_000, 1_920_000, 2_304_000, 3_072_000]
    assert line["colour"].tolist() == [0.76, 0.75, 0.77, 0.80]
    t0 = 40 * 24_000 / 5000   # the run's minutes at its end (_longer), then the stage's own after them
    assert line["minutes"].tolist() == pytest.approx([t0, t0 + 6000 / 4 / 60, t0 + 12000 / 4 / 60, t0 + 24000 / 4 / 60])
    scale = further_chart(df, placer=0.627).to_dict()["hconcat"][0]["layer"][0]["encoding"]["color"]["scale"]
    assert scale["range"] == ["#08519c", "#a63603", "#e6550d", "#fd8d3c", "#525252"]
    # a second stage goes on from the first's end; a stage of another run is not this run's
    second = _stage(stage, [0.81, 0.82, 0.83])
    stray = {**_stage(further, [0.5, 0.5, 0.5]), "batch_size": 128}
    assert findings.carried_stages({**numbers, "width": [*numbers["width"], stray, second]}, further) == [stage, second]
    assert "legal-set, 24,000 + 24,000 + 24,000 steps: colour in-language" in findings.further_section(
        {**numbers, "width": [*numbers["width"], second]})


def test_a_second_stage_slower_than_the_shipped_pace_says_how_the_lead_moved_and_draws_lighter():
    """When a later stage's pace falls below the shipped model's, the section gives no 'fewer games' claim but
    the exact target's lead over the shipped model at both ends of the last doubling; hours get thousands
    separators, and each carried stage is drawn a lighter orange than the one before."""
    further = {**_longer(_run(192, [0.70, 0.74, 0.76], [4, 20, 40]), steps=24_000), "objective": "legal-set"}
    stage = _stage(further, [0.75, 0.765, 0.77])
    second = _stage(stage, [0.765, 0.77, 0.775])
    numbers = {"models": {"unified": _shipped_with_ends()}, "width": [*_objective_runs(), further, stage, second]}
    text = findings.further_section(numbers)
    # read between the ends of cosines: 24,000 steps (0.76) to 72,000 (0.775), not from the stage's middle
    per = (0.775 - 0.76) / np.log2(72_000 / 24_000)
    assert f"it gained {100 * per:.1f} points per doubling (from 768,000 to 1,536,000: 2.0)" in text
    hours = 4_608_000 * 2 ** ((0.9 - 0.775) / per) / 64 / 4.0 / 3600
    assert f"some {hours:,.0f} hours of training" in text and hours > 1000
    # the shipped model on the line between its stage ends: 0.732 at 1,536,000 games, 0.75 at 4,608,000
    assert ("The shipped model's own pace (1.4 points per doubling, over its stage ends) gives 90% after about 4.3 "
            "billion games: the faster pace now, the exact target's lead after as many games went from 2.8 points "
            "(1,536,000 games) to 2.5 (4,608,000 games).") in text
    assert "fewer games" not in text
    scale = further_chart(findings.further_by_games(numbers), placer=0.627).to_dict()["hconcat"][0]["layer"][0]
    assert scale["encoding"]["color"]["scale"]["range"] == ["#08519c", "#a63603", "#e6550d", "#fd8d3c", "#fdae6b",
                                                            "#525252"]


@given(colour=st.floats(0.5, 0.95), per=st.floats(0.011, 0.1), speed=st.floats(0.5, 20))
def test_the_deepest_ladder_run_still_rising_says_where_its_pace_would_reach_the_target(colour, per, speed):
    """At its pace per doubling of the games, the deepest run still rising reaches the target after
    games * 2 ** ((target - colour) / pace) games in all; the hours are the games still to go at its speed."""
    runs = [{**_at_depth(k, [0.6, 0.7, 0.8]), "measured": {"steps_per_s": speed * (5 - k)}} for k in (3, 4)]
    latest = {"3 x 192": (1_536_000, 0.80), "4 x 192": (1_536_000, colour)}
    said = _ladder_to_target(runs, ["3 x 192", "4 x 192"], latest,
                             {"3 x 192": (0.05, "its last doubling"), "4 x 192": (per, "its last stage")})
    if colour >= findings.COLOUR_TARGET:
        assert said == []
        return
    more = (0.9 - colour) / per
    total = 1_536_000 * 2 ** more
    hours = (total - 1_536_000) / 64 / speed / 3600
    assert said == [f"At its pace over its last stage ({findings.pts(per)} per doubling of the games), 4 x 192 would "
                    f"read the colour at 90% after about {findings.millions(total)} in all ({more:.1f} more doublings), "
                    f"some {hours:,.0f} more hours of training at its speed where it trained ({speed:.2f} steps/s at "
                    "batch 64 on CPU, 2 threads, PyTorch 2.13.0, bfloat16); a pace read off so few games is a rough "
                    "guide."]
    assert _ladder_to_target(runs, [], latest, {}) == []   # nothing rising: nothing to project


def test_a_stage_with_its_own_peak_rate_says_so_in_its_name_recipe_pace_and_reproduce_line():
    """A later stage trained with --carry-on STEPS@LR (a gentler warm restart): its name and sentence carry its
    peak, the recipe names its rates beside the others', each stage gives its own pace per doubling (comparable
    across stages of different lengths), and the reproduce line writes it back as STEPS@LR."""
    further = {**_longer(_run(192, [0.70, 0.74, 0.76], [4, 20, 40]), steps=24_000), "objective": "legal-set"}
    stage = _stage(further, [0.75, 0.79, 0.80])
    gentle = {**_stage(stage, [0.805, 0.81, 0.82], steps=12_000), "lr": 2e-4, "min_lr": 2e-5}
    assert findings.stage_peak(stage) is None and findings.stage_peak(gentle) == 2e-4
    numbers = {"models": {"unified": _shipped_with_ends()}, "width": [*_objective_runs(), further, stage, gentle]}
    text = findings.further_section(numbers)
    assert ("a warm restart of the learning rate (warm-up 200 steps to 0.001, cosine to 0.0001 over the stage; the "
            "stage to step 60,000 gentler: warm-up 200 steps to 0.0002, cosine to 2e-05), at batch 64") in text
    assert "legal-set, 24,000 + 24,000 + 12,000 steps (peak lr 0.0002): colour in-language" in text
    assert "| legal-set, 24,000 + 24,000 steps: colour in-language | legal-set, 24,000 + 24,000 + 12,000" in text
    # its own pace: +2.0 points over 3,072,000 -> 3,840,000 games; the stage before +4.0 over a doubling
    assert ("The stage from step 48,000 to 60,000 (peak lr 0.0002): 192,000 games after its warm restart the colour "
            "read 80.5% (+0.5 points on its start)") in text
    assert f"at its end 82.0% (+2.0 points over the stage, {2 / np.log2(3_840_000 / 3_072_000):.1f} points per doubling" \
        in text
    assert "(+4.0 points over the stage) and" in text  # a doubling: its pace is the gain
    # the pace over the last doubling is read between the ends of cosines (48,000 to 24,000 is a doubling, the
    # gentle stage's mid-points are not): 0.80 -> 0.82 over log2(60,000 / 24,000) doublings
    assert (f"Over its last {np.log2(60_000 / 24_000):.1f} doublings of the games (1,536,000 to 3,840,000) it gained "
            f"{2 * 100 * (0.82 - 0.76) / 2 / np.log2(60_000 / 24_000):.1f} points per doubling") in text
    fast = 100 * 0.02 / np.log2(3_840_000 / 3_072_000)
    assert ("With the gentler warm restart (to 0.0002 against 0.001) the colour dipped +0.5 points against -1.0 "
            f"points the stage before, and gained {fast:.1f} points per doubling against 4.0: the warm restarts were "
            "holding the pace back.") in text
    # no faster with hardly a dip: the restarts are not what slows it; under a point per doubling: levelling off
    def colours(run, cs):
        return {**run, "points": [{**p, "alignment": {"best_layer": 3, "layers": {"3": {
            **p["alignment"]["layers"]["3"], "colour_in_language": c}}}} for p, c in zip(run["points"], cs)]}

    slow = colours(stage, [0.755, 0.76, 0.765])   # 0.76 -> 0.765 over a doubling: 0.5 points
    for before, flat, levelling in ((stage, colours(gentle, [0.799, 0.80, 0.801]), False),
                                    (slow, colours(gentle, [0.764, 0.765, 0.766]), True)):
        said = findings.further_section({**numbers, "width": [*_objective_runs(), further, before, flat]})
        assert "the warm restarts' dips are not what slows the pace" in said
        assert ("; at this size the colour is levelling off (under a point per doubling)." in said) == levelling
    assert "gentler warm restart" not in findings.further_section({**numbers, "width": [*_objective_runs(), further, stage]})
    assert "--carry-on 24000,12000@0.0002   # the exact target carried further" in reproduce(numbers)
    assert findings.further_by_games(numbers)["run"].str.endswith("(peak lr 0.0002)").sum() == 4


def _at_depth(n_layer, colours, legal=0.9):
    """The exact target carried further's recipe (24,000 steps, legal-set) at `n_layer` layers, as recorded."""
    run = {**_longer(_run(192, colours, [4, 20, 40]), steps=24_000), "objective": "legal-set"}
    return {**run, "n_layer": n_layer, "params": 0.5e6 * n_layer, "measured": {"steps_per_s": 12.0 / n_layer},
            "points": [{**p, "legal_move_accuracy": {"a": legal, "b": legal + 0.01}} for p in run["points"]]}


@pytest.mark.parametrize("one, two, said", [
    ([0.60, 0.64, 0.645], [0.65, 0.70, 0.72],
     "Each layer lifted the colour; levelled off (under a point per doubling): 1 x 192 at about 64.5% (after 1.5 million games), while 2 x 192 "
     "and 3 x 192 still rise."),
    ([0.60, 0.64, 0.70], [0.65, 0.70, 0.74], "Each layer lifted the colour, and none has levelled off yet."),
    ([0.60, 0.64, 0.645], [0.70, 0.74, 0.765],
     "Not every added layer lifted the colour after as many games (2 x 192 -> 3 x 192 did not, within 1.0 points): "
     "these runs do not show the depth setting the level all the way. Levelled off (under a point per doubling): 1 x 192 "
     "at about 64.5% (after 1.5 million games), while 2 x 192 and 3 x 192 still rise."),
    ([0.60, 0.70, 0.77], [0.65, 0.72, 0.765],
     "No added layer lifted the colour after as many games: these runs do not show the depth setting the level.")])
def test_the_depth_ladder_sets_shallower_runs_of_the_exact_targets_recipe_beside_it(one, two, said):
    """Runs of the exact target carried further's model, width, objective and recipe at fewer layers are the depth
    ladder: their own section (by snapshot, each depth's end and gain over its last doubling, what each layer
    lifted, the deepest run's later stages), figure and reproduce line; the other trials keep to their runs."""
    further = {**_longer(_run(192, [0.70, 0.74, 0.76], [4, 20, 40]), steps=24_000), "objective": "legal-set"}
    stage = _stage(further, [0.75, 0.77, 0.80])
    shallow, middle = _at_depth(1, one, legal=0.8), _at_depth(2, two)
    numbers = {"models": {"unified": _shipped_with_ends()}, "width": [*_objective_runs(), further, stage, shallow, middle]}
    assert further_runs(numbers) == [further] and findings.carried_stages(numbers, further) == [stage]
    assert findings.ladder_runs(numbers) == [shallow, middle, further]
    assert lr_runs(numbers) == [] and findings.width_section(numbers) == ""
    assert list(findings.objective_by_games(numbers)["run_steps"].unique()) == [5000, 12_000]
    text = findings.ladder_section(numbers)
    assert text.startswith("## Does the depth set where the colour levels off?\n")
    assert ("`unified-mixed` trained from scratch at 1 x 192 (0.5M parameters) and 2 x 192 (1.0M parameters) and "
            "3 x 192 (1.5M parameters) with `legal-set`") in text
    assert "24,000 steps at batch 64, peak lr 0.0015, warm-up 500, cosine to 0.00015, bfloat16 (the suite's first " \
           "stage, drawn out)" in text
    assert (f"| 24,000 | 1,536,000 | 80.0% | {100 * one[-1]:.1f}% (layer 3) | 90.0% | {100 * two[-1]:.1f}% (layer 3) "
            "| 90.0% | 76.0% (layer 3) |") in text
    assert "Speed, each shape measured alone on the same machine after training: 1 x 192 12.00 steps/s, 2 x 192 " \
           "6.00 steps/s, 3 x 192 2.08 steps/s." in text
    gain = lambda c: findings.pts(c[-1] - c[-2])  # noqa: E731 - 12,000 to 24,000 steps: one doubling
    assert (f"After 1.5 million games, and their gain per doubling over their last doubling of the games (768,000 to "
            f"1,536,000): 1 x 192 {100 * one[-1]:.1f}% ({gain(one)} per doubling"
            + (", levelled off" if one[-1] - one[-2] < 0.01 else "") + "; legal moves 80.0% in its worst language)") in text
    assert (f"Each added layer: 1 x 192 -> 2 x 192 {findings.pts(two[-1] - one[-1])}, 2 x 192 -> 3 x 192 "
            f"{findings.pts(0.76 - two[-1])}.") in text
    assert said in text
    assert ("The 3 x 192 run, carried on past its schedule's end (the section above), read 80.0% after 3.1 million "
            "games, its last stage +4.0 points per doubling of the games.") in text
    assert "All are below the 90% target after 1.5 million games." in text
    assert "python scripts/width_trial.py --model unified-mixed --shapes 1x192,2x192 --steps 24000 --objective " \
           "legal-set   # the depth ladder, here" in reproduce(numbers)
    df = findings.ladder_by_games(numbers)
    assert list(df["shape"].unique()) == ["1 x 192", "2 x 192", "3 x 192"]
    # each run's line goes on through its later stages, by the games seen since it started
    assert df[df["shape"] == "3 x 192"]["games"].tolist() == [153_600, 768_000, 1_536_000, 1_920_000, 2_304_000,
                                                               3_072_000]
    assert df[df["shape"] == "3 x 192"]["part"].tolist() == ["run"] * 3 + ["carried"] * 3
    assert df[df["shape"] == "2 x 192"]["part"].tolist() == ["run"] * 3
    made = ladder_chart(df, placer=0.627).to_dict()
    assert made["title"]["text"].startswith("The depth ladder")
    assert [p["title"] for p in made["hconcat"]] == ["after as many games", "legal moves, after as many games"]
    scale = made["hconcat"][0]["layer"][0]["encoding"]["color"]["scale"]
    assert scale == {"domain": ["1 x 192", "2 x 192", "3 x 192"], "range": ["#fdae6b", "#d7301f", "#3b0f04"]}
    assert "Does the number of layers set where the colour levels off? Here" in text   # the stage still rose
    flat = _stage(further, [0.75, 0.76, 0.765])   # +0.5 points over its doubling: levelled off
    on = _stage(shallow, [one[-1] - 0.01, one[-1], one[-1] + 0.002])   # the shallow run carried on, level
    numbers["width"] = [*_objective_runs(), further, flat, shallow, middle, on]
    assert findings.carried_stages(numbers, shallow) == [on] and findings.carried_stages(numbers, middle) == []
    text = findings.ladder_section(numbers)
    assert "The exact target carried further (above) found the 3 x 192 model levelling off. Is that level set by " \
           "the number of layers? Here" in text
    assert "read 76.5% after 3.1 million games, its last stage +0.5 points per doubling of the games: levelled off " \
           "there." in text
    assert (f"The 1 x 192 run, carried on past its schedule's end, read {100 * one[-1] + 0.2:.1f}% after 3.1 million "
            "games, its last stage +0.2 points per doubling of the games: levelled off there.") in text
    if two[-1] - one[-1] > 0.01 and 0.76 - two[-1] > 0.01:   # each layer lifted it: the levels found, by depth
        assert (f"Where the colour levels off (under a point per doubling) rises with the depth: 1 x 192 at about {100 * one[-1] + 0.2:.1f}% (after "
                "3.1 million games), 3 x 192 at about 76.5% (after 3.1 million games), while 2 x 192 still rises. The "
                "highest level found, 76.5%, is below the 90% target.") in text
        assert "All are below the 90% target" not in text
    assert [x["part"] for x in findings.ladder_by_games(numbers).to_dict("records")
            if x["shape"] == "1 x 192"] == ["run"] * 3 + ["carried"] * 3
    assert "The depth trials above" not in text
    assert "where both were carried on" not in text   # 1 and 3 layers were, 2 between them was not
    assert ("python scripts/width_trial.py --model unified-mixed --shapes 1x192 --steps 24000 --objective legal-set "
            "--carry-on 24000   # the depth ladder's 1 x 192 carried on, here") in reproduce(numbers)
    assert "the depth ladder's 2 x 192 carried on" not in reproduce(numbers)
    # the middle depth carried on as far as the run carried further: the lift again after as many games
    mid_on = _stage(middle, [two[-1] + 0.01, two[-1] + 0.015, two[-1] + 0.02])
    numbers["width"] = [*_objective_runs(), further, flat, shallow, middle, on, mid_on]
    said_on = findings.ladder_section(numbers)
    assert (f"After 3.1 million games, where both were carried on: 1 x 192 -> 2 x 192 "
            f"{findings.pts(two[-1] + 0.02 - one[-1] - 0.002)} ({findings.pts(two[-1] - one[-1])} after 1.5 million "
            f"games). After 3.1 million games, where both were carried on: 2 x 192 -> 3 x 192 "
            f"{findings.pts(0.765 - two[-1] - 0.02)} ({findings.pts(0.76 - two[-1])} after 1.5 million games).") in said_on
    # a deeper run than the one carried further joins the ladder; the section still names the run carried further
    deeper = _at_depth(4, [0.72, 0.76, 0.78])
    numbers["width"].append(deeper)
    assert findings.ladder_runs(numbers)[-1] == deeper
    said_deeper = findings.ladder_section(numbers)
    assert "found the 3 x 192 model levelling off" in said_deeper and "3 x 192 -> 4 x 192 +2.0 points" in said_deeper
    assert "3 x 192 run, carried on past its schedule's end (the section above)" in said_deeper
    if one[-1] < 0.7:   # still rising, it already reads what 3 x 192 levelled off at (the highest level found)
        assert ("4 x 192, still rising, already reads 78.0% after 1.5 million games: above where 3 x 192 levelled off "
                "(76.5% after 3.1 million games, 2.0x the games).") in said_deeper
    # within a point of that level, "as high as"; more than a point below it, not said
    for end, word in ((0.76, "as high as"), (0.75, None)) if one[-1] < 0.7 else ():
        numbers["width"][-1] = _at_depth(4, [0.72, 0.74, end])
        said_level = findings.ladder_section(numbers)
        assert ("4 x 192, still rising, already reads" in said_level) == (word is not None)
        assert word is None or f"76.0% after 1.5 million games: {word} where 3 x 192 levelled off" in said_level
    numbers["width"] = [*_objective_runs(), further, flat, shallow, middle, on]
    numbers["depth"] = [{"experiment": "unified-mixed", "kind": "deepen"}]
    assert "The depth trials above read how fast deeper models learn the colour over their first millions of games; " \
           "this trial asks where it levels off. The exact target" in findings.ladder_section(numbers)


def _scratch_depth_trial(n_layer, steps, colour):
    """A GPU depth trial from scratch (gpu_stages --scratch) as recorded: next-token at batch 1,024."""
    layers = {str(x): {"in_language": 0.85, "cross_lingual": 0.8, "colour_in_language": colour - 0.01 * (n_layer - x)}
              for x in range(n_layer + 1)}
    return {"kind": "scratch", "experiment": "unified-mixed", "n_layer": n_layer, "d_model": 192, "step": steps,
            "batch_size": 1024, "lr": 1e-3, "min_lr": 1e-4, "warmup_steps": 500, "gpu": "NVIDIA H200", "torch": "2.11.0",
            "probe_games": 1000, "params": 2.8e6, "legal_move_accuracy": {"L0": 0.96},
            "alignment": {"best_layer": n_layer, "layers": layers}}


def test_the_depth_ladder_and_the_depth_trials_say_where_their_recipes_disagree():
    """When the GPU depth trials found deeper models no faster per game than the shipped one while the ladder's
    added layers lifted the colour, both sections say so, with what differs between the recipes (batch, objective)
    and the colour each read; when they agree, neither says it."""
    from mothello.findings.pace import colour_at_games

    shipped = {**_shipped_with_ends(), "n_layer": 3, "d_model": 192, "params": 1.5e6}
    further = {**_longer(_run(192, [0.70, 0.74, 0.76], [4, 20, 40]), steps=24_000), "objective": "legal-set"}
    ladder = [_at_depth(1, [0.60, 0.64, 0.645], legal=0.8), _at_depth(2, [0.65, 0.70, 0.72]), further]
    there = colour_at_games(shipped, 4_000 * 1024)   # the shipped model after the trial's 4.1 million games
    numbers = {"models": {"unified": shipped}, "width": [*_objective_runs(), *ladder],
               "depth": [_scratch_depth_trial(6, 4_000, there)]}
    assert [r["n_layer"] for r in findings.trials.depth_no_faster(numbers)] == [6]
    assert findings.trials.ladder_lifted(numbers) == "each added layer"
    said = findings.ladder_section(numbers)
    assert ("Each added layer: 1 x 192 -> 2 x 192 +7.5 points, 2 x 192 -> 3 x 192 +4.0 points. The depth trials above "
            "(batch 1,024, next-token) found 6 x 192 learning the colour no faster per game than the shipped 3 x 192; "
            "here each added layer lifted it. The two recipes differ in the batch (64 here against 1,024: 16x the "
            "optimizer steps for as many games) and in the objective (legal-set here against next-token), and these "
            "runs do not tell which of the two lets the depth count. Per game this recipe is also the faster: 3 x 192 "
            f"reads 76.0% here after 1.5 million games, where the trials above read {100 * there:.1f}% (6 x 192) after "
            "4.1 million games.") in said
    depth = findings.depth_section(numbers)
    assert ("at this width and up to 6 layers, on this recipe (batch 1,024, next-token), the colour is a matter of the "
            "games seen, not of depth, and the pace to 90% above stands. The depth ladder below (batch 64, legal-set) "
            "finds otherwise: there each added layer lifted the colour after as many games.") in depth
    # a trial that read more than the ladder's deepest run (on far more games): the numbers, for scale, not "faster"
    later = colour_at_games(shipped, 20_000 * 1024)
    numbers["depth"] = [_scratch_depth_trial(6, 20_000, later)]
    assert later > 0.76 and findings.trials.depth_no_faster(numbers)
    assert (f"For scale: 3 x 192 reads 76.0% here after 1.5 million games, where the trials above read {100 * later:.1f}% "
            "(6 x 192) after 20.5 million games.") in findings.ladder_section(numbers)
    # the depth trials faster per game than the shipped model: they agree with the ladder, nothing to reconcile
    numbers["depth"] = [_scratch_depth_trial(6, 4_000, there + 0.05)]
    assert findings.trials.depth_no_faster(numbers) == []
    assert "The depth trials above (batch" not in findings.ladder_section(numbers)
    assert "finds otherwise" not in findings.depth_section(numbers)
    # the ladder's layers lifting nothing: the depth section's verdict stands unqualified
    numbers["depth"] = [_scratch_depth_trial(6, 4_000, there)]
    numbers["width"] = [*_objective_runs(), _at_depth(2, [0.70, 0.74, 0.755]), further]
    assert findings.trials.ladder_lifted(numbers) is None
    assert "The depth trials above (batch" not in findings.ladder_section(numbers)
    assert "up to 6 layers, the colour is a matter of the games seen, not of depth" in findings.depth_section(numbers)


def test_no_depth_ladder_without_a_run_of_another_depth_at_the_exact_targets_recipe():
    further = {**_longer(_run(192, [0.70, 0.74, 0.76], [4, 20, 40]), steps=24_000), "objective": "legal-set"}
    other_recipe = {**_at_depth(2, [0.65, 0.70, 0.72]), "lr": 3e-3, "min_lr": 3e-4}   # another rate: not the ladder
    next_token = {**_at_depth(2, [0.65, 0.70, 0.72]), "objective": "next-token"}
    for extra in ([], [other_recipe], [next_token]):
        numbers = {"models": {}, "width": [*_objective_runs(), further, *extra]}
        assert findings.ladder_runs(numbers) == [] and findings.ladder_section(numbers) == ""
        assert findings.ladder_by_games(numbers).empty and "the depth ladder" not in reproduce(numbers)
    assert findings.ladder_section({"models": {}, "width": [_at_depth(1, [0.6, 0.64, 0.645])]}) == ""  # no further run


def test_a_longer_run_with_a_next_token_run_of_its_length_is_the_objective_trial_carried_on_not_further():
    further = {**_longer(_run(192, [0.70, 0.78, 0.82], [4, 20, 40]), steps=24_000), "objective": "legal-set"}
    sampled = _longer(_run(192, [0.64, 0.70, 0.74], [2.6, 13, 26]), steps=24_000)
    numbers = {"models": {"unified": _shipped_with_ends()}, "width": [*_objective_runs(), further, sampled]}
    assert further_runs(numbers) == [] and findings.further_section(numbers) == ""
    assert findings.further_by_games(numbers).empty
    assert "**Carried on.** The same objectives again over 24,000 steps" in findings.objective_section(numbers)
    # at another peak rate it is no run of the trial's recipe either
    rated = {**further, **width_trial.lr_rates(3e-3)}
    assert further_runs({"models": {}, "width": [*_objective_runs(), rated]}) == []
    # a shipped model whose languages sit closer at that point: the exact target's are less aligned
    closer = {"models": {"unified": _shipped_with_ends(cross=0.845)}, "width": [*_objective_runs(), further]}
    assert "0.5 points apart: the exact target keeps the languages less aligned." in findings.further_section(closer)
    # without the shipped model the run still stands, with no column for it
    alone = findings.further_section({"models": {}, "width": [*_objective_runs(), further]})
    assert "| 1,536,000 | 90.0% | 82.0% (layer 3) |  |  |\n" in alone and "shipped" not in alone.split("\n|")[0][-300:]


def _narrow(colours, last=None, beside=(1.4, 1.05), dtype="float32"):
    """A recorded run of the depth ladder's recipe (_at_depth) at 8 x 96, on another machine's number format, with
    3 x 192 and 4 x 192 measured back to back with it (steps/s `beside`), stopped after `last` steps."""
    run = {**_at_depth(8, colours), "d_model": 96, "n_head": 3, "params": 0.97e6, "dtype": dtype,
           "started": "2026-12-06T07:27:44+00:00", "measured": {"steps_per_s": 1.5},
           **({"beside": {"3x192": {"steps_per_s": beside[0]}, "4x192": {"steps_per_s": beside[1]}}} if beside else {})}
    return {**run, "points": [p for p in run["points"] if last is None or p["step"] <= last]}


def _ladder_with(*narrow):
    """The depth ladder (2, 3 and 4 x 192: 3 x 192 the exact target carried further) and the runs `narrow`."""
    further = {**_longer(_run(192, [0.70, 0.74, 0.76], [4, 20, 40]), steps=24_000), "objective": "legal-set"}
    ladder = [_at_depth(2, [0.66, 0.70, 0.72]), further, _at_depth(4, [0.72, 0.78, 0.81])]
    return {"models": {"unified": _shipped_with_ends()}, "width": [*_objective_runs(), *ladder, *narrow]}, ladder


@pytest.mark.parametrize("colours, said", [
    # after as much training time as 8 x 96's 12,000 steps (133 min at 1.5 steps/s): 3 x 192 at step 11,200 (73.8% on
    # its line against log time), 4 x 192 at step 8,400 (76.7%)
    ([0.73, 0.795], "8 x 96 reads the colour better than each, with fewer parameters (1.0M): for as much training time, "
                    "the depth lifts the colour more than the width does."),
    ([0.70, 0.745], "8 x 96 reads the colour as well as 3 x 192 (within 1 point) and worse than 4 x 192."),
    ([0.66, 0.70], "8 x 96 reads the colour worse than each, per game and per minute: at width 96 the added layers do "
                   "not make up for the width.")])
def test_deeper_and_narrower_runs_stand_beside_the_depth_ladder_at_speeds_measured_together(colours, said):
    """A run of the depth ladder's recipe at another width: its own section (beside the ladder's shapes measured
    back to back with it, by snapshot, its colour against each after as many games with what each costs per game,
    and a verdict against the shape of about its cost), figure and reproduce line; the ladder keeps to its width."""
    from mothello.ui.charts import narrow_chart

    narrow = _narrow(colours, last=12_000)
    numbers, ladder = _ladder_with(narrow)
    assert findings.ladder_runs(numbers) == ladder   # the ladder keeps to its width
    assert findings.narrow_runs(numbers) == [narrow] and findings.narrow_beside(numbers) == ladder[1:]
    assert findings.narrow_speeds(numbers) == ({"8 x 96": 1.5, "3 x 192": 1.4, "4 x 192": 1.05},
                                               "measured back to back on CPU, 2 threads, float32, PyTorch 2.13.0, "
                                               "with nothing else training")
    text = findings.narrow_section(numbers)
    assert text.startswith("## Is it the depth or the size?\n")
    assert ("`unified-mixed` trained from scratch at 8 x 96 (1.0M parameters, 3 heads) with the ladder's recipe "
            "(`legal-set`, 24,000 steps at batch 64, peak lr 0.0015, warm-up 500, cosine to 0.00015) on the same "
            "stream of fresh games, beside the ladder's 3 x 192 (1.5M parameters) and 4 x 192 (2.0M parameters)") in text
    assert "8 x 96: CPU, 2 threads, float32, PyTorch 2.13.0, 2026-12-06 (stopped at 12,000 of its 24,000 steps)." in text
    assert "| 24,000 |" not in text   # only the snapshots every run reached
    assert (f"| 12,000 | 768,000 | 90.0% | 74.0% (layer 3) | 90.0% | 78.0% (layer 3) | 90.0% | {100 * colours[-1]:.1f}% "
            "(layer 3) |") in text
    assert "Speed, measured back to back on CPU, 2 threads, float32, PyTorch 2.13.0, with nothing else training: " \
           "3 x 192 1.40 steps/s, 4 x 192 1.05 steps/s, 8 x 96 1.50 steps/s." in text
    assert (f"After 768,000 games 8 x 96 reads the colour at {100 * colours[-1]:.1f}% (layer 3 of 8; legal moves 90.0% "
            f"in its worst language): {findings.pts(colours[-1] - 0.74)} on 3 x 192 (74.0%, which takes about as long "
            f"per game as 8 x 96); {findings.pts(colours[-1] - 0.78)} on 4 x 192 (78.0%, which takes 1.4x as long per "
            "game as 8 x 96).") in text
    at_time = [0.70 + 0.04 * np.log(11_200 / 2_400) / np.log(5), 0.72 + 0.06 * np.log(8_400 / 2_400) / np.log(5)]
    assert (f"After as much training time as its 768,000 games take here (133 min at the speeds above), 3 x 192 reads it "
            f"at {100 * at_time[0]:.1f}% and 4 x 192 reads it at {100 * at_time[1]:.1f}% (on each run's line between its "
            f"snapshots, against log time): {said}") in text
    assert "Read early: the narrower run stopped after 768,000 games, and along the ladder the depth's lift changed " \
           "with the games (3 x 192 -> 4 x 192 +4.0 points after 768,000 games, +5.0 points after 1.5 million games): " \
           "where the narrower run would end, this trial does not tell." in text
    assert "All are below the 90% target after 768,000 games." in text
    assert "python scripts/width_trial.py --model unified-mixed --shapes 8x96 --steps 24000 --objective legal-set " \
           "--speed-beside 3x192,4x192   # deeper and narrower, here" in reproduce(numbers)
    assert "--shapes 2x192,4x192 --steps 24000 --objective legal-set   # the depth ladder, here" in reproduce(numbers)
    df = findings.narrow_by_games(numbers)
    assert list(df["shape"].unique()) == ["3 x 192", "4 x 192", "8 x 96"]
    # the time axis at the speeds measured together: step / steps per second
    assert df[df["shape"] == "8 x 96"]["minutes"].tolist() == pytest.approx([2400 / 1.5 / 60, 12_000 / 1.5 / 60])
    made = narrow_chart(df, placer=0.627).to_dict()
    assert made["title"]["text"].startswith("Deeper and narrower")
    assert [p["title"] for p in made["hconcat"]] == ["after as many games", "after as much training time"]
    scale = made["hconcat"][0]["layer"][0]["encoding"]["color"]["scale"]
    assert scale == {"domain": ["3 x 192", "4 x 192", "8 x 96"], "range": ["#fdae6b", "#3b0f04", "#6a51a3"]}


def test_a_slower_narrower_run_is_read_against_the_ladders_later_snapshots_after_as_much_time():
    # 8 x 96 at 0.75 steps/s: its 12,000 steps take 267 min, when 3 x 192 (1.4 steps/s) is at step 22,400 and
    # 4 x 192 (1.05 steps/s) at step 16,800: past the last snapshot 8 x 96 reached
    numbers, _ = _ladder_with(_narrow([0.70, 0.745], last=12_000, beside=(1.4, 1.05)))
    numbers["width"][-1]["measured"] = {"steps_per_s": 0.75}
    text = findings.narrow_section(numbers)
    at_3, at_4 = (c + d * np.log(st / 12_000) / np.log(2) for c, d, st in ((0.74, 0.02, 22_400), (0.78, 0.03, 16_800)))
    assert (f"(267 min at the speeds above), 3 x 192 reads it at {100 * at_3:.1f}% and 4 x 192 reads it at {100 * at_4:.1f}% "
            "(on each run's line between its snapshots, against log time): 8 x 96 reads the colour worse than each, "
            "per minute: at width 96") in text


def test_deeper_and_narrower_without_speeds_that_compare_says_so_and_claims_no_cost():
    numbers, ladder = _ladder_with(_narrow([0.73, 0.795, 0.83], beside=None))
    assert findings.narrow_beside(numbers) == ladder      # nothing measured beside it: the whole ladder
    assert findings.narrow_speeds(numbers) == ({}, None)  # bfloat16 there, float32 here
    text = findings.narrow_section(numbers)
    assert "Their speeds do not compare: the runs trained on different machines or number formats (above), and no " \
           "speeds were measured back to back." in text
    assert "per game" not in text and "| 24,000 | 1,536,000 |" in text and "Read early" not in text   # it ran to its end
    assert findings.narrow_by_games(numbers)["minutes"].isna().all()
    # one machine, one number format: each run's own speed compares
    numbers, _ = _ladder_with(_narrow([0.73, 0.795, 0.83], beside=None, dtype="bfloat16"))
    speeds, where = findings.narrow_speeds(numbers)
    assert where == "each measured alone on the same machine" and speeds["8 x 96"] == 1.5 and speeds["2 x 192"] == 6.0


def test_no_deeper_and_narrower_section_without_the_ladder_or_with_another_recipe():
    narrow = _narrow([0.73, 0.795])
    numbers = {"models": {"unified": _shipped_with_ends()}, "width": [*_objective_runs(), narrow]}
    assert findings.narrow_runs(numbers) == [] and findings.narrow_section(numbers) == ""
    assert findings.narrow_by_games(numbers).empty and "deeper and narrower" not in reproduce(numbers)
    for other in ({**narrow, "lr": 3e-3}, {**narrow, "objective": "next-token"}, {**narrow, "steps": 12_000}):
        numbers, _ = _ladder_with(other)
        assert findings.narrow_runs(numbers) == [] and findings.narrow_section(numbers) == ""


def test_speeds_measured_beside_a_run_are_recorded_with_it(capsys):
    run = width_trial.train_shape("naive-2", "1x32", steps=4, progress=False, **TINY)
    done = width_trial.speeds_beside(run, ["2x32", "3"], warmup=1, timed=2)
    assert set(done) == {"2x32", "3x192"} and all(v["steps_per_s"] > 0 for v in done.values())
    assert storage.read_json(run / "speed.json")["steps_per_s"] > 0   # its own, measured right after them
    record = width_trial.width_record(run, n_train=12)
    speed = storage.read_json(run / "speed.json")
    assert record["beside"] == done and record["measured"] == {k: v for k, v in speed.items()
                                                               if k not in width_trial.MACHINE}
    # the record names the machine its speed was measured on (its times are at that speed), CPU model included
    assert {k: record[k] for k in width_trial.MACHINE} == {k: speed[k] for k in width_trial.MACHINE}
    assert record["device"] == "CPU" and record["cpu"] == cpu_model()
    storage.write_json(run / "speed.json", {**speed, "cpu": "Another CPU", "dtype": "bfloat16", "threads": 16})
    elsewhere = width_trial.width_record(run, n_train=12)
    assert (elsewhere["cpu"], elsewhere["dtype"], elsewhere["threads"]) == ("Another CPU", "bfloat16", 16)
    # a speed measured before measurements named their machine: the machine recording it, as records said then
    storage.write_json(run / "speed.json", {"steps_per_s": 2.0, "warmup_s": 1.0, "waited_s": 0.0, "compiled": False})
    older = width_trial.width_record(run, n_train=12)
    assert "cpu" not in older and (older["device"], older["dtype"], older["torch"]) == ("CPU", "float32", torch.__version__)
    # trained on one machine: no parts; resumed on another part-way: its parts, as its status keeps them
    status = storage.read_json(run / "status.json")
    assert len(status["machines"]) == 1 and "machines" not in older
    parts = [*status["machines"], {**status["machines"][0], "from": 2, "name": "Another CPU"}]
    storage.write_json(run / "status.json", {**status, "machines": parts})
    assert width_trial.width_record(run, n_train=12)["machines"] == parts
    for argv in (["--speed-beside", "3x100"], ["--speed-beside", ","], ["--speed-beside", "3x192", "--continue"],
                 ["--speed-beside", "3x192", "--carry-on", "100"]):
        with pytest.raises(SystemExit) as stop:
            width_trial.main(argv)
        assert stop.value.code == 2
        assert "--speed-beside" in capsys.readouterr().err.strip().splitlines()[-1]


def test_ladder_runs_from_a_lent_gpu_say_so_and_a_run_stopped_part_way_is_read_where_it_stopped():
    """Deeper runs of the ladder's recipe trained on a lent GPU (scripts/gpu_ladder.py, merged): the section says
    where they trained and keeps their speeds apart; one stopped part-way has dashes past its last snapshot and is
    read there against the deepest shallower run, not in the lifts; the reproduce line runs them on a GPU again."""
    further = {**_longer(_run(192, [0.70, 0.74, 0.76], [4, 20, 40]), steps=24_000), "objective": "legal-set"}
    gpu = {"device": "NVIDIA H100 80GB HBM3", "threads": None, "torch": "2.11.0+cu130", "compiled": True}
    six = {**_at_depth(6, [0.74, 0.82, 0.88]), **gpu, "measured": {"steps_per_s": 80.0}}
    eight = {**_at_depth(8, [0.75, 0.85, 0.9]), **gpu, "measured": {"steps_per_s": 60.0}}
    eight = {**eight, "points": eight["points"][:2]}   # stopped at 12,000 of its 24,000 steps
    numbers = {"models": {"unified": _shipped_with_ends()},
               "width": [*_objective_runs(), further, _at_depth(2, [0.66, 0.70, 0.72]), six, eight]}
    assert [r["n_layer"] for r in findings.ladder_runs(numbers)] == [2, 3, 6, 8]
    text = findings.ladder_section(numbers)
    assert ("Of these, 6 x 192 and 8 x 192 trained on another machine (NVIDIA H100 80GB HBM3, PyTorch 2.11.0+cu130, "
            "compiled), with the same recipe on the same games.") in text
    assert ("| 12,000 | 768,000 | 90.0% | 70.0% (layer 3) | 90.0% | 74.0% (layer 3) | 90.0% | 82.0% (layer 3) | 90.0% "
            "| 85.0% (layer 3) |") in text
    assert ("| 24,000 | 1,536,000 | 90.0% | 72.0% (layer 3) | 90.0% | 76.0% (layer 3) | 90.0% | 88.0% (layer 3) | – "
            "| – |") in text
    assert ("Speed, each shape measured alone on the machine it trained on (the machines' speeds do not compare): on "
            "CPU, 2 threads, PyTorch 2.13.0, bfloat16: 2 x 192 6.00 steps/s, 3 x 192 2.08 steps/s; on NVIDIA H100 80GB "
            "HBM3, PyTorch 2.11.0+cu130, bfloat16: 6 x 192 80.00 steps/s, 8 x 192 60.00 steps/s.") in text
    assert "After 1.5 million games, and their gain per doubling" in text and "8 x 192 72" not in text
    assert "Each step of depth: 2 x 192 -> 3 x 192 +4.0 points, 3 x 192 -> 6 x 192 +12.0 points (3 layers)." in text
    assert ("8 x 192 stopped at 12,000 of its 24,000 steps: after 768,000 games it reads 85.0%, +3.0 points against "
            "6 x 192 after as many games (legal moves 90.0% in its worst language); over its last 2.3 doublings of the "
            "games (153,600 to 768,000) it gained +4.3 points per doubling, 6 x 192 +3.4 points over the same games.") in text
    assert ladder_lifted(numbers) == "each added layer"   # the runs that reached the end
    # stopped at its first snapshot: no pace of its own to read
    first = findings.ladder_section({**numbers, "width": [*numbers["width"][:-1], {**eight, "points": eight["points"][:1]}]})
    assert ("8 x 192 stopped at 2,400 of its 24,000 steps: after 153,600 games it reads 75.0%, +1.0 points against "
            "6 x 192 after as many games (legal moves 90.0% in its worst language).") in first
    rep = reproduce(numbers)
    assert ("python scripts/width_trial.py --model unified-mixed --shapes 2x192 --steps 24000 --objective legal-set"
            "   # the depth ladder, here") in rep
    assert ("python scripts/gpu_ladder.py --model unified-mixed --shapes 6x192,8x192 --steps 24000 --objective "
            "legal-set --out DIR && python scripts/width_trial.py --merge DIR/records.json   # the depth ladder's runs "
            "on a lent GPU") in rep
    # all on one machine, all to the end: as before (one speed sentence, no dashes, no machine apart)
    cpu = {**numbers, "width": [*_objective_runs(), further, _at_depth(2, [0.66, 0.70, 0.72])]}
    text = findings.ladder_section(cpu)
    assert "another machine" not in text and "–" not in text and "stopped at" not in text
    assert "Speed, each shape measured alone on the same machine after training: 2 x 192 6.00 steps/s" in text
    # a CPU run in float32 beside bfloat16 ones: another CPU (bfloat16 is picked where the CPU computes it
    # natively), its speed apart
    other_cpu = {**_at_depth(4, [0.70, 0.76, 0.80]), "dtype": "float32", "measured": {"steps_per_s": 1.0}}
    text = findings.ladder_section({**cpu, "width": cpu["width"] + [other_cpu]})
    assert ("Of these, 4 x 192 trained on another machine (CPU, 2 threads, PyTorch 2.13.0, float32), with the same "
            "recipe on the same games.") in text
    assert ("(the machines' speeds do not compare): on CPU, 2 threads, PyTorch 2.13.0, bfloat16: 2 x 192 6.00 steps/s, "
            "3 x 192 2.08 steps/s; on CPU, 2 threads, PyTorch 2.13.0, float32: 4 x 192 1.00 steps/s.") in text
    # one in the same number format whose speed was measured on a CPU its record names: apart too (a record without
    # the model cannot say it was the same CPU), and the CPU named
    named = {**_at_depth(4, [0.70, 0.76, 0.80]), "cpu": "AMD EPYC", "measured": {"steps_per_s": 1.0}}
    text = findings.ladder_section({**cpu, "width": cpu["width"] + [named]})
    assert ("Of these, 4 x 192 trained on another machine (CPU (AMD EPYC), 2 threads, PyTorch 2.13.0), with the same "
            "recipe on the same games.") in text
    assert "; on CPU (AMD EPYC), 2 threads, PyTorch 2.13.0, bfloat16: 4 x 192 1.00 steps/s." in text
    # one resumed on another machine part-way (train.trained_on): which steps trained where, up to its last snapshot
    parts = [{"from": 0, "device": "cpu", "name": "AMD EPYC", "dtype": "float32"},
             {"from": 6_032, "device": "cpu", "name": "Intel Xeon", "dtype": "bfloat16"}]
    moved = {**named, "machines": parts}
    text = findings.ladder_section({**cpu, "width": cpu["width"] + [moved]})
    assert ("4 x 192 was resumed on another machine part-way (the number format \"auto\" picks per machine): until step "
            "6,032 on CPU (AMD EPYC), float32; from step 6,032 to 24,000 on CPU (Intel Xeon), bfloat16.") in text
    early = {**moved, "points": moved["points"][:1]}   # its snapshots (to 2,400) all from the first machine
    assert "resumed on another machine" not in findings.ladder_section({**cpu, "width": cpu["width"] + [early]})


@pytest.mark.parametrize("colours, closing", [([0.60, 0.75], ": it is closing in on 4 x 192."), ([0.70, 0.73], ".")])
def test_a_narrower_run_gaining_faster_than_a_ladder_run_it_trails_is_said_to_close_in(colours, closing):
    """Each shape's pace over the last doubling of the games they all have, and whom a narrower run closes in on: a
    ladder run it trails and gains faster than (by more than a point per doubling)."""
    numbers, _ = _ladder_with(_narrow(colours, last=12_000))
    text = findings.narrow_section(numbers)
    gain = (colours[1] - colours[0]) / np.log2(5)   # 2,400 to 12,000 steps
    assert (f"Over their last 2.3 doublings of the games (153,600 to 768,000) 8 x 96 gained {findings.pts(gain)} per "
            "doubling, against +1.7 points for 3 x 192 and +2.6 points for 4 x 192" + closing) in text


def _deeper(n_layer, colours, speed=1.2, beside=2.3):
    """The width trial's recipe (next-token, 5,000 steps) at `n_layer` x 192 on another CPU, with 3 x 192 measured
    back to back with it (steps/s `beside`)."""
    run = _run(192, colours, [4, 20, 40])
    return {**run, "n_layer": n_layer, "params": 0.47e6 * n_layer, "cpu": "AMD EPYC",
            "started": "2026-12-07T04:04:50+00:00", "measured": {"steps_per_s": speed},
            **({"beside": {"3x192": {"steps_per_s": beside}}} if beside else {})}


@pytest.mark.parametrize("deep, said", [
    ([0.64, 0.70, 0.74], "Under the sampled move too, at batch 64, the added layers lift the colour after as many games "
                         "(by more than under the exact target: +6.0 points against +4.0 points): the objective is not "
                         "what lets the depth count."),
    ([0.64, 0.69, 0.70], "Under the sampled move too, at batch 64, the added layers lift the colour after as many games "
                         "(by less than under the exact target: +2.0 points against +4.0 points)"),
    ([0.64, 0.70, 0.725], "Under the sampled move too, at batch 64, the added layers lift the colour after as many games "
                          "(about as much as under the exact target: +4.5 points against +4.0 points): the objective is "
                          "not what lets the depth count."),
    ([0.62, 0.665, 0.685], "Under the sampled move, at the ladder's batch, the added layers do not lift the colour after "
                           "as many games, while under the exact target they do: the objective, not the batch, is what "
                           "lets the depth count here.")])
def test_the_depth_under_the_sampled_move_stands_beside_the_depth_ladder(deep, said):
    """A run of the width trial's recipe (next-token) at more layers of its narrowest width: its own section (by
    snapshot, speeds measured back to back, its lead after as many games beside the depth ladder's lead under the
    exact target at the ladder's snapshot nearest those games), figure and reproduce line; the width trial keeps to
    its depth, and the ladder section points to it."""
    from mothello.ui.charts import next_token_depth_chart

    further = {**_longer(_run(192, [0.70, 0.74, 0.76], [4, 20, 40]), steps=24_000), "objective": "legal-set"}
    six = _at_depth(6, [0.74, 0.80, 0.83])   # the ladder's 6 x 192: +4 points over 3 x 192 after 153,600 games
    narrow, wide = _objective_runs()[0], _run(384, [0.60, 0.66, 0.72], [6.4, 32, 64])
    deeper = _deeper(6, deep)
    numbers = {"models": {"unified": _shipped_with_ends()}, "width": [narrow, wide, *_objective_runs()[1:], further, six,
                                                                      deeper]}
    assert findings.next_token_depth_runs(numbers) == [narrow, deeper]
    assert findings.next_token_depth_ladder(numbers) == [further, six]
    # the width trial keeps to the narrowest run's depth: 6 x 192 is not a width
    assert list(findings.width_by_games(numbers)["shape"].unique()) == ["3 x 192", "3 x 384"]
    assert "3 x 192 (1.5M parameters) and 3 x 384" in findings.width_section(numbers)
    text = findings.next_token_depth_section(numbers)
    assert text.startswith("## Does the objective let the depth count?\n")
    assert "at 3 x 192 (1.5M parameters) and 6 x 192 (2.8M parameters) with `next-token`" in text
    assert "6 x 192: CPU (AMD EPYC), 2 threads, bfloat16, PyTorch 2.13.0, 2026-12-07." in text
    lead = deep[-1] - 0.68
    assert (f"| 5,000 | 320,000 | 90.0% | 68.0% (layer 3) | 90.0% | {100 * deep[-1]:.1f}% (layer 3) | "
            f"{findings.pts(lead)} |") in text
    assert ("Speed, measured back to back on CPU (AMD EPYC), 2 threads, bfloat16, PyTorch 2.13.0, with nothing else "
            "training: 3 x 192 2.30 steps/s, 6 x 192 1.20 steps/s: the 6 x 192 model takes 1.9x as long for the same "
            "games.") in text
    # the ladder's snapshot nearest 320,000 games on a log scale is 153,600 (2.1x off), not 768,000 (2.4x)
    assert ("With `legal-set` the depth ladder's 6 x 192 read it 4.0 points better than its 3 x 192 (74.0% against "
            "70.0%) after 153,600 games") in text
    assert "On this same recipe the exact target lifted 3 x 192 to 78.0% after as many games (+10.0 points" in text
    assert said in text and "below the 90% target after 320,000 games" in text
    assert "(the section *Does the objective let the depth count?* below asks about the objective)" not in \
        findings.ladder_section(numbers)   # no GPU depth trials here: the ladder's recipes differ from nothing
    assert ("python scripts/width_trial.py --model unified-mixed --shapes 6x192 --steps 5000 --speed-beside 3x192   "
            "# the depth under the sampled move, here") in reproduce(numbers)
    df = findings.next_token_depth_by_games(numbers)
    assert list(df["run"].unique()) == ["3 x 192, next-token", "6 x 192, next-token", "3 x 192, legal-set",
                                        "6 x 192, legal-set"]
    assert df[df["objective"] == "legal-set"]["games"].max() == 153_600   # the ladder up to its nearest snapshot
    chart = next_token_depth_chart(df, placer=0.627).to_dict()
    scale = chart["hconcat"][0]["layer"][0]["encoding"]["color"]["scale"]
    assert scale["range"] == ["#9ecae1", "#08519c", "#fdae6b", "#a63603"]   # blues, then browns, light to dark


def test_the_depth_under_the_sampled_move_without_the_ladder_or_speeds_that_compare():
    """Without the depth ladder the section reads the next-token runs alone; runs on different machines with no
    speeds measured together claim no cost; a single next-token depth is no trial."""
    narrow = _objective_runs()[0]
    deeper = {**_deeper(6, [0.62, 0.665, 0.685], beside=None), "dtype": "float32"}
    numbers = {"models": {}, "width": [narrow, deeper]}
    text = findings.next_token_depth_section(numbers)
    assert "Their speeds do not compare" in text and "depth ladder" not in text
    assert text.rstrip().endswith("Under the sampled move the added layers do not lift the colour after as many games. "
                                  "All are below the 90% target after 320,000 games: the trial tells how the runs "
                                  "start, not where they end.")
    assert findings.next_token_depth_section({"models": {}, "width": [narrow]}) == ""
    assert findings.next_token_depth_by_games({"models": {}, "width": [narrow]}).empty


@pytest.mark.parametrize("deep, exact, said", [
    ([0.64, 0.69, 0.70], [0.70, 0.78, 0.84],
     "Under the sampled move too, at batch 64, the added layers lift the colour after as many games (by less than under "
     "the exact target on this recipe: +2.0 points against +6.0 points): the objective is not what lets the depth count."),
    ([0.62, 0.665, 0.685], [0.70, 0.78, 0.84],
     "Under the sampled move, on this recipe, the added layers do not lift the colour after as many games, while under "
     "the exact target they do: the objective, not the batch, is what lets the depth count here."),
    ([0.64, 0.69, 0.70], [0.68, 0.74, 0.805],
     "Under the sampled move too, at batch 64, the added layers lift the colour after as many games (about as much as "
     "under the exact target on this recipe: +2.0 points against +2.5 points): the objective is not what lets the depth "
     "count.")])
def test_the_depth_under_each_objective_on_one_recipe_reads_two_depths_by_two_objectives(deep, exact, said):
    """With the deeper shape also trained on the exact target with the width trial's recipe, the section reads two
    depths by two objectives on one recipe: both leads in the table and the text, each objective's speeds, the exact
    target's lift at each depth, the verdict against the lead on this recipe (not the ladder's longer schedule); the
    figure draws the four runs to the same games, and the other trials keep to their runs."""
    further = {**_longer(_run(192, [0.70, 0.74, 0.76], [4, 20, 40]), steps=24_000), "objective": "legal-set"}
    six = _at_depth(6, [0.74, 0.80, 0.83])
    narrow, shallow_exact = _objective_runs()[:2]
    deeper = _deeper(6, deep)
    deeper_exact = {**_deeper(6, exact, speed=1.1, beside=2.1), "objective": "legal-set"}
    numbers = {"models": {"unified": _shipped_with_ends()},
               "width": [*_objective_runs(), further, six, deeper, deeper_exact]}
    assert findings.next_token_depth_runs(numbers) == [narrow, deeper]
    assert findings.next_token_depth_exact(numbers) == [shallow_exact, deeper_exact]
    assert findings.ladder_runs(numbers) == [further, six] and lr_runs(numbers) == []
    assert "6 x 192" not in findings.objective_section(numbers)
    text = findings.next_token_depth_section(numbers)
    assert "at 3 x 192 (1.5M parameters) and 6 x 192 (2.8M parameters) with `next-token`, and at both again with " \
           "`legal-set`, with one recipe" in text
    assert "6 x 192, legal-set: CPU (AMD EPYC), 2 threads, bfloat16, PyTorch 2.13.0, 2026-12-07." in text
    assert ("| colour, 6 x 192 minus 3 x 192, next-token | colour, 6 x 192 minus 3 x 192, legal-set |") in text
    lead, lead_exact = deep[-1] - 0.68, exact[-1] - 0.78
    assert (f"| 5,000 | 320,000 | 90.0% | 68.0% (layer 3) | 90.0% | {100 * deep[-1]:.1f}% (layer 3) | 90.0% | "
            f"78.0% (layer 3) | 90.0% | {100 * exact[-1]:.1f}% (layer 3) | {findings.pts(lead)} | "
            f"{findings.pts(lead_exact)} |") in text
    assert ("With `legal-set`, speed, measured back to back on CPU (AMD EPYC), 2 threads, bfloat16, PyTorch 2.13.0, with "
            "nothing else training: 3 x 192 2.10 steps/s, 6 x 192 1.10 steps/s: the 6 x 192 model takes 1.9x as long "
            "for the same games.") in text
    assert (f"With `legal-set` on the same recipe the 6 x 192 model reads it {100 * lead_exact:.1f} points better than "
            f"the 3 x 192 one ({100 * exact[-1]:.1f}% against 78.0%); along the runs") in text
    assert (f"On this recipe the exact target lifted 3 x 192 to 78.0% (+10.0 points) and 6 x 192 to "
            f"{100 * exact[-1]:.1f}% ({findings.pts(exact[-1] - deep[-1])}) after as many games.") in text
    assert said in text
    assert ("On its longer schedule (`legal-set` too) the depth ladder's 6 x 192 read it 4.0 points better than its "
            "3 x 192 (74.0% against 70.0%) after 153,600 games") in text
    df = findings.next_token_depth_by_games(numbers)
    assert list(df["run"].unique()) == ["3 x 192, next-token", "6 x 192, next-token", "3 x 192, legal-set",
                                        "6 x 192, legal-set"]
    assert df[df["objective"] == "legal-set"]["games"].max() == 320_000   # the same recipe's runs, not the ladder's
    assert ("python scripts/width_trial.py --model unified-mixed --shapes 6x192 --steps 5000 --objective legal-set "
            "--speed-beside 3x192   # the same depths on the exact target, here") in reproduce(numbers)


def test_the_depth_ladder_points_to_the_depth_under_the_sampled_move_where_the_gpu_trials_disagree():
    """With GPU depth trials that found depth no faster per game (next-token, batch 1,024) the ladder says its recipe
    differs in batch and objective and points to the section that asks about the objective; that section says, when
    the depth lifts the colour under the sampled move too, what is left to tell the two apart."""
    from mothello.findings.pace import colour_at_games

    shipped = {**_shipped_with_ends(), "n_layer": 3, "d_model": 192, "params": 1.5e6}
    further = {**_longer(_run(192, [0.70, 0.74, 0.76], [4, 20, 40]), steps=24_000), "objective": "legal-set"}
    numbers = {"models": {"unified": shipped},
               "width": [*_objective_runs(), further, _at_depth(6, [0.74, 0.80, 0.83]), _deeper(6, [0.64, 0.70, 0.73])],
               "depth": [_scratch_depth_trial(6, 4_000, colour_at_games(shipped, 4_000 * 1024))]}
    assert ("these runs do not tell which of the two lets the depth count (the section *Does the objective let the "
            "depth count?* below asks about the objective).") in findings.ladder_section(numbers)
    text = findings.next_token_depth_section(numbers)
    assert ("the depth trials on the GPU trained `next-token`, as the shipped models do, at batch 1,024, and found "
            "deeper models learning it no faster per game.") in text
    assert ("What kept the GPU's deeper models from it lies in the rest of their recipe (batch 1,024: 16x fewer "
            "optimizer steps for as many games) or in how far they had trained") in text


def _naive_as_shipped(ends=((12_000, 0.726, 0.932), (24_000, 0.763, 0.953), (32_000, 0.786, 0.972))):
    """A shipped naive-2 as the report's numbers hold it (batch 64 to 24,000, then 1,024 to 32,000): its analysed
    stage ends (step, colour, worst language's legal moves) and its last step, probes at layer 3."""
    stages = [{"from": 0, "to": 24_000, "batch_size": 64}, {"from": 24_000, "to": 32_000, "batch_size": 1024}]
    at = {s: {"step": s, "colour_in_language": c, "legal_min": legal} for s, c, legal in ends}
    last = at.pop(ends[-1][0])
    return {**last, "name": "naive-2", "layer": 3, "n_layer": 3, "d_model": 192, "trained": {"stages": stages},
            "stage_ends": at}


def _deeper_recipe(naive_colours, speed=4.0, **over):
    """The depth ladder (unified-mixed at 3 and 4 x 192, legal-set, 24,000 steps) and a naive-2 run at 4 x 192 with
    its recipe (colours at 153,600, 768,000 and 1,536,000 games), beside both shipped models."""
    further = {**_longer(_run(192, [0.70, 0.74, 0.76], [4, 20, 40]), steps=24_000), "objective": "legal-set"}
    ladder4 = _at_depth(4, [0.72, 0.80, 0.84])
    naive = {**_at_depth(4, naive_colours, legal=0.95), "experiment": "naive-2", "cpu": "AMD EPYC",
             "measured": {"steps_per_s": speed}, **over}
    numbers = {"models": {"unified": {**_shipped_with_ends(), "n_layer": 3, "d_model": 192},
                          "naive": _naive_as_shipped()},
               "width": [*_objective_runs(), further, ladder4, naive]}
    return numbers, ladder4, naive


@pytest.mark.parametrize("colours", [[0.70, 0.82, 0.86], [0.66, 0.74, 0.78]])
def test_the_deeper_recipe_on_another_model_stands_beside_the_ladder_and_the_model_as_shipped(colours):
    """A run of another suite model with the depth ladder's recipe at one of its shapes is its own trial: a table by
    games beside the ladder's run and the model as shipped (a dash where one has no reading), the colour against the
    shipped model after as many games and after all its games, what a lead is worth in its games at its own pace,
    against the ladder's run, what the recipe lifted on each model, its pace to the target in games and hours; the
    depth ladder and the other trials keep to their runs."""
    from mothello.findings.pace import colour_per_doubling

    numbers, ladder4, naive = _deeper_recipe(colours)
    assert findings.other_model_runs(numbers) == [naive]
    assert naive not in findings.ladder_runs(numbers) and findings.narrow_runs(numbers) == []
    assert findings.pooling_by_games(numbers).empty and lr_runs(numbers) == []
    text = findings.other_model_section(numbers)
    assert text.startswith("## Does the deeper recipe hold for another model?")
    assert ("its 4 x 192 read the colour at 84.0% after 1.5 million games, where `unified-mixed` as shipped (3 x 192, "
            "next-token) read 73.2% after as many games") in text
    assert "Where each trained: naive-2, 4 x 192: CPU (AMD EPYC), 2 threads, bfloat16" in text
    assert (f"| 768,000 | 95.0% | {100 * colours[1]:.1f}% (layer 3) | 90.0% | 80.0% (layer 3) | 93.2% | 72.6% (layer 3) |"
            in text)
    assert "| 9,728,000 | – | – | – | – | 97.2% | 78.6% (layer 3) |" in text
    d = colours[-1] - 0.763
    assert (f"After 1.5 million games `naive-2, 4 x 192` reads the colour at {100 * colours[-1]:.1f}% (layer 3; legal "
            f"moves 95.0% in its worst language), {findings.pts(d)} against `naive-2` as shipped after as many games "
            f"(76.3%) and {findings.pts(colours[-1] - 0.786)} against it after all of its 9.7 million games (78.6%).") in text
    per = colour_per_doubling(numbers["models"]["naive"])
    assert f"that lead is worth some {2 ** (d / per):,.0f}x the games." in text
    lift = colours[-1] - 0.84
    assert ("reads the colour as well" if abs(lift) <= 0.01 else
            f"reads it {100 * abs(lift):.1f} points {'better' if lift > 0 else 'worse'}") in text
    assert ("`naive-2` reads its 2 languages without a shared output, each from its own share of the games (768,000 "
            "each here), where `unified-mixed` predicts every language's moves in one output language") in text
    assert (f"the recipe lifted the colour by {findings.pts(d)} on `naive-2` and "
            f"{findings.pts(0.84 - findings.colour_at_games(numbers['models']['unified'], 1_536_000))} on "
            "`unified-mixed`.") in text
    gain = colours[-1] - colours[-2]
    more = (0.9 - colours[-1]) / gain
    hours = (1_536_000 * 2 ** more - 1_536_000) / 64 / 4.0 / 3600
    assert (f"Over its last doubling of the games (768,000 to 1,536,000) it gained {findings.pts(gain)} per doubling; "
            f"at that pace it would read the colour at 90% after about {findings.millions(1_536_000 * 2 ** more)} in "
            f"all ({more:.1f} more doublings), some {hours:,.0f} more hours of training at its speed where it "
            "trained (4.00 steps/s at batch 64 on CPU (AMD EPYC), 2 threads, PyTorch 2.13.0, bfloat16)") in text
    assert "they do not compare across machines" in text   # the ladder's run names no CPU model: another machine
    assert text.rstrip().endswith("All are below the 90% target after 1.5 million games.")
    assert ("python scripts/width_trial.py --model naive-2 --shapes 4x192 --steps 24000 --objective legal-set   # the "
            "deeper recipe on another model, here") in reproduce(numbers)
    df = findings.other_model_by_games(numbers)
    assert list(df["run"].unique()) == ["naive-2, 4 x 192", "unified-mixed, 4 x 192",
                                        "naive-2 as shipped (3 x 192, next-token)"]
    assert list(df.drop_duplicates("run")["part"]) == ["run", "ladder", "shipped"]
    assert df[df["part"] == "shipped"]["games"].tolist() == [768_000, 1_536_000, 9_728_000]


def test_the_deeper_recipe_on_another_model_says_when_it_reaches_the_target_or_levels_off():
    numbers, _, _ = _deeper_recipe([0.80, 0.88, 0.905])
    text = findings.other_model_section(numbers)
    assert "it gained +2.5 points per doubling, and it reads the colour at or above the 90% target." in text
    assert "All are below" not in text
    level = findings.other_model_section(_deeper_recipe([0.80, 0.84, 0.845])[0])
    assert "it gained +0.5 points per doubling: levelled off below the target." in level
    unified = findings.other_model_section(_deeper_recipe([0.70, 0.82, 0.86], experiment="unified-2")[0])
    assert "## Does the deeper recipe hold for another model?" in unified
    assert "without a shared output" not in unified and "as shipped after as many games (" not in unified
    same_machine = findings.other_model_section(_deeper_recipe([0.70, 0.82, 0.86], cpu=None)[0])
    assert ("Each measured alone on CPU, 2 threads, PyTorch 2.13.0, bfloat16: `naive-2` 4.00 steps/s, `unified-mixed` "
            "3.00 steps/s at the same shape and batch (1.3x the steps an hour") in same_machine


def test_no_deeper_recipe_section_without_the_ladder_or_with_another_recipe():
    numbers, ladder4, naive = _deeper_recipe([0.70, 0.82, 0.86])
    for other in ({**naive, "steps": 12_000}, {**naive, "objective": "next-token"}, {**naive, "n_layer": 5},
                  {**naive, "lr": 3e-3}, {**naive, "batch_size": 32}):
        alone = {**numbers, "width": [r for r in numbers["width"] if r is not naive] + [other]}
        assert findings.other_model_runs(alone) == [] and findings.other_model_section(alone) == ""
        assert findings.other_model_by_games(alone).empty
    no_ladder = {**numbers, "width": [r for r in numbers["width"] if r is not ladder4]}   # one depth: no ladder
    assert findings.other_model_section(no_ladder) == ""


def test_the_deeper_recipe_carried_on_goes_on_along_its_line_and_its_reproduce_line():
    numbers, _, naive = _deeper_recipe([0.70, 0.82, 0.86])
    stage = {**_stage(naive, [0.87, 0.88, 0.895]), "from_run": "scratch-naive-2-4x192-legal-set-24000-steps"}
    numbers["width"].append(stage)
    assert findings.other_model_runs(numbers) == [naive]   # a later stage is not a run from scratch
    df = findings.other_model_by_games(numbers)
    own = df[df["run"] == "naive-2, 4 x 192"]
    assert own["games"].max() == 48_000 * 64 and own["minutes"].is_monotonic_increasing
    text = findings.other_model_section(numbers)
    assert "After 3.1 million games `naive-2, 4 x 192` reads the colour at 89.5%" in text
    assert "Over its last doubling of the games (1,536,000 to 3,072,000) it gained +3.5 points per doubling" in text
    # the shipped model has no stage end at 3.1 million games: read off its line, and said so
    there = findings.colour_at_games(numbers["models"]["naive"], 48_000 * 64)
    assert (f"{findings.pts(0.895 - there)} against `naive-2` as shipped after as many games ({100 * there:.1f}%; on "
            "its line between its stage ends)") in text
    # the ladder's run stopped at 1.5 million games: compared there, not 'after as many games' as the run's last
    assert ("The depth ladder's `unified-mixed` at 4 x 192 read 84.0% after 1.5 million games, its last reading; "
            "`naive-2` read 86.0% there: 2.0 points better.") in text
    assert "read 84.0% after as many games" not in text
    assert (f" naive-2, 4 x 192 was carried on past its schedule's end, on the same stream of games: to 48,000 steps "
            f"(a warm restart: peak lr {stage['lr']:g}, warm-up {stage['warmup_steps']:,}, cosine to "
            f"{stage['min_lr']:g}).\n") in text
    assert "carried on past" not in findings.other_model_section(_deeper_recipe([0.70, 0.82, 0.86])[0])
    assert "Over each model as shipped after 1.5 million games the recipe lifted the colour by +9.7 points on" in text
    assert ("--model naive-2 --shapes 4x192 --steps 24000 --objective legal-set --carry-on 24000   # the deeper recipe "
            "on another model, carried on, here") in reproduce(numbers)


def test_the_deeper_recipe_carried_on_twice_says_its_stages_once_and_when_it_passed_the_ladders_run():
    """Two later stages with one recipe: their warm restart is said once; a run behind the ladder's last reading
    there that passes it later says after how many games (and not when it never does)."""
    numbers, _, naive = _deeper_recipe([0.70, 0.78, 0.80])
    first = {**_stage(naive, [0.80, 0.81, 0.83]), "from_run": "scratch-naive-2-4x192-legal-set-24000-steps"}
    second = {**_stage(first, [0.835, 0.845, 0.85], steps=48_000),
              "from_run": "scratch-naive-2-4x192-legal-set-24000-steps-to-48000"}
    numbers["width"] += [first, second]
    text = findings.other_model_section(numbers)
    assert (" naive-2, 4 x 192 was carried on past its schedule's end, on the same stream of games: to 48,000 steps, "
            "then to 96,000 steps, each a warm restart (peak lr 0.001, warm-up 200, cosine to 0.0001).\n") in text
    assert ("The depth ladder's `unified-mixed` at 4 x 192 read 84.0% after 1.5 million games, its last reading; "
            "`naive-2` read 80.0% there: 4.0 points worse, and first read more than it after 4.6 million games "
            "(84.5%).") in text
    assert "After 6.1 million games `naive-2, 4 x 192` reads the colour at 85.0%" in text
    second["lr"] = 5e-4   # stages with their own recipes: each says its own
    assert ("to 48,000 steps (a warm restart: peak lr 0.001, warm-up 200, cosine to 0.0001); then to 96,000 steps (a "
            "warm restart: peak lr 0.0005") in findings.other_model_section(numbers)
    numbers["width"].remove(second)
    assert "first read more than it" not in findings.other_model_section(numbers)   # never passed it


def test_the_deeper_recipe_chart_draws_the_run_the_ladder_and_the_model_as_shipped_apart():
    from mothello.ui.charts import other_model_chart

    numbers, _, _ = _deeper_recipe([0.70, 0.82, 0.86])
    made = other_model_chart(findings.other_model_by_games(numbers), placer=0.627).to_dict()
    assert [p["title"] for p in made["hconcat"]] == ["after as many games", "legal moves, after as many games"]
    scale = made["hconcat"][0]["layer"][0]["encoding"]["color"]["scale"]
    assert scale == {"domain": ["naive-2, 4 x 192", "unified-mixed, 4 x 192", "naive-2 as shipped (3 x 192, next-token)"],
                     "range": ["#08519c", "#e6550d", "#737373"]}
    assert made["title"]["text"].startswith("The deeper recipe on another model")
