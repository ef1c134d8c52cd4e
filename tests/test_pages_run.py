"""The Transfer, Train and Findings-tour pages, run headless with streamlit's AppTest: each renders
without an exception, and its main controls change what is shown (tour next/previous; a config the
validator rejects; launching a tiny run and watching it finish; the transfer curves of a toy transfer
run; alignment over training; failed and died runs). Every test has its own runs/ and checkpoints/."""

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest
import streamlit as st
import torch
from streamlit.testing.v1 import AppTest

from conftest import CONFIGS, ROOT
from mothello import jobs, storage
from mothello.checkpoints import read_meta
from mothello.train import TrainConfig, cpu_model, use_bfloat16
from mothello.transfer import per_language_transfer, transfer_table
from mothello.ui.theme import FINDINGS

PAGES = ROOT / "pages"


def finding(k: int) -> str:
    return f"### {k}. {FINDINGS[k - 1][0]}"


def page(name: str, **params) -> AppTest:
    """A fresh AppTest of pages/NAME.py, run once (caches cleared: each test has its own folders)."""
    st.cache_data.clear()
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = str(v)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def text(at: AppTest) -> str:
    """Every piece of text on the page, for asserting on."""
    parts = []
    for kind in ("markdown", "caption", "info", "error", "success", "warning", "code", "title", "subheader"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)


def charts(at: AppTest) -> list:
    return list(at.get("vega_lite_chart"))


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    """Empty runs/ and checkpoints/ for one test (job processes inherit them)."""
    out = {}
    for var, sub in (("MOTHELLO_RUNS", "runs"), ("MOTHELLO_CHECKPOINTS", "checkpoints")):
        (tmp_path / sub).mkdir()
        monkeypatch.setenv(var, str(tmp_path / sub))
        out[sub] = tmp_path / sub
    return out


# -- Findings tour ---------------------------------------------------------------------------------
def test_tour_next_and_previous_change_the_slide_and_missing_pieces_show_a_card(dirs):
    at = page("tour")
    assert "When do cross-lingual alignment and transfer emerge?" in text(at)
    assert at.button(key="tour_prev").disabled
    at.button(key="tour_next").click().run()
    assert at.query_params["slide"] == "1"
    t = text(at)
    assert finding(1) in t and "checkpoints/naive-2** is not available yet" in t and "make demo-suite" in t
    at.button(key="tour_next").click().run()
    assert finding(2) in text(at)
    at.button(key="tour_prev").click().run()
    assert finding(1) in text(at) and not at.exception
    fourth = page("tour", slide=4)
    assert finding(4) in text(fourth) and not fourth.button(key="tour_next").disabled
    fourth.button(key="tour_next").click().run()   # then the board behind the findings, the last slide
    t = text(fourth)
    assert "do the models read the board?" in t and fourth.button(key="tour_next").disabled
    assert "The suite models' probe numbers** is not available yet" in t and not fourth.exception
    assert "When do" in text(page("tour", slide="nonsense"))  # a bad ?slide= falls back to the first slide


def test_tour_transfer_slide_tells_our_numbers(dirs, toy_transfer):
    shutil.copytree(toy_transfer, dirs["checkpoints"] / "transfer-naive-2")
    at = page("tour", slide=3)
    t = text(at)
    assert finding(3) in t and len(charts(at)) == 1  # naive-2's curves; anchors-8's run is missing
    assert "transfer run of anchors-8" in t and "not available yet" in t
    df = transfer_table(toy_transfer)
    acc = df[df.metric == "legal_move_accuracy"].pivot_table(index="snapshot", columns="language", values="value")
    gain = acc["L1"].iloc[-1] - acc["L1"].iloc[0]  # L1 is the fine-tuned language (the default)
    v = round(100 * gain)
    expected = "±0 points" if v == 0 else f"{v:+d} point{'s' * (abs(v) != 1)}"
    assert f"naive-2 **{expected}** for L1" in t


def test_tour_unified_slide_names_each_other_language(dirs, toy_transfer):
    # the others' mean can hide one language rising and another falling: the slide names each
    from mothello.ui.text import pts

    shutil.copytree(toy_transfer, dirs["checkpoints"] / "transfer-unified-mixed")
    at = page("tour", slide=4)
    t = text(at)
    (lang, (before, after)), = per_language_transfer(transfer_table(toy_transfer), "L1").items()
    assert lang == "L0" and f"on average (L0 {pts(after - before)})" in t
    # the run's restored.csv says where a fallen language's loss sits (here: L0 fell 60 -> 10, block 2 MLP -> 40)
    from mothello.transfer import FINETUNED, PRETRAINED, RESTORED

    acc = {FINETUNED: (0.9, 0.1), "block 2 MLP": (0.8, 0.4), PRETRAINED: (0.5, 0.6)}
    pd.DataFrame([{"restored": p, "language": lang, "legal_move_accuracy": a[i]} for p, a in acc.items()
                  for i, lang in enumerate(("L1", "L0"))]).to_csv(
        dirs["checkpoints"] / "transfer-unified-mixed" / RESTORED, index=False)
    t = text(page("tour", slide=4))
    assert "Where that loss sits: L0 fell 60% → 10%; putting back **block 2 MLP** brings it to 40%" in t
    assert "Tried beside it" not in t
    # a shipped variant of the run (here a copy labelled as one) gets one line beside it
    variant = dirs["checkpoints"] / "transfer-unified-mixed-block-1-attention-frozen"
    shutil.copytree(toy_transfer, variant)
    tc = json.loads((variant / "transfer.json").read_text())
    (variant / "transfer.json").write_text(json.dumps({**tc, "freeze": ["block 1 attention"]}))
    from mothello.ui.text import pct

    t = text(page("tour", slide=4))
    assert (f"Tried beside it, not the study's protocol: the same fine-tuning with block 1 attention frozen ends at "
            f"L0 {pct(after)} (study's: {pct(after)})") in t
    assert "The same protocol" not in t
    # and a shipped longer pretraining of it (a copy labelled so) one more, by its own numbers
    longer = dirs["checkpoints"] / "transfer-unified-mixed-pretrain-99"
    shutil.copytree(toy_transfer, longer)
    (longer / "transfer.json").write_text(json.dumps({**tc, "pretrain_steps": 99}))
    t = text(page("tour", slide=4))
    assert (f"The same protocol, pretrained 99 steps instead of {tc['pretrain_steps']:,}: fine-tuning L1") in t
    assert f"moves the others by {pts(after - before)} (L0 {pts(after - before)})" in t


# -- Transfer ----------------------------------------------------------------------------------------
def test_transfer_runs_are_listed_in_the_study_order(dirs):
    # naive, anchors, unified (the order a talk tells them in), then any other run by name; shipped first
    from mothello.ui.transfer_views import transfer_runs

    for root, name in [("checkpoints", n) for n in ("transfer-unified-mixed", "transfer-aaa", "transfer-naive-2",
                                                     "transfer-anchors-8")] + [("runs", "my-transfer")]:
        (dirs[root] / name).mkdir(parents=True)
        (dirs[root] / name / "transfer.json").write_text("{}")
    st.cache_data.clear()  # the listing is cached for a few seconds
    assert [r["name"] for r in transfer_runs()] == [
        "checkpoints/transfer-naive-2", "checkpoints/transfer-anchors-8", "checkpoints/transfer-unified-mixed",
        "checkpoints/transfer-aaa", "runs/my-transfer"]


def test_transfer_page_without_runs_says_how_to_make_one(dirs):
    at = page("transfer")
    t = text(at)
    assert "No transfer run yet" in t and "python -m mothello transfer" in t and "Train page" in t
    assert not charts(at)
    assert "No checkpoint with snapshots yet" in t


def test_transfer_page_draws_the_curves_and_compares_settings(dirs, toy_transfer):
    shutil.copytree(toy_transfer, dirs["checkpoints"] / "transfer-naive-2")
    at = page("transfer")
    t = text(at)
    assert "L1 · tuned" in t and "others" in t and "alignment" in t
    # legal-move accuracy and alignment from the fine-tuned language; then the run's restored.csv
    assert len(charts(at)) == 3 and "Where in the weights does fine-tuning's effect sit?" in t
    spec = json.loads(charts(at)[0].proto.spec)
    assert "fine-tuning step" in json.dumps(spec) and "L1 (fine-tuned)" in json.dumps(spec)
    restored = json.dumps(json.loads(charts(at)[2].proto.spec))
    assert "fine-tuned on L1 (bold)" in restored and "put back to pretrained" in restored and "block 1 attention" in restored
    at.selectbox(key="url_view").set_value("experiment").run()
    assert not at.exception and len(charts(at)) == 3 and at.query_params["view"] == "experiment"
    at.multiselect(key="url_runs").set_value([]).run()
    assert not at.exception and not charts(at) and "Pick one or more transfer runs" in text(at)


def test_transfer_page_shows_a_variant_only_on_request_and_labels_it(dirs, toy_transfer):
    shutil.copytree(toy_transfer, dirs["checkpoints"] / "transfer-naive-2")
    variant = dirs["checkpoints"] / "transfer-naive-2-block-1-attention-frozen"
    shutil.copytree(toy_transfer, variant)
    tc = json.loads((variant / "transfer.json").read_text())
    (variant / "transfer.json").write_text(json.dumps({**tc, "freeze": ["block 1 attention"]}))
    at = page("transfer")
    ms = at.multiselect(key="url_runs")
    assert ms.value == ["checkpoints/transfer-naive-2"]  # the study's runs by default
    assert "naive-2 · block 1 attention frozen" in ms.options and "not the study's protocol" not in text(at)
    ms.set_value(["checkpoints/transfer-naive-2", "checkpoints/transfer-naive-2-block-1-attention-frozen"]).run()
    at.selectbox(key="url_view").set_value("experiment").run()
    t = text(at)
    assert not at.exception and "naive-2 · block 1 attention frozen: a fine-tuning variant, not the study's protocol" in t
    spec = json.dumps(json.loads(charts(at)[0].proto.spec), ensure_ascii=False)
    assert "naive-2 · block 1 attention frozen" in spec and '"naive-2"' in spec  # two colours, one per run


def test_transfer_page_says_when_the_other_language_answers_in_the_fine_tuned_ones_tokens(dirs, toy_transfer):
    run = dirs["checkpoints"] / "transfer-naive-2"
    shutil.copytree(toy_transfer, run)
    assert (run / "answers.csv").is_file()  # written by the run itself
    row = {"language": "L0", "fine-tuned": "L1", "answers in own language": 0.01, "legal": 0.006,
           "legal among own tokens": 0.558}
    pd.DataFrame([{**row, "answers in fine-tuned language": 0.99}]).to_csv(run / "answers.csv", index=False)
    t = text(page("transfer"))
    assert "Reading L0, the fine-tuned model answers with L1 tokens 99% of the time" in t and "56% of its moves" in t
    pd.DataFrame([{**row, "answers in fine-tuned language": 0.2}]).to_csv(run / "answers.csv", index=False)
    assert "answers with L1 tokens" not in text(page("transfer"))


def test_transfer_page_says_when_the_others_gave_back_a_rise_along_fine_tuning(dirs, toy_transfer):
    run = dirs["checkpoints"] / "transfer-naive-2"
    shutil.copytree(toy_transfer, run)
    df = pd.read_csv(run / "transfer.csv")
    acc = df.metric == "legal_move_accuracy"
    steps = sorted(df.loc[acc, "step"].unique())
    assert len(steps) == 3  # pretrained, then two snapshots

    def write(l0):  # L1 is fine-tuned: 0.5 -> 0.8 -> 0.9; L0 (the other) as given per snapshot
        for step, a, b in zip(steps, (0.5, 0.8, 0.9), l0):
            df.loc[acc & (df.step == step) & (df.language == "L1"), "value"] = a
            df.loc[acc & (df.step == step) & (df.language == "L0"), "value"] = b
        df.to_csv(run / "transfer.csv", index=False)

    write((0.4, 0.55, 0.42))
    t = text(page("transfer"))
    from mothello.ui.text import pts

    assert (f"Along fine-tuning the others stood highest at step {steps[1]:,} ({pts(0.15)} while L1 had gained "
            f"{pts(0.3)}, transfer ratio 0.50); by the end they are at {pts(0.02)}.") in t
    write((0.4, 0.45, 0.5))  # still rising at the end: nothing to say
    assert "stood highest" not in text(page("transfer"))
    write((0.6, 0.14, 0.12))  # fell at once and a little further: a smaller fall part-way is no rise given back
    assert "stood highest" not in text(page("transfer"))


def test_transfer_cards_side_by_side_put_their_notes_under_their_charts(dirs, toy_transfer):
    """Runs side by side: each card's note in words comes after its two charts, so that a longer note in one card
    does not push its charts below its neighbour's."""
    for name in ("transfer-naive-2", "transfer-anchors-8"):
        run = dirs["checkpoints"] / name
        shutil.copytree(toy_transfer, run)
        df = pd.read_csv(run / "transfer.csv")
        acc = df.metric == "legal_move_accuracy"
        for step, b in zip(sorted(df.loc[acc, "step"].unique()), (0.4, 0.55, 0.42)):  # L0 rose, then gave it back
            df.loc[acc & (df.step == step) & (df.language == "L0"), "value"] = b
        df.to_csv(run / "transfer.csv", index=False)
    at = page("transfer")
    at.multiselect(key="url_runs").set_value(["checkpoints/transfer-naive-2", "checkpoints/transfer-anchors-8"]).run()
    assert not at.exception

    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    order = [n for n in walk(at._tree) if getattr(n, "type", None) in ("vega_lite_chart", "caption", "metric")]
    notes = [i for i, n in enumerate(order) if n.type == "caption" and "stood highest" in str(n.value)]
    assert len(notes) == 2
    for k, i in enumerate(notes):   # each card: its three numbers, its two charts, then its note
        assert sum(n.type == "vega_lite_chart" for n in order[:i]) == 2 * (k + 1)
        assert sum(n.type == "metric" for n in order[:i]) == 3 * (k + 1)


def test_transfer_page_names_the_part_that_carries_a_languages_loss(dirs, toy_transfer):
    from mothello.transfer import FINETUNED, PRETRAINED, RESTORED

    run = dirs["checkpoints"] / "transfer-naive-2"
    shutil.copytree(toy_transfer, run)
    acc = {FINETUNED: (0.90, 0.20), "token embeddings": (0.88, 0.25), "block 1 MLP": (0.85, 0.50),
           PRETRAINED: (0.60, 0.70)}  # (L1 fine-tuned, L0): L0 fell 50 points; block 1 MLP brings back 30
    pd.DataFrame([{"restored": p, "language": lang, "legal_move_accuracy": a[i]} for p, a in acc.items()
                  for i, lang in enumerate(("L1", "L0"))]).to_csv(run / RESTORED, index=False)
    t = text(page("transfer"))
    assert "L0 fell 70% → 20%; putting back **block 1 MLP** brings it to 50% (60% of the loss)" in t
    assert "while L1 keeps 85%" in t
    for bad in ("not,a\ntable,at all\n", "restored,language,legal_move_accuracy\nblock 1 MLP,L0,0.5\n"):
        (run / RESTORED).write_text(bad)  # unreadable, or without its two end rows: no section, the rest stays
        at = page("transfer")
        assert not at.exception and len(charts(at)) == 2 and "Where in the weights" not in text(at)


def test_transfer_page_alignment_over_training_computes_stores_and_reloads(dirs, toy_transfer, monkeypatch):
    """The finetune/ run of the toy transfer (2 snapshots) as an ordinary run; the alignment itself is
    replaced by a fast stand-in (the backend function has its own tests): the page shows the prompt,
    computes with progress on click, stores the table beside the checkpoint and shows it from there."""
    import mothello.transfer as transfer

    run = dirs["runs"] / "toy-finetune"
    shutil.copytree(toy_transfer / "finetune", run)
    calls = []

    def fake(path, layer=None, n_train=500, progress=None, **kw):
        calls.append((str(path), layer, n_train))
        progress(0.5, "snapshot")
        return pd.DataFrame([{"step": s, "layer": layer, "metric": m, "value": v}
                             for s in (1, 2) for m, v in (("cross_lingual", 0.4 + s / 10), ("in_language", 0.9),
                                                          ("aligned_rotation", 0.8), ("legal_move_accuracy", 0.3))])

    monkeypatch.setattr(transfer, "alignment_over_training", fake)
    at = page("transfer", aot_games=200)
    assert "Not computed yet for **runs/toy-finetune**" in text(at)
    at.button[0].click().run()
    assert not at.exception and calls == [(str(run), 2, 200)]
    stored = pd.read_csv(run / "analysis" / "alignment_over_training.csv")
    assert set(stored["weights"]) == {read_meta(run)["weights_sha256"][:16]} and len(stored) == 8
    at = page("transfer", aot_games=200)  # a new session: read from the stored table, nothing recomputed
    assert len(calls) == 1 and len(charts(at)) == 1
    assert "the cross-lingual probe from **50%** to **60%**" in text(at)


# -- Train -------------------------------------------------------------------------------------------
def test_train_page_shows_what_the_validator_rejects(dirs):
    at = page("train")
    assert "Valid: 2 languages" in text(at) and not at.button(key="launch").disabled
    at.text_input(key="b_anchors").input("a2, d4").run()
    assert "not playable" in text(at) and at.button(key="launch").disabled
    at.text_input(key="b_anchors").input("a2, z9").run()
    assert "'z9' is not a square" in text(at)
    at.text_input(key="b_anchors").input("").run()
    at.toggle(key="b_unified").set_value(True).run()
    at.selectbox(key="b_type_0").set_value("compositional").run()
    assert "must be atomic" in text(at) and at.button(key="launch").disabled
    at.selectbox(key="b_type_0").set_value("atomic").run()
    assert "Valid: 2 languages" in text(at)
    at.radio(key="what").set_value("transfer").run()  # unified with one input language: nothing to transfer to
    assert "needs at least two input languages" in text(at) and at.button(key="launch").disabled
    at.selectbox(key="exp_source").set_value(str(CONFIGS / "anchors-8.toml")).run()
    assert "anchors-8" in text(at) and "Anchors: a2, a3, a4, c1, f8, g1, g4, h3 shared by L0, L1" in text(at)
    assert not at.button(key="launch").disabled and not at.exception
    assert "fine-tune L1 on 25,600 full-distribution games" in text(at)
    at.number_input(key="x_games_small").set_value(10).run()  # fewer fine-tuning games than one batch
    assert "These transfer settings are rejected" in text(at) and at.button(key="launch").disabled


def test_train_page_launches_a_tiny_run_and_watches_it_finish(dirs):
    at = page("train")
    assert "No runs yet" in text(at)
    at.selectbox(key="t_preset").set_value("tiny").run()
    at.number_input(key="t_steps").set_value(20).run()
    assert "Model:" not in text(at)  # the preset's own shape is not repeated
    at.number_input(key="t_heads_tiny").set_value(3).run()  # 64 wide does not split into 3 heads
    assert "These training settings are rejected" in text(at) and "divisible" in text(at)
    assert at.button(key="launch").disabled
    at.number_input(key="t_heads_tiny").set_value(4).run()
    at.number_input(key="t_layers_tiny").set_value(1).run()
    assert "Model: 1 layer × 64 wide, 4 heads" in text(at) and not at.button(key="launch").disabled
    at.text_input(key="run_name_custom").input("page test").run()
    at.button(key="launch").click().run()
    assert not at.exception
    made = [p for p in dirs["runs"].iterdir() if p.is_dir()]
    assert len(made) == 1 and made[0].name.startswith("page-test-")
    run = made[0]
    saved = json.loads((run / "train.json").read_text())
    assert saved["steps"] == 20 and (saved["n_layer"], saved["n_head"], saved["d_model"]) == (1, 4, None)
    assert [r.path for r in jobs.runs()] == [run]
    assert run.name in text(at) and run.name in at.dataframe[0].value["run"].tolist()
    st_ = jobs.wait(run, timeout=240)
    assert st_.state == "finished", jobs.log_tail(run)
    at = page("train", run=run.name)
    assert "finished" in at.dataframe[0].value["state"].tolist()
    t = text(at)
    assert f"runs/{run.name}** is in every checkpoint picker" in t and "Step of 20 20" in t
    assert len(charts(at)) == 2  # loss and legal-move accuracy
    # what it trained on: the CPU's model and the number format "auto" took on this machine
    dtype = "bfloat16" if use_bfloat16(TrainConfig.from_dict(saved), torch.device("cpu")) else "float32"
    assert st_.status["machines"] == [{"from": 0, "device": "cpu", "name": cpu_model(), "dtype": dtype}]
    on = f"on cpu ({cpu_model()}), {dtype}" if cpu_model() else f"on cpu, {dtype}"
    assert any(on in c.value for c in at.caption), [c.value for c in at.caption]


def test_train_page_launches_a_variant_that_reuses_a_finished_pretraining(dirs, toy_transfer, monkeypatch):
    spawned = []
    monkeypatch.setattr(jobs, "_spawn", lambda run, kind: spawned.append((run, kind)))
    shutil.copytree(toy_transfer, dirs["runs"] / "transfer-naive-2-toy")
    at = page("train")
    at.selectbox(key="exp_source").set_value(str(CONFIGS / "naive-2.toml")).run()
    at.radio(key="what").set_value("transfer").run()
    at.selectbox(key="x_preset").set_value("tiny").run()
    assert "x_pretrained" not in [w.key for w in at.selectbox]  # 300 pretraining steps: nothing to reuse
    at.number_input(key="x_pre_tiny").set_value(20).run()  # as the toy run's pretraining
    assert "x_pretrained" not in [w.key for w in at.selectbox]  # still 100 evaluation games against 5
    at.number_input(key="x_eval").set_value(5).run()
    reuse = at.selectbox(key="x_pretrained")
    assert reuse.options == ["pretrain anew", "reuse transfer-naive-2-toy's (finished, same settings): fine-tune only"]
    reuse.select_index(1).run()
    assert "Reuse transfer-naive-2-toy's pretraining (20 steps on games opening c4, c3, c2 in every language), then" in text(at)
    at.multiselect(key="x_freeze_tiny").set_value(["block 1 attention"]).run()
    at.number_input(key="x_ft_lr").set_value(2e-4).run()
    at.button(key="launch").click().run()
    assert not at.exception and len(spawned) == 1 and spawned[0][1] == "transfer"
    run = spawned[0][0]
    settings = json.loads((run / "transfer.json").read_text())
    assert settings["freeze"] == ["block 1 attention"] and settings["finetune_lr"] == pytest.approx(2e-4)
    assert (run / "pretrain" / "model.safetensors").read_bytes() == (toy_transfer / "pretrain" / "model.safetensors").read_bytes()
    # every part frozen: rejected in the form, nothing launched
    at.multiselect(key="x_freeze_tiny").set_value(["token embeddings", "position embeddings", "block 1 attention",
                                                   "block 1 MLP", "block 2 attention", "block 2 MLP",
                                                   "output layer"]).run()
    assert "These transfer settings are rejected" in text(at) and "nothing to train" in text(at)
    assert at.button(key="launch").disabled


def test_train_page_explains_failed_and_died_runs(dirs):
    failed = dirs["runs"] / "broken-1"
    failed.mkdir()
    storage.write_json(failed / "status.json", {"state": "failed", "step": 3, "total": 10, "experiment": "naive-2",
                                                "error": "RuntimeError: out of memory", "started": "2026-01-01T00:00"})
    storage.write_text(failed / "log.txt",
                       "step 1\nstep 2\nTraceback (most recent call last):\nRuntimeError: out of memory\n")
    died = dirs["runs"] / "killed-1"
    died.mkdir()
    storage.write_json(died / "status.json", {"state": "running", "step": 5, "total": 10, "experiment": "naive-2",
                                              "started": "2026-01-02T00:00"})
    storage.write_json(died / "job.json", {"pid": 2**22 + 17, "pgid": 2**22 + 17, "proc_start": "1", "kind": "train"})
    storage.write_text(died / "log.txt", "step 4/10 loss 3.1\n")
    at = page("train", run="broken-1")
    t = text(at)
    assert "broken-1 failed:** RuntimeError: out of memory" in t and "Traceback (most recent call last):" in t
    assert at.button(key="resume_broken-1") is not None
    at = page("train", run="killed-1")
    t = text(at)
    assert "killed-1 died:**" in t and "the training process ended without saying why" in t and "step 4/10" in t
    states = dict(zip(at.dataframe[0].value["run"], at.dataframe[0].value["state"]))
    assert states == {"broken-1": "failed", "killed-1": "died"}


def test_train_page_names_the_experiment_of_a_run_whose_status_does_not(dirs):
    """A run whose status.json names no experiment (written by an older version): the page reads the
    name from the run's experiment.toml; with neither, it says '?'."""
    for name, toml in (("old-run", True), ("bare-run", False)):
        run = dirs["runs"] / name
        run.mkdir()
        storage.write_json(run / "status.json", {"state": "finished", "step": 10, "total": 10})
        if toml:
            shutil.copy(CONFIGS / "anchors-8.toml", run / "experiment.toml")
    at = page("train", run="old-run")
    table = at.dataframe[0].value
    assert dict(zip(table["run"], table["experiment"])) == {"old-run": "anchors-8", "bare-run": "?"}
    assert "experiment anchors-8" in text(at)


def test_train_page_sees_a_run_started_from_the_command_line_as_running(dirs):
    """A run without job.json (started with `python -m mothello train`, e.g. by the demo suite): its
    trainer's pid in status.json, alive and naming the run directory, means running, not died."""
    run = dirs["runs"] / "cli-run"
    run.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", str(run)])
    try:
        storage.write_json(run / "status.json", {"state": "running", "step": 40, "total": 400, "pid": proc.pid,
                                                 "experiment": "naive-2", "eta_s": 90.0, "tokens_per_s": 1234.0})
        at = page("train")
        t = text(at)
        assert "died" not in t and "Step of 400 40" in t and "1 min 30 s" in t and "1,234" in t
        assert "started from the command line" in t
        with pytest.raises(KeyError):
            at.button(key="resume_cli-run")
    finally:
        proc.kill()
        proc.wait()
    assert jobs.status(run).state == "died"
