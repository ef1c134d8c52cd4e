"""Is it the batch? One recipe over as many games at several batches."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import suite
from ..numbers import WIDTH_RUNS, run_objective
from ..text import millions, pct, pts
from .rate import _reads_against
from .runs import DEPTH_MARGIN, _batch_name, _setup, _shape, _where, batch_runs, depth_no_faster
from .tables import _all_below, _rates, _stopped, _times, _trial_frame


def batch_by_games(numbers: dict) -> pd.DataFrame:
    """The batch trial's snapshots (_trial_frame, by "batch": "batch 32"), the suite's batch first. Empty without
    the trial."""
    return _trial_frame(batch_runs(numbers), _batch_name, "batch")


def batch_section(numbers: dict) -> str:
    """Is it the batch? One suite model from scratch at one shape, objective and rates over the same games at the
    suite's batch and at a smaller (or larger) one: so many more (or fewer) optimizer steps for each game. Each
    batch's colour against the suite's after as many games, what a lead is worth in games at the suite batch's own
    pace, and where the runs trained (a difference in machine or number format is said, not hidden). "" without
    the trial."""
    runs = batch_runs(numbers)
    df = batch_by_games(numbers)
    if not runs or df.empty:
        return ""
    base = next(r for r in runs if r["batch_size"] == suite.SUITE_TRAINING["batch_size"])
    names, ref = [_batch_name(r) for r in runs], _batch_name(base)
    games_all = base["steps"] * base["batch_size"]
    lines = ["## Is it the batch?\n",
             f"The trials above on this project's machine train at the suite's batch, {base['batch_size']} games a step. "
             "Would more optimizer "
             "steps for as many games teach the colour faster? Here "
             f"`{base['experiment']}` trained from scratch at {_shape(base)} with `{run_objective(base)}` at batch "
             + " and ".join(str(r["batch_size"]) for r in runs) + f", each over {millions(games_all)} ("
             + " and ".join(f"{r['steps']:,} steps" for r in runs) + f"), at the same {_rates(base)} (in steps, "
             "each run's schedule), on the same stream of fresh games; snapshots analysed as the shipped models are "
             f"(linear probes, relative labels, {base['probe_games']:,} training games per language, at the layer "
             "where the in-language colour probe is best; legal moves on the 500 held-out games). Their weights do "
             f"not ship; their numbers are in `checkpoints/{WIDTH_RUNS}`. Where each trained: "
             + "; ".join(f"{n}: {_where(r)}{_stopped(r)}" for n, r in zip(names, runs)) + ".\n"]
    at = {(x.batch, x.games): x for x in df.itertuples()}
    games = sorted(set.intersection(*(set(df[df["batch"] == n]["games"]) for n in names)))
    head = ["games seen"] + [c for n in names for c in (f"{n}: steps", f"{n}: legal moves, worst language",
                                                        f"{n}: colour in-language")]
    lines += ["| " + " | ".join(head + [f"colour, {names[-1]} minus {ref}"]) + " |", "|" + "---|" * (len(head) + 1)]
    for g in games:
        cells = [f"{g:,}"]
        for n in names:
            x = at[(n, g)]
            cells += [f"{x.step:,}", pct(x.legal_min), f"{pct(x.colour)} (layer {x.layer})"]
        lines.append("| " + " | ".join(cells + [pts(at[(names[-1], g)].colour - at[(ref, g)].colour)]) + " |")
    lines.append("")
    if not games:
        return "\n".join(lines) + "\n"
    g1 = games[-1]
    per = ((at[(ref, g1)].colour - at[(ref, games[-2])].colour) / float(np.log2(g1 / games[-2]))
           if len(games) >= 2 else None)
    said = []
    for r, n in zip(runs, names):
        if n == ref:
            continue
        steps_each = base["batch_size"] / r["batch_size"]
        along = ", ".join(pts(at[(n, g)].colour - at[(ref, g)].colour) for g in games)
        said.append(f"At {n} ({steps_each:g}x the optimizer steps for each game), after {millions(g1)} the model "
                    + _reads_against(at[(n, g1)], at[(ref, g1)], ref, along, f"{ref}'s", per))
        same = _setup(r) == _setup(base)
        if same:
            a, b = (x["measured"]["steps_per_s"] * x["batch_size"] for x in (r, base))
            said.append(f"Per game it trains {_times(b / a)} on this machine ({a:.0f} games/s against {b:.0f}, each "
                        "measured alone).")
        else:
            said.append("The two trained on different machines or number formats (above): this trial does not "
                        "separate the batch from that difference, and their speeds do not compare.")
    alike = [n for n in names if n != ref and abs(at[(n, g1)].colour - at[(ref, g1)].colour) <= DEPTH_MARGIN]
    if len(alike) == len(names) - 1:
        sizes = sorted(r["batch_size"] for r in runs)
        said.append(f"From batch {sizes[0]} to {sizes[-1]} the colour after as many games stays within "
                    f"{100 * DEPTH_MARGIN:.0f} point: at this scale the number of optimizer steps for each game is not "
                    "what holds the colour back.")
        bigger = [r["batch_size"] for r in depth_no_faster(numbers) if r["batch_size"] > sizes[-1]]
        if bigger:
            said.append(f"The depth trials on the GPU trained at batch {max(bigger):,}, "
                        f"{max(bigger) // sizes[-1]}x the largest here: whether that batch held their depth back, "
                        "this trial does not tell.")
    said += _all_below(df["colour"].max(), g1)
    lines.append(" ".join(said))
    return "\n".join(lines) + "\n"
