"""A trained model on the exact target: the shipped model trained on with each objective."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..numbers import WIDTH_RUNS, run_objective
from ..pace import colour_per_doubling, model_games
from ..text import millions, pct, pts
from ..verdicts import COLOUR_TARGET, TARGET
from .runs import DEPTH_MARGIN, _host, _shipped_model, _trained_on
from .tables import _snapshot_table, _trial_frame


def trained_on_by_games(numbers: dict) -> pd.DataFrame:
    """The shipped model trained on with each objective (_trial_frame, by "objective"; games: added since
    the shipped step, its own point first at 0). Empty without such runs."""
    return _trial_frame(_trained_on(numbers), run_objective, "objective")


def trained_on_section(numbers: dict) -> str:
    """Does the exact target teach a long-trained model the colour faster? The shipped model trained on from
    its step with next-token and with legal-set, one recipe on the same games, beside what the shipped
    model's own pace gives for as many games. "" without such a pair."""
    runs = _trained_on(numbers)
    df = trained_on_by_games(numbers)
    if not runs or df.empty:
        return ""
    r0, names = runs[0], [run_objective(r) for r in runs]
    m = _shipped_model(numbers, r0["experiment"])
    start, added = r0["from_step"], (r0["steps"] - r0["from_step"]) * r0["batch_size"]
    seen = model_games(m, start) if m else None
    where = _host(r0)
    lines = ["## A trained model on the exact target\n",
             "The objective trial above starts from scratch. Does the exact target also teach a model that has "
             f"trained long? The shipped `{r0['experiment']}` (step {start:,}"
             + (f", {millions(seen)}" if seen else "") + ") trained on from there with "
             + " and with ".join(f"`{n}`" for n in names) + ", one after the other on this project's own machine "
             f"({where}, PyTorch {r0['torch']}), with one recipe on the same games (its stream of fresh games goes "
             f"on): {r0['steps'] - start:,} steps at batch {r0['batch_size']} ({added:,} games"
             + (f", {added / seen:.0%} more than it had seen" if seen else "") + f"), peak lr {r0['lr']:g}, warm-up "
             f"{r0['warmup_steps']:,}, cosine to {r0['min_lr']:g}, {r0['dtype']}. The shipped model and each run's "
             f"snapshots are analysed as the trials above (linear probes, relative labels, {r0['probe_games']:,} "
             "training games per language, at the layer where the in-language colour probe is best; legal moves "
             f"on the 500 held-out games). Their weights do not ship; their numbers are in `checkpoints/{WIDTH_RUNS}`.\n"]
    table, steps, at = _snapshot_table(df, "objective", names, "games added", f"colour, {names[-1]} minus {names[0]}")
    lines += table
    a, b, first, last = names[0], names[-1], steps[0], steps[-1]
    c0, ca, cb = at[(a, first)].colour, at[(a, last)].colour, at[(b, last)].colour
    said = [f"After {added:,} more games the {a} run reads the colour {pts(ca - c0)} from where it started "
            f"({pct(c0)} -> {pct(ca)}), the {b} run {pts(cb - c0)} ({pct(cb)})."]
    if len(steps) >= 3:  # the warm restart: the rate rises again from the shipped model's last, lowest one
        dips = [at[(n, steps[1])].colour - c0 for n in names]
        said.append(f"Right after the warm restart (the rate back up to {r0['lr']:g}), "
                    f"{(steps[1] - start) * r0['batch_size']:,} games in: "
                    + ", ".join(f"{n} {pts(d)}" for n, d in zip(names, dips)) + ".")
    per = colour_per_doubling(m) if m else None
    if per and seen:
        expected = per * float(np.log2(1 + added / seen))
        said.append(f"The shipped model's own pace ({100 * per:.1f} points per doubling of the games, over its stage "
                    f"ends) gives {pts(expected)} for as many games.")
        twice = per * float(np.log2(1 + 2 * added / seen))
        said.append(f"A target worth twice the games would give {pts(twice)} at that pace: "
                    + ("less than the margin this trial tells apart (1 point), so it tests for a jump (a model held "
                       "back by the noise of its target), not for a better pace."
                       if twice < DEPTH_MARGIN else "a difference this trial can see."))
        if cb - ca > DEPTH_MARGIN and cb > c0:
            more = seen * (2 ** ((cb - c0) / per) - 1)
            said.append(f"At that pace next-token training would need about {millions(more)} more to gain what the "
                        f"{b} run gained in {millions(added)}.")
    timed = [(n, r) for n, r in zip(names, runs) if r.get("measured")]
    if timed:
        said.append("Speed, measured alone on the same machine after training: " + ", ".join(
            f"{n} {r['measured']['steps_per_s']:.2f} steps/s" for n, r in timed) + ".")
    if cb - ca > DEPTH_MARGIN:
        said.append(f"Switched to the exact target, the trained model reads the colour {100 * (cb - ca):.1f} points "
                    "better than on the sampled move after the same games: the exact target teaches a long-trained "
                    "model the colour faster too, not only a fresh one.")
    elif ca - cb > DEPTH_MARGIN:
        said.append(f"The exact target did worse here: {100 * (ca - cb):.1f} points behind the sampled move.")
    else:
        said.append(f"The exact target did no better here ({pts(cb - ca)}): switched to it, a long-trained model "
                    "makes no jump, so the noise of the next-token target is not what holds it where it is; whether "
                    "the exact target would quicken its pace over millions of games, this trial cannot tell.")
    if max(ca, cb) < COLOUR_TARGET:
        said.append(f"Both stay below the {TARGET} target: {100 * (COLOUR_TARGET - max(ca, cb)):.1f} points short.")
    lines.append(" ".join(said))
    return "\n".join(lines) + "\n"
