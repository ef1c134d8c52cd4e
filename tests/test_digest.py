"""The trials at a glance (findings.digest): one row per trial after as many games, linked to its section,
what lifted the colour and what did not, and the highest colour any run read."""

import re

import pytest

from mothello import findings
from mothello.findings.digest import TITLE, Row, digest_rows, digest_section, slug
from test_width_trial import _at_decay, _at_rate, _deeper_recipe, _run


def _links(text: str) -> list[str]:
    return re.findall(r"\]\(#([^)]+)\)", text)


def _report(numbers: dict) -> str:
    return findings.render({"models": {}, "transfer": {}, **numbers})


@pytest.mark.parametrize("heading, anchor", [
    ("Is it width?", "is-it-width"),
    ("The `paper` preset on a GPU", "the-paper-preset-on-a-gpu"),
    ("Is it the depth or the size?", "is-it-the-depth-or-the-size"),
    ("Why the colour stays below 90%: the trials at a glance", "why-the-colour-stays-below-90-the-trials-at-a-glance"),
    ("How these models were trained", "how-these-models-were-trained")])
def test_a_heading_links_as_github_and_streamlit_anchor_it(heading, anchor):
    assert slug(heading) == anchor


def test_the_digest_reads_each_trial_after_as_many_games_and_links_its_section():
    narrow = _run(192, [0.62, 0.66, 0.68], [2.6, 13, 26])
    wide = _run(384, [0.60, 0.66, 0.72], [6.4, 32, 64])
    base, quick = _at_rate(1.5e-3, [0.66, 0.72, 0.76]), _at_rate(3e-3, [0.66, 0.72, 0.765])
    text = _report({"width": [wide, narrow, base, quick]})
    assert f"## {TITLE}" in text
    assert "| [Is it width?](#is-it-width) | 3 x 384 (next-token) | 3 x 192 | 320,000 games | 72.0% | 68.0% | " \
           "+4.0 points |" in text
    assert "| [Is it the learning rate?](#is-it-the-learning-rate) | lr 0.003 | lr 0.0015 (the suite's) | " \
           "320,000 games | 76.5% | 76.0% | +0.5 points |" in text
    # the objective pair at the suite's rate: legal-set against next-token
    assert "| legal-set at 3 x 192 | next-token (the study's) | 320,000 games | 76.0% | 68.0% | +8.0 points |" in text
    assert "Lifted the colour by more than a point after as many games: width (+4.0 points); the exact target " \
           "(+8.0 points). Within a point of the reference: the learning rate (+0.5 points)." in text
    assert "The highest colour any trial run read: 76.5% (lr 0.003 after 320,000 games, in *Is it the learning " \
           "rate?*), 13.5 points short of the 90% target." in text
    # the digest comes before the trials, and every link lands on a heading of the report
    assert text.index(f"## {TITLE}") < text.index("## Is it width?")
    headings = {slug(h) for h in re.findall(r"^## (.+)$", text, flags=re.M)}
    assert _links(text) and set(_links(text)) <= headings


def test_the_weight_decay_row_reads_each_decay_against_the_suites_and_links_its_section():
    base, zero = _at_decay(0.1, [0.66, 0.72, 0.76]), _at_decay(0.0, [0.66, 0.72, 0.745])
    text = _report({"width": [base, zero]})
    assert "| [Is it the weight decay?](#is-it-the-weight-decay) | weight decay 0 | weight decay 0.1 (the suite's) " \
           "| 320,000 games | 74.5% | 76.0% | -1.5 points |" in text
    assert "Lowered it by more than a point: the weight decay (-1.5 points)." in text
    assert "## Is it the weight decay?" in text and set(_links(text)) <= {
        slug(h) for h in re.findall(r"^## (.+)$", text, flags=re.M)}


def test_the_deeper_recipe_row_reads_the_other_model_against_itself_as_shipped_and_is_the_highest():
    numbers, _, _ = _deeper_recipe([0.70, 0.82, 0.86])
    row = next(r for r in digest_rows(numbers) if r.key == "other-model")
    assert (row.changed, row.against) == ("naive-2 at 4 x 192 (legal-set, batch 64: the depth ladder's recipe)",
                                          "naive-2 as shipped (3 x 192, next-token)")
    assert row.games == [1_536_000] and row.colours == [0.86] and row.refs == [pytest.approx(0.763)]
    title = "Does the deeper recipe hold for another model?"
    text = digest_section(numbers, {"other-model": title, "ladder": "Does the depth set where the colour levels off?"})
    assert (f"| [{title}](#does-the-deeper-recipe-hold-for-another-model) | naive-2 at 4 x 192 (legal-set, batch 64: the "
            "depth ladder's recipe) | naive-2 as shipped (3 x 192, next-token) | 1.5 million games | 86.0% | 76.3% | "
            "+9.7 points |") in text
    assert "the deeper recipe on another model (+9.7 points)" in text
    assert f"The highest colour any trial run read: 86.0% (naive-2, 4 x 192 after 1.5 million games, in *{title}*)" in text
    # without the model as shipped there is no reference after as many games: no row
    alone = {**numbers, "models": {"unified": numbers["models"]["unified"]}}
    assert "other-model" not in [r.key for r in digest_rows(alone)]


def test_a_row_stays_out_when_the_report_carries_no_section_for_it():
    narrow, wide = _run(192, [0.62, 0.66, 0.68], [2.6, 13, 26]), _run(384, [0.60, 0.66, 0.72], [6.4, 32, 64])
    numbers = {"models": {}, "width": [wide, narrow]}
    assert [r.key for r in digest_rows(numbers)] == ["width"]
    assert digest_section(numbers, {"lr": "Is it the learning rate?"}) == ""
    assert digest_section({"models": {}}, {"width": "Is it width?"}) == ""
    assert TITLE not in _report({})


@pytest.mark.parametrize("diffs, head", [
    ([0.02, 0.05], "Lifted the colour by more than a point after as many games: x (+2.0 to +5.0 points)."),
    ([0.02, 0.005], "Lifted it for some runs, within a point for others: x (+0.5 to +2.0 points)."),
    ([-0.01, 0.01], "Within a point of the reference: x (-1.0 to +1.0 points)."),
    ([-0.005, -0.03], "Within a point for some runs, lower for others: x (-3.0 to -0.5 points)."),
    ([-0.02], "Lowered it by more than a point: x (-2.0 points)."),
    ([-0.02, 0.02], "Higher for some runs, lower for others: x (-2.0 to +2.0 points)."),
    ([-0.02, 0.0, 0.02], "Higher, within a point or lower, by run: x (-2.0 to +2.0 points).")])
def test_each_trial_is_said_to_lift_the_colour_only_where_every_run_beats_its_reference_by_a_point(
        diffs, head, monkeypatch):
    row = Row("width", "x", "c", "a", [320_000], [0.7 + d for d in diffs], [0.7] * len(diffs))
    monkeypatch.setattr("mothello.findings.digest.digest_rows", lambda numbers: [row])
    monkeypatch.setattr("mothello.findings.digest.highest", lambda numbers, titles: None)
    text = digest_section({"models": {}}, {"width": "Is it width?"})
    assert text.rstrip().endswith(head)
    assert sum(h in text for h in ("Lifted", "Within", "Lowered", "Higher")) == 1


@pytest.mark.parametrize("best", [0.899, 0.9, 0.93])
def test_the_highest_colour_is_said_short_of_the_target_only_while_it_is(best):
    base, other = _at_rate(1.5e-3, [0.66, 0.72, 0.76]), _at_rate(3e-3, [0.70, 0.80, best])
    text = _report({"width": [base, other]})
    said = re.search(r"The highest colour any trial run read: ([\d.]+)% \((.*?)\), (.*?)\.\n", text)
    assert float(said.group(1)) == pytest.approx(100 * best, abs=0.05)
    assert said.group(2) == "lr 0.003 after 320,000 games, in *Is it the learning rate?*"
    assert said.group(3) == (f"{100 * (0.9 - best):.1f} points short of the 90% target" if best < 0.9
                             else "at or above the 90% target")


def test_the_figure_draws_each_run_against_its_reference_one_panel_per_trial_in_the_reports_order():
    from mothello.findings.digest import digest_frame
    from mothello.ui.charts import DIGEST_COLOURS, digest_chart

    narrow = _run(192, [0.62, 0.66, 0.68], [2.6, 13, 26])
    wide = _run(384, [0.60, 0.66, 0.72], [6.4, 32, 64])
    base, quick, slow = (_at_rate(1.5e-3, [0.66, 0.72, 0.76]), _at_rate(3e-3, [0.66, 0.72, 0.765]),
                         _at_rate(6e-3, [0.6, 0.7, 0.70]))
    numbers = {"models": {}, "width": [wide, narrow, base, quick, slow]}
    df = digest_frame(numbers)
    assert list(df["trial"]) == ["Is it width?", "Is it the noise of the target?"] + ["Is it the learning rate?"] * 2
    assert list(df["run"]) == ["3 x 384", "legal-set", "lr 0.003", "lr 0.006"]
    assert list(df["verdict"]) == ["lifted it", "lifted it", "within a point", "lowered it"]
    assert df["reference"].tolist() == pytest.approx([0.68, 0.68, 0.76, 0.76])
    spec = digest_chart(df).to_dict()
    assert spec["facet"]["row"]["sort"] == list(dict.fromkeys(df["trial"]))
    marks = {(layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]): layer
             for layer in spec["spec"]["layer"]}
    assert marks["point"]["encoding"]["x"]["field"] == "reference"        # the ring: the reference run
    assert marks["circle"]["encoding"]["color"]["scale"]["domain"] == list(DIGEST_COLOURS)
    target = [layer for layer in spec["spec"]["layer"] if layer["encoding"]["x"].get("datum") is not None]
    assert [t["encoding"]["x"]["datum"] for t in target] == [0.9] and "y" not in target[0]["encoding"]
    lo, hi = marks["circle"]["encoding"]["x"]["scale"]["domain"]
    assert lo <= min(df["colour"].min(), df["reference"].min()) and hi >= 0.9   # every run and the target shown


def test_the_report_opens_with_its_contents_linking_every_section_in_order():
    narrow, wide = _run(192, [0.62, 0.66, 0.68], [2.6, 13, 26]), _run(384, [0.60, 0.66, 0.72], [6.4, 32, 64])
    text = _report({"width": [wide, narrow]})
    opening, rest = text.split("\n## Contents\n", 1)
    assert "\n## " not in opening   # Home shows the opening alone: the contents come after it
    listed = re.findall(r"^- \[(.+)\]\(#(.+)\)$", rest.split("\n## ", 1)[0], flags=re.M)
    headings = re.findall(r"^## (.+)$", rest, flags=re.M)
    assert [anchor for _, anchor in listed] == [slug(h) for h in headings] and "Is it width?" in headings
    assert headings[-1] == "Reproduce"


def test_the_probes_on_more_games_make_a_row_per_kind_linked_to_the_section_that_says_so():
    def model(name, linear, mlp, colour=0.786):
        return {"name": name, "step": 1000, "colour_in_language": colour, "trained": {},
                "probe_games": {"language": "L0", "colour": {"linear": dict(zip((1000, 4000), linear)),
                                                             "mlp": dict(zip((1000, 4000), mlp))}}}

    numbers = {"models": {"naive": model("naive-2", (0.786, 0.791), (0.781, 0.800)),
                          "anchors": model("anchors-8", (0.813, 0.82), (0.806, 0.83)),
                          "unified": model("unified-mixed", (0.91, 0.92), (0.9, 0.93), colour=0.91)}}  # at target: out
    rows = [r for r in digest_rows(numbers) if r.key == "probe-games"]
    assert [(r.asks(), r.names, r.colours, r.refs, r.games) for r in rows] == [
        ("Is it the probe's training games? (linear probe)", ["naive-2", "anchors-8"], [0.791, 0.82], [0.786, 0.813],
         [64_000, 64_000]),
        ("Is it the probe's training games? (MLP probe)", ["naive-2", "anchors-8"], [0.800, 0.83], [0.781, 0.806],
         [64_000, 64_000])]
    section = "How these models were trained"
    text = digest_section(numbers, {"probe": section, "probe-games": section})
    assert ("| [Is it the probe's training games? (MLP probe)](#how-these-models-were-trained) | the MLP probe on 4,000 games, "
            "on naive-2 / anchors-8 | the same on 1,000 games | 64,000 games | 80.0% / 83.0% | 78.1% / 80.6% | "
            "+1.9 / +2.4 points |") in text
    # the probes change the reading of the same models, not the models: a sentence of their own, none of the
    # verdicts on what lifted the colour
    assert ("Another probe on the same models (the reading changes, not the model): more games for the linear probe "
            "(+0.5 to +0.7 points); more games for the MLP probe (+1.9 to +2.4 points); the best of them reads 83.0%, "
            "7.0 points short of the 90% target.") in text
    assert not any(h in text for h in ("Lifted", "Within a point", "Lowered", "Higher"))
    numbers["models"]["anchors"]["probe_games"]["colour"]["mlp"][4000] = 0.905
    assert "the best of them reads 90.5%, at or above the 90% target." in digest_section(numbers, {"probe-games": section})
    assert digest_section(numbers, {"width": "Is it width?"}) == ""   # the report carries no section for it
