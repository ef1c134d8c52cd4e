"""2-D projections (UMAP or PCA) of hidden states from several languages at one layer.

The result is a tidy table, one row per (language, game, move): the 2-D coordinates, the language, game,
move index, square played, player, and board features (each square's state, absolute and relative,
and disc counts), so a chart can colour points by language or by any board feature and join the same
move across languages. Fixed seed; cached on disk per (checkpoint weights, layer, languages, games,
method).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .activations import PROBE_TEST_SEED, move_states
from .checkpoints import Checkpoint
from .data import cache_dir, fingerprint
from .othello import ABSOLUTE_CLASSES, RELATIVE_CLASSES, square_name

METHODS = ("umap", "pca")


def _fit_2d(X: np.ndarray, method: str, seed: int, n_neighbors: int = 15, min_dist: float = 0.1) -> np.ndarray:
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=seed).fit_transform(X)
    if method == "umap":
        import umap

        # Fixed random_state makes UMAP deterministic (single-threaded); n_jobs=1 is what it uses then.
        reducer = umap.UMAP(n_components=2, n_neighbors=n_neighbors, min_dist=min_dist, random_state=seed,
                            n_jobs=1, init="pca" if len(X) > 2 else "random")
        return reducer.fit_transform(X)
    raise ValueError(f"unknown projection method {method!r} ({', '.join(METHODS)})")


def project(ck: Checkpoint, layer: int, languages=None, n_games: int = 50, method: str = "umap",
            seed: int = 0, games_seed: int = PROBE_TEST_SEED, cache: bool = True, progress=None,
            device=None) -> pd.DataFrame:
    """Table of 2-D coordinates (x, y) of every move's hidden state at `layer`, for each language.

    Columns: language, game, move (0-based index), square (name), player (black/white), moves_played,
    black_discs, white_discs, then one column per square with its absolute state and one with its
    relative state (`rel_` prefix), and x, y.
    """
    cfg = ck.config
    langs = [cfg.language_index(x) for x in (languages or cfg.input_languages)]
    names = [cfg.languages[i].name for i in langs]
    if not 0 <= int(layer) <= ck.model.cfg.n_layer:
        raise ValueError(f"layer {layer} out of range: this model has layers 0..{ck.model.cfg.n_layer}")
    if method not in METHODS:
        raise ValueError(f"unknown projection method {method!r} ({', '.join(METHODS)})")
    report = progress or (lambda f, m: None)
    key = fingerprint(ck.meta["weights_sha256"], layer, names, n_games, method, seed, games_seed)
    path = cache_dir() / "projections" / f"{key}.parquet"
    if cache and path.is_file():
        try:
            report(1.0, "cached")
            return pd.read_parquet(path)
        except (OSError, ValueError):
            pass
    tables, vectors = [], []
    for i, li in enumerate(langs):
        report(0.5 * i / len(langs), f"hidden states of {names[i]}")
        s = move_states(ck, li, n_games, games_seed, [layer], device=device)
        vectors.append(s.rows(layer))
        tables.append(_move_table(s, names[i]))
    report(0.5, f"{method.upper()} of {sum(len(v) for v in vectors):,} points")
    xy = _fit_2d(np.concatenate(vectors), method, seed)
    df = pd.concat(tables, ignore_index=True)
    df["x"], df["y"] = xy[:, 0].astype(np.float32), xy[:, 1].astype(np.float32)
    if cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        df.to_parquet(tmp)
        tmp.replace(path)
    report(1.0, "done")
    return df


def _move_table(s, language: str) -> pd.DataFrame:
    mask = s.mask
    g_idx, m_idx = np.nonzero(mask)
    r = s.replay
    boards = r.boards[mask]  # (N, 64)
    rel = s.labels("relative")
    absl = s.labels("absolute")
    data = {
        "language": language,
        "game": g_idx.astype(np.int32),
        "move": m_idx.astype(np.int32),
        "square": [square_name(q) for q in s.games[mask]],
        "player": np.where(r.player[mask] == 1, "black", "white"),
        "moves_played": (m_idx + 1).astype(np.int32),
        "black_discs": (boards == 1).sum(1).astype(np.int32),
        "white_discs": (boards == -1).sum(1).astype(np.int32),
    }
    abs_names = np.asarray(ABSOLUTE_CLASSES)
    rel_names = np.asarray(RELATIVE_CLASSES)
    for q in range(64):
        data[square_name(q)] = abs_names[absl[:, q]]
    for q in range(64):
        data[f"rel_{square_name(q)}"] = rel_names[rel[:, q]]
    return pd.DataFrame(data)
