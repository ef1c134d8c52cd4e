"""The analysis pages (Probe boards, Alignment, Representations) driven by Streamlit's AppTest on the
tiny trained model: each renders without an exception, its main controls change what is drawn, and a
corrupt checkpoint gives a readable message instead of a traceback. MOTHELLO_FAST=1 keeps the sizes
small (100 probe games, 8 projection games)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from mothello import probes
from mothello.activations import PROBE_TEST_SEED
from mothello.data import heldout_games
from mothello.othello import replay

ROOT = Path(__file__).resolve().parents[1]
CKPT = "runs/tiny"


@pytest.fixture(scope="module")
def registry(tiny_checkpoint, tmp_path_factory):
    """A registry with the tiny model (twice: runs/tiny and runs/tiny-b) and a corrupt shipped
    checkpoint (checkpoints/broken), its own cache, and the fast sizes."""
    base = tmp_path_factory.mktemp("pages-analysis")
    runs, ckpts, cache = base / "runs", base / "checkpoints", base / "cache"
    for p in (runs, ckpts, cache):
        p.mkdir()
    keep = shutil.ignore_patterns("state", "snapshots", "metrics.jsonl")
    shutil.copytree(tiny_checkpoint, runs / "tiny", ignore=keep)
    shutil.copytree(tiny_checkpoint, runs / "tiny-b", ignore=keep)
    (ckpts / "broken").mkdir()
    (ckpts / "broken" / "checkpoint.json").write_text("{ this is not json")
    mp = pytest.MonkeyPatch()
    for var, value in (("MOTHELLO_RUNS", runs), ("MOTHELLO_CHECKPOINTS", ckpts), ("MOTHELLO_CACHE", cache),
                       ("MOTHELLO_FAST", "1")):
        mp.setenv(var, str(value))
    st.cache_data.clear()  # the registry listing is cached for a few seconds
    yield base
    st.cache_data.clear()
    mp.undo()


def page(name: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    for k, v in {"ckpt": CKPT, **params}.items():
        at.query_params[k] = str(v)
    return at.run()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, "\n".join(str(e.value) + "\n" + "\n".join(e.stack_trace[-6:]) for e in at.exception)
    return at


def charts(at: AppTest) -> list[dict]:
    """Every chart's Vega-Lite spec, with its Arrow datasets decoded into spec['_data'] (DataFrames)."""
    out = []
    for el in at.get("vega_lite_chart"):
        spec = json.loads(el.proto.spec)
        spec["_data"] = [pa.ipc.open_stream(io.BytesIO(d.data.data)).read_all().to_pandas() for d in el.proto.datasets]
        out.append(spec)
    return out


def titles(spec: dict) -> list[str]:
    """The chart's title and its sub-charts' titles (text and subtitle)."""
    found = []

    def visit(s):
        t = s.get("title")
        if isinstance(t, dict):
            found.append(f"{t.get('text', '')} | {t.get('subtitle', '')}")
        elif isinstance(t, str):
            found.append(t)
        for key in ("layer", "concat", "hconcat", "vconcat"):
            for sub in s.get(key, []):
                visit(sub)

    visit(spec)
    return found


def text(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error")
             for e in getattr(at, kind)]
    parts += [e.value for kind in ("error", "info", "warning") for e in getattr(at.sidebar, kind)]
    return "\n".join(str(p) for p in parts)


# -- Alignment ----------------------------------------------------------------------------------------
def test_alignment_page(registry):
    at = ok(page("alignment"))
    assert at.title[0].value == "Alignment"
    specs = charts(at)
    assert len(specs) >= 5  # direct, rotated, across layers, parallel heatmap + line, embeddings
    # it opens at the compared layer: the best in-language colour probe (never the embeddings)
    from mothello.probes import AlignmentResult

    stored = sorted((registry / "runs" / "tiny" / "analysis").glob("alignment-*.json"))
    best = AlignmentResult.from_json(json.loads(stored[-1].read_text())).best_layer()
    assert best > 0 and at.slider(key="url_layer").value == best
    assert f"Direct · layer {best}" in titles(specs[0])[0] and "rotation" in titles(specs[1])[0]
    assert "per-square majority" in text(at) and "randomly initialised" in text(at)
    from mothello.probes import placer_baseline

    assert f"who placed it **{placer_baseline()['accuracy']:.1%}**" in text(at)  # overall; colour below
    # two languages: the three numbers in a third column beside the two matrices
    holding = [c for c in at.columns if len(c.metric)]
    assert len(holding[0].metric) == 3 and holding[0].weight < 1
    # baselines are drawn as rules on the across-layers chart
    assert any("per-square majority" in str(d.to_dict()) for d in specs[2]["_data"])
    direct_top = specs[0]["_data"][0]["accuracy"].tolist()

    # the layer slider changes the heatmap (title and data)
    at.slider(key="url_layer").set_value(0).run()
    ok(at)
    specs = charts(at)
    assert "Direct · layer 0" in titles(specs[0])[0]
    assert specs[0]["_data"][0]["accuracy"].tolist() != direct_top
    assert at.subheader[0].value.startswith("Layer 0")

    # the colour-only score is a toggle
    at.radio(key="url_metric").set_value("colour").run()
    ok(at)
    assert "colour accuracy on occupied squares" in titles(charts(at)[0])[0]
    assert f"who placed it **{placer_baseline()['colour']:.1%}**" in text(at)

    # a second checkpoint side by side (its stored alignment: copy it so that nothing is recomputed)
    shutil.copytree(registry / "runs" / "tiny" / "analysis", registry / "runs" / "tiny-b" / "analysis",
                    dirs_exist_ok=True)
    at.toggle(key="url_cmp").set_value(True).run()
    ok(at)
    assert at.selectbox(key="url_ckpt2").value == "runs/tiny-b"
    assert any("tiny-b · layer 0" in t for spec in charts(at) for t in titles(spec))


def test_alignment_parallel_pair_and_bad_game(registry):
    at = ok(page("alignment", pgame="seven"))
    assert "not a whole number" in text(at)  # a readable message in place; the rest still renders
    assert len(charts(at)) >= 5
    before = [t for s in charts(at) for t in titles(s) if t.startswith("Cosine")]
    at.number_input(key="url_pgame").set_value(3).run()
    ok(at)
    after = [t for s in charts(at) for t in titles(s) if t.startswith("Cosine")]
    assert before != after and "game 3" in after[0]


# -- Probe boards -----------------------------------------------------------------------------------
def board_titles(at: AppTest) -> list[list[str]]:
    return [titles(s) for s in charts(at) if "concat" in s]


def test_probe_boards_page(registry):
    at = ok(page("probe_boards", game=5, move=12))
    assert at.title[0].value == "Probe boards"
    assert [s.value for s in at.subheader[:2]] == ["L0 read in L0", "L0 probe read in L1 (cross-lingual)"]
    grids = board_titles(at)
    assert len(grids) == 2
    for grid in grids:  # the true board, then one board per layer (0..2) with its accuracy
        assert grid[0].startswith("True board | move 12:")
        assert [t.split(" | ")[0] for t in grid[1:]] == ["Layer 0 · embeddings", "Layer 1", "Layer 2"]
        assert all("/64 right · held-out" in t for t in grid[1:])
    # wrong squares are marked in the data of the boards
    first = next(s for s in charts(at) if "concat" in s)
    assert sum(sum(r["wrong"] for r in b["data"]["values"]) for b in first["concat"][1:]) > 0
    assert "per-square majority" in text(at)
    # colour along the game: a line per layer and the placer baseline, per stretch of 10 moves
    along = next(s for s in charts(at) if any("by stretch of the game" in t for t in titles(s)))
    df = next(d for d in along["_data"] if "series" in d)
    assert sorted(set(df["series"])) == ["layer 0", "layer 1", "layer 2", "placer baseline (no flip tracked)"]
    assert list(df[df.series == "layer 2"]["moves"]) == [f"{a}-{b}" for a, b in probes.MOVE_BINS]
    assert df[df.series.str.startswith("placer")]["colour"].tolist() == pytest.approx(probes.placer_by_stretch(200))
    assert df["colour"].between(0, 1).all()
    first, last, passes = at.metric[-3:]
    assert first.label.startswith("Layer ") and first.label.endswith(", moves 1-10")
    assert last.label.endswith(", moves 51-60") and passes.label == first.label.split(",")[0] + ", after a pass"
    r = replay(heldout_games(200, seed=PROBE_TEST_SEED))  # the positions where a pass turned the order of the sides
    assert f"The {r.turned.sum():,} of the {r.mask.sum():,} held-out positions" in passes.help
    assert 0 <= float(passes.value.rstrip("%")) <= 100 and "vs the other positions" in passes.delta
    assert "tracking no flip" in text(at)

    # the move slider changes the boards
    at.slider(key="url_move").set_value(30).run()
    ok(at)
    assert board_titles(at)[0][0].startswith("True board | move 30:")

    # Shuffle draws another held-out game (seeded), kept in the URL
    at.button[0].click().run()
    ok(at)
    assert at.query_params["game"] != ["5"] and at.number_input(key="url_game").value != 5

    # another probe language
    at.selectbox(key="url_lang").set_value("L1").run()
    ok(at)
    assert [s.value for s in at.subheader[:2]] == ["L1 read in L1", "L1 probe read in L0 (cross-lingual)"]

    # absolute labels: a new set of probes, boards drawn in black and white
    at.radio(key="url_labels").set_value("absolute").run()
    ok(at)
    assert len(board_titles(at)) == 2
    assert not any(m.label.endswith("after a pass") for m in at.metric)  # black and white do not turn


def test_probe_boards_bad_game_index(registry):
    at = ok(page("probe_boards", game="-3"))
    assert "outside" in text(at)
    assert len(board_titles(at)) == 2


# -- Representations ----------------------------------------------------------------------------------
def colour_field(spec: dict) -> dict:
    layer = spec["layer"][-1]
    return layer["encoding"]["color"]


def test_representations_page(registry):
    at = ok(page("representations", method="pca"))
    assert at.title[0].value == "Representations"
    spec = charts(at)[0]
    assert titles(spec)[0].startswith("PCA of layer 2")
    assert colour_field(spec)["field"] == "language"
    data = spec["_data"][0]
    assert set(data["language"]) == {"L0", "L1"} and len(data) > 500
    # drawn interleaved, so that no language covers the other where they mix (data order: one, then the other)
    switches = (data["language"] != data["language"].shift()).sum()
    assert switches > len(data) / 4
    pca_xy = data[["x", "y"]].to_numpy()

    # colour by a square's state, by the move number, by the player
    at.radio(key="url_colour").set_value("square").run()
    ok(at)
    enc = colour_field(charts(at)[0])
    assert enc["field"].startswith("c4") and enc["type"] == "nominal"
    at.selectbox(key="url_sq").set_value("d3").run()
    assert colour_field(charts(ok(at))[0])["field"].startswith("d3")
    at.radio(key="url_colour").set_value("move").run()
    assert colour_field(charts(ok(at))[0])["type"] == "quantitative"

    # lines joining the same move across languages
    at.toggle(key="url_lines").set_value(True).run()
    spec = charts(ok(at))[0]
    assert len(spec["layer"]) == 2 and spec["layer"][0]["mark"]["type"] == "line"

    # UMAP instead of PCA, another layer, one language
    at.radio(key="url_method").set_value("umap").run()
    spec = charts(ok(at))[0]
    assert titles(spec)[0].startswith("UMAP of layer 2")
    assert (spec["_data"][0][["x", "y"]].to_numpy() != pca_xy).any()
    at.slider(key="url_layer").set_value(1).run()
    assert titles(charts(ok(at))[0])[0].startswith("UMAP of layer 1")
    at.multiselect(key="url_langs").set_value(["L1"]).run()
    assert set(charts(ok(at))[0]["_data"][0]["language"]) == {"L1"}
    at.multiselect(key="url_langs").set_value([]).run()
    assert "Pick at least one language" in text(ok(at))


# -- bad input ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["probe_boards", "alignment", "representations"])
def test_corrupt_checkpoint_gives_a_readable_message(registry, name):
    at = ok(page(name, ckpt="checkpoints/broken"))
    assert "cannot be read" in text(at) and "not valid JSON" in text(at)
    assert "Pick a readable checkpoint" in text(at)
    assert not at.get("vega_lite_chart")


def test_unknown_checkpoint_in_the_url_says_so_and_a_bare_name_finds_it(registry):
    at = ok(page("alignment", ckpt="no-such-model"))
    assert "There is no checkpoint 'no-such-model'" in text(at)
    at = ok(page("alignment", ckpt="tiny-b"))  # runs/tiny-b by its bare name
    assert at.sidebar.selectbox(key="url_ckpt").value == "runs/tiny-b"
    assert "There is no checkpoint" not in text(at)


def test_relative_classes_are_drawn_in_the_colour_of_the_player_to_move():
    from mothello.ui.analysis_views import classes_to_board

    classes = [0, 1, 2, 1]
    assert classes_to_board(classes, "absolute", -1).tolist() == [0, 1, -1, 1]  # black / white as they are
    assert classes_to_board(classes, "relative", 1).tolist() == [0, 1, -1, 1]  # black to move: mine = black
    assert classes_to_board(classes, "relative", -1).tolist() == [0, -1, 1, -1]  # white to move: mine = white


# -- presentation mode ------------------------------------------------------------------------------------
def test_presentation_mode_enlarges_the_figures_and_has_a_way_out(registry):
    normal = ok(page("alignment"))
    at = ok(page("alignment", present=1))
    assert at.toggle(key="url_present").value
    assert not any("High off-diagonal accuracy" in c.value for c in at.caption)  # the blurb is hidden
    assert any("High off-diagonal accuracy" in c.value for c in normal.caption)
    assert charts(at)[0]["width"] > charts(normal)[0]["width"]  # the heatmap is bigger
    assert normal.get("download_button") and not at.get("download_button")  # no export buttons on a slide
    assert charts(at)[2]["config"]["axis"]["labelFontSize"] > charts(normal)[2]["config"]["axis"]["labelFontSize"]
    at.button(key="exit_present").click().run()
    ok(at)
    assert "present" not in at.query_params and not at.toggle(key="url_present").value
    assert any("High off-diagonal accuracy" in c.value for c in at.caption)


def test_probe_measures_have_one_colour_on_every_chart():
    from types import SimpleNamespace

    from mothello.ui import analysis_views as av
    from mothello.ui import alignment_views as alv
    from mothello.ui import theme

    res = SimpleNamespace(mean_diag=lambda x: 0.8, mean_cross=lambda x, aligned=False: 0.7 if aligned else 0.4,
                          baseline_majority={"accuracy": 0.6}, baseline_random_model={1: {"accuracy": 0.5}})
    chart, _ = alv.alignment_bars(res, 1)
    scale = chart.to_dict()["layer"][0]["encoding"]["color"]["scale"]
    colours = dict(zip(scale["domain"], scale["range"]))
    assert colours["cross-lingual probe (A → B)"] == av.SERIES_COLOURS["cross-lingual"] == \
        theme.MEASURE_COLOURS["cross-lingual"]
    assert colours["cross-lingual after rotation"] == av.SERIES_COLOURS["cross-lingual after rotation"]
    assert colours["in-language probe (A → A)"] == av.SERIES_COLOURS["in-language"]
