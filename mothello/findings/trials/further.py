"""The exact target carried further, and on past the end of its schedule, beside the shipped model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..numbers import WIDTH_RUNS, run_objective
from ..pace import analysed_ends, colour_ends, colour_per_doubling, log_interpolate, model_games, to_target
from ..text import millions, pct, pts
from ..training import games_per_s, on_gpu
from ..verdicts import COLOUR_TARGET, TARGET
from .pooling import _games_for
from .runs import (DEPTH_MARGIN, _best, _host, _objective_pairs, _peak_note, _run_name, _shape, _shipped_model,
                   _stage_names, carried_stages, further_runs)
from .tables import _doublings, _halfway, _pace, _trial_frame


SHIPPED_RUN = "shipped (next-token)"   # the shipped model's line among the runs carried further


def further_by_games(numbers: dict) -> pd.DataFrame:
    """The exact target carried further (_trial_frame rows, by "run": "legal-set, 24,000 steps"): the objective
    trial's longest pair (column "part" "pair"), the runs that carry its exact target further ("further"), the
    later stages of the longest of them ("carried", run "legal-set, 24,000 + 24,000 steps": each begins with
    the point it starts from, so its line goes on from there; minutes after the ones before), and the shipped
    model of their experiment at its analysed stage ends ("shipped", run SHIPPED_RUN; no minutes: it trained
    elsewhere and in stages); column "trained_on": the objective. Empty without such runs."""
    runs = further_runs(numbers)
    if not runs:
        return _trial_frame([], _run_name, "run").assign(part=[], trained_on=[])
    pair = _objective_pairs(numbers)[-1]
    df = pd.concat([_trial_frame(p, _run_name, "run").assign(part=part, trained_on=lambda f, p=p: f["run"].map(
        {_run_name(r): run_objective(r) for r in p})) for p, part in ((pair, "pair"), (runs, "further"))],
        ignore_index=True)
    prev = df[df["run"] == _run_name(runs[-1])]
    stages = carried_stages(numbers, runs[-1])
    for x, name in zip(stages, _stage_names(runs[-1], stages)):
        f = _trial_frame([x], lambda _, name=name: name, "run")
        f["minutes"] += prev["minutes"].max()
        start = {**prev.loc[prev["step"].idxmax()].to_dict(), "run": name}
        prev = pd.concat([pd.DataFrame([start]), f], ignore_index=True).assign(part="carried",
                                                                                trained_on=run_objective(x))
        df = pd.concat([df, prev], ignore_index=True)
    m = _shipped_model(numbers, runs[0]["experiment"])
    if m is None:
        return df
    ends = [{"run": SHIPPED_RUN, "step": st, "games": model_games(m, st), "minutes": np.nan, "legal_min": e["legal_min"],
             "colour": e["colour_in_language"], "layer": m["layer"], "part": "shipped", "trained_on": "next-token"}
            for st, e in sorted(analysed_ends(m).items())]
    return pd.concat([df, pd.DataFrame(ends, columns=df.columns)], ignore_index=True)


def further_section(numbers: dict) -> str:
    """How far does the exact target go? The objective trial's exact target carried further than its longest
    pair, and on past the end of its schedule (its later stages, carried_stages), beside the shipped model
    (next-token) after as many games: a table by games, the colour after as many games and what that is worth
    in the shipped model's games, what each later stage's warm restart cost, the run's own pace over its last
    doubling and where it would reach the 90% target (games, and hours at its measured speed), and whether the
    languages stay aligned. "" without such runs."""
    runs = further_runs(numbers)
    if not runs:
        return ""
    pair, r = _objective_pairs(numbers)[-1], runs[-1]
    stages = carried_stages(numbers, r)
    snames = _stage_names(r, stages)
    df = further_by_games(numbers)
    m = _shipped_model(numbers, r["experiment"])
    bs, objective = r["batch_size"], run_objective(r)
    where = _host(r)
    lengths = " and ".join(f"{x['steps']:,} steps ({millions(x['steps'] * bs)})" for x in runs)
    carried = ""
    if stages:
        x0 = stages[0]
        rates = lambda x: (x["lr"], x["min_lr"], x["warmup_steps"])  # noqa: E731
        own = "".join(f"; the stage to step {x['steps']:,} {'gentler' if x['lr'] < x0['lr'] else 'steeper'}: warm-up "
                      f"{x['warmup_steps']:,} steps to {x['lr']:g}, cosine to {x['min_lr']:g}"
                      for x in stages if rates(x) != rates(x0))
        carried = (" Then it trained on from its end, past the end of its schedule (`--carry-on`): " + "; then ".join(
            f"{x['steps'] - x['from_step']:,} more steps ({millions((x['steps'] - x['from_step']) * bs)}, to step "
            f"{x['steps']:,})" for x in stages) + f", {'each ' if len(stages) > 1 else ''}a later stage as the shipped "
            f"models' are: a warm restart of the learning rate (warm-up {x0['warmup_steps']:,} steps to {x0['lr']:g}, "
            f"cosine to {x0['min_lr']:g} over the stage{own}), at batch {bs}, "
            + ("its AdamW moments carried over" if x0.get("init_optimizer") else "a fresh optimizer state")
            + ", on the next games of its stream.")
    lines = ["## The exact target carried further\n",
             f"The objective trial carried on ended after {millions(pair[0]['steps'] * bs)}. Here `{r['experiment']}` "
             f"trained from scratch at {_shape(r)} with `{objective}` again, over {lengths}, on this project's own "
             f"machine ({where}, PyTorch {r['torch']}): the objective trial's recipe but for its length (batch {bs}, "
             f"peak lr {r['lr']:g}, warm-up {r['warmup_steps']:,}, the cosine to {r['min_lr']:g} spanning the run, "
             f"{r['dtype']}), on the same stream of fresh games, its snapshots analysed as the trials above." + carried
             + " No next-token run of its length stands beside it"
             + (f": the shipped `{m['name']}`, which trains next-token as the study does, stands in for one, at its "
                "analysed stage ends or on the line between two of them against log games (its schedule differs: "
                "a first stage, then warm restarts; see how the models were trained, above)" if m else "")
             + f". Its weights do not ship; its numbers are in `checkpoints/{WIDTH_RUNS}`.\n"]
    main = _run_name(r)
    names = [_run_name(x) for x in runs] + snames
    others = [_run_name(x) for x in reversed(pair)]   # the exact target's shorter run first
    head = ["games seen"] + [c for n in names for c in (f"{n}: legal moves, worst language", f"{n}: colour in-language")] \
        + [f"{n}: colour in-language" for n in others] + ([f"{SHIPPED_RUN}: colour in-language"] if m else [])
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    starts = {n: x["from_step"] for n, x in zip(snames, stages)}   # a stage's first row is where it starts from
    at = {(x.run, x.games): x for x in df.itertuples() if x.step > starts.get(x.run, -1)}
    ends = [(model_games(m, st), c) for st, c in colour_ends(m).items()] if m else []
    own = df[df["run"].isin([main, *snames]) & (df["step"] > df["run"].map(starts).fillna(-1))].sort_values("games")
    for g in own["games"]:
        cells = [f"{g:,}"]
        for n in names:
            x = at.get((n, g))
            cells += [pct(x.legal_min), f"{pct(x.colour)} (layer {x.layer})"] if x else ["", ""]
        cells += [f"{pct(at[(n, g)].colour)} (layer {at[(n, g)].layer})" if (n, g) in at else "" for n in others]
        if m:
            cs = log_interpolate(ends, g)
            cells.append(pct(cs) if cs is not None else "")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    last = own.iloc[-1]
    games, c = int(last["games"]), float(last["colour"])
    said = [f"After {millions(games)} the {objective} run reads the colour at {pct(c)} (layer {last['layer']}), the "
            f"legal moves in its worst language at {pct(last['legal_min'])}."]
    if m:
        cs = log_interpolate(ends, games)
        if cs is not None:
            said.append(f"The shipped model, trained next-token, reads the colour at {pct(cs)} after as many games: "
                        f"{pts(c - cs)}.")
        kind, g = _games_for(ends, c)
        if kind == "=" and g > games:
            said.append(f"It reads the colour as well only after about {millions(g)}: the exact target was worth "
                        f"{g / games:.1f}x the games here.")
        elif kind == ">":
            said.append(f"That is better than the shipped model reads it after all its {millions(g)} "
                        f"({pct(max(ends)[1])}): the exact target was worth more than {g / games:.1f}x the games here.")
    reads = []   # per stage: its peak, the colour's dip after its warm restart, its pace per doubling
    for x, n in zip(stages, snames):
        rows = df[df["run"] == n].sort_values("step")
        s0, s1, s2 = rows.iloc[0], rows.iloc[1], rows.iloc[-1]
        doublings = np.log2(s2["games"] / s0["games"])
        pace = (s2["colour"] - s0["colour"]) / doublings
        reads.append((x["lr"], s1["colour"] - s0["colour"], pace))
        said.append(f"The stage from step {x['from_step']:,} to {x['steps']:,}{_peak_note(x)}: "
                    f"{millions(s1['games'] - s0['games'])} after its warm restart the colour read {pct(s1['colour'])} "
                    f"({pts(s1['colour'] - s0['colour'])} on its start), the legal moves in the worst language "
                    f"{pct(s1['legal_min'])} ({pts(s1['legal_min'] - s0['legal_min'])}); at its end {pct(s2['colour'])} "
                    f"({pts(s2['colour'] - s0['colour'])} over the stage"
                    + ("" if abs(doublings - 1) < 0.05 else  # over a doubling the gain is the pace: said
                       f", {100 * pace:.1f} points per doubling of the games")
                    + f") and {pct(s2['legal_min'])}.")
    said += [t for t in [_gentler(reads)] if t]
    # the pace is read between points at the end of a cosine (the run's own snapshots, the stages' ends), not
    # inside a stage, where a warm restart's dip would pass for a pace
    stage_ends = {x["steps"] for x in stages}
    steps = sorted(st for st in own["step"] if st <= r["steps"] or st in stage_ends)
    at_step = {(main, x.step): x for x in own.itertuples()}
    span = _halfway(steps)
    earlier = _halfway([st for st in steps if st <= span[0]]) if span else []
    per, before, target = _pace(at_step, main, span), _pace(at_step, main, earlier), None
    if per:
        g0, g1 = span[0] * bs, span[1] * bs
        text = (f"Over its last {_doublings(g0, g1)} of the games ({g0:,} to {g1:,}) it gained "
                f"{100 * per:.1f} points per doubling" + (f" (from {earlier[0] * bs:,} to {g0:,}: "
                                                           f"{100 * before:.1f})" if before else ""))
        if c < COLOUR_TARGET:
            more, target = to_target(games, c, per)
            sps = ((stages[-1] if stages else r).get("measured") or {}).get("steps_per_s")
            text += (f"; at that pace it would read the colour at {TARGET} after about {millions(target)} in all "
                     f"({more:.1f} more doublings)" + (f", some {target / bs / sps / 3600:,.0f} hours of training at its "
                                                       f"measured speed here ({sps:.2f} steps/s at batch {bs})" if sps else ""))
            gpu = [x for x in (m.get("trained") or {}).get("stages") or [] if on_gpu(x)] if m else []
            if gpu and (rate := games_per_s(gpu[-1])):
                text += (f", or about {target / rate / 3600:.1f} GPU-hours at the {rate:,.0f} games/s the shipped "
                         "model's GPU stage trained at (next-token, sharing the GPU)")
        said.append(text + ".")
    mper = colour_per_doubling(m) if m else None
    if mper and m["colour_in_language"] < COLOUR_TARGET:
        _, shipped_target = to_target(model_games(m, m["step"]), m["colour_in_language"], mper)
        if not target:
            than = ""
        elif shipped_target > target:
            than = f": at these paces the exact target gets there on {shipped_target / target:.1f}x fewer games"
        else:
            than = _lead_moved(at_step[(main, span[0])].colour, c, ends, span[0] * bs, games)
        said.append(f"The shipped model's own pace ({100 * mper:.1f} points per doubling, over its stage ends) gives "
                    f"{TARGET} after about {millions(shipped_target)}{than}.")
    b = _best((stages[-1] if stages else r)["points"][-1])
    if b.get("cross_lingual") is not None and b.get("in_language") is not None:
        gap = b["in_language"] - b["cross_lingual"]
        text = (f"Across its languages after {millions(games)}: the cross-lingual probe reads {pct(b['cross_lingual'])} "
                f"against {pct(b['in_language'])} in-language, {100 * gap:.1f} points apart")
        e, between = _shipped_alignment(m, games) if m else (None, False)
        if e:
            shipped_gap = e["in_language"] - e["cross_lingual"]
            text += (f"; the shipped model's after as many games{' (on the line between its stage ends)' if between else ''} "
                     f"{pct(e['cross_lingual'])} against {pct(e['in_language'])}, {100 * shipped_gap:.1f} points apart: "
                     "the exact target keeps the "
                     + ("languages as aligned (within a point)" if abs(gap - shipped_gap) <= DEPTH_MARGIN else
                        f"languages {'less' if gap > shipped_gap else 'more'} aligned"))
        said.append(text + ".")
    if c < COLOUR_TARGET:
        said.append(f"Below the {TARGET} target after {millions(games)}: {100 * (COLOUR_TARGET - c):.1f} points short.")
    lines.append(" ".join(said))
    return "\n".join(lines) + "\n"


GENTLER_MARGIN = 0.01   # colour points per doubling a stage's pace must gain to count as faster (a short stage's


#                         pace moves by about this much with the probe's own noise of a few tenths of a point)


def _gentler(reads: list[tuple[float, float, float]]) -> str:
    """What a gentler warm restart told, from the stages' (peak lr, colour dip after the restart, pace per
    doubling): the last stage with a lower peak than the stage before it, against that stage. '' without."""
    k = next((k for k in range(len(reads) - 1, 0, -1) if reads[k][0] < reads[k - 1][0]), None)
    if k is None:
        return ""
    (lr0, dip0, pace0), (lr1, dip1, pace1) = reads[k - 1], reads[k]
    text = (f"With the gentler warm restart (to {lr1:g} against {lr0:g}) the colour dipped {pts(dip1)} against "
            f"{pts(dip0)} the stage before, and gained {100 * pace1:.1f} points per doubling against {100 * pace0:.1f}")
    if pace1 <= pace0 + GENTLER_MARGIN:
        return text + (": the warm restarts' dips are not what slows the pace"
                       + ("; at this size the colour is levelling off (under a point per doubling)."
                          if max(pace0, pace1) < 0.01 else "."))
    return text + ": the warm restarts were holding the pace back."


def _lead_moved(c0: float, c1: float, ends: list, g0: float, g1: float) -> str:
    """When the shipped model's pace is the faster: how the exact target's lead over it moved from g0 to g1 games
    ('' where the shipped model has no colour at either)."""
    s0, s1 = log_interpolate(ends, g0), log_interpolate(ends, g1)
    if s0 is None or s1 is None:
        return ""
    return (f": the faster pace now, the exact target's lead after as many games went from {100 * (c0 - s0):.1f} "
            f"points ({g0:,.0f} games) to {100 * (c1 - s1):.1f} ({g1:,.0f} games)")


def _shipped_alignment(m: dict, games: float) -> tuple[dict | None, bool]:
    """The shipped model's in-language and cross-lingual probes after `games` games: at an analysed stage end
    of as many games, else on the line between the two around it against log games (then True); None outside."""
    ends = {model_games(m, st): e for st, e in analysed_ends(m).items()
            if e.get("cross_lingual") is not None and e.get("in_language") is not None}
    if games in ends:
        return ends[games], False
    at = {k: log_interpolate([(g, e[k]) for g, e in ends.items()], games) for k in ("in_language", "cross_lingual")}
    return (at, True) if None not in at.values() else (None, False)
