"""Is it the depth or the size? Deeper and narrower runs beside the depth ladder."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..numbers import WIDTH_RUNS, run_objective
from ..pace import log_interpolate
from ..text import millions, pct, pts
from .runs import DEPTH_MARGIN, _shape, _where, narrow_beside, narrow_runs
from .tables import (_all_below, _common_steps, _doublings, _rates, _snapshot_table, _speeds_that_compare, _stopped,
                     _times, _trial_frame)


def narrow_speeds(numbers: dict) -> tuple[dict, str | None]:
    """Steps per second of the deeper-and-narrower trial's shapes that compare, by shape name, and where they were
    measured (_speeds_that_compare: the first narrow run measured beside the ladder's shapes, else each run's own)."""
    narrow, beside = narrow_runs(numbers), narrow_beside(numbers)
    if not narrow:
        return {}, None
    return _speeds_that_compare(narrow + beside, next((r for r in narrow if r.get("beside")), None))


def narrow_by_games(numbers: dict) -> pd.DataFrame:
    """The deeper-and-narrower trial's snapshots (_trial_frame, by "shape"): the ladder's runs beside it
    (narrow_beside), then the narrow runs; "minutes" at the speeds that compare (narrow_speeds; none where they
    do not). Empty without the trial."""
    runs = narrow_beside(numbers) + narrow_runs(numbers)
    df = _trial_frame(runs, _shape, "shape")
    speeds, _ = narrow_speeds(numbers)
    df["minutes"] = [st / speeds[s] / 60 if s in speeds else np.nan for s, st in zip(df["shape"], df["step"])]
    return df


def narrow_section(numbers: dict) -> str:
    """Is it the depth or the size? The depth ladder lifted the colour with each layer, each layer also
    adding parameters and time. A run of the ladder's recipe at more layers of a smaller width, beside the ladder's
    runs: a table by snapshot, their speeds where they compare (narrow_speeds), each narrow run against each
    ladder run after as many games (with what each costs per game) and after as much training time, and a verdict;
    each one's pace over their last doubling of the games (is a narrower run closing in?); a narrower run stopped
    early says what the ladder's lifts did later. "" without the trial."""
    narrow, beside = narrow_runs(numbers), narrow_beside(numbers)
    df = narrow_by_games(numbers)
    if not narrow or df.empty:
        return ""
    r0, names = beside[0], [_shape(r) for r in beside + narrow]
    lines = ["## Is it the depth or the size?\n",
             f"The depth ladder (above) lifted the colour with each added layer at width {r0['d_model']}, and each "
             "layer there also adds parameters and time for every game: is it the depth that lifts the colour, or the "
             f"size that comes with it? Here `{r0['experiment']}` trained from scratch at "
             + " and ".join(f"{_shape(r)} ({r['params'] / 1e6:.1f}M parameters, {r['n_head']} heads)" for r in narrow)
             + f" with the ladder's recipe (`{run_objective(r0)}`, {r0['steps']:,} steps at batch {r0['batch_size']}, "
             f"{_rates(r0)}) on the same stream of fresh games, beside the ladder's "
             + " and ".join(f"{_shape(r)} ({r['params'] / 1e6:.1f}M parameters)" for r in beside)
             + f"; snapshots analysed as the shipped models are (linear probes, relative labels, "
             f"{r0['probe_games']:,} training games per language, at the layer where the in-language colour probe is "
             "best; legal moves on the 500 held-out games). Their weights do not ship; their numbers are in "
             f"`checkpoints/{WIDTH_RUNS}`. Where each trained: "
             + "; ".join(f"{_shape(r)}: {_where(r)}{_stopped(r)}" for r in beside + narrow) + ".\n"]
    table, steps, at = _snapshot_table(df, "shape", names, "games seen", None)
    lines += table
    speeds, where = narrow_speeds(numbers)
    if where:
        lines.append(f"Speed, {where}: " + ", ".join(f"{n} {speeds[n]:.2f} steps/s" for n in names if n in speeds)
                     + ".\n")
    else:
        lines.append("Their speeds do not compare: the runs trained on different machines or number formats (above), "
                     "and no speeds were measured back to back.\n")
    if not steps:
        return "\n".join(lines) + "\n"
    last = steps[-1]
    games = last * r0["batch_size"]
    said = []
    for r in narrow:
        n = _shape(r)
        x = at[(n, last)]
        parts, per_game = [], {}
        for b in beside:
            m = _shape(b)
            per_game[m] = x.colour - at[(m, last)].colour
            ratio = speeds[n] / speeds[m] if n in speeds and m in speeds else None   # m's time per game over n's
            parts.append(f"{pts(per_game[m])} on {m} ({pct(at[(m, last)].colour)}"
                         + (f", which takes {_times(ratio)} per game as {n}" if ratio else "") + ")")
        said.append(f"After {millions(games)} {n} reads the colour at {pct(x.colour)} (layer {x.layer} of "
                    f"{r['n_layer']}; legal moves {pct(x.legal_min)} in its worst language): " + "; ".join(parts) + ".")
        if n not in speeds:
            continue
        minutes = last / speeds[n] / 60   # its training time to here; each ladder run at as much, on its log-time line
        timed = {m: c for b in beside if (m := _shape(b)) in speeds and (c := log_interpolate(
            [(st / speeds[m] / 60, x_.colour) for (k, st), x_ in at.items() if k == m], minutes)) is not None}
        if not timed:
            continue
        per_time = {m: x.colour - c for m, c in timed.items()}
        text = (f"After as much training time as its {millions(games)} take here ({minutes:.0f} min at the speeds "
                "above), " + " and ".join(f"{m} reads it at {pct(c)}" for m, c in timed.items())
                + " (on each run's line between its snapshots, against log time): ")
        if all(d < -DEPTH_MARGIN for d in per_time.values()):
            game_too = all(per_game[m] < -DEPTH_MARGIN for m in timed)
            text += (f"{n} reads the colour worse than {'each' if len(timed) > 1 else 'it'}, "
                     + ("per game and per minute" if game_too else "per minute")
                     + f": at width {r['d_model']} the added layers do not make up for the width.")
        elif all(d > DEPTH_MARGIN for d in per_time.values()):
            fewer = all(r["params"] < b["params"] for b in beside if _shape(b) in timed)
            text += (f"{n} reads the colour better than {'each' if len(timed) > 1 else 'it'}"
                     + (f", with fewer parameters ({r['params'] / 1e6:.1f}M)" if fewer else "")
                     + ": for as much training time, the depth lifts the colour more than the width does.")
        else:
            said_of = [(f"as well as {m} (within {100 * DEPTH_MARGIN:.0f} point)" if abs(d) <= DEPTH_MARGIN
                        else f"{'better' if d > 0 else 'worse'} than {m}") for m, d in per_time.items()]
            text += f"{n} reads the colour " + " and ".join(said_of) + "."
        said.append(text)
    if len(steps) >= 2:   # the pace of each over the last doubling they all have: is a narrower run closing in?
        s0, bs = steps[-2], r0["batch_size"]
        gain = {m: (at[(m, last)].colour - at[(m, s0)].colour) / float(np.log2(last / s0)) for m in names}
        for r in narrow:
            n = _shape(r)
            closing = [m for b in beside if gain[n] - gain[(m := _shape(b))] > DEPTH_MARGIN
                       and at[(n, last)].colour < at[(m, last)].colour]
            said.append(f"Over their last {_doublings(s0 * bs, games)} of the games ({s0 * bs:,} to {games:,}) {n} "
                        f"gained {pts(gain[n])} per doubling, against " + " and ".join(
                            f"{pts(gain[_shape(b)])} for {_shape(b)}" for b in beside)
                        + (f": it is closing in on {' and '.join(closing)}" if closing else "") + ".")
    ends, _ = _common_steps(df, "shape", [_shape(b) for b in beside])   # the steps the ladder's runs all reached
    if any(_stopped(r) for r in narrow) and len(beside) >= 2 and ends and ends[-1] > last:
        a, b = _shape(beside[0]), _shape(beside[-1])
        early, late = (at[(b, st)].colour - at[(a, st)].colour for st in (last, ends[-1]))
        said.append(f"Read early: the narrower run stopped after {millions(games)}, and along the ladder the depth's "
                    f"lift changed with the games ({a} -> {b} {pts(early)} after {millions(games)}, {pts(late)} after "
                    f"{millions(ends[-1] * r0['batch_size'])}): where the narrower run would end, this trial does not "
                    "tell.")
    said += _all_below(df["colour"].max(), games)
    lines.append(" ".join(said))
    return "\n".join(lines) + "\n"
