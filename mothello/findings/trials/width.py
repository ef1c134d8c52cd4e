"""Is it width? One suite model from scratch at several widths, one recipe on the same games."""

from __future__ import annotations

import pandas as pd

from .runs import _by_shape, _shape
from .tables import _head_to_head, _recipe, _trial_frame


def width_by_games(numbers: dict) -> pd.DataFrame:
    """The width trials' snapshots (_trial_frame, by "shape"). Empty without width trials."""
    return _trial_frame(_by_shape(numbers), _shape, "shape")


def width_section(numbers: dict) -> str:
    """Is the colour a matter of width? The width trials: one suite model from scratch at several shapes
    with one recipe on the same games, compared after as many games and after as much training time. ""
    without recorded trials."""
    runs = _by_shape(numbers)
    df = width_by_games(numbers)
    if not runs or df.empty:
        return ""
    r0 = runs[0]
    kept = {r["d_model"] for r in numbers.get("depth") or []}
    lines = ["## Is it width?\n",
             (f"The depth trials above kept the width at {kept.pop()}. " if len(kept) == 1 else "")
             + f"Here `{r0['experiment']}` trained from scratch at "
             + " and ".join(f"{_shape(r)} ({r['params'] / 1e6:.1f}M parameters)" for r in runs)
             + ", " + _recipe(r0)]
    lines += _head_to_head(runs, df, "shape", [_shape(r) for r in runs], "colour, widest minus narrowest", "shape")
    return "\n".join(lines) + "\n"
