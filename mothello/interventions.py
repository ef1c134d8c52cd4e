"""Interventions (Li et al. 2023; Nanda et al. 2023): edit the board the model holds, see its moves change.

With a LINEAR probe trained at layer L, flip one square (mine <-> theirs, or black <-> white) or erase it
(-> empty) in the residual stream: at the last token of the current move, add a multiple of the probe's
direction (target class minus current class) until the probe reads the target class with a margin.
The rest of the model runs on the edited stream. Then compare the model's top-N next moves (N = the
number of legal moves; moves ranked by evaluate.move_probabilities) against the legal moves of
the original board and of the edited board.

Cross-lingually: the probe is trained on language A while the model reads the same game in language
B. If the edit steers the model in B, the two languages share the probe's board directions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch

from .activations import PROBE_TEST_SEED
from .checkpoints import Checkpoint
from .data import heldout_games
from .evaluate import move_probabilities
from .othello import legal_moves_on, replay, square_name
from .probes import BoardProbe

EDITS = ("flip", "erase")


@dataclass
class InterventionResult:
    square: str
    edit: str
    move_index: int
    language: str
    original_legal: list[str]
    edited_legal: list[str]
    predicted_before: list[str]
    predicted_after: list[str]
    errors_before: int          # top-N before the edit vs the original board's legal moves
    errors_after: int           # top-N after the edit vs the EDITED board's legal moves
    errors_after_vs_original: int
    errors_null: int            # top-N WITHOUT the edit vs the edited board's legal moves
    probe_reads_target: bool    # the probe decodes the target class after the edit

    def to_dict(self) -> dict:
        return asdict(self)


def _top_n(probs: np.ndarray, n: int) -> set[int]:
    return set(np.argsort(-probs, kind="stable")[:n].tolist()) if n else set()


@torch.no_grad()
def intervene(ck: Checkpoint, probe: BoardProbe, layer: int, game, move_index: int, square, edit: str = "flip",
              language=None, margin: float = 3.0) -> InterventionResult:
    """Edit `square` of the board after move `move_index` of `game` read in `language` (see module doc)."""
    from .othello import parse_square

    if probe.kind != "linear":
        raise ValueError("interventions use a linear probe's directions: train one with kind='linear'")
    if edit not in EDITS:
        raise ValueError(f"unknown edit {edit!r} ({', '.join(EDITS)})")
    sq = parse_square(square)
    vocab, model = ck.vocab, ck.model
    li = ck.config.input_index(language if language is not None else ck.config.input_languages[0])
    game = np.asarray(game).reshape(-1)
    r = replay(game)
    k = int(move_index)
    if not 0 <= k < r.lengths[0]:
        raise ValueError(f"move index {k} is outside this game (0..{r.lengths[0] - 1})")
    board = r.boards[0, k].astype(np.int64)
    nxt = int(r.next_player[0, k])
    if not r.next_legal[0, k].any():
        raise ValueError("the game is over after this move: there are no next moves to steer")
    if edit == "flip" and board[sq] == 0:
        raise ValueError(f"square {square_name(sq)} is empty; flip needs an occupied square (or use erase)")
    if edit == "erase" and board[sq] == 0:
        raise ValueError(f"square {square_name(sq)} is already empty")
    # Current and target class in the probe's label scheme.
    rel = probe.labels == "relative"
    view = board * nxt if rel else board
    cls_of = lambda v: 0 if v == 0 else (1 if v > 0 else 2)  # noqa: E731
    current = cls_of(view[sq])
    target = 0 if edit == "erase" else (2 if current == 1 else 1)
    edited = board.copy()
    edited[sq] = 0 if edit == "erase" else -board[sq]
    legal_orig = r.next_legal[0, k]
    legal_edit = legal_moves_on(edited, nxt)

    dirs = torch.as_tensor(probe.directions(), dtype=torch.float32)  # (64, 3, C)
    offs = torch.as_tensor(probe.logit_offsets(), dtype=torch.float32)  # (64, 3)
    delta = dirs[sq, target] - dirs[sq, current]
    # logit gap target - c for each other class c: gap_c(h) = gaps_d[c] . h + gaps_b[c]
    others = [c for c in range(3) if c != target]
    gaps_d = {c: dirs[sq, target] - dirs[sq, c] for c in others}
    gaps_b = {c: float(offs[sq, target] - offs[sq, c]) for c in others}
    tokens, last = vocab.encode(game[None, : k + 1], li)
    pos = int(last[0, k])
    tokens = torch.as_tensor(tokens[:, : pos + 1])
    state = {}

    def hook(x):  # x (B, T, C), every row the same context: push the current move's stream until the
        h = x[0, pos]  # probe reads the target class
        # the smallest step along delta after which target leads every other class by the margin (the
        # third class can still lead after the current one is overtaken; a class the step cannot
        # overtake, slope <= 0, is left as it is)
        alpha = 0.0
        for c in others:
            gap, slope = float(gaps_d[c] @ h) + gaps_b[c], float(gaps_d[c] @ delta)
            if gap < margin and slope > 0:
                alpha = max(alpha, (margin - gap) / slope)
        x = x.clone()
        x[:, pos] = h + alpha * delta
        state["edited"] = x[0, pos].numpy()
        return x

    device = next(model.parameters()).device
    p_before = move_probabilities(model, vocab, tokens.to(device), li)
    p_after = move_probabilities(model, vocab, tokens.to(device), li,
                                 hooks={layer: lambda x: hook(x.cpu()).to(device)})
    reads = int(probe.predict(state["edited"][None])[0, sq]) == target
    n_orig, n_edit = int(legal_orig.sum()), int(legal_edit.sum())
    top_before, top_after = _top_n(p_before, n_orig), _top_n(p_after, n_edit)
    set_orig = set(np.flatnonzero(legal_orig).tolist())
    set_edit = set(np.flatnonzero(legal_edit).tolist())
    names = lambda s: sorted(square_name(q) for q in s)  # noqa: E731
    return InterventionResult(
        square=square_name(sq), edit=edit, move_index=k, language=ck.config.languages[li].name,
        original_legal=names(set_orig), edited_legal=names(set_edit), predicted_before=names(top_before),
        predicted_after=names(top_after), errors_before=len(top_before ^ set_orig),
        errors_after=len(top_after ^ set_edit), errors_after_vs_original=len(_top_n(p_after, n_orig) ^ set_orig),
        errors_null=len(_top_n(p_before, n_edit) ^ set_edit), probe_reads_target=reads)


def intervention_study(ck: Checkpoint, probe: BoardProbe, layer: int, n_cases: int = 100, edit: str = "flip",
                       language=None, seed: int = 0) -> dict:
    """Mean top-N errors over random (game, move, square) cases whose edit changes the legal moves.

    Returns {"cases", "errors_before", "errors_after" (vs the edited board), "errors_null" (no edit,
    vs the edited board: what the model would get without steering), "probe_reads_target"}."""
    rng = np.random.default_rng(seed)
    games = heldout_games(max(n_cases, 20), seed=PROBE_TEST_SEED + 50)
    r = replay(games)
    results = []
    tries = 0
    while len(results) < n_cases and tries < n_cases * 20:
        tries += 1
        g = int(rng.integers(len(games)))
        k = int(rng.integers(5, max(6, r.lengths[g] - 2)))
        if k >= r.lengths[g] or not r.next_legal[g, k].any():
            continue
        board = r.boards[g, k]
        occupied = np.flatnonzero(board != 0)
        sq = int(rng.choice(occupied))
        edited = board.astype(np.int64).copy()
        edited[sq] = 0 if edit == "erase" else -edited[sq]
        if np.array_equal(legal_moves_on(edited, int(r.next_player[g, k])), r.next_legal[g, k]):
            continue  # this edit would not change the legal moves: uninformative
        results.append(intervene(ck, probe, layer, games[g], k, sq, edit, language))
    if not results:
        raise ValueError("no informative intervention cases found")
    mean = lambda key: float(np.mean([getattr(x, key) for x in results]))  # noqa: E731
    return {"cases": len(results), "errors_before": mean("errors_before"), "errors_after": mean("errors_after"),
            "errors_null": mean("errors_null"), "probe_reads_target": mean("probe_reads_target")}
