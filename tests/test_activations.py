"""Hidden states (mothello.activations): one vector per move = the residual stream at that move's
LAST token, zero rows for padding, layer 0 = embeddings, and the on-disk cache keyed by weights."""

import numpy as np
import pytest
import torch

from analysis_helpers import config, untrained_checkpoint
from mothello import activations
from mothello.activations import extract, game_states, move_states
from mothello.data import heldout_games
from mothello.othello import replay


@pytest.fixture(scope="module")
def naive_ck(tmp_path_factory):
    return untrained_checkpoint(config("naive-2"), tmp_path_factory.mktemp("act") / "naive", seed=0)


@pytest.fixture(scope="module")
def naive_ck_other(tmp_path_factory):
    """Same config, other weights."""
    return untrained_checkpoint(config("naive-2"), tmp_path_factory.mktemp("act") / "naive-other", seed=1)


@pytest.fixture(scope="module")
def unified_ck(tmp_path_factory):
    """unified-mixed: inputs atomic-1, atomic-2, split (1-3 tokens per move), comp (2 per move)."""
    return untrained_checkpoint(config("unified-mixed"), tmp_path_factory.mktemp("act") / "unified", seed=2)


@pytest.fixture(scope="module")
def games():
    g = heldout_games(5, seed=11)
    g[4, 30:] = -1  # one game cut after 30 moves: 30 padding slots
    return g


def _direct_hidden(ck, games, language):
    """(L+1, n, T, C) residual streams from one plain forward pass, and the last-token positions."""
    li = ck.config.language_index(language)
    tokens, last = ck.vocab.encode(games, li)
    with torch.no_grad():
        _, hidden = ck.model(torch.as_tensor(tokens), return_hidden=True)
    return hidden.numpy(), tokens, last


def test_shapes_and_dtypes(naive_ck, games):
    s = game_states(naive_ck, "L1", games)
    assert s.language == "L1"
    assert sorted(s.hidden) == [0, 1, 2]  # tiny: 2 blocks -> layers 0..2
    for x, h in s.hidden.items():
        assert h.shape == (5, 60, 64) and h.dtype == np.float32
    assert s.mask.shape == (5, 60)
    assert s.mask[4].sum() == 30
    np.testing.assert_array_equal(s.mask.sum(1), replay(games).lengths)
    n = int(s.mask.sum())
    assert s.rows(2).shape == (n, 64)
    assert s.labels("absolute").shape == (n, 64) and s.labels("relative").shape == (n, 64)
    with pytest.raises(ValueError):
        s.labels("colourful")
    only = game_states(naive_ck, 0, games, layers=[1])
    assert sorted(only.hidden) == [1]


@pytest.mark.parametrize("language", ["split", "comp", "atomic-2"])
def test_each_move_is_the_residual_at_its_last_token(unified_ck, games, language):
    s = game_states(unified_ck, language, games)
    hidden, tokens, last = _direct_hidden(unified_ck, games, language)
    li = unified_ck.config.language_index(language)
    lengths = unified_ck.vocab.lengths[li]
    multi = 0
    for g in range(len(games)):
        for m in range(60):
            if last[g, m] < 0:
                continue
            for x in range(3):
                np.testing.assert_allclose(s.hidden[x][g, m], hidden[x, g, last[g, m]], rtol=1e-5, atol=1e-6)
            if lengths[games[g, m]] > 1:
                multi += 1
                # ... and not at the move's first token (which a wrong index would pick)
                first = last[g, m] - lengths[games[g, m]] + 1
                assert not np.allclose(s.hidden[2][g, m], hidden[2, g, first], atol=1e-4)
    if language != "atomic-2":
        assert multi > 50  # the test really covered moves written with several tokens
    # the positions are the move ends: cumulative token counts - 1
    expect_last = np.cumsum(np.where(games >= 0, lengths[np.clip(games, 0, 63)], 0), 1) - 1
    np.testing.assert_array_equal(last[games >= 0], expect_last[games >= 0])


def test_padding_rows_are_zero(naive_ck, games):
    s = game_states(naive_ck, 0, games)
    for x in s.hidden:
        assert (s.hidden[x][4, 30:] == 0).all()
        assert (np.abs(s.hidden[x][4, :30]).sum(-1) > 0).all()
        assert (s.hidden[x][~s.mask] == 0).all()


def test_layer_zero_is_the_embeddings(naive_ck, games):
    s = game_states(naive_ck, 1, games)
    tokens, last = naive_ck.vocab.encode(games, 1)
    emb = naive_ck.model.tok_emb.weight.detach().numpy()
    pos = naive_ck.model.pos_emb.weight.detach().numpy()
    for g, m in [(0, 0), (0, 17), (3, 59), (4, 29)]:
        p = last[g, m]
        np.testing.assert_allclose(s.hidden[0][g, m], emb[tokens[g, p]] + pos[p], rtol=1e-6, atol=1e-7)


def test_early_layers_alone_match_the_full_pass(naive_ck, games):
    """Asking only for low layers stops the forward pass early; the values must not change."""
    full = extract(naive_ck, 0, games)
    part = extract(naive_ck, 0, games, layers=[1, 0], batch_size=2)  # also: several batches
    assert sorted(part) == [0, 1]
    for x in part:
        np.testing.assert_allclose(part[x], full[x], rtol=1e-5, atol=1e-6)


def test_out_of_range_layer_raises(naive_ck, games):
    for bad in ([3], [-1], [0, 7]):
        with pytest.raises(ValueError, match="out of range"):
            extract(naive_ck, 0, games, layers=bad)
        with pytest.raises(ValueError, match="out of range"):
            move_states(naive_ck, 0, 4, layers=bad, cache=False)


def test_unknown_language_raises(naive_ck, games):
    with pytest.raises(ValueError, match="unknown language"):
        game_states(naive_ck, "L7", games)


def test_the_unified_output_language_is_not_read(unified_ck, games, tmp_path, monkeypatch):
    """Under unified output the model writes its moves in language 0 and never reads it: every analysis that
    feeds it games refuses that language by name (its hidden states would mean nothing), the others run."""
    monkeypatch.setenv("MOTHELLO_CACHE", str(tmp_path))
    from mothello.evaluate import legal_move_accuracy
    from mothello.probes import alignment, train_probe
    from mothello.projection import project

    cases = [lambda x: extract(unified_ck, x, games, layers=[1]),
             lambda x: game_states(unified_ck, x, games[:1]),
             lambda x: move_states(unified_ck, x, 4, layers=[1], cache=False),
             lambda x: legal_move_accuracy(unified_ck.model, unified_ck.vocab, games, languages=[x]),
             lambda x: train_probe(unified_ck, x, 1, n_train=4, save=False),
             lambda x: alignment(unified_ck, layers=[1], languages=[x, "atomic-2"], n_train=4, n_test=4, n_fit=4),
             lambda x: project(unified_ck, 1, languages=[x, "atomic-2"], n_games=2, method="pca")]
    for case in cases:
        for out in ("out", 0):
            with pytest.raises(ValueError, match="'out' is the unified output language of unified-mixed: the model "
                                                 "writes its moves in it but never reads it \\(it reads atomic-1, "
                                                 "atomic-2, split, comp\\)"):
                case(out)
    assert extract(unified_ck, "atomic-1", games, layers=[1])[1].shape == (len(games), 60, unified_ck.model.cfg.d_model)
    assert set(legal_move_accuracy(unified_ck.model, unified_ck.vocab, games, languages=[1])) == {"atomic-1"}


def test_move_states_cache(naive_ck, naive_ck_other, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTHELLO_CACHE", str(tmp_path))
    first = move_states(naive_ck, "L0", n_games=6, seed=5, layers=[0, 2])
    key = naive_ck.meta["weights_sha256"][:16]
    files = sorted(p.name for p in (tmp_path / "activations" / key).iterdir())
    assert files == ["L0-n6-s5-L0.npy", "L0-n6-s5-L2.npy"]
    on_disk = np.load(tmp_path / "activations" / key / "L0-n6-s5-L2.npy")
    assert on_disk.dtype == np.float16 and on_disk.shape == (6, 60, 64)
    np.testing.assert_array_equal(first.games, heldout_games(6, seed=5))

    # the second call reads the files and never runs the model
    def boom(*a, **k):
        raise AssertionError("extract() called although the hidden states are cached")

    monkeypatch.setattr(activations, "extract", boom)
    second = move_states(naive_ck, 0, n_games=6, seed=5, layers=[2, 0])  # by index, other order
    exact = extract(naive_ck, 0, first.games, [0, 2])
    for x in (0, 2):
        assert first.hidden[x].dtype == second.hidden[x].dtype == np.float32
        # the cache holds float16; the first call already returns those values, so that results never
        # depend on whether the cache was warm
        np.testing.assert_array_equal(second.hidden[x], first.hidden[x])
        np.testing.assert_array_equal(second.hidden[x], exact[x].astype(np.float16).astype(np.float32))
        np.testing.assert_allclose(second.hidden[x], exact[x], rtol=2e-3, atol=1e-4)
    np.testing.assert_array_equal(second.hidden[2], on_disk.astype(np.float32))
    np.testing.assert_array_equal(second.labels(), first.labels())

    # a layer not cached yet, other games, or other weights are computed afresh
    for call in (lambda: move_states(naive_ck, 0, 6, seed=5, layers=[1]),
                 lambda: move_states(naive_ck, 0, 7, seed=5, layers=[0]),
                 lambda: move_states(naive_ck, 0, 6, seed=6, layers=[0]),
                 lambda: move_states(naive_ck, 1, 6, seed=5, layers=[0]),
                 lambda: move_states(naive_ck_other, 0, 6, seed=5, layers=[0])):
        with pytest.raises(AssertionError, match="extract"):
            call()
    monkeypatch.undo()
    monkeypatch.setenv("MOTHELLO_CACHE", str(tmp_path))
    other = move_states(naive_ck_other, "L0", n_games=6, seed=5, layers=[0, 2])
    assert naive_ck_other.meta["weights_sha256"] != naive_ck.meta["weights_sha256"]
    assert (tmp_path / "activations" / naive_ck_other.meta["weights_sha256"][:16] / "L0-n6-s5-L2.npy").is_file()
    assert not np.allclose(other.hidden[2], second.hidden[2], atol=1e-2)
    np.testing.assert_allclose(other.hidden[2], extract(naive_ck_other, 0, other.games, [2])[2], rtol=2e-3, atol=1e-4)


def test_damaged_cache_file_is_recomputed(naive_ck, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTHELLO_CACHE", str(tmp_path))
    first = move_states(naive_ck, 0, n_games=3, seed=9, layers=[1])
    path = tmp_path / "activations" / naive_ck.meta["weights_sha256"][:16] / "L0-n3-s9-L1.npy"
    path.write_bytes(b"not an npy file")
    again = move_states(naive_ck, 0, n_games=3, seed=9, layers=[1])
    np.testing.assert_array_equal(again.hidden[1], first.hidden[1])
    assert np.load(path).shape == (3, 60, 64)  # rewritten


def test_cache_off_writes_nothing_and_keeps_float32(naive_ck, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTHELLO_CACHE", str(tmp_path))
    s = move_states(naive_ck, 0, n_games=3, seed=9, layers=[1], cache=False)
    assert not (tmp_path / "activations").exists()
    np.testing.assert_array_equal(s.hidden[1], extract(naive_ck, 0, s.games, [1])[1])
