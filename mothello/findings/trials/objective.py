"""Is it the noise of the target? The sampled next move against its exact distribution, from scratch, and carried on."""

from __future__ import annotations

import pandas as pd

from ..numbers import run_objective
from ..pace import to_target
from ..text import millions, pct, pts
from ..verdicts import COLOUR_TARGET, TARGET
from .runs import DEPTH_MARGIN, _objective_pairs, _shape
from .tables import _common_steps, _doublings, _head_to_head, _pace, _recipe, _trial_frame


def objective_by_games(numbers: dict) -> pd.DataFrame:
    """The objective trials' snapshots (_trial_frame, by "objective": the objective, and with the trial carried
    on further its steps too, "legal-set, 12,000 steps"), with the columns "trained_on" (the objective) and
    "run_steps" (the run's length). Empty without one."""
    pairs = _objective_pairs(numbers)
    name = run_objective if len(pairs) < 2 else (lambda r: f"{run_objective(r)}, {r['steps']:,} steps")
    frames = [_trial_frame(p, name, "objective").assign(
        trained_on=lambda f, p=p: f["objective"].map({name(r): run_objective(r) for r in p}),
        run_steps=p[0]["steps"]) for p in pairs]
    return pd.concat(frames, ignore_index=True) if frames else \
        _trial_frame([], run_objective, "objective").assign(trained_on=[], run_steps=[])


def objective_section(numbers: dict) -> str:
    """Is it the noise of the next-token target? The objective trial: one suite model from scratch at one
    shape, trained on the sampled next move (next-token, the study's) and on its exact distribution
    (legal-set), one recipe on the same games. "" without such a pair."""
    pairs = _objective_pairs(numbers)
    if not pairs:
        return ""
    runs = pairs[0]
    r0, names = runs[0], [run_objective(r) for r in runs]
    lines = ["## Is it the noise of the target?\n",
             "Next-token training scores the model, after every move, on the one move the game happened to play "
             "next. Our games are uniformly random: the generator picks that move uniformly among the legal "
             "ones, so the expected target after every move is known exactly, the uniform distribution over the "
             "legal next moves (on their first tokens). Training on that expectation (`--objective legal-set`) "
             "minimises the same expected loss as next-token training, with less noise in every step; inside "
             "a move of several tokens both train on the token that follows. Here "
             f"`{r0['experiment']}` trained from scratch at {_shape(r0)} with "
             + " and with ".join(f"`{n}`" for n in names) + ", " + _recipe(r0)]
    column = f"colour, {names[-1]} minus {names[0]}"
    df = _trial_frame(runs, run_objective, "objective")
    lines += _head_to_head(runs, df, "objective", names, column, "objective")
    leads = [_lead(runs, df)]
    for longer in pairs[1:]:
        r = longer[0]
        lines += ["", f"**Carried on.** The same objectives again over {r['steps']:,} steps "
                  f"({millions(r['steps'] * r['batch_size'])}), one after the other on the same machine, on the same "
                  f"stream of games: the same recipe but for its length (peak lr {r['lr']:g}, warm-up "
                  f"{r['warmup_steps']:,}, the cosine to {r['min_lr']:g} spanning the longer run, so a snapshot "
                  "here is not the shorter runs' at the same step).\n"]
        df = _trial_frame(longer, run_objective, "objective")
        lines += _head_to_head(longer, df, "objective", [run_objective(x) for x in longer], column, "objective")
        leads.append(_lead(longer, df))
        if longer is pairs[-1]:
            lines.append(_to_target(longer, df))
    lines.append(f"\nThe shipped models train next-token, as the study does, and the pace to {TARGET} above is theirs. "
                 + _leads_said(leads, names[-1]))
    return "\n".join(lines) + "\n"


def _to_target(runs: list[dict], df: pd.DataFrame, target: float = COLOUR_TARGET) -> str:
    """Where each run's own pace over its last two snapshots (colour per doubling of the games; `df`: their
    _trial_frame by objective) would take it to `target`: after how many games in all; "" when no run has a
    pace."""
    names = [run_objective(r) for r in runs]
    steps, at = _common_steps(df, "objective", names)
    said = []
    for n, r in zip(names, runs):
        per, last = _pace(at, n, steps), at[(n, steps[-1])] if steps else None
        if last is None or per is None:
            continue
        games = steps[-1] * r["batch_size"]
        if last.colour >= target:
            said.append(f"the {n} run is at {pct(last.colour)}, past it")
            continue
        more, total = to_target(games, last.colour, per, target)
        before = _pace(at, n, steps[:-1])
        said.append(f"the {n} run ({100 * per:.1f} points per doubling, {steps[-2] * r['batch_size']:,} to {games:,}"
                    + (f", after {100 * before:.1f} from {steps[-3] * r['batch_size']:,}" if before else "")
                    + f") after about {millions(total)} in all ({more:.1f} more doublings)")
    if not said:
        return ""
    return (f"\nAt its own pace over its last snapshots, each run would read the colour at {target:.0%}: "
            + "; ".join(said) + ". A pace read off two snapshots is a rough guide: along a run it changes, "
            "and the learning rate's schedule ends with the run.")


def _lead(runs: list[dict], df: pd.DataFrame) -> dict | None:
    """The last objective's colour lead over next-token at each of the runs' common snapshots (`along`:
    (games, lead) pairs; `df`: their _trial_frame by objective) and at the last one: its games, the lead,
    and what it is worth in games at the next-token run's own pace there (None without a pace)."""
    names = [run_objective(r) for r in runs]
    steps, at = _common_steps(df, "objective", names)
    if not steps:
        return None
    along = [(st * runs[0]["batch_size"], at[(names[-1], st)].colour - at[(names[0], st)].colour) for st in steps]
    per = _pace(at, names[0], steps)
    d = along[-1][1]
    return {"games": along[-1][0], "lead": d, "worth": 2 ** (d / per) if per and d > 0 else None, "along": along}


def _leads_said(leads: list[dict | None], other: str) -> str:
    """What the objective trials tell of the exact target in the end: from its start alone, nothing; carried
    on, its lead over next-token along the longest runs and whether it grew, held or shrank (within
    DEPTH_MARGIN) over their last doubling of the games, beside the trial's lead at its end."""
    leads = [x for x in leads if x]
    if len(leads) < 2:
        return ("This trial tells how a model trained on the exact target starts, not whether it would reach the "
                "target sooner in the end: that needs the comparison carried on over millions of games.")
    a, b = leads[0], leads[-1]
    worth = lambda x: f", worth {x['worth']:.1f}x the games at the next-token run's pace there" if x["worth"] else ""  # noqa: E731
    said = (f"Along the carried-on runs the {other} lead went " + ", ".join(pts(d) for _, d in b["along"])
            + f" ({b['along'][0][0]:,} to {b['games']:,} games)")
    if len(b["along"]) >= 2:
        (g0, d0), (g1, d1) = b["along"][-2:]
        change = d1 - d0
        said += f"; over their last {_doublings(g0, g1)} of the games it " + (
            "held (within a point)" if abs(change) <= DEPTH_MARGIN else
            f"{'grew' if change > 0 else 'shrank'} by {100 * abs(change):.1f} points")
    said += (f". At their ends: {pts(a['lead'])} after {millions(a['games'])} (the trial{worth(a)}), "
             f"{pts(b['lead'])} after {millions(b['games'])} (carried on{worth(b)}). ")
    return said + (f"Whether the exact target would reach the {TARGET} target sooner in the end needs the comparison "
                   "carried on over millions of games.")
