"""What the trials' sections share: a trial's snapshots as a frame, its table by snapshot, its recipe in words, the
pace between snapshots, and the head-to-head comparison of runs from scratch with one recipe."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import suite
from ..numbers import WIDTH_RUNS
from ..pace import log_interpolate, to_target
from ..text import millions, pct, pts
from ..verdicts import COLOUR_TARGET, TARGET
from .runs import DEPTH_MARGIN, _best, _host, _setup, _shape, _spec, _where


def _together(n: int) -> str:
    return {1: "alone on the GPU", 2: "both at once on the one GPU"}.get(n, f"all {n} at once on the one GPU")


def _span(xs: list[float]) -> str:
    """'1.5-2.6 points' (or '2.0 points' when they agree), from fractions."""
    lo, hi = 100 * min(xs), 100 * max(xs)
    return f"{lo:.1f} points" if round(lo, 1) == round(hi, 1) else f"{lo:.1f}-{hi:.1f} points"


def _all_below(colour: float, games: int, then: str = "") -> list[str]:
    """A trial's closing sentence when even its best run (`colour`) reads the colour below the target after
    `games`; none when one reaches it. `then` goes on the sentence (': the trial tells ...')."""
    return [f"All are below the {TARGET} target after {millions(games)}{then}."] if colour < COLOUR_TARGET else []


def _trial_frame(runs: list[dict], name, key: str) -> pd.DataFrame:
    """Recorded trial runs' snapshots, one row each: the run's name (column `key`), step, games (seen; for
    a run that continues the shipped model, added since it started; for a later stage of a trial run, seen
    since that run started), minutes of training to get there at the run's measured speed, the worst
    language's legal moves, and the in-language colour and the layer it is best at."""
    cols = [key, "step", "games", "minutes", "legal_min", "colour", "layer"]
    rows = []
    for r in runs:
        for p in r["points"]:
            b = _best(p)
            start = 0 if r.get("from_run") else r.get("from_step", 0)
            rows.append({key: name(r), "step": p["step"], "games": (p["step"] - start) * r["batch_size"],
                         "minutes": p["train_s"] / 60 if p.get("train_s") is not None else np.nan,
                         "legal_min": min(p["legal_move_accuracy"].values()),
                         "colour": b["colour_in_language"], "layer": b["layer"]})
    return pd.DataFrame(rows, columns=cols)


def _recipe(r0: dict, what: str = "", rates: str | None = None) -> str:
    """How a from-scratch trial trained: where, its recipe and where its numbers are (then `what`); `rates`
    words the learning rates where the runs differ in them (the learning-rate trial)."""
    where = _host(r0)
    rates = rates or _rates(r0)
    return (f"one after the other on this project's own machine ({where}, PyTorch {r0['torch']}), with one recipe "
            f"on the same stream of fresh games: {r0['steps']:,} steps at batch {r0['batch_size']}, {rates}, "
            f"{r0['dtype']} (the suite's first stage{_length(r0)}{', but for the rates' if rates != _rates(r0) else ''}). "
            "Each run's snapshots are analysed as the shipped models are (linear probes, "
            f"relative labels, {r0['probe_games']:,} training games per language, at the layer where the "
            "in-language colour probe is best; legal moves on the 500 held-out games). Their weights do not "
            f"ship; their numbers are in `checkpoints/{WIDTH_RUNS}`." + (f" {what}" if what else "") + "\n")


def _length(r0: dict) -> str:
    """How a trial's run is as long as the suite's first stage: ', cut short', '' or ', drawn out'."""
    first = suite.SUITE_TRAINING["steps"]
    return ", cut short" if r0["steps"] < first else ", drawn out" if r0["steps"] > first else ""


def _rates(r0: dict) -> str:
    return f"peak lr {r0['lr']:g}, warm-up {r0['warmup_steps']:,}, cosine to {r0['min_lr']:g}"


def _times(ratio: float) -> str:
    """'2.4x as long', or 'about as long' within 10%."""
    return "about as long" if abs(ratio - 1) < 0.1 else f"{ratio:.1f}x as long"


def _common_steps(df: pd.DataFrame, key: str, names: list[str]) -> tuple[list[int], dict]:
    """The steps every run named in `names` (column `key` of _trial_frame rows) has, sorted, and the rows by
    (name, step)."""
    steps = sorted(set.intersection(*(set(df[df[key] == s]["step"]) for s in names)))
    return steps, {(getattr(x, key), x.step): x for x in df.itertuples()}


def _snapshot_table(df: pd.DataFrame, key: str, names: list[str], games_title: str,
                    last_column: str | None, union: bool = False,
                    leads: list[tuple[str, str, str]] = ()) -> tuple[list[str], list[int], dict]:
    """A trial's runs side by side (_trial_frame rows, runs named in column `key`), one row per step they
    all have (`union`: any of them has, a dash where a run has none, as for a run stopped part-way): its games,
    then each run's worst language's legal moves and colour (with its layer), and with `last_column` the last
    run's colour minus the first's; each of `leads` (title, run, minus run) adds such a column for two named runs.
    (lines, those steps, {(name, step): row})."""
    steps, at = _common_steps(df, key, names)
    if union:
        steps = sorted(set(df[df[key].isin(names)]["step"]))
    head = ["steps", games_title] + [c for s in names for c in (f"{s}: legal moves, worst language",
                                                                f"{s}: colour in-language")]
    extra = ([last_column] if last_column else []) + [title for title, _, _ in leads]
    lines = ["| " + " | ".join(head + extra) + " |", "|" + "---|" * (len(head) + len(extra))]
    for st in steps:
        cells = [f"{st:,}", f"{next(at[(s, st)] for s in names if (s, st) in at).games:,}"]
        for s in names:
            x = at.get((s, st))
            cells += [pct(x.legal_min), f"{pct(x.colour)} (layer {x.layer})"] if x is not None else ["–", "–"]
        if last_column:
            cells.append(pts(at[(names[-1], st)].colour - at[(names[0], st)].colour))
        cells += [pts(at[(b, st)].colour - at[(a, st)].colour) for _, b, a in leads]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""], steps, at


def _would_reach(r: dict, games: float, colour: float, per: float) -> str:
    """Where the recorded run `r`, reading `colour` after `games` and gaining `per` a doubling of the games, would
    read the colour at the target at that pace: 'would read the colour at 90% after about ... in all (... more
    doublings), some ... more hours of training at its speed where it trained (...); a pace read off so few games
    is a rough guide.'"""
    more, total = to_target(games, colour, per)
    speed = r["measured"]["steps_per_s"]
    hours = (total - games) / r["batch_size"] / speed / 3600
    return (f"would read the colour at {TARGET} after about {millions(total)} in all ({more:.1f} more doublings), some "
            f"{hours:,.0f} more hours of training at its speed where it trained ({speed:.2f} steps/s at batch "
            f"{r['batch_size']} on {_setup(r)}); a pace read off so few games is a rough guide.")


def _pace(at: dict, name: str, steps: list[int]) -> float | None:
    """Run `name`'s colour gained per doubling of the games over its last two snapshots of `steps` (rows `at`
    by (name, step)); None without two, or without a gain."""
    if len(steps) < 2 or steps[-1] <= steps[-2]:
        return None
    per = (at[(name, steps[-1])].colour - at[(name, steps[-2])].colour) / float(np.log2(steps[-1] / steps[-2]))
    return per if per > 0 else None


def _head_to_head(runs: list[dict], df: pd.DataFrame, key: str, names: list[str], last_column: str,
                  speed_of: str) -> list[str]:
    """The comparison of from-scratch runs with one recipe (the first is the reference): a table by
    snapshot, their measured speeds, and the last one against the first after as many games (and what
    a lead is worth in games at the first's own pace) and after as much training time."""
    r0 = runs[0]
    pair = len(names) >= 2
    lines, steps, at = _snapshot_table(df, key, names, "games seen", last_column if pair else None)
    timed = [(s, r) for s, r in zip(names, runs) if r.get("train_s")]
    if timed:
        lines.append("Wall-clock, read from each run's log (with whatever else shared the cores, and the code as it "
                     "was then): " + ", ".join(f"{s} {r['train_s'] / 60:.0f} min" for s, r in timed) + ".")
    speeds = [r["measured"]["steps_per_s"] for r in runs]
    lines.append(f"Speed, each {speed_of} measured alone on the same machine after training (its training step with "
                 "the games' generation, as the code trains now): " + ", ".join(f"{s} {v:.2f} steps/s" for s, v in zip(names, speeds))
                 + (f": the {names[-1]} model takes {_times(speeds[0] / speeds[-1])} for the same games. " if pair else ". ")
                 + "The time axis of the figure and the comparison below are at these speeds.\n")
    if pair and steps:
        a, b, last = names[0], names[-1], steps[-1]
        d = at[(b, last)].colour - at[(a, last)].colour
        said = [f"After {millions(last * r0['batch_size'])} the {b} model reads the colour "
                + (f"as the {a} one does ({pts(d)})" if abs(d) <= DEPTH_MARGIN else
                   f"{100 * abs(d):.1f} points {'better' if d > 0 else 'worse'} than the {a} one "
                   f"({pct(at[(b, last)].colour)} against {pct(at[(a, last)].colour)})") + "."]
        per = _pace(at, a, steps)
        if d > DEPTH_MARGIN and per:
            prev = steps[-2]
            said.append(f"At the {a} run's own pace over its last snapshots ({100 * per:.1f} points per doubling of "
                        f"the games, {prev * r0['batch_size']:,} to {last * r0['batch_size']:,}), that lead is "
                        f"worth {2 ** (d / per):.1f}x the games, for {_times(speeds[0] / speeds[-1])} per game.")
        ta = at[(a, last)].minutes
        other = df[(df[key] == b) & df["minutes"].notna()]
        cb = log_interpolate(list(zip(other["minutes"], other["colour"])), ta) if np.isfinite(ta) else None
        if cb is not None:
            dt = cb - at[(a, last)].colour
            said.append(f"After as much training as the whole {a} run takes ({ta:.0f} min), the {b} model reads "
                        + (f"the colour as well ({pts(dt)}" if abs(dt) <= DEPTH_MARGIN else
                           f"the colour {100 * abs(dt):.1f} points {'better' if dt > 0 else 'worse'} ({pct(cb)}")
                        + ", read between its snapshots around that time against log time).")
        said += _all_below(df["colour"].max(), last * r0["batch_size"],
                           ": the trial tells how the runs start, not where they end")
        lines.append(" ".join(said))
    return lines


def _halfway(steps: list[int]) -> list[int]:
    """The two snapshots a pace is read between: the last, and the last at or below half its step (a doubling
    of the games, where the snapshots have one), else the one before it."""
    below = [st for st in steps[:-1] if st <= steps[-1] / 2]
    return [below[-1] if below else steps[-2], steps[-1]] if len(steps) >= 2 else list(steps)


def _doublings(g0: float, g1: float) -> str:
    """The span from g0 to g1 games: 'doubling' (within 5% of one), else '2.3 doublings'."""
    n = float(np.log2(g1 / g0))
    return "doubling" if abs(n - 1) < 0.05 else f"{n:.1f} doublings"


def _stopped(r: dict) -> str:
    """' (stopped at 12,000 of its 48,000 steps)' for a run whose last snapshot is before its schedule's end."""
    last = r["points"][-1]["step"]
    return f" (stopped at {last:,} of its {r['steps']:,} steps)" if last < r["steps"] else ""


def _speeds_that_compare(runs: list[dict], measured: dict | None) -> tuple[dict, str | None]:
    """Steps per second of the shapes of `runs` that compare, by shape name ("8 x 96"), and where they were measured:
    the run `measured`'s own speed and those measured back to back with it (its record's "beside": width_trial
    --speed-beside); else, when every run trained on one machine in one number format, each run's own measured
    speed; else ({}, None): their speeds do not compare."""
    if measured is not None:
        by_spec = {_spec(r): _shape(r) for r in runs}
        speeds = {_shape(measured): measured["measured"]["steps_per_s"]} | {
            by_spec[k]: v["steps_per_s"] for k, v in measured["beside"].items() if k in by_spec}
        return speeds, f"measured back to back on {_where(measured)[:_where(measured).rfind(',')]}, with nothing else training"
    if len({_setup(r) for r in runs}) == 1:
        return {_shape(r): r["measured"]["steps_per_s"] for r in runs}, "each measured alone on the same machine"
    return {}, None
