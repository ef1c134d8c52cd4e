"""The live view of background runs (Train page, Findings tour): each run's state, progress, ETA and
speed, cancel and resume, its error and last log lines when it failed, and its loss and accuracy
curves. Only reads run directories; no threads: the page polls with st.fragment(run_every=...)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from .. import jobs, storage
from ..train import describe, machines_of
from ..transfer import metrics_table
from . import charts, theme, widgets
from .text import duration, pct


STATE_COLOURS = {"finished": "green", "running": "blue", "starting": "blue", "cancelling": "orange",
                 "cancelled": "gray", "failed": "red", "died": "red"}


def state_badge(state: str) -> str:
    return f":{STATE_COLOURS.get(state, 'gray')}-badge[{state}]"


def experiment_name(run: Path) -> str | None:
    """The name in a run directory's experiment.toml (None when it is missing or unreadable)."""
    try:
        return str(tomllib.loads((Path(run) / "experiment.toml").read_text()).get("name"))
    except (OSError, ValueError):
        return None


def experiment_of(rs: jobs.RunStatus) -> str:
    """The experiment a run trains: as its status says, else as its experiment.toml does ('?' when neither)."""
    return rs.status.get("experiment") or experiment_name(rs.path) or "?"


def run_kind(rs: jobs.RunStatus) -> str:
    return "transfer" if rs.status.get("kind") == "transfer" or (rs.path / "transfer.json").is_file() else "train"


def live_numbers(rs: jobs.RunStatus) -> dict:
    """ETA, tokens/s and the current phase of a run (a transfer run reads its current sub-run)."""
    st_ = rs.status
    phase = st_.get("phase")
    if run_kind(rs) == "transfer" and phase in ("pretrain", "finetune"):
        sub = storage.read_json_if_any(rs.path / phase / "status.json")
        return {"phase": phase, "eta_s": sub.get("eta_s"), "tokens_per_s": sub.get("tokens_per_s"),
                "device": where(sub), "metrics_dir": rs.path / phase}
    metrics_dir = rs.path
    if run_kind(rs) == "transfer":
        metrics_dir = rs.path / ("finetune" if (rs.path / "finetune").is_dir() else "pretrain")
    return {"phase": phase, "eta_s": st_.get("eta_s"), "tokens_per_s": st_.get("tokens_per_s"),
            "device": where(st_), "metrics_dir": metrics_dir}


def where(status: dict) -> str | None:
    """What a run trains on, from its status (train.trained_on's last entry): 'cpu (AMD EPYC), float32',
    'cuda:0 (NVIDIA H100 80GB HBM3), bfloat16'; the device alone for a status written before the trainer kept
    them; None without one."""
    known = machines_of(status)
    return describe(known[-1]) if known else status.get("device")


def runs_table(runs: list[jobs.RunStatus]) -> pd.DataFrame:
    rows = []
    for r in runs:
        n = live_numbers(r)
        rows.append({"run": r.name, "kind": run_kind(r), "experiment": experiment_of(r),
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
                                      colour_scale=theme.language_scale(names, all_names),
                                      y_domain=charts.accuracy_domain(acc["value"]),
                                      width=int(width * s), height=int(height * s),
                                      title=alt.Title("Legal-move accuracy (held-out games)", anchor="start")
                                      ).encode(x=charts.STEP_X)
    return loss_chart, acc_chart, df


def run_detail(rs: jobs.RunStatus) -> None:
    """One run, live: state, progress bar, step/total, ETA, tokens/s, cancel/resume, its error and last
    log lines if it failed or died, and its loss and accuracy curves."""
    n = live_numbers(rs)
    kind = run_kind(rs)
    with st.container(border=True):
        head, buttons = st.columns([4, 1.3], vertical_alignment="center")
        head.markdown(f"#### {rs.name} &nbsp; {state_badge(rs.state)}")
        bits = [kind, f"experiment {experiment_of(rs)}"]
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
        m[0].metric(f"Step of {rs.total:,}", f"{rs.step:,}")
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
            widgets.show(loss, data[data["metric"] != "legal_move_accuracy"], f"loss-{rs.name}", container=cols[0],
                 width="stretch")
        if acc is not None:
            widgets.show(acc, data[data["metric"] == "legal_move_accuracy"], f"accuracy-{rs.name}", container=cols[1],
                 width="stretch")


def in_progress(experiment: str, kind: str = "train") -> str:
    """Words about a live run (kind 'train' or 'transfer') of this experiment, e.g. the demo suite
    training it now, or ''."""
    for r in jobs.runs():
        if r.alive and experiment_of(r) == experiment and run_kind(r) == kind:
            return f"Being trained now: runs/{r.name}, step {r.step:,} of {r.total:,} ({r.fraction:.0%})."
    return ""
