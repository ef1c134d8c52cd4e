"""Which recorded runs make each trial: the selectors over findings.collect()'s records (by model, shape, objective,
recipe), their names, and where each trained."""

from __future__ import annotations

import numpy as np

from ... import suite
from ...languages import load_config
from ...train import TrainConfig
from ..numbers import run_decay, run_objective
from ..pace import colour_at_games, colour_per_doubling, model_games


DEPTH_MARGIN = 0.01       # colour closer than this (a deeper model against the shipped one; layer to layer) is alike


POOLING_REFERENCE = "mono-1"  # the pooling trial's one-language model (configs/mono-1.toml)


def _depth(numbers: dict) -> list[dict]:
    """The depth trials: the recorded GPU runs (gpu_stages --deepen, --scratch) that train next-token, as the
    shipped models do. A --scratch run on another objective (--objectives) is an objective trial, not a depth
    trial, and is left out of the depth section and its figure."""
    return [r for r in numbers.get("depth") or [] if run_objective(r) == "next-token"]


def _best(r: dict) -> dict:
    """A recorded run's alignment numbers at its best layer (where its in-language colour probe is best)."""
    al = r["alignment"]
    return {"layer": al["best_layer"], **al["layers"][str(al["best_layer"])]}


def grown_pace(m: dict, r: dict) -> float | None:
    """The colour the shipped model `m`'s own pace (colour_per_doubling, over its stage ends) gives after the games
    the grown-deeper run `r` added on it; None without a pace, or when `r` did not start at `m`'s step."""
    per = colour_per_doubling(m) if m else None
    if per is None or m.get("step") != r["from_step"]:
        return None
    added = (r["step"] - r["from_step"]) * r["batch_size"]
    return m["colour_in_language"] + per * float(np.log2(1 + added / model_games(m, r["from_step"])))


def _depth_alone(fresh: list[dict], m: dict | None) -> bool:
    """Whether the depth trials from scratch `fresh` changed only the depth of the shipped model `m`."""
    width = m.get("d_model") if m else None
    return width is not None and all(r["d_model"] == width for r in fresh)


def depth_no_faster(numbers: dict) -> list[dict]:
    """The depth trials from scratch when the depth section finds them, deeper at the shipped model's width,
    learning the colour no faster per game seen than the shipped model (within DEPTH_MARGIN); [] otherwise."""
    fresh = [r for r in _depth(numbers) if r["kind"] == "scratch"]
    m = next((x for x in numbers["models"].values() if fresh and x["name"] == fresh[0]["experiment"]), None)
    if not _depth_alone(fresh, m):
        return []
    ahead = [_best(r)["colour_in_language"] - there for r in fresh
             if (there := colour_at_games(m, r["step"] * r["batch_size"])) is not None]
    return fresh if ahead and max(ahead) <= DEPTH_MARGIN else []


def _scratch(numbers: dict, any_decay: bool = False) -> list[dict]:
    """The recorded runs from scratch (the width and objective trials), not the shipped model trained on; at the
    suite's weight decay unless `any_decay` (the weight-decay trial's runs at others are its own)."""
    return [r for r in numbers.get("width") or [] if not r.get("from_step")
            and (any_decay or run_decay(r) == TrainConfig.weight_decay)]


def _next_token_first(runs: list[dict]) -> list[dict]:
    """Runs of one comparison, the next-token one first; [] unless there is one and another objective's."""
    found = sorted(runs, key=lambda r: (run_objective(r) != "next-token", run_objective(r)))
    return found if len(found) >= 2 and run_objective(found[0]) == "next-token" else []


def _recipe_of(r: dict) -> tuple:
    """A recorded run's recipe: its steps (the learning rate's schedule spans them), batch and rates."""
    return tuple(r[k] for k in ("steps", "batch_size", "lr", "min_lr", "warmup_steps"))


def _next_token_group(numbers: dict) -> list[dict]:
    """The next-token runs from scratch of the model and recipe recorded at the most shapes (the first such in
    the record; the other models' runs are the pooling trial's): the width trial's, and the depth under the
    sampled move's; [] when every model and recipe has one shape and there are several."""
    runs = [r for r in _scratch(numbers) if run_objective(r) == "next-token"]
    shapes: dict[tuple, set] = {}
    for r in runs:
        shapes.setdefault((r["experiment"], _recipe_of(r)), set()).add((r["n_layer"], r["d_model"]))
    if not shapes:
        return []
    best = max(shapes, key=lambda e: len(shapes[e]))
    if len(shapes[best]) < 2 and len(shapes) > 1:  # one shape each: models compared (the pooling trial), no widths
        return []
    return [r for r in runs if (r["experiment"], _recipe_of(r)) == best]


def _by_shape(numbers: dict) -> list[dict]:
    """The width trials: _next_token_group's runs at the depth of its narrowest run, narrowest first (a run there
    at another depth is not a width: next_token_depth_runs); [] when that leaves one run of several."""
    group = _next_token_group(numbers)
    if not group:
        return []
    depth = min(group, key=lambda r: (r["d_model"], r["n_layer"]))["n_layer"]
    found = sorted((r for r in group if r["n_layer"] == depth), key=lambda r: r["d_model"])
    return found if len(found) >= 2 or len(found) == len(group) else []


def _objective_pairs(numbers: dict) -> list[list[dict]]:
    """The objective trials: for the model and shape of the first recorded run from scratch with another
    objective than next-token, the runs of each recipe that has a next-token run and another objective's
    (next-token first), shortest recipe first: the trial, then the trial carried on further."""
    runs = _scratch(numbers)
    other = next((r for r in runs if run_objective(r) != "next-token"), None)
    if other is None:
        return []
    groups: dict[tuple, list[dict]] = {}
    for r in runs:
        if (r["experiment"], r["n_layer"], r["d_model"]) == (other["experiment"], other["n_layer"], other["d_model"]):
            groups.setdefault(_recipe_of(r), []).append(r)
    return [p for _, g in sorted(groups.items()) if (p := _next_token_first(g))]


def objective_longer(numbers: dict) -> list[list[dict]]:
    """The objective trial carried on: the pairs of _objective_pairs after the first (longer recipes)."""
    return _objective_pairs(numbers)[1:]


def _config(name: str):
    """The experiment config of a recorded run's or shipped model's experiment (configs/NAME.toml)."""
    return load_config(suite.CONFIGS / f"{name}.toml")


def _inputs(r: dict) -> int:
    """How many languages a recorded run's model reads (its experiment config's input languages)."""
    return len(_config(r["experiment"]).input_languages)


def _types(r: dict) -> list[str]:
    """The kinds of language (atomic, split, compositional) a recorded run's model reads, sorted."""
    exp = _config(r["experiment"])
    return sorted({exp.languages[i].type for i in exp.input_languages})


def pooling_runs(numbers: dict) -> list[dict]:
    """The pooling trial: the recorded next-token runs from scratch with the one-language reference's
    (POOLING_REFERENCE) shape and recipe, the reference first, then by how many languages each model
    reads; [] without the reference and another model."""
    runs = [r for r in _scratch(numbers) if run_objective(r) == "next-token"]
    ref = next((r for r in runs if r["experiment"] == POOLING_REFERENCE), None)
    if ref is None:
        return []
    keys = ("n_layer", "d_model", "steps", "batch_size", "lr", "min_lr", "warmup_steps")
    found = sorted((r for r in runs if all(r[k] == ref[k] for k in keys)), key=lambda r: (_inputs(r), r["experiment"]))
    return found if len(found) >= 2 else []


def _trained_on(numbers: dict) -> list[dict]:
    """The shipped model trained on (width_trial --continue): the recorded runs that continue the first such
    run's model from its step, next-token first; [] without a next-token run and another objective's. (A
    later stage of a trial run, width_trial --carry-on, names the run it trains on: not these.)"""
    runs = [r for r in numbers.get("width") or [] if r.get("from_step") and not r.get("from_run")]
    if not runs:
        return []
    key = (runs[0]["experiment"], runs[0]["from_step"])
    return _next_token_first([r for r in runs if (r["experiment"], r["from_step"]) == key])


def carried_stages(numbers: dict, r: dict) -> list[dict]:
    """The later stages of the recorded run from scratch `r` (width_trial --carry-on), in order: each trains
    the model of the one before (`r` first) on from its last step, at its model, shape, objective and batch;
    [] without."""
    keys = ("experiment", "n_layer", "d_model", "batch_size")
    stages, last = [], r
    while nxt := next((x for x in numbers.get("width") or [] if x.get("from_run") and x["from_step"] == last["steps"]
                       and all(x[k] == last[k] for k in keys) and run_objective(x) == run_objective(last)), None):
        stages.append(nxt)
        last = nxt
    return stages


def _shape(r: dict) -> str:
    return f"{r['n_layer']} x {r['d_model']}"


def _pooling_name(r: dict) -> str:
    n = _inputs(r)
    return f"{r['experiment']} ({n} language{'s' if n > 1 else ''})"


def further_runs(numbers: dict) -> list[dict]:
    """The exact target carried further: the recorded runs from scratch of the objective trial's model, shape
    and other objective, at its batch, rates and warm-up, longer than its longest pair and with no next-token
    run of their length beside them (the shipped model, which trains next-token, stands in for one), shortest
    first; [] without the objective trial."""
    pairs = _objective_pairs(numbers)
    if not pairs:
        return []
    sampled, exact = pairs[-1][0], pairs[-1][-1]
    keys = ("experiment", "n_layer", "d_model", "batch_size", "lr", "min_lr", "warmup_steps")
    runs = _scratch(numbers)
    paired = {r["steps"] for r in runs if run_objective(r) == "next-token" and all(r[k] == sampled[k] for k in keys)}
    return sorted((r for r in runs if all(r[k] == exact[k] for k in keys) and run_objective(r) == run_objective(exact)
                   and r["steps"] > exact["steps"] and r["steps"] not in paired), key=lambda r: r["steps"])


def _run_name(r: dict) -> str:
    return f"{run_objective(r)}, {r['steps']:,} steps"


def stage_peak(x: dict) -> float | None:
    """A later stage's own peak learning rate (width_trial --carry-on STEPS@LR), None at the suite's warm
    restart's (suite.STAGE_TRAINING)."""
    return x["lr"] if x["lr"] != suite.STAGE_TRAINING["lr"] else None


def _peak_note(x: dict) -> str:
    """' (peak lr 0.0002)' for a stage with its own peak (stage_peak), else ''."""
    return f" (peak lr {p:g})" if (p := stage_peak(x)) else ""


def _stage_names(r: dict, stages: list[dict]) -> list[str]:
    """The names of run `r`'s later stages (carried_stages): 'legal-set, 24,000 + 24,000 steps', ...; a stage
    with its own peak says it: '..., 24,000 + 24,000 steps (peak lr 0.0002)'."""
    parts = [f"{r['steps']:,}"] + [f"{x['steps'] - x['from_step']:,}" for x in stages]
    return [f"{run_objective(r)}, {' + '.join(parts[:k + 2])} steps{_peak_note(x)}" for k, x in enumerate(stages)]


def _shipped_model(numbers: dict, name: str) -> dict | None:
    return next((m for m in numbers["models"].values() if m["name"] == name), None)


def ladder_runs(numbers: dict) -> list[dict]:
    """The depth ladder: the recorded runs from scratch of the exact target carried further (further_runs'
    shortest: its model, width, objective and recipe) at every depth, shallowest first; [] without a run of
    another depth beside it."""
    further = further_runs(numbers)
    if not further:
        return []
    r0 = further[0]
    keys = ("experiment", "d_model", "steps", "batch_size", "lr", "min_lr", "warmup_steps")
    found = sorted((r for r in _scratch(numbers) if all(r[k] == r0[k] for k in keys)
                    and run_objective(r) == run_objective(r0)), key=lambda r: r["n_layer"])
    return found if len({r["n_layer"] for r in found}) >= 2 else []


def _reached_end(r: dict) -> bool:
    """Whether a recorded run's snapshots reach its schedule's end (not stopped part-way)."""
    return r["points"][-1]["step"] >= r["steps"]


def _host(r: dict) -> str:
    """The device a recorded run trained on: 'CPU, 2 threads', 'CPU (AMD EPYC), 2 threads' where its record names
    the CPU's model (runs recorded since the trainer wrote it), 'NVIDIA H100 80GB HBM3'."""
    return (r["device"] + (f" ({r['cpu']})" if r.get("cpu") else "")
            + (f", {r['threads']} threads" if r.get("threads") else ""))


def _machine(r: dict) -> str:
    """Where a recorded run trained: 'CPU, 2 threads, PyTorch 2.13.0+cpu'."""
    return f"{_host(r)}, PyTorch {r['torch']}"


def _setup(r: dict) -> str:
    """Where a recorded run trained and in what number format: 'CPU, 2 threads, PyTorch 2.13.0+cpu, bfloat16'.
    Two CPU runs that differ in it trained on different CPUs (train.use_bfloat16 picks bfloat16 where the CPU
    computes it natively), whose speeds do not compare."""
    return f"{_machine(r)}, {r['dtype']}"


def lr_runs(numbers: dict) -> list[dict]:
    """The learning-rate trial: for the first recorded run from scratch at another peak rate than the suite's,
    the runs from scratch of its model, shape, objective, length, batch and warm-up at every peak rate (each
    cosine to a tenth of its peak), lowest rate first; [] without a run at the suite's rate among them."""
    runs = _scratch(numbers)
    other = next((r for r in runs if r["lr"] != suite.SUITE_TRAINING["lr"]), None)
    if other is None:
        return []
    keys = ("experiment", "n_layer", "d_model", "steps", "batch_size", "warmup_steps")
    found = sorted((r for r in runs if all(r[k] == other[k] for k in keys)
                    and run_objective(r) == run_objective(other) and np.isclose(r["min_lr"], r["lr"] / 10)),
                   key=lambda r: r["lr"])
    return found if len(found) >= 2 and any(r["lr"] == suite.SUITE_TRAINING["lr"] for r in found) else []


def _rate_name(r: dict) -> str:
    return f"lr {r['lr']:g}"


def batch_runs(numbers: dict) -> list[dict]:
    """The batch trial: for the first recorded run from scratch at another batch than the suite's, the runs from
    scratch of its model, shape, objective, rates and warm-up over as many games (steps x batch) at every batch,
    the largest batch first; [] without a run at the suite's batch among them."""
    runs, suite_batch = _scratch(numbers), suite.SUITE_TRAINING["batch_size"]
    other = next((r for r in runs if r["batch_size"] != suite_batch), None)
    if other is None:
        return []
    keys = ("experiment", "n_layer", "d_model", "lr", "min_lr", "warmup_steps")
    found = sorted((r for r in runs if all(r[k] == other[k] for k in keys) and run_objective(r) == run_objective(other)
                    and r["steps"] * r["batch_size"] == other["steps"] * other["batch_size"]),
                   key=lambda r: -r["batch_size"])
    return found if len(found) >= 2 and any(r["batch_size"] == suite_batch for r in found) else []


def _batch_name(r: dict) -> str:
    return f"batch {r['batch_size']}"


def decay_runs(numbers: dict) -> list[dict]:
    """The weight-decay trial: for the first recorded run from scratch at another AdamW weight decay than the
    suite's, the runs from scratch of its model, shape, objective and recipe (_recipe_of) at every weight decay,
    lowest first; [] without a run at the suite's among them."""
    runs = _scratch(numbers, any_decay=True)
    other = next((r for r in runs if run_decay(r) != TrainConfig.weight_decay), None)
    if other is None:
        return []
    keys = ("experiment", "n_layer", "d_model")
    found = sorted((r for r in runs if all(r[k] == other[k] for k in keys) and _recipe_of(r) == _recipe_of(other)
                    and run_objective(r) == run_objective(other)), key=run_decay)
    return found if len(found) >= 2 and any(run_decay(r) == TrainConfig.weight_decay for r in found) else []


def _decay_name(r: dict) -> str:
    return f"weight decay {run_decay(r):g}"


def _where(r: dict) -> str:
    """Where and how a recorded run trained: 'CPU, 2 threads, bfloat16, PyTorch 2.13.0+cpu, 2026-12-05'."""
    return f"{_host(r)}, {r['dtype']}, PyTorch {r['torch']}, {r['started'][:10]}"


def narrow_runs(numbers: dict) -> list[dict]:
    """Deeper and narrower: the recorded runs from scratch with the depth ladder's model, objective and recipe
    (ladder_runs: its steps, batch and rates) at another width than the ladder's, deepest first; [] without the
    ladder."""
    ladder = ladder_runs(numbers)
    if not ladder:
        return []
    r0 = ladder[0]
    keys = ("experiment", "steps", "batch_size", "lr", "min_lr", "warmup_steps")
    return sorted((r for r in _scratch(numbers) if all(r[k] == r0[k] for k in keys)
                   and run_objective(r) == run_objective(r0) and r["d_model"] != r0["d_model"]),
                  key=lambda r: (-r["n_layer"], r["d_model"]))


def _spec(r: dict) -> str:
    return f"{r['n_layer']}x{r['d_model']}"


def narrow_beside(numbers: dict) -> list[dict]:
    """The depth ladder's runs the deeper-and-narrower runs stand beside, shallowest first: the shapes measured
    beside them (width_trial --speed-beside), else the whole ladder; [] without such runs."""
    narrow = narrow_runs(numbers)
    if not narrow:
        return []
    ladder = ladder_runs(numbers)
    named = {k for r in narrow for k in (r.get("beside") or {})}
    return [r for r in ladder if _spec(r) in named] or ladder


def next_token_depth_runs(numbers: dict) -> list[dict]:
    """Depth under the sampled move: _next_token_group's runs (the width trial's model and recipe, next-token) at
    the width of its narrowest run, at two depths or more, shallowest first; [] otherwise. Beside the depth ladder
    (legal-set at the same batch) they ask whether the objective is what lets the depth count."""
    group = _next_token_group(numbers)
    if not group:
        return []
    width = min(r["d_model"] for r in group)
    found = sorted((r for r in group if r["d_model"] == width), key=lambda r: r["n_layer"])
    return found if len({r["n_layer"] for r in found}) >= 2 else []


def _with_objective(r: dict) -> str:
    """'6 x 192, next-token'."""
    return f"{_shape(r)}, {run_objective(r)}"


def next_token_depth_ladder(numbers: dict) -> list[dict]:
    """The depth ladder's runs (legal-set) at the shallowest and the deepest shape of next_token_depth_runs; []
    unless the ladder has both."""
    runs = next_token_depth_runs(numbers)
    ladder = {(r["n_layer"], r["d_model"]): r for r in ladder_runs(numbers)}
    found = [ladder.get((r["n_layer"], r["d_model"])) for r in runs[:1] + runs[-1:]] if runs else []
    return found if found and all(found) else []


def next_token_depth_exact(numbers: dict) -> list[dict]:
    """The depth under the sampled move's own recipe on the exact target: the runs from scratch of
    next_token_depth_runs' model and recipe with another objective (one objective: the shallow run's) at its
    shallowest and its deepest shape, shallowest first; [] unless both are recorded. With them the trial is two
    depths by two objectives on one recipe, where the depth ladder's schedule is longer."""
    runs = next_token_depth_runs(numbers)
    if not runs:
        return []
    r0 = runs[0]
    others = [r for r in _scratch(numbers) if run_objective(r) != "next-token" and r["experiment"] == r0["experiment"]
              and _recipe_of(r) == _recipe_of(r0)]

    def shape(r: dict) -> tuple:
        return r["n_layer"], r["d_model"]

    shallow = next((r for r in others if shape(r) == shape(r0)), None)
    deep = shallow and next((r for r in others if shape(r) == shape(runs[-1])
                             and run_objective(r) == run_objective(shallow)), None)
    return [shallow, deep] if deep else []
