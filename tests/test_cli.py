"""The command line (python -m mothello): generate, languages, eval, train, and one-line errors."""

import json
import shutil

import numpy as np
import pytest

from conftest import CONFIGS, run_cli
from mothello.cli import main
from mothello.languages import load_config
from mothello.othello import generate_games, replay


def _one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip("\n").splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


# ---------------------------------------------------------------------------------------------
# generate
# ---------------------------------------------------------------------------------------------
def test_generate_writes_reproducible_games(tmp_path):
    a, b, c = tmp_path / "a.npy", tmp_path / "b.npy", tmp_path / "c.npy"
    res = run_cli("generate", "--n", 37, "--seed", 5, "--out", a, check=True)
    assert f"wrote 37 games to {a}" in res.stdout
    main(["generate", "--n", "37", "--seed", "5", "--out", str(b)])  # another process, the same file
    main(["generate", "--n", "37", "--seed", "6", "--out", str(c)])
    ga = np.load(a, allow_pickle=False)
    assert ga.shape == (37, 60) and ga.dtype == np.int8
    assert a.read_bytes() == b.read_bytes()
    assert not np.array_equal(ga, np.load(c))
    np.testing.assert_array_equal(ga, generate_games(37, seed=5))
    replay(ga)  # every game is legal (raises otherwise)
    assert ((ga >= -1) & (ga < 64)).all()


def test_generate_with_a_prefix(tmp_path, capsys):
    out = tmp_path / "p.npy"
    assert main(["generate", "--n", "20", "--prefix", "c4,c3,17", "--out", str(out)]) == 0  # names or squares
    assert "wrote 20 games" in capsys.readouterr().out
    games = np.load(out)
    assert (games[:, :3] == [19, 18, 17]).all()
    assert len({tuple(g) for g in games.tolist()}) > 1
    np.testing.assert_array_equal(games, generate_games(20, prefix=[19, 18, 17]))


# ---------------------------------------------------------------------------------------------
# languages
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("config", ["naive-2", "anchors-8", "atomic-10", "unified-mixed"])
def test_languages_prints_every_language(config, capsys):
    assert main(["languages", str(CONFIGS / f"{config}.toml")]) == 0
    out = capsys.readouterr().out
    cfg = load_config(CONFIGS / f"{config}.toml")
    assert out.startswith(f"{cfg.name}: {len(cfg.languages)} languages")
    for i, lang in enumerate(cfg.languages):
        assert f"[{i}] {lang.name}" in out
        assert lang.type in out
    assert ("anchor group 0" in out) == bool(cfg.anchors)
    assert ("(output space)" in out) == cfg.unified_output
    assert "sample game" in out


def test_languages_via_the_module_entry_point():
    res = run_cli("languages", CONFIGS / "unified-mixed.toml", "--moves", 3, check=True)
    for name in ("out", "atomic-1", "atomic-2", "split", "comp"):
        assert name in res.stdout
    assert res.stderr == ""


# ---------------------------------------------------------------------------------------------
# eval
# ---------------------------------------------------------------------------------------------
def test_eval_json(tiny_checkpoint, capsys):
    assert main(["eval", str(tiny_checkpoint), "--games", "6", "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    acc = obj["legal_move_accuracy"]
    assert set(acc) == {"L0", "L1"}
    assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in acc.values())
    assert obj["games"] == 6 and obj["step"] == 157


def test_eval_table(tiny_checkpoint, capsys):
    assert main(["eval", str(tiny_checkpoint), "--games", "3"]) == 0
    out = capsys.readouterr().out
    assert "legal-move accuracy" in out and "L0" in out and "L1" in out


# ---------------------------------------------------------------------------------------------
# train: the tiny preset with its defaults (the issue: "trains in under a minute on CPU")
# ---------------------------------------------------------------------------------------------
def test_train_tiny_preset_with_default_settings_finishes(tiny_cli_train):
    r = tiny_cli_train
    assert r.proc.returncode == 0, r.proc.stderr[-3000:]
    assert r.status["state"] == "finished" and r.status["step"] == r.status["total"]
    assert "training naive-2 (tiny: 2 layers x 64 wide, 2 heads; next-token) for 157 steps" in r.proc.stdout
    assert f"finished at step 157/157: {r.run}" in r.proc.stdout
    assert "Traceback" not in r.proc.stderr


# ---------------------------------------------------------------------------------------------
# Bad input: exit status 2 and one line on stderr
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def corrupted(tiny_checkpoint, tmp_path):
    path = tmp_path / "corrupted"
    shutil.copytree(tiny_checkpoint, path, ignore=shutil.ignore_patterns("state", "snapshots"))
    w = path / "model.safetensors"
    w.write_bytes(w.read_bytes()[:1000])
    return path


def test_corrupted_checkpoint_via_the_module_entry_point(corrupted):
    res = run_cli("eval", corrupted, "--games", 2)
    assert res.returncode == 2 and res.stdout == ""
    line = _one_error_line(res.stderr)
    assert "model.safetensors" in line and "SHA-256" in line


def test_bad_inputs_end_with_one_error_line(tmp_path, corrupted, capsys):
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text('name = "x"\n[[languages]\ntype = "atomic"\n')
    invalid = tmp_path / "invalid.toml"
    invalid.write_text('[[languages]]\ntype = "klingon"\n')
    cases = [
        (["eval", str(tmp_path / "no-such-checkpoint")], "no-such-checkpoint"),
        (["eval", "checkpoints/../../etc"], ".."),
        (["eval", str(corrupted)], "SHA-256"),
        (["languages", str(tmp_path / "missing.toml")], "no such config file"),
        (["train", str(tmp_path / "missing.toml"), "--out", str(tmp_path / "r1")], "no such config file"),
        (["languages", str(bad_toml)], "invalid TOML"),
        (["languages", str(invalid)], "klingon"),
        (["generate", "--n", "3", "--prefix", "a1", "--out", str(tmp_path / "g.npy")], "illegal prefix"),
        (["generate", "--n", "3", "--prefix", "c4,c4", "--out", str(tmp_path / "g.npy")], "illegal prefix"),
        (["generate", "--n", "3", "--prefix", "z9", "--out", str(tmp_path / "g.npy")], "z9"),
        (["generate", "--n", "3", "--out", str(tmp_path / "g.txt")], ".npy"),
        (["generate", "--n", "0", "--out", str(tmp_path / "g.npy")], "--n must be at least 1 (got 0)"),
        (["languages", str(CONFIGS / "naive-2.toml"), "--moves", "-2"], "--moves must be at least 1 (got -2)"),
        (["eval", str(corrupted), "--games", "0"], "--games must be at least 1 (got 0)"),   # before the checkpoint
        (["probe", str(corrupted), "--games", "0"], "--games must be at least 1"),
        (["align", str(corrupted), "--games", "-5"], "--games must be at least 1 (got -5)"),
        (["project", str(corrupted), "--layer", "1", "--games", "0"], "--games must be at least 1"),
        (["intervene", str(corrupted), "--layer", "1", "--cases", "0"], "--cases must be at least 1 (got 0)"),
        (["train", str(CONFIGS / "naive-2.toml"), "--preset", "tiny", "--lr=-1e-3", "--out", str(tmp_path / "r8")],
         "lr must be a number >= 0 (got -0.001)"),
        (["train", str(CONFIGS / "naive-2.toml"), "--preset", "tiny", "--eval-games", "0", "--out", str(tmp_path / "r9")],
         "eval_games must be >= 1"),
        (["train", str(CONFIGS / "naive-2.toml"), "--preset", "huge", "--out", str(tmp_path / "r2")], "huge"),
        (["train", str(CONFIGS / "naive-2.toml"), "--preset", "tiny", "--prefix", "a1",
          "--out", str(tmp_path / "r3")], "a1"),
        (["train", str(CONFIGS / "naive-2.toml"), "--preset", "tiny", "--finetune-language", "L7",
          "--out", str(tmp_path / "r4")], "L7"),
        (["train", "--resume", "--out", str(tmp_path / "nothing")], "not a run directory"),
        (["train", "--out", str(tmp_path / "r5")], "config"),
        (["train", str(CONFIGS / "naive-2.toml"), "--preset", "tiny", "--d-model", "100", "--n-head", "3",
          "--out", str(tmp_path / "r6")], "divisible"),
        (["train", str(CONFIGS / "naive-2.toml"), "--n-layer", "0", "--out", str(tmp_path / "r7")], "n_layer"),
    ]
    for argv, needle in cases:
        assert main(argv) == 2, argv
        captured = capsys.readouterr()
        line = _one_error_line(captured.err)
        assert needle in line, (argv, line)
    assert not (tmp_path / "g.npy").exists() and not (tmp_path / "g.txt").exists()
    # a run refused for its settings is not left looking as if it were running
    for r in ("r1", "r2", "r3", "r4", "r5"):
        assert not (tmp_path / r / "status.json").exists()
    assert not (tmp_path / "r6").exists() and not (tmp_path / "r7").exists()  # a bad shape fails before the run
    assert not (tmp_path / "r8").exists() and not (tmp_path / "r9").exists()  # so do bad rates and evaluations


def test_transfer_cli_runs_end_to_end_and_prints_both_tables(tmp_path):
    out = tmp_path / "t"
    res = run_cli("transfer", CONFIGS / "naive-2.toml", "--preset", "tiny", "--pretrain-steps", 20,
                  "--finetune-games", 640, "--finetune-epochs", 1, "--eval-games", 5, "--out", out, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert f"finished: {out}" in res.stdout
    # the accuracy table (a row per measured step), then the one-part-put-back table (a row per part)
    assert "language" in res.stdout and "L0" in res.stdout and "L1" in res.stdout
    assert "put back to its pretrained weights" in res.stdout
    for part in ("nothing (fine-tuned model)", "position embeddings", "block 1 attention", "output layer",
                 "everything (pretrained model)"):
        assert part in res.stdout
    assert (out / "restored.csv").is_file() and (out / "transfer.csv").is_file()
    # running it again without --resume is refused in one line; --resume finds everything done
    again = run_cli("transfer", CONFIGS / "naive-2.toml", "--preset", "tiny", "--out", out)
    assert again.returncode == 2 and "--resume" in _one_error_line(again.stderr)
    resumed = run_cli("transfer", "--resume", "--out", out, timeout=300)
    assert resumed.returncode == 0 and "everything (pretrained model)" in resumed.stdout


def test_transfer_cli_bad_inputs_end_with_one_error_line(tmp_path, capsys):
    cases = [
        (["transfer", str(CONFIGS / "naive-2.toml"), "--finetune-language", "L7", "--out", str(tmp_path / "a")], "L7"),
        (["transfer", "--out", str(tmp_path / "b")], "config"),
        (["transfer", "--resume", "--out", str(tmp_path / "c")], "not a transfer run"),
        (["transfer", str(CONFIGS / "naive-2.toml"), "--preset", "huge", "--out", str(tmp_path / "d")], "huge"),
        (["transfer", str(CONFIGS / "naive-2.toml"), "--freeze", "block 9 MLP", "--out", str(tmp_path / "e")],
         "unknown model part(s) 'block 9 MLP'"),
        (["transfer", str(CONFIGS / "naive-2.toml"), "--pretrained", str(tmp_path / "nowhere"),
          "--out", str(tmp_path / "f")], "not a training run"),
        (["train", str(CONFIGS / "naive-2.toml"), "--preset", "tiny", "--freeze", "attention",
          "--out", str(tmp_path / "g")], "--freeze: unknown model part(s) 'attention'"),
        # fine-tuning settings fail before the pretraining, not after it
        (["transfer", str(CONFIGS / "naive-2.toml"), "--finetune-epochs", "0", "--out", str(tmp_path / "h")],
         "finetune_epochs must be >= 1 (got 0)"),
        (["transfer", str(CONFIGS / "naive-2.toml"), "--finetune-games", "10", "--out", str(tmp_path / "i")],
         "finetune_games (10) must be at least the batch size (64)"),
        (["transfer", str(CONFIGS / "naive-2.toml"), "--finetune-lr=-1", "--out", str(tmp_path / "j")],
         "finetune_lr must be a number >= 0 (got -1.0)"),
    ]
    for argv, needle in cases:
        assert main(argv) == 2, argv
        line = _one_error_line(capsys.readouterr().err)
        assert needle in line, (argv, line)
    assert not any((tmp_path / r).exists() for r in "hij")   # nothing pretrained for settings refused
