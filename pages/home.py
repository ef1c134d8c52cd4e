"""Home: what mOthello is, the checkpoints with their headline numbers, the findings, and a way into
every page."""

from __future__ import annotations

import math
import re
from pathlib import Path
from types import SimpleNamespace

import altair as alt
import pandas as pd
import streamlit as st

from mothello.checkpoints import ROOT, CheckpointInfo, read_meta
from mothello.probes import alignment_path, load_alignment
from mothello.ui import charts, theme, widgets

FINDINGS_FILE = ROOT / "FINDINGS.md"
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")

PAGES = [  # (path as in app.py, title, icon, what it shows)
    ("pages/checkpoints.py", "Checkpoints", ":material/inventory_2:",
     "Configs, vocabularies, training curves and snapshots; compare two side by side."),
    ("pages/play.py", "Play", ":material/sports_esports:",
     "Play Othello against the model's next-move distribution, in any of its languages."),
    ("pages/probe_boards.py", "Probe boards", ":material/grid_view:",
     "The board a probe reads from the hidden states, move by move and layer by layer."),
    ("pages/alignment.py", "Alignment", ":material/compare_arrows:",
     "Cross-lingual probe accuracy for every pair of languages: is the board shared?"),
    ("pages/representations.py", "Representations", ":material/scatter_plot:",
     "Hidden states of parallel games in two languages, projected and compared."),
    ("pages/transfer.py", "Transfer", ":material/trending_up:",
     "Fine-tune one language, watch the others: does learning transfer?"),
    ("pages/train.py", "Train", ":material/model_training:",
     "Start, watch and resume training runs of any experiment config."),
    ("pages/tour.py", "Findings tour", ":material/slideshow:",
     "The study's four findings, one slide each, on live checkpoints."),
]


# -- data -----------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=256)
def _alignment_headline(path: str, sha: str, mtime: float) -> tuple[float, int] | None:
    """(mean cross-lingual probe accuracy at the compared layer, that layer), from the stored linear
    probe / relative labels / 1,000-game alignment result; None if not computed for these weights.
    Reads checkpoint.json and the stored result only: no weights are loaded for the home page."""
    shim = SimpleNamespace(path=Path(path), meta={"weights_sha256": sha})  # what load_alignment reads
    res = load_alignment(shim, "linear", "relative", 1000)
    if res is None:
        return None
    best = res.best_layer()  # the one rule FINDINGS.md and the other pages compare at
    score = res.mean_cross(best)
    return None if math.isnan(score) else (score, best)


def alignment_headline(info: CheckpointInfo) -> tuple[float, int] | None:
    if info.error:
        return None
    try:
        sha = read_meta(info.path)["weights_sha256"]
    except Exception:  # noqa: BLE001 - a checkpoint that went away since it was listed
        return None
    p = alignment_path(SimpleNamespace(path=Path(info.path)), "linear", "relative", 1000)
    mtime = p.stat().st_mtime if p.is_file() else 0.0
    return _alignment_headline(str(info.path), sha, mtime)


def pct(v) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.1%}"


def checkpoint_rows(infos: list[CheckpointInfo]) -> pd.DataFrame:
    rows = []
    for i in infos:
        al = alignment_headline(i)
        rows.append({
            "checkpoint": i.name,
            "legal-move accuracy": i.mean_accuracy,
            "alignment": f"{pct(al[0])} · layer {al[1]}" if al else "—",
            "per language": widgets.per_language(i.legal_move_accuracy),
            "experiment": i.experiment if not i.error else "unreadable",
            "model": f"{i.n_layer} × {i.d_model} · {i.n_params / 1e6:.2f} M" if not i.error else "—",
            "step": i.step if not i.error else None,
        })
    return pd.DataFrame(rows)


def accuracy_frame(infos: list[CheckpointInfo]) -> pd.DataFrame:
    rows = [{"checkpoint": i.name, "language": lang, "legal-move accuracy": float(v)}
            for i in infos if not i.error for lang, v in i.legal_move_accuracy.items()]
    return pd.DataFrame(rows, columns=["checkpoint", "language", "legal-move accuracy"])


def language_colours(infos: list[CheckpointInfo]) -> alt.Scale:
    """Each language name in the colour of its index in its experiment (as on every other page)."""
    colours: dict[str, str] = {}
    for i in infos:
        for li, name in enumerate(i.languages):
            colours.setdefault(name, theme.language_colour(li))
    return alt.Scale(domain=list(colours), range=list(colours.values()))


def accuracy_chart(df: pd.DataFrame, scale: alt.Scale, s: float) -> alt.TopLevelMixin:
    order = list(dict.fromkeys(df["checkpoint"]))
    y = alt.Y("checkpoint:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    lo, hi = charts.accuracy_domain(df["legal-move accuracy"])   # zoomed to the values: 95% and 98% apart
    xs = alt.Scale(domain=[lo, hi], nice=False, zero=False)   # on every layer: a shared scale unions their domains
    x = alt.X("legal-move accuracy:Q", scale=xs, axis=alt.Axis(format=".0%"),
              title="legal-move accuracy (held-out games, per language)")
    base = alt.Chart(df).encode(y=y)
    rule = base.mark_rule(color="#bbbbbb", strokeWidth=1.5).encode(
        x=alt.X("min(legal-move accuracy):Q", scale=xs), x2="max(legal-move accuracy):Q")
    dots = base.mark_circle(size=150 * s, opacity=0.95, stroke="white", strokeWidth=1).encode(
        x=x, color=alt.Color("language:N", scale=scale, legend=None),
        tooltip=["checkpoint", "language", alt.Tooltip("legal-move accuracy:Q", format=".1%")])
    mean = base.mark_tick(color="#222222", thickness=2.5, size=22 * s).encode(
        x=alt.X("mean(legal-move accuracy):Q", scale=xs), tooltip=[alt.Tooltip("mean(legal-move accuracy):Q", format=".1%",
                                                             title="mean")])
    chart = alt.layer(rule, dots, mean).properties(
        width="container", height=46 * len(order) * s,
        title=alt.Title("Does the model play legal moves?",
                        subtitle="one dot per language, in its colour (hover for names) · tick: mean"
                                 + (f" · axis from {lo:.0%}" if lo > 0 else "")))
    return charts.finish(chart, s, charts.FIT_X)


# a table wider than the page (FINDINGS.md's trials put many runs side by side) scrolls inside it
WIDE_TABLES = """<style>
    [data-testid="stExpander"] [data-testid="stMarkdownContainer"] table {display: block; overflow-x: auto;
                                                                           max-width: 100%;}
    </style>"""


def markdown_with_figures(text: str) -> None:
    """Markdown whose images (FINDINGS.md's figures, paths relative to the project) are shown with
    st.image: st.markdown cannot serve files from disk. A missing figure is named, not broken. Tables
    wider than the page scroll sideways (WIDE_TABLES)."""
    st.markdown(WIDE_TABLES, unsafe_allow_html=True)
    parts = IMAGE.split(text)  # text, alt, path, text, alt, path, ...
    for i in range(0, len(parts), 3):
        if parts[i].strip():
            st.markdown(parts[i])
        if i + 2 < len(parts):
            path = ROOT / parts[i + 2]
            if path.is_file() and path.resolve().is_relative_to(ROOT):
                st.image(str(path), caption=parts[i + 1] or None)
            else:
                st.caption(f"(figure {parts[i + 2]} is missing: `make findings` draws it)")


def findings_summary(text: str) -> str:
    """The first paragraph(s) of FINDINGS.md under its title, up to the first sub-heading."""
    lines, out = text.strip().splitlines(), []
    for line in lines:
        if line.startswith("# ") and not out:
            continue
        if line.startswith("#") and out:
            break
        out.append(line)
    return "\n".join(out).strip()


# -- page -----------------------------------------------------------------------------------------
present = widgets.page_header(
    "mOthello Explorer",
    "When do multilingual models learn a language-neutral representation? "
    "After Hua, Yun & Pavlick, mOthello (Findings of NAACL 2024).")
s = widgets.scale()

st.markdown(
    "**mOthello** writes the same Othello games in several synthetic *languages*: each language maps "
    "the 60 moves to its own tokens (one token per move, one to three, or a row token and a column "
    "token), optionally sharing *anchor* tokens or one *unified output* vocabulary. "
    "A GPT is trained to predict the next move in games written in one language at a time, so it "
    "never sees a translation. "
    "Probes then read the board back out of its hidden states: if a probe trained on one language "
    "also reads the board in another, the model has learned **one board for all languages**.")

st.subheader("Checkpoints")
infos = widgets.checkpoint_infos()
if not infos:
    st.info("No checkpoints yet. Train one on the **Train** page, or from the command line: "
            "`python -m mothello train configs/naive-2.toml --preset tiny --out runs/my-first`.")
else:
    table = checkpoint_rows(infos)
    st.dataframe(
        table, hide_index=True, width="stretch",
        # the long per-language cell last, so that it is the one a narrow screen cuts, not the step
        column_order=["checkpoint", "legal-move accuracy", "alignment", "experiment", "model", "step", "per language"],
        column_config={
            "checkpoint": st.column_config.TextColumn(width="medium", pinned=True),
            "step": st.column_config.NumberColumn(format="localized"),
            "legal-move accuracy": st.column_config.ProgressColumn(
                format="percent", min_value=0.0, max_value=1.0,
                help="Mean over input languages of the fraction of held-out prefixes whose greedy next move "
                     "is legal (from the checkpoint's own evaluation)."),
            "per language": st.column_config.TextColumn(help="Legal-move accuracy per input language."),
            "model": st.column_config.TextColumn(help="layers × width · parameters"),
            "alignment": st.column_config.TextColumn(
                help="Mean cross-lingual probe accuracy (probe trained on A, read on B, every ordered pair) "
                     "at the layer shown: the one where the model's own in-language probe reads the colour of "
                     "occupied squares best (the layer FINDINGS.md compares); linear probe, mine/theirs labels, "
                     "1,000 training games. "
                     "'—': not computed yet (Alignment page)."),
        })
    bad = [i for i in infos if i.error]
    for i in bad:
        st.warning(f"**{i.name}** cannot be read: {i.error}", icon=":material/warning:")
    acc = accuracy_frame(infos)
    if not acc.empty:
        chart = accuracy_chart(acc, language_colours([i for i in infos if not i.error]), s)
        st.altair_chart(chart, width="stretch")
        if not present:
            widgets.export_buttons(chart, acc, "home-legal-move-accuracy")
    if not present:
        st.caption("Shipped checkpoints (checkpoints/) first, then runs trained here (runs/). "
                   "Alignment needs a stored alignment result: compute one on the Alignment page.")

st.subheader("What the study found")
if FINDINGS_FILE.is_file():
    try:
        text = FINDINGS_FILE.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        st.warning(f"FINDINGS.md cannot be read: {e}")
        text = ""
    summary = findings_summary(text) if text else ""
    if summary:
        st.markdown(summary)
    if text:
        with st.expander("FINDINGS.md: our own findings, in full", icon=":material/description:"):
            markdown_with_figures(text)
ours = widgets.finding_verdicts()
cols = st.columns(len(theme.FINDINGS))
for k, (col, (head, detail)) in enumerate(zip(cols, theme.FINDINGS), start=1):
    with col.container(border=True, height="stretch"):
        st.markdown(f"<div style='font-size:{0.85 * s}rem;color:#777;font-weight:600'>FINDING {k}</div>"
                    f"<div style='font-size:{1.08 * s}rem;font-weight:700;margin:0.25rem 0 0.5rem'>{head}</div>"
                    f"<div style='font-size:{0.92 * s}rem;color:#444;padding-bottom:0.5rem'>{detail}</div>"
                    + (widgets.verdict_html(*ours[k], s) if k in ours else ""), unsafe_allow_html=True)
if not FINDINGS_FILE.is_file() and not present:
    st.caption("These are the study's findings. FINDINGS.md (what this project's own runs show) "
               "has not been written yet.")

st.subheader("Explore")
per_row = 4
for start in range(0, len(PAGES), per_row):
    cols = st.columns(per_row)
    for col, (path, title, icon, what) in zip(cols, PAGES[start:start + per_row]):
        with col.container(border=True, height="stretch"):
            widgets.page_link(path, label=title, icon=icon)
            st.caption(what)
