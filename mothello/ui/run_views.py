"""Views shared by the Transfer, Train and Findings-tour pages: finding transfer runs and drawing their
curves, alignment over training, alignment results of shipped checkpoints, and the live view of a
training run. Built on the shared widgets, theme and charts; pages call these and stay thin.

Everything here only reads run directories (and writes analysis results beside a checkpoint when its
folder is writable); no threads: live views poll with st.fragment(run_every=...).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from .. import jobs, storage
from ..checkpoints import META, checkpoints_dir, display_name, read_meta, runs_dir, training_stages
from ..suite import TRANSFER
from ..transfer import (ANSWERS_SHIFTED, FINETUNED, PRETRAINED, RESTORE_FALL, TABLE, TransferConfig, best_snapshot,
                        metrics_table, restored_summary, scale_label, store_alignment_over_training,
                        stored_alignment_over_training, stored_answer_languages, stored_restored_parts,
                        transfer_summary, transfer_table, variant_label)
from . import charts, theme, widgets

MAKE_SUITE = "make demo-suite"
TRANSFER_CLI = (".venv/bin/python -m mothello transfer configs/naive-2.toml --preset tiny \\\n"
                "    --pretrain-steps 300 --finetune-games 2560 --finetune-epochs 2 \\\n"
                "    --out runs/transfer-naive-2")
AOT_LABELS = {"in_language": "in-language probe (A → A)", "cross_lingual": "cross-lingual probe (A → B)",
              "aligned_rotation": "cross-lingual after rotation", "legal_move_accuracy": "legal-move accuracy",
              "colour_in": "in-language, colour only", "colour_cross": "cross-lingual, colour only"}
# Runs overlaid in one chart (naive vs anchors vs unified): colours apart from the language colours.
EXPERIMENT_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]
STATE_COLOURS = {"finished": "green", "running": "blue", "starting": "blue", "cancelling": "orange",
                 "cancelled": "gray", "failed": "red", "died": "red"}


# -- small presentation helpers ------------------------------------------------------------------
def show(chart, data: pd.DataFrame | None, name: str, container=None, width="content") -> None:
    """A finished chart in house style (scaled for presentation mode) with PNG/SVG/CSV exports;
    width="stretch" fits it to its column."""
    where = container or st
    chart = charts.finish(chart, widgets.scale(), autosize=charts.PAD if width == "content" else charts.FIT_X)
    where.altair_chart(chart, width=width)
    widgets.export_buttons(chart, data, name, container=where)


def unavailable(what: str, why: str = "", container=None, shows: str = "") -> None:
    """The card shown where a shipped checkpoint or run is missing (shows: what will appear here)."""
    where = container or st
    with where.container(border=True):
        st.markdown(f":material/hourglass_empty: **{what}** is not available yet")
        if shows:
            st.markdown(f":gray[Here: {shows}]")
        st.caption((why + " " if why else "") + f"Train it with `{MAKE_SUITE}` (or on the Train page); "
                   "this view fills in as soon as it exists.")


def pct(x: float) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.0%}"


def pts(x: float) -> str:
    """A change in accuracy, in percentage points."""
    if x is None or not np.isfinite(x):
        return "n/a"
    v = round(100 * x)
    return "±0 points" if v == 0 else f"{v:+d} point{'s' * (abs(v) != 1)}"


def duration(seconds) -> str:
    if seconds is None or not np.isfinite(seconds):
        return "–"
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def language_colours(names: list[str], all_names: list[str] | None = None) -> alt.Scale:
    """theme colours by each language's index among its experiment's input languages (as on every
    page), for the names present."""
    order = all_names or names
    idx = {n: i for i, n in enumerate(order)}
    return alt.Scale(domain=list(names), range=[theme.language_colour(idx.get(n, i)) for i, n in enumerate(names)])


# -- transfer runs -------------------------------------------------------------------------------
@st.cache_data(ttl=5, show_spinner=False)
def transfer_runs() -> list[dict]:
    """Every transfer run directly under checkpoints/ and runs/ (shipped first): name, path, whether
    its table exists yet, its state and experiment."""
    found = []
    for root in (checkpoints_dir(), runs_dir()):
        root = Path(root)
        if not root.is_dir():
            continue
        for p in sorted(root.iterdir(), key=_study_order):
            if not p.is_dir() or not ((p / TABLE).is_file() or (p / "transfer.json").is_file()):
                continue
            st_ = _read_json(p / "status.json")
            exp = _experiment_name(p)
            found.append({"name": display_name(p), "path": str(p), "has_table": (p / TABLE).is_file(),
                          "state": st_.get("state", "finished" if (p / TABLE).is_file() else "unknown"),
                          "experiment": exp or st_.get("experiment") or p.name, "variant": _variant(p),
                          "scale": _scale(p)})
    return found


def _study_order(run: Path) -> tuple[int, str]:
    """The suite's transfer runs in the study's order (naive, anchors, unified), then the others by name."""
    suite = [f"transfer-{name}" for name in TRANSFER]
    return (suite.index(run.name) if run.name in suite else len(suite), run.name)


def _variant(run: Path) -> str | None:
    """transfer.variant_label of a run's settings (None for the study's protocol or unreadable settings)."""
    try:
        return variant_label(TransferConfig.from_dict(_read_json(run / "transfer.json")))
    except (TypeError, ValueError):
        return None


def _scale(run: Path) -> str | None:
    """transfer.scale_label of a run against the shipped plain run of its experiment,
    checkpoints/transfer-<experiment> (None without one, for that run itself, or unreadable settings)."""
    plain = Path(checkpoints_dir()) / f"transfer-{_experiment_name(run)}"
    if not (plain / "transfer.json").is_file() or plain.resolve() == run.resolve():
        return None
    try:
        return scale_label(*(TransferConfig.from_dict(_read_json(p / "transfer.json")) for p in (run, plain)))
    except (TypeError, ValueError):
        return None


def _read_json(path: Path) -> dict:
    try:
        return storage.read_json(path) if path.is_file() else {}
    except (OSError, ValueError):
        return {}


def _experiment_name(run: Path) -> str | None:
    import tomllib

    try:
        return str(tomllib.loads((run / "experiment.toml").read_text()).get("name"))
    except (OSError, ValueError):
        return None


def find_transfer_run(experiment: str) -> dict | None:
    """The transfer run of an experiment: the shipped checkpoints/transfer-<experiment> first, else the
    newest finished one with that experiment under runs/."""
    runs = [r for r in transfer_runs() if r["has_table"] and not r["variant"]]
    shipped = [r for r in runs if r["name"] == f"checkpoints/transfer-{experiment}"]
    if shipped:
        return shipped[0]
    same = [r for r in runs if r["experiment"] == experiment]
    return sorted(same, key=lambda r: r["name"])[-1] if same else None


def shipped_variants(experiment: str) -> list[dict]:
    """The fine-tuning variants (transfer.variant_label) of an experiment's transfer run that ship in
    checkpoints/."""
    return [r for r in transfer_runs() if r["has_table"] and r["variant"] and r["experiment"] == experiment
            and r["name"].startswith("checkpoints/")]


def shipped_longer(plain: dict) -> list[dict]:
    """The shipped transfer runs of `plain`'s experiment (a transfer_runs() entry) that follow the study's
    protocol, pretrained for another number of steps than `plain`; "scale" says how (transfer.scale_label)."""
    out = []
    for r in transfer_runs():
        if (r["has_table"] and not r["variant"] and r["experiment"] == plain["experiment"]
                and r["name"].startswith("checkpoints/") and r["name"] != plain["name"]):
            try:
                label = scale_label(*(TransferConfig.from_dict(_read_json(Path(x["path"]) / "transfer.json"))
                                      for x in (r, plain)))
            except (TypeError, ValueError):
                continue
            if label:
                out.append({**r, "scale": label})
    return out


@st.cache_data(show_spinner=False, max_entries=64)
def _transfer_table(path: str, stamp: tuple) -> pd.DataFrame:
    return transfer_table(path)


def read_transfer(path) -> pd.DataFrame:
    """A transfer run's tidy table (cached until transfer.csv changes), with the run's name."""
    p = Path(path)
    s = (p / TABLE).stat()
    df = _transfer_table(str(p), (s.st_mtime_ns, s.st_size)).copy()
    df["run"] = display_name(p)
    return df


def transfer_frames(paths: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Tables of several runs, stacked, with a short unique `label` per run; plus errors in words."""
    frames, errors, labels = [], [], {}
    for p in paths:
        try:
            df = read_transfer(p)
        except (OSError, ValueError, KeyError) as e:
            errors.append(f"{display_name(Path(p))} cannot be read: {e}")
            continue
        if df.empty:
            errors.append(f"{display_name(Path(p))}: its transfer table is empty")
            continue
        label = str(df["experiment"].iloc[0])
        for extra in (_scale(Path(p)), df["variant"].iloc[0]):
            if extra:
                label += f" · {extra}"
        n = sum(1 for v in labels.values() if v.split(" #")[0] == label)
        labels[p] = label if n == 0 else f"{label} #{n + 1}"
        df["label"] = labels[p]
        frames.append(df)
    if not frames:
        return pd.DataFrame(), errors
    return pd.concat(frames, ignore_index=True), errors


def _curve_frame(df: pd.DataFrame, metric: str) -> pd.DataFrame:
    if metric == "alignment":
        d = df[df["metric"].isin(["alignment_from_finetuned", "probe_in_language"])].copy()
    else:
        d = df[df["metric"] == metric].copy()
    d = d.rename(columns={"step": "fine-tuning step"})
    d["line"] = np.where(d["finetuned"], d["language"] + " (fine-tuned)", d["language"])
    return d[["label", "run", "experiment", "snapshot", "fine-tuning step", "language", "line", "finetuned",
              "metric", "value"]]


def transfer_domain(df: pd.DataFrame, metric: str) -> tuple[float, float]:
    """One y range for several panels of the same metric, so they compare at a glance."""
    d = _curve_frame(df, metric)
    return _domain(d["value"]) if len(d) else (0.0, 1.0)


def _domain(values: pd.Series) -> tuple[float, float]:
    lo, hi = float(values.min()), float(values.max())
    lo = max(0.0, math.floor(lo * 10 - 0.5) / 10)
    hi = min(1.0, math.ceil(hi * 10 + 0.5) / 10)
    return (lo, hi) if hi > lo else (max(0.0, lo - 0.1), min(1.0, hi + 0.1))


STEP_AXIS = alt.X("fine-tuning step:Q", title="fine-tuning step", axis=alt.Axis(tickMinStep=1, format=",d"))
TRANSFER_METRICS = {
    "legal_move_accuracy": ("Legal-move accuracy", "legal-move accuracy"),
    "alignment": ("Alignment from the fine-tuned language", "board-probe accuracy"),
}
TRANSFER_SUBTITLES = {
    "legal_move_accuracy": "held-out games from the full distribution",
    "alignment": "a probe trained on the fine-tuned language, applied to each language",
}


def transfer_chart(df: pd.DataFrame, metric: str = "legal_move_accuracy", by: str = "run",
                   width: int = 420, height: int = 260, columns: int = 2, domain=None):
    """Curves over fine-tuning steps, the fine-tuned language thick and solid, the others dashed.
    by='run': one panel per run, colour = language; by='experiment': one panel, colour = run.
    Returns (chart, data)."""
    s = widgets.scale()
    d = _curve_frame(df, metric)
    if d.empty:
        return None, d
    title, y_title = TRANSFER_METRICS[metric]
    domain = domain or _domain(d["value"])
    w, h = int(width * s), int(height * s)
    if by == "experiment":
        labels = list(dict.fromkeys(d["label"]))
        scale = alt.Scale(domain=labels, range=[EXPERIMENT_COLOURS[i % len(EXPERIMENT_COLOURS)]
                                                for i in range(len(labels))])
        ch = charts.line_chart(d, "fine-tuning step", "value", "label", y_title=y_title, width=w, height=h,
                               colour_scale=scale,
                               highlight="finetuned", y_domain=domain,
                               title=alt.Title(title, subtitle=TRANSFER_SUBTITLES[metric] + " · thick solid: the "
                                               "fine-tuned language · dashed: the others", anchor="start"))
        ch = ch.encode(x=STEP_AXIS, detail="line:N", tooltip=["label", "line", "fine-tuning step",
                                                 alt.Tooltip("value:Q", format=".1%")],
                       color=alt.Color("label:N", scale=scale, title=None, legend=alt.Legend(
                           orient="top", direction="horizontal", labelLimit=400)))  # the right side names lines
        ends = end_labels(d, domain, h / s)
        text = alt.Chart(ends).mark_text(align="left", dx=7 * s, fontSize=11 * s).encode(
            x="fine-tuning step:Q", y=alt.Y("y:Q", scale=alt.Scale(domain=list(domain))), text="text:N",
            color=alt.Color("colour:N", scale=None))
        return alt.layer(ch, text), d
    panels = []
    for label, g in d.groupby("label", sort=False):
        order = _language_order(g)
        lines = g.drop_duplicates("line")
        lines = lines.assign(rank=[order.get(x, len(order) + i) for i, x in enumerate(lines["language"])])
        lines = lines.sort_values(["finetuned", "rank"], ascending=[False, True])
        names = list(lines["line"])
        scale = alt.Scale(domain=names, range=[theme.language_colour(r) for r in lines["rank"]])
        sub = TRANSFER_SUBTITLES[metric]
        ch = charts.line_chart(g, "fine-tuning step", "value", "line", y_title=y_title, colour_scale=scale,
                               width=w, height=h, highlight="finetuned", y_domain=domain,
                               title=alt.Title(f"{label}: {title.lower()}", subtitle=sub, anchor="start"))
        panels.append(ch.encode(
            x=STEP_AXIS, color=alt.Color("line:N", scale=scale, title=None,
                                         legend=alt.Legend(orient="top", direction="horizontal", labelLimit=300)),
            tooltip=["line", "fine-tuning step", alt.Tooltip("value:Q", format=".1%")]))
    rows = [alt.hconcat(*panels[i:i + columns]) for i in range(0, len(panels), columns)]
    chart = rows[0] if len(rows) == 1 else alt.vconcat(*rows)
    return chart.resolve_scale(color="independent"), d


def end_labels(d: pd.DataFrame, domain, height: float, px: float = 13.0) -> pd.DataFrame:
    """Where to name each line at its last point when curves of several runs overlay (colour = run): a
    language whose runs end within two label heights gets one grey label, else one per run in the run's
    colour; labels are then spread at least `px` pixels apart (of `height`) and kept inside `domain`.
    Columns: fine-tuning step, y, text, colour."""
    labels = list(dict.fromkeys(d["label"]))
    colour = {lab: EXPERIMENT_COLOURS[i % len(EXPERIMENT_COLOURS)] for i, lab in enumerate(labels)}
    last = d[d["fine-tuning step"] == d.groupby("label")["fine-tuning step"].transform("max")]
    gap = (domain[1] - domain[0]) * px / max(height, 1.0)
    rows = []
    for line, g in last.groupby("line", sort=False):
        if g["value"].max() - g["value"].min() <= 2 * gap:
            rows.append({"y": float(g["value"].mean()), "text": line, "colour": "#555555"})
        else:
            rows += [{"y": float(v), "text": line, "colour": colour[lab]} for lab, v in zip(g["label"], g["value"])]
    out = pd.DataFrame(rows).sort_values("y", ignore_index=True)
    ys = out["y"].to_numpy(copy=True)
    for i in range(1, len(ys)):  # push up to the gap, then back down from the top if that ran off
        ys[i] = max(ys[i], ys[i - 1] + gap)
    for i in range(len(ys) - 1, -1, -1):
        ys[i] = min(ys[i], domain[1] - gap / 2 if i == len(ys) - 1 else ys[i + 1] - gap)
    out["y"] = ys
    out["fine-tuning step"] = float(last["fine-tuning step"].max())
    return out


def _language_order(g: pd.DataFrame) -> dict:
    """Language name -> its index in the run's experiment (for the fixed language colours)."""
    try:
        from ..languages import load_config

        exp = load_config(Path(_path_of(g["run"].iloc[0])) / "experiment.toml")
        return {exp.languages[li].name: i for i, li in enumerate(exp.input_languages)}
    except Exception:  # noqa: BLE001 - colours fall back to the order of appearance
        return {}


def _path_of(name: str) -> Path:
    for prefix, root in (("checkpoints/", checkpoints_dir()), ("runs/", runs_dir())):
        if name.startswith(prefix):
            return Path(root) / name[len(prefix):]
    return Path(name)


# -- alignment of a checkpoint (the Alignment page's cached, stored results) ---------------------
PROBE_KIND, PROBE_LABELS = "linear", "relative"


def alignment_of(name: str, container=None):
    """The alignment result (every layer, with baselines) of a checkpoint, with the Alignment page's
    settings: stored beside it (instant), else computed once with a progress bar and stored."""
    from . import analysis_views as av

    return av.alignment_result(widgets.load(name), PROBE_KIND, PROBE_LABELS, container=container)


def stored_alignment_of(name: str):
    """The stored alignment result of a checkpoint, or None (never computes)."""
    from ..probes import load_alignment
    from . import analysis_views as av

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
            domain=list(results), range=EXPERIMENT_COLOURS[:len(results)])),
        # no legend for the dashes (Vega draws no dashed symbol beside line + point marks): the subtitle says it
        strokeDash=alt.StrokeDash("measure:N", title=None, legend=None,
                                  scale=alt.Scale(domain=["cross-lingual", "in-language"], range=[[1, 0], [5, 3]])),
        tooltip=["checkpoint", "layer", "measure", alt.Tooltip("accuracy:Q", format=".1%")],
    ).properties(width=int(width * s), height=int(height * s),
                 title=alt.Title(title, subtitle="solid: cross-lingual · dashed: in-language", anchor="start"))
    return chart, df


# -- alignment over training (stored beside the checkpoint by mothello.transfer) ------------------
def _compute_aot(path: str, layer: int, n_train: int, progress=None) -> pd.DataFrame:
    from .. import transfer

    return transfer.alignment_over_training(path, layer=layer, n_train=n_train, progress=progress)


@st.cache_data(show_spinner=False, max_entries=32)
def _aot(_path: str, path: str, sha: str, layer: int, n_train: int, _fresh=None) -> pd.DataFrame:
    if _fresh is not None:
        return _fresh
    return _compute_aot(path, layer, n_train)


def compute_alignment_over_training(path, layer: int, n_train: int, container=None) -> tuple[pd.DataFrame, str | None]:
    """Compute once (with a progress bar, cached), then store beside the checkpoint when its folder is
    writable. Returns the table and where it was stored (None if it could not be)."""
    from . import analysis_views as av

    sha = read_meta(path)["weights_sha256"][:16]
    df = av.computed_once(_aot, (str(path), str(path), sha, layer, n_train),
                          lambda bar: _compute_aot(str(path), layer, n_train, progress=bar),
                          f"Alignment over training of {display_name(Path(path))}", container)
    where = store_alignment_over_training(path, df, layer, n_train)
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
                              width=int(width * s), height=int(height * s), y_domain=_domain(d["value"]),
                              title=alt.Title("Alignment over training",
                                              subtitle=f"probes at layer {layer}, at every snapshot of the run",
                                              anchor="start")).encode(x=charts.STEP_X)
    return (charts.stage_marks(chart, list(stages), s, label_at="bottom"),
            d[["step", "layer", "metric", "measure", "value"]])


# -- training runs -------------------------------------------------------------------------------
def stage_starts(path) -> list[int]:
    """Where a checkpoint's later training stages begin ([] when it was trained in one go)."""
    try:
        return [x["from"] for x in training_stages(read_meta(path))[1:]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def state_badge(state: str) -> str:
    return f":{STATE_COLOURS.get(state, 'gray')}-badge[{state}]"


def run_kind(rs: jobs.RunStatus) -> str:
    return "transfer" if rs.status.get("kind") == "transfer" or (rs.path / "transfer.json").is_file() else "train"


def live_numbers(rs: jobs.RunStatus) -> dict:
    """ETA, tokens/s and the current phase of a run (a transfer run reads its current sub-run)."""
    st_ = rs.status
    phase = st_.get("phase")
    if run_kind(rs) == "transfer" and phase in ("pretrain", "finetune"):
        sub = _read_json(rs.path / phase / "status.json")
        return {"phase": phase, "eta_s": sub.get("eta_s"), "tokens_per_s": sub.get("tokens_per_s"),
                "device": sub.get("device"), "metrics_dir": rs.path / phase}
    metrics_dir = rs.path
    if run_kind(rs) == "transfer":
        metrics_dir = rs.path / ("finetune" if (rs.path / "finetune").is_dir() else "pretrain")
    return {"phase": phase, "eta_s": st_.get("eta_s"), "tokens_per_s": st_.get("tokens_per_s"),
            "device": st_.get("device"), "metrics_dir": metrics_dir}


def runs_table(runs: list[jobs.RunStatus]) -> pd.DataFrame:
    rows = []
    for r in runs:
        n = live_numbers(r)
        rows.append({"run": r.name, "kind": run_kind(r), "experiment": r.status.get("experiment", "?"),
                     "state": r.state, "progress": r.fraction, "step": f"{r.step:,} / {r.total:,}",
                     "ETA": duration(n["eta_s"]) if r.alive else "–",
                     "started": str(r.status.get("started") or "")[:16].replace("T", " ")})
    return pd.DataFrame(rows)


def last_accuracy(run_dir: Path) -> float | None:
    for row in reversed(jobs.metrics(run_dir)):
        acc = row.get("legal_move_accuracy")
        if acc:
            return float(np.mean(list(acc.values())))
    return None


def run_curves(run_dir: Path, width: int = 430, height: int = 230):
    """Loss and legal-move accuracy charts of a training run directory (None where no metrics yet)."""
    df = metrics_table(run_dir)
    if df.empty:
        return None, None, df
    s = widgets.scale()
    loss = df[df["metric"].isin(["train_loss", "val_loss"])].copy()
    loss["curve"] = loss["metric"].map(theme.LOSS_NAMES)
    acc = df[df["metric"] == "legal_move_accuracy"].copy()
    loss_chart = acc_chart = None
    if not loss.empty:
        loss_chart = charts.line_chart(loss, "step", "value", "curve", y_title="cross-entropy (nats)", y_format=".2f",
                                       width=int(width * s), height=int(height * s),
                                       colour_scale=alt.Scale(domain=list(theme.LOSS_COLOURS),
                                                              range=list(theme.LOSS_COLOURS.values())),
                                       title=alt.Title("Loss", anchor="start")).encode(x=charts.STEP_X)
    if not acc.empty:
        names = list(dict.fromkeys(acc["language"]))
        try:
            from ..languages import load_config

            exp = load_config(Path(run_dir) / "experiment.toml")
            all_names = [exp.languages[li].name for li in exp.input_languages]
        except Exception:  # noqa: BLE001 - colours by order of appearance
            all_names = names
        acc_chart = charts.line_chart(acc, "step", "value", "language", y_title="legal-move accuracy",
                                      colour_scale=language_colours(names, all_names), y_domain=_domain(acc["value"]),
                                      width=int(width * s), height=int(height * s),
                                      title=alt.Title("Legal-move accuracy (held-out games)", anchor="start")
                                      ).encode(x=charts.STEP_X)
    return loss_chart, acc_chart, df


def transfer_cards(row: pd.Series, container=None, state: str | None = None) -> None:
    """A run's name and three numbers: the fine-tuned language, the others, the alignment."""
    where = container or st
    note = "" if state in (None, "finished") else f" · {state_badge(state)} still measuring"
    where.markdown(f"**{row['run']}** &nbsp; :gray[{row['path']} · fine-tuned on {row['fine-tuned']} for "
                   f"{row['fine-tuning steps']:,} steps]{note}")
    c = where.columns(3)
    ft = row["fine-tuned"]
    c[0].metric(f"{ft} · tuned", pct(row["fine-tuned after"]), _delta(row["fine-tuned gain"]),
                help=f"legal-move accuracy of {ft}, the fine-tuned language, after fine-tuning; change since "
                     "the pretrained model")
    c[1].metric("others", pct(row["others after"]), _delta(row["others gain"]),
                help="mean legal-move accuracy of the languages that were not fine-tuned; change since the "
                     "pretrained model. Transfer = these rise too.")
    gain = row["alignment after"] - row["alignment before"]
    c[2].metric("alignment", pct(row["alignment after"]), _delta(gain),
                help=f"board-probe accuracy of a probe trained on {ft}, applied to the other languages "
                     "(same games); change since the pretrained model")
    peak = peak_line(row)
    if peak:
        where.caption(peak)
    for line in answer_lines(row["path"]):
        where.caption(line)


def peak_line(row: pd.Series) -> str | None:
    """When the languages not fine-tuned stood at least a point higher along fine-tuning than at its end
    (transfer.best_snapshot), that in words; else None."""
    try:
        best = best_snapshot(read_transfer(_path_of(row["path"])), row["fine-tuned"])
    except (OSError, ValueError, KeyError):
        return None
    if best is None or best["step"] >= row["fine-tuning steps"] or best["others gain"] - row["others gain"] < 0.01:
        return None
    ratio = "" if not np.isfinite(best["transfer ratio"]) else f", transfer ratio {best['transfer ratio']:.2f}"
    return (f":material/show_chart: Along fine-tuning the others stood highest at step {best['step']:,} "
            f"({pts(best['others gain'])} while {row['fine-tuned']} had gained {pts(best['fine-tuned gain'])}{ratio}); "
            f"by the end they are at {pts(row['others gain'])}.")


def answer_lines(name: str) -> list[str]:
    """Which language the run's final model answers the other languages in (its answers.csv), in words:
    one line per language that mostly answers in the fine-tuned language's tokens."""
    try:
        df = stored_answer_languages(_path_of(name))
    except (OSError, ValueError):
        return []
    if df is None:
        return []
    return [f":material/translate: Reading {r['language']}, the fine-tuned model answers with {r['fine-tuned']} "
            f"tokens {pct(r['answers in fine-tuned language'])} of the time; limited to {r['language']}'s own "
            f"tokens, {pct(r['legal among own tokens'])} of its moves are legal."
            for r in df.to_dict("records") if r["answers in fine-tuned language"] >= ANSWERS_SHIFTED]


def restored_of(name: str) -> pd.DataFrame | None:
    """A transfer run's restored.csv (transfer.restore_parts) by the run's display name, or None when it
    has none or it is unreadable."""
    try:
        df = stored_restored_parts(_path_of(name))
    except (OSError, ValueError):
        return None
    need = {"restored", "language", "legal_move_accuracy"}
    if df is None or not need <= set(df.columns) or not {FINETUNED, PRETRAINED} <= set(df["restored"]):
        return None
    return df


def restored_chart(df: pd.DataFrame, finetuned: str, title: str = "", width: int = 300):
    """Parts of the fine-tuned model put back to their pretrained weights (rows) x languages (columns):
    each cell prints the language's legal-move accuracy, its colour is the change against the
    fine-tuned model (blue: restoring that part brings the language up; red: down). The first and last
    rows are the fine-tuned and the pretrained model themselves (the colours span the single parts'
    changes; the pretrained row saturates)."""
    parts = list(dict.fromkeys(df["restored"]))
    langs = list(dict.fromkeys(df["language"]))
    ft_acc = df[df["restored"] == FINETUNED].set_index("language")["legal_move_accuracy"]
    d = df.assign(change=df["legal_move_accuracy"] - df["language"].map(ft_acc))
    k = widgets.scale()  # presentation mode: larger labels need larger cells, or Vega hides the labels
    cell = int(k * np.clip(8 * max(len(str(x)) for x in langs) + 16, 52, 100))
    # the colour scale spans the single parts' changes (the pretrained row, often far off, saturates)
    inner = d.loc[~d["restored"].isin([FINETUNED, PRETRAINED]), "change"].abs()
    lim = float(max(0.05, inner.max() if len(inner) and np.isfinite(inner.max()) else 0.05))
    bold = alt.expr(f"datum.value == {json.dumps(finetuned)} ? 'bold' : 'normal'")
    base = alt.Chart(d).encode(
        x=alt.X("language:N", sort=langs, title=None,
                axis=alt.Axis(orient="top", labelAngle=0, grid=False, labelFontWeight=bold)),
        y=alt.Y("restored:N", sort=parts, title="put back to pretrained",
                axis=alt.Axis(grid=False, labelLimit=260, labelFlush=False, labelOverlap=False)))
    cells = base.mark_rect(stroke="white", strokeWidth=1.5).encode(
        color=alt.Color("change:Q", scale=alt.Scale(scheme="redblue", domain=[-lim, lim], clamp=True),
                        legend=alt.Legend(format="+.0%", title="vs fine-tuned", orient="bottom")),
        tooltip=[alt.Tooltip("restored:N", title="put back"), alt.Tooltip("language:N"),
                 alt.Tooltip("legal_move_accuracy:Q", title="legal moves", format=".1%"),
                 alt.Tooltip("change:Q", title="vs fine-tuned", format="+.1%")])
    text = base.mark_text(fontSize=12 * k).encode(
        text=alt.Text("legal_move_accuracy:Q", format=".0%"),
        color=alt.condition(f"abs(datum.change) > {0.6 * lim}", alt.value("white"), alt.value("black")))
    chart = alt.layer(cells, text).properties(
        width=cell * len(langs), height=int(22 * k) * len(parts),
        title=alt.Title(title, subtitle=f"fine-tuned on {finetuned} (bold) · legal moves with one part of the "
                                        "weights put back", anchor="start"))
    return chart, d


def restored_lines(df: pd.DataFrame, finetuned: str) -> list[str]:
    """In words, for each language not fine-tuned that lost RESTORE_FALL or more: the part that brings
    it back furthest."""
    lines = []
    for r in restored_summary(df, finetuned):
        if r["before"] - r["after"] < RESTORE_FALL:
            continue
        share = r["recovered"] if np.isfinite(r["recovered"]) else 0.0
        lines.append(f"{r['language']} fell {pct(r['before'])} → {pct(r['after'])}; putting back **{r['part']}** "
                     f"brings it to {pct(r['with part'])} ({share:.0%} of the loss) while {finetuned} keeps "
                     f"{pct(r['finetuned with part'])}.")
    return lines


def _delta(x) -> str | None:
    return None if x is None or not np.isfinite(x) else f"{100 * x:+.1f} pts"


def run_detail(rs: jobs.RunStatus) -> None:
    """One run, live: state, progress bar, step/total, ETA, tokens/s, cancel/resume, its error and last
    log lines if it failed or died, and its loss and accuracy curves."""
    n = live_numbers(rs)
    kind = run_kind(rs)
    with st.container(border=True):
        head, buttons = st.columns([4, 1.3], vertical_alignment="center")
        head.markdown(f"#### {rs.name} &nbsp; {state_badge(rs.state)}")
        bits = [kind, f"experiment {rs.status.get('experiment', '?')}"]
        if rs.status.get("objective"):
            bits.append(f"objective {rs.status['objective']}")
        if n["device"]:
            bits.append(f"on {n['device']}")
        if n["phase"] and kind == "transfer":
            bits.append(f"phase: {n['phase']}")
        head.caption(" · ".join(bits))
        if rs.alive and not (rs.path / "job.json").is_file():
            buttons.caption("started from the command line: stop it there")
        elif rs.alive and rs.state in ("starting", "running"):
            if buttons.button("Cancel", key=f"cancel_{rs.name}", icon=":material/stop_circle:", width="stretch",
                              help="stop after saving a resumable state"):
                try:
                    jobs.cancel(rs.path)
                    st.toast(f"Cancelling {rs.name}: it saves its state, then stops.", icon=":material/stop_circle:")
                except (jobs.JobError, OSError) as e:
                    st.error(f"Could not cancel {rs.name}: {e}")
        elif rs.resumable:
            if buttons.button("Resume", key=f"resume_{rs.name}", icon=":material/play_arrow:", type="primary",
                              width="stretch", help="continue from the last saved state"):
                try:
                    jobs.resume(rs.path)
                    st.toast(f"Resuming {rs.name}", icon=":material/play_arrow:")
                except (jobs.JobError, OSError, ValueError) as e:
                    st.error(f"Could not resume {rs.name}: {e}")
        st.progress(rs.fraction, text=f"step {rs.step:,} / {rs.total:,} · {rs.fraction:.0%}")
        m = st.columns(4)
        m[0].metric("Step", f"{rs.step:,} / {rs.total:,}")
        m[1].metric("Legal-move accuracy", pct(last_accuracy(n["metrics_dir"])),
                    help="mean over languages at the latest evaluation (held-out games)")
        m[2].metric("ETA", duration(n["eta_s"]) if rs.alive else "–")
        tok = n["tokens_per_s"]
        m[3].metric("Tokens / s", f"{tok:,.0f}" if tok else "–")
        if rs.state in ("failed", "died"):
            st.error(f"**{rs.name} {rs.state}:** {rs.error or 'no error recorded'}", icon=":material/error:")
            tail = rs.log_tail or jobs.log_tail(rs.path)
            if tail:
                st.caption("Last lines of its log")
                st.code("\n".join(tail[-12:]), language=None)
        elif rs.state == "cancelled":
            st.info(f"Cancelled at step {rs.step:,}. Resume continues from the last saved state.",
                    icon=":material/pause_circle:")
        elif rs.state == "finished":
            if kind == "transfer":
                st.success(f"Finished: the curves are on the Transfer page as **runs/{rs.name}**.",
                           icon=":material/check_circle:")
            else:
                st.success(f"Finished: **runs/{rs.name}** is in every checkpoint picker.",
                           icon=":material/check_circle:")
        loss, acc, data = run_curves(n["metrics_dir"])
        if loss is None and acc is None:
            st.caption("No measurements yet: the first evaluation is written after a few steps.")
            return
        cols = st.columns(2, gap="medium")
        if loss is not None:
            show(loss, data[data["metric"] != "legal_move_accuracy"], f"loss-{rs.name}", container=cols[0],
                 width="stretch")
        if acc is not None:
            show(acc, data[data["metric"] == "legal_move_accuracy"], f"accuracy-{rs.name}", container=cols[1],
                 width="stretch")


# -- shipped checkpoints (the findings tour) --------------------------------------------------
def shipped_checkpoint(name: str) -> str | None:
    """'checkpoints/NAME' if that shipped checkpoint exists, else None."""
    return f"checkpoints/{name}" if (Path(checkpoints_dir()) / name / META).is_file() else None


def in_progress(experiment: str, kind: str = "train") -> str:
    """Words about a live run (kind 'train' or 'transfer') of this experiment, e.g. the demo suite
    training it now, or ''."""
    for r in jobs.runs():
        if r.alive and r.status.get("experiment") == experiment and run_kind(r) == kind:
            return f"Being trained now: runs/{r.name}, step {r.step:,} of {r.total:,} ({r.fraction:.0%})."
    return ""
