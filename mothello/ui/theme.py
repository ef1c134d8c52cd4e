"""One place for colours and names used by every page."""

from __future__ import annotations

# Tableau-10-like palette, colour-blind friendly enough and readable on a projector.
LANGUAGE_COLOURS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d",
                    "#bab0ac", "#eeca3b", "#1f77b4", "#2ca02c"]
BOARD_GREEN = "#2f7d4f"
BOARD_LINE = "#1b4d30"
BLACK_DISC = "#1a1a1a"
WHITE_DISC = "#f4f4f4"
WRONG = "#e5303b"
LEGAL = "#ffd166"
HEAT = "#ffb000"
# The dashboard's own font (Streamlit serves Source Sans), so that charts match the page; exported PNG/SVG
# fall back to the next installed one.
FONT = "'Source Sans', 'Source Sans 3', 'Source Sans Pro', 'Helvetica Neue', Arial, sans-serif"
# The probe measures, the same colour on every chart (Alignment, Transfer, the tour).
MEASURE_COLOURS = {"in-language": "#4c78a8", "cross-lingual": "#e45756", "after rotation": "#f58518",
                   "random model": "#9d9d9d", "majority": "#c7c7c7", "legal moves": "#6b6b6b"}
# Training curves (Checkpoints and Train pages).
LOSS_COLOURS = {"train": "#9e9e9e", "held-out": "#222222"}
LOSS_NAMES = {"train_loss": "train", "val_loss": "held-out"}
# Runs overlaid in one chart (naive vs anchors vs unified): colours apart from the language colours.
EXPERIMENT_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"]


# Lines drawn per layer: light (embeddings) to dark (the last layer).
LAYER_RAMP = ["#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]


def layer_colours(n: int) -> list[str]:
    """n colours of LAYER_RAMP, evenly spread from its light end to its dark end."""
    last = len(LAYER_RAMP) - 1
    return [LAYER_RAMP[round(i * last / (n - 1)) if n > 1 else last] for i in range(n)]


def language_colour(i: int) -> str:
    return LANGUAGE_COLOURS[i % len(LANGUAGE_COLOURS)]


def language_scale(names: list[str], all_names: list[str] | None = None):
    """An Altair colour scale mapping language names to their fixed colours: each name's index among
    `all_names` (its experiment's input languages, as on every page), else among `names`."""
    import altair as alt

    idx = {n: i for i, n in enumerate(all_names or names)}
    return alt.Scale(domain=list(names), range=[language_colour(idx.get(n, i)) for i, n in enumerate(names)])


VERDICT_COLOURS = {   # a finding's status on our models: (text, background), as a badge
    "holds": ("#1e6b34", "#dcf1e1"), "does not hold": ("#9c3d00", "#fde7d6"), "pending": ("#555555", "#ececec")}

FINDINGS = [
    ("Naive multilingual pretraining does not learn a language-neutral representation.",
     "Two atomic languages, no shared tokens: a board probe trained on one language fails on the other."),
    ("Anchor tokens help cross-lingual representation alignment.",
     "Sharing the tokens of 8 squares pulls the two languages' board representations together."),
    ("Alignment alone is not enough for cross-lingual transfer.",
     "Fine-tuning one language does not lift the others, even with anchors."),
    ("A unified output space gives both alignment and transfer, also with more than two languages.",
     "When every language predicts moves in one shared output vocabulary, representations align and fine-tuning transfers."),
]
