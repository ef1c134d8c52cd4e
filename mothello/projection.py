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
        import warnings

        import umap

        # Exact nearest neighbours (_knn) handed to UMAP: from 4,096 points on UMAP would use pynndescent,
        # whose JIT compilation alone takes ~50 s in every new process (6,000 points: ~15 s in all this
        # way). Fixed random_state makes UMAP deterministic (single-threaded).
        # Its own JIT-compiled steps are cached on disk too (~7 s less in a new process), and large inputs
        # get 200 optimisation epochs (UMAP's own choice above 10,000 points) instead of 500.
        _cache_umap_kernels(umap)
        k = min(n_neighbors, len(X) - 1)
        knn = _knn(X, k) if k >= 2 else (None, None, None)
        reducer = umap.UMAP(n_components=2, n_neighbors=max(k, 2), min_dist=min_dist, random_state=seed,
                            n_jobs=1, init="pca" if len(X) > 2 else "random", precomputed_knn=knn,
                            n_epochs=200 if len(X) > 4096 else None)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*precomputed_knn.*")
            return reducer.fit_transform(X)
    raise ValueError(f"unknown projection method {method!r} ({', '.join(METHODS)})")


def warm_up() -> None:
    """Compile (and cache on disk) UMAP's kernels once, at install time (`make run` / `make test` run
    this after installing), so that the first projection in the app does not pay ~25 s of compilation."""
    X = np.random.default_rng(0).normal(size=(300, 8)).astype(np.float32)
    _fit_2d(X, "umap", seed=0)


def _cache_umap_kernels(umap) -> None:
    """Turn on numba's disk cache for UMAP's JIT-compiled kernels (it compiles them anew in every process)."""
    import umap.layouts
    import umap.umap_

    for fn in ("umap_.smooth_knn_dist", "umap_.compute_membership_strengths",
               "layouts._nb_optimize_layout_euclidean_single_epoch"):
        mod, name = fn.split(".")
        dispatcher = getattr(getattr(umap, mod), name, None)
        try:
            if dispatcher is not None and not dispatcher.signatures:
                dispatcher.enable_caching()
        except (AttributeError, RuntimeError, OSError):
            pass  # another umap version, or nowhere to write the cache: compile as usual


def _knn(X: np.ndarray, k: int, chunk: int = 1024):
    """(indices, distances, None) of each row's k nearest rows (itself first), exact. Squared distances
    are rounded (relative 1e-9) so that ties between duplicate states do not depend on the BLAS's
    summation order, which can change within a process: the same input always gives the same answer."""
    X = np.asarray(X, dtype=np.float64)
    sq = (X * X).sum(1)
    scale = max(float(sq.mean()), 1e-12) * 1e-9
    idx = np.empty((len(X), k), np.int64)
    dist = np.empty((len(X), k), np.float32)
    for start in range(0, len(X), chunk):
        d2 = np.maximum(sq[start:start + chunk, None] + sq[None, :] - 2.0 * X[start:start + chunk] @ X.T, 0.0)
        d2 = np.round(d2 / scale)
        rows = np.arange(len(d2))
        d2[rows, start + rows] = -1.0  # each point is its own nearest neighbour, as UMAP expects
        part = np.argpartition(d2, k - 1, axis=1)[:, :k]
        order = np.lexsort((part, np.take_along_axis(d2, part, 1)), axis=1)
        best = np.take_along_axis(part, order, 1)
        idx[start:start + chunk] = best
        dist[start:start + chunk] = np.sqrt(np.maximum(np.take_along_axis(d2, best, 1), 0.0) * scale)
    return idx, dist, None


def project(ck: Checkpoint, layer: int, languages=None, n_games: int = 50, method: str = "umap",
            seed: int = 0, games_seed: int = PROBE_TEST_SEED, cache: bool = True, progress=None,
            device=None) -> pd.DataFrame:
    """Table of 2-D coordinates (x, y) of every move's hidden state at `layer`, for each language.

    Columns: language, game, move (0-based index), square (name), player (black/white), moves_played,
    black_discs, white_discs, then one column per square with its absolute state and one with its
    relative state (`rel_` prefix), and x, y.
    """
    cfg = ck.config
    langs = [cfg.input_index(x) for x in (languages or cfg.input_languages)]
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
