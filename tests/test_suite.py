"""Installing a training run as a shipped checkpoint (suite.install) and the findings report built
from what checkpoints/ holds (findings.collect / verdicts / render)."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from mothello import findings, suite
from mothello.checkpoints import list_snapshots, load_checkpoint
from mothello.data import heldout_games
from mothello.evaluate import legal_move_accuracy
from mothello.transfer import RESTORE_FALL, per_language_transfer, stored_alignment_over_training, transfer_summary


@pytest.fixture(scope="module")
def installed(tiny_checkpoint, tmp_path_factory):
    root = tmp_path_factory.mktemp("shipped")
    mp = pytest.MonkeyPatch()
    mp.setenv("MOTHELLO_CHECKPOINTS", str(root))
    run = tmp_path_factory.mktemp("runs") / "suite-naive-2"
    shutil.copytree(tiny_checkpoint, run)
    path = suite.install(run, alignment_games=150, aot_games=60)
    yield root, run, path
    mp.undo()


def test_install_writes_a_complete_checkpoint(installed):
    root, run, path = installed
    assert path == root / "naive-2" and not list(root.glob(".*installing"))
    ck = load_checkpoint(path)
    m = ck.metrics
    # the numbers the app shows come from the installed weights
    sample = m["sample_check"]
    fresh = legal_move_accuracy(ck.model, ck.vocab, heldout_games(sample["games"], seed=sample["seed"]))
    assert fresh == pytest.approx(sample["legal_move_accuracy"], abs=1e-9)
    assert set(m["legal_move_accuracy"]) == {"L0", "L1"} and m["legal_move_accuracy_games"] == suite.FULL_EVAL_GAMES
    # float16 kept only when it loses nothing measurable
    if ck.meta["weights_dtype"] == "float16":
        for k, v in m["legal_move_accuracy_float32"].items():
            assert abs(m["legal_move_accuracy"][k] - v) <= 0.002
    al = m["alignment"]
    assert sorted(al["layers"]) == ["0", "1", "2"]
    colour = {int(x): round(v["colour_in_language"], 4) for x, v in al["layers"].items() if x != "0"}
    assert al["best_layer"] == max(colour, key=lambda x: (colour[x], x))
    for v in al["layers"].values():
        assert 0 <= v["cross_lingual"] <= 1 and 0 <= v["baseline_majority"] <= 1
    emb = m["embedding_similarity"]
    assert -1 <= emb["different_move_cross_lingual"] <= 1 and -1 <= emb["same_move_cross_lingual"] <= 1
    # snapshots travel along, and alignment over training is stored for the app's default view
    run_steps = [s for s, _ in list_snapshots(run)]          # 8, 16, 39, 78, 157 (the final step)
    shipped = [s for s, _ in list_snapshots(path)]
    assert ck.step == run_steps[-1] and ck.step not in shipped  # the final snapshot is the checkpoint itself
    assert len(shipped) == suite.MAX_SNAPSHOTS and shipped[0] == run_steps[0] and shipped[-1] == run_steps[-2]
    aot = stored_alignment_over_training(path, layer=2, n_train=60)
    assert aot is not None
    assert set(aot.step) == set(shipped) | {ck.step}
    for extra in ("metrics.jsonl", "experiment.toml", "train.json"):
        assert (path / extra).is_file()
    # the study's reference probe (2-layer MLP) beside the linear one, on the installed weights
    mlp = json.loads((path / "analysis" / "alignment-mlp-relative-n150.json").read_text())
    assert mlp["kind"] == "mlp" and mlp["weights_sha256"] == ck.meta["weights_sha256"]
    # the stored probes (every language x layer) ship in float16 and load as float32 probes
    from safetensors import safe_open

    from mothello.probes import BoardProbe

    folders = sorted((path / "analysis" / "probes").glob("*-n150"))
    assert len(folders) == 2 * 3
    for folder in folders:
        with safe_open(str(folder / "probe.safetensors"), "pt") as f:
            assert f.get_tensor("model.weight").dtype == torch.float16
        assert BoardProbe.load(folder).model_.weight.dtype == torch.float32


def test_reinstall_replaces_the_checkpoint(installed):
    root, run, path = installed
    (path / "stale-file").write_text("x")
    suite.install(run, alignment_games=150, aot_games=60)
    assert not (path / "stale-file").exists() and load_checkpoint(path).metrics["sample_check"]


def test_findings_collect_and_render_from_installed_models(installed):
    root, _, _ = installed
    numbers = findings.collect(root)
    assert set(numbers["models"]) == {"naive"} and numbers["transfer"] == {}
    n = numbers["models"]["naive"]
    meta = json.loads((root / "naive-2" / "checkpoint.json").read_text())
    best = meta["metrics"]["alignment"]["best_layer"]
    assert n["layer"] == best
    assert n["cross_lingual"] == meta["metrics"]["alignment"]["layers"][str(best)]["cross_lingual"]
    v = findings.verdicts(numbers)
    assert v[1][0] in ("holds", "does not hold") and [v[k][0] for k in (2, 3, 4)] == ["pending"] * 3
    text = findings.render(numbers, figures={"matrices": "docs/findings/x.svg"})
    assert "| naive-2 |" in text and "![" in text and "docs/findings/x.svg" in text
    assert "finding 2 pending" in text
    opening = text.split("\n## ", 1)[0]   # a colour below the target is said where the status is
    colour = n["colour_in_language"]
    assert (f"at {100 * colour:.1f}%, below the 90% the suite aims at" in opening) == (colour < 0.9)
    n["colour_in_language"] = 0.95
    assert "partial board" not in findings.render(numbers).split("\n## ", 1)[0]


def _installed_copy(installed, tmp_path):
    """A copy of the installed naive-2 in tmp_path (as checkpoints/ holds it), its metadata and the report's layer."""
    root, _, _ = installed
    path = shutil.copytree(root / "naive-2", tmp_path / "naive-2")
    meta = json.loads((path / "checkpoint.json").read_text())
    return path, meta, meta["metrics"]["alignment"]["best_layer"]


def test_findings_read_a_stored_mlp_probe_only_when_it_is_of_these_weights(installed, tmp_path):
    path, meta, layer = _installed_copy(installed, tmp_path)
    assert findings.collect(tmp_path)["models"]["naive"]["colour_in_language_mlp"] is None  # none stored
    colour = {str(x): {"colour_matrix": [[0.6, 0.5], [0.5, 0.8]]} for x in range(4)}
    f = path / "analysis" / "alignment-mlp-relative-n1000.json"
    f.write_text(json.dumps({"weights_sha256": "0" * 64, "layers": colour}))  # other weights: ignored
    assert findings.collect(tmp_path)["models"]["naive"]["colour_in_language_mlp"] is None
    f.write_text(json.dumps({"weights_sha256": meta["weights_sha256"], "layers": colour}))
    numbers = findings.collect(tmp_path)
    n = numbers["models"]["naive"]
    assert n["colour_in_language_mlp"] == pytest.approx(0.7) and n["layer"] == layer
    text = findings.render(numbers, figures={})
    assert n["colour_in_language"] < 0.9  # a tiny model: the 90% target's paragraph names both probes
    assert f"`naive-2` 70.0% (linear {findings.pct(n['colour_in_language'])})" in text


def _numbers(naive=(0.9, 0.6), anchors=(0.9, 0.7), unified=(0.9, 0.88), t_anchor=(0.2, 0.01), t_unified=(0.2, 0.15)):
    def model(in_, cross):
        return {"in_language": in_, "cross_lingual": cross}

    def tr(ft, others):
        return {"fine-tuned gain": ft, "others gain": others, "transfer ratio": others / ft}

    return {"models": {"naive": model(*naive), "anchors": model(*anchors), "unified": model(*unified)},
            "transfer": {"anchors": tr(*t_anchor), "unified": tr(*t_unified)}}


@pytest.mark.parametrize("case, expected", [
    ({}, ["holds", "holds", "holds", "holds"]),
    ({"naive": (0.9, 0.85), "anchors": (0.95, 0.91)}, ["does not hold", "holds", "holds", "holds"]),  # naive aligned
    ({"anchors": (0.9, 0.62)}, ["holds", "does not hold", "holds", "holds"]),     # anchors +2 points only
    ({"t_anchor": (0.2, 0.1)}, ["holds", "holds", "does not hold", "holds"]),     # anchors transfer half
    ({"unified": (0.9, 0.8)}, ["holds", "holds", "holds", "does not hold"]),      # unified 10 points apart
    ({"t_unified": (0.2, 0.05)}, ["holds", "holds", "holds", "does not hold"]),   # unified does not transfer
])
def test_verdict_rules(case, expected):
    v = findings.verdicts(_numbers(**case))
    assert [v[k][0] for k in (1, 2, 3, 4)] == expected


def test_verdicts_are_pending_without_the_models():
    v = findings.verdicts({"models": {}, "transfer": {}})
    assert all(s == "pending" for s, _ in v.values())


def test_transfer_summary_gains_and_ratio():
    rows = []
    for snap, (ft, other) in enumerate([(0.5, 0.4), (0.7, 0.5)]):
        rows += [{"label": "r", "run": "r", "snapshot": snap, "step": snap * 10, "language": "A",
                  "metric": "legal_move_accuracy", "value": ft, "finetuned": True},
                 {"label": "r", "run": "r", "snapshot": snap, "step": snap * 10, "language": "B",
                  "metric": "legal_move_accuracy", "value": other, "finetuned": False}]
    s = transfer_summary(pd.DataFrame(rows)).iloc[0]
    assert s["fine-tuned"] == "A" and s["fine-tuned gain"] == pytest.approx(0.2)
    assert s["others gain"] == pytest.approx(0.1) and s["transfer ratio"] == pytest.approx(0.5)
    assert np.isnan(s["alignment before"])


def test_transfer_per_language_when_the_others_move_apart():
    # the mean over the others hides that one rose and one fell: the table and finding 4 show each
    rows = []
    for snap, values in enumerate([(0.5, 0.4, 0.6), (0.9, 0.6, 0.3)]):
        rows += [{"label": "u", "run": "u", "snapshot": snap, "step": snap * 10, "language": lang,
                  "metric": "legal_move_accuracy", "value": v, "finetuned": lang == "A"}
                 for lang, v in zip("ABC", values)]
    df = pd.DataFrame(rows)
    per = per_language_transfer(df, "A")
    assert per == {"B": pytest.approx((0.4, 0.6)), "C": pytest.approx((0.6, 0.3))}
    t = {**transfer_summary(df).iloc[0].to_dict(), "per language": per}
    assert t["others gain"] == pytest.approx(-0.05)
    table = findings.transfer_rows({"transfer": {"unified": t}})
    assert table.loc[0, "each other language (points)"] == "B +20.0 · C -30.0"
    note = findings.measured_notes({"models": {}, "transfer": {"unified": t}})[4]
    assert "B 40.0% -> 60.0% (+20.0 points, ratio 0.50)" in note and "C 60.0% -> 30.0% (-30.0 points, ratio -0.75)" in note


@pytest.mark.parametrize("cross, holds", [((0.5, 0.6, 0.85), True), ((0.5, 0.45, 0.85), False),
                                          ((0.5, 0.6, 0.58), False)])
def test_ordering_sentence_follows_the_numbers(cross, holds):
    models = {role: {"name": name, "cross_lingual": c, "baseline_majority": 0.53}
              for (role, name), c in zip((("naive", "naive-2"), ("anchors", "anchors-8"), ("unified", "unified-mixed")),
                                         cross)}
    text = findings.ordering({"models": models, "transfer": {}})
    assert ("holds." in text) == holds and ("does not hold" in text) == (not holds)
    assert ("naive-2 50.0% < anchors-8" in text) == holds
    assert findings.ordering({"models": {"naive": models["naive"]}, "transfer": {}}) == ""
    assert "Not matched in training" not in text  # no steps known: nothing to compare
    for m, step in zip(models.values(), (24_000, 24_000, 12_000)):
        m["step"] = step
    text = findings.ordering({"models": models, "transfer": {}})
    assert ("Not matched in training: naive-2 24,000 steps (1.5 million games), anchors-8 24,000 steps (1.5 million "
            "games), unified-mixed 12,000 steps (768,000 games)") in text
    assert "At matched steps" not in text  # no snapshots known
    # equal steps, unequal games (a last stage at a larger batch): still not matched
    for m in models.values():
        m["step"] = 32_000
    models["naive"]["trained"] = {"stages": [{"from": 0, "to": 24_000}, {"from": 24_000, "to": 32_000, "batch_size": 1024}]}
    text = findings.ordering({"models": models, "transfer": {}})
    assert "naive-2 32,000 steps (9.7 million games), anchors-8 32,000 steps (2.0 million games)" in text
    del models["naive"]["trained"]
    for m, step in zip(models.values(), (24_000, 24_000, 12_000)):
        m["step"] = step
    for m, (c24, c12) in zip(models.values(), ((0.36, 0.37), (0.78, 0.70), (0.83, 0.81))):
        m["over_training"] = {"cross_lingual": [(600, 0.4), (12_000, c12), (24_000, c24)]}
    models["unified"]["step"] = 48_000
    text = findings.ordering({"models": models, "transfer": {}})
    assert "At matched steps, with the *alignment over training* probe (last layer) at 24,000 steps" in text
    assert "naive-2 36.0% < anchors-8 78.0% < unified-mixed 83.0%; the ordering holds there." in text
    assert "the table's protocol" not in text  # unified-mixed's 24,000-step model has no full analysis here
    models["unified"]["over_training"]["cross_lingual"][-1] = (24_000, 0.75)
    assert "75.0%; the ordering does not hold there." in findings.ordering({"models": models, "transfer": {}})
    # the end of an earlier stage of unified-mixed, fully analysed: the table's protocol at 24,000 steps, first
    for prev in (0.84, 0.55):
        models["unified"]["stage_ends"] = {24_000: {"step": 24_000, "cross_lingual": prev}}
        text = findings.ordering({"models": models, "transfer": {}})
        holds = cross[0] < cross[1] < prev
        head = ("At matched steps, 24,000 (the table's protocol at the layers it names; unified-mixed as shipped at "
                "the end of that stage): " + (" < " if holds else ", ").join(
                    f"{n} {findings.pct(v)}" for n, v in zip(("naive-2", "anchors-8", "unified-mixed"),
                                                             (cross[0], cross[1], prev)))
                + f"; the ordering {'holds' if holds else 'does not hold'} there.")
        assert head in text and text.index(head) < text.index("With the *alignment over training* probe")
    del models["naive"]["over_training"]
    text = findings.ordering({"models": models, "transfer": {}})
    assert "the table's protocol" in text and "alignment over training" not in text
    del models["unified"]["stage_ends"]
    assert "At matched steps" not in findings.ordering({"models": models, "transfer": {}})
    models["unified"]["step"] = 24_000
    assert "Not matched" not in findings.ordering({"models": models, "transfer": {}})


def test_training_hours_leave_out_the_pauses(tmp_path):
    # 100 steps a minute, but the run stood still for an hour between steps 300 and 400
    times = ["2026-01-01T10:01:00", "2026-01-01T10:02:00", "2026-01-01T10:03:00", "2026-01-01T11:04:00"]
    rows = [{"step": 100 * (i + 1), "time": t + "+00:00"} for i, t in enumerate(times)]
    (tmp_path / "metrics.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert findings.training_hours(tmp_path) == pytest.approx(4 / 60)
    assert findings.training_hours(tmp_path, until=300) == pytest.approx(3 / 60)  # a run trained further since
    assert findings.training_hours(tmp_path, until=100) is None  # one evaluation: no interval to time
    assert findings.training_hours(tmp_path / "missing") is None


def test_training_hours_of_a_run_that_continues_a_model_start_at_its_step(tmp_path):
    # a run on from step 85,000 of another model: 100 steps a minute, first evaluated 250 steps in
    rows = [{"step": 85_250, "time": "2026-01-01T10:02:30+00:00"}, {"step": 85_500, "time": "2026-01-01T10:05:00+00:00"}]
    (tmp_path / "metrics.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (tmp_path / "train.json").write_text(json.dumps({"init_step": 85_000}))
    assert findings.training_hours(tmp_path) == pytest.approx(5 / 60)   # not the 85,000 steps before it
    (tmp_path / "train.json").write_text(json.dumps({"init_step": None}))
    assert findings.training_hours(tmp_path) == pytest.approx(85_500 / 100 / 60)


def test_training_hours_of_a_model_trained_in_stages_time_each_stage_at_its_own_pace(tmp_path):
    """Stage 1: 10 steps a minute for 300 steps (30 min); stage 2, ten times faster: 600 steps in 6 min.
    One median over both would take the slow stage's minutes for pauses and count them at the fast pace."""
    t0 = pd.Timestamp("2026-01-01T10:00:00+00:00")
    first = [(100 * i, t0 + pd.Timedelta(minutes=10 * i)) for i in range(1, 4)]
    second = [(300 + 100 * i, pd.Timestamp("2026-01-02T09:00:00+00:00") + pd.Timedelta(minutes=i))
              for i in range(1, 7)]
    rows = [{"step": s, "time": t.isoformat()} for s, t in first + second]
    (tmp_path / "metrics.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    stages = [{"from": 0, "to": 300}, {"from": 300, "to": 900}]
    (tmp_path / "checkpoint.json").write_text(json.dumps({"metrics": {"trained": {"stages": stages}}}))
    assert findings.training_hours(tmp_path) == pytest.approx(36 / 60)  # 30 min + 6 min; the night between left out
    (tmp_path / "checkpoint.json").unlink()  # read as one run: the slow stage's intervals count as pauses
    assert findings.training_hours(tmp_path) < 30 / 60


@pytest.mark.parametrize("own, phrase", [
    (0.56, "no better than before fine-tuning"),   # knows its moves as before: the collapse is the vocabulary
    (0.80, "did improve"),                         # beneath the shift, a transfer that separate tokens hide
    (0.10, "lost most of what it knew"),
])
def test_answer_notes_read_the_diagnostic(own, phrase):
    a = {"language": "L1", "fine-tuned": "L0", "answers in fine-tuned language": 0.99, "answers in own language": 0.01,
         "legal": 0.006, "legal among own tokens": own, "before": 0.62}
    lines = findings.answer_notes({"transfer": {"naive": {"run": "naive-2", "answers": [a]}}})
    assert len(lines) == 1 and phrase in lines[0] and "99.0%" in lines[0] and "62.0% before" in lines[0]
    calm = findings.answer_notes({"transfer": {"naive": {"run": "naive-2", "answers": [
        {**a, "answers in fine-tuned language": 0.1, "answers in own language": 0.9}]}}})
    assert "vocabulary" not in calm[0]


def test_ordering_names_a_tie_and_the_shares_and_finding_4_reports_its_measured_half():
    models = {"naive": {"name": "naive-2", "in_language": 0.85, "cross_lingual": 0.50, "baseline_majority": 0.53},
              "anchors": {"name": "anchors-8", "in_language": 0.86, "cross_lingual": 0.797, "baseline_majority": 0.53},
              "unified": {"name": "unified-mixed", "in_language": 0.82, "cross_lingual": 0.7968,
                          "baseline_majority": 0.53}}
    text = findings.ordering({"models": models})
    assert "does not hold" in text and "anchors-8 and unified-mixed differ by 0.02 points: level" in text
    assert "naive-2 59%, anchors-8 93%, unified-mixed 97%" in text and "does hold at layer" not in text
    for m, by_layer in zip(models.values(), ({2: 0.50, 3: 0.36}, {2: 0.797, 3: 0.71}, {2: 0.7968, 3: 0.80})):
        m["cross_by_layer"] = by_layer
    text = findings.ordering({"models": models})
    assert "does not hold" in text and "does hold at layer 3 (36.0% < 71.0% < 80.0%)" in text
    models["unified"]["cross_lingual"] = 0.81
    text = findings.ordering({"models": models})
    assert "unified): holds.**" in text and "level" not in text
    status, reason = findings.verdicts({"models": models, "transfer": {}})[4]
    assert status == "pending" and "gap +1.0 points" in reason and "met" in reason and "transfer-unified-mixed" in reason


@given(st.lists(st.floats(0.0, 1.0), min_size=3, max_size=6), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
@settings(max_examples=60, deadline=None)
def test_restore_notes_name_the_part_that_brings_a_fallen_language_back_furthest(parts, before, after):
    from mothello.transfer import FINETUNED, PRETRAINED, restored_summary

    # B's accuracy with each part put back; A (fine-tuned) keeps 0.9 minus a tenth of the part's index
    names = [f"part {i}" for i in range(len(parts))]
    acc = {FINETUNED: after, **dict(zip(names, parts)), PRETRAINED: before}
    rows = [{"restored": p, "language": lang, "legal_move_accuracy": v}
            for i, (p, b) in enumerate(acc.items()) for lang, v in (("A", 0.9 - i / 100), ("B", b))]
    (r,) = restored_summary(pd.DataFrame(rows), "A")
    best = int(np.argmax(parts))
    assert r["part"] == names[best] and r["with part"] == parts[best] and r["finetuned with part"] == 0.9 - (best + 1) / 100
    assert (r["before"], r["after"]) == (before, after)
    if abs(before - after) > 1e-9:
        assert r["recovered"] == pytest.approx((parts[best] - after) / (before - after))
    lines = findings.restore_notes({"transfer": {"t": {"run": "t", "fine-tuned": "A", "restored": [r]}}})
    fell = before - after >= RESTORE_FALL
    assert len(lines) == fell
    if fell:
        assert f"B fell from {findings.pct(before)} to {findings.pct(after)}" in lines[0] and names[best] in lines[0]
        assert ("No single part carries the loss" in lines[0]) == (r["recovered"] < 1 / 3)
        assert ("sits mostly there" in lines[0]) == (r["recovered"] >= 2 / 3)


@given(st.floats(0.3, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.booleans())
@settings(max_examples=60, deadline=None)
def test_variant_notes_say_how_much_of_a_loss_freezing_saves(before, lost, variant_after, same_part):
    after = before * (1 - lost)  # B under the study's fine-tuning
    base = {"run": "u", "fine-tuned": "A", "per language": {"B": (before, after)}, "others after": after,
            "fine-tuned after": 0.9, "transfer ratio": -0.3,
            "restored": [{"language": "B", "part": "block 1 attention", "recovered": 0.47}]}
    variant = {"variant": "block 1 attention frozen", "base": "transfer-u", "frozen": ["block 1 attention"],
               "fine-tuned": "A", "others before": before, "others after": variant_after, "fine-tuned before": 0.7,
               "fine-tuned after": 0.9, "transfer ratio": 0.1, "per language": {"B": (before, variant_after)},
               "restored": [{"language": "B", "part": "block 1 attention" if same_part else "position embeddings",
                             "with part": 0.5, "recovered": 0.44}]}
    lines = findings.variant_notes({"transfer": {"unified": base}, "variants": {"transfer-u-frozen": variant}})
    assert "`transfer-u-frozen`: fine-tuned on A with block 1 attention frozen" in lines[0]
    assert f"(study's protocol: {findings.pct(after)})" in lines[0] and "transfer ratio 0.10 (study's protocol: -0.30)" in lines[0]
    fell = before - after >= RESTORE_FALL
    assert len(lines) == 1 + fell
    if fell:
        saved = (variant_after - after) / (before - after)
        assert lines[1].startswith("- B: the study's fine-tuning costs it") and f"saves {saved:.0%} of that loss" in lines[1]
        assert "brought back 47%" in lines[1]  # the study's run names the frozen part as the one carrying B's loss
        assert ("finds another route" in lines[1]) == (saved < 2 / 3 and not same_part)
    table = findings.variant_rows({"transfer": {"unified": base}, "variants": {"transfer-u-frozen": variant}})
    assert table.to_dict("records") == [
        {"variant": "block 1 attention frozen", "language": "A (fine-tuned)", "pretrained": "70.0%",
         "fine-tuned (study's protocol)": "90.0%", "fine-tuned, variant": "90.0%"},
        {"variant": "block 1 attention frozen", "language": "B", "pretrained": findings.pct(before),
         "fine-tuned (study's protocol)": findings.pct(after), "fine-tuned, variant": findings.pct(variant_after)}]


@given(st.floats(-1.0, 2.0), st.floats(-1.0, 2.0))
@settings(max_examples=60, deadline=None)
def test_longer_notes_judge_the_longer_run_by_the_transfer_rule(ratio, base_ratio):
    base = {"run": "u", "fine-tuned": "A", "per language": {"B": (0.6, 0.5)}, "others gain": -0.1,
            "transfer ratio": base_ratio}
    longer = {"scale": "pretrained 12,000 steps", "base": "transfer-u", "pretrain_steps": 12_000,
              "base_pretrain_steps": 6000, "fine-tuned": "A", "others before": 0.7, "others after": 0.8,
              "others gain": 0.1, "transfer ratio": ratio, "per language": {"B": (0.7, 0.8)},
              "fine-tuning steps": 800}
    numbers = {"transfer": {"unified": base}, "longer": {"transfer-u-pretrain-12000": longer}}
    [line] = findings.longer_notes(numbers)
    assert f"transfer ratio {ratio:.2f} (at 6,000 steps {base_ratio:.2f}; rule: at least {findings.RULES['transfer']})" in line
    assert line.endswith("holds at this pretraining length.") == (ratio >= findings.RULES["transfer"])
    # where along fine-tuning the others stood highest: said only for a rise that the end gave back
    for step, gain, said in ((80, 0.15, True), (800, 0.15, False), (80, 0.105, False), (80, -0.02, False)):
        longer["best"] = {"step": step, "others gain": gain, "fine-tuned gain": 0.1, "transfer ratio": gain / 0.1}
        longer["base best"] = {"step": 80, "others gain": 0.016, "fine-tuned gain": 0.1, "transfer ratio": 0.16}
        [line] = findings.longer_notes(numbers)
        assert ("stood highest at step 80: +15.0 points" in line and "at 6,000 steps: step 80, +1.6 points, ratio 0.16"
                in line) == said, (step, gain)
    assert findings.longer_notes({"transfer": {}, "longer": numbers["longer"]}) == []  # no plain run: no line


def test_longer_rows_put_each_pretraining_length_in_a_column_in_order():
    base = {"run": "u", "fine-tuned": "A", "fine-tuned before": 0.7, "fine-tuned after": 0.9,
            "per language": {"B": (0.6, 0.4)}}

    def longer(steps, b_after):
        return {"base": "transfer-u", "pretrain_steps": steps, "base_pretrain_steps": 6000, "fine-tuned": "A",
                "fine-tuned before": 0.75, "fine-tuned after": 0.95, "per language": {"B": (0.6, b_after)}}

    # listed longest first: the columns still run from the shortest pretraining to the longest
    numbers = {"transfer": {"unified": base}, "longer": {"u-24000": longer(24_000, 0.7), "u-12000": longer(12_000, 0.5)}}
    df = findings.longer_rows(numbers)
    assert list(df.columns) == ["language", "pretrained 6,000 steps", "pretrained 12,000 steps", "pretrained 24,000 steps"]
    assert df.to_dict("records") == [
        {"language": "A (fine-tuned)", "pretrained 6,000 steps": "70.0% -> 90.0% (+20.0 points)",
         "pretrained 12,000 steps": "75.0% -> 95.0% (+20.0 points)", "pretrained 24,000 steps": "75.0% -> 95.0% (+20.0 points)"},
        {"language": "B", "pretrained 6,000 steps": "60.0% -> 40.0% (-20.0 points)",
         "pretrained 12,000 steps": "60.0% -> 50.0% (-10.0 points)", "pretrained 24,000 steps": "60.0% -> 70.0% (+10.0 points)"}]
    assert findings.longer_rows({"transfer": {}, "longer": numbers["longer"]}).empty


@given(st.lists(st.floats(-0.3, 0.3), min_size=3, max_size=3), st.lists(st.floats(-0.3, 0.3), min_size=3, max_size=3))
@settings(max_examples=60, deadline=None)
def test_longer_trend_says_which_languages_follow_the_fine_tuned_one_at_each_length(b_gains, c_gains):
    """Fine-tuned language A gains 0.2 at every length; B and C gain the given amounts at 6k / 12k / 24k."""
    def run(steps, b, c, **extra):
        return {"run": "u", "fine-tuned": "A", "fine-tuned before": 0.6, "fine-tuned after": 0.8,
                "per language": {"B": (0.5, 0.5 + b), "C": (0.5, 0.5 + c)}, "transfer ratio": (b + c) / 2 / 0.2,
                "pretrain_steps": steps, **extra}

    base = run(6000, b_gains[0], c_gains[0])
    longer = {f"u-{n}": run(n, b, c, base="transfer-u", base_pretrain_steps=6000)
              for n, b, c in zip((24_000, 12_000), b_gains[:0:-1], c_gains[:0:-1])}
    [line] = findings.longer_trend({"transfer": {"unified": base}, "longer": longer})
    ratios = {n: (b + c) / 2 / 0.2 for n, b, c in zip((6000, 12_000, 24_000), b_gains, c_gains)}
    assert line.startswith("Across pretraining lengths 6,000 / 12,000 / 24,000 steps, the transfer ratio is "
                           + " / ".join(f"{r:.2f}" for r in ratios.values()) + ";")
    for lang, gains in (("B", b_gains), ("C", c_gains)):
        own = [((0.5 + g) - 0.5) / (0.8 - 0.6) for g in gains]  # as the per-language table's ends give it
        assert f"{lang} " + " / ".join(f"{r:.2f}" for r in own) in line
        k = sum(r >= findings.RULES["transfer"] for r in own)
        when = "at every length" if k == 3 else "at none" if k == 0 else "at some lengths"
        following = line.split("Following A (own ratio at least 0.5): ")[1]
        group = next(part for part in following.rstrip(".").split("; ") if part.endswith(when))
        assert lang in group.removesuffix(when)
    held = [n for n, r in ratios.items() if r >= findings.RULES["transfer"]]
    assert ("More pretraining does not bring" in line) == (not held)
    # one longer run beside the plain run: the table and the run's own line say it; no trend line
    one = dict(list(longer.items())[:1])
    assert findings.longer_trend({"transfer": {"unified": base}, "longer": one}) == []
    assert findings.longer_trend({"transfer": {}, "longer": longer}) == []


def test_a_pretraining_variant_runs_its_own_pretraining_and_a_finetuning_one_shares_it(tmp_path, monkeypatch):
    """suite.run_transfer_suite: a side run that changes the pretraining must not copy the plain run's."""
    monkeypatch.setenv("MOTHELLO_RUNS", str(tmp_path))
    calls = []
    monkeypatch.setattr(suite, "run_transfer", lambda exp, tc, out, **k: calls.append((tc, out, k)) or out)
    monkeypatch.setattr(suite, "VARIANTS", {"naive-2": {"longer": dict(pretrain_steps=9000),
                                                        "frozen": dict(freeze=["block 1 MLP"])}})
    suite.run_transfer_suite("naive-2", progress=False, variant="longer")
    [(tc, out, k)] = calls
    assert tc.pretrain_steps == 9000 and out.name == "suite-transfer-naive-2-longer" and "pretrained" not in k
    calls.clear()
    plain = tmp_path / "suite-transfer-naive-2" / "pretrain"
    plain.mkdir(parents=True)
    (plain / "status.json").write_text(json.dumps({"state": "finished"}))
    suite.run_transfer_suite("naive-2", progress=False, variant="frozen")
    [(tc, out, k)] = calls
    assert tc.freeze == ["block 1 MLP"] and tc.pretrain_steps == suite.TRANSFER_SETTINGS["pretrain_steps"]
    assert k["pretrained"] == plain


# ---------------------------------------------------------------------------------------------
# Training in stages (suite.STAGES): a later stage continues the model, also from a shipped checkpoint
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def tiny_stages(tmp_path, monkeypatch):
    monkeypatch.setenv("MOTHELLO_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("MOTHELLO_CHECKPOINTS", str(tmp_path / "shipped"))
    monkeypatch.setattr(suite, "SUITE_TRAINING", dict(
        preset="tiny", games=None, steps=24, batch_size=8, lr=3e-3, min_lr=3e-4, warmup_steps=4, eval_every=8,
        eval_games=4, checkpoint_every=8, device="cpu", dtype="float32"))
    monkeypatch.setattr(suite, "STAGES", {"naive-2": (40,)})
    monkeypatch.setattr(suite, "STAGE_TRAINING", dict(lr=2e-3, min_lr=2e-4, warmup_steps=2, dtype="bfloat16"))
    monkeypatch.setattr(suite, "bfloat16_emulated", lambda device: False)  # as on the CPU the suite trained on
    return tmp_path


def test_bfloat16_stages_and_pretrainings_train_in_float32_where_bfloat16_is_emulated(tiny_stages, monkeypatch):
    """The suite asks for bfloat16 for its speed; where it would be emulated (many times slower) the run
    trains in float32 instead, and records that in its train.json."""
    for emulated, dtype in ((True, "float32"), (False, "bfloat16")):
        monkeypatch.setattr(suite, "bfloat16_emulated", lambda device: emulated)
        assert suite.stage_config("naive-2", 1).dtype == dtype
        assert suite.dtype_here({"dtype": "bfloat16", "lr": 1.0}) == {"dtype": dtype, "lr": 1.0}
        assert suite.dtype_here({"dtype": "float32"}) == {"dtype": "float32"}
    assert suite.stage_config("naive-2", 1).init_step == 24


def test_a_stage_can_warm_up_to_its_own_peak_and_the_report_says_so(tiny_stages, monkeypatch):
    monkeypatch.setattr(suite, "STAGES", {"naive-2": (40, 56)})
    monkeypatch.setattr(suite, "STAGE_OVERRIDES", {("naive-2", 56): dict(lr=2e-4, min_lr=2e-5)})
    first, second = suite.stage_config("naive-2", 1), suite.stage_config("naive-2", 2)
    assert (first.lr, first.min_lr, first.warmup_steps) == (2e-3, 2e-4, 2)  # STAGE_TRAINING's
    assert (second.lr, second.min_lr, second.warmup_steps, second.init_step) == (2e-4, 2e-5, 2, 40)
    stages = [{"from": 24, "to": 40, "lr": 2e-3, "min_lr": 2e-4, "dtype": "bfloat16"},
              {"from": 40, "to": 56, "lr": 2e-4, "min_lr": 2e-5, "dtype": "float32"}]
    assert findings.stage_notes(stages[0]) == []
    assert findings.stage_notes(stages[1]) == ["peak lr 0.0002, cosine to 2e-05", "float32"]
    longer_warmup = {**stages[1], "warmup_steps": suite.STAGE_TRAINING["warmup_steps"] + 998}
    assert findings.stage_notes(longer_warmup) == ["peak lr 0.0002, cosine to 2e-05",
                                                   f"warm-up {suite.STAGE_TRAINING['warmup_steps'] + 998:,} steps", "float32"]
    assert findings.stage_notes({**stages[1], "warmup_steps": suite.STAGE_TRAINING["warmup_steps"]}) == \
        findings.stage_notes(stages[1])
    text = findings.stages_text([("naive-2", [{"from": 0, "to": 24}, *stages])])
    assert "`naive-2` 24 -> 40, 40 -> 56 (peak lr 0.0002, cosine to 2e-05, float32)." in text


def _adam_steps(run):
    """The AdamW step count in a run's saved state: how many updates its moments have seen."""
    from safetensors.torch import load_file

    sdir = run / "state" / (run / "state" / "LATEST").read_text().strip()
    return {int(v) for k, v in load_file(str(sdir / "optimizer.safetensors")).items() if k.endswith(".step")}


def test_a_stage_that_carries_the_optimizer_continues_the_stage_before_and_the_report_says_so(tiny_stages, monkeypatch):
    from mothello.train import RunError

    monkeypatch.setattr(suite, "STAGES", {"naive-2": (40, 56)})
    monkeypatch.setattr(suite, "STAGE_OVERRIDES", {("naive-2", 56): dict(lr=2e-4, min_lr=2e-5, init_optimizer=True)})
    assert not suite.stage_config("naive-2", 1).init_optimizer and suite.stage_config("naive-2", 2).init_optimizer
    run = suite.train_stages("naive-2", progress=False)
    before = suite.stage_run("naive-2", 1)
    assert json.loads((run / "train.json").read_text())["init_optimizer"] is True
    # the moments went on from the 16 updates of the stage before, not from zero: 16 + 16 updates
    assert (_adam_steps(before), _adam_steps(run)) == ({16}, {32})
    stages = suite.stages_trained(suite.stage_history(run))
    assert ["init_optimizer" in s for s in stages] == [False, False, True]
    assert findings.stage_notes(stages[2])[:2] == ["peak lr 0.0002, cosine to 2e-05", "AdamW moments carried over"]
    assert "AdamW moments carried over" not in findings.stage_notes(stages[1])
    text = findings.stages_text([("naive-2", stages)])
    assert "40 -> 56 (peak lr 0.0002, cosine to 2e-05, AdamW moments carried over" in text

    # a shipped checkpoint holds no optimizer state: a carried stage after it says so, in one line
    path = suite.install(run, "naive-2", alignment_games=60, aot_games=40)
    assert [s.get("init_optimizer", False) for s in load_checkpoint(path).metrics["trained"]["stages"]] == \
        [False, False, True]
    shutil.rmtree(tiny_stages / "runs")
    monkeypatch.setattr(suite, "STAGES", {"naive-2": (40, 56, 64)})
    monkeypatch.setattr(suite, "STAGE_OVERRIDES", {("naive-2", 64): dict(init_optimizer=True)})
    with pytest.raises(RunError, match="no readable optimizer state.*shipped checkpoint has none"):
        suite.train_stages("naive-2", progress=False, from_shipped=True)


def _steps(rows):
    return [r["step"] for r in rows]


def test_a_model_trained_in_stages_ships_its_whole_history(tiny_stages, monkeypatch):
    from mothello.train import read_metrics

    run = suite.train_stages("naive-2", progress=False)
    first = suite.stage_run("naive-2", 0)
    assert run == suite.stage_run("naive-2", 1) == tiny_stages / "runs" / "suite-naive-2-to-40"
    assert suite.stage_history(run) == [first, run]
    tc = json.loads((run / "train.json").read_text())
    assert (tc["init_from"], tc["init_step"], tc["steps"], tc["lr"], tc["dtype"]) == (str(first), 24, 40, 2e-3,
                                                                                       "bfloat16")
    assert json.loads((run / "status.json").read_text())["step"] == 40
    assert min(_steps(read_metrics(run))) > 24
    # training again finds every stage finished and trains nothing
    with monkeypatch.context() as m:
        m.setattr(suite, "train", lambda *a, **k: pytest.fail("a finished stage was trained again"))
        assert suite.train_stages("naive-2", progress=False) == run

    path = suite.install(run, "naive-2", alignment_games=60, aot_games=40)
    ck = load_checkpoint(path)
    assert ck.step == 40
    rows = [json.loads(x) for x in (path / "metrics.jsonl").read_text().splitlines()]
    assert _steps(rows) == sorted(set(_steps(rows))) and _steps(rows) == _steps(read_metrics(first)) + \
        _steps(read_metrics(run))
    shipped = dict(list_snapshots(path))
    assert 24 in shipped and len(shipped) == suite.MAX_SNAPSHOTS  # the end of stage 1 ships first
    end1 = load_checkpoint(shipped[24]).model.state_dict()
    for k, w in load_checkpoint(first).model.state_dict().items():
        assert torch.allclose(end1[k], w.half().float() if ck.meta["weights_dtype"] == "float16" else w)
    stages = ck.metrics["trained"]["stages"]
    assert [(s["from"], s["to"], s["dtype"]) for s in stages] == [(0, 24, "float32"), (24, 40, "bfloat16")]
    assert ck.metrics["trained"]["started"] == stages[0]["started"]
    text = findings.how_trained(findings.collect(tiny_stages / "shipped"))  # the report says how it was trained
    assert "Later stages: `naive-2` 24 -> 40" in text and "bfloat16 autocast" in text
    # the end of stage 1 was never installed: the install measured it as it measures the final model, so
    # the report says what the last stage bought
    end = load_checkpoint(shipped[24])
    assert end.metrics["legal_move_accuracy"] == legal_move_accuracy(end.model, end.vocab, suite.full_eval_games())
    assert end.metrics["alignment"]["layers"].keys() == ck.metrics["alignment"]["layers"].keys()
    assert not (shipped[24] / "analysis").exists()  # its numbers only: the analysis would cost the size budget
    assert "| naive-2 | 24 -> 40 |" in text

    # a fresh clone (no runs/) adds a stage to the shipped model without retraining the ones before
    shutil.rmtree(tiny_stages / "runs")
    monkeypatch.setattr(suite, "STAGES", {"naive-2": (40, 56)})
    run3 = suite.train_stages("naive-2", progress=False, from_shipped=True)
    adopted = suite.stage_run("naive-2", 1)
    assert sorted(p.name for p in (tiny_stages / "runs").iterdir()) == [adopted.name, run3.name]
    assert json.loads((adopted / "status.json").read_text())["adopted_from"] == str(path)  # outside the project
    tc3 = json.loads((run3 / "train.json").read_text())
    assert (tc3["init_from"], tc3["init_step"], tc3["steps"]) == (str(adopted), 40, 56)
    path = suite.install(run3, "naive-2", alignment_games=60, aot_games=40)
    m = load_checkpoint(path).metrics
    assert [(s["from"], s["to"]) for s in m["trained"]["stages"]] == [(0, 24), (24, 40), (40, 56)]
    rows = [json.loads(x)["step"] for x in (path / "metrics.jsonl").read_text().splitlines()]
    assert rows == sorted(set(rows)) and rows[0] <= 8 and rows[-1] == 56
    # the end of every earlier stage ships, also of those before the adopted one (their runs are gone)
    assert {24, 40} <= set(dict(list_snapshots(path)))


@given(st.sets(st.integers(1, 500), min_size=1, max_size=30), st.data(), st.integers(0, 6))
def test_pick_snapshots_keeps_the_budget_the_last_stage_start_and_the_earliest(steps, data, keep):
    steps = sorted(steps)
    final = data.draw(st.sampled_from(steps + [1000]))
    ends = data.draw(st.lists(st.sampled_from(steps), max_size=4, unique=True))
    matched = set(data.draw(st.lists(st.sampled_from(steps), max_size=3)))
    picked = suite.pick_snapshots(steps, ends, final, keep, matched)
    pool = [s for s in steps if s != final]
    assert picked == sorted(set(picked)) and set(picked) <= set(pool) and final not in picked
    assert len(picked) == min(keep, len(pool))  # the budget, all of it when there is enough to ship
    live_ends = sorted(e for e in ends if e != final)
    if keep >= 1 and live_ends:
        assert live_ends[-1] in picked  # where the last stage began: "what the last stage bought"
    if keep >= 2 and pool:
        assert pool[0] in picked  # the earliest: alignment before it emerged
    if keep >= len(live_ends) + 2 and pool:
        assert pool[-1] in picked  # with room beyond the stage starts and the earliest: the latest too
    if keep >= len(live_ends) + 1:
        assert set(live_ends) <= set(picked)  # room for every stage start
    at_matched = [e for e in live_ends[:-1] if e in matched]
    if keep >= len(at_matched) + 2:
        assert set(at_matched) <= set(picked)  # a stage end where another model ends: next after the last


def test_pick_snapshots_for_the_shipped_shapes():
    # one earlier stage, three to ship: its end, the first and the last snapshot (what shipped before)
    assert suite.pick_snapshots([600, 6000, 12000, 18000, 24000], [12000], 24000, 3) == [600, 12000, 18000]
    # two earlier stages, two to ship (atomic-10): the last stage's start and the first snapshot
    assert suite.pick_snapshots([600, 6000, 12000, 18000, 24000, 36000], [12000, 24000], 48000, 2) == [600, 24000]
    assert suite.pick_snapshots([12000, 24000], [12000, 24000], 48000, 2) == [12000, 24000]
    # unified-mixed after five stages: the last stage's start, the end where naive-2 and anchors-8 end
    # (the report's matched-steps ordering) and the first snapshot; not the latest two ends
    um = [600, 12000, 24000, 48000, 51000, 56000]
    assert suite.pick_snapshots(um, um[1:], 66000, 3, {24000, 66000, 82000}) == [600, 24000, 56000]
    assert suite.pick_snapshots(um, um[1:], 66000, 3) == [600, 51000, 56000]
    assert suite.pick_snapshots(um, um[1:], 66000, 2, {24000}) == [600, 56000]  # the budget of atomic-10
    # the steps where every suite model ends a stage: the first stage's and the second's, not the GPU stages'
    # ends (32,000, 85,000, 90,000), which differ per model
    matched = suite.matched_steps()
    assert matched == set.intersection(*(set(suite.stage_ends(n)) for n in suite.SUITE)) == {12000, 24000}
    # unified-mixed after its GPU stage: the CPU stages' last end, the matched end and the first snapshot
    um = [600, 12000, 24000, 48000, 51000, 56000, 66000, 78000]
    assert suite.pick_snapshots(um, um[1:], 85000, 3, matched) == [600, 24000, 78000]


def test_a_shipped_model_is_adopted_only_at_the_end_of_a_stage(tiny_stages, installed, monkeypatch):
    """The shipped tiny model (157 steps) ends no stage of a 24-step schedule; at the end of one it is
    taken as that stage's finished run, once."""
    _, _, path = installed
    (tiny_stages / "shipped").mkdir()
    shutil.copytree(path, tiny_stages / "shipped" / "naive-2")
    assert suite.adopt_shipped("naive-2") is None and not (tiny_stages / "runs").exists()
    assert suite.adopt_shipped("anchors-8") is None  # nothing shipped under that name
    monkeypatch.setattr(suite, "STAGES", {"naive-2": (157, 200)})
    assert suite.adopt_shipped("naive-2") == 1
    st = json.loads((suite.stage_run("naive-2", 1) / "status.json").read_text())
    assert st["state"] == "finished" and st["step"] == 157
    assert suite.adopt_shipped("naive-2") is None  # the run is there now


def _eval_row(step, acc):
    return {"step": step, "legal_move_accuracy": {"L0": acc - 0.01, "L1": acc + 0.01}}


def test_the_dip_after_a_warm_restart_is_measured_per_stage_and_a_carried_optimizer_is_compared():
    stages = [{"from": 0, "to": 100}, {"from": 100, "to": 200, "lr": 2e-4, "warmup_steps": 10},
              {"from": 200, "to": 300, "lr": 2e-4, "warmup_steps": 10, "init_optimizer": True},
              {"from": 300, "to": 400, "lr": 2e-4, "warmup_steps": 10}]
    curve = {50: 0.80, 100: 0.90, 110: 0.90, 125: 0.86, 150: 0.84, 175: 0.91, 200: 0.92,
             225: 0.915, 250: 0.925, 300: 0.93, 350: 0.90, 400: 0.905}
    rows = [_eval_row(k, v) for k, v in curve.items()] + [{"step": 60, "train_loss": 1.0}]  # a row without an eval
    dips = findings.restart_dips(rows, stages)
    assert [(d["from"], d["low_step"], d["back"], d["carried"]) for d in dips] == \
        [(100, 150, 175, False), (200, 225, 250, True), (300, 350, None, False)]
    assert [round(d["low"] - d["start"], 3) for d in dips] == [-0.06, -0.005, -0.03]
    assert dips[0]["start"] == pytest.approx(0.90) and dips[2]["end"] == pytest.approx(0.905)
    # a stage whose start was never evaluated is left out
    assert [d["from"] for d in findings.restart_dips([r for r in rows if r["step"] != 200], stages)] == [100, 300]

    table, line = findings.restart_table({"models": {"many": {"name": "atomic-10", "restarts": dips}}})
    assert "| atomic-10 | 100 -> 200 | 0.0002, 10 steps | fresh | 90.0% | 84.0% at 150 (-6.0 points) | 175 | 92.0% |" in table
    assert "| atomic-10 | 300 -> 400 | 0.0002, 10 steps | fresh | 93.0% | 90.0% at 350 (-3.0 points) | not back |" in table
    assert "fresh optimizer the model fell 6.0 points, with the AdamW moments carried over 0.5 points: the dip is " \
           "the fresh optimizer's." in line
    same = [dips[0], {**dips[1], "low": dips[1]["start"] - 0.055}]  # carried, and it falls as far
    assert "the dip is NOT the fresh optimizer's" in findings.restart_table({"models": {"m": {"name": "m", "restarts": same}}})[1]
    other = [dips[0], {**dips[1], "lr": 1e-3}]  # another schedule: nothing to compare
    unknown = findings.restart_table({"models": {"m": {"name": "m", "restarts": [{**dips[0], "warmup_steps": None}]}}})
    assert "| m | 100 -> 200 | 0.0002, n/a | fresh |" in unknown[0]
    assert len(findings.restart_table({"models": {"m": {"name": "m", "restarts": other}}})) == 1
    assert findings.restart_table({"models": {"m": {"name": "m", "restarts": []}}}) == []


def test_stage_gains_table_and_the_pace_to_the_colour_target():
    def model(name, step, colour, prev_colour, prev_step=12_000):
        prev = {"step": prev_step, "legal_min": 0.93, "in_language": 0.85, "cross_lingual": 0.5,
                "colour_in_language": prev_colour, "colour_cross_lingual": 0.5}
        return {"name": name, "step": step, "legal_min": 0.95, "in_language": 0.87, "cross_lingual": 0.49,
                "colour_in_language": colour, "previous_stage": prev}

    numbers = {"models": {"naive": model("naive-2", 24_000, 0.76, 0.72),
                          "anchors": model("anchors-8", 48_000, 0.95, 0.80),   # at the target: no projection
                          "many": model("atomic-10", 24_000, 0.60, 0.61),      # lost colour: no projection
                          "unified": {"name": "unified-mixed", "step": 12_000, "colour_in_language": 0.7}}}
    table, pace = findings.stage_gains(numbers)
    assert "| naive-2 | 12,000 -> 24,000 | 93.0% -> 95.0% | 85.0% -> 87.0% | 50.0% -> 49.0% | 72.0% -> 76.0% |" in table
    assert "| anchors-8 | 12,000 -> 48,000 |" in table and "unified-mixed" not in table
    # 4 points a doubling, 14 to go: 3.5 more doublings from 24,000 steps of 64 games (1,536,000 games)
    # = 1,536,000 * 2 ** 3.5 = 17.4 million games
    assert pace.startswith("`naive-2`: the colour probe gained 4.0 points over the last stage (one doubling of the "
                           "games seen)")
    assert "about 3.5 more doublings, some 17.4 million games in all (1.5 million games so far)." in pace
    assert "anchors-8" not in pace and "atomic-10" not in pace
    assert findings.stage_gains({"models": {"unified": numbers["models"]["unified"]}}) == []
    # a last stage at 16x the batch: 8,000 steps of 1,024 games are 2.66 doublings of the games seen, not the
    # 0.4 of the steps; the pace is per doubling of the games
    naive = model("naive-2", 32_000, 0.80, 0.76, prev_step=24_000)
    naive["trained"] = {"stages": [{"from": 0, "to": 12_000}, {"from": 12_000, "to": 24_000},
                                   {"from": 24_000, "to": 32_000, "batch_size": 1024, "device": "cuda:0",
                                    "started": "2026-12-04T16:42:00+00:00", "finished": "2026-12-04T16:49:30+00:00"}]}
    _, pace = findings.stage_gains({"models": {"naive": naive}})
    doublings = np.log2((1_536_000 + 8_000 * 1024) / 1_536_000)
    assert f"over the last stage ({doublings:.1f} doublings of the games seen)" in pace
    more = (0.9 - 0.80) / (0.04 / doublings)
    assert f"about {more:.1f} more doublings, some {round(9_728_000 * 2 ** more, -5) / 1e6:.1f} million games in all" in pace
    # and how long the rest would take on the GPU at the speed of its GPU stage (8,000 x 1,024 games in 450 s)
    rate = 8_000 * 1024 / 450
    hours = (round(9_728_000 * 2 ** more, -5) - 9_728_000) / rate / 3600
    assert pace.rstrip().endswith(f"at the {rate:,.0f} games/s its GPU stage trained at (sharing the GPU), the rest "
                                  f"would take about {hours:.1f} GPU-hours.")


def test_the_pace_to_the_colour_target_is_fitted_over_every_stage_end_not_read_off_a_short_last_stage():
    def end(step, colour):
        return {"step": step, "legal_min": 0.9, "in_language": 0.85, "cross_lingual": 0.8,
                "colour_in_language": colour, "colour_cross_lingual": 0.7}

    # 70% at 12k, 74% at 24k, 78% at 48k: 4 points a doubling; a short last stage to 51k adds only 0.1 point
    m = {"name": "unified-mixed", "step": 51_000, "legal_min": 0.93, "in_language": 0.86, "cross_lingual": 0.85,
         "colour_in_language": 0.781, "previous_stage": end(48_000, 0.78),
         "stage_ends": {12_000: end(12_000, 0.70), 24_000: end(24_000, 0.74), 48_000: end(48_000, 0.78)}}
    table, pace = findings.stage_gains({"models": {"unified": m}})
    assert "| unified-mixed | 48,000 -> 51,000 |" in table
    x = np.log2([12_000, 24_000, 48_000, 51_000])
    per = np.polyfit(x, [0.70, 0.74, 0.78, 0.781], 1)[0]
    assert 0.038 < per < 0.041   # the fit, not the last stage's 0.1 point over 0.09 doublings (1.1 a doubling)
    more = (0.9 - 0.781) / per
    assert (f"over its 4 stage ends from 12,000 to 51,000 steps (2.1 doublings of the games seen) the colour probe "
            f"gained {100 * per:.1f} points a doubling") in pace
    assert f"about {more:.1f} more doublings, some {round(51_000 * 64 * 2 ** more, -5) / 1e6:.1f} million games in all" in pace
    # a model that lost colour across its stages gets no projection
    m["stage_ends"] = {12_000: end(12_000, 0.80), 24_000: end(24_000, 0.79)}
    m["previous_stage"], m["colour_in_language"] = end(48_000, 0.78), 0.779
    assert findings.stage_gains({"models": {"unified": m}})[1:] == []
    # one short stage alone: no pace read from it, and the report says why
    m.update(stage_ends={48_000: end(48_000, 0.70)}, previous_stage=end(48_000, 0.70), colour_in_language=0.75)
    m["step"] = 60_000
    _, short = findings.stage_gains({"models": {"unified": m}})
    assert short.strip() == ("`unified-mixed`: its shipped stage ends span only 0.3 doublings of the games seen "
                             "(48,000 to 60,000 steps), too few to read a pace to 90% colour from.")


def test_build_refuses_a_part_it_does_not_have_before_training_anything(monkeypatch):
    monkeypatch.setattr(suite, "train_stages", lambda *a, **k: pytest.fail("trained despite a bad name"))
    with pytest.raises(ValueError, match="no suite part named anchors-9.*anchors-8"):
        suite.build(only=["anchors-8", "anchors-9"])
    names = suite.part_names()
    assert {"naive-2", "atomic-10", "transfer-unified-mixed", "anchor-sweep"} <= set(names)
    assert "transfer-unified-mixed-block-1-attention-frozen" in names and "transfer-atomic-10" not in names


def test_the_report_says_where_along_a_game_the_colour_is_lost():
    bins = [(1, 10), (11, 20), (21, 30)]
    placer = [0.70, 0.64, 0.60]

    def model(name, colour):
        return {"name": name, "colour_by_move": {"bins": bins, "occupied": [100, 200, 300], "placer": placer,
                                                 "colour": colour}}

    table, text = findings.colour_by_move_table([model("naive-2", [0.95, 0.80, 0.66]), {"name": "none"},
                                                 model("anchors-8", [0.97, 0.85, 0.68])])
    assert "| model | moves 1-10 | moves 11-20 | moves 21-30 |" in table and "600 occupied squares" in table
    assert "| naive-2 | 95.0% | 80.0% | 66.0% |" in table and "| none |" not in table
    assert "| placer baseline (no flip tracked) | 70.0% | 64.0% | 60.0% |" in table
    assert "best in the opening (95.0-97.0% in moves 1-10)" in text and "(66.0-68.0% in moves 21-30)" in text
    assert "from 25.0-27.0 points to 6.0-8.0 points: the models follow the flips" in text
    assert "reaches the 90% target only in moves 1-10." in text
    # a model that does not fall steadily, and none at 90%: said so, no story told
    _, text = findings.colour_by_move_table([model("m", [0.85, 0.88, 0.70])])
    assert "do not all lose the colour steadily" in text and "No stretch of the game reaches" in text
    # the lead does not shrink: no claim about flips piling up
    _, text = findings.colour_by_move_table([model("m", [0.75, 0.70, 0.69])])
    assert "from 5.0 points to 9.0 points." in text and "pile" not in text
    assert findings.colour_by_move_table([{"name": "none"}]) == []
    assert "pass" not in text  # stored before the split by passes: nothing said of them


def test_the_report_says_what_the_passes_cost_the_colour():
    bins = [(1, 30), (31, 60)]

    def model(name, colour, there, rest):
        turned = {"boards": [300, 100], "boards_turned": [2, 8], "occupied": 50, "colour": there,
                  "colour_other": rest}
        return {"name": name, "colour_by_move": {"bins": bins, "occupied": [1000, 1000], "placer": [0.7, 0.6],
                                                 "colour": colour, "turned": turned}}

    # over all 0.80 and 0.70; 50 of the 2,000 occupied squares turned, read at 0.40 and 0.45
    _, text = findings.colour_by_move_table([model("a", [0.9, 0.7], 0.40, (1600 - 20) / 1950),
                                             model("b", [0.8, 0.6], 0.45, (1400 - 22.5) / 1950)])
    assert "On the 10 of the 400 test positions where a pass has turned the order (2.5%; 8.0% of moves 31-60)" in text
    assert "read the colour at 40.0-45.0%, no better than a coin: they do not see the passes." in text
    assert "On the other positions they read it at 70.6-81.0%, 0.6-1.0 points above their colour over all" in text
    assert "explain little of the gap to the 90% target." in text
    # read well after a pass, and at 90% elsewhere: neither claim
    _, text = findings.colour_by_move_table([model("a", [0.95, 0.9], 0.70, 0.93)])
    assert "at 70.0%. On the other positions they read it at 93.0%" in text and "coin" not in text
    assert "explain little" not in text


def test_findings_read_the_probes_on_more_games_only_when_they_are_of_these_weights(installed, tmp_path):
    path, meta, layer = _installed_copy(installed, tmp_path)
    f = path / "analysis" / "probe-games-relative.json"
    made = json.loads(f.read_text())   # install made it: the probes' games and four times as many
    assert (made["layer"], sorted({p["n_train"] for p in made["points"]})) == (layer, [150, 600])
    assert findings.collect(tmp_path)["models"]["naive"]["probe_games"]["colour"].keys() == {"linear", "mlp"}
    f.unlink()
    assert findings.collect(tmp_path)["models"]["naive"]["probe_games"] is None  # none stored
    points = [{"kind": k, "n_train": n, "accuracy": 0.9, "occupancy": 0.99, "colour": c}
              for k, n, c in (("linear", 1000, 0.6), ("linear", 4000, 0.61), ("mlp", 1000, 0.58), ("mlp", 4000, 0.65))]
    stored = {"layer": layer, "language": "L0", "n_test": 200, "points": points}
    for other in ({"weights_sha256": "0" * 64}, {"weights_sha256": meta["weights_sha256"], "layer": layer + 1}):
        f.write_text(json.dumps({**stored, **other}))   # other weights, another layer: ignored
        assert findings.collect(tmp_path)["models"]["naive"]["probe_games"] is None
    f.write_text(json.dumps({**stored, "weights_sha256": meta["weights_sha256"]}))
    numbers = findings.collect(tmp_path)
    assert numbers["models"]["naive"]["probe_games"] == {
        "language": "L0", "colour": {"linear": {1000: 0.6, 4000: 0.61}, "mlp": {1000: 0.58, 4000: 0.65}}}
    text = findings.render(numbers, figures={})
    assert "`naive-2` (L0): the linear probe 60.0% -> 61.0% (+1.0 points), the MLP probe 58.0% -> 65.0% (+7.0 points)" in text


@pytest.mark.parametrize("linear, mlp, end", [
    ((0.786, 0.791), (0.781, 0.800), "the best reading, 80.0%, is 10.0 points short of the 90% target: more games "
                                     "lift the probes by less than half the gap.\n"),
    ((0.786, 0.791), (0.781, 0.85), "the best reading, 85.0%, is 5.0 points short of the 90% target.\n"),
    ((0.786, 0.791), (0.85, 0.91), "the best reading, 91.0%, reaches the 90% target.\n")])
def test_the_report_says_what_more_games_give_the_probes(linear, mlp, end):
    def model(name, linear, mlp):
        return {"name": name, "probe_games": {"language": "L0", "colour": {"linear": dict(zip((1000, 4000), linear)),
                                                                           "mlp": dict(zip((1000, 4000), mlp))}}}

    [text] = findings.probe_games_lines([model("naive-2", linear, mlp), {"name": "none"},
                                         model("atomic-10", (0.75, 0.76), (0.749, 0.77))])
    assert text.startswith("Is it the probe's training games? The same probes on each model's first language at the "
                           "same layer, trained on the study's 1,000 games and on 4,000 (those 1,000 and 3,000 more), "
                           "scored on the same test games: `naive-2` (L0): the linear probe 78.6% -> 79.1% (+0.5 points), "
                           f"the MLP probe {100 * mlp[0]:.1f}% -> {100 * mlp[1]:.1f}% ({100 * (mlp[1] - mlp[0]):+.1f} points); `atomic-10` (L0): "
                           "the linear probe 75.0% -> 76.0% (+1.0 points), the MLP probe 74.9% -> 77.0% (+2.1 points). With "
                           "4x the games the colour moves +0.5 to ")
    assert text.endswith(end) and "none" not in text
    assert findings.probe_games_lines([{"name": "none"}]) == []
