"""The `paper` preset on a lent GPU, beside the shipped `small` model of its experiment."""

from __future__ import annotations

import numpy as np

from ...languages import Vocabulary
from ...model import GPT, GPTConfig, PRESETS
from ..numbers import PAPER_RUNS
from ..pace import analysed_ends, model_games
from ..text import millions, pct
from ..training import gpu_stages
from ..verdicts import COLOUR_TARGET, TARGET
from .runs import _config


def paper_section(numbers: dict) -> str:
    """The `paper` preset on a lent GPU: its runs (settings, speed, legal moves, probes where measured),
    beside the shipped `small` model of the same experiment. "" without recorded runs."""
    runs = numbers.get("paper") or []
    if not runs:
        return ""
    r0 = runs[0]
    vocab = Vocabulary.build(_config(r0["experiment"]))
    shape = PRESETS[r0["preset"]]
    params = GPT(GPTConfig(vocab_size=vocab.size, context_length=vocab.context_length, **shape)).n_params
    small = next((m for m in numbers["models"].values() if m["name"] == r0["experiment"]), None)
    lines = [f"## The `{r0['preset']}` preset on a GPU\n",
             f"One session was lent a GPU ({r0['gpu']}, PyTorch {r0['torch']}). "
             + ("Beside the suite's GPU stages (above) it" if gpu_stages(numbers) else "It")
             + f" trained the `{r0['preset']}` preset (Othello-GPT's size: {shape['n_layer']} layers "
             f"x {shape['d_model']}, {shape['n_head']} heads, {params / 1e6:.1f}M parameters"
             + (f", {params / small['params']:.0f}x the shipped models" if small and small.get("params") else "")
             + f") on `{r0['experiment']}` from scratch, with the same training code (`scripts/gpu_stages.py`): "
             f"next-token prediction on fresh games, batch {r0['batch_size']}, AdamW with lr {r0['lr']:g} (warm-up "
             f"{r0['warmup_steps']}, cosine to {r0['min_lr']:g}), {r0['dtype']} autocast. Legal moves: the 500 held-out "
             "games of the table above; probes: its protocol (linear, relative labels, 1,000 training games, the "
             "layer where the in-language colour probe is best). Its weights do not ship (the size budget); its "
             f"numbers are in `checkpoints/{PAPER_RUNS}`.\n",
             "| run | steps (games) | GPU shared with | torch.compile | training | tokens/s | legal moves (worst / mean) "
             "| layer | in-language | cross-lingual | colour in-language |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for k, r in enumerate(runs, start=1):
        acc = list(r["legal_move_accuracy"].values())
        al = r.get("alignment") or {}
        row = (al.get("layers") or {}).get(str(al.get("best_layer")), {})
        shared = f"{r['shared_with']} other trainings" if r["shared_with"] else "nothing"
        comp = "yes" if r["compiled"] else "no"
        lines.append(f"| {k} | {r['steps']:,} ({millions(r['steps'] * r['batch_size'])}) | {shared} | {comp} | "
                     f"{r['train_s'] / 60:.1f} min | {r['tokens_per_s']:,.0f} | {pct(min(acc))} / {pct(np.mean(acc))} | "
                     + (f"{al['best_layer']} of {shape['n_layer']} | {pct(row.get('in_language'))} | "
                        f"{pct(row.get('cross_lingual'))} | {pct(row.get('colour_in_language'))} |" if row else
                        "n/a | n/a | n/a | n/a |"))
    lines.append("")
    notes = []
    cut = [k for k, r in enumerate(runs, start=1) if not r.get("alignment")]
    if cut:
        notes.append(f"Run {', '.join(map(str, cut))}: the probe analysis did not finish inside the lease, so only its "
                     "legal moves were measured.")
    if small:
        probed = [(k, r) for k, r in enumerate(runs, start=1) if r.get("alignment")]
        ends = analysed_ends(small)
        said = ", ".join(f"{st:,} steps ({millions(model_games(small, st))}): legal {pct(e.get('legal_min'))}, colour "
                         f"{pct(e['colour_in_language'])}" for st, e in sorted(ends.items()))
        for k, r in probed:
            row = r["alignment"]["layers"][str(r["alignment"]["best_layer"])]
            gap = row["in_language"] - row["cross_lingual"]
            notes.append(f"Run {k} after {millions(r['steps'] * r['batch_size'])}: colour {pct(row['colour_in_language'])}, "
                         f"cross-lingual {pct(row['cross_lingual'])} against {pct(row['in_language'])} in-language "
                         f"({100 * gap:.1f} points apart).")
        notes.append(f"The shipped `small` {small['name']} (worst language, and colour at the table's layer) at its "
                     f"analysed stage ends: {said}.")
        below = [k for k, r in probed if (r["alignment"]["layers"][str(r["alignment"]["best_layer"])]
                                          ["colour_in_language"] < COLOUR_TARGET)]
        if below:
            notes.append(f"So this run does not settle whether the {TARGET} colour target is a matter of model size: "
                         "it is below it too, after far fewer games than the shipped model has seen.")
    if len(runs) > 1 and runs[0]["compiled"] != runs[1]["compiled"]:
        c = next(r for r in runs if r["compiled"])
        notes.append(f"torch.compile compiled this model and trained with it on the GPU (about {c['measured']['warmup_s']:.0f} s "
                     "to compile); the runs shared the GPU differently, so their speeds do not compare compiled against eager.")
    return "\n".join(lines) + "\n" + " ".join(notes) + "\n"
