"""Training data: game corpora (generated, cached on disk) turned into token batches.

Each game is written in ONE language drawn uniformly per game, so the model never sees parallel text.
Under unified output the input language is drawn from 1..M-1 and the only targets are language-0
tokens: the target for move k+1 sits at the last input token of move k.

A batch is a pure function of (seed, step): resuming a run at step s reproduces the data order of an
uninterrupted run exactly.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import storage
from .languages import Vocabulary
from .othello import MAX_MOVES, generate_games, parse_square, replay

IGNORE = -100
# Held-out games come from the same generator, from a disjoint range of game indices.
HELDOUT_FIRST_INDEX = 1 << 40


def cache_dir() -> Path:
    """Where corpora and activations are cached: $MOTHELLO_CACHE, else .cache/ in the project."""
    env = os.environ.get("MOTHELLO_CACHE")
    path = Path(env) if env else Path(__file__).resolve().parents[1] / ".cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def corpus(n: int, seed: int = 0, prefix=None, cache: bool = True) -> np.ndarray:
    """n training games (seeded), cached as .npy so that runs with the same data share it."""
    # Prefix moves may be squares or names ("c4"): the key uses square numbers either way.
    squares = [parse_square(p) for p in prefix] if prefix is not None else []
    key = f"n{n}-s{seed}" + (f"-p{'_'.join(map(str, squares))}" if squares else "")
    path = cache_dir() / "corpora" / f"games-{key}.npy"
    if cache and path.is_file():
        try:
            games = np.load(path, allow_pickle=False)
            if games.shape == (n, MAX_MOVES) and games.dtype == np.int8:
                return games
        except (ValueError, OSError, EOFError):  # EOFError: an empty file
            pass  # a damaged cache file is regenerated below
    games = generate_games(n, seed=seed, prefix=prefix)
    if cache:
        storage.save_npy(path, games)
    return games


def heldout_games(n: int, seed: int = 0, prefix=None) -> np.ndarray:
    """Evaluation games: same generator, game indices disjoint from every training corpus."""
    return generate_games(n, seed=seed, prefix=prefix, first_index=HELDOUT_FIRST_INDEX)


@dataclass
class Batch:
    """inputs (B, T) token ids; targets (B, T) next-token ids or IGNORE; languages (B,);
    games (B, 60) squares; last (B, 60) position of each move's last token (-1 padding)."""

    inputs: np.ndarray
    targets: np.ndarray
    languages: np.ndarray
    games: np.ndarray
    last: np.ndarray


def make_batch(vocab: Vocabulary, games: np.ndarray, languages) -> Batch:
    """Encode games (each in its language) and build the targets of the config's objective."""
    if np.ndim(languages) == 0:
        languages = vocab.config.language_index(languages)
    inputs, last = vocab.encode(games, languages)
    langs = np.broadcast_to(np.asarray(languages, dtype=np.int64), (len(games),)).copy()
    if vocab.config.unified_output:
        targets = unified_targets(vocab, games, last, inputs.shape[1])
    else:
        targets = np.full_like(inputs, IGNORE)
        targets[:, :-1] = np.where(inputs[:, 1:] == 0, IGNORE, inputs[:, 1:])
    return Batch(inputs, targets, langs, np.asarray(games), last)


def unified_targets(vocab: Vocabulary, games: np.ndarray, last: np.ndarray, length: int) -> np.ndarray:
    """(B, T) targets: language 0's token for move k+1 at the last input token of move k."""
    g = np.asarray(games, dtype=np.int64)
    targets = np.full((g.shape[0], length), IGNORE, dtype=np.int64)
    has_next = (g[:, 1:] >= 0) & (last[:, :-1] >= 0)
    rows = np.broadcast_to(np.arange(g.shape[0])[:, None], has_next.shape)
    targets[rows[has_next], last[:, :-1][has_next]] = vocab.tokens[0, g[:, 1:][has_next], 0]
    return targets


@dataclass(frozen=True)
class LegalTargets:
    """The legal-set objective's targets, one entry per legal next move (sparse: a batch has about 3,800
    positions, each with some 8 legal moves among hundreds of tokens).

    rows, cols (K,)  the positions: the last token of a move after which the game goes on
    of (P,)          which position (index into rows) each legal next move belongs to
    tokens (P,)      that move's first token (in the game's language, or language 0 under unified output)

    At position k the target is uniform over its legal moves, each counted on its first token: a first token
    that n of them share (a compositional row token) has probability n / moves[k].
    """

    rows: np.ndarray
    cols: np.ndarray
    of: np.ndarray
    tokens: np.ndarray

    @property
    def moves(self) -> np.ndarray:
        """(K,) the number of legal next moves at each position (at least 1)."""
        return np.bincount(self.of, minlength=len(self.rows))

    def counts(self, size: int) -> np.ndarray:
        """(K, size) float32: how many legal next moves start with each token, position by position."""
        out = np.zeros((len(self.rows), size), dtype=np.float32)
        np.add.at(out, (self.of, self.tokens), 1.0)
        return out


def legal_next_targets(vocab: Vocabulary, batch: Batch) -> LegalTargets:
    """For the legal-set objective: at the last token of every move, the distribution of the next token
    over the legal next moves (in the game's language, or language 0 under unified output). The game
    generator plays uniformly among the legal moves, so this is the exact expectation of the next-token
    target there: every legal move counts once, on its first token, and a first token that several legal
    moves share (a compositional row token) counts as often.
    """
    nxt = replay(batch.games).next_legal  # (B, 60, 64)
    has_move = nxt.any(-1) & (batch.last >= 0)
    b_idx, m_idx = np.nonzero(has_move)
    out_lang = np.zeros_like(b_idx) if vocab.config.unified_output else batch.languages[b_idx]
    of, sq = np.nonzero(nxt[b_idx, m_idx])  # (P,) each legal move: its position and square
    return LegalTargets(b_idx, batch.last[b_idx, m_idx], of, vocab.tokens[out_lang[of], sq, 0])


class TrainingData:
    """Batches for training: from a seeded corpus of n_games (epochs), or an endless stream.
    Each game is written in one of `languages` (default: the input languages), drawn uniformly.

    batch(step) depends only on (seed, step): the permutation and the language of every game are
    drawn from an RNG keyed by (seed, epoch).
    """

    def __init__(self, vocab: Vocabulary, batch_size: int, n_games: int | None = None, seed: int = 0,
                 prefix=None, cache: bool = True, languages=None):
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        if n_games is not None and n_games < batch_size:
            raise ValueError(f"n_games ({n_games}) must be at least the batch size ({batch_size})")
        self.vocab, self.batch_size, self.n_games, self.seed = vocab, batch_size, n_games, seed
        self.prefix = list(prefix) if prefix is not None and len(prefix) else None
        self.languages = np.asarray(vocab.config.input_languages if languages is None else languages)
        self.games = corpus(n_games, seed, self.prefix, cache) if n_games is not None else None
        self._epoch_cache: tuple[int, np.ndarray, np.ndarray] | None = None

    @property
    def steps_per_epoch(self) -> int | None:
        return None if self.n_games is None else self.n_games // self.batch_size

    def _epoch(self, epoch: int):
        if self._epoch_cache is None or self._epoch_cache[0] != epoch:
            rng = np.random.default_rng([self.seed, epoch, 7])
            perm = rng.permutation(self.n_games)
            langs = rng.choice(self.languages, size=self.n_games)
            self._epoch_cache = (epoch, perm, langs)
        return self._epoch_cache[1], self._epoch_cache[2]

    def batch(self, step: int) -> Batch:
        b = self.batch_size
        if self.games is None:  # stream: every step sees fresh games
            games = generate_games(b, seed=self.seed, prefix=self.prefix, first_index=step * b)
            langs = np.random.default_rng([self.seed, step, 11]).choice(self.languages, size=b)
        else:
            epoch, i = divmod(step, self.steps_per_epoch)
            perm, all_langs = self._epoch(epoch)
            idx = perm[i * b:(i + 1) * b]
            games, langs = self.games[idx], all_langs[idx]
        return make_batch(self.vocab, games, langs)


def fingerprint(*parts) -> str:
    """A short stable hash of reprs, for cache keys."""
    h = hashlib.sha1()
    for p in parts:
        h.update(repr(p).encode())
    return h.hexdigest()[:16]
