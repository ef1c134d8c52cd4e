"""scripts/gpu_ladder.py, the width trials' runs in one timed GPU lease, checked end to end on the CPU: every shape
trained at once with width_trial's recipe, every snapshot analysed as it is written, the records and the files that
come back; then width_trial.py --merge adding those records to the width trials' own."""

import importlib.util
import tarfile

import pytest

from conftest import ROOT
from mothello import storage
from mothello.checkpoints import checkpoints_dir, list_snapshots, load_checkpoint
from mothello.findings import WIDTH_RUNS


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gpu_ladder, width_trial = _load("gpu_ladder"), _load("width_trial")
ARGS = ["--model", "naive-2", "--shapes", "1x32", "--steps", "4", "--objective", "legal-set", "--probe-games", "12",
        "--no-compile"]


@pytest.fixture(scope="module")
def lease(tmp_path_factory):
    """One CPU-sized call: naive-2 at 1 x 32, legal-set, 4 steps (snapshots at steps 1, 2 and 4), in runs of its
    own (width_trial's tests train a run of that name at another batch)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("MOTHELLO_RUNS", str(tmp_path_factory.mktemp("runs")))   # the workers inherit it
    out = tmp_path_factory.mktemp("out")
    rc = gpu_ladder.main([*ARGS, "--seconds", "240", "--analysis-seconds", "240", "--out", str(out)])
    yield rc, out, width_trial.run_dir("naive-2", "1x32", "legal-set", 4)
    mp.undo()


def test_every_run_trains_with_width_trials_recipe_and_every_snapshot_is_analysed_there(lease):
    rc, out, run = lease
    assert rc == 0
    tc = storage.read_json(run / "train.json")
    want = width_trial.recipe("1x32", 4, objective="legal-set").to_dict()
    assert {k: tc[k] for k in want if k != "compile"} == {k: v for k, v in want.items() if k != "compile"}
    assert storage.read_json(run / "status.json")["state"] == "finished"
    snaps = list_snapshots(run)
    assert [s for s, _ in snaps] == [1, 2, 4]
    for _, snap in snaps:   # each analysed once, by one analyser, for these weights
        cached = storage.read_json(snap / "width.json")
        assert cached["weights_sha256"] == load_checkpoint(snap).meta["weights_sha256"] and cached["n_train"] == 12
    (rec,) = storage.read_json(out / "records.json")["runs"]
    assert (rec["n_layer"], rec["d_model"], rec["steps"], rec["objective"], rec["batch_size"]) == (1, 32, 4, "legal-set", 64)
    assert rec["compiled"] is False and rec["probe_games"] == 12 and rec["measured"]["steps_per_s"] > 0
    speed = storage.read_json(run / "speed.json")   # measured alone, before training, where the record says
    assert rec["measured"] == {k: v for k, v in speed.items() if k not in width_trial.MACHINE}
    assert {k: rec[k] for k in width_trial.MACHINE} == {k: speed[k] for k in width_trial.MACHINE}
    assert [p["step"] for p in rec["points"]] == [1, 2, 4]
    for p, (_, snap) in zip(rec["points"], snaps):
        assert p["alignment"] == storage.read_json(snap / "width.json")["alignment"]
        assert set(p["legal_move_accuracy"]) == {"L0", "L1"}


def test_what_comes_back_is_the_logs_and_the_last_two_snapshots_weights(lease, tmp_path):
    _, out, run = lease
    assert sorted(f.name for f in out.iterdir()) == [
        "logs.tar.gz", "naive-2-1x32-legal-set-4-steps-step-2.tar", "naive-2-1x32-legal-set-4-steps-step-4.tar",
        "records.json"]
    with tarfile.open(out / "logs.tar.gz") as tar:
        names = tar.getnames()
    assert {"logs/1x32.log", "logs/analyser-1.log", "logs/analyser-4.log"} <= set(names)   # one, then three more
    assert f"{run.name}/metrics.jsonl" in names and f"{run.name}/snapshots/step-000000004/width.json" in names
    assert not any(n.endswith(".safetensors") or "/state" in n for n in names)   # no weights, no optimizer state
    with tarfile.open(out / "naive-2-1x32-legal-set-4-steps-step-4.tar") as tar:
        tar.extractall(tmp_path, filter="data")
    back = load_checkpoint(tmp_path / run.name / "snapshots" / "step-000000004")
    assert back.step == 4 and back.meta["weights_sha256"] == load_checkpoint(list_snapshots(run)[-1][1]).meta["weights_sha256"]


def test_a_snapshot_not_analysed_in_time_is_left_out_of_the_record_and_taken_up_next_call(lease, tmp_path):
    _, _, run = lease
    snap = list_snapshots(run)[1][1]
    (snap / "width.json").unlink()
    out = tmp_path / "again"
    # finished: nothing trains; the analysers are stopped before an analysis could end
    assert gpu_ladder.main([*ARGS, "--seconds", "0.01", "--analysis-seconds", "0.01", "--out", str(out)]) == 0
    assert [p["step"] for p in storage.read_json(out / "records.json")["runs"][0]["points"]] == [1, 4]
    assert not snap.exists() and snap.with_name(f"unanalysed-{snap.name}").is_dir()
    assert gpu_ladder.main([*ARGS, "--seconds", "60", "--analysis-seconds", "240", "--out", str(out)]) == 0
    assert [p["step"] for p in storage.read_json(out / "records.json")["runs"][0]["points"]] == [1, 2, 4]


def test_a_snapshot_is_taken_by_one_analyser(tmp_path):
    assert gpu_ladder._claim(tmp_path) and not gpu_ladder._claim(tmp_path)


def test_merged_records_join_the_width_trials_records_each_replacing_its_own(lease, capsys):
    _, out, _ = lease
    path = checkpoints_dir() / WIDTH_RUNS
    before = storage.read_json_if_any(path).get("runs", [])
    other = {"experiment": "naive-2", "n_layer": 9, "d_model": 32, "objective": "legal-set", "steps": 4,
             "batch_size": 64, "lr": 0.0015, "measured": {"steps_per_s": 1.0}, "points": []}
    storage.write_json(path, {"runs": [*before, other]})
    try:
        for _ in range(2):   # merged twice: the record replaces itself
            assert width_trial.main(["--merge", str(out / "records.json")]) == 0
        runs = storage.read_json(path)["runs"]
        assert other in runs and len(runs) == len(before) + 2
        assert runs[-1] == storage.read_json(out / "records.json")["runs"][0]
    finally:
        storage.write_json(path, {"runs": before})


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("{not json", "not a records file"),
    ('{"runs": [{"experiment": "naive-2"}]}', "record 1 lacks n_layer, d_model"),
    ('{"runs": 3}', "its runs are not a list"),
])
def test_a_bad_records_file_is_refused_in_one_line(tmp_path, capsys, content, message):
    f = tmp_path / "records.json"
    if content is not None:
        f.write_text(content)
    with pytest.raises(SystemExit) as e:
        width_trial.main(["--merge", str(f)])
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert e.value.code == 2 and message in err


@pytest.mark.parametrize("args, message", [
    (["--shapes", "6x100", "--out", "x"], "multiple of 32"),
    (["--shapes", "", "--out", "x"], "--shapes takes shapes"),
    (["--shapes", "6x192", "--model", "nope", "--out", "x"], "no configs/nope.toml"),
    (["--shapes", "6x192", "--seconds", "0", "--out", "x"], "must be positive"),
    (["--shapes", "6x192", "--analysers", "0", "--out", "x"], "must be positive"),
    (["--shapes", "6x192"], "--out is needed"),
])
def test_bad_arguments_are_refused_in_one_line_before_anything_runs(capsys, args, message):
    with pytest.raises(SystemExit) as e:
        gpu_ladder.main(args)
    assert e.value.code == 2 and message in capsys.readouterr().err.strip().splitlines()[-1]


@pytest.mark.parametrize("latest_first, order", [(False, [1, 2, 4]), (True, [4, 2, 1])])
def test_an_analyser_takes_the_snapshots_earliest_or_latest_first_and_each_once(lease, tmp_path, monkeypatch,
                                                                                latest_first, order):
    import shutil

    _, _, run = lease
    copy = tmp_path / run.name
    for _, snap in list_snapshots(run):
        shutil.copytree(snap, copy / "snapshots" / snap.name, ignore=shutil.ignore_patterns("width.json", gpu_ladder.CLAIM))
    taken = []

    def point(snap, n_train, device=None):
        taken.append(int(snap.name.split("-")[1]))
        (snap / "width.json").write_text("{}")

    monkeypatch.setattr(gpu_ladder.width_trial, "point", point)
    (done := tmp_path / "done").touch()
    gpu_ladder.analyser([copy], done, hard=1e12, n_train=12, latest_first=latest_first)
    assert taken == order
    gpu_ladder.analyser([copy], done, hard=1e12, n_train=12, latest_first=latest_first)   # nothing left to take
    assert taken == order


def test_a_speed_that_cannot_be_measured_first_does_not_cost_the_training(lease, monkeypatch, tmp_path, capsys):
    import gpu_stages

    real, calls = gpu_stages.measure, []

    def measure(*a, **k):   # fails the first time (before training), works after it
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("CUDA error: out of memory")
        return real(*a, **k)

    monkeypatch.setattr(gpu_stages, "measure", measure)
    args = [a if a != "1x32" else "2x32" for a in ARGS]
    assert gpu_ladder.main([*args, "--seconds", "240", "--analysis-seconds", "240", "--out", str(tmp_path)]) == 0
    assert "2x32: not measured (RuntimeError: CUDA error: out of memory); measured after training instead" in \
        capsys.readouterr().out
    (rec,) = storage.read_json(tmp_path / "records.json")["runs"]
    assert rec["n_layer"] == 2 and [p["step"] for p in rec["points"]] == [1, 2, 4] and len(calls) == 2
    assert rec["measured"]["steps_per_s"] > 0
