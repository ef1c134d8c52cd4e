"""scripts/gpu_stages.py, the driver of a timed GPU lease, on the CPU: the step count that fits, the speed
measurement, one suite model's stage from its shipped checkpoint, and the record of a paper run that the
report reads (findings.paper_runs / paper_section)."""

import importlib.util
import json
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import CONFIGS, ROOT
from mothello import findings, storage, suite
from mothello.checkpoints import load_checkpoint, read_meta
from mothello.languages import load_config
from mothello.train import TrainConfig, train

_spec = importlib.util.spec_from_file_location("gpu_stages", ROOT / "scripts" / "gpu_stages.py")
gpu_stages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gpu_stages)


@given(st.floats(0.5, 500), st.floats(1, 3600), st.sampled_from([100, 500, 1000]))
def test_the_steps_that_fit_leave_a_margin_and_come_in_whole_units(rate, seconds, unit):
    n = gpu_stages._steps_that_fit(rate, seconds, unit)
    assert n % unit == 0 and n >= unit
    assert n <= max(unit, rate * seconds)  # never more than the time holds at the measured rate (bar the minimum)


def test_measure_times_the_training_step_of_the_run_it_stands_for():
    exp = load_config(CONFIGS / "naive-2.toml")
    tc = TrainConfig(preset="tiny", games=None, steps=1, batch_size=4, device="cpu", dtype="float32")
    out = gpu_stages.measure(exp, tc, warmup=1, timed=3)
    assert out["steps_per_s"] > 0 and out["compiled"] is False and out["warmup_s"] >= 0


@pytest.fixture
def shipped_tiny(tmp_path, monkeypatch, tiny_checkpoint):
    """A tiny naive-2 shipped at the end of a (tiny) first stage, with a later stage to train."""
    monkeypatch.setenv("MOTHELLO_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("MOTHELLO_CHECKPOINTS", str(tmp_path / "shipped"))
    step = read_meta(tiny_checkpoint)["step"]
    monkeypatch.setattr(suite, "SUITE_TRAINING", dict(
        preset="tiny", games=None, steps=step, batch_size=8, lr=3e-3, min_lr=3e-4, warmup_steps=4,
        eval_every=8, eval_games=4, checkpoint_every=8, device="cpu", dtype="float32"))
    monkeypatch.setattr(suite, "STAGES", {"naive-2": (step + 1000,)})
    monkeypatch.setattr(suite, "full_eval_games", lambda: suite.heldout_games(3, seed=5))
    shutil.copytree(tiny_checkpoint, tmp_path / "shipped" / "naive-2", ignore=shutil.ignore_patterns("state"))
    return step


def test_a_suite_stage_continues_the_shipped_model_for_the_steps_that_fit(shipped_tiny, tmp_path, monkeypatch):
    """The worker adopts the shipped model as the previous stage, trains the steps that fit before the
    deadline (here: the minimum, one unit), and packs the run without its optimizer state."""
    monkeypatch.setattr(gpu_stages, "_steps_that_fit", lambda rate, seconds, unit=1000: 12)
    out = tmp_path / "out"
    out.mkdir()
    res = gpu_stages.worker_suite("naive-2", deadline=0, out=out, settings=dict(batch_size=4, eval_every=6))
    assert (res["from"], res["to"], res["state"], res["step"]) == (shipped_tiny, shipped_tiny + 12, "finished",
                                                                     shipped_tiny + 12)
    run = suite.runs_dir() / f"suite-naive-2-to-{shipped_tiny + 12}"
    tc = json.loads((run / "train.json").read_text())
    assert (tc["batch_size"], tc["init_step"], tc["init_from"]) == (4, shipped_tiny, str(suite.stage_run("naive-2", 0)))
    assert suite.stage_history(run) == [suite.stage_run("naive-2", 0), run]
    import tarfile

    with tarfile.open(out / "naive-2.tar.gz") as tar:
        names = tar.getnames()
    assert f"{run.name}/model.safetensors" in names and not any("/state" in n for n in names)
    assert set(res["legal_move_accuracy_500"]) == {"L0", "L1"}


def _paper_run(tmp_path, analysed: bool):
    """A tiny stand-in for a paper run folder as the lease brings it back (train.json, status.json,
    metrics.jsonl, paper.json)."""
    exp = load_config(CONFIGS / "unified-mixed.toml")
    run = tmp_path / f"paper-{analysed}"
    train(exp, TrainConfig(preset="tiny", games=None, steps=6, batch_size=4, eval_every=3, eval_games=3,
                           snapshots=[1.0], device="cpu", dtype="float32"), run)
    layers = {str(x): {"in_language": 0.8 + x / 100, "cross_lingual": 0.7 + x / 100, "aligned_rotation": 0.75,
                       "colour_in_language": 0.6 + x / 100, "colour_cross_lingual": 0.55,
                       "baseline_majority": 0.53, "baseline_random_model": float("nan")} for x in range(3)}
    res = {"train_s": 42.0, "measured": {"steps_per_s": 3.0, "warmup_s": 20.0, "compiled": False},
           "legal_move_accuracy_500": {"atomic-1": 0.9, "atomic-2": 0.95, "split": 0.8, "comp": 0.85},
           "gpu": "NVIDIA H200", "torch": "2.11.0",
           **({"alignment": {"best_layer": 2, "layers": layers}, "analysis_s": 9.0} if analysed else {})}
    storage.write_json(run / "paper.json", res)
    return run


def test_paper_runs_are_recorded_and_the_report_shows_them_beside_the_shipped_model(tmp_path, monkeypatch):
    monkeypatch.setenv("MOTHELLO_CHECKPOINTS", str(tmp_path / "shipped"))
    path = gpu_stages.record([(_paper_run(tmp_path, False), 4), (_paper_run(tmp_path, True), 0)])
    runs = findings.paper_runs(tmp_path / "shipped")
    assert path == tmp_path / "shipped" / findings.PAPER_RUNS and len(runs) == 2
    assert [r["shared_with"] for r in runs] == [4, 0] and runs[0]["alignment"] is None
    assert [r["step"] for r in runs[1]["metrics"]] == [3, 6]
    small = {"name": "unified-mixed", "step": 78_000, "params": 1_482_048, "legal_min": 0.96,
             "colour_in_language": 0.79, "stage_ends": {24_000: {"legal_min": 0.9, "colour_in_language": 0.73}},
             "trained": {"stages": [{"from": 0, "to": 12_000}, {"from": 12_000, "to": 78_000}]}}
    text = findings.paper_section({"models": {"unified": small}, "paper": runs})
    assert text.startswith("## The `tiny` preset on a GPU")
    assert "| 1 | 6 (0.0 million games) | 4 other trainings | no | 0.7 min |" in text
    assert "| 80.0% / 87.5% | n/a | n/a | n/a | n/a |" in text            # worst / mean legal; no probes
    assert "| 2 of 2 | 82.0% | 72.0% | 62.0% |" in text                  # the layer the report names
    assert "Run 1: the probe analysis did not finish inside the lease" in text
    assert "24,000 steps (1.5 million games): legal 90.0%, colour 73.0%" in text
    assert "78,000 steps (5.0 million games): legal 96.0%, colour 79.0%" in text
    assert "does not settle whether the 90% colour target is a matter of model size" in text
    assert findings.paper_section({"models": {}, "paper": []}) == ""
    assert findings.paper_runs(tmp_path / "nowhere") == []


def test_a_gpu_stage_is_reported_with_its_batch_its_gpu_and_its_speed():
    cpu = {"from": 66_000, "to": 78_000, "lr": 1e-4, "dtype": "bfloat16", "device": "cpu",
           "started": "2026-12-04T14:00:00+00:00", "finished": "2026-12-04T15:12:00+00:00"}
    gpu = {"from": 78_000, "to": 85_000, "lr": 6e-4, "min_lr": 6e-5, "dtype": "bfloat16", "batch_size": 1024,
           "device": "cuda:0", "device_name": "NVIDIA H200",
           "started": "2026-12-04T16:42:48+00:00", "finished": "2026-12-04T16:50:18+00:00"}
    assert findings.stage_notes(gpu) == ["peak lr 0.0006, cosine to 6e-05", "batch 1,024",
                                         "8 min wall-clock on a GPU (NVIDIA H200)"]
    assert findings.stage_notes(cpu) == ["peak lr 0.0001", "1.2 h wall-clock"]
    numbers = {"models": {"unified": {"name": "unified-mixed", "trained": {"stages": [
        {"from": 0, "to": 12_000, "device": "cpu"}, cpu, gpu]}}}}
    assert findings.gpu_stages(numbers) == [("unified-mixed", gpu)]
    text = findings.gpu_text(numbers)
    # 7,000 steps x 1,024 games in 450 s against 12,000 x 64 in 72 min
    assert text.startswith("One session was lent a GPU (NVIDIA H200): the last stage of `unified-mixed` ran there")
    assert f"at {7_000 * 1024 / 450:,.0f}-{7_000 * 1024 / 450:,.0f} games/s each against " \
           f"{12_000 * 64 / 4320:,.0f}-{12_000 * 64 / 4320:,.0f} games/s" in text
    assert findings.gpu_text({"models": {"unified": {"name": "u", "trained": {"stages": [cpu]}}}}) == \
        "No GPU was lent to these sessions. "


@pytest.mark.parametrize("args, message", [
    (["--models", "naive-2,bogus", "--out", "OUT"], "--models: no bogus (known: naive-2, anchors-8"),
    (["--record", "MISSING"], "no train.json, status.json, paper.json in"),
    (["--record", "MISSING:many"], "N, after the colon, is how many trainings shared the GPU"),
    (["--seconds", "5"], "--out is needed"),
])
def test_bad_arguments_get_a_one_line_error_before_anything_runs(tmp_path, args, message):
    import subprocess
    import sys

    args = [a.replace("OUT", str(tmp_path / "out")).replace("MISSING", str(tmp_path / "nothing")) for a in args]
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gpu_stages.py"), *args], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2 and message in proc.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
