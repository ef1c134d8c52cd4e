"""The transfer experiment and alignment over training (mothello.transfer), on a toy budget: pretrain
on games opening 19, 18, 17, fine-tune on one language, measure every language at every snapshot."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis_helpers import config
from mothello import transfer as tr
from mothello.checkpoints import list_snapshots, load_checkpoint
from mothello.data import TrainingData
from mothello.languages import Vocabulary
from mothello.train import TrainConfig, read_metrics
from mothello.transfer import (RESTRICTED_OPENING, TransferConfig, alignment_over_training, load_transfer_run,
                               metrics_table, run_transfer, transfer_table)

TOY = dict(finetune_language=1, preset="tiny", pretrain_steps=30, finetune_games=256, finetune_epochs=1,
           snapshots_per_epoch=2, batch_size=64, eval_games=10, probe_games=60)


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    exp = config("naive-2")
    tc = TransferConfig(**TOY)
    out = tmp_path_factory.mktemp("transfer") / "naive-2-transfer"
    run_transfer(exp, tc, out)
    return exp, tc, out


def test_settings_of_the_two_phases():
    tc = TransferConfig(**TOY)
    pre = tc.pretrain_config()
    assert pre.prefix == RESTRICTED_OPENING == [19, 18, 17]
    assert pre.total_steps == 30 and pre.languages is None and pre.games is None
    ft = tc.finetune_config("somewhere")
    assert ft.languages == [1] and ft.init_from == "somewhere" and ft.prefix is None
    assert ft.games == 256 and ft.total_steps == 4
    with pytest.raises(ValueError, match="unknown transfer setting"):
        TransferConfig.from_dict({**tc.to_dict(), "colour": 1})
    assert TransferConfig.from_dict(tc.to_dict()) == tc


@pytest.mark.parametrize("bad, said", [
    ({"pretrain_steps": 0}, "pretrain_steps must be >= 1"), ({"finetune_epochs": 0}, "finetune_epochs must be >= 1"),
    ({"snapshots_per_epoch": 0}, "snapshots_per_epoch must be >= 1"), ({"probe_games": 0}, "probe_games must be >= 1"),
    ({"eval_games": -1}, "eval_games must be >= 1"),
    ({"finetune_games": 63}, r"finetune_games \(63\) must be at least the batch size \(64\)"),
    ({"pretrain_lr": float("nan")}, "pretrain_lr must be a number >= 0"),
    ({"finetune_lr": -1e-4}, "finetune_lr must be a number >= 0")])
def test_transfer_settings_that_cannot_run_are_refused_when_made(bad, said, tmp_path):
    """Settings that would fail in the fine-tuning phase fail when they are made (the CLI and the Train page make
    them before any work), not after the pretraining; run_transfer checks both phases before it writes anything."""
    with pytest.raises(ValueError, match=said):
        TransferConfig(**{**TOY, **bad})
    with pytest.raises(ValueError, match=said):
        TransferConfig.from_dict({**TransferConfig(**TOY).to_dict(), **bad})
    tc = TransferConfig(**TOY)
    tc.finetune_epochs = 0   # changed after it was made: run_transfer still refuses it before the pretraining
    with pytest.raises(ValueError):
        run_transfer(config("naive-2"), tc, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_transfer_run_writes_the_table(toy_run):
    exp, tc, out = toy_run
    status = json.loads((out / "status.json").read_text())
    assert status["state"] == "finished" and status["phase"] == "done" and status["step"] == status["total"]
    for f in ("experiment.toml", "transfer.json", "transfer.csv", "pretrain/model.safetensors",
              "finetune/model.safetensors"):
        assert (out / f).is_file(), f
    df = pd.read_csv(out / "transfer.csv")
    assert list(df.columns) == ["snapshot", "step", "language", "metric", "value"]
    snaps = list_snapshots(out / "finetune")
    assert [s for s, _ in snaps] == [2, 4]  # 4 fine-tuning steps, 2 snapshots
    # snapshot 0 = the pretrained model (step 0 of fine-tuning), then one per fine-tuning snapshot
    assert sorted(df.snapshot.unique()) == [0, 1, 2]
    assert df.groupby("snapshot").step.first().tolist() == [0, 2, 4]
    acc = df[df.metric == "legal_move_accuracy"]
    assert len(acc) == 3 * 2
    for k in range(3):
        assert sorted(acc[acc.snapshot == k].language) == ["L0", "L1"]
    assert acc.value.between(0, 1).all()
    # alignment between the fine-tuned language and the other, and the probe in the fine-tuned one
    al = df[df.metric == "alignment_from_finetuned"]
    assert sorted(al.snapshot) == [0, 1, 2] and set(al.language) == {"L0"}
    pil = df[df.metric == "probe_in_language"]
    assert sorted(pil.snapshot) == [0, 1, 2] and set(pil.language) == {"L1"}
    # the measurement at snapshot 0 is the pretrained model's
    pre = load_checkpoint(out / "pretrain")
    from mothello.data import heldout_games
    from mothello.evaluate import legal_move_accuracy

    expect = legal_move_accuracy(pre.model, pre.vocab, heldout_games(tc.eval_games, seed=tc.seed + 7))
    got = acc[acc.snapshot == 0].set_index("language").value.to_dict()
    assert got == pytest.approx(expect)
    last = load_checkpoint(snaps[-1][1])
    expect = legal_move_accuracy(last.model, last.vocab, heldout_games(tc.eval_games, seed=tc.seed + 7))
    assert acc[acc.snapshot == 2].set_index("language").value.to_dict() == pytest.approx(expect)


def test_pretraining_games_open_with_19_18_17(toy_run):
    exp, tc, out = toy_run
    pre = json.loads((out / "pretrain" / "train.json").read_text())
    assert pre["prefix"] == [19, 18, 17] and pre["languages"] is None
    ptc = TrainConfig.from_dict(pre)
    data = TrainingData(Vocabulary.build(exp), ptc.batch_size, ptc.games, seed=ptc.seed, prefix=ptc.prefix,
                        languages=exp.input_languages)
    seen_langs = set()
    for step in range(ptc.total_steps):
        b = data.batch(step)
        assert (b.games[:, :3] == [19, 18, 17]).all()
        seen_langs |= set(b.languages.tolist())
    assert seen_langs == {0, 1}  # pretraining uses every language
    ft = json.loads((out / "finetune" / "train.json").read_text())
    assert ft["prefix"] is None and ft["init_from"] == str(out / "pretrain")
    ftc = TrainConfig.from_dict(ft)
    fdata = TrainingData(Vocabulary.build(exp), ftc.batch_size, ftc.games, seed=ftc.seed, languages=ftc.languages)
    openings = {tuple(fdata.batch(s).games[i, :3]) for s in range(ftc.total_steps) for i in range(ftc.batch_size)}
    assert len(openings) > 1  # the fine-tuning games come from the full distribution


def test_finetuning_trains_only_the_chosen_language(toy_run):
    exp, tc, out = toy_run
    ft = json.loads((out / "finetune" / "train.json").read_text())
    assert ft["languages"] == [1]
    ftc = TrainConfig.from_dict(ft)
    data = TrainingData(Vocabulary.build(exp), ftc.batch_size, ftc.games, seed=ftc.seed, languages=ftc.languages)
    assert all((data.batch(s).languages == 1).all() for s in range(ftc.total_steps))
    # fine-tuning started from the pretrained weights: its first snapshot (2 small steps) is close to them
    pre = load_checkpoint(out / "pretrain").model.state_dict()
    first = load_checkpoint(list_snapshots(out / "finetune")[0][1]).model.state_dict()
    dist = sum(float((first[k] - pre[k]).norm() ** 2) for k in pre) ** 0.5
    size = sum(float(pre[k].norm() ** 2) for k in pre) ** 0.5
    assert dist < 0.05 * size
    exp2, tc2 = load_transfer_run(out)
    assert exp2.name == exp.name and tc2 == tc


def test_resume_does_not_retrain(toy_run, monkeypatch):
    exp, tc, out = toy_run
    before = (out / "transfer.csv").read_text()
    weights = (out / "finetune" / "model.safetensors").read_bytes()

    def no_training(*a, **k):
        raise AssertionError("trained again although both phases are finished")

    def no_measuring(*a, **k):
        raise AssertionError("measured again although every snapshot is in the table")

    monkeypatch.setattr(tr, "train", no_training)
    monkeypatch.setattr(tr, "_measure", no_measuring)
    assert run_transfer(exp, tc, out, resume=True) == out
    status = json.loads((out / "status.json").read_text())
    assert status["state"] == "finished" and status["step"] == status["total"]
    assert (out / "transfer.csv").read_text() == before
    assert (out / "finetune" / "model.safetensors").read_bytes() == weights
    with pytest.raises(ValueError, match="resume"):
        run_transfer(exp, tc, out)  # the same folder without resume


def test_resume_measures_only_missing_snapshots(toy_run, tmp_path, monkeypatch):
    """A job killed during the measurements continues with the snapshots not yet in the table."""
    import shutil

    exp, tc, out = toy_run
    copy = tmp_path / "run"
    shutil.copytree(out, copy)
    df = pd.read_csv(copy / "transfer.csv")
    df[df.snapshot < 2].to_csv(copy / "transfer.csv", index=False)
    calls = []
    real = tr._measure
    monkeypatch.setattr(tr, "train", lambda *a, **k: pytest.fail("retrained"))
    monkeypatch.setattr(tr, "_measure", lambda ck, tc_, k, step, games, device: calls.append(k) or real(
        ck, tc_, k, step, games, device))
    run_transfer(exp, tc, copy, resume=True)
    assert calls == [2]
    again = pd.read_csv(copy / "transfer.csv")
    assert sorted(again.snapshot.unique()) == [0, 1, 2]
    pd.testing.assert_frame_equal(again[again.snapshot < 2].reset_index(drop=True),
                                  df[df.snapshot < 2].reset_index(drop=True))


def test_transfer_table_marks_the_finetuned_language(toy_run):
    exp, tc, out = toy_run
    df = transfer_table(out)
    assert {"snapshot", "step", "language", "metric", "value", "finetuned", "experiment"} <= set(df.columns)
    assert (df.finetuned == (df.language == "L1")).all()
    assert df.finetuned.any() and not df.finetuned.all()
    assert set(df.experiment) == {"naive-2"}


def test_bad_settings(tmp_path, toy_run):
    exp, tc, out = toy_run
    with pytest.raises(ValueError, match="'out' is the unified output language of unified-mixed"):
        run_transfer(config("unified-mixed"), TransferConfig(**{**TOY, "finetune_language": 0}), tmp_path / "x")
    with pytest.raises(FileNotFoundError):
        transfer_table(tmp_path)
    with pytest.raises(ValueError, match="not a transfer run"):
        load_transfer_run(tmp_path)


def test_alignment_over_training(toy_run):
    exp, tc, out = toy_run
    seen = []
    df = alignment_over_training(out / "finetune", n_train=40, progress=lambda f, m: seen.append(f))
    assert seen[-1] == 1.0
    assert sorted(df.step.unique()) == [2, 4]  # the snapshots; the final model is the last one
    assert set(df.layer) == {2}
    metrics = {"cross_lingual", "in_language", "aligned_rotation", "colour_cross", "colour_in",
               "legal_move_accuracy"}
    for step in (2, 4):
        part = df[df.step == step]
        assert set(part.metric) == metrics and len(part) == len(metrics)
    acc = df[df.metric == "legal_move_accuracy"].set_index("step").value
    snaps = dict(list_snapshots(out / "finetune"))
    for step in (2, 4):
        recorded = load_checkpoint(snaps[step]).metrics["legal_move_accuracy"]
        assert acc[step] == pytest.approx(np.mean(list(recorded.values())))
    vals = df[df.metric != "legal_move_accuracy"].value
    assert vals.between(0, 1).all()


def test_alignment_over_training_is_stored_per_settings_and_weights(toy_run, tmp_path, monkeypatch):
    import shutil

    _, _, out = toy_run
    ck = tmp_path / "finetune"
    shutil.copytree(out / "finetune", ck)
    assert tr.stored_alignment_over_training(ck, 2, 40) is None
    calls = []
    real = tr.alignment_over_training
    monkeypatch.setattr(tr, "alignment_over_training", lambda *a, **k: calls.append(k) or real(*a, **k))
    first = tr.load_or_compute_alignment_over_training(ck, n_train=40)   # default layer: the last
    assert len(calls) == 1 and calls[0]["layer"] == 2
    again = tr.load_or_compute_alignment_over_training(ck, layer=2, n_train=40)
    assert len(calls) == 1                                               # read back, not recomputed
    pd.testing.assert_frame_equal(again[first.columns].reset_index(drop=True), first.reset_index(drop=True),
                                  check_dtype=False)
    tr.load_or_compute_alignment_over_training(ck, layer=1, n_train=40)  # other settings: computed, kept beside
    assert len(calls) == 2 and tr.stored_alignment_over_training(ck, 2, 40) is not None
    assert set(pd.read_csv(tr.aot_path(ck)).layer) == {1, 2}
    meta = json.loads((ck / "checkpoint.json").read_text())              # new weights: stale rows are not used
    meta["weights_sha256"] = "0" * 64
    (ck / "checkpoint.json").write_text(json.dumps(meta))
    assert tr.stored_alignment_over_training(ck, 2, 40) is None


def test_metrics_table(toy_run):
    exp, tc, out = toy_run
    rows = read_metrics(out / "pretrain")
    df = metrics_table(out / "pretrain")
    assert list(df.columns) == ["step", "metric", "language", "value"]
    n_loss = sum((r.get("train_loss") is not None) + (r.get("val_loss") is not None) for r in rows)
    assert len(df) == n_loss + 2 * len(rows)
    acc = df[df.metric == "legal_move_accuracy"]
    assert set(acc.language) == {"L0", "L1"} and len(acc) == 2 * len(rows)
    assert sorted(df.step.unique()) == sorted({r["step"] for r in rows})
    assert rows[-1]["step"] == 30
    empty = metrics_table(out / "nonexistent")
    assert list(empty.columns) == ["step", "metric", "language", "value"] and len(empty) == 0


def test_install_ships_the_table_and_the_final_model(toy_run, tmp_path, monkeypatch):
    from mothello import suite
    from mothello.data import heldout_games
    from mothello.evaluate import legal_move_accuracy

    _, tc, out = toy_run
    monkeypatch.setenv("MOTHELLO_CHECKPOINTS", str(tmp_path))
    path = suite.install_transfer(out, "naive-2")
    assert path == tmp_path / "transfer-naive-2" and not list(tmp_path.glob(".*installing"))
    assert pd.read_csv(path / "transfer.csv").equals(pd.read_csv(out / "transfer.csv"))
    assert transfer_table(path).equals(transfer_table(out))
    ck = load_checkpoint(path / "finetune")
    assert ck.meta["weights_dtype"] == "float16" and ck.step == load_checkpoint(out / "finetune").step
    sample = ck.metrics["sample_check"]
    fresh = legal_move_accuracy(ck.model, ck.vocab, heldout_games(sample["games"], seed=sample["seed"]))
    assert fresh == pytest.approx(sample["legal_move_accuracy"], abs=1e-9)


def test_answer_languages_reads_the_final_model_on_the_runs_games(toy_run):
    exp, tc, out = toy_run  # fine-tuned on L1: the row is L0's
    df = tr.answer_languages(out)
    assert list(df["language"]) == ["L0"] and (df["fine-tuned"] == "L1").all()
    row = df.iloc[0]
    # naive-2 shares no tokens: every greedy token is L0's or L1's (or padding id 0, never trained as output)
    assert 0.0 <= row["answers in own language"] <= 1.0
    assert row["answers in own language"] + row["answers in fine-tuned language"] <= 1.0 + 1e-9
    # the legal share is the table's last measurement of L0
    t = pd.read_csv(out / "transfer.csv")
    last = t[(t.metric == "legal_move_accuracy") & (t.language == "L0")].sort_values("snapshot").iloc[-1]["value"]
    assert row["legal"] == pytest.approx(last, abs=1e-9)
    # limiting the choice to L0's own tokens can only turn foreign answers into moves (atomic: one token each)
    assert row["legal among own tokens"] >= row["legal"] - 1e-9


def test_answer_languages_is_none_under_unified_output(tmp_path):
    exp = config("unified-mixed")
    out = tmp_path / "u"
    out.mkdir()
    (out / "experiment.toml").write_text(exp.to_toml())
    (out / "transfer.json").write_text(json.dumps(TransferConfig(**TOY).to_dict()))
    assert tr.answer_languages(out) is None


def test_restore_parts_repeats_the_tables_ends_and_ships(toy_run, tmp_path, monkeypatch):
    from mothello import suite

    exp, tc, out = toy_run
    df = pd.read_csv(out / tr.RESTORED)  # written at the end of the run
    assert df.equals(tr.restore_parts(out))  # deterministic: the same weights, the same games
    parts = list(dict.fromkeys(df["restored"]))
    assert parts == [tr.FINETUNED, *tr.model_parts(load_checkpoint(out / "finetune").model.cfg.n_layer), tr.PRETRAINED]
    t = pd.read_csv(out / "transfer.csv")
    acc = t[t.metric == "legal_move_accuracy"]
    for part, snapshot in ((tr.FINETUNED, acc.snapshot.max()), (tr.PRETRAINED, 0)):
        table = acc[acc.snapshot == snapshot].set_index("language")["value"]
        got = df[df.restored == part].set_index("language")["legal_move_accuracy"]
        assert got.sort_index().to_numpy() == pytest.approx(table.sort_index().to_numpy(), abs=1e-12)
    # a shipped run keeps only the fine-tuned model: nothing to restore there, the table ships instead
    monkeypatch.setenv("MOTHELLO_CHECKPOINTS", str(tmp_path))
    path = suite.install_transfer(out, "naive-2")
    assert tr.restore_parts(path) is None
    assert tr.stored_restored_parts(path).equals(df)


@pytest.fixture(scope="module")
def toy_variant(toy_run, tmp_path_factory):
    """toy_run fine-tuned again from its own pretraining, with two parts frozen; which runs trained."""
    exp, tc, out = toy_run
    trained = []
    real_train = tr.train

    def recording_train(exp, sub_tc, run, **k):
        trained.append(run.name)
        return real_train(exp, sub_tc, run, **k)

    variant = TransferConfig(**{**TOY, "freeze": ["block 1 attention", "output layer"], "finetune_lr": 1e-2})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tr, "train", recording_train)
        v = run_transfer(exp, variant, tmp_path_factory.mktemp("variant") / "v", pretrained=out / "pretrain")
    return variant, v, trained


def test_a_finetuning_variant_reuses_the_pretraining_and_keeps_frozen_parts(toy_run, toy_variant):
    exp, tc, out = toy_run
    variant, v, trained = toy_variant
    assert trained == ["finetune"]  # the pretraining was copied, not run again
    assert (v / "pretrain" / "model.safetensors").read_bytes() == (out / "pretrain" / "model.safetensors").read_bytes()
    assert not (v / "pretrain" / "state").exists()
    assert load_transfer_run(v)[1] == variant and tr.variant_label(variant) == "block 1 attention and output layer frozen"
    assert tr.variant_label(tc) is None
    pre = load_checkpoint(v / "pretrain").model.state_dict()
    ft = load_checkpoint(v / "finetune").model.state_dict()
    frozen = ("blocks.0.ln1.", "blocks.0.attn.", "ln_f.", "head.")
    assert all(torch.equal(pre[k], ft[k]) for k in pre if k.startswith(frozen))
    assert not all(torch.equal(pre[k], ft[k]) for k in pre if k.startswith("blocks.0.mlp."))
    # the same pretrained model on the same games: the first row of both tables is the same
    a, b = (pd.read_csv(r / "transfer.csv") for r in (out, v))
    first = [x[(x.snapshot == 0) & (x.metric == "legal_move_accuracy")].reset_index(drop=True) for x in (a, b)]
    assert first[0].equals(first[1])
    # putting a frozen part back changes nothing
    df = pd.read_csv(v / tr.RESTORED).pivot_table(index="restored", columns="language", values="legal_move_accuracy")
    assert df.loc["block 1 attention"].equals(df.loc[tr.FINETUNED]) and df.loc["output layer"].equals(df.loc[tr.FINETUNED])


def test_a_variant_ships_as_tables_and_the_report_sets_it_beside_the_plain_run(toy_run, toy_variant, tmp_path,
                                                                               monkeypatch):
    from mothello import findings, suite

    exp, tc, out = toy_run
    variant, v, _ = toy_variant
    monkeypatch.setenv("MOTHELLO_CHECKPOINTS", str(tmp_path))
    path = suite.install_transfer(v, "naive-2-frozen", weights=False)
    assert sorted(p.name for p in path.iterdir()) == sorted(
        ["transfer.csv", "transfer.json", "experiment.toml", "status.json", tr.RESTORED, tr.ANSWERS])
    assert transfer_table(path)["variant"].eq("block 1 attention and output layer frozen").all()
    assert findings.collect(tmp_path).get("variants") is None  # without its plain run beside it
    suite.install_transfer(out, "naive-2")
    numbers = findings.collect(tmp_path)
    assert list(numbers["variants"]) == ["transfer-naive-2-frozen"] and list(numbers["transfer"]) == ["naive"]
    rows = findings.variant_rows(numbers)
    last = transfer_table(v).query("metric == 'legal_move_accuracy'")
    last = last[last.snapshot == last.snapshot.max()].set_index("language")["value"]
    plain = transfer_table(out).query("metric == 'legal_move_accuracy'")
    plain = plain[plain.snapshot == plain.snapshot.max()].set_index("language")["value"]
    assert list(rows["language"]) == ["L1 (fine-tuned)", "L0"]
    assert list(rows["fine-tuned, variant"]) == [findings.pct(last["L1"]), findings.pct(last["L0"])]
    assert list(rows["fine-tuned (study's protocol)"]) == [findings.pct(plain["L1"]), findings.pct(plain["L0"])]
    text = findings.render(numbers)
    assert "A fine-tuning variant, NOT the study's protocol" in text and "`transfer-naive-2-frozen`" in text
    assert findings.verdicts(numbers) == findings.verdicts({**numbers, "variants": {}})  # verdicts ignore it


@given(st.lists(st.tuples(*[st.floats(0, 1)] * 3), min_size=1, max_size=6))
@settings(max_examples=80, deadline=None)
def test_best_snapshot_is_where_the_others_stand_highest_after_the_start(acc):
    """acc: per snapshot, legal-move accuracy of A (fine-tuned), B and C."""
    df = pd.DataFrame([{"snapshot": i, "step": 80 * i, "language": lang, "metric": "legal_move_accuracy", "value": v}
                       for i, row in enumerate(acc) for lang, v in zip("ABC", row)])
    best = tr.best_snapshot(df, "A")
    if len(acc) == 1:
        assert best is None
        return
    means = [(b + c) / 2 for _, b, c in acc]
    k = best["step"] // 80
    assert 1 <= k < len(acc) and means[k] == pytest.approx(max(means[1:]))
    assert best["others gain"] == pytest.approx(means[k] - means[0])
    assert best["fine-tuned gain"] == pytest.approx(acc[k][0] - acc[0][0])
    ft_gain = acc[k][0] - acc[0][0]
    assert np.isnan(best["transfer ratio"]) == (ft_gain <= 0.005)
    if ft_gain > 0.005:
        assert best["transfer ratio"] == pytest.approx((means[k] - means[0]) / ft_gain)
    assert tr.best_snapshot(df[df.language == "A"], "A") is None  # no other language


def test_a_longer_pretraining_ships_as_tables_and_the_report_sets_it_beside_the_plain_run(toy_run, tmp_path,
                                                                                          monkeypatch):
    """The plain run's protocol pretrained for more steps: labelled by its pretraining (not a variant),
    reported beside the plain run, and the verdicts still read the plain run."""
    from mothello import findings, suite
    from mothello.ui import transfer_views as tv

    exp, tc, out = toy_run
    longer = TransferConfig(**{**TOY, "pretrain_steps": 45})
    assert tr.scale_label(longer, tc) == "pretrained 45 steps" and tr.scale_label(tc, tc) is None
    assert tr.variant_label(longer) is None
    run = run_transfer(exp, longer, tmp_path / "runs" / "longer")
    assert load_checkpoint(run / "pretrain").step == 45
    monkeypatch.setenv("MOTHELLO_CHECKPOINTS", str(tmp_path / "ck"))
    monkeypatch.setenv("MOTHELLO_RUNS", str(tmp_path / "no-runs"))
    path = suite.install_transfer(run, "naive-2-pretrain-45", weights=False)
    assert not (path / "finetune").exists()
    assert findings.collect(tmp_path / "ck").get("longer") is None  # without its plain run beside it
    suite.install_transfer(out, "naive-2")
    numbers = findings.collect(tmp_path / "ck")
    assert list(numbers["longer"]) == ["transfer-naive-2-pretrain-45"] and numbers.get("variants") is None
    assert list(numbers["transfer"]) == ["naive"] and numbers["transfer"]["naive"]["run"] == "naive-2"

    def ends(r, lang):
        acc = transfer_table(r).query("metric == 'legal_move_accuracy' and language == @lang")
        return acc[acc.snapshot == 0]["value"].iloc[0], acc[acc.snapshot == acc.snapshot.max()]["value"].iloc[0]

    rows = findings.longer_rows(numbers)
    assert list(rows["language"]) == ["L1 (fine-tuned)", "L0"]
    for col, r in (("pretrained 30 steps", out), ("pretrained 45 steps", run)):
        a, b = ends(r, "L0")
        assert rows[col].iloc[1] == f"{findings.pct(a)} -> {findings.pct(b)} ({findings.pts(b - a)})"
    text = findings.render(numbers)
    assert "The same protocol, pretrained longer" in text and "`transfer-naive-2-pretrain-45`" in text
    assert "A fine-tuning variant" not in text
    assert findings.verdicts(numbers) == findings.verdicts({**numbers, "longer": {}})
    # in the app: labelled by its pretraining beside the plain run, and not picked by default
    tv.transfer_runs.clear()
    runs = {r["name"]: r for r in tv.transfer_runs()}
    assert runs["checkpoints/transfer-naive-2-pretrain-45"]["scale"] == "pretrained 45 steps"
    assert runs["checkpoints/transfer-naive-2"]["scale"] is None
    df, errors = tv.transfer_frames([str(path), str(tmp_path / "ck" / "transfer-naive-2")])
    assert not errors and list(dict.fromkeys(df["label"])) == ["naive-2 · pretrained 45 steps", "naive-2"]
    assert [(r["name"], r["scale"]) for r in tv.shipped_longer(runs["checkpoints/transfer-naive-2"])] == [
        ("checkpoints/transfer-naive-2-pretrain-45", "pretrained 45 steps")]
    assert tv.shipped_longer(runs["checkpoints/transfer-naive-2-pretrain-45"]) == [
        {**runs["checkpoints/transfer-naive-2"], "scale": "pretrained 30 steps"}]  # relative to the run asked about


def test_reusing_a_pretraining_that_does_not_match_is_refused_before_any_work(toy_run, tmp_path):
    exp, tc, out = toy_run
    cases = [(config("anchors-8"), TransferConfig(**TOY), out / "pretrain", "another experiment"),
             (exp, TransferConfig(**{**TOY, "pretrain_steps": 31}), out / "pretrain", "settings differ"),
             (exp, TransferConfig(**TOY), out / "finetune" / "snapshots", "not a training run"),
             (exp, TransferConfig(**{**TOY, "freeze": ["block 7 MLP"]}), out / "pretrain", "unknown model part")]
    for k, (e, t, pretrained, needle) in enumerate(cases):
        with pytest.raises(ValueError, match=needle):
            run_transfer(e, t, tmp_path / str(k), pretrained=pretrained)
        assert not (tmp_path / str(k)).exists()
    unfinished = tmp_path / "unfinished"
    shutil.copytree(out / "pretrain", unfinished)
    (unfinished / "status.json").write_text(json.dumps({"state": "running"}))
    with pytest.raises(ValueError, match="not finished"):
        run_transfer(exp, TransferConfig(**TOY), tmp_path / "u", pretrained=unfinished)
