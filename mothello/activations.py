"""Hidden states: the residual stream at every layer at each move's last token.

Every language yields one vector per move, so the same games written in two languages give parallel
rows. Board labels and move metadata sit beside the vectors. Extraction is batched (on the GPU when
present) and cached on disk per (checkpoint weights, language, games seed, layer), so the dashboard
never recomputes what it has.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from . import storage
from .checkpoints import Checkpoint
from .data import cache_dir, heldout_games
from .othello import Replay, absolute_labels, relative_labels, replay

# Disjoint sets of held-out games for the analyses (same generator, different seeds).
PROBE_TRAIN_SEED, PROBE_TEST_SEED, ALIGN_FIT_SEED = 101, 102, 103


@dataclass
class MoveStates:
    """Hidden states of the moves of a set of games in one language, with their labels.

    hidden    {layer: (n, 60, C) float32}  zero where a game has no move
    games     (n, 60) squares; mask (n, 60) bool, which slots hold a move
    boards    (n, 60, 64) int8 board after each move; player / next_player (n, 60)
    """

    language: str
    games: np.ndarray
    hidden: dict[int, np.ndarray]
    replay: Replay

    @property
    def mask(self) -> np.ndarray:
        return self.replay.mask

    def rows(self, layer: int) -> np.ndarray:
        """(N, C) vectors of every move, in (game, move) order."""
        return self.hidden[layer][self.mask]

    def labels(self, kind: str = "absolute") -> np.ndarray:
        """(N, 64) class ids of the board after every move: absolute (empty/black/white) or
        relative to the player to move next (empty/mine/theirs)."""
        return board_labels(self.replay, kind)[self.mask]


def board_labels(r: Replay, kind: str) -> np.ndarray:
    if kind == "absolute":
        return absolute_labels(r.boards)
    if kind == "relative":
        return relative_labels(r.boards, r.next_player)
    raise ValueError(f"unknown label kind {kind!r} (absolute or relative)")


@torch.no_grad()
def extract(ck: Checkpoint, language, games: np.ndarray, layers=None, batch_size: int = 128,
            device=None) -> dict[int, np.ndarray]:
    """{layer: (n, 60, C) float32} residual stream at each move's last token (layer 0 = embeddings)."""
    model, vocab = ck.model, ck.vocab
    device = device or next(model.parameters()).device
    li = vocab.config.input_index(language)
    n_layers = model.cfg.n_layer
    layers = list(range(n_layers + 1)) if layers is None else [int(x) for x in layers]
    bad = [x for x in layers if not 0 <= x <= n_layers]
    if bad:
        raise ValueError(f"layer(s) {bad} out of range: this model has layers 0..{n_layers}")
    top = max(layers)
    games = np.asarray(games)
    out = {x: np.zeros((len(games), games.shape[1], model.cfg.d_model), np.float32) for x in layers}
    model.eval()
    for start in range(0, len(games), batch_size):
        g = games[start:start + batch_size]
        tokens, last = vocab.encode(g, li)
        tokens = torch.as_tensor(tokens, device=device)
        _, hidden = model(tokens, return_hidden=True, last_layer=top) if top < n_layers else model(tokens, return_hidden=True)
        pos = torch.as_tensor(np.clip(last, 0, None), device=device)
        rows = torch.arange(len(g), device=device)[:, None]
        valid = torch.as_tensor(last >= 0, device=device)[..., None]
        for x in layers:
            h = hidden[x][rows, pos] * valid  # (B, 60, C)
            out[x][start:start + len(g)] = h.float().cpu().numpy()
    return out


def _cache_path(ck: Checkpoint, language: str, n: int, seed: int, layer: int) -> Path:
    key = ck.meta["weights_sha256"][:16]
    return cache_dir() / "activations" / key / f"{language}-n{n}-s{seed}-L{layer}.npy"


def move_states(ck: Checkpoint, language, n_games: int = 1000, seed: int = PROBE_TRAIN_SEED, layers=None,
                cache: bool = True, device=None) -> MoveStates:
    """Hidden states of `n_games` held-out games (games seed `seed`) read in `language`, cached on disk
    as float16 per layer."""
    li = ck.config.input_index(language)
    name = ck.config.languages[li].name
    games = heldout_games(n_games, seed=seed)
    layers = list(range(ck.model.cfg.n_layer + 1)) if layers is None else [int(x) for x in layers]
    hidden, missing = {}, []
    for x in layers:
        path = _cache_path(ck, name, n_games, seed, x)
        if cache and path.is_file():
            try:
                arr = np.load(path, allow_pickle=False)
                if arr.shape == (n_games, 60, ck.model.cfg.d_model):
                    hidden[x] = arr.astype(np.float32)
                    continue
            except (ValueError, OSError, EOFError):
                pass
        missing.append(x)
    if missing:
        fresh = extract(ck, li, games, missing, device=device)
        for x, arr in fresh.items():
            if cache:
                half = arr.astype(np.float16)
                storage.save_npy(_cache_path(ck, name, n_games, seed, x), half)
                # return what a cached call returns, so results never depend on whether the cache was warm
                arr = half.astype(np.float32)
            hidden[x] = arr
    return MoveStates(language=name, games=games, hidden=hidden, replay=replay(games))


def game_states(ck: Checkpoint, language, games: np.ndarray, layers=None, device=None) -> MoveStates:
    """Hidden states of given games (e.g. one game being played), not cached."""
    li = ck.config.input_index(language)
    games = np.asarray(games)
    if games.ndim == 1:
        games = games[None]
    if games.shape[1] < 60:
        games = np.pad(games, ((0, 0), (0, 60 - games.shape[1])), constant_values=-1)
    hidden = extract(ck, li, games, layers, device=device)
    return MoveStates(language=ck.config.languages[li].name, games=games, hidden=hidden, replay=replay(games))
