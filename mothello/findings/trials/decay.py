"""Is it the weight decay? One recipe at several AdamW weight decays."""

from __future__ import annotations

import pandas as pd

from ...train import TrainConfig, lr_at
from ..numbers import WIDTH_RUNS, run_decay, run_objective
from ..text import pct
from .rate import _each_against, _one_knob_verdict
from .runs import _decay_name, _shape, _where, decay_runs
from .tables import _all_below, _length, _pace, _rates, _snapshot_table, _stopped, _trial_frame


def decay_by_games(numbers: dict) -> pd.DataFrame:
    """The weight-decay trial's snapshots (_trial_frame, by "decay": "weight decay 0"), lowest first. Empty
    without the trial."""
    return _trial_frame(decay_runs(numbers), _decay_name, "decay")


def kept_by_decay(r: dict) -> float:
    """What the weight decay alone leaves of a decayed weight over a recorded run's schedule: the product over its
    steps of (1 - lr x weight decay), AdamW's decoupled shrink (1.0 at weight decay 0)."""
    tc = TrainConfig(steps=r["steps"], batch_size=r["batch_size"], lr=r["lr"], min_lr=r["min_lr"],
                     warmup_steps=r["warmup_steps"])
    wd, kept = run_decay(r), 1.0
    for step in range(r["steps"]):
        kept *= 1.0 - lr_at(step, tc) * wd
    return kept


def decay_section(numbers: dict) -> str:
    """Is it the weight decay? One suite model from scratch at one shape, objective and recipe, at the suite's
    AdamW weight decay and at others, on the same games: each one's colour against the suite's after as many
    games, along the runs and at their end, what a lead is worth in games at the suite decay's own pace, how much
    of a weight each decay alone leaves over the schedule, and where each run trained. "" without the trial."""
    runs = decay_runs(numbers)
    df = decay_by_games(numbers)
    if not runs or df.empty:
        return ""
    base = next(r for r in runs if run_decay(r) == TrainConfig.weight_decay)
    names, ref = [_decay_name(r) for r in runs], _decay_name(base)
    decays = ", ".join(f"{run_decay(r):g}" for r in runs[:-1]) + f" and {run_decay(runs[-1]):g}"
    lines = ["## Is it the weight decay?\n",
             f"The trials above train with the suite's AdamW weight decay, {run_decay(base):g} (on the weight matrices "
             "and embeddings; none on biases and layer norms). Would the colour come faster with less of it, or more? "
             f"Here `{base['experiment']}` trained from scratch at {_shape(base)} with `{run_objective(base)}` at "
             f"weight decay {decays}, one recipe but for the weight decay on the same stream of fresh games: "
             f"{base['steps']:,} steps at batch {base['batch_size']}, {_rates(base)} (the suite's first "
             f"stage{_length(base)}). Each run's snapshots are analysed as the shipped models are (linear probes, "
             f"relative labels, {base['probe_games']:,} training games per language, at the layer where the "
             "in-language colour probe is best; legal moves on the 500 held-out games). Their weights do not ship; "
             f"their numbers are in `checkpoints/{WIDTH_RUNS}`. Where each trained: "
             + "; ".join(f"{n}: {_where(r)}{_stopped(r)}" for n, r in zip(names, runs)) + ". Over the schedule "
             "the decay alone (AdamW's shrink by the learning rate times the weight decay at each step) would leave "
             + ", ".join(f"{pct(kept_by_decay(r))} of a weight at {run_decay(r):g}" for r in runs
                         if run_decay(r) > 0) + ".\n"]
    table, steps, at = _snapshot_table(df, "decay", names, "games seen", None)
    lines += table
    if not steps:
        return "\n".join(lines) + "\n"
    per = _pace(at, ref, steps)
    games = steps[-1] * base["batch_size"]
    said, leads = _each_against(names, ref, at, steps, games, "the suite's weight decay", "the suite decay's", per)
    said += _one_knob_verdict(leads, games, "weight decay", "weight decays")
    said += _all_below(df["colour"].max(), games)
    lines.append(" ".join(said))
    return "\n".join(lines) + "\n"
