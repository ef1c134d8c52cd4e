"""The analysis commands of the command line: probe, align, project (and their one-line errors)."""

import json
import shutil

import pandas as pd
import pytest

from conftest import run_cli
from mothello.cli import main

KEYS = {"languages", "matrix", "aligned_matrix", "baseline_majority", "baseline_random_model"}


def _strict_json(text: str) -> dict:
    def no_constants(name):
        raise AssertionError(f"{name} is not JSON")

    d = json.loads(text, parse_constant=no_constants)
    assert isinstance(d, dict)
    return d


def _one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip("\n").splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def ckpt(tiny_checkpoint, tmp_path_factory):
    """A copy of the tiny checkpoint (probe writes beside it): only the checkpoint files."""
    dst = tmp_path_factory.mktemp("cli-analysis") / "tiny"
    dst.mkdir()
    for f in ("model.safetensors", "checkpoint.json"):
        shutil.copy(tiny_checkpoint / f, dst / f)
    return dst


def test_align_all_layers_json(ckpt, capsys):
    assert main(["align", str(ckpt), "--layer", "all", "--json", "--games", "100", "--no-random-baseline"]) == 0
    out = capsys.readouterr().out
    d = _strict_json(out)  # one JSON object, nothing else on stdout
    assert d["checkpoint"] == str(ckpt.resolve()) and d["labels"] == "relative" and d["kind"] == "linear"
    assert d["settings"]["n_train"] == 100
    assert set(d["layers"]) == {"0", "1", "2"}
    for x, entry in d["layers"].items():
        assert KEYS <= set(entry)
        assert entry["languages"] == ["L0", "L1"]
        for key in ("matrix", "aligned_matrix"):
            m = entry[key]
            assert len(m) == 2 and all(len(row) == 2 for row in m)
            assert all(0 <= v <= 1 for row in m for v in row)
        assert 0.4 < entry["baseline_majority"] < 0.7
        # the baseline was skipped: null (strict JSON has no NaN), not a made-up number
        assert entry["baseline_random_model"] is None and entry["baseline_random_model_colour"] is None
    # the probe reads its own language better than the other one at the last layer (naive training)
    m = d["layers"]["2"]["matrix"]
    assert m[0][0] > m[0][1] and m[1][1] > m[1][0]


def test_align_one_layer_with_the_random_baseline(ckpt, capsys):
    assert main(["align", str(ckpt), "--layer", "2", "--json", "--games", "100"]) == 0
    d = _strict_json(capsys.readouterr().out)
    assert set(d["layers"]) == {"2"}
    entry = d["layers"]["2"]
    assert KEYS <= set(entry)
    rnd = entry["baseline_random_model"]
    assert isinstance(rnd, float) and 0.3 < rnd < 0.7
    assert entry["matrix"][0][0] > rnd  # the trained model beats its random twin


def test_align_text_output(ckpt, capsys):
    assert main(["align", str(ckpt), "--layer", "1", "--games", "50", "--no-random-baseline"]) == 0
    out = capsys.readouterr().out
    assert "layer 1" in out and "majority" in out and "aligned up to rotation" in out
    assert "random model skipped" in out and "nan" not in out
    # each matrix row: the language, then one number per column, apart (short names once ran them together)
    rows = [r for line in out.splitlines() if (r := line.split()) and r[0] in ("L0", "L1") and r[1] != "L1"]
    assert len(rows) == 4 and all(len(r) == 3 for r in rows)   # direct and aligned, two rows each
    assert all(0 <= float(v) <= 1 and len(v) == 5 for r in rows for v in r[1:])


def test_probe_json(ckpt, capsys):
    assert main(["probe", str(ckpt), "--layer", "1", "--json", "--games", "100"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["labels"] == "relative" and d["kind"] == "linear"
    assert [(p["layer"], p["language"]) for p in d["probes"]] == [(1, "L0"), (1, "L1")]
    for p in d["probes"]:
        assert set(p) >= {"accuracy", "occupancy", "colour"} and 0 < p["accuracy"] <= 1
    assert set(d["baseline_majority"]) == {"accuracy", "occupancy", "colour"}
    assert d["baseline_placer"]["occupancy"] == 1.0 and 0.5 < d["baseline_placer"]["colour"] < 0.8
    # the probes are saved beside the checkpoint
    saved = sorted(p.name for p in (ckpt / "analysis" / "probes").iterdir())
    assert saved == ["L0-L1-linear-relative-n100", "L1-L1-linear-relative-n100"]


def test_project_pca_csv(ckpt, tmp_path, capsys):
    out = tmp_path / "points.csv"
    assert main(["project", str(ckpt), "--layer", "1", "--method", "pca", "--games", "4", "--out", str(out)]) == 0
    df = pd.read_csv(out)
    assert f"wrote {len(df)} points to {out}" in capsys.readouterr().out
    assert {"language", "game", "move", "square", "x", "y", "a1", "rel_h8"} <= set(df.columns)
    assert set(df.language) == {"L0", "L1"} and df.game.nunique() == 4
    assert not list(tmp_path.glob("*.tmp"))


def test_errors_are_one_line(ckpt, tmp_path):
    res = run_cli("align", ckpt, "--layer", "7", "--json", "--no-random-baseline")
    assert res.returncode == 2 and res.stdout == ""
    assert "out of range" in _one_error_line(res.stderr)
    res = run_cli("probe", tmp_path / "no-such-checkpoint", "--layer", "1")
    assert res.returncode == 2
    assert "no checkpoint" in _one_error_line(res.stderr)


def test_more_bad_input_in_process(ckpt, tmp_path, capsys):
    for argv, words in ((["align", str(ckpt), "--layer", "one"], "--layer"),
                        (["project", str(ckpt), "--layer", "5", "--method", "pca"], "out of range"),
                        (["probe", str(ckpt), "--layer", "1", "--language", "L9"], "unknown language"),
                        (["align", "runs/does-not-exist"], "no such checkpoint")):
        assert main(argv) == 2, argv
        assert words in _one_error_line(capsys.readouterr().err)


def test_the_unified_output_language_is_refused_in_one_line(tiny_unified_checkpoint, capsys):
    """The model never reads its unified output language: probing it, or intervening with a probe on it or on
    games read in it, is refused by name, in one line, before any work (nothing written beside the model)."""
    before = sorted(p.relative_to(tiny_unified_checkpoint) for p in tiny_unified_checkpoint.rglob("*"))
    for argv in (["probe", str(tiny_unified_checkpoint), "--layer", "1", "--language", "out", "--no-save"],
                 ["intervene", str(tiny_unified_checkpoint), "--layer", "1", "--probe-language", "0"],
                 ["intervene", str(tiny_unified_checkpoint), "--layer", "1", "--read-language", "out"]):
        assert main(argv) == 2, argv
        line = _one_error_line(capsys.readouterr().err)
        assert "'out' is the unified output language of unified-mixed" in line and "never reads it" in line, argv
    assert sorted(p.relative_to(tiny_unified_checkpoint) for p in tiny_unified_checkpoint.rglob("*")) == before


def test_intervene_names_its_languages(ckpt, capsys):
    """intervene trains (or reuses) the probe on the first language the model reads unless told, reads the
    edited games in the probe's language unless told, and names both in its JSON."""
    assert main(["intervene", str(ckpt), "--layer", "1", "--cases", "3"]) == 0
    d = _strict_json(capsys.readouterr().out)
    assert (d["probe_language"], d["read_language"], d["edit"], d["layer"]) == ("L0", "L0", "flip", 1)
    assert d["cases"] == 3 and 0 <= d["probe_reads_target"] <= 1
    assert main(["intervene", str(ckpt), "--layer", "1", "--cases", "3", "--read-language", "1", "--edit", "erase"]) == 0
    d = _strict_json(capsys.readouterr().out)
    assert (d["probe_language"], d["read_language"], d["edit"]) == ("L0", "L1", "erase")
