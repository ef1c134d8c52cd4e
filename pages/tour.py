"""Findings tour: the study's four findings, one screen each, told on the shipped checkpoints with our
own numbers (computed from the data on every run, never typed in), then what the models read of the board
behind them. ?slide=N (0 = the setup, N = finding N, 5 = the board)."""

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from mothello import findings
from mothello.languages import Vocabulary, load_config
from mothello.checkpoints import ROOT
from mothello.othello import generate_games, replay, square_name
from mothello.suite import TRANSFER
from mothello.sweep import at_layer as sweep_at_layer
from mothello.sweep import when as sweep_when
from mothello.transfer import load_transfer_run, per_language_transfer, transfer_summary
from mothello.ui import alignment_views as alv, analysis_views as av, board, charts, run_views as rv, theme, widgets
from mothello.ui import transfer_views as tv
from mothello.ui.text import pct, pts

SLIDES = ["The setup", "Finding 1", "Finding 2", "Finding 3", "Finding 4", "The board"]
present = widgets.page_header("Findings tour", "The study's four findings, one screen each, on the shipped "
                              "checkpoints, then the board the models read behind them. Next and previous keep the "
                              "slide in the URL (?slide=N).")
try:
    slide = int(widgets.url_value("slide", 0))
except (TypeError, ValueError):
    slide = 0
slide = min(max(slide, 0), len(SLIDES) - 1)


def go(n: int) -> None:
    widgets.set_url(slide=n)


# -- navigation ------------------------------------------------------------------------------------
prev_col, dots, next_col = st.columns([1, 5, 1], vertical_alignment="center")
prev_col.button("Previous", icon=":material/arrow_back:", disabled=slide == 0, key="tour_prev", width="stretch",
                on_click=go, args=(slide - 1,))
next_col.button("Next", icon=":material/arrow_forward:", disabled=slide == len(SLIDES) - 1, key="tour_next",
                type="primary", width="stretch", on_click=go, args=(slide + 1,))
dots.markdown(f"<div style='text-align:center;font-size:{widgets.scale()}rem'>" + " &nbsp;·&nbsp; ".join(
    f"<b>{name}</b>" if i == slide else f"<span style='color:#999'>{name}</span>" for i, name in enumerate(SLIDES))
    + "</div>", unsafe_allow_html=True)


def heading(k: int):
    """The finding's statement and lead; returns the place for its numbers (filled once computed)."""
    statement, lead = theme.FINDINGS[k - 1]
    st.markdown(f"### {k}. {statement}")
    st.markdown(f":gray[{lead}]")
    ours = widgets.finding_verdicts()   # judged as FINDINGS.md judges it, on checkpoints/ now
    if k in ours:
        st.markdown(widgets.verdict_html(*ours[k], widgets.scale(), rule=False), unsafe_allow_html=True)
    return st.container()


def caption(box, *lines: str) -> None:
    """Our numbers, computed from the data, above the figure."""
    with box.container(border=True):
        st.markdown("  \n".join(f":material/insights: {line}" for line in lines))


SHOWS = {"naive-2": "its cross-lingual alignment heatmap at the best layer, against the baselines.",
         "anchors-8": "its alignment heatmap and cross-lingual accuracy by layer, beside naive-2's.",
         "unified-mixed": "the alignment heatmap of its four input languages."}


def need(name: str, where=None) -> str | None:
    """The shipped checkpoint, or None after showing the 'not available yet' card."""
    ck = widgets.shipped_checkpoint(name)
    if ck is None:
        widgets.unavailable(f"checkpoints/{name}", rv.in_progress(name), container=where, shows=SHOWS.get(name, ""))
    return ck


def need_transfer(experiment: str, where=None) -> dict | None:
    run = tv.find_transfer_run(experiment)
    if run is None:
        widgets.unavailable(f"The transfer run of {experiment} (checkpoints/transfer-{experiment})",
                       rv.in_progress(experiment, kind="transfer"), container=where,
                       shows=f"legal-move accuracy of every language of {experiment} while one is fine-tuned.")
    return run


def alignment(ck: str, where=None):
    """The checkpoint's alignment result, or None after a readable error."""
    try:
        return alv.alignment_of(ck, container=where)
    except Exception as e:  # noqa: BLE001 - one broken checkpoint must not take the slide down
        (where or st).error(f"{ck}: the alignment could not be computed ({e})")
        return None


# -- slides ----------------------------------------------------------------------------------------
def setup_slide() -> None:
    st.markdown("## When do cross-lingual alignment and transfer emerge?")
    st.markdown(":gray[A GPT reads Othello games written in synthetic languages. A board probe trained on the "
                "hidden states of one language and applied to the same games in another tells whether the model "
                "shares one board representation across languages; fine-tuning one language tells whether "
                "what it learns transfers.]")
    exp = load_config(ROOT / "configs" / "unified-mixed.toml")
    vocab = Vocabulary.build(exp)
    game = generate_games(1, seed=7)[0]
    k = 6
    r = replay(game)
    left, right = st.columns([1, 2.2], gap="large")
    with left:
        chart = board.board_chart(r.boards[0, k - 1], legal=r.next_legal[0, k - 1], last_move=int(game[k - 1]),
                                  title=f"After {k} moves", subtitle="rings: the legal next moves",
                                  size=int(250 * widgets.scale()), font_scale=widgets.scale())
        st.altair_chart(chart, width="content")
    with right:
        st.markdown(f"**The same {k} moves in four languages** (token ids of one shared vocabulary)")
        rows = {}
        for li in exp.input_languages:
            tokens, last = vocab.encode(game[None], li)
            starts = np.concatenate([[0], last[0, :k - 1] + 1])
            rows[f"{exp.languages[li].name} ({exp.languages[li].type})"] = [
                " ".join(str(t) for t in tokens[0, s:e + 1]) for s, e in zip(starts, last[0, :k])]
        st.table(pd.DataFrame(rows, index=[square_name(int(m)) for m in game[:k]]).T)
        st.markdown("- **atomic**: one token per move · **split**: 1 to 3 · **compositional**: a row and a "
                    "column token\n- **anchors**: some squares share one token across languages\n"
                    "- **unified output**: every language predicts its next move in language 0's tokens")
        st.markdown("**On stage**")
        cols = st.columns(4)
        for col, name in zip(cols, ["naive-2", "anchors-8", "atomic-10", "unified-mixed"]):
            ok = widgets.shipped_checkpoint(name) is not None
            tr = tv.find_transfer_run(name) is not None
            transfer = ("transfer run ready" if tr else "no transfer run yet") if name in TRANSFER else \
                "(no transfer experiment)"
            col.markdown(f"{':material/check_circle:' if ok else ':material/hourglass_empty:'} **{name}**  \n"
                         f":gray[{'model ready' if ok else 'model not yet'}  \n{transfer}]")
        if not all(widgets.shipped_checkpoint(n) for n in ["naive-2", "anchors-8", "unified-mixed"]):
            st.caption(f"Missing pieces show a card on their slide; `{widgets.MAKE_SUITE}` trains them all.")


def finding_1() -> None:
    box = heading(1)
    ck = need("naive-2")
    if ck is None:
        return
    res = alignment(ck)
    if res is None:
        return
    x = alv.best_layer(res)
    a, b = st.columns([1, 1.2], gap="medium")
    chart, data = alv.alignment_heatmap(res, x, "naive-2: probe trained on A, read on B", size=210)
    widgets.show(chart, data, "finding1-naive-2-heatmap", container=a)
    chart, data = alv.alignment_bars(res, x, title=f"Layer {x} against the baselines", width=270)
    widgets.show(chart, data, "finding1-naive-2-baselines", container=b)
    diag, cross, rot = res.mean_diag(x), res.mean_cross(x), res.mean_cross(x, aligned=True)
    maj = res.baseline_majority["accuracy"]
    if cross <= maj + 0.02:
        verdict = f"no better than guessing each square's most common state ({pct(maj)})"
    elif cross < diag - 0.1:
        verdict = f"far below in-language, though above the {pct(maj)} majority guess"
    else:
        verdict = "close to in-language: this model does share its board representation"
    line2 = (f"After an orthogonal rotation fitted on other games the probe reaches {pct(rot)}: the board is "
             "there in both languages, in different coordinates." if rot > cross + 0.05 else
             f"After an orthogonal rotation fitted on other games: {pct(rot)}.")
    caption(box, f"At layer {x}, a probe reads the board at **{pct(diag)}** in the language it was trained on, "
            f"but at **{pct(cross)}** in the other one, {verdict}.", line2)
    more = widgets.shipped_checkpoint("atomic-10")
    if more is not None:
        stored = alv.stored_alignment_of(more)
        if stored is not None:
            y = alv.best_layer(stored)
            box.caption(f"With ten languages (atomic-10, layer {y}): cross-lingual {pct(stored.mean_cross(y))}, "
                       f"in-language {pct(stored.mean_diag(y))}.")


def finding_2() -> None:
    box = heading(2)
    found = {}
    left, right = st.columns([1.25, 1], gap="medium")
    with left:
        for name in ["naive-2", "anchors-8"]:
            ck = need(name)
            res = alignment(ck) if ck else None
            if res is not None:
                found[name] = (res, alv.best_layer(res))
        if found:
            chart, data = alv.heatmaps_side_by_side({n: r for n, r in found.items()}, size=165)
            widgets.show(chart, data, "finding2-heatmaps")
    if not found:
        return
    with right:
        chart, data = alv.cross_by_layer({n: r for n, (r, _) in found.items()}, width=250, height=215)
        widgets.show(chart, data, "finding2-by-layer")
    if len(found) == 2:
        (rn, xn), (ra, xa) = found["naive-2"], found["anchors-8"]
        n, a = rn.mean_cross(xn), ra.mean_cross(xa)
        dn, da = rn.mean_diag(xn), ra.mean_diag(xa)
        line1 = (f"Cross-lingual probe accuracy at each model's best layer: anchors-8 **{pct(a)}** against "
                 f"naive-2 **{pct(n)}** ({pts(a - n)}).")
        line2 = (f"In-language accuracy stays close ({pct(da)} and {pct(dn)}): sharing 8 of 60 squares' "
                 "tokens changes how shared the representation is, not how well each language is read."
                 if abs(da - dn) < 0.05 else f"In-language accuracy: anchors-8 {pct(da)}, naive-2 {pct(dn)}.")
        caption(box, line1, line2)
        sweep = av.anchor_sweep()
        if sweep is not None and xa in set(sweep[0]["layer"]):
            table, info = sweep
            wide = sweep_at_layer(table, xa)
            box.caption(f"Anchor sweep ({sweep_when(info)}, layer {xa}), cross-lingual: "
                        + " · ".join(f"{int(r['anchors'])} anchors {pct(r['cross-lingual'])}"
                                     for r in wide.to_dict("records")) + ". The Alignment page draws it.")
    else:
        (name, (res, x)), = found.items()
        caption(box, f"{name}, layer {x}: cross-lingual probe accuracy **{pct(res.mean_cross(x))}**, "
                f"in-language {pct(res.mean_diag(x))}.", "The comparison appears when both checkpoints exist.")


def transfer_panels(experiments: list[str], width: int) -> tuple[dict, object]:
    """Side-by-side transfer curves (legal-move accuracy) of these experiments' transfer runs."""
    runs = {}
    cols = st.columns(len(experiments), gap="medium")
    for col, name in zip(cols, experiments):
        with col:
            run = need_transfer(name)
            if run is not None:
                runs[name] = run
    if not runs:
        return {}, None
    df, errors = tv.transfer_frames([r["path"] for r in runs.values()])
    for e in errors:
        st.error(e)
    if df.empty:
        return {}, None
    domain = tv.transfer_domain(df, "legal_move_accuracy")
    for col, name in zip(cols, experiments):
        d = df[df["experiment"] == name] if name in runs else df.iloc[0:0]
        if d.empty:
            continue
        chart, data = tv.transfer_chart(d, "legal_move_accuracy", width=width, height=200, domain=domain)
        widgets.show(chart, data, f"transfer-{name}", container=col)
    summary = transfer_summary(df)
    return {row["run"]: row for _, row in summary.iterrows()}, df


def finding_3() -> None:
    box = heading(3)
    rows, _ = transfer_panels(["naive-2", "anchors-8"], width=340)
    if not rows:
        return
    parts = [f"{name} **{pts(r['fine-tuned gain'])}** for {r['fine-tuned']}, "
             f"**{pts(r['others gain'])}** for the other language" for name, r in rows.items()]
    line1 = "Fine-tuning one language: " + "; ".join(parts) + "."
    r_a, r_n = rows.get("anchors-8"), rows.get("naive-2")
    if (r_a is not None and r_n is not None and r_a["alignment before"] > r_n["alignment before"] + 0.02
            and np.isfinite(r_a["transfer ratio"]) and r_a["transfer ratio"] < 0.3):
        line2 = (f"anchors-8 starts better aligned (a probe from {r_a['fine-tuned']} reads the other language at "
                 f"{pct(r_a['alignment before'])} vs {pct(r_n['alignment before'])}), yet the other language "
                 "does not follow: alignment alone is not enough.")
    else:
        line2 = "Transfer ratio (others' gain / fine-tuned gain): " + ", ".join(
            f"{name} {_ratio(r)}" for name, r in rows.items()) + "."
    caption(box, line1, line2)


def _ratio(r) -> str:
    v = r["transfer ratio"]
    return "n/a (the fine-tuned language did not improve)" if not np.isfinite(v) else f"{v:.2f}"


def finding_4() -> None:
    box = heading(4)
    left, right = st.columns([1, 1.25], gap="large")
    res = x = None
    with left:
        ck = need("unified-mixed")
        res = alignment(ck) if ck else None
        if res is not None:
            x = alv.best_layer(res)
            chart, data = alv.alignment_heatmap(res, x, "unified-mixed: probe on A, read on B",
                                               size=max(220, 68 * len(res.languages)))
            widgets.show(chart, data, "finding4-unified-mixed-heatmap")
    with right:
        run = need_transfer("unified-mixed")
        row = None
        if run is not None:
            df, errors = tv.transfer_frames([run["path"]])
            for e in errors:
                st.error(e)
            if not df.empty:
                chart, data = tv.transfer_chart(df, "legal_move_accuracy", width=380, height=210)
                widgets.show(chart, data, "finding4-unified-mixed-transfer")
                row = transfer_summary(df).iloc[0]
    lines = []
    if res is not None:
        langs = len(res.languages)
        lines.append(f"Across its {langs} input languages (atomic, split, compositional), a probe trained on one "
                     f"reads the others at **{pct(res.mean_cross(x))}** at layer {x} (in-language "
                     f"{pct(res.mean_diag(x))}).")
    if row is not None:
        naive = tv.find_transfer_run("naive-2")
        extra = ""
        if naive is not None:
            nd, _ = tv.transfer_frames([naive["path"]])
            if not nd.empty:
                extra = f", against {_ratio(transfer_summary(nd).iloc[0])} for naive-2"
        each = " · ".join(f"{lang} {pts(b1 - b0)}" for lang, (b0, b1) in
                          per_language_transfer(df, row["fine-tuned"]).items())
        lines.append(f"Fine-tuning {row['fine-tuned']} ({pts(row['fine-tuned gain'])}) moves the other languages "
                     f"by **{pts(row['others gain'])}** on average ({each}): transfer ratio {_ratio(row)}{extra}.")
        restored = tv.restored_of(run["name"])
        if restored is not None:
            lines += [f"Where that loss sits: {line}" for line in tv.restored_lines(restored, row["fine-tuned"])]
        plain = per_language_transfer(df, row["fine-tuned"])
        for v in tv.shipped_variants(run["experiment"]):
            vd, _ = tv.transfer_frames([v["path"]])
            if vd.empty:
                continue
            each = " · ".join(f"{lang} {pct(b1)} (study's: {pct(plain[lang][1])})" for lang, (_, b1) in
                              per_language_transfer(vd, row["fine-tuned"]).items() if lang in plain)
            lines.append(f"Tried beside it, not the study's protocol: the same fine-tuning with {v['variant']} "
                         f"ends at {each}.")
        for v in tv.shipped_longer(run):
            vd, _ = tv.transfer_frames([v["path"]])
            if vd.empty:
                continue
            vr = transfer_summary(vd).iloc[0]
            each = " · ".join(f"{lang} {pts(b1 - b0)}" for lang, (b0, b1) in
                              per_language_transfer(vd, vr["fine-tuned"]).items())
            steps = load_transfer_run(run["path"])[1].pretrain_steps
            lines.append(f"The same protocol, {v['scale']} instead of {steps:,}: fine-tuning {vr['fine-tuned']} "
                         f"({pts(vr['fine-tuned gain'])}) moves the others by {pts(vr['others gain'])} ({each}): "
                         f"transfer ratio {_ratio(vr)}.")
    if lines:
        caption(box, *lines)


def board_slide() -> None:
    """Behind the findings: how well a probe reads the board off each shipped model (occupancy and colour, at
    the layer FINDINGS.md compares), against a reader that tracks no flip, and where along a game the colour
    goes. Stored numbers only (widgets.findings_numbers)."""
    st.markdown("### Behind every finding: do the models read the board?")
    st.markdown(":gray[Every finding rests on a probe reading the board off the hidden states: whether a square is "
                "empty and, if not, whose disc it is (mine or theirs: the colour, which every flip changes). The "
                "alignment is only as telling as that reading.]")
    box = st.container()
    numbers = widgets.findings_numbers()
    if numbers is None:
        st.error("A suite checkpoint cannot be read, so this slide has no numbers: Home names it.")
        return
    models = [m for m in numbers["models"].values()
              if m.get("colour_in_language") is not None and m.get("in_language") is not None]
    if not models:
        widgets.unavailable("The suite models' probe numbers", shows="how well a probe reads the board off each "
                            "model, and where along a game the colour goes.")
        return
    placer = numbers.get("placer") or {}
    left, right = st.columns([1, 1.25], gap="large")
    with left:
        rows = [{"model": m["name"], "best layer": f"{m['layer']}", "board, all squares":
                 pct(m["in_language"]), "colour (occupied squares)": pct(m["colour_in_language"])} for m in models]
        if placer:
            rows.append({"model": "no flip tracked", "best layer": "—", "board, all squares": pct(placer["accuracy"]),
                         "colour (occupied squares)": pct(placer["colour"])})
        st.table(pd.DataFrame(rows).set_index("model"))
        st.caption("In-language linear probe, mine / theirs labels, at the layer where each model's colour probe "
                   f"is best (of {max(m['n_layer'] for m in models)}). *No flip tracked*: the board read off the move "
                   "list, every disc its placer's colour.")
    with right:
        along = findings.colour_by_move_frame(numbers)
        if len(along):
            title = alt.Title("Where along a game the colour is lost", anchor="start",
                              subtitle="each model's in-language probe at its best layer")
            chart = charts.colour_along_game_chart(along, theme.EXPERIMENT_COLOURS, title,
                                                   width=int(380 * widgets.scale()),
                                                   height=int(230 * widgets.scale()), font_scale=widgets.scale(),
                                                   legend_columns=3)
            widgets.show(chart, along, "board-colour-by-move")
    colours = [m["colour_in_language"] for m in models]
    lines = [f"A probe reads whose disc is on a square at **{pct(min(colours))}-{pct(max(colours))}**"
             + (f", above the {pct(placer['colour'])} of tracking no flip: the models follow flips, not all of them"
                if placer else "") + "."]
    first = [m["colour_by_move"]["colour"] for m in models if m.get("colour_by_move")]
    if first:
        lines.append(f"Best in the opening ({pct(min(c[0] for c in first))}-{pct(max(c[0] for c in first))} in "
                     f"moves 1-10), worst at the end ({pct(min(c[-1] for c in first))}-"
                     f"{pct(max(c[-1] for c in first))} in the last ten): the flips pile up.")
    if max(colours) < findings.COLOUR_TARGET:
        top = findings.highest(numbers)
        lines.append(f"Below the {findings.TARGET} our suite aims at, so every cross-lingual number here is about a "
                     "partial board" + (f"; the trials on what lifts it (FINDINGS.md, *the trials at a glance*) "
                                        f"reached at most {pct(top[0])}" if top else "") + ".")
    caption(box, *lines)


[setup_slide, finding_1, finding_2, finding_3, finding_4, board_slide][slide]()
