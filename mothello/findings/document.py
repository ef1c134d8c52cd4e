"""render(): FINDINGS.md from collect()'s numbers: the shipped models, the four findings with their
verdicts, notes and figures, the transfer experiment, when alignment emerges, how the models were
trained, the trials, and the commands that reproduce it."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import sweep
from ..suite import SUITE_TRAINING
from ..train import TrainConfig
from ..transfer import RESTORE_FALL
from .digest import TITLE as DIGEST_TITLE, digest_section, slug
from .numbers import DEPTH_RUNS, WIDTH_RUNS, run_decay, run_objective
from .pace import model_games
from .text import markdown_table, millions, pct, pts, ratio
from .training import gpu_stages, how_trained
from .transfer_notes import (answer_notes, longer_notes, longer_rows, longer_trend, own_ratio, restore_notes,
                             transfer_rows, variant_notes, variant_rows)
from .trials import (batch_runs, batch_section, carried_stages, decay_runs, decay_section, depth_section,
                     further_runs, further_section,
                     ladder_runs, ladder_section, lr_runs, lr_section, narrow_runs, narrow_section, next_token_depth_exact,
                     next_token_depth_runs, next_token_depth_section, objective_longer,
                     objective_section, other_model_runs, other_model_section, paper_section, pooling_commands,
                     pooling_section, stage_peak, trained_on_section, width_section)
from .verdicts import CLAIMS, COLOUR_TARGET, TARGET, verdicts


MANY_TITLE = "Ten languages, naive: probe trained on A, reading B"  # the many-language figure's title


# The trials' sections in the report's order, by key (their figures' keys, and the digest's), and their
# figures' alt texts.
TRIAL_SECTIONS = [("paper", paper_section), ("depth", depth_section), ("width", width_section),
                  ("objective", objective_section), ("further", further_section), ("ladder", ladder_section),
                  ("narrow", narrow_section), ("depth-objective", next_token_depth_section),
                  ("trained-on", trained_on_section), ("lr", lr_section), ("batch", batch_section),
                  ("decay", decay_section), ("other-model", other_model_section),
                  ("pooling", pooling_section)]
TRIAL_FIGURES = {
    "depth": "Colour against the games seen: the shipped models and the depth trials",
    "width": "The width trial: colour against the games seen and against training time",
    "objective": "The objective trial: colour against the games seen and against training time",
    "further": "The exact target carried further: colour and legal moves against the games seen, beside the shipped model",
    "ladder": "The depth ladder: colour and legal moves against the games seen, by depth",
    "narrow": "Deeper and narrower: colour against the games seen and against training time, beside the depth ladder",
    "depth-objective": "Depth under each objective: colour and legal moves against the games seen",
    "trained-on": "The shipped model trained on with each objective: colour and legal moves against the games added",
    "lr": "The learning-rate trial: colour and legal moves against the games seen",
    "batch": "The batch trial: colour and legal moves against the games seen",
    "decay": "The weight-decay trial: colour and legal moves against the games seen",
    "other-model": "The deeper recipe on another model: colour and legal moves against the games seen, beside the depth ladder's run and the model as shipped",
    "pooling": "The pooling trial: colour against the games seen, in all and in each language"}


FIGURES = "docs/findings"


def render(numbers: dict, figures: dict[str, str] | None = None, notes: dict[int, str] | None = None,
           preamble: str = "", appendix: str = "") -> str:
    """FINDINGS.md. figures {key: relative path} (keys: matrices, many, layers, sweep, transfer, training-NAME,
    colour-by-move, digest, and each trial's: TRIAL_FIGURES);
    notes {finding: extra paragraph}; preamble/appendix: hand-written text around the measured parts."""
    figures, notes = figures or {}, notes or {}
    v = verdicts(numbers)
    status = ", ".join(f"finding {k} {s}" for k, (s, _) in v.items())
    out = ["# Findings: the mOthello study on our shipped models\n",
           "We trained the study's models with our own code on a laptop-class CPU"
           + (" (their last stages on a GPU lent for one session)" if gpu_stages(numbers) else "")
           + " and measured its four findings "
           "with the app's probes and metrics. Every number below is read from the shipped checkpoints, whose "
           f"recorded metrics a test recomputes from the weights. Status: {status}.{_partial_board(numbers)}\n"]
    if preamble:
        out.append(preamble.strip() + "\n")
    out.append("## The shipped models\n")
    out.append(markdown_table(models_table(numbers)))
    out.append("\nProbe numbers: linear probe, relative labels (empty / mine / theirs), 1,000 training games, 200 "
               "test games, at the layer where the model's own in-language colour probe is best. *Cross-lingual* "
               "is the mean over ordered language pairs of a probe trained on A reading the same games in B; "
               "*after rotation* maps B's hidden states onto A's with an orthogonal Procrustes fitted on 300 "
               "other games first. *Colour* is the accuracy on occupied squares only (is it mine or theirs): "
               "occupancy alone is easy. Baselines: the per-square majority guess and the same probe on a randomly "
               "initialised model" + (
                   "; and for colour, the board read off the move list with every disc the colour of whoever placed "
                   "it, no flip tracked (`probes.placer_baseline`, the same test positions): "
                   f"{pct(p['colour'])} on occupied squares ({pct(p['accuracy'])} over all squares). A colour probe "
                   "above it shows a model that tracks flips" if (p := numbers.get("placer")) else "") + ".\n")
    order = ordering(numbers)
    if order:
        out.append(order + "\n")
    for k, (claim, role, meaning) in CLAIMS.items():
        s, reason = v[k]
        out.append(f"## Finding {k}: {claim}\n")
        out.append(f"*What it means here:* {meaning}\n")
        out.append(f"**Our result: {s}.** {reason[:1].upper() + reason[1:]}.\n")
        auto = measured_notes(numbers).get(k)
        if auto:
            out.append(auto + "\n")
        if k in notes:
            out.append(notes[k].strip() + "\n")
        keys = {1: ["matrices", "many"], 2: ["layers"]}.get(k, [])
        if k == 1 and "anchors" not in numbers["models"]:
            keys.append("layers")  # with naive alone, its by-layer curve belongs to finding 1
        for key in keys:
            if key in figures and (key != "layers" or k == 1 or "anchors" in numbers["models"]):
                alt = MANY_TITLE if key == "many" else claim
                out.append(f"![{alt}]({figures[key]})\n")
        if k == 2 and numbers.get("sweep"):
            out.append(sweep_note(numbers["sweep"]) + "\n")
            out.append(markdown_table(sweep_rows(numbers["sweep"])))
            if "sweep" in figures:
                out.append(f"\n![Anchor sweep: probe accuracy against anchor squares]({figures['sweep']})\n")
        if k in (3, 4) and numbers["transfer"]:
            more = (" It also says where in the weights a fallen language's loss sits, and what fine-tuning with that "
                    "part frozen does (a variant, not the study's protocol)." if k == 4 and numbers.get("variants")
                    else "")
            if k == 4 and numbers.get("longer"):
                more += " With a longer pretraining (the same protocol at a larger scale): " + "; ".join(
                    f"{v['scale']}, transfer ratio {ratio(v['transfer ratio'])}" for v in numbers["longer"].values()) + "."
            out.append(f"The transfer curves are in the section *Transfer experiment* below.{more}\n")
    if numbers["transfer"]:
        out.append("## Transfer experiment\n")
        out.append("Pretrained on games that open c4, c3, c2 in every language, then fine-tuned on one language "
                   "with games from the full distribution; legal-move accuracy of every language on "
                   "full-distribution games before and after fine-tuning.\n")
        out.append(markdown_table(transfer_rows(numbers)))
        if "transfer" in figures:
            out.append(f"\n![Transfer curves]({figures['transfer']})\n")
        answers = answer_notes(numbers)
        if answers:
            out.append("**Which language the fine-tuned model answers in.** For each language not fine-tuned, on the "
                       "run's evaluation games: the share of the final model's greedy next tokens that belong to the "
                       "fine-tuned language, and its legal-move accuracy when the greedy choice is limited to the "
                       "language's own tokens (a diagnostic, not the metric above).\n")
            out.append("\n".join(answers) + "\n")
        restored = restore_notes(numbers)
        if restored:
            out.append("**Where in the weights a language's loss sits.** The final fine-tuned model with ONE part of "
                       "its weights put back to the pretrained model's (the embeddings, each block's attention or "
                       "MLP, the output layer), every language measured again on the run's evaluation games; for "
                       f"each language not fine-tuned that fell by {RESTORE_FALL * 100:.0f} points or more, the part "
                       "that brings it back furthest (the Transfer page draws every part):\n")
            out.append("\n".join(restored) + "\n")
        vrows = variant_rows(numbers)
        if len(vrows):
            out.append("**A fine-tuning variant, NOT the study's protocol.** The same fine-tuning from the same "
                       "pretrained model, with the named part of the weights kept at its pretrained values: does "
                       "keeping the part that carries a language's loss keep the language? Legal-move accuracy "
                       "on the same evaluation games:\n")
            one = vrows["variant"].nunique() == 1  # then the column says which variant
            out.append(markdown_table(vrows.drop(columns="variant").rename(
                columns={"fine-tuned, variant": f"fine-tuned, {vrows['variant'].iloc[0]}"}) if one else vrows))
            out.append("\n" + "\n".join(variant_notes(numbers)) + "\n")
            if "variant" in figures:
                out.append(f"![The study's fine-tuning and the variant, overlaid]({figures['variant']})\n")
        lrows = longer_rows(numbers)
        if len(lrows):
            out.append("**The same protocol, pretrained longer.** Is the outcome a matter of scale? The plain run "
                       "again with more pretraining steps on the same restricted opening (and fine-tuning as "
                       "before); legal-move accuracy before -> after fine-tuning, on the same evaluation games:\n")
            out.append(markdown_table(lrows))
            out.append("\n" + "\n".join(longer_notes(numbers)) + "\n")
            out += [line + "\n" for line in longer_trend(numbers)]
            if "longer" in figures:
                out.append(f"![The plain run and its longer pretrainings, overlaid]({figures['longer']})\n")
        out.append("")
    training = [k for k in figures if k.startswith("training")]
    if training:
        out.append("## When alignment emerges\n")
        out.append("The cross-lingual and in-language probe accuracy at the snapshots of each training run (the "
                   "Transfer page, *alignment over training*), at the last layer.\n")
        notes_ = over_training_notes(numbers)
        if notes_:
            out.append("\n".join(notes_) + "\n")
        out += [f"![Alignment over training: {k.removeprefix('training-')}]({figures[k]})\n" for k in training]
    out.append(trained := how_trained(numbers))
    if "colour-by-move" in figures:
        out.append(f"![Where along a game the colour is lost: each model and the placer baseline by the move the "
                   f"board follows]({figures['colour-by-move']})\n")
    trials = [(key, text) for key, make in TRIAL_SECTIONS if (text := make(numbers))]
    titles = {key: _heading(text) for key, text in trials + [("probe", trained), ("probe-games", trained)]}
    if glance := digest_section(numbers, titles):
        out.append(glance)
        if "digest" in figures:
            out.append(f"![The trials at a glance: each run's colour against its reference's after as many games]"
                       f"({figures['digest']})\n")
    for key, text in trials:
        out.append(text)
        if key in figures and key in TRIAL_FIGURES:
            out.append(f"![{TRIAL_FIGURES[key]}]({figures[key]})\n")
    out.append(reproduce(numbers))
    if appendix:
        out.append(appendix.strip() + "\n")
    text = "\n".join(out).rstrip() + "\n"
    if "\n## " not in text:
        return text
    opening, rest = text.split("\n## ", 1)   # the contents after the opening (Home shows the opening alone)
    return f"{opening}\n{contents(rest)}\n## {rest}"


def contents(text: str) -> str:
    """A '## Contents' section linking every '## ' heading of `text` (GitHub's and Streamlit's anchors), in order."""
    headings = re.findall(r"^## (.+)$", "## " + text, flags=re.M)
    return "## Contents\n\n" + "\n".join(f"- [{h.replace('`', '')}](#{slug(h)})" for h in headings) + "\n"


def _partial_board(numbers: dict) -> str:
    """The opening's caveat when a shipped model reads the colour of the discs below the target: the findings
    stand on a partial board. '' otherwise."""
    colours = [m["colour_in_language"] for m in numbers["models"].values() if m.get("colour_in_language") is not None]
    if not colours or max(colours) >= COLOUR_TARGET:
        return ""
    span = pct(min(colours)) if len(colours) == 1 else f"{pct(min(colours))}-{pct(max(colours))}"
    return (f" A probe reads the colour of the discs (mine / theirs) off these models at {span}, below the {TARGET} "
            "the suite aims at, so the findings are measured on a partial board (see *How these models were "
            f"trained* and *{DIGEST_TITLE}* below).")


def _heading(section: str) -> str:
    """A section's heading: its first line without the '## '."""
    return section.split("\n", 1)[0].removeprefix("## ").strip()


def models_table(numbers: dict) -> pd.DataFrame:
    rows = []
    for role, m in numbers["models"].items():
        rows.append({
            "model": m["name"], "steps": f"{m['step']:,} / {m['steps']:,}" if m.get("steps") else f"{m['step']:,}",
            "games seen": f"{model_games(m, m['step']) / 1e6:.1f}M",
            "legal moves (worst language)": pct(m["legal_min"]),
            "layer": f"{m['layer']} of {m['n_layer']}" if m.get("layer") is not None else "n/a",
            "in-language": pct(m.get("in_language")), "cross-lingual": pct(m.get("cross_lingual")),
            "after rotation": pct(m.get("aligned_rotation")),
            "colour in / cross": f"{pct(m.get('colour_in_language'))} / {pct(m.get('colour_cross_lingual'))}",
            "majority / random model": f"{pct(m.get('baseline_majority'))} / {pct(m.get('baseline_random_model'))}",
        })
    return pd.DataFrame(rows)


def ordering(numbers: dict) -> str:
    """The study's ordering of cross-lingual probe accuracy, naive < anchors < unified, on the shipped
    models at their named layers (empty until two of them are shipped)."""
    M = numbers["models"]
    have = [(role, M[role]) for role in ("naive", "anchors", "unified") if role in M]
    if len(have) < 2:
        return ""
    vals = [m["cross_lingual"] for _, m in have]
    holds = all(a < b for a, b in zip(vals, vals[1:]))
    chain = " < ".join(f"{m['name']} {pct(m['cross_lingual'])}" for _, m in have) if holds else \
        ", ".join(f"{m['name']} {pct(m['cross_lingual'])}" for _, m in have)
    majority = sorted({pct(m.get("baseline_majority")) for _, m in have})
    text = (f"**Ordering of cross-lingual probe accuracy (the study: naive < anchors < unified): "
            f"{'holds' if holds else 'does not hold'}.** {chain}; the majority guess scores "
            + " / ".join(majority) + ".")
    close = [f"{a['name']} and {b['name']} differ by {abs(b['cross_lingual'] - a['cross_lingual']) * 100:.2f} points"
             for (_, a), (_, b) in zip(have, have[1:]) if abs(b["cross_lingual"] - a["cross_lingual"]) < 0.01]
    if close:
        text += " " + "; ".join(close) + ": level, not ordered."
    if not holds and all(m.get("cross_by_layer") for _, m in have):
        layers = sorted(set.intersection(*(set(m["cross_by_layer"]) for _, m in have)))
        where = [k for k in layers if all(a["cross_by_layer"][k] < b["cross_by_layer"][k]
                                          for (_, a), (_, b) in zip(have, have[1:]))]
        if where:
            text += (" The ordering does hold at layer" + ("s " if len(where) > 1 else " ")
                     + ", ".join(f"{k} (" + " < ".join(pct(m["cross_by_layer"][k]) for _, m in have) + ")"
                                 for k in where)
                     + "; the named layer was fixed beforehand (best in-language colour probe), so the verdict "
                       "stays.")
    steps = {m["name"]: m.get("step") for _, m in have}
    games = {m["name"]: model_games(m, m["step"]) for _, m in have if m.get("step")}
    if len(set(steps.values())) > 1 or len(set(games.values())) > 1:  # trained unequally: say so
        text += (" Not matched in training: " + ", ".join(
            f"{n} {s:,} steps" + (f" ({millions(games[n])})" if n in games else "") for n, s in steps.items() if s)
                 + " (the later stages have not reached every model alike).")
        text += matched_ordering(have)
    shares = [(m["name"], m["cross_lingual"] / m["in_language"]) for _, m in have if m.get("in_language")]
    if len(shares) == len(have):
        text += (" As a share of each model's own in-language accuracy (the models differ in how well they read "
                 "the board at all): " + ", ".join(f"{n} {100 * r:.0f}%" for n, r in shares) + ".")
    return text


def matched_ordering(have: list[tuple[str, dict]]) -> str:
    """The ordering again at matched steps, or "" when the models share no step: in the table's protocol
    where every model has a fully analysed model at one step (itself or its previous stage's end), and
    at the last step of their stored alignment over training (one probe protocol for all, last layer)."""
    def chain(vals: list[float]) -> tuple[bool, str]:
        holds = all(a < b for a, b in zip(vals, vals[1:]))
        return holds, (" < " if holds else ", ").join(f"{m['name']} {pct(v)}" for (_, m), v in zip(have, vals))

    text = ""
    steps = {m.get("step") for _, m in have} | {k for _, m in have for k in (m.get("stage_ends") or {})}
    full = [k for k in steps if isinstance(k, int) and all(_cross_at(m, k) is not None for _, m in have)]
    if full:
        step = max(full)
        holds, said = chain([_cross_at(m, step) for _, m in have])
        earlier = [m["name"] for _, m in have if m.get("step") != step]
        text += (f" At matched steps, {step:,} (the table's protocol at the layers it names; "
                 + ", ".join(earlier) + f" as shipped at the end of that stage): {said}; the ordering "
                 f"{'holds' if holds else 'does not hold'} there.")
    series = [dict((m.get("over_training") or {}).get("cross_lingual") or []) for _, m in have]
    common = set.intersection(*(set(x) for x in series)) if all(series) else set()
    if common:
        step = max(common)
        holds, said = chain([x[step] for x in series])
        text += ((" With" if text else " At matched steps, with") + f" the *alignment over training* probe "
                 f"(last layer) at {step:,} steps: {said}; the ordering {'holds' if holds else 'does not hold'} there.")
    return text


def _cross_at(m: dict, step: int) -> float | None:
    """A model's cross-lingual accuracy in the table's protocol (its named layer) at `step`: the model itself,
    or its model at the end of an earlier stage (stage_ends), when one is at that step."""
    if m.get("step") == step:
        return m.get("cross_lingual")
    return (m.get("stage_ends") or {}).get(step, {}).get("cross_lingual")


def measured_notes(numbers: dict) -> dict[int, str]:
    """Sentences read off the numbers (no judgement beyond the rules above)."""
    out = {}
    n = numbers["models"].get("naive")
    if n and n.get("aligned_rotation") is not None:
        rot_gap = n["in_language"] - n["aligned_rotation"]
        out[1] = (f"The cross-lingual probe ({pct(n['cross_lingual'])}) does no better than the per-square majority "
                  f"guess ({pct(n['baseline_majority'])}), and on occupied squares it reads the colour at "
                  f"{pct(n['colour_cross_lingual'])} (chance: 50%). Yet after an orthogonal rotation fitted on other "
                  f"games it reads {pct(n['aligned_rotation'])}, {pts(rot_gap).replace('+', '')} below the in-language "
                  "probe: the two languages hold the same board representation up to a rotation (MetaOthello), "
                  "not a shared one.")
    a = numbers["models"].get("anchors")
    if n and a and a.get("colour_cross_lingual") is not None:
        out[2] = (f"On occupied squares the anchored model's cross-lingual probe reads the colour at "
                  f"{pct(a['colour_cross_lingual'])} (naive: {pct(n['colour_cross_lingual'])}; chance 50%), close to "
                  f"its in-language {pct(a['colour_in_language'])}.")
        if a.get("embedding_same") is not None and n.get("embedding_same") is not None:
            k = a.get("anchor_squares", 0)  # anchor squares share one token: cosine 1 by construction
            rest = (a["embedding_same"] * 60 - k) / (60 - k)
            out[2] += (f" The input embeddings agree too: the same move in the two languages has cosine "
                       f"{rest:.2f} over the {60 - k} squares that are NOT anchors (each still two distinct tokens), "
                       f"against {n['embedding_same']:.2f} without anchors; different moves "
                       f"{a['embedding_different']:.2f} and {n['embedding_different']:.2f}.")
    tu = numbers["transfer"].get("unified")
    if tu and len(tu.get("per language", {})) > 1:
        each = "; ".join(f"{lang} {pct(b0)} -> {pct(b1)} ({pts(b1 - b0)}"
                         + (f", ratio {r:.2f})" if np.isfinite(r := own_ratio(tu, lang)) else ")")
                         for lang, (b0, b1) in tu["per language"].items())
        out[4] = (f"Fine-tuning {tu['fine-tuned']} ({pct(tu['fine-tuned before'])} -> {pct(tu['fine-tuned after'])}) "
                  f"moved each language not fine-tuned differently: {each}. The rule reads their mean.")
    many = numbers["models"].get("many")
    if many and many.get("in_language") is not None:
        gap = many["in_language"] - many["cross_lingual"]
        out[1] = (out.get(1, "") + f" With ten languages ({many['name']}, naive, layer {many['layer']}) the gap is "
                  f"{pts(gap)}: in-language {pct(many['in_language'])}, cross-lingual {pct(many['cross_lingual'])} "
                  f"over the 90 ordered pairs, after rotation {pct(many.get('aligned_rotation'))}.").strip()
    return out


def over_training_notes(numbers: dict) -> list[str]:
    """One sentence per model: its direct and rotated cross-lingual accuracy at the first and last snapshot."""
    lines = []
    for m in numbers["models"].values():
        ot = m.get("over_training") or {}
        cross, rot, inl = ot.get("cross_lingual"), ot.get("aligned_rotation"), ot.get("in_language")
        if not cross or not rot or not inl:
            continue
        (s0, c0), (s1, c1) = cross[0], cross[-1]
        lines.append(f"- `{m['name']}`, step {s0:,} -> {s1:,}: cross-lingual {pct(c0)} -> {pct(c1)}, after rotation "
                     f"{pct(rot[0][1])} -> {pct(rot[-1][1])}, in-language {pct(inl[0][1])} -> {pct(inl[-1][1])}.")
    return lines


def sweep_note(sw: dict) -> str:
    """What the sweep shows, read off its numbers: the cross-lingual accuracy at each anchor count and
    whether it rises with every step up."""
    rows = sorted(sw["rows"], key=lambda r: r["anchors"])
    cross = [r["cross-lingual"] for r in rows]
    each = ", ".join(f"{int(r['anchors'])}: {pct(r['cross-lingual'])}" for r in rows)
    rises = all(b > a for a, b in zip(cross, cross[1:]))
    falls = [f"{int(a['anchors'])} -> {int(b['anchors'])}" for a, b in zip(rows, rows[1:])
             if b["cross-lingual"] <= a["cross-lingual"]]
    ins = [r["in-language"] for r in rows]
    own = (f"In-language accuracy varies by only {100 * (max(ins) - min(ins)):.1f} points across the sweep: what the "
           "anchors change is how the two languages' representations line up, not how well each reads the board."
           if max(ins) - min(ins) < 0.02 else f"In-language accuracy ranges from {pct(min(ins))} to {pct(max(ins))}.")
    shape = ("rises with every step up in anchors" if rises else
             f"does not rise at every step (no gain from {', '.join(falls)})")
    return (f"**Anchor sweep ({len(rows)} models).** Two-language models that differ only in how many squares' "
            f"tokens the languages share (nested sets, the same games, seed and schedule), compared "
            f"{sweep.when(sw)} at layer {sw['layer']}; probes on {sw['n_train']:,} games per language. "
            f"Cross-lingual probe accuracy by anchor squares: {each}; it {shape}. " + own)


def sweep_rows(sw: dict) -> pd.DataFrame:
    return pd.DataFrame([{
        "anchor squares": int(r["anchors"]), "legal moves": pct(r["legal moves"]),
        "in-language": pct(r["in-language"]), "cross-lingual": pct(r["cross-lingual"]),
        "after rotation": pct(r["after rotation"]),
        "colour in / cross": f"{pct(r['colour in-language'])} / {pct(r['colour cross-lingual'])}",
        "majority / random model": f"{pct(r['majority guess'])} / {pct(r['random-model probe'])}"}
        for r in sw["rows"]])


def _carry_on(stages: list[dict]) -> str:
    """width_trial's --carry-on for a run's later stages (carried_stages): each stage's steps, @ its gentler peak."""
    return " --carry-on " + ",".join(str(x["steps"] - x["from_step"]) + (f"@{p:g}" if (p := stage_peak(x)) else "")
                                     for x in stages)


def reproduce(numbers: dict) -> str:
    """The commands that retrain and redraw what the report shows."""
    gpu = ("\npython scripts/gpu_stages.py --seconds 450 --out DIR   # on a lent GPU: its stages and the paper "
           "preset, all at once" if gpu_stages(numbers) or numbers.get("paper") else "")
    if numbers.get("depth"):
        gpu += ("\npython scripts/gpu_stages.py --deepen 6 --compile --seconds 500 --out DIR   # grown deeper"
                "\npython scripts/gpu_stages.py --scratch 6,8 --models unified-mixed --compile --seconds 290 --out DIR"
                "   # deeper from scratch"
                "\npython scripts/gpu_stages.py --record-depth RUN ...   # the unpacked runs, analysed into "
                f"checkpoints/{DEPTH_RUNS}")
    if numbers.get("width"):
        gpu += ("\npython scripts/width_trial.py   # the width trial, here: trains each shape in turn (resuming), "
                f"analyses, writes checkpoints/{WIDTH_RUNS}")
    if any(run_objective(r) != "next-token" and not r.get("from_step") for r in numbers.get("width") or []):
        gpu += ("\npython scripts/width_trial.py --shapes 3x192 --objective legal-set   # the objective trial, here: "
                f"its legal-set run beside the width trial's, into checkpoints/{WIDTH_RUNS}")
    gpu += "".join(f"\npython scripts/width_trial.py --model {r['experiment']} --shapes {r['n_layer']}x{r['d_model']} "
                   f"--steps {r['steps']} --objective {run_objective(r)}   # the objective trial carried on, here"
                   for longer in objective_longer(numbers) for r in longer)
    gpu += "".join(f"\npython scripts/width_trial.py --model {r['experiment']} --shapes {r['n_layer']}x{r['d_model']} "
                   f"--steps {r['steps']} --objective {run_objective(r)}"
                   + (f"{_carry_on(stages)}   # the exact target "
                      "carried further, then on past its schedule's end, here" if (stages := carried_stages(numbers, r))
                      else "   # the exact target carried further, here")
                   for r in further_runs(numbers))
    if ladder := [r for r in ladder_runs(numbers) if r not in further_runs(numbers)]:
        r = ladder[0]
        for lent, tail in ((False, "   # the depth ladder, here"), (True, "   # the depth ladder's runs on a lent GPU")):
            if shapes := ",".join(f"{x['n_layer']}x{x['d_model']}" for x in ladder if (x["device"] != "CPU") == lent):
                gpu += (f"\npython scripts/{'gpu_ladder' if lent else 'width_trial'}.py --model {r['experiment']} "
                        f"--shapes {shapes} --steps {r['steps']} --objective {run_objective(r)}"
                        + (" --out DIR && python scripts/width_trial.py --merge DIR/records.json" if lent else "") + tail)
        gpu += "".join(f"\npython scripts/width_trial.py --model {r['experiment']} --shapes {r['n_layer']}x{r['d_model']} "
                       f"--steps {r['steps']} --objective {run_objective(r)}{_carry_on(stages)}   # the depth ladder's "
                       f"{r['n_layer']} x {r['d_model']} carried on, here"
                       for r in ladder if (stages := carried_stages(numbers, r)))
    gpu += "".join(f"\npython scripts/width_trial.py --model {r['experiment']} --shapes {r['n_layer']}x{r['d_model']} "
                   f"--steps {r['steps']} --objective {run_objective(r)}"
                   + (f" --speed-beside {','.join(r['beside'])}" if r.get("beside") else "")
                   + "   # deeper and narrower, here" for r in narrow_runs(numbers))
    deeper = next_token_depth_runs(numbers)
    deeper = [(r, "the depth under the sampled move") for r in deeper if r["n_layer"] != deeper[0]["n_layer"]] + [
        (r, "the same depths on the exact target") for r in next_token_depth_exact(numbers)[1:]]
    gpu += "".join(f"\npython scripts/width_trial.py --model {r['experiment']} --shapes {r['n_layer']}x{r['d_model']} "
                   f"--steps {r['steps']}" + ("" if run_objective(r) == "next-token" else f" --objective {run_objective(r)}")
                   + (f" --speed-beside {','.join(r['beside'])}" if r.get("beside") else "") + f"   # {what}, here"
                   for r, what in deeper)
    gpu += "".join(f"\npython scripts/width_trial.py --model {r['experiment']} --shapes {r['n_layer']}x{r['d_model']} "
                   f"--objective {run_objective(r)} --lr {r['lr']:g}   # the learning-rate trial, here"
                   for r in lr_runs(numbers) if r["lr"] != SUITE_TRAINING["lr"])
    reproduced = ladder_runs(numbers) + further_runs(numbers)
    gpu += "".join(f"\npython scripts/width_trial.py --model {r['experiment']} --shapes {r['n_layer']}x{r['d_model']} "
                   f"--steps {r['steps']} --objective {run_objective(r)}"
                   + (f" --batch {r['batch_size']}   # the batch trial, here" if r["batch_size"] != SUITE_TRAINING["batch_size"]
                      else "   # the batch trial's run at the suite's batch, here")
                   for r in batch_runs(numbers) if r not in reproduced or r["batch_size"] != SUITE_TRAINING["batch_size"])
    gpu += "".join(f"\npython scripts/width_trial.py --model {r['experiment']} --shapes {r['n_layer']}x{r['d_model']} "
                   f"--steps {r['steps']} --objective {run_objective(r)} --weight-decay {run_decay(r):g}   # the "
                   "weight-decay trial, here" for r in decay_runs(numbers) if run_decay(r) != TrainConfig.weight_decay)
    gpu += "".join(f"\npython scripts/width_trial.py --model {r['experiment']} --shapes {r['n_layer']}x{r['d_model']} "
                   f"--steps {r['steps']} --objective {run_objective(r)}{_carry_on(stages) if stages else ''}   # the "
                   "deeper recipe on another model" + (", carried on" if stages else "") + ", here"
                   for r in other_model_runs(numbers) if (stages := carried_stages(numbers, r)) is not None)
    trained_on = [r for r in numbers.get("width") or [] if r.get("from_step") and not r.get("from_run")]
    if trained_on:
        gpu += "".join(f"\npython scripts/width_trial.py --continue --model {r['experiment']} --objective "
                       f"{run_objective(r)}   # the shipped model trained on, here" for r in trained_on)
    gpu += "".join("\n" + c for c in pooling_commands(numbers))
    return ("## Reproduce\n\n```bash\nmake demo-suite   # trains (resuming) and installs checkpoints/, then "
            "writes this file\nmake findings     # this file and docs/findings/ from checkpoints/ alone" + gpu + "\n```\n")
