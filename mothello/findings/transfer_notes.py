"""The transfer experiment in tables and sentences: the plain runs, which language a fine-tuned model
answers in, where in the weights a fallen language's loss sits, the fine-tuning variants and the longer
pretrainings beside their plain runs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..transfer import ANSWERS_SHIFTED, RESTORE_FALL, gave_back
from .text import pct, pts, ratio
from .verdicts import RULES


def transfer_rows(numbers: dict) -> pd.DataFrame:
    rows = []
    for role, t in numbers["transfer"].items():
        rows.append({"run": t["run"], "fine-tuned": t["fine-tuned"],
                     "fine-tuned before -> after": f"{pct(t['fine-tuned before'])} -> {pct(t['fine-tuned after'])}",
                     "others before -> after": f"{pct(t['others before'])} -> {pct(t['others after'])}",
                     "each other language (points)": " · ".join(f"{lang} {100 * (b1 - b0):+.1f}"
                                                       for lang, (b0, b1) in t.get("per language", {}).items()),
                     "transfer ratio": ratio(t["transfer ratio"])})
    return pd.DataFrame(rows)


def answer_notes(numbers: dict) -> list[str]:
    """One line per language not fine-tuned in each transfer run with separate output vocabularies."""
    lines = []
    for t in numbers["transfer"].values():
        for a in t.get("answers") or []:
            ft, lang = a["fine-tuned"], a["language"]
            both = a["answers in fine-tuned language"] + a["answers in own language"]
            line = (f"- `{t['run']}`, fine-tuned on {ft}: reading {lang}, {pct(a['answers in fine-tuned language'])} "
                    f"of its greedy next tokens are {ft} tokens and {pct(a['answers in own language'])} are {lang} "
                    f"tokens{' (an anchor token is both)' if both > 1.001 else ''}. Its legal moves: "
                    f"{pct(a['before'])} before fine-tuning, {pct(a['legal'])} after, and "
                    f"{pct(a['legal among own tokens'])} when limited to {lang}'s own tokens")
            if a["answers in fine-tuned language"] >= ANSWERS_SHIFTED:
                line += f": fine-tuning moved its answers to {ft}'s vocabulary"
                if a["legal among own tokens"] > a["before"] + 0.05:
                    line += (f", and beneath that shift its {lang} moves did improve (a transfer that separate "
                             "output tokens hide).")
                elif a["legal among own tokens"] >= 0.5 * a["before"]:
                    line += (f"; beneath that shift it still knows {lang}'s moves, no better than before "
                             "fine-tuning (no transfer there either).")
                else:
                    line += f", and even among {lang}'s own tokens it lost most of what it knew."
            else:
                line += "."
            lines.append(line)
    return lines


def restore_notes(numbers: dict) -> list[str]:
    """One line per language not fine-tuned that fell by RESTORE_FALL or more in a transfer run: the one
    part of the weights whose pretrained values bring it back furthest, and what that costs the
    fine-tuned language."""
    lines = []
    for t in numbers["transfer"].values():
        ft = t["fine-tuned"]
        for r in t.get("restored") or []:
            if r["before"] - r["after"] < RESTORE_FALL:
                continue
            line = (f"- `{t['run']}`, fine-tuned on {ft}: {r['language']} fell from {pct(r['before'])} to "
                    f"{pct(r['after'])}. ")
            share = f"{100 * r['recovered']:.0f}%" if np.isfinite(r["recovered"]) else "n/a"
            rec = r["recovered"] if np.isfinite(r["recovered"]) else 0.0
            if rec < 1 / 3:
                line += (f"No single part carries the loss: the one that brings it back furthest, {r['part']}, "
                         f"reaches {pct(r['with part'])} ({share} of its loss; {ft} then "
                         f"{pct(r['finetuned with part'])}).")
            else:
                line += (f"Restoring {r['part']} alone brings it back to {pct(r['with part'])} ({share} of its loss), "
                         f"while {ft} keeps {pct(r['finetuned with part'])} (fine-tuned: {pct(r['finetuned after'])}): "
                         + ("the loss sits mostly there." if rec >= 2 / 3 else
                            "a large share of the loss sits there, the rest is spread over the model."))
            lines.append(line)
    return lines


def own_ratio(t: dict, lang: str) -> float:
    """A language not fine-tuned: its gain over the fine-tuned language's gain in transfer numbers `t`
    (nan when that language is missing, or the fine-tuned one gained no more than half a point)."""
    gain = t["fine-tuned after"] - t["fine-tuned before"]
    b0, b1 = t["per language"].get(lang, (np.nan, np.nan))
    return (b1 - b0) / gain if gain > 0.005 else np.nan


def _beside_plain(numbers: dict, key: str):
    """(folder name, numbers, its plain run's numbers) for each side run in numbers[key] ('variants' or
    'longer') whose plain transfer run is measured too."""
    by_run = {t["run"]: t for t in numbers["transfer"].values()}
    for name, v in numbers.get(key, {}).items():
        base = by_run.get(v["base"].removeprefix("transfer-"))
        if base is not None:
            yield name, v, base


def variant_rows(numbers: dict) -> pd.DataFrame:
    """Per variant and language: pretrained, fine-tuned as in the study, fine-tuned in the variant."""
    rows = []
    for name, v, base in _beside_plain(numbers, "variants"):
        ft = v["fine-tuned"]
        langs = {ft: (v["fine-tuned before"], v["fine-tuned after"], base["fine-tuned after"])}
        for lang, (b0, b1) in v["per language"].items():
            langs[lang] = (b0, b1, base["per language"].get(lang, (np.nan, np.nan))[1])
        for lang, (before, after, study) in langs.items():
            rows.append({"variant": v["variant"], "language": lang + (" (fine-tuned)" if lang == ft else ""),
                         "pretrained": pct(before), "fine-tuned (study's protocol)": pct(study),
                         "fine-tuned, variant": pct(after)})
    return pd.DataFrame(rows)


def variant_notes(numbers: dict) -> list[str]:
    """One line per variant: its transfer ratio beside its plain run's."""
    lines = []
    for name, v, base in _beside_plain(numbers, "variants"):
        lines.append(f"- `{name}`: fine-tuned on {v['fine-tuned']} with {v['variant']}, from `{v['base']}`'s "
                     f"pretrained model and with its settings otherwise. The others' mean goes "
                     f"{pct(v['others before'])} -> {pct(v['others after'])} (study's protocol: "
                     f"{pct(base['others after'])}), {v['fine-tuned']} {pct(v['fine-tuned before'])} -> "
                     f"{pct(v['fine-tuned after'])} (study's protocol: {pct(base['fine-tuned after'])}); transfer "
                     f"ratio {ratio(v['transfer ratio'])} (study's protocol: {ratio(base['transfer ratio'])}).")
        restored = {r["language"]: r for r in base.get("restored") or []}
        moved = {r["language"]: r for r in v.get("restored") or []}
        for lang, (b0, b1) in base["per language"].items():
            if b0 - b1 < RESTORE_FALL or lang not in v["per language"]:
                continue
            after = v["per language"][lang][1]
            saved = (after - b1) / (b0 - b1)
            line = (f"- {lang}: the study's fine-tuning costs it {pts(b0 - b1).lstrip('+')}; with {v['variant']} "
                    f"it loses {pts(b0 - after).lstrip('+')}, so freezing saves {saved:.0%} of that loss")
            r = restored.get(lang)
            if r is not None and r["part"] in v["frozen"]:
                line += f" (putting {r['part']} back after the study's fine-tuning brought back {r['recovered']:.0%})"
            m = moved.get(lang)
            if saved < 2 / 3 and m is not None and m["part"] not in v["frozen"]:
                line += (f". Held fixed, fine-tuning finds another route: in the variant, the part that brings "
                         f"{lang} back furthest is {m['part']} (to {pct(m['with part'])}, {m['recovered']:.0%} of its "
                         "remaining loss)")
            lines.append(line + ".")
    return lines


def longer_rows(numbers: dict) -> pd.DataFrame:
    """One row per language: before -> after fine-tuning at the plain run's pretraining length and at each
    longer run's (one column per length; a `run` column when longer runs stand beside several plain runs)."""
    rows, bases, steps = {}, set(), set()
    for name, v, base in _beside_plain(numbers, "longer"):
        ft = v["fine-tuned"]
        langs = {ft: ((base["fine-tuned before"], base["fine-tuned after"]),
                      (v["fine-tuned before"], v["fine-tuned after"]))}
        for lang, ends in v["per language"].items():
            langs[lang] = (base["per language"].get(lang, (np.nan, np.nan)), ends)
        for lang, ((a0, a1), (b0, b1)) in langs.items():
            row = rows.setdefault((base["run"], lang), {"run": base["run"],
                                                        "language": lang + (" (fine-tuned)" if lang == ft else "")})
            for n, x0, x1 in ((v["base_pretrain_steps"], a0, a1), (v["pretrain_steps"], b0, b1)):
                row[f"pretrained {n:,} steps"] = f"{pct(x0)} -> {pct(x1)} ({pts(x1 - x0)})"
                steps.add(n)
        bases.add(base["run"])
    df = pd.DataFrame(list(rows.values()))
    if df.empty:
        return df
    return df[(["run"] if len(bases) > 1 else []) + ["language"] + [f"pretrained {n:,} steps" for n in sorted(steps)]]


def longer_notes(numbers: dict) -> list[str]:
    """One line per longer-pretraining run: its transfer ratio beside its plain run's, against the rule."""
    lines = []
    for name, v, base in _beside_plain(numbers, "longer"):
        r = v["transfer ratio"]
        meets = np.isfinite(r) and r >= RULES["transfer"]
        lines.append(f"- `{name}`: the others' mean goes {pct(v['others before'])} -> {pct(v['others after'])} "
                     f"({pts(v['others gain'])}; at {v['base_pretrain_steps']:,} steps {pts(base['others gain'])}), "
                     f"transfer ratio {ratio(r)} (at {v['base_pretrain_steps']:,} steps {ratio(base['transfer ratio'])}; "
                     f"rule: at least {RULES['transfer']}): " + ("the transfer half of finding 4 holds at this "
                     "pretraining length." if meets else "the transfer half of finding 4 still does not hold.")
                     + _best_note(v.get("best"), v.get("base best"), v["base_pretrain_steps"], v["others gain"],
                                  v["fine-tuning steps"]))
    return lines


def longer_trend(numbers: dict) -> list[str]:
    """One line per plain run with longer pretrainings beside it: the transfer ratio and, per language not
    fine-tuned, its own ratio (its gain over the fine-tuned language's) at every pretraining length, and
    which languages follow the fine-tuned one (own ratio at least the rule's) at every length, at some, at none."""
    runs: dict[str, tuple[dict, dict[int, dict]]] = {}
    for _, v, base in _beside_plain(numbers, "longer"):
        _, by_steps = runs.setdefault(base["run"], (base, {v["base_pretrain_steps"]: base}))
        by_steps[v["pretrain_steps"]] = v
    lines = []
    for base, by_steps in runs.values():
        if len(by_steps) < 3:  # the plain run and one longer one: the table and the run's line say it all
            continue
        steps = sorted(by_steps)
        ft = base["fine-tuned"]
        own = {lang: [own_ratio(by_steps[n], lang) for n in steps] for lang in base["per language"]}
        follows = {lang: sum(np.isfinite(r) and r >= RULES["transfer"] for r in rs) for lang, rs in own.items()}
        groups = {"at every length": [l for l, k in follows.items() if k == len(steps)],
                  "at some lengths": [l for l, k in follows.items() if 0 < k < len(steps)],
                  "at none": [l for l, k in follows.items() if k == 0]}
        held = [n for n in steps if np.isfinite(by_steps[n]["transfer ratio"])
                and by_steps[n]["transfer ratio"] >= RULES["transfer"]]
        slash = " / ".join
        lines.append(
            f"Across pretraining lengths {slash(f'{n:,}' for n in steps)} steps, the transfer ratio is "
            f"{slash(ratio(by_steps[n]['transfer ratio']) for n in steps)}; each language not fine-tuned, its "
            f"own gain over {ft}'s: "
            + "; ".join(f"{lang} {slash(ratio(r) for r in rs)}" for lang, rs in own.items()) + ". "
            + ("More pretraining does not bring the transfer half of finding 4 at these lengths. " if not held else
               f"The transfer half of finding 4 holds at {slash(f'{n:,}' for n in held)} steps. ")
            + f"Following {ft} (own ratio at least {RULES['transfer']}): "
            + "; ".join(f"{', '.join(ls)} {when}" for when, ls in groups.items() if ls) + ".")
    return lines


def _best_note(best: dict | None, base_best: dict | None, base_steps: int, end_gain: float, last: int) -> str:
    """Where along fine-tuning the others stood highest (transfer.best_snapshot), when that was a rise
    that the end of fine-tuning (step `last`, the others' gain `end_gain`) gave back."""
    if not base_best or not gave_back(best, end_gain, last):
        return ""
    return (f" Along fine-tuning the others stood highest at step {best['step']:,}: {pts(best['others gain'])} "
            f"while the fine-tuned language had gained {pts(best['fine-tuned gain'])} (ratio "
            f"{ratio(best['transfer ratio'])}; at {base_steps:,} steps: step {base_best['step']:,}, "
            f"{pts(base_best['others gain'])}, ratio {ratio(base_best['transfer ratio'])}): what transfer there is "
            "comes early, and further fine-tuning takes it back.")
