"""The in-language colour probe against the games a model has seen: its analysed stage ends, readings
between them (a straight line against log games) and its pace per doubling of the games."""

from __future__ import annotations

import numpy as np

from .. import suite
from ..checkpoints import games_at
from .verdicts import COLOUR_TARGET


MIN_PACE_DOUBLINGS = 0.5   # the least span of stage ends (in doublings of the games seen) a pace is read from


def model_games(m: dict, step: int) -> int:
    """Games model numbers `m` had seen by `step` (checkpoints.games_at over its recorded stages; a stage
    that records no batch trained at the suite's). checkpoints.games_seen does the same from a checkpoint's
    metadata."""
    return games_at((m.get("trained") or {}).get("stages") or [], step, suite.SUITE_TRAINING["batch_size"])


def analysed_ends(m: dict) -> dict[int, dict]:
    """{step: headline numbers} of a model at its analysed stage ends with a colour probe, and at its last step."""
    ends = {st: e for st, e in (m.get("stage_ends") or {}).items() if e.get("colour_in_language") is not None}
    ends[m["step"]] = m
    return ends


def colour_ends(m: dict) -> dict[int, float]:
    """{step: in-language colour at the report's layer} of a model's analysed stage ends and its last step."""
    ends = {s["step"]: s["colour_in_language"] for s in [m.get("previous_stage") or {},
                                                        *(m.get("stage_ends") or {}).values()]
            if s.get("colour_in_language") is not None and s.get("step")}
    if m.get("colour_in_language") is not None:
        ends[m["step"]] = m["colour_in_language"]
    return ends


def colour_at_games(m: dict, games: float) -> float | None:
    """The model's in-language colour after `games` games, read off a straight line through its two
    analysed stage ends around that many games, against log2(games); None outside them."""
    return log_interpolate([(model_games(m, st), c) for st, c in colour_ends(m).items()], games)


def log_interpolate(points: list[tuple[float, float]], x: float) -> float | None:
    """y at x on the straight line, against log x, through the two (x, y) points around x; None outside
    them (or with x not positive)."""
    pts_ = sorted(points)
    for (x0, y0), (x1, y1) in zip(pts_, pts_[1:]):
        if 0 < x0 <= x <= x1:
            return y0 + (y1 - y0) * float(np.log(x / x0) / np.log(x1 / x0)) if x1 > x0 else y1
    return None


def colour_per_doubling(m: dict) -> float | None:
    """Points of colour a doubling of the games seen added over the model's analysed stage ends (the slope of
    a least-squares line through colour against log2 games); None when they span under MIN_PACE_DOUBLINGS."""
    pts_ = sorted((model_games(m, st), c) for st, c in colour_ends(m).items())
    x = np.log2([g for g, _ in pts_])
    if len(pts_) < 2 or x[-1] - x[0] < MIN_PACE_DOUBLINGS:
        return None
    return float(np.polyfit(x, [c for _, c in pts_], 1)[0])


def to_target(games: float, colour: float, per: float, target: float = COLOUR_TARGET) -> tuple[float, float]:
    """(doublings still to go, games in all) for a model reading the colour at `colour` after `games` games to
    read it at `target`, gaining `per` (a fraction, > 0) a doubling of the games seen; the games are infinite
    where a pace that slow would need more than a float holds."""
    more = (target - colour) / per
    try:
        return more, games * 2.0 ** more
    except OverflowError:
        return more, float("inf")
