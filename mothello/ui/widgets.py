"""Pickers that keep the view's state in the URL, cached loaders, presentation mode and exports."""

from __future__ import annotations

import gc
import html
import io
from pathlib import Path
from typing import Callable, Sequence

import altair as alt
import pandas as pd
import streamlit as st

from ..checkpoints import (META, Checkpoint, CheckpointError, CheckpointInfo, checkpoints_dir, list_checkpoints,
                           load_checkpoint, resolve)
from ..evaluate import default_device
from . import charts, theme


# -- URL state -----------------------------------------------------------------------------------
def url_value(key: str, default=None):
    return st.query_params.get(key, default)


def set_url(**values) -> None:
    for k, v in values.items():
        if v is None:
            if k in st.query_params:
                del st.query_params[k]
        elif st.query_params.get(k) != str(v):
            st.query_params[k] = str(v)


def url_select(label: str, options: Sequence, key: str, default=None, format_func: Callable = str,
               container=None, **kw):
    """A selectbox whose value lives in the URL (?key=value), so the view can be shared."""
    where = container or st
    options = list(options)
    if not options:
        return None
    value = where.selectbox(label, options, index=_url_index(options, key, default), format_func=format_func,
                            key=f"url_{key}", **kw)
    set_url(**{key: value})
    return value


def _url_index(options: list, key: str, default) -> int:
    """The index of the URL's value among the options, else of the default, else 0."""
    names = [str(o) for o in options]
    for wanted in (url_value(key), str(default)):
        if wanted in names:
            return names.index(wanted)
    return 0


def url_radio(label: str, options: Sequence, key: str, default=None, format_func: Callable = str,
              container=None, horizontal: bool = True, **kw):
    """Radio buttons whose value lives in the URL (?key=value)."""
    where = container or st
    options = list(options)
    value = where.radio(label, options, index=_url_index(options, key, default), format_func=format_func,
                        key=f"url_{key}", horizontal=horizontal, **kw)
    set_url(**{key: value})
    return value


def url_toggle(label: str, key: str, default: bool = False, container=None, **kw) -> bool:
    """A toggle kept in the URL as ?key=1 / ?key=0."""
    where = container or st
    raw = url_value(key)
    current = default if raw is None else raw == "1"
    value = where.toggle(label, value=current, key=f"url_{key}", **kw)
    set_url(**{key: "1" if value else "0"})
    return bool(value)


def url_int(label: str, key: str, default: int, lo: int, hi: int, container=None, **kw) -> tuple[int, str | None]:
    """A whole-number input kept in the URL. Returns (value, problem): problem is a readable message
    when the URL held something unusable (the value then falls back to the default or the range)."""
    where = container or st
    raw = url_value(key)
    problem = None
    try:
        current = default if raw is None else int(str(raw).strip())
    except ValueError:
        problem = f"“{raw}” is not a whole number: showing {label.lower()} {default} instead."
        current = default
    if not lo <= current <= hi:
        clamped = min(max(current, lo), hi)
        problem = f"{label} {current} is outside {lo}..{hi}: showing {clamped} instead."
        current = clamped
    value = where.number_input(label, min_value=lo, max_value=hi, value=current, step=1, key=f"url_{key}", **kw)
    value = int(value if value is not None else current)
    set_url(**{key: value})
    return value, problem


def set_url_int(key: str, value: int) -> None:
    """For on_click callbacks: move a url_int input to `value` (the widget re-reads the URL)."""
    st.query_params[key] = str(int(value))
    st.session_state.pop(f"url_{key}", None)


def url_slider(label: str, lo: int, hi: int, key: str, default: int, container=None, **kw) -> int:
    where = container or st
    try:
        current = int(url_value(key, default))
    except (TypeError, ValueError):
        current = default
    current = min(max(current, lo), hi)
    if lo == hi:
        where.caption(f"{label}: {lo}")
        set_url(**{key: lo})
        return lo
    value = where.slider(label, lo, hi, current, key=f"url_{key}", **kw)
    set_url(**{key: value})
    return int(value)


def url_multiselect(label: str, options: Sequence[str], key: str, default: Sequence[str], container=None, **kw):
    where = container or st
    raw = url_value(key)
    chosen = [x for x in raw.split(",") if x in options] if raw else [x for x in default if x in options]
    value = where.multiselect(label, list(options), default=chosen, key=f"url_{key}", **kw)
    set_url(**{key: ",".join(value) if value else None})
    return value


# -- checkpoints -------------------------------------------------------------------------------
@st.cache_data(ttl=5, show_spinner=False)
def checkpoint_infos() -> list[CheckpointInfo]:
    return list_checkpoints()


@st.cache_data(ttl=5, show_spinner=False)
def _findings_numbers(root: str) -> dict | None:
    from ..findings import collect

    try:
        return collect(root)
    except (OSError, ValueError, KeyError, TypeError):   # a suite checkpoint that cannot be read
        return None


def findings_numbers() -> dict | None:
    """FINDINGS.md's numbers (findings.collect) on checkpoints/ now: stored metrics and analyses only, no weights
    loaded; None when a suite checkpoint cannot be read."""
    return _findings_numbers(str(checkpoints_dir()))


@st.cache_data(ttl=5, show_spinner=False)
def _verdicts(root: str) -> dict[int, tuple[str, str]]:
    from ..findings import verdicts

    numbers = _findings_numbers(root)
    try:
        return verdicts(numbers) if numbers is not None else {}   # no verdicts on an unreadable suite checkpoint
    except (ValueError, KeyError, TypeError):   # nor on one whose stored analysis lacks what a rule reads
        return {}


def finding_verdicts() -> dict[int, tuple[str, str]]:
    """The study's four findings judged on the checkpoints in checkpoints/ now, by FINDINGS.md's rules:
    {finding: (status 'holds' / 'does not hold' / 'pending', our numbers in words)}; {} when a suite checkpoint
    cannot be read. Stored metrics and analyses only: no weights are loaded."""
    return _verdicts(str(checkpoints_dir()))


def verdict_html(status: str, reason: str, s: float = 1.0, rule: bool = True) -> str:
    """A finding's verdict on our models (finding_verdicts) as a badge ('OURS: HOLDS'), then our numbers in words;
    with `rule` a line above it (a card's foot)."""
    fg, bg = theme.VERDICT_COLOURS.get(status, theme.VERDICT_COLOURS["pending"])
    above = "border-top:1px solid #e6e6e6;padding-top:0.5rem" if rule else ""
    return (f"<div style='{above}'><span style='background:{bg};color:{fg};font-size:{0.78 * s}rem;font-weight:700;"
            f"letter-spacing:0.03em;padding:0.1rem 0.45rem;border-radius:0.3rem'>OURS: {html.escape(status.upper())}"
            f"</span><div style='font-size:{0.8 * s}rem;color:#555;margin-top:0.35rem;padding-bottom:0.5rem'>"
            f"{html.escape(reason)}</div></div>")


@st.cache_resource(show_spinner="Loading model ...", max_entries=12)
def _load(path: str, sha: str) -> Checkpoint:
    return load_checkpoint(path, device=default_device())


def load(name_or_path: str) -> Checkpoint:
    """A checkpoint, cached per (path, weights hash) so that new weights are reloaded."""
    from ..checkpoints import read_meta

    path = resolve(name_or_path, allow_paths=True)  # callers pass registry entries, never raw URL text
    return _load(str(path), read_meta(path)["weights_sha256"])


def checkpoint_picker(label: str = "Checkpoint", key: str = "ckpt", container=None, default: str | None = None,
                      exclude: Sequence[str] = ()) -> Checkpoint | None:
    """Pick a checkpoint (shipped ones first, then runs); shows a readable error and returns None if
    it cannot be loaded."""
    where = container or st.sidebar
    infos = [i for i in checkpoint_infos() if i.name not in exclude]
    if not infos:
        where.info("No checkpoints yet: train one on the Train page.")
        return None
    names = [i.name for i in infos]
    by_name = {i.name: i for i in infos}
    wanted = url_value(key)
    if wanted and wanted not in names:  # a bare name in the URL (?ckpt=atomic-10): the shipped one first
        match = [n for n in names if n.rsplit("/", 1)[-1] == wanted]
        if match:
            st.query_params[key] = match[0]
        elif wanted not in exclude:
            where.warning(f"There is no checkpoint {wanted!r}; showing {default or names[0]} instead.",
                          icon=":material/warning:")
    name = url_select(label, names, key, default=default or names[0], container=where,
                      format_func=lambda n: _label(by_name[n]))
    info = by_name[name]
    if info.error:
        where.error(f"{name} cannot be read: {info.error}")
        return None
    try:
        return load(str(info.path))
    except (CheckpointError, OSError, ValueError) as e:
        where.error(f"{name} cannot be loaded: {e}")
        return None


def _label(info: CheckpointInfo) -> str:
    acc = info.mean_accuracy
    return f"{info.name}" + (f"  ·  legal {acc:.1%}" if acc is not None else "")


def per_language(acc: dict[str, float]) -> str:
    """Each language's legal-move accuracy in a line; for more than five languages, their count and range
    (a table cell stays readable)."""
    if not acc:
        return "—"
    if len(acc) > 5:
        return f"{len(acc)} languages · {min(acc.values()):.0%}–{max(acc.values()):.0%}"
    return " · ".join(f"{k} {v:.0%}" for k, v in acc.items())


def language_picker(ck: Checkpoint, label: str = "Language", key: str = "lang", container=None,
                    default: int | None = None) -> int:
    names = [ck.config.languages[i].name for i in ck.config.input_languages]
    d = names[0] if default is None else ck.config.languages[default].name
    name = url_select(label, names, key, default=d, container=container)
    return ck.config.language_index(name)


def layer_slider(ck: Checkpoint, key: str = "layer", container=None, default: int | None = None) -> int:
    n = ck.model.cfg.n_layer
    return url_slider("Layer (0 = embeddings)", 0, n, key, n if default is None else default, container=container)


# -- presentation mode and exports --------------------------------------------------------------
def presentation_mode() -> bool:
    """A sidebar toggle (kept in the URL as ?present=1): hides the sidebar, the header and the blurbs,
    enlarges the text and the figures (scale()); an "Exit presentation" button at the top leads back."""
    on = st.sidebar.toggle("Presentation mode", value=url_value("present") == "1", key="url_present",
                           help="Hide controls and enlarge figures, for talks")
    set_url(present="1" if on else None)
    if on:
        st.markdown("""<style>
            [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header {display: none !important;}
            .block-container {padding-top: 1.5rem; max-width: 100rem;}
            h1 {font-size: 3.4rem !important;}
            [data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li {font-size: 1.25rem;}
            [data-testid="stMetricValue"] div, [data-testid="stMetricValue"] p {font-size: 2.9rem !important;}
            [data-testid="stMetricLabel"] p {font-size: 1.1rem !important;}
            </style>""", unsafe_allow_html=True)
        with st.container(horizontal=True, horizontal_alignment="right"):
            st.button("Exit presentation", icon=":material/close_fullscreen:", type="tertiary", key="exit_present",
                      on_click=_exit_presentation)
    return on


def _exit_presentation() -> None:
    st.session_state["url_present"] = False
    set_url(present=None)


def scale() -> float:
    return 1.45 if url_value("present") == "1" else 1.0


def export_buttons(chart: alt.TopLevelMixin | dict, data: pd.DataFrame | None, name: str, container=None) -> None:
    """PNG, SVG and CSV downloads of a figure (an Altair chart, or a Vega-Lite spec dict such as
    board.board_spec's); rendered only when clicked. None in presentation mode (controls are hidden)."""
    if url_value("present") == "1":
        return
    def spec_json() -> str:  # only when a download is clicked: a big chart's JSON takes a while
        if isinstance(chart, dict):
            import json

            return json.dumps(chart)
        return chart.to_json()

    where = container or st
    row = where.container(horizontal=True, gap="small")  # buttons at their own width, side by side

    def png() -> bytes:
        import vl_convert as vlc

        return vlc.vegalite_to_png(spec_json(), scale=2)

    def svg() -> str:
        import vl_convert as vlc

        return vlc.vegalite_to_svg(spec_json())

    row.download_button("PNG", png, file_name=f"{name}.png", mime="image/png", key=f"png_{name}", icon=":material/image:")
    row.download_button("SVG", svg, file_name=f"{name}.svg", mime="image/svg+xml", key=f"svg_{name}", icon=":material/draw:")
    if data is not None:
        def csv() -> bytes:
            buf = io.StringIO()
            data.to_csv(buf, index=False)
            return buf.getvalue().encode()

        row.download_button("CSV", csv, file_name=f"{name}.csv", mime="text/csv", key=f"csv_{name}", icon=":material/table:")


def page_header(title: str, blurb: str) -> bool:
    """Title, one-line blurb, and the presentation toggle; returns whether presentation mode is on."""
    present = presentation_mode()
    st.title(title)
    if not present:
        st.caption(blurb)
    return present


# -- navigation -----------------------------------------------------------------------------------
def page_link(page: str, label: str, icon: str | None = None, help: str | None = None, container=None) -> None:
    """st.page_link to one of app.py's pages ("pages/play.py"); when the page runs outside the router
    (a test running one page file) the link cannot be resolved and a plain label is shown instead."""
    from streamlit.errors import StreamlitAPIException

    where = container or st
    try:
        where.page_link(page, label=label, icon=icon, help=help)
    except StreamlitAPIException:
        where.markdown(f"**{label}**")


# -- the server process ---------------------------------------------------------------------------
def settle_memory(growth: int = 50_000) -> None:
    """Call at the end of every run (app.py does): when the objects that outlive runs (imported
    modules, loaded models, caches) have grown by `growth` since last time, collect once and freeze
    them (gc.freeze), out of the garbage collector's way. Streamlit runs a full collection after every
    script run; with torch, numba, pandas and Altair loaded it scanned ~330,000 objects, ~200 ms in
    which the server could not even send the run's last messages: most of a Play click's wait.
    Frozen objects are still freed by reference counting; only cycles among them stay."""
    if len(gc.get_objects(generation=2)) > growth:
        gc.collect()
        gc.freeze()


# -- charts on a page, and what stands in for a missing one ----------------------------------------
MAKE_SUITE = "make demo-suite"


def show(chart, data: pd.DataFrame | None, name: str, container=None, width="content") -> None:
    """A finished chart in house style (scaled for presentation mode) with PNG/SVG/CSV exports;
    width="stretch" fits it to its column."""
    where = container or st
    chart = charts.finish(chart, scale(), autosize=charts.PAD if width == "content" else charts.FIT_X)
    where.altair_chart(chart, width=width)
    export_buttons(chart, data, name, container=where)


def unavailable(what: str, why: str = "", container=None, shows: str = "") -> None:
    """The card shown where a shipped checkpoint or run is missing (shows: what will appear here)."""
    where = container or st
    with where.container(border=True):
        st.markdown(f":material/hourglass_empty: **{what}** is not available yet")
        if shows:
            st.markdown(f":gray[Here: {shows}]")
        st.caption((why + " " if why else "") + f"Train it with `{MAKE_SUITE}` (or on the Train page); "
                   "this view fills in as soon as it exists.")


def shipped_checkpoint(name: str) -> str | None:
    """'checkpoints/NAME' if that shipped checkpoint exists, else None."""
    return f"checkpoints/{name}" if (Path(checkpoints_dir()) / name / META).is_file() else None
