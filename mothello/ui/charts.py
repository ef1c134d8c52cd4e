"""Chart builders shared by the pages (Altair)."""

from __future__ import annotations

import itertools
import math

import altair as alt
import numpy as np
import pandas as pd

from ..findings.training import PLACER_ROW
from ..findings.verdicts import COLOUR_TARGET, TARGET
from . import theme


def matrix_frame(matrix, languages: list[str], value: str = "accuracy") -> pd.DataFrame:
    m = np.asarray(matrix)
    rows = [{"probe trained on": languages[i], "applied to": languages[j], value: float(m[i, j])}
            for i in range(len(languages)) for j in range(len(languages))]
    return pd.DataFrame(rows)


def heatmap(df: pd.DataFrame, value: str = "accuracy", title: str = "", subtitle: str = "", size: int = 300,
            domain=(0.3, 1.0), scheme: str = "viridis") -> alt.LayerChart:
    """Alignment-matrix heatmap with values printed in the cells."""
    langs = list(dict.fromkeys(df["probe trained on"]))
    n = max(1, len(langs))
    # column labels wider than their cells (up to 8.5 px per character at 13 px) are slanted, not hidden
    slant = max((len(str(x)) for x in langs), default=0) * 8.5 > size / n - 10
    x_axis = alt.Axis(labelAngle=-35, labelAlign="right", grid=False) if slant else alt.Axis(labelAngle=0, grid=False)
    base = alt.Chart(df).encode(
        x=alt.X("applied to:N", sort=langs, title="hidden states of language", axis=x_axis),
        y=alt.Y("probe trained on:N", sort=langs, title="probe trained on", axis=alt.Axis(grid=False)))
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(f"{value}:Q", scale=alt.Scale(domain=list(domain), scheme=scheme, clamp=True),
                        legend=alt.Legend(format=".0%", title=None)),
        tooltip=["probe trained on", "applied to", alt.Tooltip(f"{value}:Q", format=".1%")])
    text = base.mark_text(fontSize=float(np.clip(size / n * 0.2, 9, 30)), fontWeight="bold").encode(
        text=alt.Text(f"{value}:Q", format=".0%"),
        color=alt.condition(f"datum['{value}'] > {(domain[0] + domain[1]) / 2}", alt.value("black"), alt.value("white")))
    return alt.layer(cells, text).properties(
        width=size, height=size, title=alt.Title(title, subtitle=subtitle or "", anchor="start"))


# Autosize. PAD: width and height are the plot's own; axes, legend and title go around it (Streamlit's
# default for a chart without one, "fit", squeezes them into the given size: heatmaps and boards stop
# being square). FIT_X: for charts with width="container" shown with width="stretch": the whole figure
# fits the column's width, the height is the plot's.
PAD = alt.AutoSizeParams(type="pad", contains="padding")
FIT_X = alt.AutoSizeParams(type="fit-x", contains="padding")


def finish(chart, font_scale: float = 1.0, autosize: alt.AutoSizeParams = PAD, legend: dict | None = None):
    """The one finishing step of every chart (the boards too): house style (font, font sizes times
    font_scale, light grid, no frame around the plot), the autosize (PAD or FIT_X above) and optional
    legend settings. Everything goes into ONE configure(...): Altair's configure() replaces the whole
    config, so a configure_view() or configure_legend() made before it would be lost."""
    legend_config = dict(labelFontSize=13 * font_scale, titleFontSize=13 * font_scale, labelLimit=320,
                         **(legend or {}))
    return chart.properties(autosize=autosize).configure(
        font=theme.FONT,
        axis=alt.AxisConfig(labelFontSize=13 * font_scale, titleFontSize=14 * font_scale, grid=True, gridOpacity=0.4),
        title=alt.TitleConfig(fontSize=17 * font_scale, subtitleFontSize=13 * font_scale, subtitleColor="#555"),
        legend=alt.LegendConfig(**legend_config),
        view=alt.ViewConfig(strokeWidth=0))


STEP_X = alt.X("step:Q", title="training step", axis=alt.Axis(format=",d", tickMinStep=1))
# SI units, each tick on its own (an axis-wide prefix would label the origin "0M")
GAMES_X = alt.X("games:Q", title="games seen",
                axis=alt.Axis(labelExpr="datum.value == 0 ? '0' : format(datum.value, '~s')"))
X_AXES = {"training step": ("step", STEP_X), "games seen": ("games", GAMES_X)}  # a training curve's x: field, encoding


MAX_LEGEND_COLUMN = 8  # legend entries that fit in one column beside a 200-px-high plot


def line_chart(df: pd.DataFrame, x: str, y: str, colour: str, title: str = "", y_title: str | None = None,
               colour_scale=None, width: int = 520, height: int = 280, y_format: str = ".0%",
               highlight: str | None = None, y_domain=None) -> alt.Chart:
    enc_y = alt.Y(f"{y}:Q", title=y_title or y, axis=alt.Axis(format=y_format),
                  scale=alt.Scale(domain=list(y_domain)) if y_domain else alt.Scale(zero=False))
    # a column of more names than fit beside the plot is cut off: past MAX_LEGEND_COLUMN, rows beneath it
    legend = (alt.Legend(orient="bottom", direction="horizontal", columns=5, symbolStrokeWidth=3)
              if df[colour].nunique() > MAX_LEGEND_COLUMN else alt.Undefined)
    colour_enc = alt.Color(f"{colour}:N", scale=colour_scale or alt.Undefined, title=None, legend=legend)
    base = alt.Chart(df).encode(x=alt.X(f"{x}:Q", title=x), y=enc_y, color=colour_enc,
                                tooltip=[x, colour, alt.Tooltip(f"{y}:Q", format=".3f")])
    if highlight is not None:
        line = base.mark_line(point=True).encode(
            strokeWidth=alt.condition(f"datum['{highlight}']", alt.value(4), alt.value(1.8)),
            strokeDash=alt.condition(f"datum['{highlight}']", alt.value([1, 0]), alt.value([5, 3])))
    else:
        line = base.mark_line(point=True, strokeWidth=2.2)
    return line.properties(width=width, height=height, title=title)


def stage_marks(chart: alt.Chart, starts: list[int], font_scale: float = 1.0, label_at: str = "top",
                x: str = "step"):
    """A training-curve chart with a dashed line, labelled at its top (or its bottom, where an
    accuracy's lines run high), where each later training stage begins (a model trained in stages,
    suite.STAGES: the learning rate warms up again there, so the loss jumps). The chart itself when there
    are none. x: the chart's x field (step, or games seen), in which `starts` are given."""
    if not starts:
        return chart
    marks = pd.DataFrame({x: list(starts), "label": [f"stage {k + 2}" for k in range(len(starts))],
                          "row": label_rows(list(starts), _x_span(chart, starts, x))})
    base = alt.Chart(marks).encode(x=alt.X(f"{x}:Q"))
    rule = base.mark_rule(strokeDash=[5, 4], color="#777", strokeWidth=1.4)
    labels = []
    for row in sorted(set(marks["row"])):  # stages close together: their labels on rows of their own
        off = row * 15 * font_scale
        where = dict(baseline="top", y=4 + off) if label_at == "top" else dict(baseline="bottom", y="height", dy=-4 - off)
        labels.append(alt.Chart(marks[marks["row"] == row]).encode(x=alt.X(f"{x}:Q"), text="label:N").mark_text(
            align="left", dx=4, color="#555", fontSize=12 * font_scale, **where))
    inner = chart.copy()
    size = {k: getattr(chart, k) for k in ("width", "height", "title") if getattr(chart, k) is not alt.Undefined}
    for k in size:
        setattr(inner, k, alt.Undefined)
    return alt.layer(inner, rule, *labels).properties(**size)


def _x_span(chart: alt.Chart, starts: list[int], x: str = "step") -> float:
    """The x range a training-curve chart spans: its data's x where it carries it, else the stages'."""
    data = chart.data if isinstance(chart.data, pd.DataFrame) else None
    hi = float(data[x].max()) if data is not None and x in data and len(data) else max(starts) * 1.1
    return max(hi, max(starts), 1.0)


def label_rows(starts: list[int], span: float, room: float = 0.2) -> list[int]:
    """A row for each stage label, lowest first: a label goes on the lowest row where the label before it
    is at least `room` of the x span to its left (a label is about that wide), so none overlap."""
    last: list[float] = []  # per row: where its latest label starts
    rows = []
    for x in starts:
        row = next((r for r, at in enumerate(last) if x - at >= room * span), len(last))
        if row == len(last):
            last.append(x)
        last[row] = x
        rows.append(row)
    return rows


def width_trial_chart(df: pd.DataFrame, placer: float | None = None, width: int = 330,
                      height: int = 260) -> alt.HConcatChart:
    """The width trial (findings.width_by_games) as trial_chart draws it, by shape."""
    return trial_chart(df, "shape", "layers x width",
                       "The width trial: the colour of the discs, one recipe, the same games", placer, width, height)


def objective_trial_chart(df: pd.DataFrame, placer: float | None = None, width: int = 330,
                          height: int = 260) -> alt.HConcatChart:
    """The objective trial (findings.objective_by_games) as trial_chart draws it, by objective; carried on
    (several runs of one objective, `trained_on`, of different lengths, `run_steps`), each objective in one
    hue, its longer runs darker."""
    runs = df.drop_duplicates("objective")
    palette = None
    if runs["trained_on"].nunique() < len(runs):
        ramps = [("#9ecae1", "#4292c6", "#08519c"), ("#fdae6b", "#f58518", "#a63603")]  # light to dark
        kinds = list(dict.fromkeys(runs["trained_on"]))
        palette = []
        for r in runs.itertuples():
            own = sorted(runs[runs["trained_on"] == r.trained_on]["run_steps"])
            ramp = ramps[kinds.index(r.trained_on) % len(ramps)]
            palette.append(ramp[-len(own):][own.index(r.run_steps)] if len(own) <= len(ramp) else ramp[-1])
    return trial_chart(df, "objective", "objective",
                       "The objective trial: the colour of the discs, one recipe, the same games", placer, width,
                       height, palette=palette)


# A colour panel beside a legal-moves panel is at least this tall: at the house font the colour's axis title
# ("colour in-language (mine / theirs)") is longer than a 260-px plot, and would lift its panel's title
# above the other's.
COLOUR_BESIDE_LEGAL_HEIGHT = 290


def ladder_chart(df: pd.DataFrame, placer: float | None = None, width: int = 330,
                 height: int = COLOUR_BESIDE_LEGAL_HEIGHT) -> alt.HConcatChart:
    """The depth ladder (findings.ladder_by_games, shallowest first) as trial_chart draws it, by shape, one hue
    from light (fewest layers) to dark (most): the colour and the worst language's legal moves against the
    games seen."""
    return trial_chart(df, "shape", "layers x width",
                       "The depth ladder: the colour of the discs, one recipe but for the depth, the same games",
                       placer, width, height, second="legal", palette=_spread(LADDER_RAMP, df["shape"].nunique()))


# the depth ladder's shapes, light (fewest layers) to dark (most): orange through red to near-black, so that five
# neighbouring depths stay apart on a slide (one orange ramp made the deepest two near-twins)
LADDER_RAMP = ["#fdae6b", "#f16913", "#d7301f", "#990000", "#3b0f04"]


def narrow_chart(df: pd.DataFrame, placer: float | None = None, width: int = 330,
                 height: int = COLOUR_BESIDE_LEGAL_HEIGHT) -> alt.HConcatChart:
    """Deeper and narrower (findings.narrow_by_games: the depth ladder's runs, then the narrower ones) as
    trial_chart draws it, by shape: the ladder's in its chart's ramp (LADDER_RAMP, light to dark by depth), the
    narrower runs in purples; the colour against the games seen and against the minutes of training at speeds
    that compare."""
    names = list(dict.fromkeys(df["shape"]))
    width_of = {n: int(n.split(" x ")[1]) for n in names}
    ladder = [n for n in names if width_of[n] == width_of[names[0]]]
    narrow = [n for n in names if n not in ladder]
    oranges, purples = LADDER_RAMP, ["#9e9ac8", "#6a51a3", "#3f007d"]
    palette = ((_spread(oranges, len(ladder)) or oranges[2:3] * len(ladder))
               + (_spread(purples, len(narrow)) or purples[1:2] * len(narrow)))
    return trial_chart(df, "shape", "layers x width",
                       "Deeper and narrower: the colour of the discs, the depth ladder's recipe, the same games",
                       placer, width, height, palette=palette)


def next_token_depth_chart(df: pd.DataFrame, placer: float | None = None, width: int = 330,
                           height: int = COLOUR_BESIDE_LEGAL_HEIGHT) -> alt.HConcatChart:
    """The depth under the sampled move (findings.next_token_depth_by_games: the next-token runs by depth, then the
    depth ladder's at the same shapes) as trial_chart draws it, by run: next-token in blues, the ladder's legal-set
    in the objective trial's browns, each from light (fewest layers) to dark (most); the colour and the worst
    language's legal moves against the games seen."""
    names = list(dict.fromkeys(df["run"]))
    kinds = dict(zip(df["run"], df["objective"]))
    ramps = {"next-token": ["#9ecae1", "#4292c6", "#08519c"], "legal-set": ["#fdae6b", "#f58518", "#a63603"]}
    hue = {}
    for kind in dict.fromkeys(kinds.values()):
        own = [n for n in names if kinds[n] == kind]
        ramp = ramps.get(kind, ["#969696", "#525252", "#252525"])
        hue |= dict(zip(own, _spread(ramp, len(own)) or ramp[1:2] * len(own)))
    return trial_chart(df, "run", "run",
                       "Does the objective let the depth count? The colour of the discs by depth, under each objective",
                       placer, width, height, second="legal", palette=[hue[n] for n in names])


def _spread(ramp: list[str], n: int) -> list[str] | None:
    """n colours from `ramp` (light to dark), its ends and evenly between; None (the theme's) for one run or
    more runs than the ramp has colours."""
    return [ramp[round(i)] for i in np.linspace(0, len(ramp) - 1, n)] if 1 < n <= len(ramp) else None


def lr_trial_chart(df: pd.DataFrame, placer: float | None = None, width: int = 330,
                   height: int = COLOUR_BESIDE_LEGAL_HEIGHT) -> alt.HConcatChart:
    """The learning-rate trial (findings.lr_by_games, lowest rate first) as trial_chart draws it, by peak rate,
    one hue from light (lowest) to dark (highest): the colour and the worst language's legal moves against
    the games seen (the rate does not change a step's time)."""
    ramp = ["#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"]  # light to dark, green-blue
    return trial_chart(df, "rate", "peak learning rate",
                       "The learning-rate trial: the colour of the discs, one recipe but for the rates, the same games",
                       placer, width, height, second="legal", palette=_spread(ramp, df["rate"].nunique()))


def batch_trial_chart(df: pd.DataFrame, placer: float | None = None, width: int = 330,
                      height: int = COLOUR_BESIDE_LEGAL_HEIGHT) -> alt.HConcatChart:
    """The batch trial (findings.batch_by_games, the suite's batch first, then smaller ones) as trial_chart draws
    it, by batch, one hue from light (largest batch) to dark (most optimizer steps per game): the colour and the
    worst language's legal moves against the games seen."""
    ramp = ["#fcbba1", "#fb6a4a", "#cb181d", "#67000d"]  # light to dark, reds
    return trial_chart(df, "batch", "batch (games a step)",
                       "The batch trial: the colour of the discs, one recipe but for the batch, the same games",
                       placer, width, height, second="legal", palette=_spread(ramp, df["batch"].nunique()))


def decay_trial_chart(df: pd.DataFrame, placer: float | None = None, width: int = 330,
                      height: int = COLOUR_BESIDE_LEGAL_HEIGHT) -> alt.HConcatChart:
    """The weight-decay trial (findings.decay_by_games, lowest first) as trial_chart draws it, by weight decay, one
    hue from light (least) to dark (most): the colour and the worst language's legal moves against the games seen."""
    ramp = ["#bcbddc", "#8c6bb1", "#4a1486"]  # light to dark, purples (the lightest still clear of white)
    return trial_chart(df, "decay", "AdamW weight decay",
                       "The weight-decay trial: the colour of the discs, one recipe but for the weight decay, the same "
                       "games", placer, width, height, second="legal", palette=_spread(ramp, df["decay"].nunique()))


def other_model_chart(df: pd.DataFrame, placer: float | None = None, width: int = 330,
                      height: int = COLOUR_BESIDE_LEGAL_HEIGHT) -> alt.HConcatChart:
    """The deeper recipe on another model (findings.other_model_by_games) as trial_chart draws it: each run on another
    model in blue (dark to light), the depth ladder's run beside it in the ladder's orange, the model as shipped in
    grey; the colour and the worst language's legal moves against the games seen."""
    names = list(dict.fromkeys(df["run"]))
    part = df.drop_duplicates("run").set_index("run")["part"]
    hues = {"run": iter(["#08519c", "#4292c6", "#6baed6"]), "ladder": iter(["#e6550d", "#fd8d3c", "#fdae6b"]),
            "shipped": iter(["#737373", "#969696", "#bdbdbd"])}
    return trial_chart(df, "run", "run",
                       "The deeper recipe on another model: the colour of the discs, beside the depth ladder's run and "
                       "the model as shipped", placer, width, height, second="legal",
                       palette=[next(hues[part[n]], "#525252") for n in names])


CARRIED_HUES = ["#fd8d3c", "#fdae6b", "#f9c08a"]   # a run's later stages, in order: lighter at each (the
#                                                    last still clear of white)


def further_chart(df: pd.DataFrame, placer: float | None = None, width: int = 330,
                  height: int = COLOUR_BESIDE_LEGAL_HEIGHT) -> alt.HConcatChart:
    """The exact target carried further (findings.further_by_games) as trial_chart draws it, by run: the colour
    and the worst language's legal moves against the games seen. The objective trial's carried-on pair keeps
    its colours from that trial's figure (next-token dark blue, the exact target brown), the longer runs are
    vivid orange, their later stages (trained on past the end of the schedule) lighter orange at each stage, the
    shipped model dark grey."""
    runs = df.drop_duplicates("run")
    hues = {"shipped": "#525252", "further": "#e6550d"}
    carried = itertools.cycle(CARRIED_HUES)
    palette = [next(carried) if r.part == "carried" else hues.get(r.part)
               or ("#08519c" if r.trained_on == "next-token" else "#a63603") for r in runs.itertuples()]
    return trial_chart(df, "run", "run", "The exact target carried further: the colour of the discs, beside the "
                       "shipped model", placer, width, height, second="legal", palette=palette)


def trained_on_chart(df: pd.DataFrame, width: int = 330, height: int = COLOUR_BESIDE_LEGAL_HEIGHT) -> alt.HConcatChart:
    """The shipped model trained on with each objective (findings.trained_on_by_games, games: added since
    the shipped step): the in-language colour probe and the worst language's legal moves against the games
    added, side by side, each objective a line from the shipped model's own point at 0."""
    names = list(dict.fromkeys(df["objective"]))
    colour = alt.Color("objective:N", title="objective", sort=names)
    x = alt.X("games:Q", title="games added", axis=alt.Axis(labelExpr="format(datum.value, '~s')"))
    tooltip = ["objective", alt.Tooltip("step:Q", format=","), alt.Tooltip("games:Q", title="games added", format=",d"),
               alt.Tooltip("colour:Q", format=".1%"),
               alt.Tooltip("legal_min:Q", title="legal moves, worst language", format=".1%")]
    panels = []
    for field, title, panel in (("colour", "colour in-language (mine / theirs)", "the colour of the discs"),
                                ("legal_min", "legal moves, worst language", "legal moves")):
        lo, hi = float(df[field].min()), float(df[field].max())
        pad = max(0.005, (hi - lo) * 0.15)
        y = alt.Y(f"{field}:Q", title=title, axis=alt.Axis(format=".1%", labelFlush=True),  # as trial_chart's "legal"
                  scale=alt.Scale(domain=[lo - pad, min(1.0, hi + pad)], nice=False))
        panels.append(alt.Chart(df).mark_line(point=alt.OverlayMarkDef(size=60, filled=True), strokeWidth=2).encode(
            x=x, y=y, color=colour, tooltip=tooltip).properties(width=width, height=height, title=panel))
    return alt.hconcat(*panels).properties(title=alt.Title(
        "The shipped model trained on: one recipe, the same games, two objectives", anchor="start"))


def pooling_chart(df: pd.DataFrame, placer: float | None = None, width: int = 330,
                  height: int = 260) -> alt.HConcatChart:
    """The pooling trial (findings.pooling_by_games) as trial_chart draws it, by model: the colour against
    the games seen and against the games seen in each of the model's languages."""
    return trial_chart(df, "model", "model (languages)",
                       "Do the languages share their games? The colour of the discs, one recipe", placer, width,
                       height, second="per_language")


def _log_games_axis(df: pd.DataFrame, field: str, title: str) -> alt.X:
    """A log-scale x of a games column, ticks at 1, 2 and 5 of each power of ten, labelled 10k, 20k, ..."""
    g0, g1 = float(df[field].min()) / 1.25, float(df[field].max()) * 1.25
    ticks = [m * 10 ** k for k in range(int(np.floor(np.log10(g0))), int(np.ceil(np.log10(g1))) + 1)
             for m in (1, 2, 5) if g0 <= m * 10 ** k <= g1]
    return alt.X(f"{field}:Q", title=title, scale=alt.Scale(type="log", domain=[g0, g1], nice=False),
                 axis=alt.Axis(labelExpr="format(datum.value, '~s')", values=ticks, labelOverlap=False))


def trial_chart(df: pd.DataFrame, key: str, legend: str, title: str, placer: float | None = None, width: int = 330,
                height: int = 260, second: str = "minutes", palette: list[str] | None = None) -> alt.HConcatChart:
    """A from-scratch trial (findings' _trial_frame, runs named in column `key`): the in-language colour
    probe of each run's snapshots against the games seen (log scale) and, side by side, against the minutes
    of training they took (`second` "minutes") or the games seen in each of the model's languages ("per_language",
    log scale), or the worst language's legal moves against the games seen ("legal"); with `placer`
    (probes.placer_baseline's colour: no flip tracked) as a dashed rule on the colour; `palette`: the runs'
    colours, in their order."""
    names = list(dict.fromkeys(df[key]))
    colour = alt.Color(f"{key}:N", title=legend, sort=names,
                       scale=alt.Scale(domain=names, range=palette) if palette else alt.Undefined,
                       legend=alt.Legend(labelLimit=max(320, 8 * max(len(n) for n in names))))  # names in full
    lo = min(float(df["colour"].min()), placer if placer is not None else 1.0)
    # panels with different y axes: labels kept inside the plot, so an end label cannot lift one panel's title
    flush = dict(labelFlush=True) if second == "legal" else {}
    y = alt.Y("colour:Q", title="colour in-language (mine / theirs)", axis=alt.Axis(format=".0%", **flush),
              scale=alt.Scale(domain=[lo - 0.01, float(df["colour"].max()) + 0.01], nice=False))
    tooltip = [key, alt.Tooltip("step:Q", format=","), alt.Tooltip("games:Q", format=",d")]
    tooltip += ([alt.Tooltip("per_language:Q", title="games per language", format=",d")] if second == "per_language"
                else [alt.Tooltip("minutes:Q", format=".0f")])
    tooltip += [alt.Tooltip("colour:Q", format=".1%"),
                alt.Tooltip("legal_min:Q", title="legal moves, worst language", format=".1%")]
    games = _log_games_axis(df, "games", "games seen (log scale)")
    legal = alt.Y("legal_min:Q", title="legal moves, worst language", axis=alt.Axis(format=".0%", **flush),
                  scale=alt.Scale(domain=[float(df["legal_min"].min()) - 0.01,
                                          min(1.0, float(df["legal_min"].max()) + 0.01)], nice=False))
    panels_x = {"games": ("games", games, y, "after as many games"),  # (x field, x, y, title)
                "minutes": ("minutes", alt.X("minutes:Q", title="minutes of training (at the measured speed)"), y,
                            "after as much training time"),
                "per_language": ("per_language", _log_games_axis(df, "per_language", "games seen in each language "
                                                                 "(log scale)") if second == "per_language" else None,
                                 y, "after as many games in each language"),
                "legal": ("games", games, legal, "legal moves, after as many games")}
    panels = []
    for x in ("games", second):
        field, axis, y_axis, panel = panels_x[x]
        line = alt.Chart(df).transform_filter(f"isValid(datum.{field})").mark_line(
            point=alt.OverlayMarkDef(size=60, filled=True), strokeWidth=2).encode(
            x=axis, y=y_axis, color=colour, tooltip=tooltip)
        layers = [line]
        if placer is not None and y_axis is y:
            rule = alt.Chart(pd.DataFrame({"colour": [placer], "label": [f"no flip tracked {placer:.1%}"]}))
            layers += [rule.mark_rule(strokeDash=[6, 4], color="#777777").encode(y=alt.Y("colour:Q")),
                       rule.mark_text(align="left", baseline="bottom", dy=-3, color="#555555", fontSize=11).encode(
                           y=alt.Y("colour:Q"), x=alt.value(4), text="label:N")]
        panels.append(alt.layer(*layers).properties(width=width, height=height, title=panel))
    return alt.hconcat(*panels).properties(title=alt.Title(title, anchor="start"))


def colour_by_games_chart(df: pd.DataFrame, target: float = COLOUR_TARGET, width: int = 560, height: int = 300) -> alt.LayerChart:
    """The in-language colour probe against the games seen (log scale), findings.colour_by_games: each
    shipped model a line through its stage ends, each depth trial a point of its model's colour in the
    shape of its run, and the target as a dashed rule."""
    runs = list(dict.fromkeys(df["run"]))
    shipped = df[df["run"].str.startswith("shipped")]
    trials = df[~df["run"].str.startswith("shipped")]
    colour = alt.Color("model:N", title="model", sort=list(dict.fromkeys(df["model"])))
    x = _log_games_axis(df, "games", "games seen (log scale)")
    y = alt.Y("colour:Q", title="colour in-language (mine / theirs)", axis=alt.Axis(format=".0%"),
              scale=alt.Scale(domain=[float(min(df["colour"].min(), target) - 0.05) // 0.05 * 0.05,
                                      float(max(df["colour"].max(), target) + 0.02)]))
    tooltip = ["model", "run", alt.Tooltip("games:Q", format=",d"), alt.Tooltip("colour:Q", format=".1%")]
    lines = alt.Chart(shipped).mark_line(point=True, strokeWidth=2).encode(
        x=x, y=y, color=colour, detail="model:N", tooltip=tooltip)
    points = alt.Chart(trials).mark_point(size=150, filled=True, opacity=0.9, stroke="black", strokeWidth=0.8).encode(
        x=x, y=y, color=colour, tooltip=tooltip,
        shape=alt.Shape("run:N", title="depth trial", sort=[r for r in runs if not r.startswith("shipped")],
                        scale=alt.Scale(range=["triangle-up", "square", "diamond", "cross"])))
    rule = alt.Chart(pd.DataFrame({"colour": [target], "label": [f"target {target:.0%}"]}))
    target_mark = rule.mark_rule(strokeDash=[6, 4], color="#b03030").encode(y=alt.Y("colour:Q"))
    target_text = rule.mark_text(align="left", baseline="bottom", dx=4, dy=-3, color="#b03030", fontSize=12).encode(
        y=alt.Y("colour:Q"), x=alt.value(0), text="label:N")
    return alt.layer(lines, points, target_mark, target_text).resolve_scale(shape="independent").properties(
        width=width, height=height,
        title=alt.Title("The colour of the discs against the games seen", anchor="start",
                        subtitle="lines: the shipped 3-layer models at their stage ends; points: the depth trials"))


def accuracy_domain(values: pd.Series) -> tuple[float, float]:
    """A y range for accuracies: the values' range widened to whole tenths and half a tenth more, within [0, 1]."""
    lo, hi = float(values.min()), float(values.max())
    lo = max(0.0, math.floor(lo * 10 - 0.5) / 10)
    hi = min(1.0, math.ceil(hi * 10 + 0.5) / 10)
    return (lo, hi) if hi > lo else (max(0.0, lo - 0.1), min(1.0, hi + 0.1))


DIGEST_COLOURS = {"lifted it": "#1a9850", "within a point": "#8c8c8c", "lowered it": "#d73027",
                  "no reference": "#4c78a8"}


def digest_chart(df: pd.DataFrame, target: float = COLOUR_TARGET, width: int = 420) -> alt.FacetChart:
    """The trials at a glance (findings.digest_frame): for each trial, each changed run's colour (a dot, coloured
    by how it read against its reference) joined to its reference run's (a ring) after as many games, with the
    target as a dashed rule; one panel per trial, in the report's order."""
    df = df.assign(label=[f"{c:.1%}" for c in df["colour"]])
    trials = list(dict.fromkeys(df["trial"]))
    lo = math.floor(min(df["colour"].min(), df["reference"].min(skipna=True)) * 20) / 20
    xs = alt.Scale(domain=[lo, max(target, df["colour"].max()) + 0.01], nice=False, zero=False)
    x = alt.X("colour:Q", title="colour in-language (mine / theirs), after as many games",
              axis=alt.Axis(format=".0%"), scale=xs)
    y = alt.Y("run:N", title=None, sort=None, axis=alt.Axis(labelLimit=220))
    tooltip = ["trial", "run", alt.Tooltip("colour:Q", format=".1%"), alt.Tooltip("reference:Q", format=".1%"),
               alt.Tooltip("games:Q", format=",d"), "verdict"]
    base = alt.Chart().encode(y=y)
    link = base.mark_rule(strokeWidth=2, color="#c8c8c8").encode(x=x, x2="reference:Q")
    ring = base.mark_point(size=70, filled=False, strokeWidth=1.5, color="#555555").encode(
        x=alt.X("reference:Q", scale=xs), tooltip=tooltip)
    dot = base.mark_circle(size=110, opacity=1).encode(
        x=x, tooltip=tooltip, color=alt.Color("verdict:N", title="against its reference",
                                                scale=alt.Scale(domain=list(DIGEST_COLOURS),
                                                                range=list(DIGEST_COLOURS.values()))))
    text = base.mark_text(align="left", dx=8, fontSize=11, color="#333333").encode(
        x=alt.X("max_colour:Q", scale=xs), text="label:N")
    goal = alt.Chart().mark_rule(strokeDash=[6, 4], color="#b03030").encode(x=alt.datum(target))  # no y: full height
    layers = alt.layer(link, ring, dot, text.transform_calculate(
        max_colour="isValid(datum.reference) ? max(datum.colour, datum.reference) : datum.colour"), goal,
        data=df).properties(width=width, height=alt.Step(20))
    return layers.facet(row=alt.Row("trial:N", sort=trials, title=None,
                                    header=alt.Header(labelAngle=0, labelOrient="top", labelAnchor="start",
                                                      labelFontWeight="bold", labelFontSize=12, labelPadding=4)),
                        spacing=6).resolve_scale(y="independent").properties(
        title=alt.Title("The trials at a glance", anchor="start",
                        subtitle=[f"each run's colour (dot) against its reference's (ring) after as many games; dashed: "
                                  f"the {target:.0%} target"]))



def colour_along_game_chart(df: pd.DataFrame, colours: list[str], title, width: int, height: int,
                            placer: str = PLACER_ROW, font_scale: float = 1.0, legend: str = "bottom",
                            legend_columns: int | None = None) -> alt.LayerChart:
    """The colour accuracy on occupied squares by stretch of the game (columns series, moves '1-10', colour): a
    line per series in `colours` (their order: the layers of one model, light to dark, or the suite's models),
    the placer baseline (series `placer`: no flip tracked) dashed grey, the target dotted. `title`: a string or
    an alt.Title. `legend`: "bottom" (in `legend_columns`, one row by default) or "right" (one column)."""
    series = [x for x in dict.fromkeys(df["series"]) if x != placer]
    scale = alt.Scale(domain=series + [placer], range=list(colours[:len(series)]) + ["#8c8c8c"])
    y_scale = alt.Scale(domain=[max(0.0, float(df["colour"].min()) - 0.03), 1.0])
    moves = list(dict.fromkeys(df["moves"]))
    legend = (alt.Legend(orient="bottom", direction="horizontal", columns=legend_columns or len(series) + 1,
                         symbolStrokeWidth=3, labelLimit=260) if legend == "bottom" else
              alt.Legend(orient="right", symbolStrokeWidth=3, labelLimit=260))
    base = alt.Chart(df).encode(
        x=alt.X("moves:O", sort=moves, title="moves of the game", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("colour:Q", title="colour accuracy (occupied squares)", axis=alt.Axis(format=".0%"), scale=y_scale),
        color=alt.Color("series:N", scale=scale, title=None, legend=legend),
        strokeDash=alt.condition(f"datum.series == '{placer}'", alt.value([6, 4]), alt.value([1, 0])),
        tooltip=["series", "moves", alt.Tooltip("colour:Q", format=".1%")])
    target = alt.Chart(pd.DataFrame({"y": [COLOUR_TARGET], "label": [f"{TARGET} target"]})).encode(
        y=alt.Y("y:Q", scale=y_scale))
    label = target.mark_text(align="right", dx=-2, dy=-7, color="#777", fontSize=12 * font_scale).encode(
        x=alt.datum(moves[-1], type="ordinal"), text="label:N")
    return alt.layer(target.mark_rule(color="#aaa", strokeDash=[2, 3], strokeWidth=1.2), label,
                     base.mark_line(point=True, strokeWidth=2.2)).properties(width=width, height=height, title=title)
