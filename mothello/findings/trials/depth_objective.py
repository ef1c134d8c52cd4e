"""Does the objective let the depth count? Two depths by two objectives on one recipe."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..numbers import WIDTH_RUNS, run_objective
from ..text import millions, pct, pts
from .runs import (DEPTH_MARGIN, _objective_pairs, _shape, _where, _with_objective, depth_no_faster,
                   next_token_depth_exact, next_token_depth_ladder, next_token_depth_runs)
from .tables import (_all_below, _common_steps, _length, _rates, _snapshot_table, _speeds_that_compare, _stopped,
                     _times, _trial_frame)


def _ladder_nearest(ladder: list[dict], games: int) -> tuple[int, dict] | None:
    """The depth ladder's runs `ladder` (next_token_depth_ladder) at the snapshot they all have whose games are
    nearest `games` on a log scale: (its step, their snapshots by (shape, step): _trial_frame rows); None without one."""
    names = [_shape(r) for r in ladder]
    common, at = _common_steps(_trial_frame(ladder, _shape, "shape"), "shape", names)
    if not common:
        return None
    return min(common, key=lambda s: abs(np.log(s * ladder[0]["batch_size"] / games))), at


def next_token_depth_by_games(numbers: dict) -> pd.DataFrame:
    """The depth trial under the sampled move (_trial_frame, by "run": "6 x 192, next-token"), then its runs on the
    exact target on the same recipe (next_token_depth_exact), or without them the depth ladder's runs at its
    shallowest and deepest shape up to the ladder snapshot nearest the trial's last games (log scale), with the
    column "objective". Empty without the trial."""
    runs = next_token_depth_runs(numbers)
    if not runs:
        return _trial_frame([], _with_objective, "run").assign(objective=[])
    own = _trial_frame(runs, _with_objective, "run")
    steps, _ = _common_steps(own, "run", [_with_objective(r) for r in runs])
    frames = [own]
    exact = next_token_depth_exact(numbers)
    ladder = [] if exact else next_token_depth_ladder(numbers)
    nearest = _ladder_nearest(ladder, steps[-1] * runs[0]["batch_size"]) if ladder and steps else None
    if exact:
        frames.append(_trial_frame(exact, _with_objective, "run"))
    elif nearest:
        theirs = _trial_frame(ladder, _with_objective, "run")
        frames.append(theirs[theirs["step"] <= nearest[0]])
    df = pd.concat(frames, ignore_index=True)
    return df.assign(objective=[name.rsplit(", ", 1)[1] for name in df["run"]])


def next_token_depth_section(numbers: dict) -> str:
    """Does the objective let the depth count? The width trial's model and recipe (next-token, the suite's batch) at
    more layers of its narrowest width, beside its shallow run, and where recorded both shapes on the exact target
    with the same recipe (next_token_depth_exact): a table by snapshot, speeds where they compare, the deeper run's
    lead after as many games under each objective, beside the depth ladder's lead (legal-set, the same batch, a
    longer schedule) at its snapshot nearest those games and the exact target's own lead on this recipe, and a
    verdict: is it the objective that lets the depth count? "" without such runs."""
    runs = next_token_depth_runs(numbers)
    if not runs:
        return ""
    r0, deep = runs[0], runs[-1]
    exact = next_token_depth_exact(numbers)
    other = run_objective(exact[0]) if exact else None
    names = [_shape(r) for r in runs]
    ladder = next_token_depth_ladder(numbers)
    gpu = depth_no_faster(numbers)
    before = []
    if ladder:
        before.append(f"The depth ladder (above) trained with `{run_objective(ladder[0])}` at batch "
                      f"{ladder[0]['batch_size']} and each added layer lifted the colour there")
    if gpu:
        before.append(f"the depth trials on the GPU trained `{run_objective(gpu[0])}`, as the shipped models do, at "
                      f"batch {gpu[0]['batch_size']:,}, and found deeper models learning it no faster per game")
    name_of = _with_objective if exact else _shape
    lines = ["## Does the objective let the depth count?\n",
             ("; ".join(before) + ". " if before else "")
             + "Does a deeper model learn the colour faster when it trains on the sampled next move? Here "
             f"`{r0['experiment']}` trained from scratch at "
             + " and ".join(f"{_shape(r)} ({r['params'] / 1e6:.1f}M parameters)" for r in runs)
             + " with `next-token`" + (f", and at both again with `{other}`" if exact else "")
             + f", with one recipe on the same stream of fresh games: {r0['steps']:,} steps at batch "
             f"{r0['batch_size']}, {_rates(r0)} (the suite's first stage{_length(r0)}); snapshots analysed as the "
             f"shipped models are (linear probes, relative labels, {r0['probe_games']:,} training games per language, "
             "at the layer where the in-language colour probe is best; legal moves on the 500 held-out games). Their "
             f"weights do not ship; their numbers are in `checkpoints/{WIDTH_RUNS}`. Where each trained: "
             + "; ".join(f"{name_of(r)}: {_where(r)}{_stopped(r)}" for r in runs + exact) + ".\n"]
    own = _trial_frame(runs + exact, name_of, "run")
    keys = [name_of(r) for r in runs + exact]
    sampled = (keys[0], keys[len(runs) - 1])
    pair = (keys[len(runs)], keys[-1]) if exact else None
    if exact:
        table, steps, at = _snapshot_table(own, "run", keys, "games seen", None, leads=[
            (f"colour, {names[-1]} minus {names[0]}, {o}", b, a) for o, (a, b) in (("next-token", sampled), (other, pair))])
    else:
        table, steps, at = _snapshot_table(own, "run", keys, "games seen", f"colour, {names[-1]} minus {names[0]}")
    lines += table
    for group, of in ((runs, "next-token"), (exact, other)):
        if not group:
            continue
        speeds, where = _speeds_that_compare(group, group[-1] if group[-1].get("beside") else None)
        if where:
            ratio = speeds[names[0]] / speeds[names[-1]] if names[0] in speeds and names[-1] in speeds else None
            lines.append(("Speed" if group is runs else f"With `{of}`, speed") + f", {where}: "
                         + ", ".join(f"{n} {speeds[n]:.2f} steps/s" for n in names if n in speeds)
                         + (f": the {names[-1]} model takes {_times(ratio)} for the same games" if ratio else "") + ".\n")
        elif group is runs:
            lines.append("Their speeds do not compare: the runs trained on different machines or number formats "
                         "(above), and no speeds were measured back to back.\n")
    if not steps:
        return "\n".join(lines) + "\n"
    last, bs = steps[-1], r0["batch_size"]
    games = last * bs

    def lead(a: str, b: str, say: str) -> tuple[float, str]:
        """Run b's colour lead over run a's after the last games, said with its lead along the runs."""
        x, y = at[(a, last)], at[(b, last)]
        d = y.colour - x.colour
        along = ", ".join(pts(at[(b, st)].colour - at[(a, st)].colour) for st in steps)
        return d, (say + (f"as the {names[0]} one does ({pts(d)})" if abs(d) <= DEPTH_MARGIN else
                          f"{100 * abs(d):.1f} points {'better' if d > 0 else 'worse'} than the {names[0]} one "
                          f"({pct(y.colour)} against {pct(x.colour)})") + f"; along the runs {along}.")

    d, text = lead(*sampled, f"After {millions(games)} the {names[-1]} model reads the colour ")
    said = [text]
    d_exact = None
    if exact:
        d_exact, text = lead(*pair, f"With `{other}` on the same recipe the {names[-1]} model reads it ")
        said.append(text)
    d_ladder = None
    nearest = _ladder_nearest(ladder, games) if ladder else None
    if nearest:
        s, their_at = nearest
        ends = [_shape(r) for r in ladder]
        la, lb = their_at[(ends[0], s)], their_at[(ends[-1], s)]
        d_ladder = lb.colour - la.colour
        too = " too" if run_objective(ladder[0]) == other else ""
        said.append((f"On its longer schedule (`{run_objective(ladder[0])}`{too}) the depth ladder's {ends[-1]} read it "
                     if exact else f"With `{run_objective(ladder[0])}` the depth ladder's {ends[-1]} read it ")
                    + (f"as its {ends[0]} did ({pts(d_ladder)})" if abs(d_ladder) <= DEPTH_MARGIN else
                       f"{100 * abs(d_ladder):.1f} points {'better' if d_ladder > 0 else 'worse'} than its "
                       f"{ends[0]} ({pct(lb.colour)} against {pct(la.colour)})")
                    + f" after {millions(s * ladder[0]['batch_size'])} (its cosine spans {ladder[0]['steps']:,} "
                    "steps, so its learning rate was still higher there).")
    if exact:
        lifted = [f"{n} to {pct(at[(e, last)].colour)} ({pts(at[(e, last)].colour - at[(x, last)].colour)})"
                  for n, x, e in zip((names[0], names[-1]), sampled, pair)]
        said.append("On this recipe the exact target lifted " + " and ".join(lifted) + " after as many games.")
    else:
        paired = next((p[-1] for p in _objective_pairs(numbers) if p[0] is r0), None)
        e = next((x for x in _trial_frame([paired], _shape, "shape").itertuples() if x.step == last),
                 None) if paired is not None else None
        if e is not None:
            said.append(f"On this same recipe the exact target lifted {names[0]} to {pct(e.colour)} after as many "
                        f"games ({pts(e.colour - at[(sampled[0], last)].colour)}; the objective trial above).")
    deeper = f"the added {'layer' if deep['n_layer'] - r0['n_layer'] == 1 else 'layers'}"
    d_ref = d_exact if exact else d_ladder
    if d > DEPTH_MARGIN:
        under = "under the exact target" + (" on this recipe" if exact else "")
        than = ("" if d_ref is None else f" (about as much as {under}: {pts(d)} against {pts(d_ref)})"
                if abs(d - d_ref) <= DEPTH_MARGIN else
                f" (by {'less' if d < d_ref else 'more'} than {under}: {pts(d)} against {pts(d_ref)})")
        said.append(f"Under the sampled move too, at batch {bs}, {deeper} lift the colour after as many games{than}: "
                    "the objective is not what lets the depth count.")
        if gpu:
            said.append(f"What kept the GPU's deeper models from it lies in the rest of their recipe (batch "
                        f"{gpu[0]['batch_size']:,}: {gpu[0]['batch_size'] // bs}x fewer optimizer steps for as many "
                        "games) or in how far they had trained (read after millions of games, these runs after "
                        f"{millions(games)}): these runs do not separate the two.")
    elif d_ref is not None and d_ref > DEPTH_MARGIN:
        where = "on this recipe" if exact else "at the ladder's batch"
        said.append(f"Under the sampled move, {where}, {deeper} do not lift the colour after as many games, while "
                    "under the exact target they do: the objective, not the batch, is what lets the depth count here.")
    else:
        said.append(f"Under the sampled move {deeper} do not lift the colour after as many games.")
    said += _all_below(own["colour"].max(), games, ": the trial tells how the runs start, not where they end")
    lines.append(" ".join(said))
    return "\n".join(lines) + "\n"
