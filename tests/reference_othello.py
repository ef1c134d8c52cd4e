"""A second, independent Othello engine in plain Python: lists, 8 directions, one game at a time.

It shares no code with mothello.othello. The tests check the fast engine against it; the engine
benchmark uses it as the straightforward baseline.
"""

import random

DIRECTIONS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


class Game:
    def __init__(self):
        self.board = [[0] * 8 for _ in range(8)]
        self.board[3][3] = self.board[4][4] = -1  # d4, e5 white
        self.board[3][4] = self.board[4][3] = 1   # d5, e4 black
        self.player = 1

    def flips(self, r, c, player):
        if self.board[r][c] != 0:
            return []
        out = []
        for dr, dc in DIRECTIONS:
            line = []
            rr, cc = r + dr, c + dc
            while 0 <= rr < 8 and 0 <= cc < 8 and self.board[rr][cc] == -player:
                line.append((rr, cc))
                rr += dr
                cc += dc
            if line and 0 <= rr < 8 and 0 <= cc < 8 and self.board[rr][cc] == player:
                out.extend(line)
        return out

    def is_legal(self, r, c, player):
        if self.board[r][c] != 0:
            return False
        for dr, dc in DIRECTIONS:
            rr, cc = r + dr, c + dc
            seen = False
            while 0 <= rr < 8 and 0 <= cc < 8 and self.board[rr][cc] == -player:
                rr += dr
                cc += dc
                seen = True
            if seen and 0 <= rr < 8 and 0 <= cc < 8 and self.board[rr][cc] == player:
                return True
        return False

    def legal(self, player=None):
        player = self.player if player is None else player
        return [r * 8 + c for r in range(8) for c in range(8) if self.is_legal(r, c, player)]

    def can_move(self, player):
        return any(self.is_legal(r, c, player) for r in range(8) for c in range(8))

    def resolve_pass(self):
        """If the side to move cannot move, pass to the other side. False when the game is over."""
        if self.can_move(self.player):
            return True
        self.player = -self.player
        return self.can_move(self.player)

    def play(self, square):
        r, c = divmod(square, 8)
        flipped = self.flips(r, c, self.player)
        if not flipped:
            raise ValueError(f"illegal move {square}")
        self.board[r][c] = self.player
        for rr, cc in flipped:
            self.board[rr][cc] = self.player
        self.player = -self.player

    def flat(self):
        return [v for row in self.board for v in row]


def random_game(rng: random.Random):
    g = Game()
    moves = []
    while g.resolve_pass():
        sq = rng.choice(g.legal())
        g.play(sq)
        moves.append(sq)
    return moves


def trace(moves):
    """Per move: (legal before, mover, board after, next player, legal after). Raises on illegal."""
    g = Game()
    out = []
    for sq in moves:
        if not g.resolve_pass():
            raise ValueError("game over")
        before = sorted(g.legal())
        if sq not in before:
            raise ValueError(f"illegal move {sq}")
        mover = g.player
        g.play(sq)
        over = not g.resolve_pass()
        nxt = g.player if not over else -mover
        out.append((before, mover, g.flat(), nxt, [] if over else sorted(g.legal())))
    return out
