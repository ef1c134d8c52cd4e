"""scripts/gpu_stages.py, the driver of a timed GPU lease, on the CPU: the step count that fits, the speed
measurement, one suite model's stage from its shipped checkpoint, and the record of a paper run that the
report reads (findings.paper_runs / paper_section)."""

import dataclasses
import importlib.util
import json
import shutil
import tarfile
import threading
import time

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from conftest import CONFIGS, ROOT
from mothello import findings, storage, suite
from mothello.checkpoints import load_checkpoint, read_meta
from mothello.languages import load_config
from mothello.train import TrainConfig, cpu_model, train

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
    # where it was measured, as a record names it: speeds compare only on one CPU model, in one number format
    assert (out["device"], out["dtype"], out["threads"]) == ("CPU", "float32", torch.get_num_threads())
    assert out["cpu"] == cpu_model() and out["torch"] == torch.__version__
    bf16 = gpu_stages.measure(exp, dataclasses.replace(tc, dtype="bfloat16"), warmup=1, timed=1)
    assert bf16["dtype"] == "bfloat16"


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
    monkeypatch.setattr(gpu_stages, "_steps_that_fit", lambda rate, seconds, unit=1000, margin=0.8: 12)
    out = tmp_path / "out"
    out.mkdir()
    res = gpu_stages.worker_suite("naive-2", deadline=0, out=out, settings=dict(batch_size=4, eval_every=6))
    assert (res["from"], res["to"], res["state"], res["step"]) == (shipped_tiny, shipped_tiny + 12, "finished",
                                                                     shipped_tiny + 12)
    run = suite.runs_dir() / f"suite-naive-2-to-{shipped_tiny + 12}"
    tc = json.loads((run / "train.json").read_text())
    assert (tc["batch_size"], tc["init_step"], tc["init_from"]) == (4, shipped_tiny, str(suite.stage_run("naive-2", 0)))
    assert suite.stage_history(run) == [suite.stage_run("naive-2", 0), run]
    with tarfile.open(out / "naive-2.tar.gz") as tar:
        names = tar.getnames()
    assert f"{run.name}/model.safetensors" in names and not any("/state" in n for n in names)
    assert f"{run.name}/gpu.json" in names  # the worker's result travels inside the run
    assert set(res["legal_move_accuracy_500"]) == {"L0", "L1"}
    assert json.loads((run / "gpu.json").read_text())["legal_move_accuracy_500"] == res["legal_move_accuracy_500"]


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
    assert "| 1 | 6 (24 games) | 4 other trainings | no | 0.7 min |" in text
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
    (["--record-depth", "MISSING"], "no gpu.json, train.json, status.json, checkpoint.json there"),
    (["--scratch", "6,3x100", "--out", "OUT"], "the width must be a multiple of 32"),
    (["--scratch", "3", "--objectives", "next-token,bogus", "--out", "OUT"], "--objectives: no bogus (known: "),
    (["--objectives", "legal-set", "--out", "OUT"], "--objectives needs --scratch"),
])
def test_bad_arguments_get_a_one_line_error_before_anything_runs(tmp_path, args, message):
    import subprocess
    import sys

    args = [a.replace("OUT", str(tmp_path / "out")).replace("MISSING", str(tmp_path / "nothing")) for a in args]
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gpu_stages.py"), *args], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2 and message in proc.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_deepening_stage_grows_the_shipped_model_and_the_record_shows_its_added_blocks(shipped_tiny, tmp_path,
                                                                                          monkeypatch):
    """--deepen: the stage starts from the shipped model grown by a block (an identity at first), trains it,
    sends it back with its result; --record-depth analyses it and says how much the added block writes."""
    monkeypatch.setattr(gpu_stages, "_steps_that_fit", lambda rate, seconds, unit=1000, margin=0.8: 6)
    out = tmp_path / "out"
    out.mkdir()
    n = load_checkpoint(suite.checkpoints_dir() / "naive-2").model.cfg.n_layer
    res = gpu_stages.worker_suite("naive-2", deadline=0, out=out, shared_with=3,
                                  settings=dict(batch_size=4, eval_every=6, n_layer=n + 1, deepen=True))
    run = suite.runs_dir() / f"suite-naive-2-to-{shipped_tiny + 6}"
    assert res["to"] == shipped_tiny + 6 and load_checkpoint(run).model.cfg.n_layer == n + 1
    rec = gpu_stages.depth_record(run, n_train=12)
    assert (rec["kind"], rec["experiment"], rec["from_layers"], rec["n_layer"], rec["from_step"], rec["step"]) == \
        ("deepen", "naive-2", n, n + 1, shipped_tiny, shipped_tiny + 6)
    assert rec["shared_with"] == 3 and rec["batch_size"] == 4 and rec["probe_games"] == 12
    assert res["from_layers"] == n
    older = {k: v for k, v in res.items() if k != "from_layers"}  # a worker that did not say: the base's meta
    storage.write_json(run / "gpu.json", older)
    assert gpu_stages.depth_record(run, n_train=12)["from_layers"] == n
    writes = rec["block_writes"]
    assert len(writes) == n + 1
    assert 0 < writes[-1]["mlp"] < min(w["mlp"] for w in writes[:-1])  # six steps from zero: small, not zero
    assert set(rec["alignment"]["layers"]) == {str(x) for x in range(n + 2)}
    # the analysis is kept beside the run, keyed by its weights and probe size: a second record reuses it
    cached = json.loads((run / "depth.json").read_text())
    monkeypatch.setattr(gpu_stages, "block_writes", lambda model: [])
    import mothello.probes as probes

    monkeypatch.setattr(probes, "alignment", lambda *a, **k: pytest.fail("analysed again"))
    assert gpu_stages.depth_record(run, n_train=12)["alignment"] == cached["alignment"]


def test_a_scratch_run_trains_a_suite_model_at_another_depth(shipped_tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(gpu_stages, "_steps_that_fit", lambda rate, seconds, unit=1000, margin=0.8: 6)
    out = tmp_path / "out"
    out.mkdir()
    res = gpu_stages.worker_scratch("naive-2", "3", deadline=0, out=out, settings=dict(batch_size=4, eval_every=6))
    run = suite.runs_dir() / "scratch-naive-2-3-layers"
    ck = load_checkpoint(run)
    assert (ck.model.cfg.n_layer, ck.step, res["steps"], res["state"]) == (3, 6, 6, "finished")
    tc = json.loads((run / "train.json").read_text())
    assert tc["init_from"] is None and tc["lr"] == gpu_stages.SCRATCH["lr"] and tc["batch_size"] == 4
    with tarfile.open(out / "naive-2-3.tar.gz") as tar:
        assert f"{run.name}/gpu.json" in tar.getnames()
    assert gpu_stages.depth_record(run, n_train=12)["kind"] == "scratch"
    # a wider one: 2 layers 96 wide, heads as wide as the small preset's
    gpu_stages.worker_scratch("naive-2", "2x96", deadline=0, out=out, settings=dict(batch_size=4, eval_every=6))
    cfg = load_checkpoint(suite.runs_dir() / "scratch-naive-2-2x96").model.cfg
    assert (cfg.n_layer, cfg.d_model, cfg.n_head) == (2, 96, 3) and (out / "naive-2-2x96.tar.gz").is_file()
    # --objectives: the same shape on the next move's exact distribution, a run (and a tar) of its own
    res = gpu_stages.worker_scratch("naive-2", "3", deadline=0, out=out, settings=dict(batch_size=4, eval_every=6),
                                    objective="legal-set")
    exact = suite.runs_dir() / "scratch-naive-2-3-layers-legal-set"
    assert res["objective"] == "legal-set" and (out / "naive-2-3-legal-set.tar.gz").is_file()
    assert json.loads((exact / "train.json").read_text()) == {**tc, "objective": "legal-set"}  # else one recipe
    assert [gpu_stages.depth_record(r, n_train=12)["objective"] for r in (run, exact)] == ["next-token", "legal-set"]


@given(st.sampled_from(["naive-2", "unified-mixed"]), st.sampled_from(["6", "3x384"]),
       st.sampled_from(["next-token", "legal-set"]))
def test_a_scratch_worker_name_says_its_run_and_objective(name, spec, objective):
    worker = gpu_stages.scratch_worker(name, spec, objective)
    back = worker.split("@")
    assert back[:2] == [name, spec] and (back[2:] or ["next-token"]) == [objective]
    label = gpu_stages.scratch_label(gpu_stages.scratch_shape(spec), objective)
    assert label.endswith("-legal-set") == (objective == "legal-set") and label.startswith(("6-layers", "3x384"))


@pytest.mark.parametrize("spec, shape", [("6", {"n_layer": 6}), (" 3X384", {"n_layer": 3, "d_model": 384, "n_head": 12}),
                                         ("0", None), ("3x", None), ("x192", None), ("3x100", None), ("six", None)])
def test_a_scratch_shape_is_a_depth_or_a_depth_by_width(spec, shape):
    if shape is None:
        with pytest.raises(ValueError, match="--scratch"):
            gpu_stages.scratch_shape(spec)
    else:
        assert gpu_stages.scratch_shape(spec) == shape


def test_the_barrier_lets_the_workers_time_their_speed_together(tmp_path):
    """Each worker waits until every one is ready (or the timeout), so none times its steps alone."""
    passed = {}

    def worker(name, delay):
        time.sleep(delay)
        gpu_stages.barrier(tmp_path / "ready", name, 2, timeout=60)()
        passed[name] = time.time()

    t0 = time.time()
    threads = [threading.Thread(target=worker, args=("a", 0)), threading.Thread(target=worker, args=("b", 1.0))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert min(passed.values()) - t0 >= 1.0  # a waited for b
    t1 = time.time()
    gpu_stages.barrier(tmp_path / "alone", "c", 3, timeout=0.5)()  # the others never come: it gives up
    assert 0.5 <= time.time() - t1 < 5


def _depth_run(kind, name, n_layer, step, colour, legal=0.96, from_layers=None, from_step=0, writes=None):
    layers = {str(x): {"in_language": 0.85, "cross_lingual": 0.8, "aligned_rotation": 0.82,
                       "colour_in_language": colour - 0.01 * (n_layer - x), "colour_cross_lingual": 0.7,
                       "baseline_majority": 0.53, "baseline_random_model": float("nan")} for x in range(n_layer + 1)}
    return {"kind": kind, "experiment": name, "n_layer": n_layer, "d_model": 192, "from_layers": from_layers,
            "from_step": from_step, "step": step, "batch_size": 1024, "lr": 6e-4, "min_lr": 6e-5, "warmup_steps": 1000,
            "dtype": "bfloat16", "compiled": True, "gpu": "NVIDIA H200", "torch": "2.11.0", "shared_with": 3,
            "params": 2_700_000, "train_s": 330.0, "started": "2026-12-04T18:18:42+00:00",
            "legal_move_accuracy": {"L0": legal, "L1": legal + 0.01},
            "block_writes": writes or [{"attention": 10.0, "mlp": 20.0}] * n_layer, "probe_games": 1000,
            "alignment": {"best_layer": n_layer, "layers": layers}}


def test_the_report_shows_the_depth_trials_beside_the_shipped_models(tmp_path, monkeypatch):
    small = {"name": "unified-mixed", "step": 78_000, "params": 1_482_048, "n_layer": 3, "d_model": 192, "layer": 3,
             "legal_min": 0.96,
             "in_language": 0.87, "cross_lingual": 0.86, "colour_in_language": 0.79,
             "stage_ends": {24_000: {"step": 24_000, "legal_min": 0.9, "in_language": 0.84, "cross_lingual": 0.83,
                                     "colour_in_language": 0.73}},
             "trained": {"stages": [{"from": 0, "to": 12_000}, {"from": 12_000, "to": 78_000}]}}
    grown = _depth_run("deepen", "unified-mixed", 5, 80_000, 0.81, legal=0.97, from_layers=3, from_step=78_000,
                       writes=[{"attention": 10.0, "mlp": 20.0}] * 3 + [{"attention": 1.0, "mlp": 2.0}] * 2)
    slow = _depth_run("scratch", "unified-mixed", 6, 2_000, 0.70)    # 2.0M games: below the shipped 24,000 (1.5M)?
    numbers = {"models": {"unified": small}, "depth": [grown, slow]}
    text = findings.depth_section(numbers)
    assert text.startswith("## Is it depth?")
    assert "| unified-mixed | 3 -> 5 | 78,000 -> 80,000 (2.0 million games) | 5.5 min | 96.0% -> 97.0% | " \
           "79.0% -> 81.0% (layer 5) | 79.0% / 80.0% / 81.0% | 10% of an original block's | 80.7% |" in text
    # the shipped pace: 6 points over 1.5M -> 5.0M games (1.74 doublings); 2.0M more is 0.49 doublings: +1.7
    assert "The colour rose 2.0 points." in text and "alone on the GPU" in text
    assert "The added blocks write 10%-10% of what an original block writes" in text  # 2 points apart: not silent
    quiet = {**grown, "alignment": {**grown["alignment"], "layers": {
        k: {**v, "colour_in_language": 0.81} for k, v in grown["alignment"]["layers"].items()}}}
    quiet_text = findings.depth_section({**numbers, "depth": [quiet]})
    assert "The added blocks stayed nearly silent" in quiet_text and "| 81.0% at each |" in quiet_text
    # from scratch, by games seen: 1.5M (shipped, 24,000 steps), 2.0M (from scratch), 5.0M (shipped, 78,000)
    rows = [line for line in text.splitlines() if line.startswith(("| shipped", "| from scratch"))]
    assert [r.split(" | ")[4] for r in rows] == ["1.5 million games", "2.0 million games", "5.0 million games"]
    # the shipped model at 2.0M games: 73% + 6 points x log2(2.0/1.5) / log2(5.0/1.5) = 74.5%
    assert "6 layers 70.0% after 2.0 million games (the shipped model 74.5%, -4.5 points)" in text
    assert "no faster than the shipped one" in text
    fast = _depth_run("scratch", "unified-mixed", 6, 2_000, 0.85)
    assert "up to 10.5 points better than the shipped one after as many games" in \
        findings.depth_section({**numbers, "depth": [fast]})
    wide = {**_depth_run("scratch", "unified-mixed", 3, 2_000, 0.70), "d_model": 384}
    wide_text = findings.depth_section({**numbers, "depth": [wide]})
    assert "**Other shapes from scratch.** `unified-mixed` trained from scratch at 3 layers x 384 wide" in wide_text
    assert "3 x 384 70.0% after 2.0 million games" in wide_text and "these models learn the colour no faster" in wide_text
    assert "not of depth" not in wide_text
    # a --scratch run on the exact target (--objectives) is an objective trial: not in the depth section
    exact = {**_depth_run("scratch", "unified-mixed", 3, 2_000, 0.95), "objective": "legal-set"}
    assert findings.depth_section({**numbers, "depth": [grown, slow, exact]}) == text
    assert findings.colour_by_games({**numbers, "depth": [grown, slow, exact]}).equals(findings.colour_by_games(numbers))
    beyond = _depth_run("scratch", "unified-mixed", 6, 9_000, 0.85)  # 9.2M games: past every shipped stage end
    assert "(the shipped model" not in findings.depth_section({**numbers, "depth": [beyond]})
    assert findings.depth_section({"models": {}, "depth": []}) == ""
    # recorded into checkpoints/, read back by collect()'s reader
    monkeypatch.setenv("MOTHELLO_CHECKPOINTS", str(tmp_path / "shipped"))
    storage.write_json(tmp_path / "shipped" / findings.DEPTH_RUNS, {"runs": [grown]})
    back = findings.depth_runs(tmp_path / "shipped")
    assert [(r["kind"], r["step"], r["block_writes"]) for r in back] == [("deepen", 80_000, grown["block_writes"])]
    assert findings.depth_runs(tmp_path / "x") == []


def test_the_colour_against_games_figure_puts_each_trial_beside_its_model():
    """findings.colour_by_games: the shipped model at its stage ends, a grown model at the shipped games plus
    its stage's, a scratch run at its own; charts.colour_by_games_chart draws them on a log axis under the
    target."""
    from mothello.ui.charts import colour_by_games_chart, finish

    small = {"name": "unified-mixed", "step": 78_000, "n_layer": 3, "colour_in_language": 0.79,
             "stage_ends": {24_000: {"step": 24_000, "colour_in_language": 0.73}},
             "trained": {"stages": [{"from": 0, "to": 12_000}, {"from": 12_000, "to": 78_000}]}}
    grown = _depth_run("deepen", "unified-mixed", 6, 80_000, 0.81, from_layers=3, from_step=78_000)
    fresh = _depth_run("scratch", "unified-mixed", 8, 2_000, 0.75)
    df = findings.colour_by_games({"models": {"unified": small}, "depth": [grown, fresh]})
    assert df.sort_values("games")[["run", "games", "colour"]].values.tolist() == [
        ["shipped, 3 layers", 24_000 * 64, 0.73], ["from scratch, 8 layers", 2_000 * 1024, 0.75],
        ["shipped, 3 layers", 78_000 * 64, 0.79], ["grown to 6 layers", 78_000 * 64 + 2_000 * 1024, 0.81]]
    assert findings.colour_by_games({"models": {"unified": small}}).empty
    spec = finish(colour_by_games_chart(df)).to_dict()
    lines, points, rule, label = spec["layer"]
    assert lines["encoding"]["x"]["scale"]["type"] == "log" and points["mark"]["type"] == "point"
    assert set(points["encoding"]["shape"]["sort"]) == {"grown to 6 layers", "from scratch, 8 layers"}
    assert rule["mark"]["type"] == "rule" and label["mark"]["type"] == "text"
    assert lines["encoding"]["x"]["scale"]["domain"] == [24_000 * 64 / 1.25, (78_000 * 64 + 2_000 * 1024) * 1.25]
