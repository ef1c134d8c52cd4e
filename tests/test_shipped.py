"""Every shipped checkpoint in checkpoints/ loads, and its recorded numbers match its weights.

A checkpoint installed by `python -m mothello suite` records its legal-move accuracy on a fixed sample
of held-out games (metrics.sample_check); this test recomputes it from the weights, so the numbers the
app shows cannot drift from the models. It also checks the recorded alignment summary against the
stored alignment analysis and the suite's size budget.
"""

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from mothello import suite, sweep
from mothello.checkpoints import META, load_checkpoint, read_meta
from mothello.data import heldout_games
from mothello.evaluate import legal_move_accuracy
from mothello.languages import load_config

SHIPPED = Path(__file__).resolve().parents[1] / "checkpoints"
MODELS = sorted(p.parent for p in SHIPPED.glob(f"*/{META}"))
TRANSFERS = sorted(p.parent for p in SHIPPED.glob("transfer-*/transfer.csv") if (p.parent / "finetune").is_dir())
VARIANTS = sorted(p.parent for p in SHIPPED.glob("transfer-*/transfer.csv") if not (p.parent / "finetune").is_dir())
MANY = [p for p in MODELS if len(load_config(p / "experiment.toml").input_languages) > 2]


def test_checkpoints_folder_within_budget():
    size = sum(p.stat().st_size for p in SHIPPED.rglob("*") if p.is_file()) / 1e6
    assert size < 60, f"checkpoints/ holds {size:.1f} MB; the budget is 60 MB"


@pytest.mark.parametrize("name", suite.SUITE)
def test_every_suite_model_ships_at_the_end_of_its_last_stage(name):
    """The shipped suite model is what `make demo-suite` trains: it ends its last stage (suite.STAGES), its
    recorded stages are the suite's, and its metrics log runs through all of them."""
    meta = json.loads((SHIPPED / name / META).read_text())
    ends = suite.stage_ends(name)
    assert meta["step"] == ends[-1]
    stages = meta["metrics"]["trained"].get("stages") or [{"from": 0, "to": meta["step"]}]
    assert [(x["from"], x["to"]) for x in stages] == list(zip([0] + ends[:-1], ends))
    steps = [json.loads(x)["step"] for x in (SHIPPED / name / "metrics.jsonl").read_text().splitlines()]
    assert steps == sorted(set(steps)) and steps[-1] == ends[-1]
    assert all(any(a < s <= b for s in steps) for a, b in zip([0] + ends[:-1], ends))


@pytest.mark.parametrize("name", suite.SUITE)
def test_a_stage_trained_on_a_gpu_records_its_batch_and_its_settings_are_the_suites(name):
    """The report counts games from each stage's batch: every shipped stage records one, and a stage with
    the GPU settings (suite.GPU_STAGE) trained with them."""
    stages = json.loads((SHIPPED / name / META).read_text())["metrics"]["trained"]["stages"]
    assert all(x.get("batch_size") for x in stages[1:])
    for x in stages:
        if suite.STAGE_OVERRIDES.get((name, x["to"])) is suite.GPU_STAGE:
            assert x["device"].startswith("cuda") and x["batch_size"] == suite.GPU_STAGE["batch_size"]
            assert (x["lr"], x["min_lr"], x["warmup_steps"]) == tuple(suite.GPU_STAGE[k] for k in
                                                                      ("lr", "min_lr", "warmup_steps"))


def test_the_paper_preset_runs_are_recorded_whole():
    """checkpoints/paper-preset/runs.json (scripts/gpu_stages.py --record): every run finished the steps it
    recorded, its in-training log ends there, and its held-out legal moves cover the experiment's input
    languages; a run with probes names a layer it has."""
    from mothello import findings
    from mothello.model import PRESETS

    runs = findings.paper_runs(SHIPPED)
    assert runs, "no paper preset runs recorded"
    for r in runs:
        exp = load_config(suite.CONFIGS / f"{r['experiment']}.toml")
        assert r["state"] == "finished" and r["metrics"][-1]["step"] == r["steps"]
        assert set(r["legal_move_accuracy"]) == {exp.languages[i].name for i in exp.input_languages}
        assert all(0 < v <= 1 for v in r["legal_move_accuracy"].values())
        if r.get("alignment"):
            assert 0 <= r["alignment"]["best_layer"] <= PRESETS[r["preset"]]["n_layer"]
            assert str(r["alignment"]["best_layer"]) in r["alignment"]["layers"]


def test_the_depth_trials_are_recorded_whole():
    """checkpoints/depth-trials/runs.json (scripts/gpu_stages.py --record-depth): each run grew a shipped
    model of its experiment from the step it ships at, or trained from scratch; it records a write for
    each of its blocks, its held-out legal moves in the experiment's input languages, and probes at every
    layer it has, its best layer among them."""
    from mothello import findings

    runs = findings.depth_runs(SHIPPED)
    assert runs, "no depth trials recorded"
    for r in runs:
        exp = load_config(suite.CONFIGS / f"{r['experiment']}.toml")
        assert set(r["legal_move_accuracy"]) == {exp.languages[i].name for i in exp.input_languages}
        assert all(0 < v <= 1 for v in r["legal_move_accuracy"].values())
        assert len(r["block_writes"]) == r["n_layer"] and all(w["attention"] > 0 and w["mlp"] > 0
                                                               for w in r["block_writes"])
        assert set(r["alignment"]["layers"]) == {str(x) for x in range(r["n_layer"] + 1)}
        assert str(r["alignment"]["best_layer"]) in r["alignment"]["layers"]
        if r["kind"] == "deepen":
            shipped = read_meta(SHIPPED / r["experiment"])
            assert r["from_step"] == shipped["step"] and r["from_layers"] == shipped["model"]["n_layer"] < r["n_layer"]
        else:
            assert r["kind"] == "scratch" and r["from_step"] == 0 and r["from_layers"] is None


def test_the_width_trial_is_recorded_whole():
    """checkpoints/width-trials/runs.json (scripts/width_trial.py): shapes (and objectives) of one
    experiment, and the pooling trial's other experiments, each trained with the one recipe to the same step
    (or, the objective trial carried on, to more steps), with a measured speed and every snapshot of its
    recipe analysed: held-out legal moves in its experiment's input languages and probes at every layer."""
    from mothello import findings
    from mothello.findings.numbers import run_decay
    from mothello.train import TrainConfig, snapshot_steps

    recorded = findings.width_runs(SHIPPED)
    runs = [r for r in recorded if not r.get("from_step")]  # from scratch; the shipped model trained on below
    assert len(runs) >= 2, "the width trial needs two shapes at least"
    assert len({(r["experiment"], r["n_layer"], r["d_model"], r.get("objective", "next-token"), r["steps"], r["lr"],
                 run_decay(r)) for r in runs}) == len(runs)
    # the weight-decay trial: runs at other weight decays beside one at the suite's, the rest of the recipe its
    decayed = [r for r in runs if run_decay(r) != TrainConfig.weight_decay]
    for r in decayed:
        assert r in findings.decay_runs(findings.collect(SHIPPED)) and any(
            run_decay(x) == TrainConfig.weight_decay and all(x[k] == r[k] for k in (
                "experiment", "n_layer", "d_model", "steps", "batch_size", "lr", "min_lr", "warmup_steps"))
            and x.get("objective") == r.get("objective") for x in runs)
    # the learning-rate trial: runs at other peak rates (each cosine to a tenth of it) beside one at the suite's
    rated = [r for r in runs if r["lr"] != suite.SUITE_TRAINING["lr"]]
    for r in rated:
        assert r["min_lr"] == pytest.approx(r["lr"] / 10)
        assert any(x["lr"] == suite.SUITE_TRAINING["lr"] and all(x[k] == r[k] for k in (
            "experiment", "n_layer", "d_model", "steps")) and x.get("objective") == r.get("objective") for x in runs)
    recipe = {k: next(r for r in runs if r not in rated)[k] for k in ("batch_size", "lr", "min_lr", "warmup_steps", "dtype")}
    numbers = findings.collect(SHIPPED)
    # the batch trial: runs at another batch over as many games as one at the suite's (steps x batch), its rates
    batched = [r for r in findings.batch_runs(numbers) if r["batch_size"] != suite.SUITE_TRAINING["batch_size"]]
    for r in batched:
        assert any(x["batch_size"] == suite.SUITE_TRAINING["batch_size"] and x["steps"] * x["batch_size"] ==
                   r["steps"] * r["batch_size"] for x in findings.batch_runs(numbers))
    # deeper and narrower: the depth ladder's recipe at another width, on this session's machine (its number format)
    narrow = findings.narrow_runs(numbers)
    further = findings.further_runs(numbers)
    # the depth ladder: the run carried further's recipe at other depths, one run per depth
    ladder = [r for r in findings.ladder_runs(numbers) if r not in further]
    for r in ladder:
        assert all(r[k] == further[0][k] for k in ("experiment", "d_model", "steps", "objective", "batch_size", "lr"))
    assert len({r["n_layer"] for r in ladder + further[:1]}) == len(ladder) + min(1, len(further))
    # the deeper recipe on another model: the ladder's recipe and objective at one of its shapes, another model
    other = findings.other_model_runs(numbers)
    for r in other:
        assert r["experiment"] != further[0]["experiment"] and any(
            (x["n_layer"], x["d_model"]) == (r["n_layer"], r["d_model"]) for x in ladder + further[:1])
    trial = min(r["steps"] for r in runs)  # the trials' length; longer runs carry the objective trial on
    longer = [r for r in runs if r["steps"] != trial and r not in ladder + batched + narrow + other]
    assert len(longer) < len(runs) / 2
    # carried on: the objective trial's model and shape, a next-token run and another objective's at each length;
    # or carried further: the exact target alone, longer than every pair, beside the shipped model
    for n in {r["steps"] for r in longer}:
        pair = [r for r in longer if r["steps"] == n]
        assert len({(r["experiment"], r["n_layer"], r["d_model"]) for r in pair}) == 1
        if pair == [r for r in further if r["steps"] == n]:
            assert pair[0]["objective"] == "legal-set" and n > max(r["steps"] for r in longer if r not in further)
        else:
            assert {r.get("objective", "next-token") for r in pair} >= {"next-token", "legal-set"}
    for r in runs:
        exp = load_config(suite.CONFIGS / f"{r['experiment']}.toml")
        # a batch-trial, deeper-and-narrower, depth-ladder or other-model run trains on its session's machine (or a
        # lent GPU), in the number format it computes fastest ("auto")
        own = [k for k in recipe if (r not in rated or k not in ("lr", "min_lr"))
               and (r not in batched or k not in ("batch_size", "dtype"))
               and (r not in narrow + ladder + other or k != "dtype")]
        assert {k: r[k] for k in own} == {k: recipe[k] for k in own} and r["measured"]["steps_per_s"] > 0
        snapshots = sorted(snapshot_steps(TrainConfig(steps=r["steps"])))
        steps = [p["step"] for p in r["points"]]   # a batch-trial, narrower or ladder run may have stopped part-way:
        assert steps == (snapshots[:len(steps)] if r in batched + narrow + ladder else snapshots) and steps  # its first
        for p in r["points"]:
            assert set(p["legal_move_accuracy"]) == {exp.languages[i].name for i in exp.input_languages}
            assert set(p["alignment"]["layers"]) == {str(x) for x in range(r["n_layer"] + 1)}
            assert str(p["alignment"]["best_layer"]) in p["alignment"]["layers"]
            assert p["train_s"] == pytest.approx(p["step"] / r["measured"]["steps_per_s"])
    text = (SHIPPED.parent / "FINDINGS.md").read_text()
    assert "## Is it width?" in text and "[Is it width?](#is-it-width)" in text  # and in the trials at a glance
    if any(r.get("objective", "next-token") != "next-token" for r in runs):
        assert "## Is it the noise of the target?" in text and "(#is-it-the-noise-of-the-target)" in text
    if [r for r in longer if r not in further]:
        paired = max(r["steps"] for r in longer if r not in further)
        assert f"**Carried on.** The same objectives again over {paired:,} steps" in text
    if further:
        assert "## The exact target carried further" in text and "(#the-exact-target-carried-further)" in text
    if any(r["experiment"] == "mono-1" for r in runs):
        assert "## Do the languages share their games?" in text and "(#do-the-languages-share-their-games)" in text
    if rated:
        assert "## Is it the learning rate?" in text and "(#is-it-the-learning-rate)" in text
    if batched:
        assert "## Is it the batch?" in text and "[Is it the batch?](#is-it-the-batch)" in text
    if ladder:
        assert "## Does the depth set where the colour levels off?" in text
        assert "(#does-the-depth-set-where-the-colour-levels-off)" in text
    if other:
        assert "## Does the deeper recipe hold for another model?" in text
        assert "(#does-the-deeper-recipe-hold-for-another-model)" in text
    for r in narrow:   # beside the ladder's shapes measured with it, each a ladder run
        beside = {f"{x['n_layer']}x{x['d_model']}" for x in findings.narrow_beside(numbers)}
        assert ladder and beside >= set(r.get("beside", {}))
        assert "## Is it the depth or the size?" in text and "(#is-it-the-depth-or-the-size)" in text
    carried = [r for r in recorded if r.get("from_run")]   # later stages of a run from scratch (--carry-on)
    if carried:
        assert further and "past the end of its schedule (`--carry-on`)" in text
        # the further run's own later stages (a ladder run carried on is another run's)
        more = sum(r["steps"] - r["from_step"] for r in findings.carried_stages(numbers, further[-1]))
        assert more and all(r in carried for r in findings.carried_stages(numbers, further[-1]))
        assert f"{further[-1]['steps']:,} steps carried on {more:,} more" in text   # the trials at a glance
        # every later stage carries on the run carried further, a run of the depth ladder or one of another model
        # at the ladder's recipe, once
        chained = [x for r in further[-1:] + ladder + other for x in findings.carried_stages(numbers, r)]
        stage = lambda r: (r["n_layer"], r["d_model"], r["from_step"], r["steps"], r["lr"])  # noqa: E731
        assert sorted(map(stage, chained)) == sorted(map(stage, carried))
        for r in carried:
            exp = load_config(suite.CONFIGS / f"{r['experiment']}.toml")
            assert [p["step"] for p in r["points"]] == sorted(snapshot_steps(TrainConfig(
                steps=r["steps"], init_from="x", init_step=r["from_step"], snapshots=[0.25, 0.5, 1.0])))
            for p in r["points"]:
                assert set(p["legal_move_accuracy"]) == {exp.languages[i].name for i in exp.input_languages}
                assert set(p["alignment"]["layers"]) == {str(x) for x in range(r["n_layer"] + 1)}
                assert p["train_s"] == pytest.approx((p["step"] - r["from_step"]) / r["measured"]["steps_per_s"])
    trained_on = [r for r in recorded if r.get("from_step") and not r.get("from_run")]
    if trained_on:
        assert "## A trained model on the exact target" in text and "(#a-trained-model-on-the-exact-target)" in text
        shipped = {r["experiment"]: load_checkpoint(SHIPPED / r["experiment"]) for r in trained_on}
        for r in trained_on:  # from the shipped model as it is now, its own point first
            ck = shipped[r["experiment"]]
            assert r["from_step"] == ck.step and r["points"][0]["step"] == ck.step and r["points"][0]["train_s"] == 0
            assert [p["step"] for p in r["points"][1:]] == sorted(snapshot_steps(TrainConfig(
                steps=r["steps"], init_from="x", init_step=r["from_step"], snapshots=[1 / 3, 2 / 3, 1.0])))
            assert r["points"][0]["alignment"] == trained_on[0]["points"][0]["alignment"]


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*/runs.json")), ids=lambda p: p.parent.name)
def test_the_trial_records_are_strict_json(path):
    """Other tools read checkpoints/*/runs.json: null, never NaN, for what was not measured."""
    def refuse(c):
        raise ValueError(f"{path}: {c} is not JSON")

    assert json.loads(path.read_text(), parse_constant=refuse)["runs"]


@pytest.mark.parametrize("path", MODELS, ids=[p.name for p in MODELS])
def test_recorded_accuracy_matches_the_weights(path):
    ck = load_checkpoint(path)
    sample = ck.metrics.get("sample_check")
    assert sample, f"{path.name}: no sample_check in checkpoint.json (install it with `python -m mothello suite`)"
    games = heldout_games(sample["games"], seed=sample["seed"])
    fresh = legal_move_accuracy(ck.model, ck.vocab, games)
    recorded = sample["legal_move_accuracy"]
    assert set(fresh) == set(recorded)
    for lang, value in recorded.items():
        # one prefix of ~1,800 may flip between CPUs (float sums in another order); no more
        assert abs(fresh[lang] - value) <= 1e-3, f"{path.name} {lang}: recorded {value}, weights give {fresh[lang]}"


@pytest.mark.parametrize("path", MODELS, ids=[p.name for p in MODELS])
def test_every_stored_alignment_analysis_is_of_the_shipped_weights(path):
    """Any stored alignment (linear, or the MLP probe FINDINGS.md reads) was computed on these weights, on
    the model's input languages and every layer; a stale one would be ignored by the app but mislead."""
    meta = json.loads((path / META).read_text())
    n_layer = meta["model"]["n_layer"]
    for f in sorted((path / "analysis").glob("alignment-*.json")):
        data = json.loads(f.read_text())
        assert data["weights_sha256"] == meta["weights_sha256"], f"{f}: computed on other weights"
        assert sorted(int(x) for x in data["layers"]) == list(range(n_layer + 1)), f
        assert f.name == f"alignment-{data['kind']}-{data['labels']}-n{data['settings']['n_train']}.json"


@pytest.mark.parametrize("path", MODELS, ids=[p.name for p in MODELS])
def test_recorded_alignment_matches_stored_analysis(path):
    meta = json.loads((path / META).read_text())
    al = meta["metrics"].get("alignment")
    assert al, f"{path.name}: no alignment summary recorded"
    stored = sorted((path / "analysis").glob("alignment-linear-relative-*.json"))
    assert stored, f"{path.name}: no stored alignment analysis"
    data = json.loads(stored[-1].read_text())
    assert data["weights_sha256"] == meta["weights_sha256"]
    for layer, summary in al["layers"].items():
        m = np.asarray(data["layers"][layer]["matrix"])
        assert summary["in_language"] == pytest.approx(float(np.diag(m).mean()))
        if len(m) > 1:
            assert summary["cross_lingual"] == pytest.approx(float(m[~np.eye(len(m), dtype=bool)].mean()))


@pytest.mark.parametrize("path", MODELS, ids=[p.name for p in MODELS])
def test_colour_along_the_game_is_of_the_shipped_weights_and_adds_up_to_the_recorded_colour(path):
    """The stored colour-by-move analysis FINDINGS.md reads: of these weights, at the layer the report
    compares, every input language; weighted by the occupied squares, each language's row is its in-language
    probe's colour accuracy in the stored alignment (probes stored in float16: within 0.1 point)."""
    meta = json.loads((path / META).read_text())
    d = json.loads((path / "analysis" / "colour-by-move-linear-relative-n1000.json").read_text())
    layer = meta["metrics"]["alignment"]["best_layer"]
    assert d["weights_sha256"] == meta["weights_sha256"] and d["layer"] == layer
    al = json.loads((path / "analysis" / "alignment-linear-relative-n1000.json").read_text())["layers"][str(layer)]
    assert list(d["colour"]) == al["languages"]
    w = np.asarray(d["occupied"], dtype=float)
    t = d["turned"]  # split by whether a pass has turned the order of the sides: the parts add up
    assert 0 < t["occupied"] < w.sum() and sum(t["boards_turned"]) < sum(t["boards"])
    for name, diag in zip(al["languages"], np.diag(np.asarray(al["colour_matrix"]))):
        assert np.dot(w, d["colour"][name]) / w.sum() == pytest.approx(diag, abs=1e-3), name
        parts = t["occupied"] * t["colour"][name] + (w.sum() - t["occupied"]) * t["colour_other"][name]
        assert parts / w.sum() == pytest.approx(np.dot(w, d["colour"][name]) / w.sum()), name


@pytest.mark.parametrize("name", suite.SUITE)
def test_the_probes_on_more_games_are_of_the_shipped_weights_and_start_from_the_stored_alignment(name):
    """The stored probes on 1,000 and 4,000 games FINDINGS.md reads (probes.probe_games): of these weights, at the
    layer the report compares, on the first input language; on the 1,000 games each kind reads the colour its
    stored alignment's in-language probe reads (the same games: within 0.1 point)."""
    path = SHIPPED / name
    meta = json.loads((path / META).read_text())
    d = json.loads((path / "analysis" / "probe-games-relative.json").read_text())
    layer = meta["metrics"]["alignment"]["best_layer"]
    assert d["weights_sha256"] == meta["weights_sha256"] and d["layer"] == layer
    assert {(p["kind"], p["n_train"]) for p in d["points"]} == {(k, n) for k in ("linear", "mlp") for n in (1000, 4000)}
    for p in d["points"]:
        if p["n_train"] == 1000:
            al = json.loads((path / "analysis" / f"alignment-{p['kind']}-relative-n1000.json").read_text())
            at = al["layers"][str(layer)]
            assert at["languages"][0] == d["language"]
            assert p["colour"] == pytest.approx(at["colour_matrix"][0][0], abs=1e-3), p["kind"]


@pytest.mark.parametrize("path", TRANSFERS, ids=[p.name for p in TRANSFERS])
def test_transfer_run_matches_its_final_model(path):
    """A shipped transfer run: its final fine-tuned model reproduces its recorded sample accuracy exactly,
    and the table's last row (measured on the float32 weights) within float16 rounding."""
    import pandas as pd

    from mothello.transfer import TransferConfig

    ck = load_checkpoint(path / "finetune")
    sample = ck.metrics.get("sample_check")
    assert sample, f"{path.name}: no sample_check (install it with `python -m mothello suite`)"
    fresh = legal_move_accuracy(ck.model, ck.vocab, heldout_games(sample["games"], seed=sample["seed"]))
    for lang, value in sample["legal_move_accuracy"].items():
        assert abs(fresh[lang] - value) <= 1e-3, f"{path.name} {lang}: recorded {value}, weights give {fresh[lang]}"
    tc = TransferConfig.from_dict(json.loads((path / "transfer.json").read_text()))
    df = pd.read_csv(path / "transfer.csv")
    last = df[(df.snapshot == df.snapshot.max()) & (df.metric == "legal_move_accuracy")]
    assert int(last.step.iloc[0]) == ck.step
    fresh = legal_move_accuracy(ck.model, ck.vocab, heldout_games(tc.eval_games, seed=tc.seed + 7))
    for lang, value in zip(last.language, last.value):
        assert abs(fresh[lang] - value) <= 0.01, f"{path.name} {lang}: table {value}, weights give {fresh[lang]}"


@pytest.mark.parametrize("path", TRANSFERS, ids=[p.name for p in TRANSFERS])
def test_transfer_answer_languages_match_the_final_model(path):
    """The shipped 'which language does it answer in' table is the final model's, not a stale copy."""
    import pandas as pd

    from mothello.transfer import answer_languages, load_transfer_run, stored_answer_languages

    exp, _ = load_transfer_run(path)
    stored = stored_answer_languages(path)
    if exp.unified_output:
        assert stored is None
        return
    assert stored is not None, f"{path.name}: no answers.csv (install it with `python -m mothello suite`)"
    pd.testing.assert_frame_equal(answer_languages(path), stored, check_exact=False, atol=1e-6)


@pytest.mark.parametrize("path", TRANSFERS + VARIANTS, ids=[p.name for p in TRANSFERS + VARIANTS])
def test_transfer_restored_parts_agree_with_the_table(path):
    """The shipped 'put one part back' table (measured in the run, where the pretrained model is): every
    part of the model, and its two end rows are the table's first and last measurements; in a variant,
    putting back a frozen part changes nothing."""
    import pandas as pd

    from mothello.model import preset
    from mothello.transfer import FINETUNED, PRETRAINED, load_transfer_run, model_parts, stored_restored_parts

    df = stored_restored_parts(path)
    assert df is not None, f"{path.name}: no restored.csv (install it with `python -m mothello suite`)"
    _, tc = load_transfer_run(path)
    n_layer = preset(tc.preset, 1, 1).n_layer
    assert list(dict.fromkeys(df.restored)) == [FINETUNED, *model_parts(n_layer), PRETRAINED]
    by_part = df.pivot_table(index="restored", columns="language", values="legal_move_accuracy")
    for part in tc.freeze or []:
        assert by_part.loc[part].equals(by_part.loc[FINETUNED]), f"{path.name}: {part} was frozen"
    t = pd.read_csv(path / "transfer.csv")
    acc = t[t.metric == "legal_move_accuracy"]
    for part, snapshot in ((FINETUNED, acc.snapshot.max()), (PRETRAINED, 0)):
        want = acc[acc.snapshot == snapshot].set_index("language")["value"].sort_index()
        got = df[df.restored == part].set_index("language")["legal_move_accuracy"].sort_index()
        assert list(got.index) == list(want.index)
        assert np.abs(got.to_numpy() - want.to_numpy()).max() <= 1e-9, f"{path.name}: {part}"


@pytest.mark.parametrize("path", VARIANTS, ids=[p.name for p in VARIANTS])
def test_a_shipped_side_run_says_how_it_departs_from_its_plain_run(path):
    """A side run ships tables only (no weights to recheck), and its plain run must ship beside it. It is
    either a labelled fine-tuning variant that starts from the plain run's pretrained model (their first
    measurements are identical), or the plain run's protocol pretrained for another number of steps
    (labelled so; its fine-tuning settings are the plain run's)."""
    import pandas as pd

    from mothello.transfer import load_transfer_run, scale_label, variant_label

    exp, tc = load_transfer_run(path)
    plain = SHIPPED / f"transfer-{exp.name}"
    assert plain in TRANSFERS, f"{path.name}: its plain run {plain.name} is not shipped"
    _, plain_tc = load_transfer_run(plain)
    if variant_label(tc) is None:
        assert scale_label(tc, plain_tc), f"{path.name}: a run without weights must be a variant or pretrain longer"
        same = {**tc.to_dict(), "pretrain_steps": plain_tc.pretrain_steps, "dtype": plain_tc.dtype}
        assert same == plain_tc.to_dict(), f"{path.name}: only the pretraining may differ from {plain.name}"
        return
    assert plain_tc.pretrain_config() == tc.pretrain_config()
    a, b = (pd.read_csv(p / "transfer.csv") for p in (plain, path))
    first = [x[x.snapshot == 0].sort_values(["metric", "language"]).reset_index(drop=True) for x in (a, b)]
    pd.testing.assert_frame_equal(first[0], first[1])


def test_home_cards_judge_each_finding_on_the_shipped_models_as_findings_md_does(tmp_path, monkeypatch):
    """Home's four finding cards, and the tour's slide of each finding, carry our verdict and numbers, judged on
    checkpoints/ as the report judges them: the statuses FINDINGS.md's opening states, the numbers of
    findings.verdicts."""
    import html
    import re

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from mothello.findings import collect, verdicts

    for var, value in (("MOTHELLO_CHECKPOINTS", SHIPPED), ("MOTHELLO_RUNS", tmp_path / "runs"),
                       ("MOTHELLO_CACHE", tmp_path / "cache")):
        monkeypatch.setenv(var, str(value))
    st.cache_data.clear()
    at = AppTest.from_file(str(SHIPPED.parent / "pages" / "home.py"), default_timeout=300)
    at.run()
    assert not at.exception, [str(e.value) for e in at.exception]
    cards = [m.value for m in at.markdown if "FINDING " in m.value]
    stated = re.search(r"Status: (.*?)\.", (SHIPPED.parent / "FINDINGS.md").read_text()).group(1)
    said = dict(re.findall(r"finding (\d) (holds|does not hold|pending)", stated))
    assert len(cards) == 4 and len(said) == 4
    for card, (k, (status, reason)) in zip(cards, sorted(verdicts(collect(SHIPPED)).items())):
        assert status == said[str(k)]
        assert f"OURS: {status.upper()}" in card and html.escape(reason) in card
        tour = AppTest.from_file(str(SHIPPED.parent / "pages" / "tour.py"), default_timeout=300)
        tour.query_params["slide"] = str(k)
        tour.run()
        assert not tour.exception, [str(e.value) for e in tour.exception]
        badges = [m.value for m in tour.markdown if "OURS: " in m.value]
        assert len(badges) == 1 and f"OURS: {status.upper()}" in badges[0] and html.escape(reason) in badges[0]


@pytest.mark.parametrize("path", MANY, ids=[p.name for p in MANY])
def test_alignment_page_lays_out_many_languages_from_the_stored_analysis(path, tmp_path, monkeypatch):
    """More than two languages: the two matrices side by side, every pair in them, the numbers beneath
    (beside them, a third column, the matrices' axis labels and legends overflow into the numbers);
    read from the stored analysis (nothing recomputed, nothing written beside the checkpoint)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    ckpts = tmp_path / "checkpoints"
    shutil.copytree(path, ckpts / path.name, ignore=shutil.ignore_patterns("snapshots"))
    # another checkpoint listed before it: the page must open the one the URL names (by its bare name)
    shutil.copytree(SHIPPED / "anchors-8", ckpts / "a-first", ignore=shutil.ignore_patterns("snapshots"))
    before = sorted(p.name for p in (ckpts / path.name / "analysis").iterdir())
    for var, value in (("MOTHELLO_CHECKPOINTS", ckpts), ("MOTHELLO_RUNS", tmp_path / "runs"),
                       ("MOTHELLO_CACHE", tmp_path / "cache")):
        monkeypatch.setenv(var, str(value))
    st.cache_data.clear()
    at = AppTest.from_file(str(SHIPPED.parent / "pages" / "alignment.py"), default_timeout=300)
    at.query_params["ckpt"] = path.name
    at.run()
    assert not at.exception, [str(e.value) for e in at.exception]
    assert at.sidebar.selectbox(key="url_ckpt").value == f"checkpoints/{path.name}"
    n = len(load_config(path / "experiment.toml").input_languages)
    charts = at.get("vega_lite_chart")
    rows = [pa.ipc.open_stream(io.BytesIO(el.proto.datasets[0].data.data)).read_all().num_rows
            if el.proto.datasets else 0 for el in charts]
    assert rows[:2] == [n * n, n * n], "first the direct and the rotated matrix, every ordered pair in each"
    assert len(charts) >= 5  # and across layers, parallel games, embeddings
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["In-language (diagonal)", "Cross-lingual, direct", "Cross-lingual, after rotation"]
    holding = [c for c in at.columns if len(c.metric)]
    assert [len(c.metric) for c in holding[:3]] == [1, 1, 1], "the three numbers in a row of their own"
    assert sorted(p.name for p in (ckpts / path.name / "analysis").iterdir()) == before
    st.cache_data.clear()


def test_shipped_anchor_sweep_matches_its_configs_and_the_shipped_weights():
    """The sweep ships as a table; its one point whose weights ship too (anchors-8 at the sweep step: a
    snapshot, or the model itself at the schedule's end) is re-measured: the recorded legal-move accuracy is the weights'."""
    table, info = sweep.load(SHIPPED)
    points = {p["anchors"]: p for p in info["points"]}
    assert sorted(points) == sorted(sweep.SWEEP) == sorted(set(table["anchors"]))
    for k, p in points.items():
        assert set(p["squares"]) == {q for a in load_config(sweep.SWEEP[k]).anchors for q in a.squares}
        assert p["step"] == info["step"]
    shipped = [p for p in points.values() if p["shipped"]]
    assert [p["anchors"] for p in shipped] == [8]
    snap = SHIPPED / "anchors-8" / "snapshots" / f"step-{info['step']:09d}"
    snap = snap if snap.is_dir() else SHIPPED / "anchors-8"  # the schedule's last step: the model itself
    meta = json.loads((snap / META).read_text())
    assert meta["step"] == info["step"] and meta["weights_sha256"] == shipped[0]["weights_sha256"]
    ck = load_checkpoint(snap)
    fresh = legal_move_accuracy(ck.model, ck.vocab, heldout_games(info["legal_move_games"], seed=4243))
    rec = table[(table["anchors"] == 8) & (table["metric"] == "legal_move_accuracy")]["value"].iloc[0]
    assert abs(rec - np.mean(list(fresh.values()))) <= 1e-3
    assert table[table["layer"] >= 0]["value"].between(0, 1).all()


def test_alignment_page_shows_the_anchor_sweep_with_the_two_language_models_only(tmp_path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    ckpts = tmp_path / "checkpoints"
    for name in ("anchors-8", "unified-mixed", "anchor-sweep"):
        shutil.copytree(SHIPPED / name, ckpts / name, ignore=shutil.ignore_patterns("snapshots"))
    for var, value in (("MOTHELLO_CHECKPOINTS", ckpts), ("MOTHELLO_RUNS", tmp_path / "runs"),
                       ("MOTHELLO_CACHE", tmp_path / "cache")):
        monkeypatch.setenv(var, str(value))
    st.cache_data.clear()
    heading = "Anchor sweep: how many shared tokens does alignment need?"
    at = AppTest.from_file(str(SHIPPED.parent / "pages" / "alignment.py"), default_timeout=300)
    at.query_params["ckpt"] = "anchors-8"
    at.run()
    assert not at.exception, [str(e.value) for e in at.exception]
    assert heading in [h.value for h in at.subheader]
    metric = next(m for m in at.metric if m.label == "Cross-lingual, 0 → 16 anchors")
    table, _ = sweep.load(ckpts)
    wide = sweep.at_layer(table, at.slider[0].value)  # at the page's layer
    assert metric.value == f"{wide['cross-lingual'].iloc[-1]:.1%}"
    at = AppTest.from_file(str(SHIPPED.parent / "pages" / "alignment.py"), default_timeout=300)
    at.query_params["ckpt"] = "unified-mixed"  # five languages, unified output: not a sweep model
    at.run()
    assert not at.exception and heading not in [h.value for h in at.subheader]
    st.cache_data.clear()


def test_findings_report_is_what_make_findings_writes_from_these_checkpoints(monkeypatch):
    """FINDINGS.md cannot drift from the shipped checkpoints: rendering it again from them (figures not
    redrawn, only named) gives the committed file, and every figure it shows is committed."""
    from mothello.findings import FIGURES, collect, render
    from mothello.ui import report

    root = SHIPPED.parent
    monkeypatch.setattr(report, "_save", lambda chart, out, name: f"{FIGURES}/{name}.png")
    figs = report.figures(root / FIGURES, root=SHIPPED)
    assert (root / "FINDINGS.md").read_text() == render(collect(SHIPPED), figs), "run `make findings`"
    for path in figs.values():
        assert (root / path).is_file() and (root / path).with_suffix(".svg").is_file(), path


def test_the_trials_at_a_glance_agree_with_each_trials_own_section():
    """Every number of FINDINGS.md's digest of the trials is one its linked section states (so the digest
    cannot read the runs otherwise than the trial does), and every link lands on a heading."""
    import re

    from mothello.findings import collect
    from mothello.findings.digest import TITLE, digest_rows, slug
    from mothello.findings.text import pct

    text = (SHIPPED.parent / "FINDINGS.md").read_text()
    sections = {slug(h): body for h, body in re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)}
    digest = sections[slug(TITLE)]
    links = re.findall(r"^\| \[[^]]+\]\(#([^)]+)\) \|", digest, flags=re.M)
    rows = digest_rows(collect(SHIPPED))
    assert len(links) == len(rows) >= 10 and set(links) <= set(sections)
    for anchor, row in zip(links, rows):
        for c in row.colours + row.refs:
            assert pct(c) in sections[anchor], (row.key, pct(c))


def test_the_tours_board_slide_tells_the_shipped_models_probe_numbers(tmp_path, monkeypatch):
    """The tour's last slide: each shipped model's board and colour probe numbers as the report has them, the
    no-flip reader beside them, where along a game the colour goes, and the highest colour the trials read."""
    import streamlit as st
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
    from streamlit.testing.v1 import AppTest

    from mothello.findings import PLACER_ROW, collect, colour_by_move_frame, highest
    from mothello.ui.text import pct

    for var, value in (("MOTHELLO_CHECKPOINTS", SHIPPED), ("MOTHELLO_RUNS", tmp_path / "runs"),
                       ("MOTHELLO_CACHE", tmp_path / "cache")):
        monkeypatch.setenv(var, str(value))
    st.cache_data.clear()
    at = AppTest.from_file(str(SHIPPED.parent / "pages" / "tour.py"), default_timeout=300)
    at.query_params["slide"] = "5"
    at.run()
    assert not at.exception, [str(e.value) for e in at.exception]
    numbers = collect(SHIPPED)
    (table,) = at.table
    shown = table.value
    for m in numbers["models"].values():
        assert shown.loc[m["name"], "colour (occupied squares)"] == pct(m["colour_in_language"])
        assert shown.loc[m["name"], "board, all squares"] == pct(m["in_language"])
        assert shown.loc[m["name"], "best layer"] == str(m["layer"])
    assert shown.loc["no flip tracked", "colour (occupied squares)"] == pct(numbers["placer"]["colour"])
    said = "\n".join(m.value for m in at.markdown)
    colours = [m["colour_in_language"] for m in numbers["models"].values()]
    assert f"**{pct(min(colours))}-{pct(max(colours))}**" in said
    assert f"reached at most {pct(highest(numbers)[0])}" in said
    (chart,) = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert spec["title"]["text"] == "Where along a game the colour is lost"
    (line,) = [x for x in spec["layer"] if x["mark"]["type"] == "line"]
    assert line["encoding"]["color"]["scale"]["domain"] == [m["name"] for m in numbers["models"].values()] \
        + [PLACER_ROW]                                                   # each model, then the placer baseline
    assert PLACER_ROW in line["encoding"]["strokeDash"]["condition"]["test"]   # dashed
    rule = next(x for x in spec["layer"] if x["mark"]["type"] == "rule")
    (target,) = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets
                 if d.name == rule["data"]["name"]]   # Streamlit ships a chart's datasets beside its spec
    assert target["y"].tolist() == [0.9]               # the target
    assert len(colour_by_move_frame(numbers)) == 6 * (len(numbers["models"]) + 1)   # each model and the placer
