"""Does the depth set where the colour levels off? The depth ladder on the exact target's recipe."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..numbers import run_objective
from ..text import millions, pct, pts
from ..verdicts import COLOUR_TARGET, TARGET
from .runs import (DEPTH_MARGIN, _best, _host, _machine, _reached_end, _setup, _shape, carried_stages, depth_no_faster,
                   further_runs, ladder_runs, next_token_depth_runs)
from .tables import _all_below, _common_steps, _doublings, _recipe, _snapshot_table, _trial_frame, _would_reach


LEVEL_PACE = 0.01   # colour points per doubling of the games under which a run's colour has levelled off


def ladder_by_games(numbers: dict) -> pd.DataFrame:
    """The depth ladder's snapshots (_trial_frame, by "shape": "2 x 192"), each run's (column "part" "run")
    followed by its later stages' ("carried": carried_stages, games seen since the run started, so its line goes
    on). Empty without the ladder."""
    frames = [f for r in ladder_runs(numbers) for f in (_trial_frame([r], _shape, "shape").assign(part="run"),
              _trial_frame(carried_stages(numbers, r), _shape, "shape").assign(part="carried"))]
    return pd.concat(frames, ignore_index=True) if frames else _trial_frame([], _shape, "shape").assign(part=[])


def _last_stage_pace(numbers: dict, r: dict) -> tuple[int, float, float] | None:
    """Run `r` carried on (carried_stages): (games seen at its last stage's end, the colour there, the colour
    gained per doubling of the games over that stage); None without later stages."""
    stages = carried_stages(numbers, r)
    if not stages:
        return None
    (ga, ca), (gb, cb) = [(x["steps"] * x["batch_size"], _best(x["points"][-1])["colour_in_language"])
                          for x in ([r] + stages)[-2:]]
    return gb, cb, (cb - ca) / float(np.log2(gb / ga))


def _lifts(names: list[str], at: dict, step: int) -> list[tuple[str, str, float]]:
    """(shallower, deeper, colour gained) for each added layer of the ladder's runs `names`, at `step` (rows `at`)."""
    return [(a, b, at[(b, step)].colour - at[(a, step)].colour) for a, b in zip(names, names[1:])]


def _lifted(lifts: list[tuple[str, str, float]]) -> str | None:
    """'each added layer' or '1 of 3 added layers' (those that lifted the colour by more than DEPTH_MARGIN);
    None when none did."""
    k = sum(d > DEPTH_MARGIN for _, _, d in lifts)
    return None if not k else "each added layer" if k == len(lifts) else f"{k} of {len(lifts)} added layers"


def ladder_lifted(numbers: dict) -> str | None:
    """_lifted over the depth ladder's runs that reached their schedule's end, at the last step they all have;
    None without a ladder."""
    runs = [r for r in ladder_runs(numbers) if _reached_end(r)]
    df = ladder_by_games(numbers)
    names = [_shape(r) for r in runs]
    steps, at = _common_steps(df[df["part"] == "run"], "shape", names) if runs else ([], {})
    return _lifted(_lifts(names, at, steps[-1])) if steps else None


def _against_depth_trials(numbers: dict, fresh: list[dict], r0: dict, lifted: str, deepest: str, colour: float,
                          games: int) -> str:
    """The depth ladder beside the depth trials from scratch (`fresh`, found no faster per game than the shipped
    model): what differs between their recipes, and the colour each read after its games."""
    f0 = fresh[0]
    m = next(x for x in numbers["models"].values() if x["name"] == f0["experiment"])
    differ = []
    if f0["batch_size"] != r0["batch_size"]:
        ratio = f0["batch_size"] / r0["batch_size"]
        differ.append(f"the batch ({r0['batch_size']:,} here against {f0['batch_size']:,}: "
                      + (f"{ratio:g}x the optimizer steps" if ratio > 1 else f"{1 / ratio:g}x fewer optimizer steps")
                      + " for as many games)")
    if run_objective(f0) != run_objective(r0):
        differ.append(f"the objective ({run_objective(r0)} here against {run_objective(f0)})")
    theirs = [(_best(r)["colour_in_language"], r["step"] * r["batch_size"], _shape(r)) for r in fresh]
    faster = colour > max(c for c, _, _ in theirs) and games <= min(g for _, g, _ in theirs)
    return (f"The depth trials above (batch {f0['batch_size']:,}, {run_objective(f0)}) found "
            + " and ".join(_shape(r) for r in fresh) + f" learning the colour no faster per game than the shipped "
            f"{m['n_layer']} x {m['d_model']}; here {lifted} lifted it. "
            + (f"The two recipes differ in {' and in '.join(differ)}, and these runs do not tell which "
               f"{'of the two ' if len(differ) > 1 else ''}lets the depth count"
               + (" (the section *Does the objective let the depth count?* below asks about the objective)"
                  if len(differ) > 1 and next_token_depth_runs(numbers) else "") + ". " if differ else "")
            + ("Per game this recipe is also the faster" if faster else "For scale")
            + f": {deepest} reads {pct(colour)} here after {millions(games)}, where the trials above read "
            + " and ".join(f"{pct(c)} ({n}) after {millions(g)}" for c, g, n in theirs) + ".")


def _part(m: dict) -> str:
    """A train.trained_on entry as the report names machines (_host): 'CPU (AMD EPYC), float32', 'NVIDIA H100 80GB
    HBM3, bfloat16'."""
    cpu = m["device"] == "cpu"
    return _host({"device": "CPU" if cpu else m.get("name") or m["device"], "cpu": m.get("name") if cpu else None}) \
        + f", {m['dtype']}"


def _moved(r: dict) -> str:
    """A run resumed on another machine part-way (its record's machines: train.trained_on), in words: which steps
    up to its last snapshot trained where, in which number format ("auto" picks it per machine); "" for a run
    whose snapshots all come from one."""
    last = r["points"][-1]["step"]
    ms = [m for m in r.get("machines") or [] if m["from"] < last]   # the parts its snapshots come from
    if len(ms) < 2:
        return ""
    # the first part "until": a run whose status predates the list starts it where it first resumed after it
    parts = [f"until step {ms[1]['from']:,} on {_part(ms[0])}"] + [
        f"from step {m['from']:,} to {end:,} on {_part(m)}" for m, end in zip(ms[1:], [x["from"] for x in ms[2:]] + [last])]
    return (f"{_shape(r)} was resumed on another machine part-way (the number format \"auto\" picks per machine): "
            + "; ".join(parts) + ".\n")


def _stopped_pace(r: dict, at: dict, below: str | None, bs: int) -> str:
    """A run stopped part-way, its gain per doubling of the games from its snapshot before its last, beside the
    deepest shallower run's over the same games: is its lead growing? "" with a single snapshot."""
    if len(r["points"]) < 2:
        return ""
    n, (s0, s1) = _shape(r), (p["step"] for p in r["points"][-2:])
    beside = f", {below} {pts(_gain(at, below, s0, s1))} over the same games" if below and (below, s0) in at else ""
    return (f"; over its last {_doublings(s0 * bs, s1 * bs)} of the games ({s0 * bs:,} to {s1 * bs:,}) it gained "
            f"{pts(_gain(at, n, s0, s1))} per doubling{beside}")


def _gain(at: dict, n: str, s0: int, s1: int) -> float:
    """Colour a doubling of the games added to run `n` from step s0 to s1 (at: its snapshots by (shape, step))."""
    return (at[(n, s1)].colour - at[(n, s0)].colour) / float(np.log2(s1 / s0))


def ladder_section(numbers: dict) -> str:
    """Does the depth set where the colour levels off? The run that carried the exact target further, beside
    runs of its recipe at fewer (or more) layers: a table by snapshot, each depth's colour at the end and its
    gain over its last doubling of the games (levelled off under LEVEL_PACE), what each added layer lifted,
    again where two depths were both carried on to as many games, and the runs' later stages. Runs that trained
    on another machine (a lent GPU: scripts/gpu_ladder.py) say so, with their speeds apart; a run stopped part-way
    has a dash in the table past its last snapshot and is read where it stopped, against the deepest shallower run
    after as many games, not in the lifts. "" without such runs."""
    runs = ladder_runs(numbers)
    df = ladder_by_games(numbers)
    if not runs or df.empty:
        return ""
    r0, names = runs[0], [_shape(r) for r in runs]
    ref = _shape(further_runs(numbers)[0])   # the run carried further (its own section)
    carried = {_shape(r): end for r in runs if (end := _last_stage_pace(numbers, r))}
    last_pace = carried[ref][2] if ref in carried else None
    lines = ["## Does the depth set where the colour levels off?\n",
             ("The depth trials above read how fast deeper models learn the colour over their first millions of "
              "games; this trial asks where it levels off. " if numbers.get("depth") else "")
             + (f"The exact target carried further (above) found the {ref} model levelling off. Is that level "
                "set by the number of layers? " if last_pace is not None and last_pace < LEVEL_PACE else
                "Does the number of layers set where the colour levels off? ")
             + f"Here `{r0['experiment']}` trained from scratch at "
             + " and ".join(f"{_shape(r)} ({r['params'] / 1e6:.1f}M parameters)" for r in runs)
             + f" with `{run_objective(r0)}`, " + _recipe(r0)]
    elsewhere: dict[str, list[str]] = {}   # runs trained on another machine than the first, by machine
    for r in runs:
        if _setup(r) != _setup(r0):
            how = _machine(r) + (", compiled" if r.get("compiled") else "") \
                + (f", {r['dtype']}" if r["dtype"] != r0["dtype"] else "")
            elsewhere.setdefault(how, []).append(_shape(r))
    if elsewhere:
        lines.append("Of these, " + "; ".join(f"{' and '.join(ns)} trained on another machine ({how})"
                                             for how, ns in elsewhere.items())
                     + ", with the same recipe on the same games.\n")
    lines += [m for r in runs if (m := _moved(r))]
    table, _, at = _snapshot_table(df[df["part"] == "run"], "shape", names, "games seen", None, union=True)
    lines += table
    machines: dict[str, list[dict]] = {}
    for r in runs:
        machines.setdefault(_setup(r), []).append(r)
    if len(machines) == 1:
        lines.append("Speed, each shape measured alone on the same machine after training: "
                     + ", ".join(f"{_shape(r)} {r['measured']['steps_per_s']:.2f} steps/s" for r in runs) + ".\n")
    else:
        lines.append("Speed, each shape measured alone on the machine it trained on (the machines' speeds do not "
                     "compare): " + "; ".join(f"on {m}: " + ", ".join(
                         f"{_shape(r)} {r['measured']['steps_per_s']:.2f} steps/s" for r in rs) for m, rs in machines.items())
                     + ".\n")
    stopped = [r for r in runs if not _reached_end(r)]   # compared where they stopped, not in the ladder's lifts
    names = [n for r, n in zip(runs, names) if r not in stopped]
    steps, _ = _common_steps(df[df["part"] == "run"], "shape", names)
    bs = r0["batch_size"]
    stopped_said = []
    for r in stopped:
        last, n = r["points"][-1]["step"], _shape(r)
        x = at[(n, last)]
        shallower = [_shape(f) for f in runs if f not in stopped and f["n_layer"] < r["n_layer"] and (_shape(f), last) in at]
        below = shallower[-1] if shallower else None   # the deepest run shallower than it, after as many games
        stopped_said.append(f"{n} stopped at {last:,} of its {r['steps']:,} steps: after {millions(last * bs)} it reads "
                            f"{pct(x.colour)}" + (f", {pts(x.colour - at[(below, last)].colour)} against {below} after "
                                                  "as many games" if below else "")
                            + f" (legal moves {pct(x.legal_min)} in its worst language)" + _stopped_pace(r, at, below, bs) + ".")
    if len(steps) < 2 or len(names) < 2:
        return "\n".join(lines + ([" ".join(stopped_said)] if stopped_said else [])) + "\n"
    s0, s1 = steps[-2:]
    g0, g1 = s0 * bs, s1 * bs
    gains = {n: _gain(at, n, s0, s1) for n in names}
    said = [f"After {millions(g1)}, and their gain per doubling over their last {_doublings(g0, g1)} of the games "
            f"({g0:,} to {g1:,}): " + "; ".join(
                f"{n} {pct(at[(n, s1)].colour)} ({pts(gains[n])} per doubling"
                + (", levelled off" if gains[n] < LEVEL_PACE else "") + f"; legal moves {pct(at[(n, s1)].legal_min)} "
                "in its worst language)" for n in names) + "."]
    lifts = _lifts(names, at, s1)
    layers = {_shape(r): r["n_layer"] for r in runs}
    gaps = {(a, b): layers[b] - layers[a] for a, b, _ in lifts}
    said.append(("Each added layer: " if max(gaps.values()) == 1 else "Each step of depth: ")
                + ", ".join(f"{a} -> {b} {pts(d)}" + (f" ({gaps[a, b]} layers)" if gaps[a, b] > 1 else "")
                            for a, b, d in lifts) + "."
                + (" " + " ".join(stopped_said) if stopped_said else ""))
    if (fresh := depth_no_faster(numbers)) and (lifted := _lifted(lifts)):
        said.append(_against_depth_trials(numbers, fresh, r0, lifted, names[-1], at[(names[-1], s1)].colour, g1))
    later = df[df["part"] == "carried"].set_index(["shape", "step"])["colour"]
    for a, b, d in lifts:   # the lift again at the furthest step both depths' later stages reached
        if a in later.index and b in later.index and (both := sorted(set(later[a].index) & set(later[b].index))):
            said.append(f"After {millions(both[-1] * bs)}, where both were carried on: {a} -> {b} "
                        f"{pts(later[b, both[-1]] - later[a, both[-1]])} ({pts(d)} after {millions(g1)}).")
    for n, (g, c, pace) in carried.items():
        said.append(f"The {n} run, carried on past its schedule's end{' (the section above)' if n == ref else ''}"
                    f", read {pct(c)} after {millions(g)}, its last stage {pts(pace)} per doubling of the games"
                    + (": levelled off there" if pace < LEVEL_PACE else "") + ".")
    # where each depth levelled off, if it did: by its later stages where it has them, else by its own run
    latest = {n: carried[n][:2] if n in carried else (g1, at[(n, s1)].colour) for n in names}   # (games, colour)
    levels = {n: latest[n] for n in names if (carried[n][2] if n in carried else gains[n]) < LEVEL_PACE}
    rest = [n for n in names if n not in levels]
    still = f", while {' and '.join(rest)} still rise{'s' if len(rest) == 1 else ''}" if rest else ""
    found = list(levels.items())
    at_levels = ", ".join(f"{n} at about {pct(c)} (after {millions(g)})" for n, (g, c) in found)
    flat = [f"{a} -> {b}" for a, b, d in lifts if d <= DEPTH_MARGIN]
    if len(flat) == len(lifts):
        said.append("No added layer lifted the colour after as many games: these runs do not show the depth "
                    "setting the level.")
    elif flat:
        said.append(f"Not every added layer lifted the colour after as many games ({', '.join(flat)} did not, within "
                    f"{pts(DEPTH_MARGIN).lstrip('+')}): these runs do not show the depth setting the level all the way"
                    + (f". Levelled off (under a point per doubling): {at_levels}{still}" if found else "")
                    + ".")
    elif len(found) >= 2 and all(b[1][1] - a[1][1] > DEPTH_MARGIN for a, b in zip(found, found[1:])):
        said.append(f"Where the colour levels off (under a point per doubling) rises with the depth: {at_levels}{still}"
            + f". The highest level found, {pct(found[-1][1][1])}, is "
            + ("below" if found[-1][1][1] < COLOUR_TARGET else "at or above") + f" the {TARGET} target.")
    elif found:
        said.append(f"Each layer lifted the colour; levelled off (under a point per doubling): {at_levels}{still}.")
    else:
        said.append("Each layer lifted the colour, and none has levelled off yet.")
    if found:   # a depth still rising that already reads what a shallower one levelled off at, on fewer games
        top_name, (top_g, top_c) = max(found, key=lambda f: f[1][1])
        for n in rest[::-1]:
            g, c = latest[n]
            if names.index(n) > names.index(top_name) and c >= top_c - DEPTH_MARGIN:
                said.append(f"{n}, still rising, already reads {pct(c)} after {millions(g)}: "
                            + ("above" if c - top_c > DEPTH_MARGIN else "as high as") + f" where {top_name} levelled "
                            f"off ({pct(top_c)} after {millions(top_g)}, {top_g / g:.1f}x the games).")
                break
    said += _ladder_to_target(runs, rest, latest, {n: (carried[n][2], "its last stage") if n in carried else
                                                    (gains[n], "its last doubling") for n in rest})
    if not any(s.endswith(f"the {TARGET} target.") for s in said):
        said += _all_below(df[df["part"] == "run"]["colour"].max(), g1)
    lines.append(" ".join(said))
    return "\n".join(lines) + "\n"


def _ladder_to_target(runs: list[dict], rising: list[str], latest: dict, pace: dict) -> list[str]:
    """Where the deepest ladder run still rising (`rising`, shallow to deep; `latest`: its (games, colour);
    `pace`: its (colour per doubling of the games lately, over what)) would read the colour at the target, at
    that pace: after how many games in all, and how many more hours at its speed measured alone where it trained
    (the ladder's runs may have trained on different machines). [] when none rises or it is there."""
    if not rising:
        return []
    n = rising[-1]
    (games, colour), (per, over) = latest[n], pace[n]
    if colour >= COLOUR_TARGET:
        return []
    r = next(r for r in runs if _shape(r) == n)
    return [f"At its pace over {over} ({pts(per)} per doubling of the games), {n} {_would_reach(r, games, colour, per)}"]
