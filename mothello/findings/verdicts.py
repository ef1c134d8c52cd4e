"""The study's four findings: each claim, the rule that judges it on our models and verdicts().

The rules were fixed before the models were trained. A model is judged at the layer where its OWN
in-language colour probe is best (chosen without looking at cross-lingual numbers). In points of probe
accuracy (linear probe, relative labels, 1,000 training games):
1. naive is not language-neutral: naive's cross-lingual accuracy is at least 10 points below its
   in-language accuracy.
2. anchors help: anchors' cross-lingual accuracy is at least 5 points above naive's.
3. alignment alone does not transfer: in the transfer experiment on anchors, the languages not
   fine-tuned gain less than a quarter of what the fine-tuned language gains.
4. unified output gives both: unified's cross-lingual accuracy is within 5 points of its in-language
   accuracy, and its other languages gain at least half of what the fine-tuned language gains.
A finding whose models are not (yet) in checkpoints/ is pending, never guessed.
"""

from __future__ import annotations

import numpy as np

from .text import pct, pts


# The suite's target for the in-language colour probe (mine / theirs on occupied squares, best layer): a
# model below it knows the board only in part, and every trial section measures its runs against it.
COLOUR_TARGET = 0.9
TARGET = f"{COLOUR_TARGET:.0%}"   # as the report writes it: '90%'

RULES = {"naive_gap": 0.10, "anchor_gain": 0.05, "no_transfer": 0.25, "unified_gap": 0.05, "transfer": 0.5}


CLAIMS = {
    1: ("Naive multilingual pretraining does not learn a language-neutral representation.",
        "naive", "A probe trained on one language's hidden states reads the board far worse from the other "
        "language's hidden states of the same games."),
    2: ("Anchor tokens help cross-lingual representation alignment.",
        "anchors", "Sharing the tokens of a few squares raises the cross-lingual probe accuracy."),
    3: ("Alignment alone is not enough for cross-lingual transfer.",
        "anchors", "Fine-tuning one language of the anchored model does not lift the other languages."),
    4: ("A unified output space gives both alignment and transfer, also with more than two languages.",
        "unified", "With one shared output vocabulary the languages' representations align and fine-tuning "
        "one language lifts the others."),
}


def verdicts(numbers: dict) -> dict[int, tuple[str, str]]:
    """{finding: (status, reason)}; status is 'holds', 'does not hold' or 'pending'."""
    M, T, R = numbers["models"], numbers["transfer"], RULES
    out = {}
    n = M.get("naive")
    if n:
        gap = n["in_language"] - n["cross_lingual"]
        out[1] = ("holds" if gap >= R["naive_gap"] else "does not hold",
                  f"in-language {pct(n['in_language'])} vs cross-lingual {pct(n['cross_lingual'])}: "
                  f"a gap of {pts(gap)} (rule: at least {pts(R['naive_gap'])})")
    else:
        out[1] = ("pending", "naive-2 is not in checkpoints/ yet")
    a = M.get("anchors")
    if n and a:
        gain = a["cross_lingual"] - n["cross_lingual"]
        out[2] = ("holds" if gain >= R["anchor_gain"] else "does not hold",
                  f"cross-lingual {pct(a['cross_lingual'])} with anchors vs {pct(n['cross_lingual'])} without: "
                  f"{pts(gain)} (rule: at least {pts(R['anchor_gain'])})")
    else:
        out[2] = ("pending", "needs naive-2 and anchors-8 in checkpoints/")
    ta = T.get("anchors")
    if ta:
        ratio = ta["transfer ratio"]
        out[3] = ("holds" if np.isfinite(ratio) and ratio < R["no_transfer"] else "does not hold",
                  f"fine-tuned language {pts(ta['fine-tuned gain'])}, the others {pts(ta['others gain'])} "
                  f"(transfer ratio {ratio:.2f}; rule: below {R['no_transfer']})")
    else:
        out[3] = ("pending", "needs the transfer run on anchors-8 (checkpoints/transfer-anchors-8)")
    u, tu = M.get("unified"), T.get("unified")
    if u and tu:
        gap = u["in_language"] - u["cross_lingual"]
        ratio = tu["transfer ratio"]
        ok = gap <= R["unified_gap"] and np.isfinite(ratio) and ratio >= R["transfer"]
        out[4] = ("holds" if ok else "does not hold",
                  f"cross-lingual {pct(u['cross_lingual'])} vs in-language {pct(u['in_language'])} "
                  f"(gap {pts(gap)}, rule: at most {pts(R['unified_gap'])}); transfer ratio {ratio:.2f} "
                  f"(rule: at least {R['transfer']})")
    elif u:
        gap = u["in_language"] - u["cross_lingual"]
        out[4] = ("pending", f"the alignment half is measured: cross-lingual {pct(u['cross_lingual'])} vs in-language "
                             f"{pct(u['in_language'])} (gap {pts(gap)}, rule: at most {pts(R['unified_gap'])}: "
                             f"{'met' if gap <= R['unified_gap'] else 'not met'}); the transfer half needs "
                             "checkpoints/transfer-unified-mixed")
    else:
        out[4] = ("pending", "needs unified-mixed and its transfer run in checkpoints/")
    return out
