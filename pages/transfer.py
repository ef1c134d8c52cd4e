"""Transfer: fine-tune one language, watch every language (the study's transfer experiment), and
alignment along an ordinary training run."""

import streamlit as st

from mothello.transfer import stored_alignment_over_training, transfer_summary
from mothello.ui import alignment_views as alv, transfer_views as tv, widgets
from mothello.ui.text import pct

present = widgets.page_header(
    "Transfer", "Pretrain on games opening c4 c3 c2 in every language, fine-tune ONE language on the full game "
    "distribution, and measure every language at each snapshot: transfer means the others improve too.")
runs = tv.transfer_runs()
ready = [r for r in runs if r["has_table"]]
pending = [r for r in runs if not r["has_table"]]

# -- transfer curves -----------------------------------------------------------------------------
if not ready:
    with st.container(border=True):
        st.markdown("#### :material/trending_up: No transfer run yet")
        st.markdown("A transfer run pretrains a model on a restricted opening in all languages, then fine-tunes "
                    "it on one language and measures legal-move accuracy of every language along the way. "
                    "Make one in either of two ways:")
        st.markdown("**From the command line** (minutes on a CPU with the tiny preset):")
        st.code(tv.TRANSFER_CLI, language="bash")
        st.caption(f"The study's settings for every reference config: `{widgets.MAKE_SUITE}` "
                   "(writes checkpoints/transfer-<config>/).")
        a, b = st.columns([3, 1], vertical_alignment="center")
        a.markdown("**Or on the Train page**: pick an experiment, choose *Transfer experiment*, and launch. "
                   "The run appears here as soon as its first measurements are written.")
        widgets.page_link("pages/train.py", "Open the Train page", icon=":material/model_training:", container=b)
else:
    names = [r["name"] for r in ready]
    by_name = {r["name"]: r for r in ready}
    shipped = [n for n in names if n.startswith("checkpoints/") and not by_name[n]["variant"]
               and not by_name[n]["scale"]]

    def run_label(n: str) -> str:  # shipped runs by what they are; others also by their folder
        r = by_name[n]
        return (r["experiment"] + "".join(f" · {r[k]}" for k in ("scale", "variant") if r[k])
                + ("" if n.startswith("checkpoints/") else f" · {n}"))

    chosen = widgets.url_multiselect("Transfer runs", names, key="runs", default=shipped or names[-1:],
                                     container=st.sidebar, format_func=run_label,
                                     help="overlay several settings: naive, anchors, unified; a run marked "
                                          "'frozen' is a fine-tuning variant, not the study's protocol; one "
                                          "marked 'pretrained N steps' is the protocol with another pretraining length")
    view = widgets.url_select("Compare runs", ["run", "experiment"], key="view", container=st.sidebar,
                              format_func={"run": "side by side (colour = language)",
                                           "experiment": "overlaid (colour = experiment)"}.get)
    if not chosen:
        st.info("Pick one or more transfer runs in the sidebar.")
    else:
        df, errors = tv.transfer_frames([by_name[n]["path"] for n in chosen])
        for e in errors:
            st.error(e)
        variants = [run_label(n) for n in chosen if by_name[n]["variant"]]
        if variants:
            st.caption(":material/science: " + "; ".join(variants) + (": a fine-tuning variant" if len(variants) == 1
                       else ": fine-tuning variants") + ", not the study's protocol. The named parts keep their "
                       "pretrained weights while the rest is fine-tuned, from the same pretrained model.")
        longer = [run_label(n) for n in chosen if by_name[n]["scale"] and not by_name[n]["variant"]]
        if longer:
            st.caption(":material/schedule: " + "; ".join(longer) + ": the study's protocol, pretrained for another "
                       "number of steps than the shipped run of the same experiment (same restricted opening).")
        if not df.empty:
            summary = transfer_summary(df)
            state_of = {r["name"]: r["state"] for r in ready}
            labels = list(dict.fromkeys(df["label"]))
            if view == "experiment":
                for metric in ("legal_move_accuracy", "alignment"):
                    chart, data = tv.transfer_chart(df, metric, by="experiment", width=720, height=280)
                    if chart is not None:
                        widgets.show(chart, data, f"transfer-{metric}-overlay")
                cols = st.columns(min(3, len(labels)))
                for i, (_, row) in enumerate(summary.iterrows()):
                    with cols[i % len(cols)].container(border=True):
                        tv.transfer_cards(row, state=state_of.get(row["path"]))
            elif len(labels) == 1:
                with st.container(border=True):
                    tv.transfer_cards(summary.iloc[0], state=state_of.get(summary.iloc[0]["path"]))
                    cols = st.columns(2, gap="medium")
                    for col, metric in zip(cols, ("legal_move_accuracy", "alignment")):
                        chart, data = tv.transfer_chart(df, metric, by="run", width=360, height=250)
                        if chart is None:
                            col.caption(f"No {metric.replace('_', ' ')} measurements in this run")
                            continue
                        widgets.show(chart, data, f"transfer-{metric}-{labels[0]}", container=col)
            else:
                domains = {m: tv.transfer_domain(df, m) for m in ("legal_move_accuracy", "alignment")}
                per_row = 2
                for start in range(0, len(labels), per_row):
                    cols = st.columns(per_row, gap="medium")
                    for col, label in zip(cols, labels[start:start + per_row]):
                        d = df[df["label"] == label]
                        with col.container(border=True):
                            row = summary[summary["run"] == label]
                            if len(row):   # its notes under the charts, so that the charts of a row start level
                                tv.transfer_cards(row.iloc[0], state=state_of.get(row.iloc[0]["path"]), notes=False)
                            for metric in ("legal_move_accuracy", "alignment"):
                                chart, data = tv.transfer_chart(d, metric, by="run", width=320, height=220,
                                                                domain=domains[metric])
                                if chart is None:
                                    st.caption(f"{label}: no {metric.replace('_', ' ')} measurements in this run")
                                    continue
                                widgets.show(chart, data, f"transfer-{metric}-{label}")
                            if len(row):
                                tv.transfer_notes(row.iloc[0])
            restored = [(label, tv.restored_of(summary[summary["run"] == label].iloc[0]["path"]))
                        for label in summary["run"]]
            restored = [(label, r) for label, r in restored if r is not None]
            if restored:
                st.markdown("##### :material/restore: Where in the weights does fine-tuning's effect sit?")
                if not present:
                    st.caption("The final fine-tuned model with ONE part of its weights put back to the pretrained "
                               "model's, every language measured again on the run's evaluation games. A part whose "
                               "restoring brings a language back up carries that language's loss; one that costs "
                               "the fine-tuned language its gain carries the gain. This says where a change sits once "
                               "fine-tuning is done, not what causes it: fine-tuning with that part frozen (a variant, "
                               "`--freeze`) can move the loss elsewhere.")
                for label, r in restored:
                    ft = summary[summary["run"] == label].iloc[0]["fine-tuned"]
                    left, right = st.columns([3, 2], gap="medium", vertical_alignment="center")
                    chart, data = tv.restored_chart(r, ft, title=label)
                    widgets.show(chart, data, f"transfer-restored-{label}", container=left)
                    for line in tv.restored_lines(r, ft):
                        right.markdown(line)
            if not present:
                with st.expander("Numbers", icon=":material/table:"):
                    show_cols = ["run", "fine-tuned", "fine-tuning steps", "fine-tuned before", "fine-tuned after",
                                 "others before", "others after", "alignment before", "alignment after",
                                 "transfer ratio", "path"]
                    fmt = {c: st.column_config.NumberColumn(c, format="percent") for c in show_cols[3:9]}
                    st.dataframe(summary[show_cols], hide_index=True, column_config={
                        **fmt, "transfer ratio": st.column_config.NumberColumn(
                            "transfer ratio", format="%.2f",
                            help="others' gain / fine-tuned language's gain (1 = full transfer, 0 = none)")})
if pending and not present:
    st.caption(":material/pending: Still running, no measurements yet: " + ", ".join(
        f"{r['name']} ({r['state']})" for r in pending) + " — watch them on the Train page.")

# -- alignment over training ---------------------------------------------------------------------
st.divider()
st.subheader("Alignment over training")
if not present:
    st.caption("For an ordinary training run with snapshots: board probes trained on one language and applied "
               "to the others, at every snapshot. Does the shared representation appear early, late, or never?")
infos = [i for i in widgets.checkpoint_infos() if i.snapshots and not i.error]
if not infos:
    st.info("No checkpoint with snapshots yet. Every run trained on the Train page keeps snapshots along "
            "training (at 5, 10, 25, 50 and 100 % of its steps); the shipped ones come with "
            f"`{widgets.MAKE_SUITE}`.", icon=":material/photo_library:")
else:
    by_name = {i.name: i for i in infos}
    st.sidebar.divider()
    name = widgets.url_select("Checkpoint with snapshots", list(by_name), key="aot", container=st.sidebar,
                              format_func=lambda n: f"{n}  ·  {len(by_name[n].snapshots)} snapshots")
    info = by_name[name]
    layer = widgets.url_slider("Probe layer (0 = embeddings)", 0, info.n_layer, key="aot_layer",
                               default=info.n_layer, container=st.sidebar)
    n_train = int(widgets.url_select("Probe training games", [200, 500, 1000], key="aot_games", default=500,
                                     container=st.sidebar))
    colour_only = widgets.url_select("Probe accuracy on", ["all", "colour"], key="aot_on", container=st.sidebar,
                                     format_func={"all": "all squares",
                                                  "colour": "occupied squares' colour only"}.get) == "colour"
    memo = f"aot:{info.path}:{layer}:{n_train}"
    df = stored_alignment_over_training(info.path, layer, n_train)
    if df is None:
        df = st.session_state.get(memo)
    if df is None:
        n_points = len(info.snapshots) + (0 if info.snapshots and info.snapshots[-1] == info.step else 1)
        prompt = st.empty()
        with prompt.container(border=True):
            st.markdown(f"Not computed yet for **{name}** at layer {layer} with {n_train} probe games: "
                        f"{n_points} points along training, each with a probe per language.")
            go = st.button("Compute alignment over training", type="primary", icon=":material/play_arrow:")
        if go:
            try:
                df, where = alv.compute_alignment_over_training(info.path, layer, n_train)
                st.session_state[memo] = df
                prompt.caption(f":material/save: Stored in {where}" if where else
                               "Computed (the checkpoint folder is read-only, so it was not stored).")
            except Exception as e:  # noqa: BLE001 - a broken snapshot must not take the page down
                prompt.error(f"Could not compute alignment over training for {name}: {e}")
    if df is not None and len(df):
        chart, data = alv.alignment_over_training_chart(df, colour_only=colour_only, width=660,
                                                       stages=alv.stage_starts(info.path))
        widgets.show(chart, data, f"alignment-over-training-{info.path.name}-L{layer}")
        piv = df.pivot_table(index="step", columns="metric", values="value").sort_index()
        cross = "colour_cross" if colour_only else "cross_lingual"
        diag = "colour_in" if colour_only else "in_language"
        if cross in piv and diag in piv:
            first, last = piv.index[0], piv.index[-1]
            rotated = pct(piv["aligned_rotation"].iloc[-1]) if "aligned_rotation" in piv else "n/a"
            st.markdown(f"From step {first:,} to step {last:,}, the in-language probe goes from "
                        f"**{pct(piv[diag].iloc[0])}** to **{pct(piv[diag].iloc[-1])}** and the cross-lingual "
                        f"probe from **{pct(piv[cross].iloc[0])}** to **{pct(piv[cross].iloc[-1])}** "
                        f"(after a rotation: {rotated}).")
