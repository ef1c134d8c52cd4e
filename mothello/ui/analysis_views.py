"""Shared pieces of the analysis pages (Probe boards, Alignment, Representations).

What lives here and not in widgets.py / charts.py: a progress bar fed by the backend's
progress(fraction, message) callbacks; cached wrappers around the probe, alignment and projection
backends; and the few chart builders only these pages use.

Caching with progress: st.cache_data cannot drive a progress bar created outside the cached function
(its message replay fails on a cache hit), so a long computation runs once *outside* the cache with a
progress bar and its result is handed to the cached function through an unhashed `_fresh` argument
(`computed_once`). Later calls hit st.cache_data; the backends' disk caches make a fresh server
process instant too.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import time
from typing import Callable, Sequence

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from .. import probes, sweep
from ..activations import PROBE_TEST_SEED, PROBE_TRAIN_SEED, board_labels, game_states, move_states
from ..checkpoints import Checkpoint, checkpoints_dir
from ..data import HELDOUT_FIRST_INDEX
from ..findings.training import PLACER_ROW
from ..othello import generate_games, replay, square_name
from ..projection import project
from . import board, charts, theme, widgets

N_TEST = 200  # held-out games the probes are scored on (as in probes.train_probe / alignment)


# -- sizes: the study's by default; MOTHELLO_FAST=1 (tests, browser tests) shrinks them -------------
def fast() -> bool:
    return os.environ.get("MOTHELLO_FAST") == "1"


def probe_games() -> int:
    """Games a board probe is trained on (the study: 1,000)."""
    return 100 if fast() else 1000


def alignment_games() -> int:
    return 100 if fast() else 1000


def projection_games() -> int:
    """Games per language in a projection (50 x 2 languages x ~60 moves = ~6,000 points)."""
    return 8 if fast() else 50


def require_checkpoint(label: str = "Checkpoint", key: str = "ckpt") -> Checkpoint:
    """The sidebar checkpoint picker; stops the page with a readable message if nothing usable is picked."""
    ck = widgets.checkpoint_picker(label, key=key)
    if ck is None:
        st.info("Pick a readable checkpoint in the sidebar (or train one on the **Train** page): "
                "this page needs a model to read.", icon=":material/info:")
        st.stop()
    return ck


def sha(ck: Checkpoint) -> str:
    return ck.meta["weights_sha256"]


def language_names(ck: Checkpoint) -> list[str]:
    """The input languages (the ones the model reads), in config order."""
    return [ck.config.languages[i].name for i in ck.config.input_languages]


def language_scale(ck: Checkpoint):
    """Fixed colour per language of this checkpoint (the same on every chart)."""
    return theme.language_scale(language_names(ck))


@contextlib.contextmanager
def one_thread():
    """Run torch on one thread for a while. Probe fitting is many small steps: on a busy machine two
    threads spin against each other (a linear probe: 7 s on one thread, 75 s on two, measured here)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# -- progress -------------------------------------------------------------------------------------
class Progress:
    """A progress bar for backend callbacks progress(fraction, message). Created lazily (a computation
    that turns out to be cached never flashes a bar) and removed on exit."""

    def __init__(self, what: str, container=None):
        self.what = what
        self.slot = (container or st).empty()
        self.t0 = time.monotonic()
        self.shown = False

    def __call__(self, fraction: float, message: str = "") -> None:
        if not self.shown and fraction >= 1.0:
            return
        self.shown = True
        f = float(min(max(fraction, 0.0), 1.0))
        self.slot.progress(f, text=f"{self.what} · {message} · {time.monotonic() - self.t0:.0f} s")

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.slot.empty()


@st.cache_resource(show_spinner=False)
def _seen() -> set:
    """Keys computed in this server process (so the progress path runs once per key)."""
    return set()


def computed_once(cached_fn: Callable, args: tuple, compute: Callable[[Progress], object], what: str,
                  container=None):
    """cached_fn(*args, _fresh=None) is an st.cache_data function that computes when _fresh is None.
    The first time per key the value is computed here with a progress bar and handed in as _fresh."""
    key = (cached_fn.__name__, *args[1:])
    seen = _seen()
    fresh = None
    if key not in seen:
        with Progress(what, container) as bar, one_thread():
            fresh = compute(bar)
    value = cached_fn(*args, _fresh=fresh)
    seen.add(key)
    return value


# -- probes -----------------------------------------------------------------------------------------
def _probe_stored(ck: Checkpoint, language: str, layer: int, kind: str, labels: str, n_train: int) -> bool:
    path = probes.probe_dir(ck, language, layer, kind, labels, n_train) / "probe.json"
    try:
        return json.loads(path.read_text()).get("weights_sha256") == sha(ck)
    except (OSError, ValueError):
        return False


def layer_probes(ck: Checkpoint, language: str, kind: str, labels: str, n_train: int,
                 container=None) -> list[probes.BoardProbe]:
    """A probe per layer (0..n_layer) on `language`: loaded from beside the checkpoint, else trained
    together (with a progress bar) and saved there."""
    args = (ck, str(ck.path), sha(ck), language, kind, labels, n_train)
    if all(_probe_stored(ck, language, x, kind, labels, n_train) for x in range(ck.model.cfg.n_layer + 1)):
        return _layer_probes(*args)
    return computed_once(_layer_probes, args,
                         lambda bar: probes.load_or_train_layer_probes(ck, language, kind, labels, n_train, progress=bar),
                         f"Training {kind} probes on {language} ({n_train:,} games, first time for these weights)",
                         container)


@st.cache_resource(show_spinner=False, max_entries=64)
def _layer_probes(_ck: Checkpoint, path: str, weights_sha: str, language: str, kind: str, labels: str, n_train: int,
                  _fresh=None) -> list[probes.BoardProbe]:
    return _fresh if _fresh is not None else probes.load_or_train_layer_probes(_ck, language, kind, labels, n_train)


@st.cache_data(show_spinner="Scoring the probes on held-out games ...", max_entries=64)
def heldout_scores(_ck: Checkpoint, _probes: list, path: str, weights_sha: str, probe_language: str,
                   read_language: str, kind: str, labels: str, n_train: int) -> list[dict]:
    """Per layer: accuracy_detail of the probe trained on probe_language on N_TEST held-out games read
    in read_language (the same games)."""
    with one_thread():
        states = move_states(_ck, read_language, N_TEST, PROBE_TEST_SEED, layers=None)
        y = states.labels(labels)
        return [p.score_detail(states.rows(x), y) for x, p in enumerate(_probes)]


PLACER = PLACER_ROW   # the placer baseline's series


@st.cache_data(show_spinner="Scoring the probes along the game ...", max_entries=32)
def colour_along_game(_ck: Checkpoint, _probes: list, path: str, weights_sha: str, language: str, kind: str,
                      labels: str, n_train: int) -> pd.DataFrame:
    """Per layer (and the placer baseline) and stretch of the game (probes.MOVE_BINS): the colour accuracy on
    occupied squares of the probes on `language`, on N_TEST held-out games read in it. Columns series,
    moves ("1-10", ...), colour."""
    with one_thread():
        states = move_states(_ck, language, N_TEST, PROBE_TEST_SEED, layers=None)
        y, move = states.labels(labels), probes.move_numbers(states.mask)
        curves = {f"layer {x}": probes.colour_by_stretch(p.predict_proba(states.rows(x)), y, move)
                  for x, p in enumerate(_probes)}
    curves[PLACER] = list(probes.placer_by_stretch(N_TEST, labels))
    return pd.DataFrame([{"series": k, "moves": f"{a}-{b}", "colour": v} for k, vals in curves.items()
                         for (a, b), v in zip(probes.MOVE_BINS, vals)])


@st.cache_data(show_spinner=False, max_entries=32)
def colour_after_passes(_ck: Checkpoint, _probe: probes.BoardProbe, path: str, weights_sha: str, language: str,
                        layer: int, labels: str, n_train: int) -> dict:
    """The colour accuracy (occupied squares) of one layer's probe on `language`, on the N_TEST held-out games,
    split by whether a pass has turned the order of the sides (othello.Replay.turned): {"positions",
    "turned" (positions), "colour_turned", "colour_other"}."""
    with one_thread():
        states = move_states(_ck, language, N_TEST, PROBE_TEST_SEED, layers=[layer])
        y, turned = states.labels(labels), states.replay.turned[states.mask]
        proba = _probe.predict_proba(states.rows(layer))
    return {"positions": int(len(turned)), "turned": int(turned.sum()),
            "colour_turned": probes.colour_on(proba, y, turned), "colour_other": probes.colour_on(proba, y, ~turned)}


def heldout_accuracy(ck: Checkpoint, probe_list: list, probe_language: str, read_language: str, kind: str,
                     labels: str, n_train: int) -> list[float]:
    """Per layer: held-out accuracy of the probe trained on probe_language, read in read_language.
    Instant where a stored result has it (the probe's own test score; the stored alignment matrix for
    linear probes on relative labels), else scored here (cached)."""
    if read_language == probe_language:
        got = [p.info_.get("test", {}).get("accuracy") if getattr(p, "info_", {}).get("n_train") == n_train
               else None for p in probe_list]
        if all(g is not None for g in got):
            return [float(g) for g in got]
    elif kind == "linear":
        res = probes.load_alignment(ck, kind, labels, n_train)
        if res is not None and {probe_language, read_language} <= set(res.languages) \
                and set(range(len(probe_list))) <= set(res.layers):
            i, j = res.languages.index(probe_language), res.languages.index(read_language)
            return [float(res.matrix[x][i, j]) for x in range(len(probe_list))]
    return [d["accuracy"] for d in heldout_scores(ck, probe_list, str(ck.path), sha(ck), probe_language,
                                                   read_language, kind, labels, n_train)]


@st.cache_data(show_spinner=False, max_entries=16)
def majority(labels: str, n_train: int) -> dict:
    """Per-square majority guess (from the probe-training games) scored on the held-out games."""
    def lab(n, seed):
        r = replay(generate_games(n, seed=seed, first_index=HELDOUT_FIRST_INDEX))
        return board_labels(r, labels)[r.mask]

    return probes.majority_baseline(lab(n_train, PROBE_TRAIN_SEED), lab(N_TEST, PROBE_TEST_SEED))


def heldout_game(index: int) -> np.ndarray:
    """Game `index` of the held-out test games (those the probes are scored on, never trained on)."""
    return generate_games(1, seed=PROBE_TEST_SEED, first_index=HELDOUT_FIRST_INDEX + int(index))[0]


@st.cache_data(show_spinner=False, max_entries=64)
def game_hidden(_ck: Checkpoint, path: str, weights_sha: str, language: str, index: int) -> dict[int, np.ndarray]:
    """{layer: (60, C)} hidden states of held-out game `index` read in `language`."""
    s = game_states(_ck, language, heldout_game(index))
    return {x: h[0] for x, h in s.hidden.items()}


def classes_to_board(classes: np.ndarray, labels: str, next_player: int) -> np.ndarray:
    """Probe classes (64,) to a drawable board (1 black, -1 white, 0 empty). Relative labels: mine is
    the colour of the player to move next."""
    classes = np.asarray(classes)
    mine = 1 if labels == "absolute" else int(next_player)
    return np.where(classes == 1, mine, np.where(classes == 2, -mine, 0)).astype(np.int8)


@st.cache_data(show_spinner=False, max_entries=16)
def _board_template(size: int, font_scale: float = 1.0) -> tuple[dict, dict]:
    """board.board_chart's Vega-Lite spec (its layers, size, title style) and config, built once per
    size; wrong squares and the last move are driven by the data, so one template draws every board."""
    spec = board.board_chart(np.zeros(64), wrong=np.zeros(64, bool), last_move=0, size=size, title="t",
                             subtitle="s", font_scale=font_scale).to_dict()
    return {k: spec[k] for k in ("layer", "width", "height", "title")}, spec.get("config", {})


def board_spec(board_values, size: int, title: str, subtitle: str = "", wrong=None, last_move=None,
               font_scale: float = 1.0) -> dict:
    """One board (board.board_chart's look, data from board.board_frame) as a Vega-Lite sub-spec."""
    tmpl, _ = _board_template(size, font_scale)
    frame = board.board_frame(board_values, wrong=wrong, last_move=last_move)
    spec = copy.deepcopy(tmpl)
    spec["data"] = {"values": json.loads(frame.to_json(orient="records"))}
    spec["title"] = {**spec["title"], "text": title, "subtitle": subtitle}
    return spec


def board_grid(boards: list[dict], columns: int, size: int) -> dict:
    """Several boards (board_spec) as one Vega-Lite spec, `columns` per row (for st.vega_lite_chart and
    widgets.export_buttons). Drawing many boards through Altair objects costs seconds per rerun (deep
    copies and schema validation of every layer); this costs milliseconds and draws the same chart,
    with the board's config (charts.finish: no frame, the house font)."""
    _, config = _board_template(size)
    return {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "concat": boards, "columns": columns,
            "spacing": 18, "config": copy.deepcopy(config), "autosize": {"type": "pad", "contains": "padding"}}


# -- alignment -------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=32)
def _alignment(_ck: Checkpoint, path: str, weights_sha: str, kind: str, labels: str, n_train: int,
               _fresh=None) -> probes.AlignmentResult:
    if _fresh is not None:
        return _fresh
    with one_thread():
        return probes.load_or_compute_alignment(_ck, kind, labels, n_train)


def alignment_result(ck: Checkpoint, kind: str = "linear", labels: str = "relative", n_train: int | None = None,
                     container=None) -> probes.AlignmentResult:
    """The alignment matrices of every layer: stored beside the checkpoint (instant), else computed
    with a progress bar, stored there, and cached."""
    n = n_train or alignment_games()
    return computed_once(
        _alignment, (ck, str(ck.path), sha(ck), kind, labels, n),
        lambda bar: probes.load_or_compute_alignment(ck, kind, labels, n, progress=bar),
        f"Cross-lingual alignment of {ck.name} (first time for these weights; stored for next time)",
        container)


def alignment_curves(res: probes.AlignmentResult, colour: bool = False) -> pd.DataFrame:
    """Long table: layer, series, accuracy (in-language, cross-lingual direct / after rotation,
    random-model probe)."""
    rows = []
    for x in res.layers:
        rows += [
            {"layer": x, "series": "in-language", "accuracy": res.mean_diag(x, colour=colour)},
            {"layer": x, "series": "cross-lingual", "accuracy": res.mean_cross(x, colour=colour)},
            {"layer": x, "series": "cross-lingual after rotation", "accuracy": res.mean_cross(x, aligned=True, colour=colour)},
            {"layer": x, "series": "random-model probe",
             "accuracy": res.baseline_random_model[x]["colour" if colour else "accuracy"]},
        ]
    return pd.DataFrame(rows)


BOTTOM_LEGEND = alt.Legend(orient="bottom", direction="horizontal", columns=4, symbolStrokeWidth=3, labelLimit=260)


LAYER_X = alt.X("layer:Q", title="layer (0 = embeddings)", axis=alt.Axis(tickMinStep=1, format="d"))


def layer_axis(chart):
    """Whole-number layer ticks on a line chart whose x field is `layer`."""
    return chart.encode(x=LAYER_X)


SERIES_COLOURS = {"in-language": theme.MEASURE_COLOURS["in-language"],
                  "cross-lingual": theme.MEASURE_COLOURS["cross-lingual"],
                  "cross-lingual after rotation": theme.MEASURE_COLOURS["after rotation"],
                  "random-model probe": theme.MEASURE_COLOURS["random model"]}


def curves_chart(df: pd.DataFrame, majority_acc: float, layer: int | None, title: str, width: int, height: int,
                 colour_field: str = "series", colour_scale=None, dash_field: str | None = None,
                 dash_domain: Sequence[str] | None = None, x: str = "layer", x_enc=LAYER_X):
    """Accuracy across layers (or across the field `x`, drawn with `x_enc`) with the majority baseline as a
    labelled rule and the chosen layer (x value) marked."""
    scale = colour_scale or alt.Scale(domain=list(SERIES_COLOURS), range=list(SERIES_COLOURS.values()))
    lo = float(min(df["accuracy"].min(), majority_acc)) - 0.03
    line = charts.line_chart(df, x, "accuracy", colour_field, title=title, y_title="probe accuracy",
                             colour_scale=scale, width=width, height=height, y_domain=(max(0.0, lo), 1.0))
    if dash_field:
        dashes = [[1, 0], [6, 4], [2, 3], [8, 3, 2, 3]]
        dash_scale = alt.Scale(domain=list(dash_domain), range=dashes[:len(dash_domain)]) if dash_domain else alt.Undefined
        # no legend (a dashed-line legend symbol does not draw beside line+point marks): say it in the title
        line = line.encode(strokeDash=alt.StrokeDash(f"{dash_field}:N", title=None, scale=dash_scale, legend=None))
    line = line.encode(x=x_enc, color=alt.Color(f"{colour_field}:N", scale=scale, title=None, legend=BOTTOM_LEGEND))
    base = pd.DataFrame({"y": [majority_acc], "label": [f"per-square majority {majority_acc:.0%}"]})
    rule = alt.Chart(base).mark_rule(color="#555", strokeDash=[6, 4], strokeWidth=1.5).encode(y="y:Q")
    # labelled at the right end, above the rule (the curves mostly start together at the left), on a white
    # halo so that it stays legible where a curve crosses it
    label = alt.Chart(base).encode(y="y:Q", x=alt.datum(float(df[x].max())), text="label:N")
    style = dict(align="right", dx=-2, dy=-8, fontSize=12 * widgets.scale())
    halo = label.mark_text(color="white", stroke="white", strokeWidth=4, strokeJoin="round", **style)
    layers = [line, rule, halo, label.mark_text(color="#555", **style)]
    if layer is not None:
        layers.append(alt.Chart(pd.DataFrame({x: [layer]})).mark_rule(color="#bbb", strokeWidth=8, opacity=0.35)
                      .encode(x=x_enc))
    return alt.layer(*layers)


def anchor_sweep() -> tuple[pd.DataFrame, dict] | None:
    """The shipped anchor sweep (mothello.sweep): (table, settings), cached until its table changes."""
    try:
        mtime = (checkpoints_dir() / sweep.FOLDER / sweep.TABLE).stat().st_mtime_ns
    except OSError:
        return None
    return _anchor_sweep(str(checkpoints_dir()), mtime)


@st.cache_data(show_spinner=False, max_entries=4)
def _anchor_sweep(root: str, mtime: int):
    return sweep.load(root)


ANCHORS_X = alt.X("anchors:Q", title="anchor squares (tokens the two languages share)",
                  scale=alt.Scale(type="symlog"), axis=alt.Axis(values=[0, 2, 4, 8, 16], format="d", grid=False))


def sweep_curves(wide: pd.DataFrame) -> pd.DataFrame:
    """mothello.sweep.at_layer's table as curves_chart's long table (anchors, series, accuracy)."""
    series = {"in-language": "in-language", "cross-lingual": "cross-lingual",
              "after rotation": "cross-lingual after rotation", "random-model probe": "random-model probe"}
    long = wide.melt(id_vars="anchors", value_vars=list(series), var_name="series", value_name="accuracy")
    return long.assign(series=long["series"].map(series))


def sweep_chart(wide: pd.DataFrame, title: str, width, height: int, mark: int | None = None):
    """Alignment against the number of anchor squares, with the majority baseline (and the model with
    `mark` anchor squares marked)."""
    curves = sweep_curves(wide)
    return curves_chart(curves, float(wide["majority guess"].mean()), mark, title, width, height, x="anchors",
                        x_enc=ANCHORS_X), curves


def parallel_frame(mat: np.ndarray, a: str, b: str) -> pd.DataFrame:
    n, m = mat.shape
    i, j = np.meshgrid(np.arange(n), np.arange(m), indexing="ij")
    return pd.DataFrame({f"move in {a}": i.ravel() + 1, f"move in {b}": j.ravel() + 1, "cosine": mat.ravel()})


@st.cache_data(show_spinner="Reading the parallel games in both languages ...", max_entries=32)
def parallel_similarities(_ck: Checkpoint, path: str, weights_sha: str, a: str, b: str, game: int,
                          n_games: int) -> dict:
    """Per layer: the move-by-move cosine matrix of game `game` read in a and in b, and the mean
    cosine of matched / different moves over n_games held-out games."""
    sa = move_states(_ck, a, n_games, PROBE_TEST_SEED, layers=None)
    sb = move_states(_ck, b, n_games, PROBE_TEST_SEED, layers=None)
    return {x: probes.parallel_similarity(sa, sb, x, game) for x in sorted(sa.hidden)}


def similarity_heatmap(df: pd.DataFrame, a: str, b: str, title: str, subtitle: str, size: int):
    """Move-by-move cosine similarity, on a diverging scale centred on 0 (unrelated directions)."""
    m = float(max(df["cosine"].abs().quantile(0.995), 0.05))
    return alt.Chart(df).mark_rect().encode(
        x=alt.X(f"move in {b}:O", axis=alt.Axis(values=list(range(0, 61, 10)), labelAngle=0, grid=False)),
        y=alt.Y(f"move in {a}:O", axis=alt.Axis(values=list(range(0, 61, 10)), grid=False)),
        color=alt.Color("cosine:Q", scale=alt.Scale(scheme="blueorange", domain=[-m, m], domainMid=0, clamp=True),
                        legend=alt.Legend(title="cosine", format=".2f")),
        tooltip=[f"move in {a}:O", f"move in {b}:O", alt.Tooltip("cosine:Q", format=".3f")],
    ).properties(width=size, height=size, title=alt.Title(title, subtitle=subtitle, anchor="start"))


@st.cache_data(show_spinner=False, max_entries=32)
def embedding_table(_ck: Checkpoint, path: str, weights_sha: str) -> pd.DataFrame:
    """Per ordered pair of different input languages: mean cosine of the same move's input embeddings
    and of different moves' (the baseline)."""
    e = probes.embedding_similarity(_ck)
    names, rows = e["languages"], []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            pair = f"{names[i]} · {names[j]}"
            rows.append({"pair": pair, "moves": "same move", "cosine": float(e["same_move"][i, j])})
            rows.append({"pair": pair, "moves": "different moves", "cosine": float(e["different_move"][i, j])})
    return pd.DataFrame(rows)


# -- projections -----------------------------------------------------------------------------------
PROJECTION_BASE = ["language", "game", "move", "square", "player", "moves_played", "black_discs", "white_discs", "x", "y"]


def _slim(df: pd.DataFrame) -> pd.DataFrame:
    """Square-state columns as categories (a 6,000-point table drops from ~50 MB to ~1 MB)."""
    df = df.copy()
    for c in df.columns:
        if c not in PROJECTION_BASE and df[c].dtype == object:
            df[c] = df[c].astype("category")
    df["language"] = df["language"].astype(str)
    return df


@st.cache_data(show_spinner=False, max_entries=24)
def _projection(_ck: Checkpoint, path: str, weights_sha: str, layer: int, languages: tuple, n_games: int,
                method: str, _fresh=None) -> pd.DataFrame:
    return _fresh if _fresh is not None else _slim(project(_ck, layer, list(languages), n_games, method))


def projection(ck: Checkpoint, layer: int, languages: Sequence[str], n_games: int, method: str,
               container=None) -> pd.DataFrame:
    return computed_once(
        _projection, (ck, str(ck.path), sha(ck), int(layer), tuple(languages), int(n_games), method),
        lambda bar: _slim(project(ck, layer, list(languages), n_games, method, progress=bar)),
        f"{method.upper()} of layer {layer}", container)


SQUARE_COLOURS = {"absolute": (["empty", "black", "white"], ["#a8d5b5", theme.BLACK_DISC, "#ffffff"]),
                  "relative": (["empty", "mine", "theirs"], ["#a8d5b5", "#d62728", "#1f77b4"])}
PLAYER_COLOURS = (["black", "white"], [theme.BLACK_DISC, "#ffffff"])


def all_square_names() -> list[str]:
    return [square_name(s) for s in range(64)]


def language_mixing(table: pd.DataFrame, k: int = 10) -> float:
    """Mean fraction of each point's k nearest neighbours (in the 2-D map) written in another language."""
    from sklearn.neighbors import NearestNeighbors

    xy = table[["x", "y"]].to_numpy()
    lang = table["language"].to_numpy()
    k = min(k, len(xy) - 1)
    if k < 1:
        return float("nan")
    idx = NearestNeighbors(n_neighbors=k + 1).fit(xy).kneighbors(xy, return_distance=False)[:, 1:]
    return float((lang[idx] != lang[:, None]).mean())
