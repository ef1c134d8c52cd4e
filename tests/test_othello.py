"""The fast Othello engine (mothello.othello) against the independent plain-Python reference engine."""

import random

import numba
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reference_othello as ref
from mothello import othello
from mothello.othello import (
    IllegalMoveError,
    absolute_labels,
    generate_games,
    legal_moves_after,
    parse_square,
    placer_boards,
    relative_labels,
    replay,
    square_name,
)

SEEDS = st.integers(min_value=0, max_value=2**63 - 1)
GAME_SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIRST_MOVES = (19, 26, 37, 44)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def moves_of(game) -> list[int]:
    """The squares of one padded game, checking that -1 padding only comes at the end."""
    game = [int(m) for m in game]
    n = next((i for i, m in enumerate(game) if m < 0), len(game))
    assert all(m == -1 for m in game[n:]), f"padding is not trailing: {game}"
    return game[:n]


def reference_arrays(moves):
    """The reference engine's view of one game, as arrays shaped like one row of a Replay."""
    tr = ref.trace(moves)  # raises ValueError on an illegal move
    n = len(tr)
    legal = np.zeros((60, 64), bool)
    next_legal = np.zeros((60, 64), bool)
    boards = np.zeros((60, 64), np.int8)
    player = np.zeros(60, np.int8)
    next_player = np.zeros(60, np.int8)
    for t, (before, mover, board, nxt, after) in enumerate(tr):
        legal[t, before] = True
        next_legal[t, after] = True
        boards[t] = board
        player[t] = mover
        next_player[t] = nxt
    return dict(n=n, legal=legal, next_legal=next_legal, boards=boards, player=player,
                next_player=next_player, trace=tr)


def assert_replay_matches_reference(games, r=None, *, complete=True):
    """Every game is legal under the reference engine and the fast replay agrees move by move.

    complete: the games were generated to the end, so after the last move nobody can move.
    """
    games = np.asarray(games)
    if r is None:
        r = replay(games)
    for i, game in enumerate(games):
        moves = moves_of(game)
        exp = reference_arrays(moves)
        where = f"game {i} ({moves})"
        assert r.lengths[i] == exp["n"], where
        for key in ("boards", "legal", "player", "next_player", "next_legal"):
            np.testing.assert_array_equal(getattr(r, key)[i], exp[key], err_msg=f"{key} of {where}")
        if complete:
            assert exp["trace"][-1][4] == [], f"{where} stops while a side can still move"
    return r


def assert_long_games_distinct(games, min_length=30):
    long = games[(games >= 0).sum(1) >= min_length]
    assert len(long) > 0.9 * len(games)
    assert len(np.unique(long, axis=0)) == len(long), "two long games are identical"


def has_pass(trace) -> bool:
    """Per the reference engine: some side moves twice in a row (the other one passed)."""
    movers = [step[1] for step in trace]
    return any(a == b for a, b in zip(movers, movers[1:]))


# ---------------------------------------------------------------------------------------------
# Generated games are legal and replay agrees with the reference engine
# ---------------------------------------------------------------------------------------------
@GAME_SETTINGS
@given(seed=SEEDS, n=st.integers(1, 6))
def test_generated_games_are_legal_and_replay_matches_reference(seed, n):
    games = generate_games(n, seed)
    assert games.shape == (n, 60) and games.dtype == np.int8
    assert_replay_matches_reference(games)


@GAME_SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_replay_matches_reference_on_reference_generated_games(seed):
    # Games from the reference engine's own random player: independent of the fast generator.
    moves = ref.random_game(random.Random(seed))
    game = np.full(60, -1, np.int8)
    game[: len(moves)] = moves
    r = replay(game)  # a 1-D game is accepted
    assert r.boards.shape == (1, 60, 64)
    assert_replay_matches_reference(game[None], r)


@GAME_SETTINGS
@given(seed=SEEDS, cut=st.integers(1, 60))
def test_replay_of_truncated_games_matches_full_replay(seed, cut):
    games = generate_games(3, seed)
    full = replay(games)
    part = replay(games[:, :cut])  # narrower input is padded with -1
    for key in ("boards", "legal", "player", "next_player", "next_legal"):
        np.testing.assert_array_equal(getattr(part, key)[:, :cut], getattr(full, key)[:, :cut], err_msg=key)
        assert not getattr(part, key)[:, cut:].any(), key
    np.testing.assert_array_equal(part.lengths, np.minimum(full.lengths, cut))
    # An unfinished game: the legal moves after its last move are still reported.
    assert_replay_matches_reference(games[:, :cut], part, complete=False)


def _find_special_games(want_pass=40, want_short=10, max_seeds=20):
    """Deterministically scan seeds for games with passes and games that end before move 60.

    Candidates with passes are picked with the fast replay (cheap) and then confirmed by the
    reference engine in the tests; games ending early are recognised from their -1 padding alone.
    """
    pass_games, short_games = [], []
    for seed in range(max_seeds):
        games = generate_games(1000, seed=1000 + seed)
        r = replay(games)
        passes = ((r.player[:, :-1] == r.player[:, 1:]) & (r.player[:, 1:] != 0)).any(1)
        short = (games < 0).any(1)
        pass_games += list(games[passes][: want_pass - len(pass_games)])
        short_games += list(games[short][: want_short - len(short_games)])
        if len(pass_games) >= want_pass and len(short_games) >= want_short:
            break
    return np.array(pass_games), np.array(short_games)


def test_fast_and_reference_engines_flag_the_same_games_with_passes():
    games = generate_games(150, seed=1000)
    r = replay(games)
    fast = ((r.player[:, :-1] == r.player[:, 1:]) & (r.player[:, 1:] != 0)).any(1)
    slow = np.array([has_pass(ref.trace(moves_of(g))) for g in games])
    np.testing.assert_array_equal(fast, slow)
    assert slow.sum() >= 10


@pytest.fixture(scope="module")
def special_games():
    return _find_special_games()


def test_games_with_passes_exist_and_match_reference(special_games):
    pass_games, _ = special_games
    assert len(pass_games) >= 40, "the generator never produced a game with a pass"
    r = assert_replay_matches_reference(pass_games)
    assert all(has_pass(ref.trace(moves_of(g))) for g in pass_games)
    n_pass_positions = 0
    for i, game in enumerate(pass_games):
        n = int(r.lengths[i])
        for t in range(n - 1):
            # Who moves next is who actually made the next move, passes included.
            assert r.next_player[i, t] == r.player[i, t + 1]
            if r.player[i, t] == r.player[i, t + 1]:
                n_pass_positions += 1
                # The opponent really had no move: the next legal set is the mover's own.
                assert r.next_player[i, t] == r.player[i, t]
                assert r.next_legal[i, t, game[t + 1]]
                np.testing.assert_array_equal(r.next_legal[i, t], r.legal[i, t + 1])
    assert n_pass_positions >= 40


@GAME_SETTINGS
@given(seed=SEEDS)
def test_turned_says_where_the_passes_so_far_have_turned_the_order_of_the_sides(seed):
    """Replay.turned against the reference engine: after move t the order is turned when an odd number of
    passes (a side moving twice in a row; the end of the game is none) happened up to there; mine / theirs
    labels there are the other way round from those of the side alternation gives."""
    games = generate_games(12, seed=seed % 2**32)
    r = replay(games)
    for i, game in enumerate(games):
        steps = ref.trace(moves_of(game))
        passes = np.cumsum([int(nxt == mover) for _, mover, _, nxt, _ in steps])
        n = len(steps)
        np.testing.assert_array_equal(r.turned[i, :n], passes % 2 == 1)
        assert not r.turned[i, n:].any()
    alternation = np.where(np.arange(60) % 2 == 0, othello.WHITE, othello.BLACK)
    by_alternation = relative_labels(r.boards, np.broadcast_to(alternation, r.next_player.shape))
    swapped = np.array([0, 2, 1])[by_alternation]
    real = relative_labels(r.boards, r.next_player)
    np.testing.assert_array_equal(real[r.turned], swapped[r.turned])
    np.testing.assert_array_equal(real[r.mask & ~r.turned], by_alternation[r.mask & ~r.turned])


def test_the_games_with_passes_have_turned_positions(special_games):
    pass_games, _ = special_games
    r = replay(pass_games)
    assert r.turned.any(1).all()  # each of them has a pass before its last move
    assert not r.turned[:, 0].any()  # nobody passes before move 2


def test_games_ending_before_move_60_exist_and_match_reference(special_games):
    _, short_games = special_games
    assert len(short_games) >= 10, "the generator never produced a game that ends before move 60"
    r = assert_replay_matches_reference(short_games)
    for i in range(len(short_games)):
        n = int(r.lengths[i])
        assert n < 60
        assert (short_games[i, n:] == -1).all()
        assert (r.boards[i, n - 1] == 0).any(), "the game ended early but the board is full"
        assert not r.next_legal[i, n - 1].any(), "a side could still move"
        # At game over the labels take the opponent's view, as the docstring says.
        assert r.next_player[i, n - 1] == -r.player[i, n - 1]


def test_next_player_and_next_legal_are_consistent_with_the_next_move():
    games = generate_games(300, seed=5)
    r = replay(games)
    for i in range(len(games)):
        n = int(r.lengths[i])
        np.testing.assert_array_equal(r.next_player[i, : n - 1], r.player[i, 1:n])
        np.testing.assert_array_equal(r.next_legal[i, : n - 1], r.legal[i, 1:n])
        assert r.legal[i, np.arange(n), games[i, :n]].all()


def test_full_games_fill_the_board():
    games = generate_games(200, seed=9)
    r = replay(games)
    full = r.lengths == 60
    assert full.sum() > 150
    assert (r.boards[full, 59] != 0).all()
    # 60 moves on 60 playable squares: each square once.
    for game in games[full]:
        assert sorted(game.tolist()) == list(othello.PLAYABLE)


# ---------------------------------------------------------------------------------------------
# Uniform random play
# ---------------------------------------------------------------------------------------------
def test_first_move_is_uniform_over_the_four_openings():
    games = generate_games(8000, seed=123)
    counts = np.bincount(games[:, 0], minlength=64)
    assert set(np.flatnonzero(counts)) == set(FIRST_MOVES)
    observed = counts[list(FIRST_MOVES)]
    expected = len(games) / 4
    chi2 = ((observed - expected) ** 2 / expected).sum()
    assert chi2 < 30, f"first-move counts {observed.tolist()} are not uniform (chi2={chi2:.1f})"


def test_moves_are_drawn_uniformly_among_the_legal_ones():
    # Rank of the chosen move among the sorted legal moves: uniform on 0..k-1 under uniform play.
    games = generate_games(600, seed=77)
    r = replay(games)
    jitter = np.random.default_rng(0)  # randomised rank: exactly uniform on [0, 1) under the null
    n_lowest = expected_lowest = n_highest = 0.0
    u = []
    for i in range(len(games)):
        for t in range(int(r.lengths[i])):
            legal = np.flatnonzero(r.legal[i, t])
            k = len(legal)
            rank = int(np.searchsorted(legal, games[i, t]))
            assert legal[rank] == games[i, t]
            if k >= 2:
                n_lowest += rank == 0
                n_highest += rank == k - 1
                expected_lowest += 1 / k
                u.append((rank + jitter.random()) / k)
    u = np.array(u)
    assert abs(u.mean() - 0.5) < 0.01, u.mean()
    assert abs(n_lowest / expected_lowest - 1) < 0.06, (n_lowest, expected_lowest)
    assert abs(n_highest / expected_lowest - 1) < 0.06, (n_highest, expected_lowest)
    hist = np.histogram(u, bins=10, range=(0, 1))[0] / len(u)
    assert np.all(np.abs(hist - 0.1) < 0.01), hist


def test_games_within_a_batch_are_distinct():
    assert_long_games_distinct(generate_games(1000, seed=4))


# ---------------------------------------------------------------------------------------------
# Seeds
# ---------------------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(seed=SEEDS)
def test_same_seed_same_games(seed):
    a = generate_games(20, seed)
    b = generate_games(20, seed)
    np.testing.assert_array_equal(a, b)


@settings(max_examples=25, deadline=None)
@given(seed=SEEDS, other=SEEDS)
def test_different_seeds_give_different_games(seed, other):
    if seed == other:
        other = (seed + 1) % 2**63
    a, b = generate_games(30, seed), generate_games(30, other)
    assert (a != b).any(axis=1).mean() > 0.9


@settings(max_examples=25, deadline=None)
@given(seed=SEEDS, start=st.integers(0, 10**6))
def test_a_game_depends_only_on_seed_and_index(seed, start):
    np.testing.assert_array_equal(generate_games(10, seed), generate_games(1000, seed)[:10])
    np.testing.assert_array_equal(generate_games(5, seed, first_index=start + 3),
                                  generate_games(8, seed, first_index=start)[3:])


def test_parallel_kernel_matches_serial(monkeypatch):
    calls = []
    real = othello._generate_parallel

    def spy(*args):
        calls.append(args[0].shape)
        return real(*args)

    monkeypatch.setattr(othello, "_generate_parallel", spy)
    n = 25000
    assert n >= othello._PARALLEL_MIN_GAMES
    big = generate_games(n, seed=31)
    if numba.config.NUMBA_NUM_THREADS > 1:
        assert calls, "a large batch should use the parallel kernel"
    np.testing.assert_array_equal(big[:100], generate_games(100, seed=31))
    np.testing.assert_array_equal(big[-100:], generate_games(100, seed=31, first_index=n - 100))
    assert_replay_matches_reference(big[-5:])
    # Every game index has its own random stream: no repeats across a large batch (very short
    # games, such as 9-move wipe-outs, can legitimately repeat; long ones practically never).
    assert_long_games_distinct(big)


def test_generate_games_argument_checks():
    assert generate_games(0, 1).shape == (0, 60)
    with pytest.raises(ValueError):
        generate_games(-1, 1)
    with pytest.raises(ValueError):
        generate_games(3, -1)
    with pytest.raises(ValueError):
        generate_games(3, 2**63)


# ---------------------------------------------------------------------------------------------
# Prefix
# ---------------------------------------------------------------------------------------------
def test_prefix_forces_the_opening():
    games = generate_games(300, seed=8, prefix=[19, 18, 17])
    assert (games[:, :3] == [19, 18, 17]).all()
    # After the prefix play is random again.
    assert len(np.unique(games[:, 3])) > 1
    assert_long_games_distinct(games)
    assert_replay_matches_reference(games[:20])


def test_prefix_by_names_equals_prefix_by_squares():
    a = generate_games(50, seed=2, prefix=["c4", "c3", "c2"])
    b = generate_games(50, seed=2, prefix=[19, 18, 17])
    np.testing.assert_array_equal(a, b)
    assert (a[:, :3] == [19, 18, 17]).all()


def test_prefix_does_not_change_reproducibility():
    a = generate_games(10, seed=6, prefix=[19, 18, 17])
    b = generate_games(400, seed=6, prefix=[19, 18, 17])[:10]
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("prefix, move_no, name", [
    ([19, 19], 2, "c4"),      # occupied square
    ([19, 18, 0], 3, "a1"),   # flips nothing
    ([0], 1, "a1"),
    (["c4", "h8"], 2, "h8"),
])
def test_illegal_prefix_raises_naming_the_move(prefix, move_no, name):
    with pytest.raises(ValueError) as info:
        generate_games(5, seed=1, prefix=prefix)
    msg = str(info.value)
    assert f"move {move_no}" in msg and name in msg, msg


def test_prefix_with_a_bad_square_name_raises():
    with pytest.raises(ValueError):
        generate_games(5, seed=1, prefix=["c4", "z9"])


# ---------------------------------------------------------------------------------------------
# Replay errors and output format
# ---------------------------------------------------------------------------------------------
def test_replay_illegal_move_names_game_move_and_square():
    games = generate_games(6, seed=12)
    bad = games.copy()
    bad[4, 7] = bad[4, 2]  # replaying an occupied square
    with pytest.raises(IllegalMoveError) as info:
        replay(bad)
    e = info.value
    assert isinstance(e, ValueError)
    assert (e.game, e.move_index, e.square) == (4, 7, int(bad[4, 2]))
    msg = str(e)
    assert "game 4" in msg and "move 7" in msg and square_name(bad[4, 2]) in msg, msg

    # A legal-looking empty square that flips nothing.
    with pytest.raises(ValueError) as info:
        replay([[19, 0]])
    assert "game 0" in str(info.value) and "move 1" in str(info.value) and "a1" in str(info.value)


def test_replay_move_after_padding_raises():
    with pytest.raises(IllegalMoveError) as info:
        replay(np.array([[19, 18, -1, 17]]))
    assert (info.value.game, info.value.move_index, info.value.square) == (0, 3, 17)
    assert "padding" in str(info.value)


def test_replay_off_board_square_raises():
    with pytest.raises(ValueError) as info:
        replay(np.array([[19, 64]]))
    assert "64" in str(info.value)


def test_replay_move_after_game_over_raises(special_games):
    _, short_games = special_games
    game = short_games[0].copy()
    n = int((game >= 0).sum())
    empty = np.flatnonzero(replay(game).boards[0, n - 1] == 0)
    game[n] = empty[0]
    with pytest.raises(IllegalMoveError) as info:
        replay(game)
    assert info.value.move_index == n and "over" in str(info.value)


def test_replay_rejects_bad_shapes():
    with pytest.raises(ValueError):
        replay(np.zeros((2, 61), np.int8))
    with pytest.raises(ValueError):
        replay(np.zeros((2, 3, 4), np.int8))


def test_replay_output_shapes_and_dtypes():
    games = generate_games(40, seed=3)
    games[0, 10:] = -1  # an unfinished game: padding from move 10
    r = replay(games)
    n = len(games)
    assert r.boards.shape == (n, 60, 64) and r.boards.dtype == np.int8
    assert r.legal.shape == (n, 60, 64) and r.legal.dtype == np.bool_
    assert r.next_legal.shape == (n, 60, 64) and r.next_legal.dtype == np.bool_
    assert r.player.shape == (n, 60) and r.player.dtype == np.int8
    assert r.next_player.shape == (n, 60) and r.next_player.dtype == np.int8
    assert r.lengths.shape == (n,)
    pad = games < 0
    np.testing.assert_array_equal(r.mask, ~pad)
    assert (r.player[pad] == 0).all() and (r.next_player[pad] == 0).all()
    assert np.isin(r.player[~pad], [1, -1]).all() and np.isin(r.next_player[~pad], [1, -1]).all()
    assert not r.boards[pad].any() and not r.legal[pad].any() and not r.next_legal[pad].any()
    assert r.lengths[0] == 10
    np.testing.assert_array_equal(r.lengths, (~pad).sum(1))
    # Black opens every game.
    assert (r.player[:, 0] == 1).all()


def test_legal_moves_after_matches_reference():
    assert legal_moves_after([]) == list(FIRST_MOVES)
    game = moves_of(generate_games(1, seed=21)[0])
    tr = ref.trace(game)
    for k in (1, 5, 20, len(game) - 1):
        assert legal_moves_after(game[:k]) == tr[k - 1][4]
    assert legal_moves_after(["c4"]) == legal_moves_after([19])


# ---------------------------------------------------------------------------------------------
# Square names
# ---------------------------------------------------------------------------------------------
def test_square_names_round_trip():
    names = [square_name(s) for s in range(64)]
    assert len(set(names)) == 64
    for s, name in enumerate(names):
        assert parse_square(name) == s
        assert parse_square(name.upper()) == s
        assert parse_square(s) == s
        assert parse_square(str(s)) == s
    assert square_name(19) == "c4" and parse_square("c4") == 19
    assert square_name(0) == "a1" and square_name(7) == "a8" and square_name(63) == "h8"
    assert square_name(27) == "d4" and square_name(36) == "e5"


@pytest.mark.parametrize("bad", ["z9", "a0", "a9", "i1", "", "c44", "4c", "64", -1, 64, "c"])
def test_parse_square_rejects_bad_names(bad):
    with pytest.raises(ValueError):
        parse_square(bad)


@pytest.mark.parametrize("bad", [-1, 64, 100])
def test_square_name_rejects_off_board(bad):
    with pytest.raises(ValueError):
        square_name(bad)


# ---------------------------------------------------------------------------------------------
# Probe labels
# ---------------------------------------------------------------------------------------------
def test_absolute_labels_agree_with_boards():
    r = replay(generate_games(50, seed=14))
    lab = absolute_labels(r.boards)
    assert lab.shape == r.boards.shape
    assert set(np.unique(lab)) == {0, 1, 2}
    np.testing.assert_array_equal(lab == 0, r.boards == 0)
    np.testing.assert_array_equal(lab == 1, r.boards == 1)
    np.testing.assert_array_equal(lab == 2, r.boards == -1)
    np.testing.assert_array_equal(r.absolute_labels(), lab)
    assert othello.ABSOLUTE_CLASSES == ("empty", "black", "white")


def test_relative_labels_are_relative_to_next_player(special_games):
    pass_games, short_games = special_games
    games = np.concatenate([generate_games(30, seed=15), pass_games[:10], short_games[:5]])
    r = replay(games)
    lab = relative_labels(r.boards, r.next_player)
    np.testing.assert_array_equal(r.relative_labels(), lab)
    assert lab.shape == r.boards.shape and set(np.unique(lab)) == {0, 1, 2}
    assert othello.RELATIVE_CLASSES == ("empty", "mine", "theirs")
    checked_pass = 0
    for i, game in enumerate(games):
        tr = ref.trace(moves_of(game))
        for t, (_, mover, board, nxt, _) in enumerate(tr):
            board = np.array(board)
            expected = np.where(board == 0, 0, np.where(board == nxt, 1, 2))
            np.testing.assert_array_equal(lab[i, t], expected)
            if t + 1 < len(tr) and tr[t + 1][1] == mover:  # the opponent passes
                checked_pass += 1
                # "mine" is then the colour of the side that just moved (and moves again).
                np.testing.assert_array_equal(lab[i, t] == 1, board == mover)
    assert checked_pass > 0
    # Labels flip with the point of view.
    flipped = relative_labels(r.boards, -r.next_player)
    disc = r.boards != 0
    np.testing.assert_array_equal(flipped[disc], 3 - lab[disc])
    # Black to move on a position: mine == black.
    one = relative_labels(r.boards[0, 0], np.int8(1))
    np.testing.assert_array_equal(one, absolute_labels(r.boards[0, 0]))


# ---------------------------------------------------------------------------------------------
# The placer board (flips ignored): a baseline for colour probes
# ---------------------------------------------------------------------------------------------
@GAME_SETTINGS
@given(seed=SEEDS, n=st.integers(1, 4))
def test_placer_board_is_the_board_with_every_flip_undone(seed, n):
    """Independently of placer_boards' bookkeeping: a disc's placer is its colour on the reference board,
    turned back once for every time it was flipped (a change of sign between consecutive boards)."""
    games = generate_games(n, seed)
    got = placer_boards(games)
    assert got.shape == (n, 60, 64) and got.dtype == np.int8
    for g in range(n):
        moves = [int(m) for m in games[g] if m >= 0]
        flips = np.zeros(64, int)
        prev = np.array(ref.Game().flat())
        for t, (_, mover, board, _, _) in enumerate(ref.trace(moves)):
            board = np.array(board)
            flips += (prev * board) < 0
            prev = board
            assert np.array_equal(got[g, t], board * (-1) ** flips), (g, t)
        assert not got[g, len(moves):].any()  # padding stays empty


def test_placer_board_after_the_first_move_keeps_the_flipped_disc_white():
    got = placer_boards(np.array([parse_square("c4")]))[0, 0]
    board = replay(np.array([parse_square("c4")])).boards[0, 0]
    assert board[parse_square("d4")] == 1 and got[parse_square("d4")] == -1  # black flipped it; white placed it
    assert got[parse_square("c4")] == 1
    assert np.array_equal(np.delete(got, parse_square("d4")), np.delete(board, parse_square("d4")))
