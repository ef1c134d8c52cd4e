"""Numbers and tables as the findings report writes them: percentages, points, ratios, game counts,
Markdown tables."""

from __future__ import annotations

import numpy as np
import pandas as pd


def pct(x) -> str:
    """A fraction as a percentage with one decimal: '81.7%' ('n/a' for none)."""
    return "n/a" if x is None or not np.isfinite(x) else f"{100 * x:.1f}%"


def pts(x) -> str:
    """A difference of fractions in signed percentage points: '+2.0 points'."""
    return "n/a" if x is None or not np.isfinite(x) else f"{100 * x:+.1f} points"


def ratio(r: float) -> str:
    """A transfer ratio with two decimals ('n/a' when undefined)."""
    return f"{r:.2f}" if np.isfinite(r) else "n/a"


def markdown_table(df: pd.DataFrame) -> str:
    if df.empty:
        return "_(none yet)_"
    head = "| " + " | ".join(df.columns) + " |\n|" + "---|" * len(df.columns) + "\n"
    return head + "".join("| " + " | ".join(str(v) for v in row) + " |\n" for row in df.itertuples(index=False))


def millions(games: int) -> str:
    """'1.5 million games' ('2.0 billion games'; under a million, every game: '320,000 games')."""
    if games < 1e6:
        return f"{int(games):,} games"
    return f"{games / 1e9:.1f} billion games" if games >= 1e9 else f"{games / 1e6:.1f} million games"
