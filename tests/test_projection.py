"""2-D projections (mothello.projection): the tidy table (one row per language, game and move, with
board features), PCA and UMAP, fixed-seed determinism, and the on-disk cache."""

import numpy as np
import pytest

from analysis_helpers import config, untrained_checkpoint
from mothello import projection
from mothello.activations import PROBE_TEST_SEED
from mothello.data import heldout_games
from mothello.othello import ABSOLUTE_CLASSES, RELATIVE_CLASSES, relative_labels, replay, square_name
from mothello.projection import project

SQUARES = [square_name(q) for q in range(64)]


@pytest.fixture(scope="module")
def ck(tmp_path_factory):
    return untrained_checkpoint(config("naive-2"), tmp_path_factory.mktemp("proj") / "naive", seed=0)


@pytest.fixture(scope="module")
def unified_ck(tmp_path_factory):
    return untrained_checkpoint(config("unified-mixed"), tmp_path_factory.mktemp("proj") / "unified", seed=0)


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MOTHELLO_CACHE", str(tmp_path))
    return tmp_path


def test_pca_table(ck, own_cache):
    n = 4
    df = project(ck, 1, n_games=n, method="pca")
    games = heldout_games(n, seed=PROBE_TEST_SEED)
    r = replay(games)
    moves = int(r.mask.sum())
    assert len(df) == 2 * moves  # one row per (language, game, move)
    assert not df.duplicated(["language", "game", "move"]).any()
    for col in ["language", "game", "move", "square", "player", "x", "y", "moves_played", "black_discs",
                "white_discs"] + SQUARES + [f"rel_{s}" for s in SQUARES]:
        assert col in df.columns, col
    assert list(df.language.unique()) == ["L0", "L1"]
    assert set(df.player) == {"black", "white"}
    for s in SQUARES:
        assert set(df[s]) <= set(ABSOLUTE_CLASSES)
        assert set(df[f"rel_{s}"]) <= set(RELATIVE_CLASSES)
    assert np.isfinite(df[["x", "y"]].to_numpy()).all()
    # the rows agree with a replay of the games
    for lang in ("L0", "L1"):
        part = df[df.language == lang].reset_index(drop=True)
        g, m = part.game.to_numpy(), part.move.to_numpy()
        assert part.square.tolist() == [square_name(q) for q in games[g, m]]
        assert (part.player == np.where(r.player[g, m] == 1, "black", "white")).all()
        boards = r.boards[g, m]
        assert (part.black_discs == (boards == 1).sum(1)).all() and (part.white_discs == (boards == -1).sum(1)).all()
        assert (part.moves_played == m + 1).all()
        rel = relative_labels(boards, r.next_player[g, m])
        for q in (0, 19, 27, 44, 63):
            assert part[SQUARES[q]].tolist() == [ABSOLUTE_CLASSES[v] for v in np.where(boards[:, q] == 1, 1, np.where(boards[:, q] == -1, 2, 0))]
            assert part[f"rel_{SQUARES[q]}"].tolist() == [RELATIVE_CLASSES[v] for v in rel[:, q]]
    # the start squares are occupied after the first move
    first = df[(df.move == 0)]
    assert (first["d4"] != "empty").all() and (first["e5"] != "empty").all()
    assert (first.black_discs + first.white_discs == 5).all()


def test_pca_coordinates_are_the_pca_of_the_hidden_states(ck, own_cache):
    from sklearn.decomposition import PCA

    from mothello.activations import move_states

    df = project(ck, 2, n_games=3, method="pca", cache=False)
    X = np.concatenate([move_states(ck, li, 3, PROBE_TEST_SEED, [2]).rows(2) for li in (0, 1)])
    xy = PCA(n_components=2, random_state=0).fit_transform(X)
    np.testing.assert_allclose(df[["x", "y"]].to_numpy(), xy, rtol=1e-3, atol=1e-3)


def test_languages_subset_and_unified_default(unified_ck, own_cache):
    df = project(unified_ck, 0, n_games=2, method="pca")
    assert list(df.language.unique()) == ["atomic-1", "atomic-2", "split", "comp"]
    df = project(unified_ck, 0, languages=["split", 1], n_games=2, method="pca")
    assert list(df.language.unique()) == ["split", "atomic-1"]


def test_umap_small_and_deterministic(ck, own_cache):
    a = project(ck, 1, n_games=5, method="umap", seed=3, cache=False)
    b = project(ck, 1, n_games=5, method="umap", seed=3, cache=False)
    assert len(a) == len(b) == 2 * int(replay(heldout_games(5, seed=PROBE_TEST_SEED)).mask.sum())
    assert np.isfinite(a[["x", "y"]].to_numpy()).all()
    np.testing.assert_array_equal(a[["x", "y"]].to_numpy(), b[["x", "y"]].to_numpy())
    assert a[["x", "y"]].to_numpy().std(0).min() > 0


def test_cache_returns_the_same_table_without_recomputing(ck, own_cache, monkeypatch):
    messages = []
    first = project(ck, 2, n_games=3, method="pca", progress=lambda f, m: messages.append((f, m)))
    assert messages[-1][0] == 1.0
    assert len(list((own_cache / "projections").glob("*.parquet"))) == 1

    def boom(*a, **k):
        raise AssertionError("projection recomputed although it is cached")

    monkeypatch.setattr(projection, "_fit_2d", boom)
    again = project(ck, 2, n_games=3, method="pca", progress=lambda f, m: messages.append((f, m)))
    assert messages[-1] == (1.0, "cached")
    assert again.equals(first)
    # another layer, method, seed or game count is not the cached one
    for kw in ({"layer": 1}, {"method": "umap"}, {"seed": 1}, {"n_games": 4}):
        args = {"layer": 2, "n_games": 3, "method": "pca", **kw}
        with pytest.raises(AssertionError, match="recomputed"):
            project(ck, args.pop("layer"), **args)
    # cache=False never reads it
    with pytest.raises(AssertionError, match="recomputed"):
        project(ck, 2, n_games=3, method="pca", cache=False)


def test_bad_arguments(ck, own_cache):
    with pytest.raises(ValueError, match="out of range"):
        project(ck, 3, n_games=2, method="pca")
    with pytest.raises(ValueError, match="method"):
        project(ck, 1, n_games=2, method="tsne")
    with pytest.raises(ValueError):
        project(ck, 1, languages=["L9"], n_games=2, method="pca")
