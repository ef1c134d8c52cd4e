"""Does the deeper recipe hold for another model? The depth ladder's recipe on another suite model, beside the
ladder's run at that shape and the model as shipped."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..numbers import WIDTH_RUNS, run_objective
from ..pace import analysed_ends, colour_at_games, colour_ends, colour_per_doubling, model_games
from ..text import millions, pct, pts
from ..verdicts import COLOUR_TARGET, TARGET
from .runs import DEPTH_MARGIN, _config, _inputs, _scratch, _setup, _shape, _shipped_model, _where, carried_stages, ladder_runs
from .ladder import LEVEL_PACE
from .tables import _all_below, _doublings, _halfway, _rates, _trial_frame, _would_reach


def other_model_runs(numbers: dict) -> list[dict]:
    """The recorded runs from scratch of another suite model than the depth ladder's, with the ladder's objective
    and recipe (steps, batch, rates, warm-up) at one of its shapes, by model, then shallowest first; [] without the
    ladder."""
    ladder = ladder_runs(numbers)
    if not ladder:
        return []
    r0 = ladder[0]
    keys = ("steps", "batch_size", "lr", "min_lr", "warmup_steps")
    shapes = {(r["n_layer"], r["d_model"]) for r in ladder}
    return sorted((r for r in _scratch(numbers) if r["experiment"] != r0["experiment"]
                   and all(r[k] == r0[k] for k in keys) and run_objective(r) == run_objective(r0)
                   and (r["n_layer"], r["d_model"]) in shapes), key=lambda r: (r["experiment"], r["n_layer"]))


def _ladder_beside(numbers: dict, r: dict) -> dict | None:
    """The depth ladder's run at the shape of `r`."""
    return next((x for x in ladder_runs(numbers) if (x["n_layer"], x["d_model"]) == (r["n_layer"], r["d_model"])), None)


def _name(r: dict) -> str:
    """'naive-2, 4 x 192'."""
    return f"{r['experiment']}, {_shape(r)}"


def _shipped_name(m: dict) -> str:
    """'naive-2 as shipped (3 x 192, next-token)'."""
    return f"{m['name']} as shipped ({m['n_layer']} x {m['d_model']}, next-token)"


def other_model_by_games(numbers: dict) -> pd.DataFrame:
    """The trial's snapshots (_trial_frame rows, by "run": "naive-2, 4 x 192"): each run on another model (column
    "part" "run"; its later stages, width_trial --carry-on, go on along its line, their minutes after the ones
    before), the depth ladder's run at its shape ("ladder"), and the other model as shipped at its analysed stage
    ends ("shipped", run _shipped_name; no minutes: it trained elsewhere and in stages). Empty without the trial."""
    runs = other_model_runs(numbers)
    empty = _trial_frame([], _name, "run").assign(part=[])
    if not runs:
        return empty
    frames = []
    for r in runs:
        own = _trial_frame([r], _name, "run")
        for x in carried_stages(numbers, r):
            more = _trial_frame([x], lambda _, r=r: _name(r), "run")
            more["minutes"] += own["minutes"].max()
            own = pd.concat([own, more], ignore_index=True)
        frames.append(own.assign(part="run"))
    for x in {id(b): b for r in runs if (b := _ladder_beside(numbers, r))}.values():
        frames.append(_trial_frame([x], _name, "run").assign(part="ladder"))
    for name in dict.fromkeys(r["experiment"] for r in runs):
        m = _shipped_model(numbers, name)
        if m is not None:
            frames.append(pd.DataFrame([{"run": _shipped_name(m), "step": st, "games": model_games(m, st),
                                         "minutes": np.nan, "legal_min": e["legal_min"],
                                         "colour": e["colour_in_language"], "layer": m["layer"], "part": "shipped"}
                                        for st, e in sorted(analysed_ends(m).items())], columns=empty.columns))
    return pd.concat(frames, ignore_index=True)


def _carried_on(numbers: dict, r: dict) -> str:
    """' naive-2, 4 x 192 was carried on past its schedule's end: to 48,000 steps (a warm restart to peak lr ...).'
    for a run with later stages (width_trial --carry-on), else ''."""
    stages = carried_stages(numbers, r)
    if not stages:
        return ""
    head = f" {_name(r)} was carried on past its schedule's end, on the same stream of games: "
    if len(stages) > 1 and len({_rates(x) for x in stages}) == 1:   # one recipe for every stage: said once
        return (head + ", then ".join(f"to {x['steps']:,} steps" for x in stages)
                + f", each a warm restart ({_rates(stages[0])}).")
    return head + "; then ".join(f"to {x['steps']:,} steps (a warm restart: {_rates(x)})" for x in stages) + "."


def _table(df: pd.DataFrame) -> list[str]:
    """The trial's runs side by side by games seen (a dash where a run has no reading there): each one's worst
    language's legal moves and colour (with its layer)."""
    names = list(dict.fromkeys(df["run"]))
    at = {(x.run, int(x.games)): x for x in df.itertuples()}
    head = ["games seen"] + [c for n in names for c in (f"{n}: legal moves, worst language", f"{n}: colour in-language")]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for g in sorted({int(x) for x in df["games"]}):
        cells = [f"{g:,}"]
        for n in names:
            x = at.get((n, g))
            cells += [pct(x.legal_min), f"{pct(x.colour)} (layer {x.layer})"] if x is not None else ["–", "–"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def _last(df: pd.DataFrame, name: str) -> pd.Series:
    """Run `name`'s reading after the most games."""
    own = df[df["run"] == name]
    return own.loc[own["games"].idxmax()]


def _against_shipped(m: dict, name: str, x: pd.Series) -> list[str]:
    """The run `name` (its last reading `x`) against model `m` as shipped after as many games, what a lead is worth
    in the shipped model's games at its own pace, and against everything the shipped model saw."""
    games, colour = int(x["games"]), float(x["colour"])
    there = colour_at_games(m, games)
    end = model_games(m, m["step"])
    between = games not in {model_games(m, st) for st in colour_ends(m)}   # read off its line, not at a stage end
    said = [f"After {millions(games)} `{name}` reads the colour at {pct(colour)} (layer {int(x['layer'])}; legal "
            f"moves {pct(x['legal_min'])} in its worst language)"
            + (f", {pts(colour - there)} against `{m['name']}` as shipped after as many games ({pct(there)}"
               + ("; on its line between its stage ends" if between else "") + ")" if there is not None else "")
            + (f" and {pts(colour - m['colour_in_language'])} against it after all of its {millions(end)} "
               f"({pct(m['colour_in_language'])})" if end > games else "") + "."]
    per = colour_per_doubling(m)
    if there is not None and per and colour - there > DEPTH_MARGIN:
        said.append(f"At the shipped model's own pace over its stage ends ({pts(per)} per doubling of the games), "
                    f"that lead is worth some {2 ** ((colour - there) / per):,.0f}x the games.")
    return said


def _passed_later(own: pd.DataFrame, g: float, c: float, cb: float) -> str:
    """', and first read more than it after 6.1 million games (84.8%)' where the run, behind the ladder's last
    reading `cb` after `g` games (reading `c` there), passed it later on; else ''."""
    later = own[(own["games"] > g) & (own["colour"] > cb)].sort_values("games")
    if c >= cb or later.empty:
        return ""
    x = later.iloc[0]
    return f", and first read more than it after {millions(int(x['games']))} ({pct(float(x['colour']))})"


def _against_ladder(numbers: dict, df: pd.DataFrame, r: dict, m: dict | None) -> list[str]:
    """The run `r` against the depth ladder's run at its shape after as many games, and what the recipe lifted on
    each model over the model as shipped after as many games."""
    b = _ladder_beside(numbers, r)
    own = df[df["run"] == _name(r)]
    ladder = df[(df["run"] == _name(b)) & (df["part"] == "ladder")] if b else own.iloc[:0]
    common = sorted(set(own["games"]) & set(ladder["games"]))
    if not common:
        return []
    g = common[-1]
    c, cb = (float(f.loc[f["games"] == g, "colour"].iloc[0]) for f in (own, ladder))
    alike = abs(c - cb) <= DEPTH_MARGIN
    gap = f"{100 * abs(c - cb):.1f} points {'better' if c > cb else 'worse'}"
    at_last = g == own["games"].max()   # else the run carried on past the ladder's last reading: compared there
    when = "after as many games" if at_last else f"after {millions(g)}"
    said = [f"The depth ladder's `{b['experiment']}` at {_shape(b)} read {pct(cb)} "
            + (f"after as many games: `{r['experiment']}` "
               + (f"reads the colour as well ({pts(c - cb)})" if alike else f"reads it {gap}") if at_last else
               f"{when}, its last reading; `{r['experiment']}` read {pct(c)} there: "
               + (f"as well ({pts(c - cb)})" if alike else gap) + _passed_later(own, g, c, cb)) + "."]
    pooled = [x for x in (r, b) if _inputs(x) > 1]
    apart = [x for x in pooled if not _config(x["experiment"]).unified_output]
    if apart and len(apart) < len(pooled):
        x, other = apart[0], next(y for y in pooled if y is not apart[0])
        said.append(f"`{x['experiment']}` reads its {_inputs(x)} languages without a shared output, each from its "
                    f"own share of the games ({int(g) // _inputs(x):,} each here), where `{other['experiment']}` "
                    "predicts every language's moves in one output language: the pooling trial (*Do the languages "
                    "share their games?*) found a naive model learning the board per language, a unified one pooling "
                    "its languages' games.")
    mb = _shipped_model(numbers, b["experiment"])
    lifts = [(n, c - t) for n, c, s in ((r["experiment"], c, m), (b["experiment"], cb, mb))
             if s is not None and (t := colour_at_games(s, g)) is not None]
    if len(lifts) == 2:
        said.append(f"Over each model as shipped {when} the recipe lifted the colour by "
                    + " and ".join(f"{pts(d)} on `{n}`" for n, d in lifts) + ".")
    return said


def _to_target(df: pd.DataFrame, r: dict) -> list[str]:
    """The run's gain over its last doubling of the games (or the span its last snapshots give), and where that
    pace would take it to the target: games in all, and hours more at its speed measured alone where it trained."""
    own = df[df["run"] == _name(r)].sort_values("games")
    gs = _halfway(list(own["games"]))
    if len(gs) < 2:
        return []
    (g0, c0), (g1, c1) = ((g, float(own.loc[own["games"] == g, "colour"].iloc[0])) for g in gs)
    per = (c1 - c0) / float(np.log2(g1 / g0))
    said = [f"Over its last {_doublings(g0, g1)} of the games ({int(g0):,} to {int(g1):,}) it gained {pts(per)} per doubling"]
    if c1 >= COLOUR_TARGET:
        return [said[0] + f", and it reads the colour at or above the {TARGET} target."]
    if per < LEVEL_PACE:
        return [said[0] + ": levelled off below the target."]
    return [said[0] + f"; at that pace it {_would_reach(r, g1, c1, per)}"]


def _speeds(numbers: dict, r: dict) -> str:
    """The run's measured speed beside the depth ladder's run at its shape: how much less (or more) time a step
    takes for this model's games, where the two were measured alike; else each with where it was measured."""
    b = _ladder_beside(numbers, r)
    if b is None:
        return ""
    s, sb = r["measured"]["steps_per_s"], b["measured"]["steps_per_s"]
    if _setup(r) == _setup(b):
        return (f"Each measured alone on {_setup(r)}: `{r['experiment']}` {s:.2f} steps/s, `{b['experiment']}` "
                f"{sb:.2f} steps/s at the same shape and batch ({s / sb:.1f}x the steps an hour: their games differ "
                "in tokens).")
    return (f"Speeds, each measured alone where it trained (they do not compare across machines): `{r['experiment']}` "
            f"{s:.2f} steps/s on {_setup(r)}; `{b['experiment']}` {sb:.2f} steps/s on {_setup(b)}.")


def other_model_section(numbers: dict) -> str:
    """Does the deeper recipe hold for another model? The depth ladder's recipe (its objective, steps, batch and
    rates) from scratch on another suite model at one of the ladder's shapes: a table by games beside the ladder's
    run at that shape and the model as shipped, the colour against the shipped model after as many games (and what
    that lead is worth in its games), against the ladder's run, what the recipe lifted on each model, the run's pace
    and where it would reach the target (games, hours at its measured speed). "" without the trial."""
    runs = other_model_runs(numbers)
    df = other_model_by_games(numbers)
    if not runs or df.empty:
        return ""
    r0 = runs[0]
    b0 = _ladder_beside(numbers, r0)
    mb = _shipped_model(numbers, b0["experiment"])
    ld = df[(df["run"] == _name(b0)) & (df["part"] == "ladder")]
    gl = int(ld["games"].max()) if len(ld) else 0
    cl = float(ld.loc[ld["games"].idxmax(), "colour"]) if len(ld) else None
    then = colour_at_games(mb, gl) if mb is not None and gl else None
    models = " and ".join(f"`{e}`" for e in dict.fromkeys(r["experiment"] for r in runs))
    lines = ["## Does the deeper recipe hold for another model?\n",
             f"The depth ladder (above) trained one model, `{b0['experiment']}`, with `{run_objective(b0)}` at batch "
             f"{b0['batch_size']}" + (f"; its {_shape(b0)} read the colour at {pct(cl)} after {millions(gl)}" if cl else "")
             + (f", where `{mb['name']}` as shipped ({mb['n_layer']} x {mb['d_model']}, next-token) read {pct(then)} "
                "after as many games" if then is not None else "") + ". The suite has four models: does the recipe "
             f"lift the colour of another as much? Here {models} trained from scratch with the ladder's recipe "
             f"({r0['steps']:,} steps at batch {r0['batch_size']}, {_rates(r0)}, on a fresh stream of its own games) "
             "at " + ", ".join(sorted({_shape(r) for r in runs})) + ", beside the ladder's run at that shape and the "
             "model as shipped (next-token, the suite's stages). Snapshots are analysed as the shipped models are "
             f"(linear probes, relative labels, {r0['probe_games']:,} training games per language, at the layer where "
             "the in-language colour probe is best; legal moves on the 500 held-out games). The weights do not ship; "
             f"the numbers are in `checkpoints/{WIDTH_RUNS}`. Where each trained: "
             + "; ".join(f"{_name(r)}: {_where(r)}" for r in runs) + f"; the ladder's {_shape(b0)}: {_where(b0)}."
             + "".join(_carried_on(numbers, r) for r in runs) + "\n"]
    lines += _table(df)
    said = []
    for r in runs:
        m = _shipped_model(numbers, r["experiment"])
        x = _last(df, _name(r))
        said += _against_shipped(m, _name(r), x) if m is not None else []
        said += _against_ladder(numbers, df, r, m) + _to_target(df, r)
        if sp := _speeds(numbers, r):
            said.append(sp)
    said += _all_below(float(df[df["part"] == "run"]["colour"].max()), int(df[df["part"] == "run"]["games"].max()))
    lines.append(" ".join(said))
    return "\n".join(lines) + "\n"


def other_model_against_shipped(numbers: dict) -> list[tuple[dict, dict, int, float, float]]:
    """Each run of the trial beside its model as shipped after as many games: (run, shipped model numbers, games
    of the run's last reading, its colour there, the shipped model's there), where the shipped model's analysed
    stage ends span those games."""
    df = other_model_by_games(numbers)
    found = []
    for r in other_model_runs(numbers):
        m = _shipped_model(numbers, r["experiment"])
        if m is None or df[df["run"] == _name(r)].empty:
            continue
        x = _last(df, _name(r))
        if (there := colour_at_games(m, int(x["games"]))) is not None:
            found.append((r, m, int(x["games"]), float(x["colour"]), there))
    return found
