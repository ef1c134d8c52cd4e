"""The transfer experiment's views (Transfer page, Findings tour, FINDINGS figures): finding transfer
runs under checkpoints/ and runs/, reading their tables, their curves over fine-tuning, the run's
headline numbers, which language the fine-tuned model answers in, and which part of the weights
carries a fallen language's loss. Only reads run directories; pages call these and stay thin."""

from __future__ import annotations

import json
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from .. import storage
from ..checkpoints import checkpoints_dir, display_name, runs_dir
from ..suite import TRANSFER
from ..transfer import (ANSWERS_SHIFTED, FINETUNED, PRETRAINED, RESTORE_FALL, TABLE, TransferConfig, best_snapshot,
                        gave_back, restored_summary, scale_label, stored_answer_languages, stored_restored_parts,
                        transfer_table, variant_label)
from . import charts, theme, widgets
from .run_views import experiment_name, state_badge
from .text import delta, pct, pts


TRANSFER_CLI = (".venv/bin/python -m mothello transfer configs/naive-2.toml --preset tiny \\\n"
                "    --pretrain-steps 300 --finetune-games 2560 --finetune-epochs 2 \\\n"
                "    --out runs/transfer-naive-2")


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
            st_ = storage.read_json_if_any(p / "status.json")
            exp = experiment_name(p)
            found.append({"name": display_name(p), "path": str(p), "has_table": (p / TABLE).is_file(),
                          "state": st_.get("state", "finished" if (p / TABLE).is_file() else "unknown"),
                          "experiment": exp or st_.get("experiment") or p.name, "variant": _variant(p),
                          "scale": _scale(p)})
    return found


def _study_order(run: Path) -> tuple[int, str]:
    """The suite's transfer runs in the study's order (naive, anchors, unified), then the others by name."""
    suite = [f"transfer-{name}" for name in TRANSFER]
    return (suite.index(run.name) if run.name in suite else len(suite), run.name)


def _settings(run: Path) -> TransferConfig:
    """A run's transfer settings (transfer.json; the defaults where it is missing or unreadable). Raises
    TypeError or ValueError when they are malformed."""
    return TransferConfig.from_dict(storage.read_json_if_any(run / "transfer.json"))


def _variant(run: Path) -> str | None:
    """transfer.variant_label of a run's settings (None for the study's protocol or unreadable settings)."""
    try:
        return variant_label(_settings(run))
    except (TypeError, ValueError):
        return None


def _scale(run: Path) -> str | None:
    """transfer.scale_label of a run against the shipped plain run of its experiment,
    checkpoints/transfer-<experiment> (None without one, for that run itself, or unreadable settings)."""
    plain = Path(checkpoints_dir()) / f"transfer-{experiment_name(run)}"
    if not (plain / "transfer.json").is_file() or plain.resolve() == run.resolve():
        return None
    try:
        return scale_label(_settings(run), _settings(plain))
    except (TypeError, ValueError):
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
                label = scale_label(_settings(Path(r["path"])), _settings(Path(plain["path"])))
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
    return charts.accuracy_domain(d["value"]) if len(d) else (0.0, 1.0)


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
    domain = domain or charts.accuracy_domain(d["value"])
    w, h = int(width * s), int(height * s)
    if by == "experiment":
        labels = list(dict.fromkeys(d["label"]))
        scale = alt.Scale(domain=labels, range=[theme.EXPERIMENT_COLOURS[i % len(theme.EXPERIMENT_COLOURS)]
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
    colour = {lab: theme.EXPERIMENT_COLOURS[i % len(theme.EXPERIMENT_COLOURS)] for i, lab in enumerate(labels)}
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


def transfer_cards(row: pd.Series, container=None, state: str | None = None, notes: bool = True) -> None:
    """A run's name and three numbers: the fine-tuned language, the others, the alignment; then, with `notes`, what
    the run adds in words (transfer_notes: cards side by side put them under their charts instead, so that the
    charts of a row start level)."""
    where = container or st
    note = "" if state in (None, "finished") else f" · {state_badge(state)} still measuring"
    where.markdown(f"**{row['run']}** &nbsp; :gray[{row['path']} · fine-tuned on {row['fine-tuned']} for "
                   f"{row['fine-tuning steps']:,} steps]{note}")
    c = where.columns(3)
    ft = row["fine-tuned"]
    c[0].metric(f"{ft} · tuned", pct(row["fine-tuned after"]), delta(row["fine-tuned gain"]),
                help=f"legal-move accuracy of {ft}, the fine-tuned language, after fine-tuning; change since "
                     "the pretrained model")
    c[1].metric("others", pct(row["others after"]), delta(row["others gain"]),
                help="mean legal-move accuracy of the languages that were not fine-tuned; change since the "
                     "pretrained model. Transfer = these rise too.")
    gain = row["alignment after"] - row["alignment before"]
    c[2].metric("alignment", pct(row["alignment after"]), delta(gain),
                help=f"board-probe accuracy of a probe trained on {ft}, applied to the other languages "
                     "(same games); change since the pretrained model")
    if notes:
        transfer_notes(row, container)


def transfer_notes(row: pd.Series, container=None) -> None:
    """What a transfer run's card says in words: where along fine-tuning the others stood highest (peak_line) and
    the run's own notes (answer_lines), one caption each."""
    where = container or st
    peak = peak_line(row)
    if peak:
        where.caption(peak)
    for line in answer_lines(row["path"]):
        where.caption(line)


def peak_line(row: pd.Series) -> str | None:
    """When the languages not fine-tuned rose along fine-tuning and its end gave that back (transfer.gave_back),
    that in words; else None."""
    try:
        best = best_snapshot(read_transfer(_path_of(row["path"])), row["fine-tuned"])
    except (OSError, ValueError, KeyError):
        return None
    if not gave_back(best, row["others gain"], row["fine-tuning steps"]):
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
