"""Probe boards: the board a probe reads from the hidden state at every layer, for one move of one
held-out game, in the probe's language and (cross-lingual) in another language."""

import numpy as np
import pandas as pd
import streamlit as st

from mothello.activations import board_labels
from mothello.othello import ABSOLUTE_CLASSES, RELATIVE_CLASSES, replay, square_name
from mothello.ui import analysis_views as av
from mothello.ui import charts, theme, widgets

present = widgets.page_header(
    "Probe boards",
    "A board probe maps the hidden state after a move to the board. Each small board is what the probe "
    "reads at one layer; red outlines mark squares it gets wrong. Below: the same probe reading the same "
    "game written in another language (cross-lingual).")
ck = av.require_checkpoint()
langs = av.language_names(ck)
side = st.sidebar
lang_a = ck.config.languages[widgets.language_picker(ck, "Probe trained on", key="lang", container=side)].name
others = [x for x in langs if x != lang_a]
lang_b = widgets.url_select("Read in (cross-lingual)", others, "lang2", default=others[0], container=side) if others else None
kind = widgets.url_radio("Probe", ["linear", "mlp"], "kind", default="linear", container=side,
                    format_func=lambda k: {"linear": "linear", "mlp": "MLP (512)"}[k])
labels = widgets.url_radio("Labels", ["relative", "absolute"], "labels", default="relative", container=side,
                      format_func=lambda k: {"relative": "mine / theirs", "absolute": "black / white"}[k],
                      help="Relative: empty / mine / theirs for the player to move next (drawn with mine = "
                           "that player's colour). Absolute: empty / black / white.")
n_train = av.probe_games()

# -- the game and the move ------------------------------------------------------------------------
DEFAULT_GAME = int(np.random.default_rng(2024).integers(0, av.N_TEST))


def _shuffle(current: int) -> None:
    widgets.set_url_int("game", int(np.random.default_rng([7, current]).integers(0, 10_000)))
    st.session_state.pop("url_move", None)


c_game, c_btn, c_move = st.columns([1.1, 0.7, 4.2], vertical_alignment="bottom")
game_idx, problem = widgets.url_int("Held-out game", "game", DEFAULT_GAME, 0, 9_999, container=c_game,
                               help="Index into the held-out test games (never used to train a probe).",
                               on_change=lambda: st.session_state.pop("url_move", None))
c_btn.button("Shuffle", icon=":material/casino:", on_click=_shuffle, args=(game_idx,), width="stretch",
             help="A different held-out game (seeded, so the sequence is reproducible)")
if problem:
    st.warning(problem, icon=":material/warning:")
game = av.heldout_game(game_idx)
rep = replay(game)
length = int(rep.lengths[0])
move = widgets.url_slider("Move", 1, length, "move", min(20, length), container=c_move)
t = move - 1
true_board = rep.boards[0, t]
next_player = int(rep.next_player[0, t])
y_true = board_labels(rep, labels)[0, t]
who = "black" if rep.player[0, t] == 1 else "white"
to_move = ("black" if next_player == 1 else "white") + " to move" if rep.next_legal[0, t].any() else "game over"

# -- probes ---------------------------------------------------------------------------------------
try:
    probe_list = av.layer_probes(ck, lang_a, kind, labels, n_train)
except (ValueError, RuntimeError, OSError) as e:
    st.error(f"The {kind} probes on {lang_a} could not be trained or loaded: {e}", icon=":material/error:")
    st.stop()

n_layers = len(probe_list)
n_boards = n_layers + 1
columns = n_boards if n_boards <= 6 else int(np.ceil(n_boards / 2))
# the row of boards fills the page's width (~930 px, ~1250 px in presentation mode) with room for labels
width = 1250 if present else 930
size = int(np.clip((width - 18 * (columns - 1)) / columns - 30, 105, 330))
font = widgets.scale()
true_spec = av.board_spec(true_board, size, "True board",
                          f"move {move}: {who} {square_name(int(game[t]))} · {to_move}", last_move=int(game[t]),
                          font_scale=font)
maj = av.majority(labels, n_train)
names = np.asarray(RELATIVE_CLASSES if labels == "relative" else ABSOLUTE_CLASSES)


def probe_row(read_in: str) -> tuple[list[dict], list[float]]:
    """Boards the probe reads at every layer from the game written in `read_in`; per-layer stats."""
    hidden = av.game_hidden(ck, str(ck.path), av.sha(ck), read_in, game_idx)
    held = av.heldout_accuracy(ck, probe_list, lang_a, read_in, kind, labels, n_train)
    boards, rows, here = [true_spec], [], []
    for x, probe in enumerate(probe_list):
        cls = probe.predict(hidden[x][t][None])[0]
        wrong = cls != y_true
        right = int(64 - wrong.sum())
        here.append(right / 64)
        drawn = av.classes_to_board(cls, labels, next_player)
        boards.append(av.board_spec(drawn, size, f"Layer {x}" + (" · embeddings" if x == 0 else ""),
                                    f"{right}/64 right · held-out {held[x]:.1%}", wrong=wrong, font_scale=font))
        rows.append(pd.DataFrame({"read in": read_in, "layer": x, "square": [square_name(s) for s in range(64)],
                                  "true": names[y_true], "predicted": names[cls], "wrong": wrong}))
    grid = av.board_grid(boards, columns, size)
    st.vega_lite_chart(grid, width="content")
    widgets.export_buttons(grid, pd.concat(rows, ignore_index=True),
                           f"probe-boards-{kind}-{labels}-{lang_a}-on-{read_in}-game{game_idx}-move{move}")
    return held, here


head = f"{'Linear' if kind == 'linear' else 'MLP'} probe trained on **{lang_a}** ({n_train:,} games), " \
       f"{'mine / theirs' if labels == 'relative' else 'black / white'} labels"
st.subheader(f"{lang_a} read in {lang_a}", divider="gray")
if not present:
    st.caption(head + f", reading game {game_idx} written in {lang_a}. Held-out = accuracy over all squares of "
               f"{av.N_TEST} held-out games.")
held_a, here_a = probe_row(lang_a)

if lang_b is not None:
    st.subheader(f"{lang_a} probe read in {lang_b} (cross-lingual)", divider="gray")
    if not present:
        st.caption(f"The same probe, applied to the hidden states of the same game written in **{lang_b}**. "
                   "High accuracy here means the two languages share one board representation.")
    held_b, here_b = probe_row(lang_b)
else:
    held_b = here_b = None
    st.info("This checkpoint reads one language only: there is no cross-lingual reading to show.")

# -- accuracy across layers -------------------------------------------------------------------------
rows = []
for read_in, held, here in ((lang_a, held_a, here_a), (lang_b, held_b, here_b)):
    if held is None:
        continue
    for x in range(n_layers):
        rows.append({"layer": x, "read in": read_in, "measure": "held-out games", "accuracy": held[x]})
        rows.append({"layer": x, "read in": read_in, "measure": "this board", "accuracy": here[x]})
acc = pd.DataFrame(rows)
st.subheader("Accuracy by layer", divider="gray")
c_chart, c_text = st.columns([3, 1.2], gap="large")
fig = av.curves_chart(acc, maj["accuracy"], None,
                      f"{lang_a} probe ({kind}, {labels}): held-out games (solid), this board (dashed)",
                      width=int(540 * widgets.scale()), height=int(250 * widgets.scale()), colour_field="read in",
                      colour_scale=av.language_scale(ck), dash_field="measure",
                      dash_domain=["held-out games", "this board"])
fig = charts.finish(fig, widgets.scale())
c_chart.altair_chart(fig, width="content")
widgets.export_buttons(fig, acc, f"probe-accuracy-{kind}-{labels}-{lang_a}", container=c_chart)
best = int(np.argmax(held_a))
c_text.metric(f"Best layer in {lang_a}", f"{held_a[best]:.1%}", help=f"layer {best}, held-out games")
if held_b is not None:
    c_text.metric(f"Same layer read in {lang_b}", f"{held_b[best]:.1%}",
                  delta=f"{100 * (held_b[best] - held_a[best]):+.1f} pp")
c_text.caption(f"**Baseline** · per-square majority guess: **{maj['accuracy']:.1%}** of squares "
               f"(colour on occupied squares {maj['colour']:.0%}). A probe on a randomly initialised model is "
               "shown on the Alignment page.")

# -- colour along the game --------------------------------------------------------------------------
st.subheader("Colour along the game", divider="gray")
along = av.colour_along_game(ck, probe_list, str(ck.path), av.sha(ck), lang_a, kind, labels, n_train)
c_chart, c_text = st.columns([3, 1.2], gap="large")
n_series = along["series"].nunique() - 1   # the layers, then the placer baseline
fig = charts.finish(charts.colour_along_game_chart(
    along, theme.layer_colours(n_series), f"{lang_a} probe ({kind}, {labels}): colour on occupied squares, by "
    "stretch of the game", width=int(540 * widgets.scale()), height=int(250 * widgets.scale()),
    font_scale=widgets.scale()), widgets.scale())
c_chart.altair_chart(fig, width="content")
widgets.export_buttons(fig, along, f"probe-colour-along-game-{kind}-{labels}-{lang_a}", container=c_chart)
at_best = along[along["series"] == f"layer {best}"]
placer_row = along[along["series"] == av.PLACER]["colour"].tolist()
first, last = at_best.iloc[0], at_best.iloc[-1]
c_text.metric(f"Layer {best}, moves {first['moves']}", f"{first['colour']:.1%}", help="the best layer, as above")
c_text.metric(f"Layer {best}, moves {last['moves']}", f"{last['colour']:.1%}",
              delta=f"{100 * (last['colour'] - first['colour']):+.1f} pp vs moves {first['moves']}")
if labels == "relative":  # mine / theirs change places after a pass, which the move list does not write
    passes = av.colour_after_passes(ck, probe_list[best], str(ck.path), av.sha(ck), lang_a, best, labels, n_train)
    c_text.metric(f"Layer {best}, after a pass", f"{passes['colour_turned']:.1%}",
                  delta=f"{100 * (passes['colour_turned'] - passes['colour_other']):+.1f} pp vs the other positions",
                  help=f"The {passes['turned']:,} of the {passes['positions']:,} held-out positions where a pass "
                       "(not written in the move list) has turned the order of the sides, so mine and theirs are "
                       "the other way round from what alternation gives. Near 50%: the model does not see the "
                       "pass.")
if not present:
    c_text.caption(f"{'Is a disc mine or theirs' if labels == 'relative' else 'Is a disc black or white'}, by how "
                   f"far into the game the board is ({av.N_TEST} held-out "
                   f"games). **Dashed**: every disc the colour of who placed it, tracking no flip "
                   f"({placer_row[0]:.0%} early, {placer_row[-1]:.0%} late). A probe above "
                   "the dashed line follows flips; where it meets it, the model has lost them.")
