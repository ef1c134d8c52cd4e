"""Do the languages share their games? Models reading 1 to 10 languages against the one-language model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..pace import colour_at_games, colour_ends, log_interpolate, model_games
from ..text import millions, pct, pts
from .runs import DEPTH_MARGIN, _best, _by_shape, _config, _inputs, _pooling_name, _shape, _types, pooling_runs
from .tables import _common_steps, _recipe, _trial_frame


def pooling_commands(numbers: dict) -> list[str]:
    """The commands that train the pooling trial's runs, but for one the width trial trains already."""
    width = _by_shape(numbers)
    widths = {r["experiment"] for r in width} if len(width) >= 2 else set()
    return [f"python scripts/width_trial.py --model {r['experiment']} --shapes {r['n_layer']}x{r['d_model']}   # the "
            "pooling trial, here" for r in pooling_runs(numbers) if r["experiment"] not in widths]


def pooling_by_games(numbers: dict) -> pd.DataFrame:
    """The pooling trial's snapshots (_trial_frame, by "model": its name and how many languages it reads),
    with the columns "languages" (that many) and "per_language" (the games seen in each of them). Empty
    without the trial."""
    runs = pooling_runs(numbers)
    n = {_pooling_name(r): _inputs(r) for r in runs}
    df = _trial_frame(runs, _pooling_name, "model")
    df["languages"] = df["model"].map(n).astype(float)
    df["per_language"] = df["games"] / df["languages"]
    return df


def _games_for(points: list[tuple[float, float]], colour: float) -> tuple[str, float]:
    """After how many games a run with snapshots `points` ((games, colour)) reads the colour `colour`, on
    its rising part (from its last snapshot back while each is more than DEPTH_MARGIN above the one before;
    before it the colour sits at its floor): ("=", games) on the straight line against log games between the
    two snapshots around it; ("<", games) below the first of that part (it reads no better than the run
    after that many games); (">", games) above its last."""
    pts_ = sorted(points)
    k = len(pts_) - 1
    while k > 0 and pts_[k][1] - pts_[k - 1][1] > DEPTH_MARGIN:
        k -= 1
    rising = pts_[k:]
    if colour < rising[0][1]:
        return "<", float(rising[0][0])
    if colour > rising[-1][1]:
        return ">", float(rising[-1][0])
    for (g0, c0), (g1, c1) in zip(rising, rising[1:]):
        if c0 <= colour <= c1:
            return "=", float(g0 * (g1 / g0) ** ((colour - c0) / (c1 - c0))) if c1 > c0 else float(g0)
    return "=", float(rising[0][0])  # a single rising snapshot that reads exactly `colour`


def _about(x: float) -> str:
    """x to 3 significant digits, with thousands separators: 226,274 -> '226,000'."""
    return f"{round(x, 2 - int(np.floor(np.log10(x)))):,.0f}" if x > 0 else "0"


def _pooling_verdict(kind: str, times: float, n: int) -> str:
    """What `times` (the games a one-language model needs to read as well, over the games each of the n
    languages saw; 1: each learns from its own games only, n: from all of them; kind "=", or "<" / ">" for
    a bound) says."""
    own, pooled = n ** 0.25, n ** 0.75  # a quarter and three quarters of the way from 1 to n, in log games
    if kind == "=" and times <= 1 / own:
        return "below even that: each language learns from its own games only, a little slower than one language alone"
    if kind in "=<" and times <= own:
        return "close to each language learning from its own games only"
    if kind in "=>" and times >= pooled:
        return "close to every game teaching every language: its languages pool their games"
    if kind == "=":
        return "between the two: its languages share part of their games"
    return "at most partly pooled" if kind == "<" else "at least partly pooled"


def _naive(name: str) -> bool:
    """Whether an experiment is naive: atomic languages only, no anchors, no unified output."""
    exp = _config(name)
    return not exp.unified_output and not exp.anchors and all(lang.type == "atomic" for lang in exp.languages)


def _shipped_pooling(numbers: dict, names: list[str]) -> str:
    """The shipped models among `names` that read two languages or more, far beyond the trial: each at its
    analysed stage ends beside the naive one reading the fewest (the base) after as many games in each
    language and, reading more languages than it, after as many in all (colour_at_games: read between the
    base's stage ends); "" without the base and another model."""
    shipped = [(len(_config(m["name"]).input_languages), m) for m in numbers["models"].values() if m["name"] in names]
    shipped = sorted(((n, m) for n, m in shipped if n >= 2), key=lambda x: (x[0], x[1]["name"]))
    base = next(((n, m) for n, m in shipped if _naive(m["name"])), None)
    if base is None:
        return ""
    (n0, m0), said, ahead_all = base, [], []
    b = f"`{m0['name']}`"
    for n, m in shipped:
        if m is m0:
            continue
        rows = []   # (games, colour, the base's after as many in each language, after as many in all)
        for step, c in sorted(colour_ends(m).items()):
            g = model_games(m, step)
            if (each := colour_at_games(m0, g * n0 / n)) is not None:
                rows.append((g, c, each, colour_at_games(m0, g) if n != n0 else None))
        if not rows:
            continue
        name = f"`{m['name']}`"
        if n == n0:
            said.append(f"{name} ({n} languages), at its analysed stage ends, beside {b} after as many games: "
                        + "; ".join(f"after {millions(g)} {pct(c)} ({b}: {pct(each)})" for g, c, each, _ in rows) + ".")
        else:
            said.append(f"{name} ({n} languages), at its analysed stage ends, beside {b} ({n0}): " + "; ".join(
                f"after {millions(g)} {pct(c)} ({b}: {pct(each)} after as many in each language, "
                + (f"{pct(whole)} after as many in all)" if whole is not None else "it has not seen as many in all)")
                for g, c, each, whole in rows) + ".")
        leads = [c - each for _, c, each, _ in rows]
        if _naive(m["name"]):
            closer = [abs(c - each) < abs(c - whole) for _, c, each, whole in rows if whole is not None]
            if closer and all(closer):
                said.append(f"Where both can be read, {name} is closer to {b} after as many games in each language "
                            "than after as many in all.")
            elif closer and not any(closer):
                said.append(f"Where both can be read, {name} is closer to {b} after as many games in all.")
        else:
            games = "after as many games" + (" in each language" if n != n0 else "")
            if leads[-1] > DEPTH_MARGIN:
                ahead_all.append(name)
                said.append(f"{name} reads the colour better than {b} {games} at its last stage end "
                            f"({pts(leads[-1])}" + (f"; {pts(leads[0])} at its first" if len(leads) > 1 else "") + ").")
            elif leads[-1] < -DEPTH_MARGIN:
                said.append(f"{name} reads the colour worse than {b} {games} at its last stage end ({pts(leads[-1])}).")
    if not said:
        return ""
    if ahead_all:
        said.append("So over long training " + " and ".join(ahead_all) + f" get{'s' if len(ahead_all) == 1 else ''} "
                    "more of the world model out of each "
                    "language's games than the naive model does, more than the trial's first games show; how much of "
                    "that is shared games and how much else these shipped runs cannot tell apart (they did not train "
                    "with the trial's one recipe).")
    return ("The shipped models, trained far longer (their schedules differ: see how they trained, above): "
            + " ".join(said))


def _pooling_table(df: pd.DataFrame, names: list[str]) -> tuple[list[str], list[int], dict]:
    """The pooling trial's runs (pooling_by_games rows, named in "model"), one row each: how many languages
    it reads, its colour at every step all runs have, and its worst language's legal moves at the last.
    (lines, those steps, {(name, step): row})."""
    steps, at = _common_steps(df, "model", names)
    games = [at[(names[0], st)].games for st in steps]
    head = ["model", "languages"] + [f"colour after {g:,} games" if k == 0 else f"{g:,}" for k, g in enumerate(games)]
    head.append(f"legal moves after {games[-1]:,}, worst language" if games else "legal moves")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in names:
        x = at[(s, steps[-1])] if steps else None
        lines.append(f"| {s.split(' (')[0]} | {int(x.languages) if x is not None else ''} | "
                     + " | ".join(pct(at[(s, st)].colour) for st in steps) + f" | {pct(x.legal_min) if x else ''} |")
    return lines + [""], steps, at


def _shared_pooling(runs: list[dict], times_of: dict) -> list[str]:
    """For each model of the pooling trial that shares tokens (anchors) or its output (unified) beside a
    naive one reading as many languages of the same kinds: how much better its languages read each other's
    boards (cross-lingual, at the end, each at its best layer) against how much more of their games they
    share (times_of: experiment -> (kind, times))."""
    said = []
    for r in runs:
        exp = _config(r["experiment"])
        base = next((b for b in runs if b is not r and _inputs(b) == _inputs(r) and _types(b) == _types(r)
                     and _naive(b["experiment"])), None)
        if _naive(r["experiment"]) or base is None or not {r["experiment"], base["experiment"]} <= set(times_of):
            continue
        (ka, ta), (kb, tb) = times_of[r["experiment"]], times_of[base["experiment"]]
        ca, cb = _best(r["points"][-1])["cross_lingual"], _best(base["points"][-1])["cross_lingual"]
        if ca is None or cb is None or ka == "<" or kb != "=":  # the base read, the model read or above a bound
            continue
        n = _inputs(r)
        what = " and ".join(([f"{sum(len(g.squares) for g in exp.anchors)} anchor squares"] if exp.anchors else [])
                            + (["a unified output"] if exp.unified_output else []))
        read = (f"read each other's boards {'better' if ca - cb > DEPTH_MARGIN else 'no better'} than "
                f"`{base['experiment']}`'s (cross-lingual {pct(ca)} against {pct(cb)})")
        share = ("hardly more of their games" if ta / tb < n ** 0.25 else "more of their games")
        said.append(f"With {what} `{r['experiment']}`'s {n} languages {read}, and share {share} "
                    f"({'at least ' if ka == '>' else ''}{ta:.1f}x against {tb:.1f}x)"
                    + (": lining the languages' representations up does not by itself make a game in one "
                       "language teach the others." if ca - cb > DEPTH_MARGIN and ta / tb < n ** 0.25 else
                       f": with {what} a game in one language teaches the others." if ta >= n ** 0.75 else "."))
    return said


def pooling_section(numbers: dict) -> str:
    """Do the languages share their games? The pooling trial: a one-language model and multilingual ones
    from scratch with one recipe; each multilingual model's colour read as the games the one-language model
    needs for it, against the games each of its languages saw; and the shipped naive models far beyond. ""
    without the trial."""
    runs = pooling_runs(numbers)
    df = pooling_by_games(numbers)
    if not runs or df.empty:
        return ""
    ref, names = runs[0], [_pooling_name(r) for r in runs]
    refname = f"`{ref['experiment']}`"
    kinds = []
    for r in runs[1:]:
        exp = _config(r["experiment"])
        kinds.append(f"`{r['experiment']}` ({_inputs(r)} {' / '.join(_types(r))} languages"
                     + (", unified output" if exp.unified_output else "")
                     + (f", {sum(len(g.squares) for g in exp.anchors)} anchor squares" if exp.anchors
                        else ", no shared tokens" if not exp.unified_output else "") + ")")
    lines = ["## Do the languages share their games?\n",
             "A multilingual model sees each game in one of its languages. Does what a game teaches it about the "
             "board in one language serve the others (the languages pool their games), or does each language "
             "learn from its own games only? Then a model reading n languages would need n times the games for "
             "the same world model. Here " + ", ".join([f"{refname} (one atomic language: Othello-GPT's setting)"]
                                                      + kinds[:-1])
             + f" and {kinds[-1]} trained from scratch at {_shape(ref)}, " + _recipe(ref)]
    table, steps, at = _pooling_table(df, names)
    lines += ["The colour in-language (mine / theirs on occupied squares) at each model's best layer:\n", *table]
    last = steps[-1] if steps else None
    said, times_of = [], {}
    ref_points = [(x.games, x.colour) for x in df[df["model"] == names[0]].itertuples()]
    bullets = []
    for r, name in zip(runs[1:], names[1:]):
        if last is None:
            break
        n, x = _inputs(r), at[(name, last)]
        each = x.games / n
        kind, g = _games_for(ref_points, x.colour)
        times = g / each
        times_of[r["experiment"]] = (kind, times)
        read = {"=": f"which {refname} reads after about {_about(g)} games",
                "<": f"no better than {refname} after {g:,.0f} games (its colour rises from there)",
                ">": f"better than {refname} after {g:,.0f} games (its last snapshot)"}[kind]
        readings = [f"after {games:,.0f} games {pct(c)}" for games in (each, x.games)
                    if (c := log_interpolate(ref_points, games)) is not None]
        bullets.append(f"- `{r['experiment']}` ({n} languages) after {x.games:,} games, {each:,.0f} in each: colour "
                       f"{pct(x.colour)}, {read}: **" + {"=": "", "<": "at most ", ">": "at least "}[kind]
                       + f"{times:.1f}x** of {n}x, {_pooling_verdict(kind, times, n)}"
                       + (f" ({refname} " + ", ".join(readings) + ")." if readings else "."))
    if bullets:
        lines += [f"Each model after {millions(last * ref['batch_size'])}: its colour read as the games {refname} needs to "
                  "read as well, over the games each of its languages saw. 1x means each language learns the board "
                  "from its own games only; n x (n: how many languages it reads) that every game teaches every "
                  "language.\n",
                  *bullets, ""]
    said += _shared_pooling(runs, times_of)
    mixed = [f"`{r['experiment']}`" for r in runs if _types(r) != ["atomic"]]
    if mixed:
        said.append(" and ".join(mixed) + f" also read{'s' if len(mixed) == 1 else ''} languages that write a move "
                    "with more than one token, a harder task than the one-language model's in more ways than the "
                    "count of games: that reading may understate how far the languages pool.")
    if said:
        lines.append(" ".join(said))
    shipped = _shipped_pooling(numbers, [r["experiment"] for r in runs])
    if shipped:
        lines.append("\n" + shipped)
    return "\n".join(lines) + "\n"
