"""Alignment views of shipped checkpoints (Findings tour, Transfer page, FINDINGS figures): a
checkpoint's alignment result with the Alignment page's settings, its heatmap, its summary bars against
the baselines, cross-lingual accuracy by layer for several checkpoints, and alignment over training
(computed once, stored beside the checkpoint when its folder is writable)."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from .. import transfer
from ..checkpoints import display_name, read_meta, training_stages
from ..probes import DEFAULT_LABELS, load_alignment
from . import analysis_views as av
from . import charts, theme, widgets
from .text import pct


PROBE_KIND, PROBE_LABELS = "linear", DEFAULT_LABELS


def alignment_of(name: str, container=None):
    """The alignment result (every layer, with baselines) of a checkpoint, with the Alignment page's
    settings: stored beside it (instant), else computed once with a progress bar and stored."""
    return av.alignment_result(widgets.load(name), PROBE_KIND, PROBE_LABELS, container=container)


def stored_alignment_of(name: str):
    """The stored alignment result of a checkpoint, or None (never computes)."""
    return load_alignment(widgets.load(name), PROBE_KIND, PROBE_LABELS, av.alignment_games())


def best_layer(res) -> int:
    """The layer the app and FINDINGS.md compare models at (probes.AlignmentResult.best_layer)."""
    return res.best_layer()


def alignment_heatmap(res, layer: int, title: str, size: int = 260):
    df = charts.matrix_frame(res.matrix[layer], res.languages)
    sub = (f"layer {layer} · majority {pct(res.baseline_majority['accuracy'])} · random model "
           f"{pct(res.baseline_random_model[layer]['accuracy'])}")
    return charts.heatmap(df, title=title, subtitle=sub, size=int(size * widgets.scale())), df


def heatmaps_side_by_side(results: dict, size: int = 170):
    """Alignment heatmaps of several checkpoints (each at its layer) in one figure, one colour scale."""
    panels, frames = [], []
    for name, (res, layer) in results.items():
        chart, df = alignment_heatmap(res, layer, name, size=size)
        chart.layer[0].encoding.color.legend = None  # the cells print their values; a legend only crowds
        panels.append(chart)
        frames.append(df.assign(checkpoint=name, layer=layer))
    return alt.hconcat(*panels, spacing=24), pd.concat(frames, ignore_index=True)


def alignment_bars(res, layer: int, title: str = "", width: int = 380):
    """The summary at one layer against the baselines: horizontal bars with values."""
    rows = [("in-language probe (A → A)", res.mean_diag(layer), "model"),
            ("cross-lingual probe (A → B)", res.mean_cross(layer), "model"),
            ("cross-lingual after rotation", res.mean_cross(layer, aligned=True), "model"),
            ("majority guess", res.baseline_majority["accuracy"], "baseline"),
            ("random model", res.baseline_random_model[layer]["accuracy"], "baseline")]
    df = pd.DataFrame(rows, columns=["measure", "accuracy", "kind"])
    s = widgets.scale()
    order = list(df["measure"])
    base = alt.Chart(df).encode(
        y=alt.Y("measure:N", sort=order, title=None, axis=alt.Axis(labelLimit=300)),
        x=alt.X("accuracy:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format=".0%"), title="board accuracy"))
    bars = base.mark_bar(cornerRadiusEnd=3, height=int(22 * s)).encode(
        color=alt.Color("measure:N", sort=order, legend=None,
                        scale=alt.Scale(domain=order, range=[theme.MEASURE_COLOURS[k] for k in (
                            "in-language", "cross-lingual", "after rotation", "majority", "random model")])),
        tooltip=["measure", alt.Tooltip("accuracy:Q", format=".1%")])
    text = base.mark_text(align="left", dx=4, fontSize=12 * s, fontWeight="bold").encode(
        text=alt.Text("accuracy:Q", format=".0%"))
    chart = alt.layer(bars, text).properties(width=int(width * s), height=int(5 * 34 * s),
                                             title=alt.Title(title or f"At layer {layer}", anchor="start"))
    return chart, df


def cross_by_layer(results: dict, title: str = "Cross-lingual probe accuracy by layer", width: int = 360,
                   height: int = 240):
    """Mean cross-lingual (and in-language) probe accuracy per layer for several checkpoints."""
    rows = []
    for name, res in results.items():
        for x in res.layers:
            rows.append({"checkpoint": name, "layer": x, "measure": "cross-lingual", "accuracy": res.mean_cross(x)})
            rows.append({"checkpoint": name, "layer": x, "measure": "in-language", "accuracy": res.mean_diag(x)})
    df = pd.DataFrame(rows)
    s = widgets.scale()
    chart = alt.Chart(df).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("layer:O", title="layer (0 = embeddings)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("accuracy:Q", axis=alt.Axis(format=".0%"), scale=alt.Scale(zero=False), title="board accuracy"),
        color=alt.Color("checkpoint:N", title=None, scale=alt.Scale(
            domain=list(results), range=theme.EXPERIMENT_COLOURS[:len(results)])),
        # no legend for the dashes (Vega draws no dashed symbol beside line + point marks): the subtitle says it
        strokeDash=alt.StrokeDash("measure:N", title=None, legend=None,
                                  scale=alt.Scale(domain=["cross-lingual", "in-language"], range=[[1, 0], [5, 3]])),
        tooltip=["checkpoint", "layer", "measure", alt.Tooltip("accuracy:Q", format=".1%")],
    ).properties(width=int(width * s), height=int(height * s),
                 title=alt.Title(title, subtitle="solid: cross-lingual · dashed: in-language", anchor="start"))
    return chart, df


AOT_LABELS = {"in_language": "in-language probe (A → A)", "cross_lingual": "cross-lingual probe (A → B)",
              "aligned_rotation": "cross-lingual after rotation", "legal_move_accuracy": "legal-move accuracy",
              "colour_in": "in-language, colour only", "colour_cross": "cross-lingual, colour only"}


def _compute_aot(path: str, layer: int, n_train: int, progress=None) -> pd.DataFrame:
    return transfer.alignment_over_training(path, layer=layer, n_train=n_train, progress=progress)


@st.cache_data(show_spinner=False, max_entries=32)
def _aot(_path: str, path: str, sha: str, layer: int, n_train: int, _fresh=None) -> pd.DataFrame:
    if _fresh is not None:
        return _fresh
    return _compute_aot(path, layer, n_train)


def compute_alignment_over_training(path, layer: int, n_train: int, container=None) -> tuple[pd.DataFrame, str | None]:
    """Compute once (with a progress bar, cached), then store beside the checkpoint when its folder is
    writable. Returns the table and where it was stored (None if it could not be)."""
    sha = read_meta(path)["weights_sha256"][:16]
    df = av.computed_once(_aot, (str(path), str(path), sha, layer, n_train),
                          lambda bar: _compute_aot(str(path), layer, n_train, progress=bar),
                          f"Alignment over training of {display_name(Path(path))}", container)
    where = transfer.store_alignment_over_training(path, df, layer, n_train)
    return df.assign(n_train=n_train, weights=sha), (str(where) if where else None)


def alignment_over_training_chart(df: pd.DataFrame, colour_only: bool = False, width: int = 640, height: int = 300,
                                  stages: list[int] = ()):
    """stages: the steps where later training stages begin (marked; checkpoints.training_stages)."""
    keep = ["in_language", "cross_lingual", "aligned_rotation", "legal_move_accuracy"]
    if colour_only:
        keep = ["colour_in", "colour_cross", "legal_move_accuracy"]
    d = df[df["metric"].isin(keep)].dropna(subset=["value"]).copy()
    d["measure"] = d["metric"].map(AOT_LABELS)
    names = [AOT_LABELS[k] for k in keep]
    m = theme.MEASURE_COLOURS
    colours = {"in_language": m["in-language"], "cross_lingual": m["cross-lingual"], "aligned_rotation": m["after rotation"],
               "legal_move_accuracy": m["legal moves"], "colour_in": m["in-language"], "colour_cross": m["cross-lingual"]}
    scale = alt.Scale(domain=names, range=[colours[k] for k in keep])
    s = widgets.scale()
    layer = int(d["layer"].iloc[0]) if len(d) else 0
    chart = charts.line_chart(d, "step", "value", "measure", y_title="accuracy", colour_scale=scale,
                              width=int(width * s), height=int(height * s), y_domain=charts.accuracy_domain(d["value"]),
                              title=alt.Title("Alignment over training",
                                              subtitle=f"probes at layer {layer}, at every snapshot of the run",
                                              anchor="start")).encode(x=charts.STEP_X)
    return (charts.stage_marks(chart, list(stages), s, label_at="bottom"),
            d[["step", "layer", "metric", "measure", "value"]])


def stage_starts(path) -> list[int]:
    """Where a checkpoint's later training stages begin ([] when it was trained in one go)."""
    try:
        return [x["from"] for x in training_stages(read_meta(path))[1:]]
    except (OSError, ValueError, KeyError, TypeError):
        return []
