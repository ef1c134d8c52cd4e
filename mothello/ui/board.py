"""The board: one Altair chart used by every page (discs, legal moves, next-move probabilities, wrong
squares, the last move), clickable when asked."""

from __future__ import annotations

import json
from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from ..othello import ROWS, square_name
from . import charts, theme

CLICK = "board_click"


def board_frame(board, legal=None, probs=None, wrong=None, last_move: int | None = None) -> pd.DataFrame:
    """One row per square: square, name, row, col, state, legal, prob, wrong, last."""
    board = np.asarray(board).reshape(64)
    sq = np.arange(64)
    state = np.where(board > 0, "black", np.where(board < 0, "white", "empty"))
    return pd.DataFrame({
        "square": sq, "name": [square_name(s) for s in sq], "row": [ROWS[s // 8] for s in sq],
        "col": sq % 8 + 1, "state": state,
        "legal": np.zeros(64, bool) if legal is None else np.asarray(legal, bool).reshape(64),
        "prob": np.zeros(64) if probs is None else np.asarray(probs, float).reshape(64),
        "wrong": np.zeros(64, bool) if wrong is None else np.asarray(wrong, bool).reshape(64),
        "last": sq == (-1 if last_move is None else last_move),
    })


def board_chart(board, legal=None, probs=None, wrong=None, last_move=None, title: str | None = None,
                size: int = 320, clickable: bool = False, subtitle: str | None = None,
                font_scale: float | None = None) -> alt.LayerChart:
    """An 8x8 board. probs (64,) next-move probabilities drawn as an amber heat with % labels; legal
    (64,) marked with rings; wrong (64,) outlined in red; last_move gets a red dot. font_scale: of the
    labels and titles (presentation mode); by default big boards get bigger ones."""
    df = board_frame(board, legal, probs, wrong, last_move)
    cell = size / 8
    font = max(1.0, size / 400) if font_scale is None else font_scale
    # every row and column named, however small the board (Vega would drop labels that crowd)
    axis = dict(title=None, domain=False, ticks=False, grid=False, labelPadding=4, labelOverlap=False,
                labelFontSize=min(13 * font, cell * 0.62))
    x = alt.X("col:O", axis=alt.Axis(orient="top", labelAngle=0, **axis))
    y = alt.Y("row:O", sort=list(ROWS), axis=alt.Axis(**axis))
    tooltip = [alt.Tooltip("name:N", title="square"), alt.Tooltip("state:N"),
               alt.Tooltip("prob:Q", title="P(next move)", format=".1%"), alt.Tooltip("legal:N", title="legal")]
    base = alt.Chart(df).encode(x=x, y=y)
    squares = base.mark_rect(stroke=theme.BOARD_LINE, strokeWidth=1.5).encode(
        color=alt.value(theme.BOARD_GREEN), tooltip=tooltip)
    layers = [squares]
    if probs is not None:
        heat = base.transform_filter("datum.prob > 0.005").mark_rect(color=theme.HEAT).encode(
            opacity=alt.Opacity("prob:Q", scale=alt.Scale(domain=[0, 0.5], range=[0.15, 0.95], clamp=True),
                                legend=None), tooltip=tooltip)
        layers.append(heat)
    if legal is not None:
        # with probabilities the ring is wide enough to hold the % label inside it
        ring = 0.8 if probs is not None else 0.42
        rings = base.transform_filter("datum.legal && datum.state == 'empty'").mark_circle(
            size=(cell * ring) ** 2, fillOpacity=0, stroke=theme.LEGAL, strokeWidth=2.2).encode(tooltip=tooltip)
        layers.append(rings)
    discs = base.transform_filter("datum.state != 'empty'").mark_circle(
        size=(cell * 0.78) ** 2, opacity=1, stroke="#000000", strokeOpacity=0.35, strokeWidth=1).encode(
        color=alt.Color("state:N", scale=alt.Scale(domain=["black", "white"],
                                                   range=[theme.BLACK_DISC, theme.WHITE_DISC]), legend=None),
        tooltip=tooltip)
    layers.append(discs)
    if probs is not None:
        labels = base.transform_filter("datum.prob >= 0.02 && datum.state == 'empty'").mark_text(
            fontSize=max(9, cell * 0.26), fontWeight="bold", color="#1d1d1d").encode(
            text=alt.Text("prob:Q", format=".0%"), tooltip=tooltip)
        layers.append(labels)
    if wrong is not None:
        layers.append(base.transform_filter("datum.wrong").mark_rect(
            fillOpacity=0, stroke=theme.WRONG, strokeWidth=3.5).encode(tooltip=tooltip))
    if last_move is not None:
        layers.append(base.transform_filter("datum.last").mark_circle(size=(cell * 0.2) ** 2, color=theme.WRONG))
    if clickable:
        # The click is caught by a transparent layer on top of everything, so a click on a disc, a
        # legal-move ring or a probability label selects its square too (a selection bound to the
        # bottom layer would only see clicks that reach the bare squares).
        click = alt.selection_point(fields=["square"], on="click", name=CLICK, empty=False, clear=False,
                                    toggle=False)
        catcher = base.mark_rect(color="#ffffff", opacity=0.001, cursor="pointer").encode(
            tooltip=tooltip).add_params(click)
        layers.append(catcher)
    props = dict(width=size, height=size)  # the board itself; charts.finish pads the labels and title around it
    if title:
        props["title"] = alt.Title(title, subtitle=subtitle or "", fontSize=15 * font, subtitleFontSize=12 * font,
                                   anchor="middle")
    return charts.finish(alt.layer(*layers).properties(**props))


def clicked_square(event) -> int | None:
    """The square a click selected, from st.altair_chart(..., on_select='rerun')'s return value."""
    try:
        sel = event.selection.get(CLICK) or []
    except AttributeError:
        return None
    if sel and "square" in sel[0]:
        return int(sel[0]["square"])
    return None


@lru_cache(maxsize=64)
def _template(has_legal: bool, has_probs: bool, has_wrong: bool, has_last: bool, title: bool, size: int,
              clickable: bool) -> str:
    z = np.zeros(64)
    chart = board_chart(z, legal=z if has_legal else None, probs=z if has_probs else None,
                        wrong=z if has_wrong else None, last_move=0 if has_last else None,
                        title="title" if title else None, subtitle="subtitle" if title else None, size=size,
                        clickable=clickable)
    return json.dumps(chart.to_dict())


def board_spec(board, legal=None, probs=None, wrong=None, last_move=None, title: str | None = None,
               size: int = 320, clickable: bool = False, subtitle: str | None = None) -> dict:
    """The same board as board_chart, as a Vega-Lite spec (for st.vega_lite_chart, and export_buttons),
    in about a millisecond instead of about 150 ms: the chart's structure is built once per set of
    options and only the data and title change. For views that redraw the board on every click."""
    spec = json.loads(_template(legal is not None, probs is not None, wrong is not None, last_move is not None,
                                bool(title), int(size), bool(clickable)))
    frame = board_frame(board, legal, probs, wrong, last_move)
    spec["datasets"] = {spec["data"]["name"]: json.loads(frame.to_json(orient="records", double_precision=15))}
    if title:
        spec["title"]["text"] = title
        spec["title"]["subtitle"] = subtitle or ""
    return spec
