"""The Explore pages (Home, Checkpoints, Play), each run on its own with Streamlit's AppTest against a
registry holding the session's tiny trained checkpoint, one of its snapshots, untrained checkpoints of
other experiment shapes, and (where a test asks for it) an unreadable one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from conftest import staged_copy
from mothello.checkpoints import list_snapshots, load_checkpoint, save_checkpoint
from mothello.evaluate import predict_moves
from mothello.languages import ExperimentConfig, LanguageSpec, Vocabulary, load_config
from mothello.model import GPT, preset
from mothello.othello import parse_square, replay, square_name
from mothello.ui import charts

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "pages"
TINY = "runs/naive-2-tiny"            # the session's trained tiny model (L0, L1 atomic)
SNAP = "runs/naive-2-tiny-early"      # one of its snapshots, as a checkpoint of its own
UNIFIED = "runs/unified-untrained"    # unified output: out (atomic) + atomic-1, atomic-2, split, comp inputs
COMP = "runs/comp-untrained"          # no unified output, a compositional language (moves share first tokens)
BROKEN = "checkpoints/broken"
OPENING = "f5,d6,c3,d3"


def _untrained(path: Path, cfg: ExperimentConfig) -> None:
    torch.manual_seed(0)
    vocab = Vocabulary.build(cfg)
    model = GPT(preset("tiny", vocab.size, vocab.context_length))
    save_checkpoint(path, model, vocab, {"preset": "tiny", "objective": "next-token"}, step=0)


@pytest.fixture(scope="module")
def registry(tiny_checkpoint, tmp_path_factory):
    """Checkpoint and run folders of this module's own (so that a broken checkpoint never reaches
    other tests), pointed to by MOTHELLO_CHECKPOINTS / MOTHELLO_RUNS while the module runs."""
    base = tmp_path_factory.mktemp("pages-explore")
    runs, cks = base / "runs", base / "checkpoints"
    cks.mkdir()
    runs.mkdir()
    shutil.copytree(tiny_checkpoint, runs / "naive-2-tiny", ignore=shutil.ignore_patterns("state"))
    step, snap = list_snapshots(tiny_checkpoint)[-2]
    shutil.copytree(snap, runs / "naive-2-tiny-early")
    _untrained(runs / "unified-untrained", load_config(ROOT / "configs" / "unified-mixed.toml"))
    _untrained(runs / "comp-untrained", ExperimentConfig(
        name="atomic-comp", languages=(LanguageSpec("atomic", "A"), LanguageSpec("compositional", "C"))))
    mp = pytest.MonkeyPatch()
    mp.setenv("MOTHELLO_RUNS", str(runs))
    mp.setenv("MOTHELLO_CHECKPOINTS", str(cks))
    yield base
    mp.undo()


@pytest.fixture(autouse=True)
def _fresh_registry_cache():
    from mothello.ui import widgets

    widgets.checkpoint_infos.clear()  # the registry listing is cached for a few seconds, across AppTests
    widgets._verdicts.clear()         # and so are the findings' verdicts on it, and their numbers
    widgets._findings_numbers.clear()
    yield
    widgets.checkpoint_infos.clear()
    widgets._verdicts.clear()
    widgets._findings_numbers.clear()


@pytest.fixture
def broken(registry):
    """A checkpoint folder whose checkpoint.json is not JSON."""
    d = registry / "checkpoints" / "broken"
    d.mkdir()
    (d / "checkpoint.json").write_text("{ this is not json")
    (d / "model.safetensors").write_bytes(b"garbage")
    yield d
    shutil.rmtree(d)


def page(name: str, **params) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error] + [e.value for e in at.sidebar.error]


def board_spec(at: AppTest) -> dict:
    """The Play board's Vega-Lite spec, its data put back in (Streamlit ships datasets separately)."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    boards = [c.proto for c in at.get("vega_lite_chart")
              if json.loads(c.proto.spec).get("params", [{}])[0].get("name") == "board_click"]
    assert len(boards) == 1
    spec = json.loads(boards[0].spec)
    for d in boards[0].datasets:
        spec.setdefault("datasets", {})[d.name] = convert_arrow_bytes_to_pandas_df(d.data.data).to_dict("records")
    return spec


def board_state(spec: dict) -> dict[str, str]:
    """square name -> empty/black/white, from the data the board chart draws."""
    (rows,) = spec["datasets"].values()
    return {r["name"]: r["state"] for r in rows}


def moves_of(at: AppTest) -> list[str]:
    raw = at.query_params.get("moves") or ""
    raw = raw[0] if isinstance(raw, list) else raw
    return [m for m in raw.split(",") if m]


def frame_with(at: AppTest, column: str):
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table with a {column!r} column")


# -- Home -----------------------------------------------------------------------------------------
def test_home_lists_checkpoints_with_headline_numbers(registry):
    # a stored alignment result for the tiny checkpoint: the home page shows the cross-lingual mean at the
    # layer where the in-language COLOUR probe is best (layer 2 here), not the layer with the best cross mean (1)
    from mothello.probes import AlignmentResult

    ck_dir = registry / "runs" / "naive-2-tiny"
    sha = json.loads((ck_dir / "checkpoint.json").read_text())["weights_sha256"]
    m = {0: np.array([[0.9, 0.4], [0.5, 0.9]]), 1: np.array([[0.95, 0.7], [0.6, 0.9]]),
         2: np.array([[0.9, 0.5], [0.5, 0.9]])}
    colour = {0: np.full((2, 2), 0.99), 1: np.full((2, 2), 0.7), 2: np.full((2, 2), 0.8)}  # layer 0 excluded
    res = AlignmentResult(languages=["L0", "L1"], layers=[0, 1, 2], kind="linear", labels="relative", matrix=m,
                          aligned_matrix=m, colour_matrix=colour, aligned_colour_matrix=m, occupancy_matrix=m,
                          baseline_majority={"accuracy": 0.6, "colour": 0.5},
                          baseline_random_model={x: {"accuracy": 0.35, "colour": 0.5} for x in m})
    (ck_dir / "analysis").mkdir(exist_ok=True)
    path = ck_dir / "analysis" / "alignment-linear-relative-n1000.json"
    path.write_text(json.dumps({**res.to_json(), "weights_sha256": sha}))
    try:
        at = ok(page("home"))
    finally:
        path.unlink()
    table = frame_with(at, "alignment").set_index("checkpoint")
    assert {TINY, SNAP, UNIFIED, COMP} <= set(table.index)
    assert table.loc[TINY, "alignment"] == "50.0% · layer 2"
    assert table.loc[SNAP, "alignment"] == "—"  # not computed
    meta = json.loads((ck_dir / "checkpoint.json").read_text())
    acc = meta["metrics"]["legal_move_accuracy"]
    assert table.loc[TINY, "legal-move accuracy"] == pytest.approx(np.mean(list(acc.values())))
    assert "L0" in table.loc[TINY, "per language"]
    assert at.get("vega_lite_chart"), "the legal-move accuracy chart"
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
    chart = at.get("vega_lite_chart")[0].proto
    spec = json.loads(chart.spec)
    domains = [layer["encoding"]["x"].get("scale", {}).get("domain") for layer in spec["layer"]]
    (lo, hi), = {tuple(d) for d in domains if d}
    assert None not in domains   # on every layer: Vega-Lite unions a shared scale's domains, zero included
    drawn = [v for d in chart.datasets for v in convert_arrow_bytes_to_pandas_df(d.data.data)["legal-move accuracy"]]
    assert min(acc.values()) >= min(drawn) and drawn   # every language of every checkpoint is a dot
    assert (lo, hi) == charts.accuracy_domain(pd.Series(drawn)) != (0, 1)   # zoomed to the dots, not 0-100%
    assert lo <= min(drawn) and max(drawn) <= hi
    assert (f"axis from {lo:.0%}" in spec["title"]["subtitle"]) == (lo > 0)
    assert len(at.get("download_button")) >= 3  # PNG, SVG, CSV of it
    cards = [m.value for m in at.markdown if "FINDING " in m.value]
    assert len(cards) == 4   # no suite model among these checkpoints: each finding waits for its models
    assert all("OURS: PENDING" in c for c in cards) and "naive-2 is not in checkpoints/ yet" in cards[0]


def test_per_language_cell_lists_few_languages_and_summarises_many():
    from mothello.ui import widgets
    assert widgets.per_language({"L0": 0.931, "L1": 0.934}) == "L0 93% · L1 93%"
    many = {f"L{i}": 0.8 + i / 100 for i in range(10)}
    assert widgets.per_language(many) == "10 languages · 80%–89%"
    assert widgets.per_language({}) == "—"


def test_home_names_an_unreadable_checkpoint_and_shows_the_rest(registry, broken):
    at = ok(page("home"))
    assert any("broken" in w.value for w in at.warning)
    assert TINY in set(frame_with(at, "alignment")["checkpoint"])


def test_home_shows_the_findings_without_verdicts_when_a_suite_checkpoint_is_corrupt(registry):
    """A suite checkpoint whose metadata cannot be read: Home names it, shows the rest and the four findings, and
    claims no verdict rather than one judged on what it could read."""
    bad = registry / "checkpoints" / "naive-2"
    bad.mkdir()
    (bad / "checkpoint.json").write_text("{not json")
    try:
        at = ok(page("home"))
        cards = [m.value for m in at.markdown if "FINDING " in m.value]
        assert len(cards) == 4 and not any("OURS:" in c for c in cards)
        assert any("naive-2" in w.value for w in at.warning)
    finally:
        shutil.rmtree(bad)


def test_home_and_the_tour_stand_on_a_suite_checkpoint_without_its_stored_analysis(registry, tiny_checkpoint):
    """A suite checkpoint that reads but has no stored alignment (a fresh `make demo-suite` stage, or the tests'
    tiny model): Home's cards claim no verdict, the tour's finding and board slides render, the board slide
    saying what it waits for."""
    ck = registry / "checkpoints" / "naive-2"
    shutil.copytree(tiny_checkpoint, ck, ignore=shutil.ignore_patterns("state"))
    try:
        at = ok(page("home"))
        cards = [m.value for m in at.markdown if "FINDING " in m.value]
        assert len(cards) == 4 and not any("OURS:" in c for c in cards)
        ok(page("tour", slide="1"))
        tour = ok(page("tour", slide="5"))
        assert "The suite models' probe numbers** is not available yet" in "\n".join(m.value for m in tour.markdown)
    finally:
        shutil.rmtree(ck)


# -- Checkpoints ----------------------------------------------------------------------------------
def test_checkpoints_page_shows_config_curves_and_snapshots(registry):
    at = ok(page("checkpoints", ckpts=TINY))
    assert [h.value for h in at.subheader] == [TINY]
    moves = frame_with(at, "move")
    ck = load_checkpoint(registry / "runs" / "naive-2-tiny")
    c4 = moves.set_index("move").loc["c4"]
    assert c4["L0"] == str(ck.vocab.tokens[0, 19, 0]) and c4["L1"] == str(ck.vocab.tokens[1, 19, 0])
    assert len(at.get("vega_lite_chart")) == 2  # loss and legal-move accuracy curves
    snaps = frame_with(at, "folder")
    assert list(snaps["step"]) == [s for s, _ in list_snapshots(registry / "runs" / "naive-2-tiny")]
    assert {m.label: m.value for m in at.metric}["Step"] == f"{ck.step:,}"
    settings = frame_with(at, "setting").set_index("setting")
    assert settings.loc["model · n_layer", "value"] == "2"


def test_checkpoints_compares_two_side_by_side_and_marks_anchors(registry, tmp_path):
    at = ok(page("checkpoints", ckpts=TINY))
    at.multiselect(key="url_ckpts").set_value([TINY, UNIFIED]).run()
    ok(at)
    assert [h.value for h in at.subheader] == [TINY, UNIFIED]
    assert at.query_params["ckpts"] in (f"{TINY},{UNIFIED}", [f"{TINY},{UNIFIED}"])
    summary = frame_with(at, "parameters")
    assert list(summary["checkpoint"]) == [TINY, UNIFIED]
    langs = [d.value for d in at.dataframe if "role" in d.value.columns]
    assert list(langs[1]["role"]) == ["output", "input", "input", "input", "input"]
    # anchors are marked with * in the move table
    _untrained(registry / "runs" / "anchored", load_config(ROOT / "configs" / "anchors-8.toml"))
    from mothello.ui import widgets

    widgets.checkpoint_infos.clear()
    try:
        at = ok(page("checkpoints", ckpts="runs/anchored"))
        table = frame_with(at, "move").set_index("move")
        assert table.loc["a2", "L0"].endswith("*") and table.loc["a2", "L0"] == table.loc["a2", "L1"]
        assert not table.loc["a5", "L0"].endswith("*")
        assert any("no training curves" in i.value.lower() for i in at.info)  # untrained: no metrics.jsonl
    finally:
        shutil.rmtree(registry / "runs" / "anchored")


def test_checkpoints_page_shows_the_stages_of_a_model_trained_in_stages(registry):
    """A model trained in stages (suite.STAGES): a table of its stages, and a dashed line on both curves
    where the later stage begins; a model trained in one go has neither."""
    staged = registry / "runs" / "staged"
    meta = staged_copy(registry / "runs" / "naive-2-tiny", staged)
    from mothello.ui import widgets

    widgets.checkpoint_infos.clear()
    try:
        at = ok(page("checkpoints", ckpts="runs/staged"))
        stages = frame_with(at, "stage")
        assert list(stages["steps"]) == ["0 → 100", f"100 → {meta['step']}"]
        assert list(stages["number format"]) == ["float32", "bfloat16"] and list(stages["wall-clock (h)"]) == [1.5, 0.75]
        assert list(stages["optimizer"]) == ["fresh", "carried over"] and list(stages["warm-up steps"]) == ["not recorded", "200"]
        assert list(stages["peak lr"]) == ["0.003", "0.001"] and list(stages["final lr"]) == ["not recorded", "0.0001"]
        assert list(stages["batch"]) == [64, 1024] and list(stages["device"]) == ["CPU", "NVIDIA H200"]
        assert any("2 stages" in m.value for m in at.markdown)
        specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
        assert len(specs) == 2
        for spec in specs:
            marks = [layer["mark"]["type"] for layer in spec["layer"]]
            assert marks == ["line", "rule", "text"]
        # against games seen: the same curves with the second stage's 1,024 games a step, its mark at the
        # 100 x 64 games of the first
        by_games = ok(page("checkpoints", ckpts="runs/staged", x="games seen"))
        from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

        specs = []
        for c in by_games.get("vega_lite_chart"):
            spec = json.loads(c.proto.spec)
            spec["datasets"] = {d.name: convert_arrow_bytes_to_pandas_df(d.data.data).to_dict("records")
                                for d in c.proto.datasets}
            specs.append(spec)
        assert len(specs) == 2
        for spec in specs:
            line, rule = spec["layer"][0], spec["layer"][1]
            assert line["encoding"]["x"]["field"] == "games" and line["encoding"]["x"]["title"] == "games seen"
            rows = spec["datasets"][line["data"]["name"]]
            assert all(r["games"] == (r["step"] * 64 if r["step"] <= 100 else 6400 + (r["step"] - 100) * 1024)
                       for r in rows)
            assert [r["games"] for r in spec["datasets"][rule["data"]["name"]]] == [6400]
        compared = ok(page("checkpoints", ckpts=f"runs/staged,{TINY}", x="games seen"))
        first = json.loads(compared.get("vega_lite_chart")[0].proto.spec)  # the comparison, above the two
        assert first["encoding"]["x"]["field"] == "games" and "Legal-move accuracy over training" in str(first["title"])
        plain = ok(page("checkpoints", ckpts=TINY))
        assert all("layer" not in json.loads(c.proto.spec) for c in plain.get("vega_lite_chart"))
        assert not any("stage" in d.value.columns for d in plain.dataframe)
    finally:
        shutil.rmtree(staged)


def test_checkpoints_unreadable_one_is_an_error_in_place(registry, broken):
    at = ok(page("checkpoints", ckpts=f"{BROKEN},{TINY}"))
    assert any("cannot be read" in e and "not valid JSON" in e for e in errors(at))
    assert TINY in [h.value for h in at.subheader]
    assert frame_with(at, "move") is not None  # the readable one is shown in full


# -- Play -----------------------------------------------------------------------------------------
def test_play_moves_from_the_url_and_the_models_prediction(registry):
    at = ok(page("play", ckpt=TINY, moves=OPENING))
    spec = board_spec(at)
    assert spec["title"]["text"].startswith("After move 4")
    game = np.array([parse_square(m) for m in OPENING.split(",")])
    r = replay(game)
    state = board_state(spec)
    for sq in range(64):
        want = {0: "empty", 1: "black", -1: "white"}[int(r.boards[0, 3, sq])]
        assert state[square_name(sq)] == want
    top = frame_with(at, "probability")
    assert len(top) == 5 and top["probability"].is_monotonic_decreasing
    legal = set(np.flatnonzero(r.next_legal[0, 3]))
    assert list(top["legal"]) == [parse_square(m) in legal for m in top["move"]]
    # the top move is the model's greedy next move (as the evaluation decodes it)
    ck = load_checkpoint(registry / "runs" / "naive-2-tiny")
    greedy = predict_moves(ck.model, ck.vocab, np.pad(game, (0, 56), constant_values=-1)[None], "L0")[0, 3]
    if greedy >= 0:
        assert top["move"].iloc[0] == square_name(greedy)
    # the game in every language: move number, square, each language's tokens; ▶ marks the board's position
    seq = frame_with(at, "L1")
    assert list(seq["move"]) == OPENING.split(",")
    assert list(seq["L1"]) == [str(ck.vocab.tokens[1, s, 0]) for s in game]
    assert list(seq["board"]) == ["", "", "", "▶"]
    at.slider(key="url_step").set_value(2).run()
    assert list(frame_with(ok(at), "L1")["board"]) == ["", "▶", "", ""]


def test_play_a_move_an_illegal_move_undo_and_reset(registry):
    at = ok(page("play", ckpt=TINY, moves=OPENING))
    at.text_input(key="play_enter").set_value("c4").run()
    ok(at)
    assert moves_of(at) == OPENING.split(",") + ["c4"]
    assert board_spec(at)["title"]["text"].startswith("After move 5")
    at.text_input(key="play_enter").set_value("a1").run()  # a1 flips nothing
    ok(at)
    assert moves_of(at) == OPENING.split(",") + ["c4"]
    assert any("a1" in w.value and "not a legal move" in w.value for w in at.warning)
    at.button(key="play_undo").click().run()
    ok(at)
    assert moves_of(at) == OPENING.split(",")
    at.button(key="play_reset").click().run()
    ok(at)
    assert moves_of(at) == []
    assert board_spec(at)["title"]["text"] == "Start position"
    assert not any(r["prob"] for r in board_spec(at)["datasets"][board_spec(at)["data"]["name"]])  # no prediction yet


def test_play_step_slider_and_buttons_move_through_the_game(registry):
    at = ok(page("play", ckpt=TINY, moves=OPENING))
    at.slider(key="url_step").set_value(1).run()
    ok(at)
    assert board_spec(at)["title"]["text"].startswith("After move 1")
    assert board_state(board_spec(at))["d6"] == "empty"
    assert at.query_params["step"] in ("1", ["1"])
    at.button(key="play_next").click().run()
    ok(at)
    assert board_spec(at)["title"]["text"].startswith("After move 2")
    assert moves_of(at) == OPENING.split(",")  # stepping never changes the game
    at.text_input(key="play_enter").set_value("c5").run()  # playing from move 2 replaces the rest
    ok(at)
    assert moves_of(at) == ["f5", "d6", "c5"]


def test_play_pasted_move_lists(registry):
    ck = load_checkpoint(registry / "runs" / "naive-2-tiny")
    at = ok(page("play", ckpt=TINY))
    at.text_area(key="play_paste").set_value("c4 c3 zz")
    at.button(key="play_paste_load").click().run()
    ok(at)
    assert any("zz" in e and "neither a square name" in e for e in errors(at))
    at.text_area(key="play_paste").set_value("c4 c4").run()
    at.button(key="play_paste_load").click().run()
    assert any("move 2 (c4) is not a legal move" in e for e in errors(at)) and moves_of(at) == []
    at.text_area(key="play_paste").set_value("12345 3").run()
    at.button(key="play_paste_load").click().run()
    assert any("not in this checkpoint's vocabulary" in e for e in errors(at))
    # token ids of language L1
    game = [parse_square(m) for m in OPENING.split(",")]
    ids = " ".join(str(ck.vocab.tokens[1, s, 0]) for s in game)
    at.selectbox(key="play_paste_lang").set_value("L1").run()
    at.text_area(key="play_paste").set_value(ids).run()
    at.button(key="play_paste_load").click().run()
    ok(at)
    assert moves_of(at) == OPENING.split(",") and not errors(at)
    # L0 ids read as L1 are no game of L1
    at.text_area(key="play_paste").set_value(" ".join(str(ck.vocab.tokens[0, s, 0]) for s in game)).run()
    at.button(key="play_paste_load").click().run()
    assert any("not a move sequence of L1" in e for e in errors(at))


def test_play_random_game_is_seeded_and_legal(registry):
    at = ok(page("play", ckpt=TINY))
    at.number_input(key="play_seed").set_value(7).run()
    at.button(key="play_random").click().run()
    ok(at)
    first = moves_of(at)
    assert len(first) >= 20
    replay(np.array([parse_square(m) for m in first]))  # legal
    assert at.number_input(key="play_seed").value == 8
    at.number_input(key="play_seed").set_value(7).run()
    at.button(key="play_random").click().run()
    assert moves_of(at) == first


def test_play_bad_url_and_game_over(registry):
    at = ok(page("play", ckpt=TINY, moves="f5,zz,c3"))
    assert any("not a legal game" in e for e in errors(at))
    assert board_spec(at)["title"]["text"].startswith("After move 1")  # the legal part before the bad item
    at = ok(page("play", ckpt=TINY, moves="f5,f5"))
    assert any("move 2 (f5)" in e for e in errors(at))
    # a finished game (with passes near its end)
    from mothello.othello import generate_games

    g = generate_games(300, seed=5)
    r = replay(g)
    i = next(i for i in range(300) if any(r.next_player[i, k] == r.player[i, k] for k in range(r.lengths[i] - 1)))
    n = int(r.lengths[i])
    names = ",".join(square_name(s) for s in g[i, :n])
    at = ok(page("play", ckpt=TINY, moves=names))
    assert any("Game over" in s.value for s in at.success)
    k = next(k for k in range(n - 1) if r.next_player[i, k] == r.player[i, k])  # a pass after move k+1
    at = ok(page("play", ckpt=TINY, moves=names, step=str(k + 1)))
    assert any("passes" in x.value for x in at.info)


def test_play_unified_and_compositional_languages(registry):
    at = ok(page("play", ckpt=UNIFIED, moves=OPENING, lang="comp"))
    top = frame_with(at, "probability")
    assert len(top) == 5 and (top["probability"] <= 1).all()
    seq = frame_with(at, "out (output)")
    start = list(seq.columns).index("move") + 1
    assert list(seq.columns[start:start + 5]) == ["out (output)", "atomic-1", "atomic-2", "split", "comp"]
    assert all(len(t.split()) == 2 for t in seq["comp"])  # a row and a column token
    # model reading a compositional language with its own output: move probabilities still sum to <= 1
    at = ok(page("play", ckpt=COMP, moves=OPENING, lang="C"))
    top = frame_with(at, "probability")
    assert top["probability"].sum() <= 1 + 1e-6
    assert len(set(top["probability"].round(8))) > 1  # moves sharing a row token are told apart


def test_play_unreadable_checkpoint_keeps_the_board(registry, broken):
    at = ok(page("play", ckpt=BROKEN, moves=OPENING))
    assert any("cannot be read" in e for e in errors(at))
    assert board_spec(at)["title"]["text"].startswith("After move 4")
    at.text_input(key="play_enter").set_value("c4").run()
    ok(at)
    assert moves_of(at)[-1] == "c4"


# -- the shared board and chart finishing ------------------------------------------------------------
def test_board_chart_keeps_its_finish_no_frame_and_its_size():
    """board_chart is finished by charts.finish, in one configure(): Altair's configure() replaces the
    whole config, so a configure_view() made before it was lost and the board had a grey frame."""
    import re

    import vl_convert as vlc

    from mothello.ui import board

    z = np.zeros(64)
    legal = np.zeros(64, bool)
    legal[[19, 26]] = True
    spec = board.board_chart(z, legal=legal, probs=z + 0.1, last_move=27, title="t", subtitle="s", size=320,
                             clickable=True).to_dict()
    assert spec["config"]["view"]["strokeWidth"] == 0 and "font" in spec["config"]
    assert spec["autosize"] == {"type": "pad", "contains": "padding"} and spec["width"] == spec["height"] == 320
    assert board.board_spec(z, legal=legal, probs=z + 0.1, last_move=27, title="t", subtitle="s", size=320,
                            clickable=True)["config"] == spec["config"]  # the fast path draws the same
    svg = vlc.vegalite_to_svg(json.dumps(spec))
    frames = re.findall(r'<path class="background"[^>]*>', svg)  # the view's frame: Vega-Lite draws it grey
    assert frames and all('stroke-width="0"' in f or "stroke=" not in f for f in frames)
    width, height = (float(re.search(rf'<svg[^>]*\b{k}="([\d.]+)"', svg).group(1)) for k in ("width", "height"))
    assert 320 < width < 380 and 320 < height < 420  # the board at its size, its labels and title around it


def test_finish_keeps_legend_settings_with_the_house_style():
    import altair as alt
    import pandas as pd

    from mothello.ui import charts

    chart = alt.Chart(pd.DataFrame({"x": [1, 2], "c": ["a", "b"]})).mark_point().encode(x="x:Q", color="c:N")
    spec = charts.finish(chart, 1.5, charts.FIT_X, legend=dict(orient="right")).to_dict()
    assert spec["config"]["legend"]["orient"] == "right" and spec["config"]["legend"]["labelFontSize"] == 13 * 1.5
    assert spec["config"]["view"]["strokeWidth"] == 0 and spec["autosize"]["type"] == "fit-x"


@pytest.mark.parametrize("n", [2, 8, 9, 10])
def test_line_chart_legend_moves_beneath_the_plot_past_one_column(n):
    """Ten languages' curves (atomic-10) on a 200-px plot: a legend column beside it would be cut off."""
    import pandas as pd

    from mothello.ui import charts

    df = pd.DataFrame({"step": [0, 1] * n, "value": [0.5, 0.6] * n, "language": [f"L{i // 2}" for i in range(2 * n)]})
    legend = charts.line_chart(df, "step", "value", "language", height=200).to_dict()["encoding"]["color"].get("legend")
    if n > charts.MAX_LEGEND_COLUMN:
        assert legend["orient"] == "bottom" and legend["columns"] == 5
    else:
        assert legend is None  # Vega-Lite's default: one column on the right


def test_url_widgets_live_in_widgets_only():
    from mothello.ui import analysis_views, widgets

    for name in ("url_radio", "url_toggle", "url_int", "set_url_int", "url_select", "url_slider", "url_multiselect"):
        assert callable(getattr(widgets, name)) and not hasattr(analysis_views, name)
    assert not hasattr(analysis_views, "finish")  # one finishing function: charts.finish


def test_settle_memory_freezes_what_outlives_runs():
    import gc

    from mothello.ui import widgets

    before = gc.get_freeze_count()
    try:
        widgets.settle_memory(growth=10**9)  # not grown enough: nothing happens
        assert gc.get_freeze_count() == before
        widgets.settle_memory(growth=0)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


def test_home_shows_the_shipped_findings_with_their_figures(registry):
    """FINDINGS.md's figures are files under docs/findings/: Home shows them as images (st.markdown
    alone would show broken links)."""
    import re

    text = (ROOT / "FINDINGS.md").read_text()
    figures = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text)
    assert figures and all((ROOT / f).is_file() for f in figures)
    at = ok(page("home"))
    assert len(at.get("image")) == len(figures)
    shown = " ".join(m.value for m in at.markdown)
    assert "![" not in shown and "Finding 1" in shown


@pytest.mark.parametrize("names, size, slanted", [
    (["L0", "L1"], 300, False),
    (["atomic-1", "atomic-2", "split", "comp"], 170, True),   # long names in narrow cells would overlap
    (["atomic-1", "atomic-2", "split", "comp"], 272, True),   # the tour's size: the app hid two labels
    ([f"L{i}" for i in range(10)], 420, False),
])
def test_heatmap_slants_column_labels_only_when_they_would_overlap(names, size, slanted):
    import pandas as pd

    from mothello.ui import charts

    df = pd.DataFrame([{"probe trained on": a, "applied to": b, "accuracy": 0.8} for a in names for b in names])
    spec = charts.heatmap(df, size=size).to_dict()
    angle = spec["layer"][0]["encoding"]["x"]["axis"]["labelAngle"]
    assert (angle != 0) == slanted


@given(st.lists(st.integers(0, 100_000), min_size=1, max_size=12, unique=True), st.floats(0.05, 0.5))
def test_stage_labels_close_together_go_on_rows_of_their_own_and_never_overlap(starts, room):
    from mothello.ui import charts

    starts = sorted(starts)
    span = max(starts) * 1.1 + 1
    rows = charts.label_rows(starts, span, room)
    for r in set(rows):
        xs = [x for x, k in zip(starts, rows) if k == r]
        assert all(b - a >= room * span for a, b in zip(xs, xs[1:]))  # no two labels on a row overlap
    for i, (x, r) in enumerate(zip(starts, rows)):  # each on the lowest row with room for it
        for lower in range(r):
            before = [s for s, k in zip(starts[:i], rows[:i]) if k == lower]
            assert before and x - before[-1] < room * span
    assert charts.label_rows([10, 10 + int(room * span) + 1], span, room) == [0, 0]


def test_every_page_url_is_its_file_name_so_a_deep_link_opens_on_a_fresh_server():
    """Streamlit answers a fresh server's first request against the files in pages/ (app.py's st.navigation
    has not run yet): a page whose url_path is not its file's name opens as "Page not found" from a shared
    link (seen with probe-boards for probe_boards.py)."""
    import ast

    tree = ast.parse((ROOT / "app.py").read_text())
    pages = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page"]
    assert len(pages) == len(list(PAGES.glob("*.py")))  # every page file is routed
    for node in pages:
        file = Path(node.args[0].value)
        url = next(k.value.value for k in node.keywords if k.arg == "url_path")
        assert (ROOT / file).is_file() and url == file.stem, (file, url)
