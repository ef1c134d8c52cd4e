"""Alignment: is the board representation shared across languages? Cross-lingual probe matrices per
layer (direct and up to a rotation), their course across layers with baselines, hidden-state
similarity of parallel games, input-embedding similarity, and two checkpoints side by side."""

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from mothello import probes
from mothello.sweep import at_layer as sweep_at_layer
from mothello.sweep import when as sweep_when
from mothello.ui import analysis_views as av
from mothello.ui import charts, widgets

KIND, LABELS = "linear", "relative"

present = widgets.page_header(
    "Alignment",
    "A probe trained on language A reads the hidden states of the same games written in language B. "
    "High off-diagonal accuracy means a shared, language-neutral board representation; the rotated "
    "matrix asks whether the languages are the same up to an orthogonal rotation.")
ck = av.require_checkpoint()
s = widgets.scale()
n_train = av.alignment_games()

try:
    res = av.alignment_result(ck, KIND, LABELS, n_train)
except (ValueError, RuntimeError, OSError) as e:
    st.error(f"The alignment of {ck.name} could not be computed: {e}", icon=":material/error:")
    st.stop()

langs = res.languages
c_layer, c_metric = st.columns([3, 2], vertical_alignment="bottom")
with c_layer:
    # opens at the compared layer: where the model's own in-language colour probe is best (FINDINGS.md's rule)
    layer = widgets.layer_slider(ck, default=res.best_layer())
layer = min(max(layer, res.layers[0]), res.layers[-1])
metric = widgets.url_radio("Score", ["overall", "colour"], "metric", default="overall", container=c_metric,
                      format_func=lambda m: {"overall": "all squares", "colour": "colour on occupied squares"}[m],
                      help="Occupancy (empty or not) is easy to read from any language's states; whether a "
                           "disc is mine or theirs is the hard part. The colour score ignores empty squares.")
colour = metric == "colour"
key = "colour" if colour else "accuracy"
direct = (res.colour_matrix if colour else res.matrix)[layer]
rotated = (res.aligned_colour_matrix if colour else res.aligned_matrix)[layer]
maj = res.baseline_majority[key]
rnd = res.baseline_random_model[layer][key]
what = "colour accuracy on occupied squares" if colour else "accuracy over all squares"
def heatmap_size(n_languages: int) -> int:
    return int((190 + 14 * n_languages) * min(s, 1.25))


hm_size = heatmap_size(len(langs))


def matrix_chart(m, title, subtitle, name, container):
    df = charts.matrix_frame(m, langs)
    fig = charts.finish(charts.heatmap(df, title=title, subtitle=subtitle, size=hm_size), s)
    container.altair_chart(fig, width="content")
    widgets.export_buttons(fig, df, name, container=container)


# -- the matrices at one layer ----------------------------------------------------------------------
st.subheader(f"Layer {layer}: who can read whom", divider="gray")
side = len(langs) <= 2  # two small matrices leave room for the numbers beside them
if side:
    c1, c2, c3 = st.columns([1.12, 1.12, 0.76])
else:  # more languages (longer labels): two matrices side by side, the numbers in a row beneath them
    c1, c2 = st.columns(2)
    c3 = st.container()
matrix_chart(direct, f"Direct · layer {layer}", f"{KIND} probe, {LABELS} labels, {what}",
             f"alignment-direct-{metric}-L{layer}", c1)
if len(langs) > 1:
    matrix_chart(rotated, f"Aligned up to rotation · layer {layer}",
                 f"B's states rotated onto A's (Procrustes, {res.settings.get('n_fit', 300)} other games)",
                 f"alignment-rotated-{metric}-L{layer}", c2)
else:
    c2.info("One input language: there is nothing to align.")
off = ~np.eye(len(langs), dtype=bool)
with c3:
    cells = [st] * 3 if side else st.columns(3)
    cells[0].metric("In-language (diagonal)", f"{np.diag(direct).mean():.1%}")
    if off.any():
        cells[1].metric("Cross-lingual, direct", f"{direct[off].mean():.1%}",
                        delta=f"{100 * (direct[off].mean() - np.diag(direct).mean()):+.1f} pp vs in-language")
        cells[2].metric("Cross-lingual, after rotation", f"{rotated[off].mean():.1%}",
                        delta=f"{100 * (rotated[off].mean() - direct[off].mean()):+.1f} pp vs direct")
    placer = probes.placer_baseline(res.settings.get("n_test", 200), res.labels)[key]
    st.markdown(f"**Baselines** · per-square majority guess **{maj:.1%}** · the same probe on a randomly "
                f"initialised model **{rnd:.1%}** · every disc the colour of who placed it **{placer:.1%}**",
                help="The last: the board read off the move list without tracking a single flip (occupancy "
                     "exact). A colour score above it shows the model tracks flips.")
    if not present:
        st.caption(f"Probes trained on {res.settings.get('n_train', n_train):,} games per language, scored on "
                   f"{res.settings.get('n_test', 200)} other games read in each language.")

# -- across layers -----------------------------------------------------------------------------------
st.subheader("Across layers", divider="gray")
curves = av.alignment_curves(res, colour)
c_fig, c_txt = st.columns([3, 1])
fig = charts.finish(av.curves_chart(curves, maj, layer, f"Mean probe {what} by layer", "container", int(280 * s)), s,
                    charts.FIT_X)
c_fig.altair_chart(fig, width="stretch")
widgets.export_buttons(fig, curves, f"alignment-by-layer-{metric}", container=c_fig)
if not present:
    c_txt.caption("**In-language**: the diagonal (probe and states from the same language). **Cross-lingual**: "
                  "the off-diagonal mean. **After rotation**: the same after an orthogonal map between the "
                  "languages' states; a large gap between the two means the languages encode the board the same "
                  "way but in rotated coordinates. Grey: a probe on an untrained model; dashed: per-square "
                  "majority guess.")

# -- the anchor sweep (finding 2): shown with the two-language atomic models it is made of -------------
sweep = av.anchor_sweep()
cfg = ck.config
wide = None
if sweep is not None and not cfg.unified_output and len(langs) == 2 and all(
        x.type == "atomic" for x in cfg.languages):
    table, info = sweep
    st.subheader("Anchor sweep: how many shared tokens does alignment need?", divider="gray")
    sweep_layers = sorted(x for x in set(table["layer"]) if x >= 0)
    if layer not in sweep_layers:
        st.caption(f"The anchor sweep's models have layers {sweep_layers[0]} to {sweep_layers[-1]}; pick one of them "
                   "to see it.")
    else:
        wide = sweep_at_layer(table, layer, colour)
if wide is not None:
    c_fig, c_txt = st.columns([3, 1])
    mine = len({q for a in cfg.anchors for q in a.squares})  # this checkpoint's place in the sweep, if it has one
    fig, curves = av.sweep_chart(wide, f"Mean probe {what} at layer {layer}, against anchor squares", "container",
                                 int(280 * s), mark=mine if mine in set(wide["anchors"]) else None)
    fig = charts.finish(fig, s, charts.FIT_X)
    c_fig.altair_chart(fig, width="stretch")
    widgets.export_buttons(fig, wide, f"anchor-sweep-{metric}-L{layer}", container=c_fig)
    at = {int(r["anchors"]): r for r in wide.to_dict("records")}
    lo, hi = min(at), max(at)
    c_txt.metric(f"Cross-lingual, {lo} → {hi} anchors", f"{at[hi]['cross-lingual']:.1%}",
                 delta=f"{100 * (at[hi]['cross-lingual'] - at[lo]['cross-lingual']):+.1f} pp vs {at[lo]['cross-lingual']:.1%}")
    if not present:
        c_txt.caption(
            f"{len(at)} models of two atomic languages that differ only in how many squares' tokens they share "
            f"(nested sets; 8 = the study's reference squares), trained with the same games, seed and schedule "
            f"and compared {sweep_when(info)}. Probes on "
            f"{info['n_train']:,} games per language; the rotation and baselines as above.")
        st.caption("Legal moves at that step: " + " · ".join(
            f"{k} anchors {r['legal moves']:.1%}" for k, r in at.items()) + ".")

# -- parallel games ----------------------------------------------------------------------------------
st.subheader("The same game in two languages", divider="gray")
if len(langs) < 2:
    st.info("One input language: there are no parallel games to compare.")
else:
    n_par = av.projection_games()
    pc1, pc2, pc3 = st.columns(3)
    la = widgets.url_select("Language A", langs, "pa", default=langs[0], container=pc1)
    others = [x for x in langs if x != la]
    lb = widgets.url_select("Language B", others, "pb", default=others[0], container=pc2)
    pgame, problem = widgets.url_int("Game", "pgame", 0, 0, n_par - 1, container=pc3,
                                help=f"One of {n_par} held-out games; the means below cover all of them.")
    if problem:
        st.warning(problem, icon=":material/warning:")
    par = av.parallel_similarities(ck, str(ck.path), av.sha(ck), la, lb, pgame, n_par)
    p = par[layer]
    df = av.parallel_frame(p["matrix"], la, lb)
    c_hm, c_line = st.columns([1.15, 1])
    hm = charts.finish(av.similarity_heatmap(
        df, la, lb, f"Cosine similarity of hidden states · layer {layer}",
        f"held-out game {pgame} · mean over {n_par} games: same move {p['matched']:.2f}, different moves "
        f"{p['unmatched']:.2f}",
        int(330 * s)), s)
    c_hm.altair_chart(hm, width="content")
    widgets.export_buttons(hm, df, f"parallel-similarity-{la}-{lb}-L{layer}-game{pgame}", container=c_hm)
    sim = pd.DataFrame([{"layer": x, "moves": k, "cosine": par[x][stat]} for x in sorted(par)
                        for k, stat in (("same move (diagonal)", "matched"), ("different moves", "unmatched"))])
    sim_scale = alt.Scale(domain=["same move (diagonal)", "different moves"], range=["#e45756", "#9d9d9d"])
    line = charts.line_chart(sim, "layer", "cosine", "moves", title=f"Mean cosine, {la} vs {lb}, by layer",
                             y_title="cosine similarity", width="container", height=int(250 * s), y_format=".2f",
                             colour_scale=sim_scale)
    line = av.layer_axis(line).encode(color=alt.Color("moves:N", title=None, legend=av.BOTTOM_LEGEND, scale=sim_scale))
    line = alt.layer(line, alt.Chart(pd.DataFrame({"layer": [layer]})).mark_rule(
        color="#bbb", strokeWidth=8, opacity=0.35).encode(x="layer:Q"))
    line = charts.finish(line, s, charts.FIT_X)
    c_line.altair_chart(line, width="stretch")
    widgets.export_buttons(line, sim, f"parallel-similarity-by-layer-{la}-{lb}", container=c_line)
    if not present:
        c_line.caption("A bright diagonal means the model puts the same move of the same game in the same place "
                       "whichever language it reads; a uniform square means it does not.")

# -- input embeddings --------------------------------------------------------------------------------
st.subheader("Input embeddings", divider="gray")
emb = av.embedding_table(ck, str(ck.path), av.sha(ck))
if emb.empty:
    st.info("One input language: there are no embedding pairs to compare.")
else:
    pairs = list(dict.fromkeys(emb["pair"]))
    if len(pairs) > 12:
        emb = emb.groupby("moves", as_index=False)["cosine"].mean().assign(pair="all pairs (mean)")
        pairs = ["all pairs (mean)"]
    c_emb, c_emb_txt = st.columns([2, 1])
    base = alt.Chart(emb).encode(
        y=alt.Y("pair:N", sort=pairs, title=None, axis=alt.Axis(labelLimit=300)),
        yOffset=alt.YOffset("moves:N", sort=["same move", "different moves"]),
        x=alt.X("cosine:Q", title="mean cosine similarity of input embeddings"),
        tooltip=["pair", "moves", alt.Tooltip("cosine:Q", format=".3f")])
    bars = base.mark_bar().encode(
        color=alt.Color("moves:N", scale=alt.Scale(domain=["same move", "different moves"],
                                                   range=["#e45756", "#9d9d9d"]), title=None,
                        legend=av.BOTTOM_LEGEND))
    values = base.mark_text(align="left", dx=4, fontSize=12 * s).encode(text=alt.Text("cosine:Q", format=".3f"))
    bars = alt.layer(bars, values).properties(
        width=int(480 * s), height=int(max(70, 46 * len(pairs)) * s),
        title=alt.Title("Same move in two languages vs different moves", anchor="start"))
    bars = charts.finish(bars, s)
    c_emb.altair_chart(bars, width="content")
    widgets.export_buttons(bars, emb, "embedding-similarity", container=c_emb)
    if not present:
        c_emb_txt.caption("Each move's input embedding (mean over its tokens) compared across languages. Anchor "
                          "tokens are shared, so anchored moves score 1; otherwise the embeddings start unrelated "
                          "and any alignment has to be built by the layers above.")

# -- two checkpoints -----------------------------------------------------------------------------------
st.subheader("Two checkpoints side by side", divider="gray")
if widgets.url_toggle("Compare with a second checkpoint", "cmp", default=False):
    others = [i for i in widgets.checkpoint_infos() if i.name != ck.name]
    if not others:
        st.info("There is only one checkpoint: train another (e.g. anchors-8 or unified-mixed) to compare.")
    else:
        pick, _ = st.columns(2)
        cc1, cc2 = st.columns(2)
        readable = [i.name for i in others if not i.error]
        ck2 = widgets.checkpoint_picker("Second checkpoint", key="ckpt2", container=pick, exclude=[ck.name],
                                        default=readable[0] if readable else None)
        if ck2 is not None:
            try:
                res2 = av.alignment_result(ck2, KIND, LABELS, n_train, container=cc2)
            except (ValueError, RuntimeError, OSError) as e:
                cc2.error(f"The alignment of {ck2.name} could not be computed: {e}", icon=":material/error:")
                res2 = None
            if res2 is not None:
                layer2 = min(layer, res2.layers[-1])
                note = "" if layer2 == layer else f" (it has {res2.layers[-1]} layers)"
                matrix_chart(direct, f"{ck.name.split('/')[-1]} · layer {layer}", what,
                             f"alignment-{ck.name.replace('/', '-')}-L{layer}", cc1)
                m2 = (res2.colour_matrix if colour else res2.matrix)[layer2]
                hm2 = charts.finish(charts.heatmap(charts.matrix_frame(m2, res2.languages),
                                                   title=f"{ck2.name.split('/')[-1]} · layer {layer2}{note}",
                                                   subtitle=what, size=heatmap_size(len(res2.languages))), s)
                cc2.altair_chart(hm2, width="content")
                widgets.export_buttons(hm2, charts.matrix_frame(m2, res2.languages),
                                       f"alignment-{ck2.name.replace('/', '-')}-L{layer2}", container=cc2)
                for col, r, x in ((cc1, res, layer), (cc2, res2, layer2)):
                    col.caption(f"Baselines · per-square majority {r.baseline_majority[key]:.1%} · random-model "
                                f"probe {r.baseline_random_model[x][key]:.1%}")
                both = pd.concat([
                    av.alignment_curves(r, colour).assign(checkpoint=name)
                    for r, name in ((res, ck.name), (res2, ck2.name))], ignore_index=True)
                both = both[both["series"].isin(["in-language", "cross-lingual"])]
                cmp_fig = charts.finish(av.curves_chart(
                    both, maj, layer, f"In-language (solid) vs cross-lingual (dashed) {what}", int(700 * s),
                    int(280 * s), colour_field="checkpoint",
                    colour_scale=alt.Scale(domain=[ck.name, ck2.name], range=["#4c78a8", "#f58518"]),
                    dash_field="series", dash_domain=["in-language", "cross-lingual"]), s)
                st.altair_chart(cmp_fig, width="content")
                widgets.export_buttons(cmp_fig, both, "alignment-compare")
elif not present:
    st.caption("Turn on to put a second checkpoint's matrices beside this one (e.g. naive vs anchors vs unified).")
