"""How the app writes numbers at a glance: percentages, changes in points, durations. (The findings
report writes them more precisely: mothello/findings/text.py.)"""

from __future__ import annotations

import numpy as np


def pct(x: float) -> str:
    """A fraction as a whole percentage: '82%' ('n/a' for none)."""
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.0%}"


def pts(x: float) -> str:
    """A change in accuracy, in percentage points."""
    if x is None or not np.isfinite(x):
        return "n/a"
    v = round(100 * x)
    return "±0 points" if v == 0 else f"{v:+d} point{'s' * (abs(v) != 1)}"


def duration(seconds) -> str:
    """Seconds as '42 s', '3 min 05 s' or '1 h 02 min' ('–' for none)."""
    if seconds is None or not np.isfinite(seconds):
        return "–"
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def delta(x) -> str | None:
    """A change for st.metric's delta: '+2.0 pts' (None for none)."""
    return None if x is None or not np.isfinite(x) else f"{100 * x:+.1f} pts"
