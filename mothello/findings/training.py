"""How the suite was trained, in words and tables: the later stages and what the last one bought, the
pace to the colour target, the warm restarts, the GPU stages, and where along a game the colour is lost."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import suite
from ..checkpoints import stage_games, stage_hours
from ..probes import PROBE_GAMES
from .pace import MIN_PACE_DOUBLINGS, colour_ends, model_games, to_target
from .text import millions, pct, pts
from .verdicts import COLOUR_TARGET, TARGET


def on_gpu(stage: dict) -> bool:
    """Whether a training stage ran on a GPU (its recorded device)."""
    return str(stage.get("device") or "").startswith("cuda")


def gpu_stages(numbers: dict) -> list[tuple[str, dict]]:
    """(model name, stage) of every suite model's stage that ran on a GPU."""
    return [(m["name"], x) for m in numbers["models"].values() for x in (m.get("trained") or {}).get("stages") or []
            if on_gpu(x)]


def games_per_s(stage: dict) -> float | None:
    """Games a training stage trained on per second of its wall-clock time; None without its timing."""
    h = stage_hours(stage)
    return stage_games(stage, suite.SUITE_TRAINING["batch_size"]) / (h * 3600) if h else None


def gpu_text(numbers: dict) -> str:
    """Which stages ran on a GPU and how fast, against the CPU stages ("No GPU ..." when none did)."""
    gpu = gpu_stages(numbers)
    if not gpu:
        return "No GPU was lent to these sessions. "
    cpu = [g for m in numbers["models"].values() for x in (m.get("trained") or {}).get("stages") or []
           if not on_gpu(x) and x.get("from") and (g := games_per_s(x))]
    fast = [g for _, x in gpu if (g := games_per_s(x))]
    names = sorted({x.get("device_name") or x["device"] for _, x in gpu})
    text = (f"One session was lent a GPU ({', '.join(names)}): the last stage of " + ", ".join(f"`{n}`" for n, _ in gpu)
            + " ran there, all at once on the one GPU (below)")
    if fast and cpu:
        text += (f", at {min(fast):,.0f}-{max(fast):,.0f} games/s each against {min(cpu):,.0f}-{max(cpu):,.0f} "
                 "games/s for the later stages on the CPU")
    return text + ". "


def how_trained(numbers: dict) -> str:
    """How the suite was trained, what is missing, and how to reproduce it."""
    tr = suite.SUITE_TRAINING
    lines = ["## How these models were trained\n",
             f"Every suite model: the `{tr['preset']}` preset (3 layers x 192, 6 heads, 1.4M parameters), "
             f"next-token prediction on fresh uniformly random games every step, batch {tr['batch_size']}, "
             f"{tr['steps']:,} steps ({tr['steps'] * tr['batch_size']:,} games), AdamW with lr {tr['lr']} "
             f"(warm-up {tr['warmup_steps']}, cosine to {tr['min_lr']}), fp32 on CPU (the first stage). On one core of this "
             "2-core machine a 2-language model trains at about 7,400 tokens/s (116 steps/min), so 12,000 steps "
             "take about 1.7 core-hours; the runs shared the machine with development and were paused and "
             "resumed across sessions (exact resume from the saved state). " + gpu_text(numbers) +
             f"Transfer runs: {suite.TRANSFER_SETTINGS['pretrain_steps']:,} pretraining steps on the restricted "
             f"distribution, then {suite.TRANSFER_SETTINGS['finetune_games']:,} games x "
             f"{suite.TRANSFER_SETTINGS['finetune_epochs']} epochs of fine-tuning on one language.\n"]
    staged = [(m["name"], m["trained"]["stages"]) for m in numbers["models"].values()
              if len(m.get("trained", {}).get("stages") or []) > 1]
    if staged:
        lines.append(stages_text(staged))
        lines += stage_gains(numbers)
        lines += restart_table(numbers)
    if numbers.get("variants"):
        lines.append(f"Fine-tuning variants ({', '.join(f'`{n}`' for n in numbers['variants'])}): the plain "
                     "run's fine-tuning with a part frozen, started from a copy of its pretrained model, so only the "
                     "fine-tuning and its measurements ran ("
                     + ", ".join(f"{v['minutes']:.0f} min" for v in numbers["variants"].values() if v.get("minutes"))
                     + " wall-clock on the shared CPU); they ship as tables, without weights.\n")
    if numbers.get("longer"):
        lines.append("Longer pretraining (" + "; ".join(
            f"`{n}`: {v['pretrain_steps']:,} pretraining steps in {v['dtype']}, then the same fine-tuning"
            + (f", {v['minutes'] / 60:.1f} h wall-clock on both cores" if v.get("minutes") else "")
            for n, v in numbers["longer"].items()) + ("); they ship" if len(numbers["longer"]) > 1 else "); it ships")
                     + " as tables, without weights.\n")
    timed = [(m["name"], m["train_hours"], m["step"]) for m in numbers["models"].values() if m.get("train_hours")]
    if timed:
        lines.append("Training time, read from each run's log (evaluation timestamps; the hours a run stood "
                     "paused between sessions are left out): "
                     + ", ".join(f"`{n}` {h:.1f} h for {s:,} steps" for n, h, s in timed)
                     + (", the first stages each on one CPU core shared with the other training and with "
                        "development, the later stages on both cores"
                        + (", the GPU stages on the lent GPU" if gpu_stages(numbers) else "") + ".\n" if staged else
                        ", each on one CPU core that it shared with the other training and with development.\n"))
    sw = numbers.get("sweep")
    anchors_step = next((m["step"] for m in numbers["models"].values() if m["name"] == "anchors-8"), None)
    if sw and sw.get("train_hours"):
        lines.append(f"Anchor sweep: {len(sw['train_hours'])} further runs of {sw['step']:,} steps each "
                     f"({', '.join(f'{k} anchors {h:.1f} h' for k, h in sw['train_hours'].items())}), one at a "
                     f"time on the same 2 cores, shared with development and at times with a fine-tuning run; "
                     f"the 8-anchor point is anchors-8's "
                     + ("final model" if sw["step"] == anchors_step else
                        "model at the end of its first stage (shipped as a snapshot)"
                        if sw["step"] == sw["schedule_steps"] else "snapshot at that step") + ".\n")
    have = {m["name"] for m in numbers["models"].values()}
    missing = [n for n in suite.SUITE if n not in have]
    missing += [f"transfer-{n}" for n in suite.TRANSFER
                if not any(t["run"] == n for t in numbers["transfer"].values())]
    if missing:
        lines.append("Not in `checkpoints/` yet (training continues; `make demo-suite` resumes it): "
                     + ", ".join(f"`{n}`" for n in missing) + ".\n")
    low = [m["name"] for m in numbers["models"].values() if m.get("legal_min") is not None and m["legal_min"] < 0.95]
    if low:
        lines.append("Below the 95% legal-move target: " + ", ".join(f"`{n}`" for n in low)
                     + ". More steps (or a GPU) would get further; the findings are read at this scale.\n")
    weak = [m["name"] for m in numbers["models"].values()
            if m.get("colour_in_language") is not None and m["colour_in_language"] < COLOUR_TARGET]
    if weak:
        lines.append(f"Below the {TARGET} target for the in-language colour probe (mine / theirs on occupied squares): "
                     + ", ".join(f"`{x}` ({pct(m['colour_in_language'])})" for x, m in
                                 ((m["name"], m) for m in numbers["models"].values()) if x in weak)
                     + ". These models know occupancy well and colour only partly" + (
                         f" (above the {pct(p['colour'])} of ignoring every flip: they track some flips, not all)"
                         if (p := numbers.get("placer")) else "")
                     + ", so every cross-lingual number here is about a partial world model.\n")
        mlp = [(m["name"], m) for m in numbers["models"].values()
               if m["name"] in weak and m.get("colour_in_language_mlp") is not None]
        if mlp:
            lines.append("Is it the probe? The study's reference probe, a 2-layer MLP (512 hidden) on the same games and "
                         "layer, reads the colour at " + ", ".join(
                             f"`{x}` {pct(m['colour_in_language_mlp'])} (linear {pct(m['colour_in_language'])})"
                             for x, m in mlp)
                         + (": no better, so the colour is missing from the models, not hidden from a linear probe.\n"
                            if all(m["colour_in_language_mlp"] < m["colour_in_language"] + 0.02 for _, m in mlp)
                            else ".\n"))
        lines += probe_games_lines([m for m in numbers["models"].values() if m["name"] in weak])
        lines += colour_by_move_table([m for m in numbers["models"].values() if m["name"] in weak])
    return "\n".join(lines)


PROBE_NAMES = {"linear": "the linear probe", "mlp": "the MLP probe"}   # the probes.KINDS, as the report names them


def probe_games_lines(models: list[dict]) -> list[str]:
    """Is the probe short of training games? Each model's probes (probes.probe_games: its first language, the
    table's layer) on the study's 1,000 games and on more, and what the most games give at best against the target."""
    ms = [m for m in models if m.get("probe_games")]
    if not ms:
        return []
    parts, gains, best = [], [], []
    for m in ms:
        pg = m["probe_games"]
        said = []
        for kind, by_n in pg["colour"].items():
            ns = sorted(by_n)
            lo, hi = by_n[ns[0]], by_n[ns[-1]]
            gains.append(hi - lo)
            best.append(hi)
            said.append(f"{PROBE_NAMES.get(kind, kind)} {pct(lo)} -> {pct(hi)} ({100 * (hi - lo):+.1f} points)")
        parts.append(f"`{m['name']}` ({pg['language']}): " + ", ".join(said))
    ns = sorted({n for m in ms for by_n in m["probe_games"]["colour"].values() for n in by_n})
    gap = COLOUR_TARGET - max(best)
    whose = "the study's " if ns[0] == PROBE_GAMES[0] else ""
    text = (f"Is it the probe's training games? The same probes on each model's first language at the same layer, "
            f"trained on {whose}{ns[0]:,} games and on {ns[-1]:,} (those {ns[0]:,} and {ns[-1] - ns[0]:,} more), "
            f"scored on the same test games: " + "; ".join(parts)
            + f". With {ns[-1] / ns[0]:g}x the games the colour moves {100 * min(gains):+.1f} to {100 * max(gains):+.1f} "
            f"points; the best reading, {pct(max(best))}, ")
    if gap <= 0:
        text += f"reaches the {TARGET} target.\n"
    else:
        text += (f"is {100 * gap:.1f} points short of the {TARGET} target"
                 + (": more games lift the probes by less than half the gap.\n" if max(gains) < gap / 2 else ".\n"))
    return [text]


def stage_notes(stage: dict) -> list[str]:
    """What sets a later stage apart from suite.STAGE_TRAINING (its learning rates, its number format, its
    batch), and its wall-clock time and where it ran when that was a GPU."""
    notes = []
    if stage.get("lr") not in (None, suite.STAGE_TRAINING["lr"]):
        notes.append(f"peak lr {stage['lr']:g}" + (f", cosine to {stage['min_lr']:g}" if stage.get("min_lr") else ""))
    if stage.get("warmup_steps") not in (None, suite.STAGE_TRAINING["warmup_steps"]):
        notes.append(f"warm-up {stage['warmup_steps']:,} steps")
    if stage.get("dtype") not in (None, suite.STAGE_TRAINING["dtype"]):
        notes.append(stage["dtype"])
    if stage.get("batch_size") not in (None, suite.SUITE_TRAINING["batch_size"]):
        notes.append(f"batch {stage['batch_size']:,}")
    if stage.get("init_optimizer"):
        notes.append("AdamW moments carried over")
    where = (f"on a GPU ({stage.get('device_name') or stage['device']})"
             if on_gpu(stage) else "")
    if (h := stage_hours(stage)) is not None:
        notes.append((f"{h * 60:.0f} min" if h < 1 else f"{h:.1f} h") + " wall-clock" + (f" {where}" if where else ""))
    elif where:
        notes.append(where)
    return notes


def stages_text(staged: list[tuple[str, list[dict]]]) -> str:
    """The later training stages of the models trained in stages (suite.STAGES), in words."""
    st_ = suite.STAGE_TRAINING
    parts = []
    for name, stages in staged:
        later = [s for s in stages[1:] if s.get("to") is not None]
        spans = ", ".join(f"{s['from']:,} -> {s['to']:,}" + (f" ({', '.join(notes)})" if (notes := stage_notes(s)) else "")
                          for s in later)
        parts.append(f"`{name}` {spans}")
    return ("Later stages: " + "; ".join(parts) + ". A later stage continues the model from where the previous "
            "stage ended, on the next games of the same stream, with a warm restart of the learning rate "
            f"(warm-up {st_['warmup_steps']} steps to {st_['lr']}, cosine to {st_['min_lr']}, unless noted) and a fresh "
            f"optimizer state unless noted, in {st_['dtype']} autocast unless noted (float32 weights): the shipped "
            "float16 model of the previous stage was its start, as the previous stage's optimizer state is not "
            "shipped (`python -m mothello suite --from-shipped`), except where the AdamW moments are carried "
            "over: that stage ran right after the one before it and started from its float32 weights and saved "
            "optimizer state (`python -m mothello train --init-optimizer`). On a CPU with native bfloat16 (AVX512-BF16 or AMX) "
            "bfloat16 trains about 2.3x faster than float32 (benchmarks/bench_train.py; 1.6x when these stages "
            "trained: since then a CPU computes the attention in float32, as PyTorch's bfloat16 attention kernel "
            "trains 1.5-1.6x slower there); a CPU that emulates bfloat16 trained about 17x slower in it, so there "
            "the suite trains these stages in float32.\n")


def stage_gains(numbers: dict) -> list[str]:
    """What the last stage bought each model trained in stages (against its model at the end of the
    stage before, at the same layer), and where the in-language colour probe would reach 90% at the pace
    per doubling of the steps its stages have kept so far (_colour_pace)."""
    rows, lines = [], []
    for m in numbers["models"].values():
        prev = m.get("previous_stage")
        if not prev or m.get("colour_in_language") is None:
            continue
        rows.append(f"| {m['name']} | {prev['step']:,} -> {m['step']:,} | {pct(prev['legal_min'])} -> "
                    f"{pct(m['legal_min'])} | {pct(prev['in_language'])} -> {pct(m['in_language'])} | "
                    f"{pct(prev['cross_lingual'])} -> {pct(m['cross_lingual'])} | "
                    f"{pct(prev['colour_in_language'])} -> {pct(m['colour_in_language'])} |")
        if (line := _colour_pace(m, prev)) is not None:
            lines.append(line)
    if not rows:
        return []
    head = ["What the last stage bought (layer as in the table above; legal moves: worst language):\n",
            "| model | steps | legal moves | in-language | cross-lingual | colour in-language |",
            "|---|---|---|---|---|---|", *rows, ""]
    return ["\n".join(head)] + ([" ".join(lines) + "\n"] if lines else [])


def _colour_pace(m: dict, prev: dict) -> str | None:
    """Where the in-language colour probe would reach 90% if every doubling of the games seen added what the
    stages so far added per doubling: with two stage ends, the last stage's gain; with more, the slope of a
    least-squares line through colour against log2(games) over every stage end shipped (one short last
    stage alone is too little to read a pace from: under MIN_PACE_DOUBLINGS it says so instead). Games, not
    steps: a stage with a larger batch sees more games a step. None at or past the target, or with no gain."""
    ends = colour_ends({**m, "previous_stage": prev})
    steps = sorted(ends)
    games = np.array([model_games(m, k) for k in steps], dtype=float)
    x, y = np.log2(games), np.array([ends[k] for k in steps])
    doublings = float(x[-1] - x[0])
    if doublings <= 0 or m["colour_in_language"] >= COLOUR_TARGET:
        return None
    if doublings < MIN_PACE_DOUBLINGS:
        return (f"`{m['name']}`: its shipped stage ends span only {doublings:.1f} doublings of the games seen "
                f"({steps[0]:,} to {steps[-1]:,} steps), too few to read a pace to {TARGET} colour from.")
    per = float(np.polyfit(x, y, 1)[0])  # through two stage ends: the last stage's gain per doubling
    if per <= 0:
        return None
    more, target = to_target(games[-1], m["colour_in_language"], per)
    target = round(target, -5)
    span = "one doubling" if abs(doublings - 1) < 0.05 else f"{doublings:.1f} doublings"
    said = (f"the colour probe gained {100 * (y[-1] - y[0]):.1f} points over the last stage ({span} of the games seen)"
            if len(steps) == 2 else
            f"over its {len(steps)} stage ends from {steps[0]:,} to {steps[-1]:,} steps ({span} of the games seen) "
            f"the colour probe gained {100 * per:.1f} points a doubling (least-squares line through colour against "
            "log2 games)")
    gpu = [x for x in (m.get("trained") or {}).get("stages") or [] if on_gpu(x)]
    rate = games_per_s(gpu[-1]) if gpu else None
    at_gpu = (f"; at the {rate:,.0f} games/s its GPU stage trained at (sharing the GPU), the rest would take about "
              f"{(target - games[-1]) / rate / 3600:.1f} GPU-hours" if rate else "")
    return (f"`{m['name']}`: {said}; at that pace {TARGET} would take about {more:.1f} more doublings, some "
            f"{millions(target)} in all ({millions(int(games[-1]))} so far){at_gpu}.")


def restart_table(numbers: dict) -> list[str]:
    """The dip after each later stage's warm restart (restart_dips), per model trained in stages; and, where
    a stage that carried the AdamW moments over follows one with the same schedule and a fresh optimizer,
    the two dips side by side: is the dip the fresh optimizer's or the learning rate's?"""
    rows, lines = [], []
    for m in numbers["models"].values():
        dips = m.get("restarts") or []
        for d in dips:
            back = "not back" if d["back"] is None else f"{d['back']:,}"
            warm = "n/a" if d["warmup_steps"] is None else f"{d['warmup_steps']:,} steps"
            rows.append(f"| {m['name']} | {d['from']:,} -> {d['to']:,} | {d['lr']:g}, {warm} | "
                        f"{'carried over' if d['carried'] else 'fresh'} | {pct(d['start'])} | {pct(d['low'])} at "
                        f"{d['low_step']:,} ({pts(d['low'] - d['start'])}) | {back} | {pct(d['end'])} |")
        for prev, d in zip(dips, dips[1:]):
            if d["carried"] and not prev["carried"] and (prev["lr"], prev["warmup_steps"]) == (d["lr"], d["warmup_steps"]) \
                    and prev["to"] == d["from"] and d["to"] - d["from"] == prev["to"] - prev["from"]:
                fresh, kept = prev["start"] - prev["low"], d["start"] - d["low"]
                if fresh < 0.005:  # no dip to explain
                    continue
                verdict = ("the dip is the fresh optimizer's" if kept < fresh / 2 else
                           "the dip is NOT the fresh optimizer's: the warm restart of the learning rate alone makes it"
                           if kept >= 0.8 * fresh else "carrying the moments over takes part of the dip away")
                lines.append(f"`{m['name']}`: two stages with the same schedule (peak lr {d['lr']:g}, warm-up "
                             f"{d['warmup_steps'] or 0:,} steps, {d['to'] - d['from']:,} steps), one after the other: with a "
                             f"fresh optimizer the model fell {100 * fresh:.1f} points, with the AdamW moments carried over "
                             f"{100 * kept:.1f} points: {verdict}.")
    if not rows:
        return []
    head = ["Warm restarts: each later stage warms its learning rate up again; the in-training evaluation "
            f"(legal moves, mean over the input languages, {suite.SUITE_TRAINING['eval_games']} games each) at the "
            "stage's start, the lowest it fell to inside the stage, the first evaluation back at the start's level, "
            "and at the stage's end:\n",
            "| model | steps | peak lr, warm-up | optimizer | at start | lowest | back by step | at end |",
            "|---|---|---|---|---|---|---|---|", *rows, ""]
    return ["\n".join(head)] + ([" ".join(lines) + "\n"] if lines else [])


def _turned_text(models: list[dict], span, where) -> str:
    """What passes cost the colour (colour_by_move's "turned" split), of the models that have it: the share of
    test positions where a pass has turned the order of the sides, the colour there and on the rest, beside the
    colour over all. "" when none has it."""
    have = [m for m in models if (m["colour_by_move"].get("turned") or {}).get("occupied")]
    if not have:
        return ""
    t = have[0]["colour_by_move"]["turned"]
    n, k = sum(t["boards"]), sum(t["boards_turned"])
    late = t["boards_turned"][-1] / t["boards"][-1] if t["boards"][-1] else 0.0
    there = [m["colour_by_move"]["turned"]["colour"] for m in have]
    rest = [m["colour_by_move"]["turned"]["colour_other"] for m in have]
    whole = [float(np.dot(m["colour_by_move"]["occupied"], m["colour_by_move"]["colour"])
                   / sum(m["colour_by_move"]["occupied"])) for m in have]
    coin = max(there) < 0.55
    return (f" A pass is not written in the move list: after one, the side to move next is not the one alternation "
            f"gives, and mine and theirs change places. On the {k:,} of the {n:,} test positions where a pass has "
            f"turned the order ({100 * k / n:.1f}%; {100 * late:.1f}% of {where(-1)}) the models read the colour at "
            f"{span(there)}" + (", no better than a coin: they do not see the passes" if coin else "")
            + f". On the other positions they read it at {span(rest)}, "
            f"{span([r - w for r, w in zip(rest, whole)], ' points')} above their colour over all positions"
            + (f": the passes explain little of the gap to the {TARGET} target." if max(rest) < COLOUR_TARGET else "."))


PLACER_ROW = "placer baseline (no flip tracked)"   # the colour read off the move list, every disc its placer's


def colour_by_move_frame(numbers: dict) -> pd.DataFrame:
    """Where along a game each shipped model reads the colour (probes.colour_by_move, stored at install), one row
    per model and stretch of the game (columns series: the model's name, moves '1-10', colour), then the placer
    baseline's rows (series PLACER_ROW). Empty when no model has it stored."""
    have = [m for m in numbers["models"].values() if m.get("colour_by_move")]
    rows = [{"series": m["name"], "moves": f"{a}-{b}", "colour": c} for m in have
            for (a, b), c in zip(m["colour_by_move"]["bins"], m["colour_by_move"]["colour"])]
    if have:
        first = have[0]["colour_by_move"]
        rows += [{"series": PLACER_ROW, "moves": f"{a}-{b}", "colour": c} for (a, b), c in zip(first["bins"],
                                                                                          first["placer"])]
    return pd.DataFrame(rows, columns=["series", "moves", "colour"])


def colour_by_move_table(models: list[dict]) -> list[str]:
    """Where along a game the models lose the colour (probes.colour_by_move, stored at install): a row per
    model and the placer baseline's row, by stretch of the game; then what the rows say. [] when no
    model has it stored."""
    have = [m for m in models if m.get("colour_by_move")]
    if not have:
        return []
    first = have[0]["colour_by_move"]
    bins = first["bins"]
    head = " | ".join(f"moves {a}-{b}" for a, b in bins)
    rows = [f"| {m['name']} | " + " | ".join(pct(v) for v in m["colour_by_move"]["colour"]) + " |" for m in have]
    rows.append(f"| {PLACER_ROW} | " + " | ".join(pct(v) for v in first["placer"]) + " |")
    curves = [m["colour_by_move"]["colour"] for m in have]
    placer = first["placer"]

    def span(xs: list[float], unit: str = "%") -> str:
        lo, hi = (f"{100 * x:.1f}" for x in (min(xs), max(xs)))
        return f"{lo}{unit}" if lo == hi else f"{lo}-{hi}{unit}"

    where = lambda k: f"moves {bins[k][0]}-{bins[k][1]}"  # noqa: E731
    if all(c.index(max(c)) == 0 and c.index(min(c)) == len(c) - 1 for c in curves):
        lead = [(c[0] - placer[0], c[-1] - placer[-1]) for c in curves]
        text = (f"Every model here reads the colour best in the opening ({span([c[0] for c in curves])} in "
                f"{where(0)}) and worst at the end of the game ({span([c[-1] for c in curves])} in "
                f"{where(-1)}); its lead over the placer baseline goes from {span([x for x, _ in lead], ' points')} "
                f"to {span([y for _, y in lead], ' points')}" + (
                    ": the models follow the flips of the opening and lose more of them the more have piled up."
                    if all(y < x for x, y in lead) else "."))
    else:
        text = "The models do not all lose the colour steadily along the game (see the rows)."
    above = [where(k) for k in range(len(bins)) if all(c[k] >= COLOUR_TARGET for c in curves)]
    text += (f" Every model reaches the {TARGET} target only in {', '.join(above)}." if above else
             f" No stretch of the game reaches the {TARGET} target in every model.")
    text += _turned_text(have, span, where)
    return ["Where along a game the colour is lost: the in-language linear probe at the table's layer, colour on "
            "occupied squares by the move the board follows (mean over the model's input languages; the "
            f"{sum(first['occupied']):,} occupied squares of the probe test positions), beside the placer "
            "baseline on the same positions:\n\n" + "\n".join([f"| model | {head} |", "|---" * (len(bins) + 1) + "|",
                                                              *rows]) + "\n", text + "\n"]
