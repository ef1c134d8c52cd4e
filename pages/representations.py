"""Representations: a 2-D map (UMAP or PCA) of the hidden states of several languages at one layer,
coloured by language or by what the board looks like, with the same move joined across languages."""

import altair as alt
import numpy as np
import streamlit as st

from mothello.ui import analysis_views as av
from mothello.ui import charts, widgets

present = widgets.page_header(
    "Representations",
    "Every point is the hidden state after one move of a held-out game. If the languages share one board "
    "representation, their points mix and arrange by what is on the board; if not, each language gets "
    "its own island.")
ck = av.require_checkpoint()
s = widgets.scale()
langs = av.language_names(ck)
SIZES = sorted({av.projection_games(), 20, 50, 100}) if not av.fast() else [av.projection_games()]

c1, c2, c3, c4 = st.columns([2.2, 2.6, 1.3, 1.1], vertical_alignment="bottom")
with c1:
    layer = widgets.layer_slider(ck)
chosen = widgets.url_multiselect("Languages", langs, "langs", default=langs if len(langs) <= 4 else langs[:3],
                                 container=c2)
method = widgets.url_radio("Method", ["umap", "pca"], "method", default="umap", container=c3,
                      format_func=lambda m: m.upper())
n_games = int(widgets.url_select("Games per language", SIZES, "games", default=av.projection_games(), container=c4))

COLOUR_BY = {"language": "language", "square": "square: black / white", "square_rel": "square: mine / theirs",
             "move": "move number", "player": "player"}
d1, d2, d3 = st.columns([5.4, 1.1, 1.5], vertical_alignment="bottom")
colour_by = widgets.url_radio("Colour by", list(COLOUR_BY), "colour", default="language", container=d1,
                         format_func=COLOUR_BY.get)
square = widgets.url_select("Square", av.all_square_names(), "sq", default="c4", container=d2,
                            disabled=colour_by not in ("square", "square_rel"),
                            help="Colour by this square's state after the move")
lines = widgets.url_toggle("Join same moves", "lines", default=False, container=d3,
                      help="A faint line joins the points of the same game and move in each language")

if not chosen:
    st.info("Pick at least one language above to draw its hidden states.", icon=":material/info:")
    st.stop()
MAX_POINTS = 20_000  # a 2-D map beyond this is slow to compute and to draw, and unreadable anyway
if len(chosen) * n_games * 60 > MAX_POINTS:
    fewer = max(5, MAX_POINTS // (60 * len(chosen)))
    st.caption(f"{len(chosen)} languages × {n_games} games would be ~{len(chosen) * n_games * 60:,} points: "
               f"drawing {fewer} games per language instead.")
    n_games = fewer

try:
    table = av.projection(ck, layer, chosen, n_games, method)
except (ValueError, RuntimeError, OSError, ImportError) as e:
    st.error(f"The {method.upper()} projection could not be computed: {e}", icon=":material/error:")
    st.stop()

# -- the chart --------------------------------------------------------------------------------------
df = table[["language", "game", "move", "square", "player", "x", "y"]].copy()
df["move"] = df["move"] + 1  # 1-based for people
df = df.rename(columns={"square": "played"})
if colour_by == "language":
    field, enc = "language", alt.Color("language:N", scale=av.language_scale(ck), title="language")
elif colour_by in ("square", "square_rel"):
    rel = colour_by == "square_rel"
    field = f"{square} ({'mine/theirs' if rel else 'colour'})"
    df[field] = table[f"rel_{square}" if rel else square].astype(str).values
    domain, rng = av.SQUARE_COLOURS["relative" if rel else "absolute"]
    enc = alt.Color(f"{field}:N", scale=alt.Scale(domain=domain, range=rng), title=f"square {square}")
elif colour_by == "move":
    field, enc = "move", alt.Color("move:Q", scale=alt.Scale(scheme="viridis", domain=[1, 60]), title="move")
else:
    field = "player"
    enc = alt.Color("player:N", scale=alt.Scale(domain=av.PLAYER_COLOURS[0], range=av.PLAYER_COLOURS[1]),
                    title="moved")

axis_title = ("UMAP 1", "UMAP 2") if method == "umap" else ("PC 1", "PC 2")
x = alt.X("x:Q", title=axis_title[0], axis=alt.Axis(labels=method == "pca", ticks=False, grid=False),
          scale=alt.Scale(zero=False))
y = alt.Y("y:Q", title=axis_title[1], axis=alt.Axis(labels=method == "pca", ticks=False, grid=False),
          scale=alt.Scale(zero=False))
tooltip = ["language:N", "game:Q", "move:Q", alt.Tooltip("played:N", title="square played"), "player:N"]
if field not in ("language", "move", "player"):
    tooltip.append(f"{field}:N")
n_points = len(df)
point_size = float(np.clip(9000 / max(n_points, 1), 8, 60)) * s
zoom = alt.selection_interval(bind="scales")
# drawn in a fixed shuffled order: in data order the last language would cover the others where they mix;
# no outline: it darkens the colours
points = alt.Chart(df.sample(frac=1, random_state=0)).mark_circle(size=point_size, opacity=0.78).encode(
    x=x, y=y, color=enc, tooltip=tooltip)
if colour_by != "move":
    pick = alt.selection_point(fields=[field], bind="legend")
    points = points.encode(opacity=alt.condition(pick, alt.value(0.8), alt.value(0.06))).add_params(pick)
points = points.add_params(zoom)
layers = []
if lines and len(chosen) > 1:
    layers.append(alt.Chart(df).mark_line(strokeWidth=0.5, opacity=0.13, color="#666666").encode(
        x=x, y=y, detail=["game:N", "move:N"], order="language:N"))
layers.append(points)
title = alt.Title(f"{method.upper()} of layer {layer} hidden states · {', '.join(chosen)}",
                  subtitle=f"{n_points:,} moves: {n_games} held-out games per language, coloured by "
                           f"{COLOUR_BY[colour_by].replace('square:', 'square ' + square + ':')}", anchor="start")
fig = alt.layer(*layers).properties(width=1060 if present else 840, height=int(540 * s), title=title)
fig = charts.finish(fig, s, legend=dict(orient="right", symbolSize=120))
st.altair_chart(fig, width="content")
widgets.export_buttons(fig, df, f"{method}-L{layer}-{'-'.join(chosen)}-{colour_by}")

if not present:
    mixing = av.language_mixing(table) if len(chosen) > 1 else None
    extra = f" In the 2-D map, {mixing:.0%} of each point's 10 nearest neighbours come from another language " \
            f"(perfect mixing: {1 - 1 / len(chosen):.0%})." if mixing is not None else ""
    st.caption(f"{method.upper()} of the residual stream after layer {layer} (0 = embeddings) at each move's last "
               f"token; fixed seed, cached. Drag to pan, scroll to zoom, click a legend entry to highlight it."
               + extra)
