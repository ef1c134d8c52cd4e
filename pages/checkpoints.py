"""Checkpoints: what each checkpoint is (languages and their tokens, model, training settings), how
its training went, its snapshots; several side by side."""

from __future__ import annotations

import re
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from mothello.checkpoints import (Checkpoint, CheckpointError, CheckpointInfo, games_seen, info as snapshot_info,
                                  list_snapshots, read_meta, stage_hours, training_stages)
from mothello.transfer import metrics_table
from mothello.ui import charts, theme, widgets


# -- data -----------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=64)
def _curves(path: str, mtime: float) -> pd.DataFrame:
    return metrics_table(path)


def curves(path: Path) -> pd.DataFrame:
    f = Path(path) / "metrics.jsonl"
    return _curves(str(path), f.stat().st_mtime if f.is_file() else 0.0)


@st.cache_data(show_spinner=False, max_entries=64)
def _snapshots(path: str, stamp: tuple) -> pd.DataFrame:
    rows = []
    for step, p in list_snapshots(path):
        i = snapshot_info(p)
        row = {"step": step, "folder": str(Path(p).relative_to(path)),
               "legal-move accuracy": i.mean_accuracy}
        row.update({f"legal · {k}": v for k, v in i.legal_move_accuracy.items()})
        if i.error:
            row["problem"] = i.error
        rows.append(row)
    return pd.DataFrame(rows)


def snapshots(path: Path) -> pd.DataFrame:
    d = Path(path) / "snapshots"
    stamp = tuple(sorted((p.name, p.stat().st_mtime) for p in d.glob("step-*"))) if d.is_dir() else ()
    return _snapshots(str(path), stamp)


def language_frame(ck: Checkpoint) -> pd.DataFrame:
    cfg, vocab = ck.config, ck.vocab
    rows = []
    for li, lang in enumerate(cfg.languages):
        anchored = sorted({sq for g in cfg.anchors if li in g.languages for sq in g.squares})
        role = "output" if cfg.unified_output and li == 0 else "input + output" if not cfg.unified_output else "input"
        rows.append({"language": lang.name, "type": lang.type, "role": role,
                     "tokens": int(len(vocab.language_tokens(li))),
                     "tokens per move": f"{vocab.lengths[li][vocab.lengths[li] > 0].mean():.2f}",
                     "tokens per game": vocab.max_tokens(li),
                     "anchored squares": len(anchored)})
    return pd.DataFrame(rows)


def settings_frame(ck: Checkpoint) -> pd.DataFrame:
    meta = ck.meta
    rows = [("step", ck.step)]
    rows += [(f"model · {k}", v) for k, v in meta.get("model", {}).items()]
    rows += [(f"training · {k}", v) for k, v in meta.get("training", {}).items() if v is not None]
    rows += [(k, meta.get(k)) for k in ("weights_dtype", "version", "commit", "created") if meta.get(k) is not None]
    return pd.DataFrame([{"setting": k, "value": str(v)} for k, v in rows])


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")


def fmt_params(n: int) -> str:
    return f"{n / 1e6:.2f} M" if n >= 1e5 else f"{n / 1e3:.0f} k"


# -- charts (width="container", shown with width="stretch": charts.FIT_X) -------------------------

def with_games(df: pd.DataFrame, meta: dict) -> pd.DataFrame:
    """A training-curve table with a "games" column beside "step": the games the model had seen there."""
    return df.assign(games=games_seen(meta, df["step"])) if len(df) else df.assign(games=[])


def loss_chart(df: pd.DataFrame, s: float, stages: list[int] = (), axis: str = "training step") -> alt.TopLevelMixin:
    x, enc = charts.X_AXES[axis]
    d = df.replace({"metric": theme.LOSS_NAMES})
    chart = charts.line_chart(d, x, "value", "metric", title="Loss", y_title="cross-entropy (nats)",
                              colour_scale=alt.Scale(domain=list(theme.LOSS_COLOURS),
                                                     range=list(theme.LOSS_COLOURS.values())),
                              width="container", height=int(200 * s), y_format=".2f").encode(x=enc)
    return charts.finish(charts.stage_marks(chart, stages, s, x=x), s, charts.FIT_X)


def accuracy_chart(df: pd.DataFrame, names: list[str], s: float, stages: list[int] = (),
                   axis: str = "training step") -> alt.TopLevelMixin:
    x, enc = charts.X_AXES[axis]
    shown = [n for n in names if n in set(df["language"])]  # each in its language's colour, as on every page
    scale = alt.Scale(domain=shown, range=[theme.language_colour(names.index(n)) for n in shown])
    chart = charts.line_chart(df, x, "value", "language", title="Legal-move accuracy",
                              y_title="legal-move accuracy", colour_scale=scale,
                              width="container", height=int(200 * s), y_domain=(0, 1)).encode(x=enc)
    return charts.finish(charts.stage_marks(chart, stages, s, label_at="bottom", x=x), s, charts.FIT_X)


def stages_frame(stages: list[dict]) -> pd.DataFrame:
    """One row per training stage; a setting the stage did not record (the first stages of the early suite
    models kept only their peak lr) reads "not recorded"."""
    def said(v, fmt: str) -> str:
        return "not recorded" if v is None else format(v, fmt)

    rows = []
    for k, x in enumerate(stages, start=1):
        hours = stage_hours(x)
        rows.append({"stage": k, "steps": f"{x.get('from', 0):,} → {x.get('to') or 0:,}",
                     "batch": x.get("batch_size"), "peak lr": said(x.get("lr"), "g"),
                     "final lr": said(x.get("min_lr"), "g"), "warm-up steps": said(x.get("warmup_steps"), ","),
                     "optimizer": "carried over" if x.get("init_optimizer") else "fresh",
                     "number format": {"auto": "float32 (auto)"}.get(x.get("dtype"), x.get("dtype")),
                     "device": (x.get("device_name") or "GPU") if str(x.get("device")).startswith("cuda")
                     else str(x.get("device") or "").upper() or None,
                     "wall-clock (h)": None if hours is None else round(hours, 2)})
    return pd.DataFrame(rows)


def compare_chart(df: pd.DataFrame, s: float, axis: str = "training step") -> alt.TopLevelMixin:
    x, enc = charts.X_AXES[axis]
    chart = charts.line_chart(df, x, "legal-move accuracy", "checkpoint",
                              title="Legal-move accuracy over training (mean over input languages)",
                              colour_scale=alt.Scale(scheme="dark2"),
                              width="container", height=int(220 * s), y_domain=(0, 1)).encode(x=enc)
    return charts.finish(chart, s, charts.FIT_X)


# -- one checkpoint -------------------------------------------------------------------------------
def show(i: CheckpointInfo, present: bool, s: float, narrow: bool, axis: str = "training step") -> None:
    st.subheader(i.name, anchor=False)
    if i.error:
        st.error(f"This checkpoint cannot be read: {i.error}", icon=":material/error:")
        return
    try:
        ck = widgets.load(str(i.path))
    except (CheckpointError, OSError, ValueError) as e:
        st.error(f"This checkpoint cannot be loaded: {e}", icon=":material/error:")
        return
    cfg = ck.config
    if cfg.description:
        st.markdown(f"*{cfg.description}*")
    tags = [f"experiment **{cfg.name}**", f"{len(cfg.languages)} languages"]
    if cfg.unified_output:
        tags.append(f"unified output (language **{cfg.languages[0].name}**)")
    if cfg.anchors:
        tags.append(f"{sum(len(g.squares) for g in cfg.anchors)} anchored squares")
    tags.append(f"objective **{ck.meta.get('training', {}).get('objective', '?')}**")
    st.markdown(" · ".join(tags))

    m = ck.model.cfg
    acc = i.mean_accuracy
    cols = st.columns(2 if narrow else 4)
    cols[0].metric("Step", f"{ck.step:,}")
    cols[1 % len(cols)].metric("Parameters", fmt_params(ck.model.n_params))
    cols[2 % len(cols)].metric("Model", f"{m.n_layer} × {m.d_model}", help=f"{m.n_layer} layers, {m.d_model} wide, "
                               f"{m.n_head} heads, context {m.context_length} tokens, vocabulary {m.vocab_size}")
    cols[3 % len(cols)].metric("Legal-move accuracy", "—" if acc is None else f"{acc:.1%}",
                               help="Mean over input languages, from the checkpoint's own evaluation.")

    name = slug(i.name)
    df = with_games(curves(i.path), ck.meta)
    if df.empty:
        st.info("No training curves: this checkpoint has no metrics.jsonl, or its run has not evaluated yet.",
                icon=":material/show_chart:")
    else:
        loss = df[df.metric.isin(["train_loss", "val_loss"])]
        accd = df[df.metric == "legal_move_accuracy"]
        starts = [x["from"] for x in training_stages(ck.meta)[1:]]
        if axis == "games seen":
            starts = [int(g) for g in games_seen(ck.meta, starts)]
        parts = [(loss, lambda d: loss_chart(d, s, starts, axis), "loss"),
                 (accd, lambda d: accuracy_chart(d, cfg.language_names, s, starts, axis), "legal-move-accuracy")]
        parts = [p for p in parts if not p[0].empty]
        where = [st.container() for _ in parts] if narrow else st.columns(len(parts))
        for col, (d, make, what) in zip(where, parts):
            with col:
                chart = make(d)
                st.altair_chart(chart, width="stretch")
                if not present:
                    widgets.export_buttons(chart, d, f"{name}-{what}")

    tabs = st.tabs(["Languages", "Training settings", "Snapshots"])
    with tabs[0]:
        st.dataframe(language_frame(ck), hide_index=True, width="stretch")
        table = pd.DataFrame(ck.vocab.move_table())
        lang_cols = cfg.language_names
        styled = table.style.map(lambda v: "background-color: #fff3c4; font-weight: 600"
                                 if isinstance(v, str) and v.endswith("*") else "", subset=lang_cols)
        st.dataframe(styled, hide_index=True, width="stretch", height=int(300 * s),
                     column_config={"square": st.column_config.NumberColumn(width="small"),
                                    "move": st.column_config.TextColumn(width="small")})
        st.caption("Each move's token ids in every language; * marks anchor tokens (shared by a group of "
                   "languages). Token 0 is padding." + (" Under unified output every next-move target is "
                                                        f"a token of {cfg.languages[0].name}." if cfg.unified_output else ""))
    with tabs[1]:
        stages = training_stages(ck.meta)
        if stages:
            st.markdown(f"Trained in **{len(stages)} stages**: each later one continues the model where the one "
                        "before ended, on the next games of the stream, with the learning rate warmed up again "
                        "(the dashed lines on the curves). The settings below are the last stage's.")
            st.dataframe(stages_frame(stages), hide_index=True, width="stretch")
        st.dataframe(settings_frame(ck), hide_index=True, width="stretch", height=int(300 * s))
    with tabs[2]:
        snaps = snapshots(i.path)
        if snaps.empty:
            st.info("No snapshots saved along this run's training.")
        else:
            st.dataframe(snaps, hide_index=True, width="stretch",
                         column_config={c: st.column_config.ProgressColumn(format="percent", min_value=0.0,
                                                                           max_value=1.0)
                                        for c in snaps.columns if c.startswith("legal")})
            st.caption("Checkpoints saved along training, for the Transfer and Alignment pages "
                       "(alignment over training).")


def summary_frame(infos: list[CheckpointInfo]) -> pd.DataFrame:
    rows = []
    for i in infos:
        rows.append({"checkpoint": i.name, "experiment": "unreadable" if i.error else i.experiment, "languages": ", ".join(i.languages) or "—",
                     "model": f"{i.n_layer} × {i.d_model}" if not i.error else "—",
                     "parameters": fmt_params(i.n_params) if not i.error else "—",
                     "step": i.step if not i.error else None, "legal-move accuracy": i.mean_accuracy})
    return pd.DataFrame(rows)


# -- page -----------------------------------------------------------------------------------------
present = widgets.page_header(
    "Checkpoints",
    "What each trained model is and how its training went: languages and their tokens, model size, "
    "settings, curves and snapshots. Pick two to compare them side by side.")
s = widgets.scale()

infos = widgets.checkpoint_infos()
if not infos:
    st.info("No checkpoints yet: train one on the Train page.", icon=":material/inventory_2:")
    st.stop()
by_name = {i.name: i for i in infos}
names = list(by_name)
chosen = widgets.url_multiselect("Checkpoints to show", names, key="ckpts", default=names[:1],
                                 placeholder="Pick one or more checkpoints",
                                 help="One: everything about it. Two or more: side by side.")
if not chosen:
    st.info("Pick at least one checkpoint above.")
    st.stop()
picked = [by_name[n] for n in chosen]
axis = widgets.url_radio("Training curves against", list(charts.X_AXES), key="x", default="training step",
                         help="Games seen compares training at different batch sizes: a stage at batch 1,024 "
                              "sees 16 times the games a step of one at 64 does.")

if len(picked) > 1:
    st.dataframe(summary_frame(picked), hide_index=True, width="stretch",
                 column_config={"legal-move accuracy": st.column_config.ProgressColumn(
                     format="percent", min_value=0.0, max_value=1.0)})
    rows = []
    for i in picked:
        if i.error:
            continue
        d = curves(i.path)
        d = d[d.metric == "legal_move_accuracy"]
        if not d.empty:
            mean = d.groupby("step", as_index=False)["value"].mean()
            mean = with_games(mean, read_meta(i.path))
            rows.append(mean.assign(checkpoint=i.name).rename(columns={"value": "legal-move accuracy"}))
    if rows:
        both = pd.concat(rows, ignore_index=True)
        chart = compare_chart(both, s, axis)
        st.altair_chart(chart, width="stretch")
        if not present:
            widgets.export_buttons(chart, both, "checkpoints-compare-legal-move-accuracy")

if len(picked) == 1:
    show(picked[0], present, s, narrow=False, axis=axis)
else:
    for start in range(0, len(picked), 2):
        cols = st.columns(2, gap="large", border=True)
        for col, i in zip(cols, picked[start:start + 2]):
            with col:
                show(i, present, s, narrow=True, axis=axis)
