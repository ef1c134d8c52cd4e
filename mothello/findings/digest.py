"""digest_section(): the trials on the colour at a glance. One row per trial, each read from the same runs as
its own section (the trials package), after as many games: what it changed, against what, and the colour each reached;
then which changes lifted the colour, which did not, and the highest colour any run reached."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ..suite import SUITE_TRAINING
from ..train import TrainConfig
from .numbers import run_objective
from .pace import colour_at_games, model_games
from .text import millions, pct
from .training import PROBE_NAMES
from .trials import (DEPTH_MARGIN, POOLING_REFERENCE, SHIPPED_RUN, batch_by_games, carried_stages, decay_by_games,
                     further_by_games,
                     further_runs, grown_pace, ladder_by_games, ladder_runs, lr_by_games, narrow_beside, narrow_by_games,
                     narrow_runs, next_token_depth_by_games, next_token_depth_runs, objective_by_games,
                     other_model_against_shipped, other_model_by_games, pooling_by_games, trained_on_by_games,
                     width_by_games)
from .trials.runs import _best, _by_shape, _depth, _objective_pairs, _shape, _shipped_model
from .verdicts import COLOUR_TARGET, TARGET


TITLE = f"Why the colour stays below {TARGET}: the trials at a glance"
QUESTIONS = {   # each trial's question, as the table and the figure name it (a row may name its own)
    "probe": "Is it the probe?", "paper": "Is it the size?", "depth": "Is it depth?", "width": "Is it width?",
    "objective": "Is it the noise of the target?", "further": "How far does the exact target go?",
    "ladder": "Does the depth set where the colour levels off?", "narrow": "Is it the depth or the size?",
    "depth-objective": "Does the objective let the depth count?",
    "trained-on": "Does the exact target teach a trained model?", "lr": "Is it the learning rate?",
    "batch": "Is it the batch?", "decay": "Is it the weight decay?",
    "other-model": "Does the deeper recipe hold for another model?", "pooling": "Do the languages share their games?"}


@dataclass
class Row:
    """One trial in the digest: what changed (`lever`: a short noun phrase for the closing sentences), in its
    runs `changed` against the runs `against` (one reference for all, or one each), after `games` (one for all,
    or one each), and the colour each run read there (`colours`, `refs`: one per changed run; no refs: no
    reference after as many games)."""
    key: str
    lever: str
    changed: str
    against: str
    games: list[int]
    colours: list[float]
    refs: list[float]
    added: bool = False   # games added on a trained model, not seen from scratch
    question: str = ""    # the row's own question, where QUESTIONS[key] does not fit it
    probe: bool = False   # another probe on the same models: it changes the reading, not the model

    def asks(self) -> str:
        return self.question or QUESTIONS[self.key]
    names: list[str] = field(default_factory=list)   # each changed run's short name ('6 x 192'), for the figure

    def diffs(self) -> list[float]:
        return [c - r for c, r in zip(self.colours, self.refs)]


def slug(title: str) -> str:
    """The anchor GitHub (and Streamlit) give a Markdown heading: lower case, punctuation dropped, spaces to
    hyphens ('Is it width?' -> 'is-it-width')."""
    return re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", title.strip().lower()))


def _common(df: pd.DataFrame, key: str, ref: str, others: list[str]) -> tuple[int, float, list[float]] | None:
    """The most games every named run (column `key` of a trial frame) has a snapshot at: (games, the reference
    run's colour there, each other run's); None without one."""
    names = [ref] + others
    games = set.intersection(*(set(df.loc[df[key] == n, "games"]) for n in names))
    if not games:
        return None
    g = max(games)
    at = {n: df[(df[key] == n) & (df["games"] == g)]["colour"].iloc[0] for n in names}
    return int(g), at[ref], [at[n] for n in others]


def _frame_row(key: str, lever: str, df: pd.DataFrame, col: str, ref: str, others: list[str], changed: str,
               against: str, added: bool = False, names: list[str] | None = None) -> Row | None:
    found = _common(df, col, ref, others) if not df.empty and others else None
    if found is None:
        return None
    g, r, cs = found
    return Row(key, lever, changed, against, [g], cs, [r] * len(cs), added, names=names or others)


def _probe(numbers: dict) -> Row | None:
    """The study's reference probe (a 2-layer MLP) against the linear one, on the shipped models below the target."""
    ms = [m for m in numbers["models"].values()
          if m.get("colour_in_language_mlp") is not None and m["colour_in_language"] < COLOUR_TARGET]
    if not ms:
        return None
    return Row("probe", "a non-linear probe", "a 2-layer MLP probe (512 hidden), on "
               + " / ".join(m["name"] for m in ms), "the linear probe, on the same",
               [model_games(m, m["step"]) for m in ms],
               [m["colour_in_language_mlp"] for m in ms], [m["colour_in_language"] for m in ms],
               question="Is it the probe?", names=[m["name"] for m in ms], probe=True)


def _probe_games(numbers: dict) -> list[Row]:
    """The same probes on more training games than the study's (probes.probe_games: each model's first language),
    on the shipped models below the target: a row per kind of probe, on the most games against the fewest."""
    ms = [m for m in numbers["models"].values()
          if m.get("probe_games") and m["colour_in_language"] < COLOUR_TARGET]
    rows = []
    for kind in dict.fromkeys(k for m in ms for k in m["probe_games"]["colour"]):
        runs = [(m, by_n) for m in ms if len(by_n := m["probe_games"]["colour"].get(kind, {})) > 1]
        if not runs:
            continue
        lo, hi = min(min(by_n) for _, by_n in runs), max(max(by_n) for _, by_n in runs)
        runs = [(m, by_n) for m, by_n in runs if lo in by_n and hi in by_n]
        name = PROBE_NAMES.get(kind, kind)
        rows.append(Row("probe-games", f"more games for {name}",
                        f"{name} on {hi:,} games, on " + " / ".join(m["name"] for m, _ in runs),
                        f"the same on {lo:,} games", [model_games(m, m["step"]) for m, _ in runs],
                        [by_n[hi] for _, by_n in runs], [by_n[lo] for _, by_n in runs],
                        question=f"Is it the probe's training games? ({name.removeprefix('the ')})",
                        names=[m["name"] for m, _ in runs], probe=True))
    return rows


def _paper(numbers: dict) -> Row | None:
    probed = [r for r in numbers.get("paper") or [] if r.get("alignment")]
    if not probed:
        return None
    r = probed[-1]
    row = r["alignment"]["layers"][str(r["alignment"]["best_layer"])]
    return Row("paper", "size (the `paper` preset)", f"the `{r['preset']}` preset, on a GPU",
               "none after as many games",
               [r["steps"] * r["batch_size"]], [row["colour_in_language"]], [], names=[f"{r['preset']} preset"])


def _deeper(numbers: dict) -> Row | None:
    fresh = [r for r in _depth(numbers) if r["kind"] == "scratch"]
    m = _shipped_model(numbers, fresh[0]["experiment"]) if fresh else None
    pairs = [(r, there) for r in fresh if m and (there := colour_at_games(m, r["step"] * r["batch_size"])) is not None]
    if not pairs:
        return None
    r0 = pairs[0][0]
    return Row("depth", f"depth at batch {r0['batch_size']:,}, {run_objective(r0)}",
               " / ".join(_shape(r) for r, _ in pairs) + f" from scratch, on a GPU (batch {r0['batch_size']:,}, "
               f"{run_objective(r0)})", f"the shipped {m['n_layer']} x {m['d_model']}",
               [r["step"] * r["batch_size"] for r, _ in pairs], [_best(r)["colour_in_language"] for r, _ in pairs],
               [there for _, there in pairs], question="Is it depth? Deeper from scratch",
               names=[_shape(r) for r, _ in pairs])


def _grown(numbers: dict) -> Row | None:
    shipped = {m["name"]: m for m in numbers["models"].values()}
    grown = [(r, e) for r in _depth(numbers) if r["kind"] == "deepen"
             if (e := grown_pace(shipped.get(r["experiment"]), r)) is not None]
    if not grown:
        return None
    r0 = grown[0][0]
    return Row("depth", "added layers on a trained model", " / ".join(r["experiment"] for r, _ in grown)
               + f" grown from {r0['from_layers']} to {r0['n_layer']} layers, on a GPU",
               "each one's own pace", [(r["step"] - r["from_step"]) * r["batch_size"] for r, _ in grown],
               [_best(r)["colour_in_language"] for r, _ in grown], [e for _, e in grown], added=True,
               question="Is it depth? Grown deeper", names=[r["experiment"] for r, _ in grown])


def _width(numbers: dict) -> Row | None:
    runs = _by_shape(numbers)
    if len(runs) < 2:
        return None
    names = [_shape(r) for r in runs]
    return _frame_row("width", "width", width_by_games(numbers), "shape", names[0], names[1:],
                      " / ".join(names[1:]) + f" ({run_objective(runs[0])})", names[0])


def _objective(numbers: dict) -> Row | None:
    pairs = _objective_pairs(numbers)
    if not pairs:
        return None
    pair = pairs[-1]
    df = objective_by_games(numbers)
    df = df[df["run_steps"] == pair[0]["steps"]]
    names = df.drop_duplicates("trained_on").set_index("trained_on")["objective"]
    others = [run_objective(r) for r in pair[1:]]
    return _frame_row("objective", "the exact target", df, "objective", names["next-token"],
                      [names[o] for o in others], " / ".join(others) + f" at {_shape(pair[0])}",
                      "next-token (the study's)", names=others)


def _further(numbers: dict) -> Row | None:
    runs = further_runs(numbers)
    df = further_by_games(numbers)
    own = df[df["part"].isin(["further", "carried"])] if runs else df.iloc[:0]
    m = _shipped_model(numbers, runs[-1]["experiment"]) if runs else None
    if own.empty or m is None:
        return None
    last = own.loc[own["games"].idxmax()]
    there = colour_at_games(m, last["games"])
    if there is None:
        return None
    more = sum(x["steps"] - x["from_step"] for x in carried_stages(numbers, runs[-1]))
    return Row("further", "the exact target, carried further", f"{last['trained_on']} at {_shape(runs[-1])}, "
               f"{runs[-1]['steps']:,} steps" + (f" carried on {more:,} more" if more else ""),
               SHIPPED_RUN.replace("shipped", "the shipped model"), [int(last["games"])], [last["colour"]], [there],
               names=[f"{last['trained_on']}, carried on"])


def _ladder(numbers: dict) -> Row | None:
    runs = ladder_runs(numbers)
    df = ladder_by_games(numbers)
    if not runs or df.empty:
        return None
    df = df[df["part"] == "run"]
    m = _shipped_model(numbers, runs[0]["experiment"])   # its depth is the reference: the others are deeper
    ref = next((r for r in runs if m and (r["n_layer"], r["d_model"]) == (m["n_layer"], m["d_model"])), runs[0])
    deeper = [_shape(r) for r in runs if r["n_layer"] > ref["n_layer"]]
    return _frame_row("ladder", f"depth at batch {ref['batch_size']:,}, {run_objective(ref)}", df, "shape",
                      _shape(ref), deeper, " / ".join(deeper) + f" (batch {ref['batch_size']:,}, {run_objective(ref)})",
                      _shape(ref))


def _narrow(numbers: dict) -> Row | None:
    narrow, beside = narrow_runs(numbers), narrow_beside(numbers)
    if not narrow or not beside:
        return None
    names = [_shape(r) for r in narrow]
    return _frame_row("narrow", "depth in place of width", narrow_by_games(numbers), "shape", _shape(beside[0]), names,
                      " / ".join(names) + f" ({run_objective(narrow[0])})", _shape(beside[0]))


def _depth_objective(numbers: dict) -> Row | None:
    df = next_token_depth_by_games(numbers)
    if df.empty:
        return None
    found = []
    for objective, f in df.groupby("objective", sort=False):
        shapes = list(dict.fromkeys(f["run"]))
        if len(shapes) >= 2 and (c := _common(f, "run", shapes[0], shapes[-1:])):
            found.append((objective, shapes[0].rsplit(",", 1)[0], shapes[-1].rsplit(",", 1)[0], c))
    if not found:
        return None
    deep, shallow = found[0][2], found[0][1]
    batch = next_token_depth_runs(numbers)[0]["batch_size"]
    return Row("depth-objective", f"depth at batch {batch:,}, under each objective",
               f"{deep}, " + " / ".join(o for o, *_ in found), f"{shallow}, each objective",
               [c[0] for *_, c in found], [c[2][0] for *_, c in found], [c[1] for *_, c in found],
               names=[f"{deep}, {o}" for o, *_ in found])


def _trained_on(numbers: dict) -> Row | None:
    df = trained_on_by_games(numbers)
    names = list(dict.fromkeys(df["objective"]))
    return _frame_row("trained-on", "the exact target on a trained model", df, "objective", names[0] if names else "",
                      names[1:], " / ".join(names[1:]) + " on the shipped model", f"{names[0]} on it" if names else "",
                      added=True)


def _against_suites(key: str, lever: str, df: pd.DataFrame, column: str, ref: str) -> Row | None:
    """A one-knob trial's row: each other setting (named in `column`) against the suite's, `ref`."""
    if df.empty:
        return None
    others = [n for n in dict.fromkeys(df[column]) if n != ref]
    return _frame_row(key, lever, df, column, ref, others, " / ".join(others), f"{ref} (the suite's)")


def _rate(numbers: dict) -> Row | None:
    return _against_suites("lr", "the learning rate", lr_by_games(numbers), "rate", f"lr {SUITE_TRAINING['lr']:g}")


def _batch(numbers: dict) -> Row | None:
    df = batch_by_games(numbers)
    if df.empty:
        return None
    names = list(dict.fromkeys(df["batch"]))
    return _frame_row("batch", "a smaller batch", df, "batch", names[0], names[1:], " / ".join(names[1:]),
                      f"{names[0]} (the suite's)")


def _decay(numbers: dict) -> Row | None:
    return _against_suites("decay", "the weight decay", decay_by_games(numbers), "decay",
                           f"weight decay {TrainConfig.weight_decay:g}")


def _other_model(numbers: dict) -> Row | None:
    found = other_model_against_shipped(numbers)
    if not found:
        return None
    r0 = found[0][0]
    return Row("other-model", "the deeper recipe on another model",
               " / ".join(f"{r['experiment']} at {_shape(r)}" for r, *_ in found)
               + f" ({run_objective(r0)}, batch {r0['batch_size']}: the depth ladder's recipe)",
               " / ".join(f"{m['name']} as shipped ({m['n_layer']} x {m['d_model']}, next-token)" for _, m, *_ in found),
               [g for _, _, g, _, _ in found], [c for *_, c, _ in found], [t for *_, t in found],
               names=[f"{r['experiment']}, {_shape(r)}" for r, *_ in found])


def _pooling(numbers: dict) -> Row | None:
    df = pooling_by_games(numbers)
    if df.empty:
        return None
    names = list(dict.fromkeys(df["model"]))
    ref = next((n for n in names if n.startswith(POOLING_REFERENCE + " ")), None)
    if ref is None:
        return None
    others = [n for n in names if n != ref]
    short = [n.split(" (")[0] for n in others]
    return _frame_row("pooling", "more languages", df, "model", ref, others, " / ".join(short), ref, names=short)


ROWS = [_probe, _probe_games, _paper, _deeper, _grown, _width, _objective, _further, _ladder, _narrow, _depth_objective,
        _trained_on, _rate, _batch, _decay, _other_model, _pooling]   # the report's order


def digest_rows(numbers: dict) -> list[Row]:
    """Every recorded trial's digest row, in the report's order."""
    rows = []
    for make in ROWS:   # a row, None, or several rows (one trial asked of each kind of probe)
        made = make(numbers)
        rows += made if isinstance(made, list) else [made] if made is not None else []
    return rows


VERDICT_NAMES = {"higher": "lifted it", "within": "within a point", "lower": "lowered it", None: "no reference"}


def digest_frame(numbers: dict) -> pd.DataFrame:
    """The digest's rows for its figure, one per changed run: trial (the row's question), run (its short name),
    colour, reference (NaN without one), games, verdict (VERDICT_NAMES: how it read against its reference)."""
    rows = []
    for r in digest_rows(numbers):
        refs = r.refs or [float("nan")] * len(r.colours)
        games = r.games if len(r.games) == len(r.colours) else r.games * len(r.colours)
        for name, c, ref, g, cls in zip(r.names, r.colours, refs, games, _run_classes(r) or [None] * len(r.colours)):
            rows.append({"trial": r.asks(), "run": name, "colour": c,
                         "reference": ref, "games": g, "verdict": VERDICT_NAMES[cls]})
    return pd.DataFrame(rows, columns=["trial", "run", "colour", "reference", "games", "verdict"])


def _games(row: Row) -> str:
    """'768,000 games', '5.1 / 4.1 million games', '8.2 million games added': one count when every run's is one."""
    gs = row.games if len(set(row.games)) > 1 else row.games[:1]
    if len(gs) > 1 and min(gs) >= 1e6:
        shown = " / ".join(f"{g / 1e6:.1f}" for g in gs) + " million games"
    else:
        shown = " / ".join(millions(g).removesuffix(" games") for g in gs) + " games"
    return shown + (" added" if row.added else "")


def _colours(xs: list[float]) -> str:
    """'81.8% / 83.6%'; one when all are one ('70.7%'); '–' for none."""
    return " / ".join(pct(x) for x in (xs if len(set(xs)) > 1 else xs[:1])) or "–"


def _diffs(row: Row) -> str:
    d = row.diffs()
    return " / ".join(f"{100 * x:+.1f}" for x in d) + " points" if d else "–"


def _run_classes(row: Row) -> list[str]:
    """How each changed run read the colour against its reference, in points to one decimal: 'higher' (more than
    DEPTH_MARGIN above), 'within' (within it), 'lower'; empty without references."""
    shown = [round(100 * x, 1) for x in row.diffs()]   # as the table shows them: +1.0 points is within a point
    margin = 100 * DEPTH_MARGIN
    return ["higher" if x > margin else "lower" if x < -margin else "within" for x in shown]


def _classes(row: Row) -> frozenset:
    """The set of _run_classes of a row's runs."""
    return frozenset(_run_classes(row))


VERDICTS = [({"higher"}, "Lifted the colour by more than a point after as many games"),
            ({"higher", "within"}, "Lifted it for some runs, within a point for others"),
            ({"within"}, "Within a point of the reference"),
            ({"within", "lower"}, "Within a point for some runs, lower for others"),
            ({"lower"}, "Lowered it by more than a point"),
            ({"higher", "lower"}, "Higher for some runs, lower for others"),
            ({"higher", "within", "lower"}, "Higher, within a point or lower, by run")]


def _span(xs: list[float]) -> str:
    lo, hi = min(xs), max(xs)
    return f"{100 * lo:+.1f} points" if abs(hi - lo) < 0.0005 else f"{100 * lo:+.1f} to {100 * hi:+.1f} points"


def _probe_sentence(rows: list[Row]) -> list[str]:
    """The probe trials' closing sentence (they change the reading of the same models, not the models): each
    one's change, and the best any of them read against the target; [] without one."""
    if not rows:
        return []
    best = max(c for r in rows for c in r.colours)
    short = (f"{100 * (COLOUR_TARGET - best):.1f} points short of the {TARGET} target" if best < COLOUR_TARGET
             else f"at or above the {TARGET} target")
    return [f"Another probe on the same models (the reading changes, not the model): "
            f"{'; '.join(f'{r.lever} ({_span(r.diffs())})' for r in rows)}; the best of them reads {pct(best)}, {short}."]


def highest(numbers: dict, titles: dict[str, str] | None = None) -> tuple[float, str] | None:
    """The highest in-language colour any trial run read (of the trials whose sections `titles` names; None: every
    trial, named by its question), and where: (0.843, '4 x 192 after 1.5 million games, in *Does the depth
    ...?*'); None without a trial."""
    titles = titles if titles is not None else QUESTIONS
    frames = [("width", width_by_games(numbers), "shape"), ("objective", objective_by_games(numbers), "objective"),
              ("further", further_by_games(numbers).query("part != 'shipped'"), "run"),
              ("ladder", ladder_by_games(numbers), "shape"), ("narrow", narrow_by_games(numbers), "shape"),
              ("depth-objective", next_token_depth_by_games(numbers), "run"), ("lr", lr_by_games(numbers), "rate"),
              ("batch", batch_by_games(numbers), "batch"), ("decay", decay_by_games(numbers), "decay"),
              ("other-model", other_model_by_games(numbers).query("part == 'run'"), "run"),
              ("pooling", pooling_by_games(numbers), "model")]
    best = None
    for key, df, col in frames:
        if key in titles and not df.empty:
            x = df.loc[df["colour"].idxmax()]
            if best is None or x["colour"] > best[0]:
                best = (x["colour"], f"{x[col]} after {millions(int(x['games']))}, in *{titles[key]}*")
    shipped = {m["name"]: m for m in numbers["models"].values()}
    for r in _depth(numbers) if "depth" in titles else []:
        c = _best(r)["colour_in_language"]
        if best is None or c > best[0]:
            m = shipped.get(r["experiment"])
            games = (model_games(m, r["from_step"]) + (r["step"] - r["from_step"]) * r["batch_size"]
                     if r["kind"] == "deepen" and m else r["step"] * r["batch_size"])
            best = (c, f"{r['experiment']} at {_shape(r)} after {millions(games)}, in *{titles['depth']}*")
    return best


def digest_section(numbers: dict, titles: dict[str, str]) -> str:
    """The trials at a glance: a table with a row per trial whose section the report carries (`titles`: its
    heading by key: probe and probe-games (the section that holds the MLP probe's numbers and the probes on more
    games), paper, depth, width, objective,
    further, ladder, narrow, depth-objective, trained-on, lr, batch, decay, other-model, pooling), each linking to
    it; then what lifted the colour after as many games, what did not, what the probes read differently off the same
    models, and the highest colour any run read. "" without a trial.
    """
    rows = [r for r in digest_rows(numbers) if r.key in titles]
    if not rows:
        return ""
    lines = [f"## {TITLE}\n",
             "Every trial below asks one question about the colour of the discs (mine / theirs, the in-language "
             "probe at the best layer), each run read as the shipped models are. Here, each trial's runs after the "
             "most games they all reached; the difference is each changed run against its reference after as many "
             "games. That is per game, not per hour: a wider or deeper model takes longer over each game (each "
             "section gives the speeds).\n",
             "| trial | changed | against | after | colour | reference | difference |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        t = titles[r.key]
        lines.append(f"| [{r.asks()}](#{slug(t)}) | {r.changed} | {r.against} | {_games(r)} | "
                     f"{_colours(r.colours)} | {_colours(r.refs)} | "
                     f"{_diffs(r)} |")
    lines.append("")
    by: dict[frozenset, list[str]] = {}
    for r in rows:
        if not r.probe and (cls := _classes(r)):
            by.setdefault(cls, []).append(f"{r.lever} ({_span(r.diffs())})")
    said = [f"{head}: {'; '.join(by[frozenset(cls)])}." for cls, head in VERDICTS if frozenset(cls) in by]
    said += _probe_sentence([r for r in rows if r.probe and r.refs])
    top = highest(numbers, titles)
    if top:
        c, where = top
        said.append(f"The highest colour any trial run read: {pct(c)} ({where})"
                    + (f", {100 * (COLOUR_TARGET - c):.1f} points short of the {TARGET} target." if c < COLOUR_TARGET
                       else f", at or above the {TARGET} target."))
    lines.append(" ".join(said) + "\n")
    return "\n".join(lines)
