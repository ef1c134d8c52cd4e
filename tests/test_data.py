"""Training data: corpora, batches and targets (mothello.data)."""

from collections import Counter

import numpy as np
import pytest

import reference_othello as ref
from mothello import data as data_mod
from mothello.data import (
    IGNORE,
    TrainingData,
    corpus,
    heldout_games,
    legal_next_targets,
    make_batch,
)
from mothello.languages import ExperimentConfig, Vocabulary
from mothello.othello import generate_games, replay


@pytest.fixture(autouse=True)
def cache_in_tmp(tmp_path, monkeypatch):
    """Every test caches corpora in its own temporary directory, never in the project."""
    monkeypatch.setenv("MOTHELLO_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _vocab(languages, unified=False, anchors=(), seed=1):
    return Vocabulary.build(ExperimentConfig.from_dict({
        "name": "t", "languages": list(languages), "unified_output": unified, "seed": seed,
        "anchors": [{"squares": list(s), "languages": list(l)} for s, l in anchors]}))


@pytest.fixture(scope="module")
def mixed():
    """Not unified: four input languages of every type, with an anchor group."""
    return _vocab(["atomic", "split", "compositional", "atomic"], anchors=[([1, 2, 58], [0, 3])])


@pytest.fixture(scope="module")
def unified():
    """The unified-mixed reference layout: language 0 is the output space."""
    return _vocab(["atomic", "atomic", "atomic", "split", "compositional"], unified=True)


@pytest.fixture(scope="module")
def unified_anchored():
    """Unified output where language 0 shares some tokens with input language 1."""
    return _vocab(["atomic", "atomic", "split"], unified=True, anchors=[([19, 26, 37, 44, 1], [0, 1])])


@pytest.fixture(scope="module")
def games_with_ends():
    """Generated games plus an unfinished one and one that ended before move 60."""
    games = generate_games(12, seed=21)
    games[2, 17:] = -1
    pool = generate_games(2000, seed=22)
    short = pool[(pool < 0).any(1) & (pool[:, 40] >= 0)]
    assert len(short), "no game ending before move 60 found"
    games[5] = short[0]
    return games


def _language_only_tokens(vocab, li):
    others = set()
    for lj in range(len(vocab.config.languages)):
        if lj != li:
            others |= set(vocab.language_tokens(lj).tolist())
    return set(vocab.language_tokens(li).tolist()) - others


def _rows(a):
    return sorted(map(tuple, np.asarray(a).tolist()))


# ---------------------------------------------------------------------------------------------
# make_batch
# ---------------------------------------------------------------------------------------------
def test_next_token_targets_without_unified_output(mixed, games_with_ends):
    games = games_with_ends
    langs = np.arange(len(games)) % 4
    batch = make_batch(mixed, games, langs)
    inputs, last = mixed.encode(games, langs)
    np.testing.assert_array_equal(batch.inputs, inputs)
    np.testing.assert_array_equal(batch.last, last)
    np.testing.assert_array_equal(batch.languages, langs)
    np.testing.assert_array_equal(batch.games, games)
    t = batch.targets
    assert t.shape == inputs.shape
    for b in range(len(games)):
        n = int((inputs[b] > 0).sum())
        assert (inputs[b, :n] > 0).all()
        # Shifted by one inside the game...
        np.testing.assert_array_equal(t[b, : n - 1], inputs[b, 1:n])
        # ...and nothing to predict after its last token or on padding.
        assert (t[b, n - 1:] == IGNORE).all()
    assert (t[:, -1] == IGNORE).all()
    assert (t[inputs == 0] == IGNORE).all()
    # Every real target is a token of the game's own language.
    for b in range(len(games)):
        real = t[b][t[b] != IGNORE]
        assert set(real.tolist()) <= set(mixed.language_tokens(langs[b]).tolist())


def test_make_batch_with_one_language_for_all_games(mixed):
    games = generate_games(5, seed=2)
    batch = make_batch(mixed, games, 2)
    np.testing.assert_array_equal(batch.languages, [2] * 5)
    np.testing.assert_array_equal(batch.inputs, mixed.encode(games, 2)[0])
    np.testing.assert_array_equal(mixed.decode(batch.inputs, 2), games)


@pytest.mark.parametrize("vocab_name", ["unified", "unified_anchored"])
def test_unified_targets_sit_at_the_last_token_of_each_move(vocab_name, request, games_with_ends):
    vocab = request.getfixturevalue(vocab_name)
    games = games_with_ends
    inputs_langs = vocab.config.input_languages
    langs = np.array([inputs_langs[i % len(inputs_langs)] for i in range(len(games))])
    batch = make_batch(vocab, games, langs)
    assert batch.targets.shape == batch.inputs.shape
    expected = np.full_like(batch.inputs, IGNORE)
    for b in range(len(games)):
        moves = [int(m) for m in games[b] if m >= 0]
        for k in range(len(moves) - 1):
            # The target for move k+1 is language 0's token, at the last input token of move k.
            expected[b, batch.last[b, k]] = vocab.tokens[0, moves[k + 1], 0]
        # The last input token of a move is the end of the move's token sequence.
        ends = np.cumsum([vocab.lengths[langs[b], m] for m in moves]) - 1
        np.testing.assert_array_equal(batch.last[b, : len(moves)], ends)
    np.testing.assert_array_equal(batch.targets, expected)
    # Exactly one target per move that has a successor; all of them language-0 tokens.
    n_moves = (games >= 0).sum(1)
    np.testing.assert_array_equal((batch.targets != IGNORE).sum(1), n_moves - 1)
    real = batch.targets[batch.targets != IGNORE]
    assert set(real.tolist()) <= set(vocab.language_tokens(0).tolist())


# ---------------------------------------------------------------------------------------------
# TrainingData
# ---------------------------------------------------------------------------------------------
def _assert_same_batch(a, b):
    for key in ("inputs", "targets", "languages", "games", "last"):
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key), err_msg=key)


def test_batch_is_a_pure_function_of_seed_and_step(mixed):
    one = TrainingData(mixed, batch_size=8, n_games=64, seed=3)
    two = TrainingData(mixed, batch_size=8, n_games=64, seed=3)
    steps = [0, 5, 9, 17, 3, 0, 40]
    first = {s: one.batch(s) for s in steps}
    for s in reversed(steps):  # another instance, another order of calls
        _assert_same_batch(first[s], two.batch(s))
    assert not np.array_equal(first[0].games, first[5].games)
    assert not np.array_equal(first[0].games, first[9].games)  # same slot, next epoch: new order
    other = TrainingData(mixed, batch_size=8, n_games=64, seed=4)
    assert not np.array_equal(other.batch(0).games, first[0].games)


def test_batches_write_each_game_in_its_drawn_language(mixed):
    td = TrainingData(mixed, batch_size=16, n_games=64, seed=5)
    for step in range(3):
        b = td.batch(step)
        for i in range(16):
            np.testing.assert_array_equal(mixed.decode(b.inputs[i], int(b.languages[i])), b.games[i])
        replay(b.games)  # legal games


def test_epochs_permute_the_corpus(mixed):
    td = TrainingData(mixed, batch_size=8, n_games=64, seed=6)
    assert td.steps_per_epoch == 8
    games = corpus(64, seed=6)
    epochs = []
    for e in range(3):
        seen = np.concatenate([td.batch(e * 8 + s).games for s in range(8)])
        assert _rows(seen) == _rows(games), f"epoch {e} does not cover the corpus exactly once"
        epochs.append(seen)
    assert not np.array_equal(epochs[0], epochs[1]) and not np.array_equal(epochs[1], epochs[2])
    assert not np.array_equal(epochs[0], games), "the first epoch is not shuffled"


def test_epochs_with_a_partial_last_batch(mixed):
    td = TrainingData(mixed, batch_size=8, n_games=70, seed=6)
    assert td.steps_per_epoch == 8
    seen = Counter(_rows(np.concatenate([td.batch(s).games for s in range(8)])))
    # 64 of the 70 games, none twice (as a multiset: a game may occur twice in the corpus).
    assert sum(seen.values()) == 64
    assert not seen - Counter(_rows(td.games))


def test_languages_are_drawn_uniformly_per_game(mixed, unified):
    for vocab in (mixed, unified):
        inputs = vocab.config.input_languages
        td = TrainingData(vocab, batch_size=100, n_games=4000, seed=7)
        langs = np.concatenate([td.batch(s).languages for s in range(40)])
        counts = np.bincount(langs, minlength=len(vocab.config.languages))
        if vocab.config.unified_output:
            assert counts[0] == 0, "language 0 is the output space, never an input"
        expected = len(langs) / len(inputs)
        chi2 = ((counts[inputs] - expected) ** 2 / expected).sum()
        assert chi2 < 30, counts
        # Drawn per game, not per batch.
        assert all(len(np.unique(td.batch(s).languages)) > 1 for s in range(3))


def test_unified_inputs_never_use_language_0(unified, unified_anchored):
    for vocab in (unified, unified_anchored):
        only0 = _language_only_tokens(vocab, 0)
        assert only0, "language 0 has tokens of its own"
        for td in (TrainingData(vocab, batch_size=32, n_games=128, seed=8),
                   TrainingData(vocab, batch_size=32, seed=8)):
            for step in range(4):
                b = td.batch(step)
                assert (b.languages != 0).all()
                assert not set(np.unique(b.inputs).tolist()) & only0
    # The anchored squares' shared tokens do reach the inputs through language 1.
    td = TrainingData(unified_anchored, batch_size=64, n_games=128, seed=8)
    shared = set(unified_anchored.tokens[0, [19, 26, 37, 44], 0].tolist())
    assert shared & set(np.unique(td.batch(0).inputs).tolist())


def test_stream_mode(mixed):
    td = TrainingData(mixed, batch_size=8, n_games=None, seed=4)
    assert td.steps_per_epoch is None and td.games is None
    b3 = td.batch(3)
    np.testing.assert_array_equal(b3.games, generate_games(8, seed=4, first_index=24))
    _assert_same_batch(b3, TrainingData(mixed, batch_size=8, seed=4).batch(3))
    assert not np.array_equal(td.batch(0).games, td.batch(1).games)
    far = td.batch(10**7)
    replay(far.games)
    for i in range(8):
        np.testing.assert_array_equal(mixed.decode(far.inputs[i], int(far.languages[i])), far.games[i])
    langs = np.concatenate([td.batch(s).languages for s in range(50)])
    assert set(langs.tolist()) == {0, 1, 2, 3}


@pytest.mark.parametrize("prefix", [[19, 18, 17], ["c4", "c3", "c2"]])
@pytest.mark.parametrize("n_games", [32, None])
def test_training_data_with_a_prefix(mixed, prefix, n_games):
    td = TrainingData(mixed, batch_size=8, n_games=n_games, seed=2, prefix=prefix)
    for step in range(3):
        assert (td.batch(step).games[:, :3] == [19, 18, 17]).all()


def test_training_data_argument_checks(mixed):
    with pytest.raises(ValueError):
        TrainingData(mixed, batch_size=0, n_games=10)
    with pytest.raises(ValueError):
        TrainingData(mixed, batch_size=16, n_games=10)


# ---------------------------------------------------------------------------------------------
# Corpus cache
# ---------------------------------------------------------------------------------------------
def _cache_file(cache_dir, n, seed):
    files = list((cache_dir / "corpora").glob(f"games-n{n}-s{seed}*.npy"))
    assert len(files) == 1, files
    return files[0]


def test_corpus_is_cached_on_disk(cache_in_tmp, monkeypatch):
    games = corpus(50, seed=2)
    np.testing.assert_array_equal(games, generate_games(50, seed=2))
    path = _cache_file(cache_in_tmp, 50, 2)
    np.testing.assert_array_equal(np.load(path), games)

    def boom(*a, **k):
        raise AssertionError("the corpus should have come from the cache")

    monkeypatch.setattr(data_mod, "generate_games", boom)
    np.testing.assert_array_equal(corpus(50, seed=2), games)


def test_corpus_without_cache_writes_nothing(cache_in_tmp):
    games = corpus(30, seed=3, cache=False)
    np.testing.assert_array_equal(games, generate_games(30, seed=3))
    assert not list(cache_in_tmp.glob("corpora/*.npy"))


def test_corpus_cache_keys_include_the_prefix(cache_in_tmp):
    plain = corpus(20, seed=2)
    pre = corpus(20, seed=2, prefix=[19, 18, 17])
    assert (pre[:, :3] == [19, 18, 17]).all()
    assert not np.array_equal(plain, pre)
    assert len(list(cache_in_tmp.glob("corpora/*.npy"))) == 2
    np.testing.assert_array_equal(corpus(20, seed=2, prefix=["c4", "c3", "c2"]), pre)


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbage", "wrong shape", "wrong dtype"])
def test_corrupted_cache_is_regenerated(cache_in_tmp, damage):
    games = corpus(40, seed=5)
    path = _cache_file(cache_in_tmp, 40, 5)
    raw = path.read_bytes()
    if damage == "empty":
        path.write_bytes(b"")
    elif damage == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x00not an npy file\xff" * 50)
    elif damage == "wrong shape":
        np.save(path, games[:10])
    else:
        np.save(path, games.astype(np.int64))
    again = corpus(40, seed=5)
    np.testing.assert_array_equal(again, games)
    assert again.dtype == np.int8
    repaired = np.load(path)  # the cache file was rewritten
    np.testing.assert_array_equal(repaired, games)
    assert repaired.dtype == np.int8


def test_heldout_games_are_disjoint_from_training_games():
    train = corpus(2000, seed=0, cache=False)
    held = heldout_games(200, seed=0)
    replay(held)
    long = lambda g: g[(g >= 0).sum(1) >= 30]  # very short games (wipe-outs) may repeat by chance
    assert not set(_rows(long(held))) & set(_rows(long(train)))
    np.testing.assert_array_equal(held, heldout_games(200, seed=0))


# ---------------------------------------------------------------------------------------------
# Legal-set targets
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("vocab_name", ["mixed", "unified"])
def test_legal_next_targets_count_each_legal_next_move_on_its_first_token(vocab_name, request, games_with_ends):
    """The target after every move is the next token's exact distribution under the generator (uniform over
    the legal moves): each legal move counts once on its first token, so a shared first token counts as often."""
    vocab = request.getfixturevalue(vocab_name)
    games = games_with_ends
    inputs_langs = vocab.config.input_languages
    langs = np.array([inputs_langs[i % len(inputs_langs)] for i in range(len(games))])
    batch = make_batch(vocab, games, langs)
    legal = legal_next_targets(vocab, batch)
    rows, cols, hot = legal.rows, legal.cols, legal.counts(vocab.size)
    assert (legal.moves == hot.sum(1)).all() and legal.moves.min() >= 1
    assert hot.dtype == np.float32 and hot.shape == (len(rows), vocab.size)
    assert len(rows) == len(cols) == len(hot)
    assert (hot == np.round(hot)).all() and hot.min() >= 0
    actual = {}
    for k in range(len(rows)):
        key = (int(rows[k]), int(cols[k]))
        assert key not in actual, f"position {key} appears twice"
        actual[key] = {int(t): int(hot[k, t]) for t in np.flatnonzero(hot[k])}
    expected = {}
    out = (lambda b: 0) if vocab.config.unified_output else (lambda b: int(langs[b]))
    n_over = 0
    for b in range(len(games)):
        moves = [int(m) for m in games[b] if m >= 0]
        for m, step in enumerate(ref.trace(moves)):
            after = step[4]
            if not after:  # game over: nothing to predict
                n_over += 1
                continue
            expected[(b, int(batch.last[b, m]))] = dict(Counter(int(vocab.tokens[out(b), sq, 0]) for sq in after))
    assert n_over >= len(games) - 1  # every finished game ends with an empty legal set
    assert actual == expected
    # mixed: the compositional language's row tokens are shared by the legal moves of a row
    assert (hot.max() > 1) == (not vocab.config.unified_output)
    if not vocab.config.unified_output:
        # Atomic and split languages: one distinct first token per legal move.
        b = 0
        assert langs[b] == 0
        m = 10
        assert hot[(rows == b) & (cols == batch.last[b, m])].sum() == len(replay(games[b]).next_legal[0, m].nonzero()[0])
