"""Play: play Othello on a clickable board (or paste, draw or step through a game) and see the
model's next-move distribution, in the language it reads the game in."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import streamlit as st
import torch

from mothello.checkpoints import Checkpoint
from mothello.data import heldout_games
from mothello.evaluate import move_probabilities
from mothello.othello import IllegalMoveError, parse_square, replay, square_name
from mothello.ui import board as boardui
from mothello.ui import widgets

START = np.zeros(64, dtype=np.int8)
START[[27, 36]] = -1  # white
START[[28, 35]] = 1   # black
OPENING = np.zeros(64, dtype=bool)
OPENING[[19, 26, 37, 44]] = True
SIDE = {1: "Black", -1: "White"}
DISC = {1: "●", -1: "○"}


# -- parsing --------------------------------------------------------------------------------------
def check_legal(squares: list[int]) -> tuple[list[int], str | None]:
    """The longest legal prefix of `squares`, and a readable message if it is not all of them."""
    if not squares:
        return [], None
    if len(squares) > 60:
        return squares[:60], f"a game has at most 60 moves, this list has {len(squares)}"
    try:
        replay(np.asarray(squares, dtype=np.int16))
        return squares, None
    except IllegalMoveError as e:
        k = e.move_index
        why = {1: "is not a legal move there", 4: "comes after the game is over"}.get(e.code, "is not allowed")
        return squares[:k], f"move {k + 1} ({square_name(squares[k])}) {why}"


def parse_move_list(text: str, ck: Checkpoint | None, language: int | None) -> list[int]:
    """Squares from a pasted move list: square names (c4 c3 ...) or token ids of one language.
    Raises ValueError with a readable message."""
    items = [x for x in re.split(r"[\s,;]+", text.strip()) if x]
    if not items:
        raise ValueError("The move list is empty: type square names like `c4 c3 c2` or token ids.")
    if all(re.fullmatch(r"[a-hA-H][1-8]", x) for x in items):
        squares = [parse_square(x) for x in items]
        for k, sq in enumerate(squares):
            if sq in (27, 28, 35, 36):
                raise ValueError(f"Move {k + 1} ({items[k]}) is a centre square: those start occupied.")
    elif all(re.fullmatch(r"\d+", x) for x in items):
        if ck is None:
            raise ValueError("Token ids need a checkpoint's vocabulary: pick a readable checkpoint, "
                             "or type square names like `c4`.")
        ids = [int(x) for x in items]
        bad = [t for t in ids if not 0 < t < ck.vocab.size]
        if bad:
            raise ValueError(f"Token {bad[0]} is not in this checkpoint's vocabulary (ids 1..{ck.vocab.size - 1}).")
        try:
            decoded = ck.vocab.decode(np.asarray(ids), language)
        except ValueError as e:
            raise ValueError(f"These tokens are not a move sequence of "
                             f"{ck.config.languages[language].name}: {e}.") from None
        squares = [int(s) for s in decoded if s >= 0]
    else:
        for k, x in enumerate(items):
            if not re.fullmatch(r"[a-hA-H][1-8]|\d+", x):
                raise ValueError(f"Item {k + 1}, `{x}`, is neither a square name (a1..h8) nor a token id.")
        raise ValueError("Mixed square names and token ids: use one kind for the whole list.")
    legal, err = check_legal(squares)
    if err:
        raise ValueError(f"Not a legal game: {err}.")
    return legal


# -- cached per-game computations -------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=512)
def positions(moves: tuple[int, ...]) -> dict:
    """Board, legal moves, side to move, ... after each prefix of the game (index k = after k moves)."""
    n = len(moves)
    boards = np.zeros((n + 1, 64), np.int8)
    legal = np.zeros((n + 1, 64), bool)
    to_move = np.ones(n + 1, np.int8)
    mover = np.zeros(n + 1, np.int8)
    boards[0], legal[0] = START, OPENING
    if n:
        r = replay(np.asarray(moves, dtype=np.int16))
        boards[1:], legal[1:] = r.boards[0, :n], r.next_legal[0, :n]
        to_move[1:], mover[1:] = r.next_player[0, :n], r.player[0, :n]
    return {"boards": boards, "legal": legal, "to_move": to_move, "mover": mover}


def next_move_probs(ck: Checkpoint, language: int, prefix: tuple[int, ...]) -> np.ndarray:
    """(64,) the model's probability of each next move after `prefix` read in `language`
    (evaluate.move_probabilities: in the output language, shared first tokens resolved)."""
    tokens, last = ck.vocab.encode(np.asarray(prefix, dtype=np.int64), language)
    end = int(last[len(prefix) - 1]) + 1
    ids = torch.as_tensor(tokens[:end], device=next(ck.model.parameters()).device)[None]
    return move_probabilities(ck.model, ck.vocab, ids, language)


@st.cache_data(show_spinner=False, max_entries=4096)
def _probs_cached(_ck: Checkpoint, ck_key: tuple, language: int, prefix: tuple[int, ...]) -> np.ndarray:
    return next_move_probs(_ck, language, prefix)


def probs_for(ck: Checkpoint, language: int, prefix: tuple[int, ...]) -> np.ndarray:
    return _probs_cached(ck, (str(ck.path), ck.meta["weights_sha256"]), language, prefix)


def sequence_frame(moves: list[int], pos: dict, ck: Checkpoint | None) -> pd.DataFrame:
    rows = []
    for k, sq in enumerate(moves):
        mover, nxt = int(pos["mover"][k + 1]), int(pos["to_move"][k + 1])
        over = not pos["legal"][k + 1].any()
        row = {"#": k + 1, "player": f"{DISC[mover]} {SIDE[mover]}", "move": square_name(sq)}
        if ck is not None:
            cfg, vocab = ck.config, ck.vocab
            for li, lang in enumerate(cfg.languages):
                label = f"{lang.name} (output)" if cfg.unified_output and li == 0 else lang.name
                row[label] = " ".join(str(int(t)) for t in vocab.tokens[li, sq, :vocab.lengths[li, sq]])
        row["note"] = "game over" if over else (f"{SIDE[-mover]} passes" if nxt == mover else "")
        rows.append(row)
    return pd.DataFrame(rows)


# -- state changes (callbacks: they run before the page, so the page draws the new state once) -------
def _set_game(moves: list[int], step: int | None = None, note: str | None = None) -> None:
    n = len(moves)
    step = n if step is None else max(0, min(step, n))
    widgets.set_url(moves=",".join(square_name(s) for s in moves) if moves else None, step=step)
    st.session_state["url_step"] = step
    st.session_state["play_nonce"] = st.session_state.get("play_nonce", 0) + 1
    st.session_state.pop("play_warning", None)
    if note:
        st.session_state["play_note"] = note


def _warn(message: str) -> None:
    st.session_state["play_warning"] = message
    st.session_state["play_nonce"] = st.session_state.get("play_nonce", 0) + 1  # a fresh board: clicks register again


def play_square(moves: list[int], k: int, sq: int | None) -> None:
    """Play `sq` at the position after k moves (dropping any later moves), or explain why not."""
    if sq is None:
        return
    pos = positions(tuple(moves))
    legal, side = pos["legal"][k], int(pos["to_move"][k])
    name = square_name(sq)
    if not legal.any():
        _warn("The game is over: no more moves. Undo, step back, or reset to play on.")
    elif not legal[sq]:
        why = "is occupied" if pos["boards"][k][sq] != 0 else "flips no disc"
        options = ", ".join(square_name(s) for s in np.flatnonzero(legal))
        _warn(f"**{name}** is not a legal move for {SIDE[side]}: it {why}. Legal moves: {options}.")
    else:
        _set_game(list(moves[:k]) + [sq])


def on_board_click(moves: list[int], k: int, key: str) -> None:
    state = st.session_state.get(key)
    sel = (state or {}).get("selection", {}).get(boardui.CLICK) or []
    if sel and "square" in sel[0]:
        play_square(moves, k, int(sel[0]["square"]))


def on_enter_move(moves: list[int], k: int) -> None:
    text = (st.session_state.get("play_enter") or "").strip()
    st.session_state["play_enter"] = ""
    if not text:
        return
    try:
        sq = parse_square(text)
    except ValueError:
        _warn(f"`{text}` is not a square: type a name like `f5` (rows a–h, columns 1–8).")
        return
    play_square(moves, k, sq)


def on_load_pasted(ck: Checkpoint | None) -> None:
    text = st.session_state.get("play_paste", "")
    lang_name = st.session_state.get("play_paste_lang")
    try:
        li = ck.config.language_index(lang_name) if ck is not None and lang_name is not None else None
        moves = parse_move_list(text, ck, li)
    except ValueError as e:
        st.session_state["play_paste_error"] = str(e)
        return
    st.session_state.pop("play_paste_error", None)
    _set_game(moves, note=f"Loaded a pasted game of {len(moves)} moves.")


def on_random(seed_key: str) -> None:
    seed = int(st.session_state.get(seed_key, 0))
    g = heldout_games(1, seed=seed)[0]
    _set_game([int(s) for s in g if s >= 0], note=f"Held-out random game, seed {seed}: "
                                                   f"the model never trained on it.")
    st.session_state[seed_key] = seed + 1


# -- page -------------------------------------------------------------------------------------------
present = widgets.page_header(
    "Play",
    "Play Othello on the board (click a square), paste or draw a game, and see what the model would play "
    "next: its next-move probabilities, read in the language you choose.")
s = widgets.scale()

ck = widgets.checkpoint_picker()
li = None
if ck is not None:
    li = widgets.language_picker(ck, label="Model reads the game in", container=st.sidebar)
    if not present:
        lang = ck.config.languages[li]
        st.sidebar.caption(f"**{lang.name}** is a{'n' if lang.type == 'atomic' else ''} {lang.type} language. "
                           + (f"Predictions are read in **{ck.config.languages[0].name}** (unified output)."
                              if ck.config.unified_output else "Predictions are read in the same language."))
show_probs = st.sidebar.toggle("Show the model's next-move probabilities", value=True, key="play_show_probs",
                               disabled=ck is None)

# The game: ?moves=c4,c3,... in the URL.
raw = widgets.url_value("moves", "") or ""
moves, url_error = [], None
for item in (x.strip() for x in raw.split(",")):
    if not item:
        continue
    try:
        sq = parse_square(item)
    except ValueError as e:
        url_error = f"move {len(moves) + 1}: {e}"
        break
    if sq in (27, 28, 35, 36):
        url_error = f"move {len(moves) + 1}, {square_name(sq)}, is a centre square (occupied at the start)"
        break
    moves.append(sq)
legal_prefix, err = check_legal(moves)
if err:
    moves, url_error = legal_prefix, err
if url_error:
    st.error(f"The move list in the link is not a legal game: {url_error}. "
             f"Showing {'its first ' + str(len(moves)) + ' moves' if moves else 'the start position'}.",
             icon=":material/error:")
if ck is None and not present:
    st.warning("No model loaded: the board still plays, without predictions. Pick a readable checkpoint "
               "in the sidebar.", icon=":material/warning:")

n = len(moves)
pos = positions(tuple(moves))

left, right = st.columns([1.15, 1], gap="large")
board_box = left.container()
step_box = left.container()

if n:
    with step_box:
        c1, c2, c3 = st.columns([1, 8, 1], vertical_alignment="bottom")
        k = widgets.url_slider("Position after move", 0, n, key="step", default=n, container=c2)
        c1.button("", icon=":material/chevron_left:", key="play_prev", disabled=k == 0, help="One move back",
                  on_click=_set_game, args=(moves, k - 1))
        c3.button("", icon=":material/chevron_right:", key="play_next", disabled=k >= n, help="One move forward",
                  on_click=_set_game, args=(moves, k + 1))
else:
    k = 0
    widgets.set_url(step=None)

board, legal = pos["boards"][k], pos["legal"][k]
side = int(pos["to_move"][k])
over = not legal.any()
passed = k > 0 and not over and side == int(pos["mover"][k])
probs = None
if ck is not None and show_probs and k > 0 and not over:
    probs = probs_for(ck, li, tuple(moves[:k]))

# -- the board
black, white = int((board > 0).sum()), int((board < 0).sum())
if k == 0:
    title = "Start position"
else:
    title = f"After move {k}: {DISC[int(pos['mover'][k])]} {square_name(moves[k - 1])}"
if over:
    sub = f"Game over · black {black} – white {white}"
else:
    sub = f"{SIDE[side]} to move · {int(legal.sum())} legal moves" + (" · rings: legal" if not present else "")
# board_spec: the shared board as a ready Vega-Lite spec, ~1 ms instead of ~150 ms of Altair per click
chart = boardui.board_spec(board, legal=None if over else legal, probs=probs,
                           last_move=moves[k - 1] if k else None, title=title, subtitle=sub,
                           size=int(440 * s), clickable=True)
if ck is not None and show_probs and k == 0:
    # Ready for the first click: the model's answer to each opening move (cached; also the process's
    # first forward pass, the slow one) and the layout of a board with probabilities.
    for opening in np.flatnonzero(OPENING):
        probs_for(ck, li, (int(opening),))
    boardui.board_spec(board, legal=legal, probs=np.zeros(64), last_move=19, title=title, size=int(440 * s),
                       clickable=True)
nonce = st.session_state.get("play_nonce", 0)
board_key = f"play_board_{nonce}"
with board_box:
    st.vega_lite_chart(chart, key=board_key, on_select=lambda: on_board_click(moves, k, board_key),
                       selection_mode=boardui.CLICK, theme=None, width="content")
    warning = st.session_state.pop("play_warning", None)
    if warning:
        st.warning(warning, icon=":material/block:")

with step_box:
    b1, b2, b3 = st.columns(3)
    b1.button("Undo", icon=":material/undo:", key="play_undo", disabled=k == 0, width="stretch",
              help="Take back the last move of this position", on_click=_set_game, args=(moves[:k - 1] if k else [],))
    b2.button("Reset", icon=":material/restart_alt:", key="play_reset", disabled=n == 0, width="stretch",
              on_click=_set_game, args=([],), kwargs={"note": "Back to the start position."})
    b3.button("Random game", icon=":material/casino:", key="play_random", width="stretch",
              help="A random held-out game (seeded: the seed is below)", on_click=on_random, args=("play_seed",))
    if k < n and not present:
        st.caption(f"Viewing move {k} of {n}: a move played here replaces the rest of the game.")
    note = st.session_state.pop("play_note", None)
    if note and not present:
        st.caption(note)
    if not present:
        frame = boardui.board_frame(board, None if over else legal, probs, None, moves[k - 1] if k else None)
        widgets.export_buttons(chart, frame, f"play-board-{k}")

# -- right: status, the model's prediction, inputs
with right:
    if over:
        winner = "Black wins" if black > white else "White wins" if white > black else "A draw"
        st.success(f"**Game over** after {k} moves: {winner}, {black}–{white}.", icon=":material/flag:")
    else:
        st.markdown(f"<div style='font-size:{1.35 * s}rem;font-weight:700'>{DISC[side]} {SIDE[side]} to move</div>",
                    unsafe_allow_html=True)
        if passed:
            st.info(f"{SIDE[-side]} has no legal move and passes: {SIDE[side]} moves again.",
                    icon=":material/skip_next:")
    m1, m2, m3 = st.columns(3)
    m1.metric("● Black", black)
    m2.metric("○ White", white)
    m3.metric("Move", f"{k} / {n}")

    if probs is not None:
        lang_name = ck.config.languages[li].name
        top = np.argsort(-probs, kind="stable")[:5]
        top_df = pd.DataFrame({"rank": np.arange(1, len(top) + 1), "move": [square_name(q) for q in top],
                               "probability": probs[top], "legal": [bool(legal[q]) for q in top]})
        mass = float(probs[legal].sum())
        st.markdown(f"**The model's next move**, reading {lang_name}")
        st.dataframe(top_df, hide_index=True, width="stretch",
                     column_config={"rank": st.column_config.NumberColumn(width="small"),
                                    "probability": st.column_config.ProgressColumn(format="percent", min_value=0.0,
                                                                                   max_value=1.0),
                                    "legal": st.column_config.CheckboxColumn(help="Is this move legal here?")})
        q1, q2 = st.columns(2)
        q1.metric("Probability on legal moves", f"{mass:.1%}")
        q2.metric("Top move", square_name(int(top[0])), "legal" if legal[top[0]] else "illegal",
                  delta_color="green" if legal[top[0]] else "red", delta_arrow="off")
    elif ck is not None and show_probs and k == 0 and not over:
        st.info("The model predicts from the first move on: play one (black opens with c4, d3, e6 or f5).",
                icon=":material/touch_app:")

    if not present:
        st.text_input("Play a move", key="play_enter", placeholder="type a square, e.g. f5, and press Enter",
                      on_change=on_enter_move, args=(moves, k))
        with st.expander("Paste a move list, or draw a random game", icon=":material/content_paste:",
                         expanded=bool(st.session_state.get("play_paste_error"))):
            st.text_area("Move list", key="play_paste", height=90,
                         placeholder="square names (c4 c3 d3 ...) or token ids (12 40 7 ...), separated by spaces")
            p1, p2 = st.columns([2, 1], vertical_alignment="bottom")
            if ck is not None:
                p1.selectbox("Token ids are in", ck.config.language_names, key="play_paste_lang",
                             index=ck.config.language_names.index(ck.config.languages[li].name))
            p2.button("Load", icon=":material/upload:", key="play_paste_load", width="stretch",
                      on_click=on_load_pasted, args=(ck,))
            err = st.session_state.get("play_paste_error")
            if err:
                st.error(err, icon=":material/error:")
            st.number_input("Random game seed", min_value=0, max_value=2**31 - 1, step=1, key="play_seed",
                            help="The Random game button draws held-out game number 0 of this seed, then "
                                 "moves the seed on by one.")

# -- the sequence in every language
st.subheader("The game in every language", anchor=False)
if not moves:
    st.caption("No moves yet.")
else:
    seq = sequence_frame(moves, pos, ck)
    # the board's position marked in its own column: a pandas Styler row highlight cost ~80 ms per click
    seq.insert(0, "board", np.where(seq["#"] == k, "▶", ""))
    st.dataframe(seq, hide_index=True, width="stretch", height=min(36 * (len(seq) + 1) + 3, 420),
                 column_config={"board": st.column_config.TextColumn(" ", width="small", help="the position on the board"),
                                "#": st.column_config.NumberColumn(width="small")})
    if not present:
        st.caption("▶ marks the position on the board. Each language writes the same moves "
                   "with its own token ids; the model reads one of them at a time.")
        if ck is not None and k:
            tokens, last = ck.vocab.encode(np.asarray(moves[:k]), li)
            n_tok = int(last[k - 1]) + 1
            with st.expander(f"The tokens the model reads ({ck.config.languages[li].name}, {n_tok} "
                             f"token{'s' * (n_tok != 1)})"):
                st.code(" ".join(str(int(t)) for t in tokens[:last[k - 1] + 1]), language=None, wrap_lines=True)
