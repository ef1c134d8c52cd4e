"""Train: build an experiment (or take a reference config), launch a training run or the transfer
experiment in the background, and watch every run live. The page only reads run directories."""

import re
from pathlib import Path

import streamlit as st

from mothello import jobs
from mothello.checkpoints import ROOT, runs_dir
from mothello.languages import LANGUAGE_TYPES, ConfigError, ExperimentConfig, Vocabulary, load_config
from mothello.model import PRESETS, freeze_prefixes, model_parts, shape_label
from mothello.othello import square_name
from mothello.train import OBJECTIVES, PRESET_TRAINING, TrainConfig
from mothello.transfer import RESTRICTED_OPENING, TransferConfig, reusable_pretrainings
from mothello.ui import run_views as rv, transfer_views as tv, widgets

STUDY_ANCHORS = "a2, a3, a4, c1, f8, g1, g4, h3"
TYPE_HELP = {"atomic": "one token per move", "split": "1 to 3 tokens per move",
             "compositional": "a row token, then a column token"}
OBJECTIVE_LABELS = {"next-token": "next-token (the study's)", "legal-set": "legal-set: its exact expectation"}
OBJECTIVE_HELP = ("**next-token**, as the study trains: after every move, the move the game played next. **legal-set**: "
                  "after every move, the next move's exact distribution instead: the games are uniformly random, so "
                  "that is the uniform distribution over the legal moves. The same expected loss with less noise in "
                  "every step; not the study's procedure, so compare findings with next-token models.")
TRANSFER_PRETRAIN = {"tiny": 300, "small": 6000, "paper": 20000}
TRANSFER_GAMES = {"tiny": 2560, "small": 25_600, "paper": 102_400}

present = widgets.page_header(
    "Train", "Build an experiment, train it in the background (or run the transfer experiment), and watch "
    "every run live. Runs land in runs/ and appear in every checkpoint picker when they finish.")


def preset_label(p: str) -> str:
    return f"{p}: {shape_label(PRESETS[p])}"


def builder() -> dict:
    """The experiment builder's settings as a config dict (validated by the caller)."""
    a, b = st.columns([1, 1])
    n = a.number_input("Number of languages", 1, 12, 2, key="b_n")
    unified = b.toggle("Unified output space", key="b_unified",
                       help="Language 0 becomes the output space: the model reads languages 1.., and every "
                            "next-move target is written in language 0 (finding 4).")
    names = ["out" if unified and i == 0 else f"L{i}" for i in range(n)]
    cols = st.columns(4)
    types = [cols[i % 4].selectbox(names[i] + (" (output)" if unified and i == 0 else ""), LANGUAGE_TYPES,
                                   key=f"b_type_{i}",
                                   help=" · ".join(f"{k}: {v}" for k, v in TYPE_HELP.items()))
             for i in range(n)]
    c, d = st.columns([3, 1.1], vertical_alignment="bottom")
    d.button("Study's 8", key="b_study_anchors", on_click=lambda: st.session_state.update(b_anchors=STUDY_ANCHORS),
             help="squares 1, 2, 3, 16, 47, 48, 51, 58", width="stretch")
    text = c.text_input("Anchor squares, shared by all atomic input languages", key="b_anchors",
                        placeholder=f"none (e.g. {STUDY_ANCHORS})")
    e, f = st.columns([3, 1])
    name = e.text_input("Experiment name", "custom", key="b_name")
    seed = f.number_input("Seed", 0, 2**31 - 1, 42, key="b_seed")
    data = {"name": name.strip() or "custom", "seed": int(seed), "unified_output": bool(unified),
            "languages": [{"name": names[i], "type": types[i]} for i in range(n)]}
    squares = [s for s in re.split(r"[\s,;]+", text.strip()) if s]
    if squares:
        atomic = [i for i in range(1 if unified else 0, n) if types[i] == "atomic"]
        data["anchors"] = [{"squares": squares, "languages": atomic}]
    return data


def describe(exp: ExperimentConfig) -> None:
    vocab = Vocabulary.build(exp)
    langs = " · ".join(f"**{l.name}** {l.type}" + (" (output)" if exp.unified_output and i == 0 else "")
                       for i, l in enumerate(exp.languages))
    st.success(f"Valid: {len(exp.languages)} language{'s' * (len(exp.languages) > 1)}, vocabulary "
               f"{vocab.size} tokens, context {vocab.context_length} tokens.", icon=":material/check_circle:")
    st.markdown(langs)
    for g in exp.anchors:
        st.caption(f"Anchors: {', '.join(square_name(s) for s in g.squares)} shared by "
                   f"{', '.join(exp.languages[i].name for i in g.languages)}")
    if exp.description:
        st.caption(exp.description)


def experiment_section() -> ExperimentConfig | None:
    configs = sorted((ROOT / "configs").glob("*.toml"))
    source = st.selectbox("Start from", ["build"] + [str(p) for p in configs], key="exp_source",
                          format_func=lambda s: "Build your own" if s == "build" else f"configs/{Path(s).name}")
    try:
        if source == "build":
            exp = ExperimentConfig.from_dict(builder(), source="this experiment")
        else:
            exp = load_config(source)
            with st.expander(f"configs/{Path(source).name}", icon=":material/description:"):
                st.code(Path(source).read_text(), language="toml")
    except (ConfigError, OSError, ValueError) as e:
        st.error(f"**The validator rejects this experiment.** {e}", icon=":material/error:")
        return None
    describe(exp)
    return exp


def training_form() -> TrainConfig | None:
    preset = st.selectbox("Model size", list(PRESETS), index=1, key="t_preset", format_func=preset_label)
    base = PRESET_TRAINING.get(preset, {})
    a, b = st.columns(2)
    games = a.number_input("Training games (corpus)", 64, 50_000_000, int(base.get("games", 100_000)), step=1000,
                           key=f"t_games_{preset}")
    steps = b.number_input("Steps (0 = one epoch over the corpus)", 0, 10_000_000, 0, step=100, key="t_steps")
    objective = st.radio("Objective", OBJECTIVES, key="t_objective", horizontal=True, format_func=OBJECTIVE_LABELS.get,
                         help=OBJECTIVE_HELP)
    with st.expander("More settings", icon=":material/tune:"):
        c, d, e = st.columns(3)
        batch = c.number_input("Batch size", 1, 4096, int(base.get("batch_size", 64)), key=f"t_batch_{preset}")
        lr = d.number_input("Learning rate", 1e-6, 1.0, float(base.get("lr", 1.5e-3)), format="%.5f",
                            step=1e-4, key=f"t_lr_{preset}")
        seed = e.number_input("Seed", 0, 2**31 - 1, 0, key="t_seed")
        device = c.selectbox("Device", ["auto", "cpu", "cuda"], key="t_device",
                             help="auto: the GPU when there is one, else the CPU")
        shape = PRESETS[preset]
        f, g, h = st.columns(3)
        size = {"n_layer": f.number_input("Layers", 1, 64, shape["n_layer"], key=f"t_layers_{preset}"),
                "n_head": g.number_input("Heads", 1, 64, shape["n_head"], key=f"t_heads_{preset}"),
                "d_model": h.number_input("Width", 8, 4096, shape["d_model"], step=8, key=f"t_width_{preset}",
                                          help="a multiple of the heads")}
    kw = {k: v for k, v in base.items() if k != "games"}
    kw.update(preset=preset, games=int(games), steps=int(steps) or None, objective=objective, batch_size=int(batch),
              lr=float(lr), min_lr=float(lr) / 10, seed=int(seed), device=device)
    kw.update({k: int(v) for k, v in size.items() if int(v) != shape[k]})  # only what differs from the preset
    try:
        tc = TrainConfig(**kw)
    except (TypeError, ValueError) as e:
        st.error(f"**These training settings are rejected.** {e}", icon=":material/error:")
        return None
    epochs = f"{tc.total_steps * tc.batch_size / tc.games:.2g}"
    m = tc.model_shape()
    if m != shape:
        st.caption(f"Model: {shape_label(m)} (the {preset} preset's shape changed under More settings).")
    st.caption(f"{tc.total_steps:,} steps of {tc.batch_size} games ({epochs} epoch{'s' * (epochs != '1')} of "
               f"{tc.games:,} games); "
               f"evaluated every {tc.eval_every:,} steps on {tc.eval_games} held-out games; snapshots at "
               + ", ".join(f"{s:.0%}" for s in tc.snapshots) + " of training.")
    return tc


def transfer_form(exp: ExperimentConfig | None) -> TransferConfig | None:
    if exp is None:
        st.info("Fix the experiment first.")
        return None
    inputs = exp.input_languages
    if len(inputs) < 2:
        st.error("**The transfer experiment needs at least two input languages**: one to fine-tune, "
                 "others to watch.", icon=":material/error:")
        return None
    a, b = st.columns(2)
    ft = a.selectbox("Fine-tune language", inputs, index=1 if len(inputs) > 1 else 0, key="x_lang",
                     format_func=lambda i: exp.languages[i].name)
    preset = b.selectbox("Model size", list(PRESETS), index=1, key="x_preset", format_func=preset_label)
    c, d, e = st.columns(3)
    pre = c.number_input("Pretraining steps", 1, 10_000_000, TRANSFER_PRETRAIN[preset], step=100, key=f"x_pre_{preset}")
    games = d.number_input("Fine-tuning games", 1, 10_000_000, TRANSFER_GAMES[preset], step=1280,
                           key=f"x_games_{preset}", help="the study: 102,400")
    epochs = e.number_input("Fine-tuning epochs", 1, 100, 2, key="x_epochs", help="the study: 4")
    with st.expander("More settings", icon=":material/tune:"):
        f, g, h = st.columns(3)
        snaps = f.number_input("Snapshots per epoch", 1, 50, 5, key="x_snaps", help="the study: 5")
        eval_games = g.number_input("Evaluation games", 1, 10_000, 100, key="x_eval")
        probe_games = h.number_input("Probe games", 10, 10_000, 300, key="x_probe")
        seed = f.number_input("Seed", 0, 2**31 - 1, 0, key="x_seed")
        ft_lr = g.number_input("Fine-tuning learning rate", 1e-6, 1.0, TransferConfig.finetune_lr, format="%.1e",
                               key="x_ft_lr", help="peak of the fine-tuning schedule (warm-up, cosine to a tenth)")
    with st.expander("Variant: freeze parts while fine-tuning (not the study's protocol)", icon=":material/science:"):
        freeze = st.multiselect("Keep these parts at their pretrained weights", list(model_parts(
            PRESETS[preset]["n_layer"])), key=f"x_freeze_{preset}", placeholder="none: the study's protocol")
    try:
        tc = TransferConfig(finetune_language=int(ft), preset=preset, pretrain_steps=int(pre),
                            finetune_games=int(games), finetune_epochs=int(epochs), snapshots_per_epoch=int(snaps),
                            eval_games=int(eval_games), probe_games=int(probe_games), seed=int(seed),
                            finetune_lr=float(ft_lr), freeze=freeze or None)
        tc.pretrain_config()
        ft_tc = tc.finetune_config(Path("pretrain"))
        if tc.freeze:
            freeze_prefixes(tc.freeze, PRESETS[preset]["n_layer"])
    except (TypeError, ValueError) as e:
        st.error(f"**These transfer settings are rejected.** {e}", icon=":material/error:")
        return None
    reusable = reusable_pretrainings(exp, tc, [runs_dir()])
    st.session_state["x_reuse_options"] = reusable
    reuse = None
    if reusable:
        reuse = st.selectbox("Pretraining", [None, *reusable], key="x_pretrained",
                     format_func=lambda p: "pretrain anew" if p is None else f"reuse {p.parent.name}'s (finished, "
                                           "same settings): fine-tune only",
                     help="A finished transfer run of this experiment with these pretraining settings: copying "
                          "its pretrained model skips the pretraining, and the two runs compare like for like.")
    opening = ", ".join(square_name(s) for s in RESTRICTED_OPENING)
    first = (f"Reuse {reuse.parent.name}'s pretraining ({tc.pretrain_steps:,} steps" if reuse is not None else
             f"Pretrain {tc.pretrain_steps:,} steps") + f" on games opening {opening} in every language"
    st.caption(f"{first}{')' if reuse is not None else ''}, then fine-tune "
               f"{exp.languages[ft].name} on {tc.finetune_games:,} full-distribution games × {tc.finetune_epochs} "
               f"epochs ({ft_tc.total_steps:,} steps); measure every language at "
               f"{tc.finetune_epochs * tc.snapshots_per_epoch + 1} points.")
    return tc


# -- 1 and 2: experiment and run -----------------------------------------------------------------
if not present:
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("1 · Experiment")
        exp = experiment_section()
    with right:
        st.subheader("2 · Run")
        what = st.radio("What to run", ["train", "transfer"], key="what", horizontal=True,
                        format_func={"train": "Training run", "transfer": "Transfer experiment"}.get)
        settings = training_form() if what == "train" else transfer_form(exp)
        default_name = (exp.name if exp else "run") + ("" if what == "train" else "-transfer")
        run_name = st.text_input("Run name", default_name, key=f"run_name_{default_name}",
                                 help="the run directory is runs/NAME-date-time-xxxx")
        active = [r for r in jobs.runs() if r.alive]
        if active:
            st.caption(f":material/memory: {len(active)} run{'s' * (len(active) > 1)} already training "
                       f"({', '.join(r.name for r in active[:3])}): a new one shares the machine.")
        if st.button("Launch", type="primary", icon=":material/rocket_launch:", key="launch",
                     disabled=exp is None or settings is None, width="stretch"):
            try:
                if what == "train":
                    run = jobs.launch(exp, settings, name=run_name.strip() or None)
                else:
                    reuse = st.session_state.get("x_pretrained")
                    reuse = reuse if reuse in st.session_state.get("x_reuse_options", []) else None
                    run = jobs.launch_transfer(exp, settings, name=run_name.strip() or None, pretrained=reuse)
                st.session_state.pop("url_run", None)  # watch the new run
                widgets.set_url(run=run.name)
                st.success(f"Launched **{run.name}** in the background: watch it below.",
                           icon=":material/rocket_launch:")
            except (jobs.JobError, OSError, ValueError) as e:
                st.error(f"Could not launch: {e}", icon=":material/error:")


# -- 3: runs, live -------------------------------------------------------------------------------
@st.fragment(run_every=2)
def watch_runs():
    runs = jobs.runs()
    if not runs:
        st.info("No runs yet: launch one above.", icon=":material/model_training:")
        return
    finished = {r.name for r in runs if r.state == "finished"}
    if finished - st.session_state.get("seen_finished", set()):
        widgets.checkpoint_infos.clear()  # a finished run appears in every checkpoint picker
        tv.transfer_runs.clear()
    st.session_state["seen_finished"] = finished
    by_name = {r.name: r for r in runs}
    name = widgets.url_select("Watch run", list(by_name), key="run",
                              format_func=lambda n: f"{n}  ·  {by_name[n].state}  ·  {by_name[n].fraction:.0%}")
    rv.run_detail(by_name[name])
    if not present:
        st.markdown(f"**All runs** ({len(runs)})")
        st.dataframe(rv.runs_table(runs), hide_index=True, width="stretch", column_config={
            "progress": st.column_config.ProgressColumn("progress", format="percent", min_value=0, max_value=1),
            "state": st.column_config.TextColumn("state")})


st.divider()
st.subheader("3 · Runs")
watch_runs()
