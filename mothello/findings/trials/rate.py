"""Is it the learning rate? One recipe at several peak rates."""

from __future__ import annotations

import pandas as pd

from ... import suite
from ..numbers import run_objective
from ..text import millions, pct, pts
from .runs import DEPTH_MARGIN, _rate_name, _shape, lr_runs
from .tables import _all_below, _pace, _recipe, _snapshot_table, _trial_frame


def lr_by_games(numbers: dict) -> pd.DataFrame:
    """The learning-rate trial's snapshots (_trial_frame, by "rate": "lr 0.003"). Empty without the trial."""
    return _trial_frame(lr_runs(numbers), _rate_name, "rate")


def _reads_against(x, ref, other: str, along: str, pace_of: str, per: float | None) -> str:
    """'reads the colour as it does at OTHER (...)' or 'N points better / worse than at OTHER (...)', the lead along
    the runs (`along`), both runs' worst-language legal moves, and with a lead and the reference run's own pace `per`
    (points per doubling of the games, by `pace_of`) what the lead is worth in games; rows `x`, `ref`: _trial_frame's."""
    d = x.colour - ref.colour
    text = ("reads the colour " + (f"as it does at {other} ({pts(d)}" if abs(d) <= DEPTH_MARGIN else
                                   f"{100 * abs(d):.1f} points {'better' if d > 0 else 'worse'} than at {other} "
                                   f"({pct(x.colour)} against {pct(ref.colour)}")
            + f"; along the runs {along}), its legal moves in the worst language at {pct(x.legal_min)} against "
            f"{pct(ref.legal_min)}")
    if d > DEPTH_MARGIN and per and per > 0:
        text += (f"; at {pace_of} own pace over its last snapshots ({100 * per:.1f} points per doubling of the games) "
                 f"the lead is worth {2 ** (d / per):.1f}x the games")
    return text + "."


def _each_against(names: list[str], ref: str, at: dict, steps: list[int], games: int, other: str, pace_of: str,
                  per: float | None) -> tuple[list[str], dict[str, float]]:
    """For each run of `names` but the reference `ref`: 'At NAME, after GAMES the model reads ...' (_reads_against,
    at the last of `steps`, with its lead along them; rows `at` by (name, step)), and its lead there, by name."""
    said, leads = [], {}
    last = steps[-1]
    for n in names:
        if n == ref:
            continue
        leads[n] = at[(n, last)].colour - at[(ref, last)].colour
        along = ", ".join(pts(at[(n, st)].colour - at[(ref, st)].colour) for st in steps)
        said.append(f"At {n}, after {millions(games)} the model "
                    + _reads_against(at[(n, last)], at[(ref, last)], other, along, pace_of, per))
    return said, leads


def _one_knob_verdict(leads: dict[str, float], games: int, knob: str, knobs: str, within: list[str] = ()) -> list[str]:
    """A one-knob trial's closing sentences (the learning rate's, the weight decay's), from each other setting's lead
    over the suite's after `games` (`leads`, by name): the knob does not change a step's work; then the setting that
    reads the colour best by more than DEPTH_MARGIN, or (after the sentences `within`) that none does."""
    said = [f"The {knob} does not change the work of a step, so after as many games is after as much training."]
    best = max(leads, key=leads.get) if leads else None
    if best is not None and leads[best] > DEPTH_MARGIN:
        return said + [f"Of the {knobs} tried, {best} reads the colour best after {millions(games)}: at this scale it "
                       f"teaches the colour faster than the suite's {knob}, and is worth trying in the suite's first "
                       "stage; whether its lead holds over a longer run, this trial cannot tell."]
    return said + list(within) + [
        f"No {knob} tried reads the colour more than {100 * DEPTH_MARGIN:.0f} point better than the suite's after "
        f"{millions(games)}: at this scale the suite's {knob} is not what holds the colour back."]


def lr_section(numbers: dict) -> str:
    """Is it the learning rate? One suite model from scratch at one shape and objective, at the suite's peak
    learning rate and at others, one recipe but for the rates on the same games: each rate's colour against
    the suite's after as many games, along the runs and at their end, and what a lead is worth in games at the
    suite rate's own pace. "" without the trial."""
    runs = lr_runs(numbers)
    df = _trial_frame(runs, _rate_name, "rate")
    if not runs or df.empty:
        return ""
    base = next(r for r in runs if r["lr"] == suite.SUITE_TRAINING["lr"])
    names, ref = [_rate_name(r) for r in runs], _rate_name(base)
    objective = run_objective(base)
    rates = (", ".join(f"{r['lr']:g}" for r in runs[:-1]) + f" and {runs[-1]['lr']:g}")
    lines = ["## Is it the learning rate?\n",
             f"The trials above train at the suite's peak learning rate, {base['lr']:g} at batch {base['batch_size']}. "
             "Would the colour come faster at another? Here "
             f"`{base['experiment']}` trained from scratch at {_shape(base)} with `{objective}`"
             + (" (the objective trial's faster objective)" if objective != "next-token" else "")
             + f" at peak lr {rates}, "
             + _recipe(base, rates=f"warm-up {base['warmup_steps']:,}, each rate's cosine to a tenth of it")]
    table, steps, at = _snapshot_table(df, "rate", names, "games seen", None)
    lines += table
    if not steps:
        return "\n".join(lines) + "\n"
    last, per = steps[-1], _pace(at, ref, steps)
    games = last * base["batch_size"]
    said, leads = _each_against(names, ref, at, steps, games, "the suite's rate", "the suite rate's", per)
    alike = [r["lr"] for r, n in zip(runs, names) if n == ref or abs(leads[n]) <= DEPTH_MARGIN]
    spread = max([abs(d) for d in leads.values() if abs(d) <= DEPTH_MARGIN], default=0.0)
    within = [f"From lr {min(alike):g} to {max(alike):g} ({max(alike) / min(alike):.0f}x) the colour after "
              f"{millions(games)} stays within {100 * spread:.1f} points of the suite's rate's."] if len(alike) >= 2 else []
    said += _one_knob_verdict(leads, games, "rate", "rates", within)
    said += _all_below(df["colour"].max(), games)
    lines.append(" ".join(said))
    return "\n".join(lines) + "\n"
