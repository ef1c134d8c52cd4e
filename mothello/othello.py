"""Othello engine and synthetic-game generator, vectorised over many games at once.

Rules as in MOTHELLO.md: an 8x8 board, squares 0..63 row-major (rows a..h, columns 1..8, so square 19
is "c4"). d4 (27) and e5 (36) start white, d5 (28) and e4 (35) black; black moves first. A move must
flip at least one opposing disc. A side with no legal move passes (a pass is not a move: the other side
moves again). The game ends when neither side can move.

The kernels are numba-compiled bitboard code: bit s of a uint64 is square s. Every game draws its
random numbers from its own counter-based generator keyed by (seed, game index), so a game does not
depend on how many games are generated with it or on how many threads generate them.

Public API:
    generate_games(n, seed=0, prefix=None) -> (n, 60) int8, squares, -1 after the game ends
    replay(games) -> Replay(boards, legal, player, next_player, next_legal, lengths)
    placer_boards(games) -> (n, 60, 64) int8: each disc coloured by who placed it (flips ignored)
    absolute_labels(boards), relative_labels(boards, next_player) -> (..., 64) class ids 0/1/2
    square_name(19) == "c4", parse_square("c4") == 19
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numba
import numpy as np

BOARD_SIZE = 8
N_SQUARES = 64
MAX_MOVES = 60
BLACK, WHITE, EMPTY = 1, -1, 0
START_WHITE = (27, 36)
START_BLACK = (28, 35)
PLAYABLE = tuple(s for s in range(N_SQUARES) if s not in START_WHITE + START_BLACK)
ROWS = "abcdefgh"

# Class ids of the probe labels.
ABSOLUTE_CLASSES = ("empty", "black", "white")
RELATIVE_CLASSES = ("empty", "mine", "theirs")


# ---------------------------------------------------------------------------------------------
# Square names
# ---------------------------------------------------------------------------------------------
def square_name(square: int) -> str:
    """19 -> "c4": row letter a..h, then column 1..8."""
    square = int(square)
    if not 0 <= square < N_SQUARES:
        raise ValueError(f"square {square} is outside the board (0..63)")
    return f"{ROWS[square // 8]}{square % 8 + 1}"


def parse_square(name: str | int) -> int:
    """"c4" -> 19. Also accepts an int or a decimal string, checked to lie on the board."""
    if isinstance(name, (int, np.integer)):
        square = int(name)
    else:
        text = str(name).strip().lower()
        if text.isdigit():
            square = int(text)
        elif len(text) == 2 and text[0] in ROWS and text[1] in "12345678":
            square = ROWS.index(text[0]) * 8 + int(text[1]) - 1
        else:
            raise ValueError(f"{name!r} is not a square: use a name like 'c4' (rows a-h, columns 1-8)")
    if not 0 <= square < N_SQUARES:
        raise ValueError(f"square {square} is outside the board (0..63)")
    return square


# ---------------------------------------------------------------------------------------------
# Bitboard kernels
# ---------------------------------------------------------------------------------------------
_U64 = np.uint64
_INNER = _U64(0x7E7E7E7E7E7E7E7E)  # columns 2..7: a run of discs moving sideways never wraps


@numba.njit(inline="always")
def _run_up(own, opp, s):
    # Discs of `opp` in an unbroken line from `own` towards higher bits by steps of s, then one more step.
    t = (own << s) & opp
    t |= (t << s) & opp
    t |= (t << s) & opp
    t |= (t << s) & opp
    t |= (t << s) & opp
    t |= (t << s) & opp
    return t << s


@numba.njit(inline="always")
def _run_down(own, opp, s):
    t = (own >> s) & opp
    t |= (t >> s) & opp
    t |= (t >> s) & opp
    t |= (t >> s) & opp
    t |= (t >> s) & opp
    t |= (t >> s) & opp
    return t >> s


@numba.njit(inline="always")
def _legal_moves(own, opp):
    # Sideways and diagonal runs use opp restricted to the inner columns, so no run wraps a row.
    inner = opp & _INNER
    moves = (_run_up(own, inner, _U64(1)) | _run_down(own, inner, _U64(1))
             | _run_up(own, opp, _U64(8)) | _run_down(own, opp, _U64(8))
             | _run_up(own, inner, _U64(7)) | _run_down(own, inner, _U64(7))
             | _run_up(own, inner, _U64(9)) | _run_down(own, inner, _U64(9)))
    return moves & ~(own | opp)


@numba.njit(inline="always")
def _flip_up(own, opp, bit, s):
    line = _U64(0)
    x = bit << s
    while x & opp:
        line |= x
        x <<= s
    return line if x & own else _U64(0)


@numba.njit(inline="always")
def _flip_down(own, opp, bit, s):
    line = _U64(0)
    x = bit >> s
    while x & opp:
        line |= x
        x >>= s
    return line if x & own else _U64(0)


@numba.njit(inline="always")
def _flips(own, opp, bit):
    inner = opp & _INNER
    return (_flip_up(own, inner, bit, _U64(1)) | _flip_down(own, inner, bit, _U64(1))
            | _flip_up(own, opp, bit, _U64(8)) | _flip_down(own, opp, bit, _U64(8))
            | _flip_up(own, inner, bit, _U64(7)) | _flip_down(own, inner, bit, _U64(7))
            | _flip_up(own, inner, bit, _U64(9)) | _flip_down(own, inner, bit, _U64(9)))


@numba.njit(inline="always")
def _popcount(x):
    x = x - ((x >> _U64(1)) & _U64(0x5555555555555555))
    x = (x & _U64(0x3333333333333333)) + ((x >> _U64(2)) & _U64(0x3333333333333333))
    x = (x + (x >> _U64(4))) & _U64(0x0F0F0F0F0F0F0F0F)
    return (x * _U64(0x0101010101010101)) >> _U64(56)


@numba.njit(inline="always")
def _lowest_square(x):
    # Index of the lowest set bit of a non-zero x.
    return _popcount((x & (~x + _U64(1))) - _U64(1))


@numba.njit(inline="always")
def _splitmix64(state):
    state = state + _U64(0x9E3779B97F4A7C15)
    z = state
    z = (z ^ (z >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> _U64(27))) * _U64(0x94D049BB133111EB)
    return state, z ^ (z >> _U64(31))


@numba.njit(inline="always")
def _start_position():
    black = (_U64(1) << _U64(28)) | (_U64(1) << _U64(35))
    white = (_U64(1) << _U64(27)) | (_U64(1) << _U64(36))
    return black, white


@numba.njit
def _play_one(out, prefix, seed, game_index):
    """Fill out (60,) with one uniformly random game that opens with `prefix` (already validated)."""
    black, white = _start_position()
    to_move = 1  # 1 black, -1 white
    state = _U64(seed) * _U64(0xD1B54A32D192ED03) + _U64(game_index)
    state, _ = _splitmix64(state)
    t = 0
    while t < 60:
        own = black if to_move == 1 else white
        opp = white if to_move == 1 else black
        moves = _legal_moves(own, opp)
        if moves == 0:
            to_move = -to_move
            own, opp = opp, own
            moves = _legal_moves(own, opp)
            if moves == 0:
                break
        if t < prefix.shape[0]:
            square = _U64(prefix[t])
        else:
            state, r = _splitmix64(state)
            k = ((r >> _U64(32)) * _popcount(moves)) >> _U64(32)
            for _ in range(k):
                moves &= moves - _U64(1)
            square = _lowest_square(moves)
        bit = _U64(1) << square
        f = _flips(own, opp, bit)
        own |= bit | f
        opp &= ~f
        if to_move == 1:
            black, white = own, opp
        else:
            white, black = own, opp
        out[t] = np.int8(square)
        to_move = -to_move
        t += 1
    for i in range(t, 60):
        out[i] = -1


@numba.njit(parallel=True, cache=True)
def _generate_parallel(out, prefix, seed, first_index):
    for g in numba.prange(out.shape[0]):
        _play_one(out[g], prefix, seed, first_index + g)


@numba.njit(cache=True)
def _generate_serial(out, prefix, seed, first_index):
    for g in range(out.shape[0]):
        _play_one(out[g], prefix, seed, first_index + g)


@numba.njit(inline="always")
def _write_bits(dst, bits):
    for s in range(64):
        dst[s] = (bits >> _U64(s)) & _U64(1)


@numba.njit(cache=True)
def _replay_kernel(games, boards, legal, player, next_player, next_legal, lengths, error):
    """Replay every game; on the first illegal move write (game, move index, square, code) to error.

    Codes: 1 not a legal move, 2 a move after the padding, 3 square out of range, 4 game already over.
    """
    n = games.shape[0]
    for g in range(n):
        black, white = _start_position()
        to_move = 1
        length = 0
        over = False
        for t in range(games.shape[1]):
            m = games[g, t]
            if m < 0:
                over = True
                continue
            if over:
                error[0], error[1], error[2], error[3] = g, t, m, 2
                return
            if m >= 64:
                error[0], error[1], error[2], error[3] = g, t, m, 3
                return
            own = black if to_move == 1 else white
            opp = white if to_move == 1 else black
            moves = _legal_moves(own, opp)
            if moves == 0:
                to_move = -to_move
                own, opp = opp, own
                moves = _legal_moves(own, opp)
                if moves == 0:
                    error[0], error[1], error[2], error[3] = g, t, m, 4
                    return
            bit = _U64(1) << _U64(m)
            if (moves & bit) == 0:
                error[0], error[1], error[2], error[3] = g, t, m, 1
                return
            _write_bits(legal[g, t], moves)
            f = _flips(own, opp, bit)
            own |= bit | f
            opp &= ~f
            if to_move == 1:
                black, white = own, opp
            else:
                white, black = own, opp
            for s in range(64):
                b = (black >> _U64(s)) & _U64(1)
                w = (white >> _U64(s)) & _U64(1)
                boards[g, t, s] = b - w
            player[g, t] = to_move
            # Who moves next: the opponent, or the same side again if the opponent must pass.
            nxt = _legal_moves(opp, own)
            if nxt != 0:
                to_move = -to_move
                next_player[g, t] = to_move
            else:
                nxt = _legal_moves(own, opp)
                # Same side again (the opponent passes); if neither can move the game is over and
                # the labels take the opponent's view, as after any other move.
                next_player[g, t] = to_move if nxt != 0 else -to_move
            _write_bits(next_legal[g, t], nxt)
            length = t + 1
        lengths[g] = length


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------
# Numba's default threading layer must not be entered from two threads at once (Streamlit runs
# scripts in threads): parallel kernels go through this lock.
_PARALLEL_LOCK = threading.Lock()
_PARALLEL_MIN_GAMES = 20_000


def _check_prefix(prefix) -> np.ndarray:
    if prefix is None:
        return np.zeros(0, dtype=np.int8)
    squares = [parse_square(s) for s in prefix]
    if len(squares) > MAX_MOVES:
        raise ValueError(f"prefix has {len(squares)} moves; a game has at most {MAX_MOVES}")
    arr = np.full((1, MAX_MOVES), -1, dtype=np.int8)
    arr[0, : len(squares)] = squares
    try:
        replay(arr)
    except IllegalMoveError as e:
        raise ValueError(f"illegal prefix: move {e.move_index + 1} ({square_name(e.square)}, square "
                         f"{e.square}) is not legal after {squares[:e.move_index]}") from None
    return np.asarray(squares, dtype=np.int8)


def generate_games(n: int, seed: int = 0, prefix=None, *, first_index: int = 0) -> np.ndarray:
    """n uniformly random legal games, (n, 60) int8 squares padded with -1 after the game ends.

    Same seed, same games; game i depends only on (seed, first_index + i, prefix), so
    generate_games(10, s) equals generate_games(1000, s)[:10]. `prefix` (squares or names) forces
    the opening moves; an illegal prefix raises ValueError naming the offending move.
    """
    n = int(n)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not 0 <= int(seed) < 2**63:
        raise ValueError(f"seed must be in 0..2**63-1, got {seed}")
    pre = _check_prefix(prefix)
    out = np.empty((n, MAX_MOVES), dtype=np.int8)
    if n >= _PARALLEL_MIN_GAMES and numba.config.NUMBA_NUM_THREADS > 1:
        with _PARALLEL_LOCK:
            _generate_parallel(out, pre, np.uint64(seed), np.uint64(first_index))
    else:
        _generate_serial(out, pre, np.uint64(seed), np.uint64(first_index))
    return out


class IllegalMoveError(ValueError):
    """A game holds a move the rules forbid; names the game, the move index and the square."""

    _WHY = {1: "is not a legal move", 2: "comes after the end-of-game padding (-1)",
            3: "is not a square (0..63)", 4: "is played after the game is over"}

    def __init__(self, game: int, move_index: int, square: int, code: int):
        self.game, self.move_index, self.square, self.code = game, move_index, square, code
        where = square_name(square) if 0 <= square < 64 else str(square)
        super().__init__(f"game {game}, move {move_index}: square {square} ({where}) {self._WHY[code]}")


@dataclass
class Replay:
    """Positions of replayed games. t indexes moves; entries past a game's length are zero.

    boards       (n, 60, 64) int8  board after move t: 0 empty, 1 black, -1 white
    legal        (n, 60, 64) bool  legal moves before move t (for the side that plays it)
    player       (n, 60)     int8  who made move t: 1 black, -1 white, 0 padding
    next_player  (n, 60)     int8  who moves after move t (passes resolved; at game over, -player)
    next_legal   (n, 60, 64) bool  legal moves after move t (empty when the game is over)
    lengths      (n,)        int   number of moves in each game
    """

    boards: np.ndarray
    legal: np.ndarray
    player: np.ndarray
    next_player: np.ndarray
    next_legal: np.ndarray
    lengths: np.ndarray

    @property
    def mask(self) -> np.ndarray:
        """(n, 60) bool: which move slots hold a move."""
        return self.player != 0

    @property
    def turned(self) -> np.ndarray:
        """(n, 60) bool: after move t the side to move next is not the one strict alternation from black gives.
        A pass is not written in the move list, so after one (until another) a reader of the list that assumes
        the sides alternate has them the wrong way round; mine / theirs labels (relative_labels) follow the
        side that really moves. False past a game's length."""
        alternation = np.where(np.arange(self.next_player.shape[1]) % 2 == 0, WHITE, BLACK)
        return (self.next_player != alternation) & self.mask

    def absolute_labels(self) -> np.ndarray:
        return absolute_labels(self.boards)

    def relative_labels(self) -> np.ndarray:
        return relative_labels(self.boards, self.next_player)


def replay(games) -> Replay:
    """Replay (n, 60) games (or one game as a 1-D sequence). Raises IllegalMoveError (a ValueError)."""
    games = np.asarray(games)
    if games.ndim == 1:
        games = games[None, :]
    if games.ndim != 2 or games.shape[1] > MAX_MOVES:
        raise ValueError(f"games must have shape (n, <=60), got {games.shape}")
    if games.shape[1] < MAX_MOVES:
        games = np.pad(games, ((0, 0), (0, MAX_MOVES - games.shape[1])), constant_values=-1)
    games = games.astype(np.int16)
    n = games.shape[0]
    boards = np.zeros((n, MAX_MOVES, N_SQUARES), dtype=np.int8)
    legal = np.zeros((n, MAX_MOVES, N_SQUARES), dtype=np.bool_)
    next_legal = np.zeros((n, MAX_MOVES, N_SQUARES), dtype=np.bool_)
    player = np.zeros((n, MAX_MOVES), dtype=np.int8)
    next_player = np.zeros((n, MAX_MOVES), dtype=np.int8)
    lengths = np.zeros(n, dtype=np.int64)
    error = np.zeros(4, dtype=np.int64)
    _replay_kernel(games, boards, legal, player, next_player, next_legal, lengths, error)
    if error[3]:
        raise IllegalMoveError(*(int(v) for v in error))
    return Replay(boards, legal, player, next_player, next_legal, lengths)


def placer_boards(games, r: Replay | None = None) -> np.ndarray:
    """(n, 60, 64) int8, like Replay.boards but with each disc coloured by the side that placed it (the
    four starting discs keep their starting colours): the board a reader of the move list gets without
    tracking a single flip. Occupancy is exact; colour is right wherever a disc was never flipped or was
    flipped back. A baseline for colour probes (probes.placer_baseline)."""
    games = np.asarray(games)
    if games.ndim == 1:
        games = games[None, :]
    r = replay(games) if r is None else r
    n = games.shape[0]
    placed = np.zeros((n, N_SQUARES), dtype=np.int8)
    placed[:, list(START_WHITE)], placed[:, list(START_BLACK)] = WHITE, BLACK
    out = np.zeros((n, MAX_MOVES, N_SQUARES), dtype=np.int8)
    for t in range(min(games.shape[1], MAX_MOVES)):
        live = np.flatnonzero(r.player[:, t] != 0)
        placed[live, games[live, t]] = r.player[live, t]
        out[live, t] = placed[live]
    return out


def legal_moves_after(moves) -> list[int]:
    """The squares legal for the side to move after the sequence `moves` (names or ids)."""
    squares = [parse_square(m) for m in moves]
    if not squares:
        return [19, 26, 37, 44]
    r = replay(np.asarray(squares, dtype=np.int16))
    return [int(s) for s in np.flatnonzero(r.next_legal[0, len(squares) - 1])]


@numba.njit(cache=True)
def _legal_on_board(board, player, out):
    own, opp = _U64(0), _U64(0)
    for s in range(64):
        if board[s] == player:
            own |= _U64(1) << _U64(s)
        elif board[s] == -player:
            opp |= _U64(1) << _U64(s)
    _write_bits(out, _legal_moves(own, opp))


def legal_moves_on(board, player: int) -> np.ndarray:
    """(64,) bool: legal moves of `player` (1 black, -1 white) on any board (64 values in {0, 1, -1})."""
    b = np.asarray(board, dtype=np.int8).reshape(64)
    if player not in (1, -1):
        raise ValueError("player must be 1 (black) or -1 (white)")
    out = np.zeros(64, dtype=np.bool_)
    _legal_on_board(b, np.int8(player), out)
    return out


def absolute_labels(boards: np.ndarray) -> np.ndarray:
    """Class ids 0 empty, 1 black, 2 white (same shape as boards, int64)."""
    b = np.asarray(boards)
    return np.where(b == BLACK, 1, np.where(b == WHITE, 2, 0)).astype(np.int64)


def relative_labels(boards: np.ndarray, next_player: np.ndarray) -> np.ndarray:
    """Class ids 0 empty, 1 mine, 2 theirs, relative to the player to move next.

    boards (..., 64), next_player (...) with 1 black / -1 white.
    """
    b = np.asarray(boards) * np.asarray(next_player)[..., None]
    return np.where(b > 0, 1, np.where(b < 0, 2, 0)).astype(np.int64)
