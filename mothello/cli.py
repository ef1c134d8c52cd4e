"""Command line: `python -m mothello COMMAND ...`. Each command calls the same functions the pages do.

Bad input ends with one line on stderr (`error: ...`) and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np


def _progress(total: int, desc: str, unit: str = "it"):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, unit_scale=True, dynamic_ncols=True,
                disable=None)  # disable=None: no bar when stderr is not a terminal


def cmd_generate(args) -> int:
    from .storage import save_npy
    from .othello import generate_games

    out = Path(args.out)
    if out.suffix != ".npy":
        raise ValueError(f"--out must end in .npy, got {out}")
    prefix = args.prefix.split(",") if args.prefix else None
    games = np.empty((args.n, 60), dtype=np.int8)
    chunk = 50_000
    with _progress(args.n, "generating", unit="games") as bar:
        for start in range(0, args.n, chunk):
            stop = min(start + chunk, args.n)
            games[start:stop] = generate_games(stop - start, seed=args.seed, prefix=prefix, first_index=start)
            bar.update(stop - start)
    save_npy(out, games)
    lengths = (games >= 0).sum(1)
    print(f"wrote {args.n} games to {out} (seed {args.seed}; mean length {lengths.mean():.1f} moves, "
          f"{(lengths < 60).mean():.1%} end before the board is full)")
    return 0


def cmd_languages(args) -> int:
    from .languages import Vocabulary, load_config
    from .othello import generate_games, square_name

    cfg = load_config(args.config)
    vocab = Vocabulary.build(cfg)
    print(f"{cfg.name}: {len(cfg.languages)} languages, vocabulary {vocab.size} tokens (0 = padding), "
          f"context {vocab.context_length} tokens, unified output {'on' if cfg.unified_output else 'off'}")
    if cfg.description:
        print(f"  {cfg.description}")
    for i, lang in enumerate(cfg.languages):
        role = " (output space)" if cfg.unified_output and i == 0 else ""
        toks = vocab.language_tokens(i)
        print(f"  [{i}] {lang.name:<12} {lang.type:<14} {len(toks):>3} tokens ({toks.min()}..{toks.max()}), "
              f"longest game {vocab.max_tokens(i)} tokens{role}")
    for k, g in enumerate(cfg.anchors):
        names = ", ".join(cfg.languages[i].name for i in g.languages)
        print(f"  anchor group {k}: {', '.join(square_name(s) for s in g.squares)} shared by {names}")
    game = generate_games(1, seed=args.seed)[0]
    n = args.moves
    moves = [int(m) for m in game[:n] if m >= 0]
    print(f"sample game (seed {args.seed}), first {len(moves)} moves: {' '.join(square_name(m) for m in moves)}")
    for i, lang in enumerate(cfg.languages):
        tokens, last = vocab.encode(game[:n][None], i)
        words, start = [], 0
        for end in last[0][last[0] >= 0]:
            words.append("-".join(str(t) for t in tokens[0, start:end + 1]))
            start = end + 1
        print(f"  {lang.name:<12} {' '.join(words)}")
    return 0


def _train_config(args):
    from .train import PRESET_TRAINING, TrainConfig

    if args.preset not in PRESET_TRAINING:
        raise ValueError(f"unknown preset {args.preset!r} (known: {', '.join(PRESET_TRAINING)})")
    kw = {**TrainConfig().to_dict(), "preset": args.preset, **PRESET_TRAINING[args.preset]}
    for key in ("games", "epochs", "steps", "batch_size", "lr", "seed", "objective", "eval_every", "eval_games",
                "checkpoint_every", "device", "dtype", "init_from", "init_step", "warmup_steps", "freeze", "n_layer", "n_head",
                "d_model"):
        val = getattr(args, key, None)
        if val is not None:
            kw[key] = val
    if args.stream:
        kw["games"] = None
    if args.prefix:
        from .othello import parse_square

        kw["prefix"] = [parse_square(x) for x in args.prefix.split(",")]
    kw["compile"] = bool(args.compile)
    kw["init_optimizer"] = bool(getattr(args, "init_optimizer", False))
    kw["deepen"] = bool(getattr(args, "deepen", False))
    return TrainConfig.from_dict(kw)


def cmd_train(args) -> int:
    from .languages import load_config
    from .train import load_run_configs, train

    out = Path(args.out)
    if args.resume:
        exp, tc = load_run_configs(out)
    else:
        if not args.config:
            raise ValueError("give an experiment config (configs/X.toml), or --resume with --out RUN_DIR")
        exp = load_config(args.config)
        tc = _train_config(args)
        if args.finetune_language is not None:
            tc.languages = [exp.input_index(args.finetune_language)]
    from .model import shape_label

    print(f"training {exp.name} ({tc.preset}: {shape_label(tc.model_shape(), 'x')}; {tc.objective}"
          + (", NOT the study's objective" if tc.objective != "next-token" else "")
          + (f") from step {tc.init_step} to {tc.total_steps}" if tc.init_step else f") for {tc.total_steps} steps")
          + f" into {out}" + (" (resumed)" if args.resume else ""), flush=True)
    train(exp, tc, out, resume=args.resume, progress=True)
    if int(os.environ.get("RANK", "0")) != 0:
        code = 0  # under torchrun only rank 0 writes status.json; the others may finish before it does
    else:
        status = json.loads((out / "status.json").read_text())
        print(f"{status['state']} at step {status['step']}/{status['total']}: {out}")
        code = 0 if status["state"] in ("finished", "cancelled") else 1
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        # Under torchrun, with the process group destroyed and everything on disk: leave without the
        # interpreter's teardown, where gloo's native threads now and then abort a finished rank ("terminate
        # called without an active exception", exit -6) and torchrun reports the whole run failed.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def cmd_eval(args) -> int:
    from .checkpoints import load_checkpoint, resolve
    from .data import heldout_games
    from .evaluate import default_device, legal_move_accuracy

    ck = load_checkpoint(resolve(args.checkpoint, allow_paths=True), device=default_device())
    games = heldout_games(args.games, seed=args.seed)
    acc = legal_move_accuracy(ck.model, ck.vocab, games)
    if args.json:
        print(json.dumps({"checkpoint": ck.name, "step": ck.step, "games": args.games,
                          "legal_move_accuracy": acc}))
    else:
        print(f"{ck.name} (step {ck.step}), {args.games} held-out games")
        print(f"{'language':<14} legal-move accuracy")
        for name, v in acc.items():
            print(f"{name:<14} {v:.4f}")
    return 0


def _layers(text: str, ck) -> list[int]:
    n = ck.model.cfg.n_layer
    if text == "all":
        return list(range(n + 1))
    try:
        layers = [int(x) for x in text.split(",")]
    except ValueError:
        raise ValueError(f"--layer must be 'all' or layer numbers like 2 or 1,3 (got {text!r})") from None
    bad = [x for x in layers if not 0 <= x <= n]
    if bad:
        raise ValueError(f"layer(s) {bad} out of range: this model has layers 0..{n}")
    return layers


def _load(name: str):
    from .checkpoints import load_checkpoint, resolve
    from .evaluate import default_device

    return load_checkpoint(resolve(name, allow_paths=True), device=default_device())


def _nan_to_null(obj):
    if isinstance(obj, float) and obj != obj:
        return None
    if isinstance(obj, dict):
        return {k: _nan_to_null(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_nan_to_null(v) for v in obj]
    return obj


def _bar(desc: str):
    bar = _progress(1000, desc)

    def report(fraction: float, message: str):
        bar.n = int(1000 * fraction)
        bar.set_postfix_str(message[:40])
        bar.refresh()

    return bar, report


def cmd_probe(args) -> int:
    from .probes import majority_baseline, placer_baseline, train_probe

    ck = _load(args.checkpoint)
    langs = [args.language] if args.language is not None else ck.config.input_languages
    rows = []
    for x in _layers(args.layer, ck):
        for lang in langs:
            p = train_probe(ck, lang, x, kind=args.kind, labels=args.labels, n_train=args.games, save=not args.no_save)
            rows.append({"layer": x, "language": p.info_["language"], **p.info_["test"]})
    from .activations import move_states, PROBE_TEST_SEED, PROBE_TRAIN_SEED

    li = ck.config.input_index(langs[0])
    base = majority_baseline(move_states(ck, li, args.games, PROBE_TRAIN_SEED, [0]).labels(args.labels),
                             move_states(ck, li, 200, PROBE_TEST_SEED, [0]).labels(args.labels))
    placer = placer_baseline(200, args.labels)
    if args.json:
        print(json.dumps({"checkpoint": ck.name, "kind": args.kind, "labels": args.labels, "probes": rows,
                          "baseline_majority": base, "baseline_placer": placer}))
        return 0
    print(f"{ck.name}: {args.kind} probes on {args.labels} labels, {args.games} training games, 200 test games")
    print(f"{'layer':>5} {'language':<12} {'accuracy':>9} {'occupancy':>10} {'colour':>8}")
    for r in rows:
        print(f"{r['layer']:>5} {r['language']:<12} {r['accuracy']:>9.4f} {r['occupancy']:>10.4f} {r['colour']:>8.4f}")
    print(f"{'':>5} {'majority':<12} {base['accuracy']:>9.4f} {base['occupancy']:>10.4f} {base['colour']:>8.4f}"
          "   (per-square majority guess)")
    print(f"{'':>5} {'placer':<12} {placer['accuracy']:>9.4f} {placer['occupancy']:>10.4f} {placer['colour']:>8.4f}"
          "   (every disc the colour of who placed it: no flip tracked)")
    return 0


def cmd_align(args) -> int:
    from .probes import alignment

    ck = _load(args.checkpoint)
    bar, report = _bar("alignment")
    with bar:
        res = alignment(ck, layers=_layers(args.layer, ck), kind=args.kind, labels=args.labels,
                        n_train=args.games, random_baseline=not args.no_random_baseline, progress=report)
    if args.json:
        # strict JSON: a skipped baseline (NaN) is null, which every JSON reader accepts
        print(json.dumps(_nan_to_null({"checkpoint": ck.name, **res.to_json()}), allow_nan=False))
        return 0
    print(f"{ck.name}: cross-lingual alignment probe accuracy ({args.kind}, {args.labels} labels); "
          "rows = probe's language, columns = language read")
    w = max(5, *(len(n) for n in res.languages)) + 2   # a column fits its language's name and "0.123"
    for x in res.layers:
        rnd = res.baseline_random_model[x]["accuracy"]
        rnd = f"{rnd:.3f}" if np.isfinite(rnd) else "skipped"   # --no-random-baseline
        print(f"\nlayer {x}  (baselines: majority {res.baseline_majority['accuracy']:.3f}, random model {rnd})")
        for title, m in (("direct", res.matrix[x]), ("aligned up to rotation", res.aligned_matrix[x])):
            print(f"  {title}")
            print("  " + " " * w + "".join(f"{n:>{w}}" for n in res.languages))
            for i, n in enumerate(res.languages):
                print(f"  {n:<{w}}" + "".join(f"{v:>{w}.3f}" for v in m[i]))
    return 0


def cmd_project(args) -> int:
    from .projection import project

    ck = _load(args.checkpoint)
    bar, report = _bar(args.method)
    with bar:
        df = project(ck, args.layer, n_games=args.games, method=args.method, progress=report)
    out = Path(args.out) if args.out else None
    if out:
        tmp = out.with_suffix(out.suffix + ".tmp")
        df.to_csv(tmp, index=False)
        tmp.replace(out)
        print(f"wrote {len(df)} points to {out}")
    else:
        print(df[["language", "game", "move", "square", "x", "y"]].to_string(index=False, max_rows=20))
    return 0


def cmd_transfer(args) -> int:
    from .languages import load_config
    from .transfer import TransferConfig, load_transfer_run, run_transfer, stored_restored_parts, transfer_table

    out = Path(args.out)
    if args.resume:
        exp, tc = load_transfer_run(out)
    else:
        if not args.config:
            raise ValueError("give an experiment config, or --resume with --out RUN_DIR")
        exp = load_config(args.config)
        kw = {"finetune_language": exp.input_index(args.finetune_language), "preset": args.preset}
        for key in ("pretrain_steps", "finetune_games", "finetune_epochs", "finetune_lr", "seed", "eval_games",
                    "freeze"):
            if getattr(args, key) is not None:
                kw[key] = getattr(args, key)
        tc = TransferConfig.from_dict({**TransferConfig().to_dict(), **kw})
    run_transfer(exp, tc, out, resume=args.resume, progress=True, pretrained=args.pretrained)
    st = json.loads((out / "status.json").read_text())
    print(f"{st['state']}: {out}")
    if st["state"] == "finished":
        df = transfer_table(out)
        acc = df[df.metric == "legal_move_accuracy"].pivot_table(index="step", columns="language", values="value")
        print(acc.round(4).to_string())
        restored = stored_restored_parts(out)
        if restored is not None:
            print("\nlegal-move accuracy with one part of the fine-tuned model put back to its pretrained weights:")
            print(restored.pivot_table(index="restored", columns="language", values="legal_move_accuracy",
                                       sort=False).round(4).to_string())
    return 0 if st["state"] in ("finished", "cancelled") else 1


def cmd_intervene(args) -> int:
    from .interventions import intervention_study
    from .probes import load_or_train_probe

    ck = _load(args.checkpoint)
    cfg = ck.config
    given = args.probe_language if args.probe_language is not None else cfg.input_languages[0]
    pl = cfg.input_index(given)
    read = cfg.input_index(args.read_language) if args.read_language is not None else pl
    probe = load_or_train_probe(ck, pl, args.layer, kind="linear", labels="relative")
    res = intervention_study(ck, probe, args.layer, n_cases=args.cases, edit=args.edit, language=read)
    print(json.dumps({"checkpoint": ck.name, "layer": args.layer, "probe_language": cfg.language_names[pl],
                      "read_language": cfg.language_names[read], "edit": args.edit, **res}))
    return 0


def cmd_suite(args) -> int:
    from . import suite

    if args.install:
        path = suite.install(args.install, name=args.name)
        print(f"installed {path} ({suite.folder_size_mb(path):.1f} MB)")
        return 0
    if args.summary:
        for row in suite.summary():
            print(json.dumps(row))
        return 0
    if args.sweep:
        return 0 if suite.build_sweep(until=args.until) else 1
    suite.build(only=args.only or None, from_shipped=args.from_shipped)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m mothello", description="mOthello Explorer command line")
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="generate uniformly random legal games to a .npy file")
    g.add_argument("--n", type=int, required=True, help="number of games")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--prefix", default=None, help="forced opening, e.g. c4,c3,c2 (or square indices 19,18,17)")
    g.add_argument("--out", required=True, help="output .npy file, (n, 60) int8, -1 after the game ends")
    g.set_defaults(func=cmd_generate)

    lg = sub.add_parser("languages", help="show an experiment config's vocabulary and a sample game")
    lg.add_argument("config", help="configs/X.toml, or a study config (Python literal dict)")
    lg.add_argument("--seed", type=int, default=0, help="seed of the sample game")
    lg.add_argument("--moves", type=int, default=8, help="moves of the sample game to show")
    lg.set_defaults(func=cmd_languages)

    t = sub.add_parser("train", help="train a model on an experiment config (runs under torchrun too)")
    t.add_argument("config", nargs="?", help="configs/X.toml (not needed with --resume)")
    t.add_argument("--out", required=True, help="run directory")
    t.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    t.add_argument("--preset", default="small", help="model size: tiny, small, paper")
    t.add_argument("--n-layer", dest="n_layer", type=int, help="override the preset's number of layers")
    t.add_argument("--n-head", dest="n_head", type=int, help="override the preset's attention heads")
    t.add_argument("--d-model", dest="d_model", type=int, help="override the preset's width (a multiple of heads)")
    t.add_argument("--games", type=int, help="training corpus size (games)")
    t.add_argument("--stream", action="store_true", help="fresh games every step instead of a corpus (needs --steps)")
    t.add_argument("--epochs", type=float)
    t.add_argument("--steps", type=int, help="number of steps (overrides --epochs)")
    t.add_argument("--batch-size", dest="batch_size", type=int)
    t.add_argument("--lr", type=float)
    t.add_argument("--warmup-steps", dest="warmup_steps", type=int)
    t.add_argument("--seed", type=int)
    t.add_argument("--objective", choices=["next-token", "legal-set"],
                   help="next-token (the study's, default) or legal-set (the next move's exact distribution: "
                        "the same expected loss, less noise; not the study's procedure)")
    t.add_argument("--eval-every", dest="eval_every", type=int)
    t.add_argument("--eval-games", dest="eval_games", type=int)
    t.add_argument("--checkpoint-every", dest="checkpoint_every", type=int)
    t.add_argument("--prefix", help="forced opening of training games, e.g. c4,c3,c2")
    t.add_argument("--finetune-language", dest="finetune_language", help="train on this language only")
    t.add_argument("--init-from", dest="init_from", help="start from this checkpoint's weights")
    t.add_argument("--init-step", dest="init_step", type=int,
                   help="with --init-from: continue that model's step count (its data stream goes on; "
                        "--steps is then the step to end at)")
    t.add_argument("--init-optimizer", dest="init_optimizer", action="store_true",
                   help="with --init-from RUN_DIR and --init-step: also carry over that run's AdamW moments "
                        "(saved in RUN_DIR/state at that step) instead of starting a fresh optimizer")
    t.add_argument("--deepen", action="store_true",
                   help="with --init-from a shallower model and --n-layer: its blocks first, the new ones "
                        "after them starting as identities (the run starts as that model computes)")
    t.add_argument("--freeze", action="append", metavar="PART",
                   help="leave this model part as it starts, e.g. 'block 1 attention' (repeatable; parts: "
                        "token embeddings, position embeddings, block K attention, block K MLP, output layer)")
    t.add_argument("--device", help="auto (default), cpu, cuda, cuda:1 ...")
    t.add_argument("--dtype", choices=["auto", "float32", "bfloat16"])
    t.add_argument("--compile", action="store_true", help="torch.compile the model")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("eval", help="legal-move accuracy of a checkpoint per language")
    e.add_argument("checkpoint", help="checkpoints/NAME, runs/NAME or a checkpoint folder")
    e.add_argument("--games", type=int, default=200, help="held-out games per language")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--json", action="store_true", help="print one JSON object")
    e.set_defaults(func=cmd_eval)

    pr = sub.add_parser("probe", help="train board probes per layer and language (saved beside the checkpoint)")
    pr.add_argument("checkpoint")
    pr.add_argument("--layer", default="all", help="'all' or layer numbers like 2 or 1,3")
    pr.add_argument("--language", help="one language (default: every input language)")
    pr.add_argument("--kind", choices=["linear", "mlp"], default="linear")
    pr.add_argument("--labels", choices=["absolute", "relative"], default="relative")
    pr.add_argument("--games", type=int, default=1000, help="probe training games")
    pr.add_argument("--no-save", action="store_true")
    pr.add_argument("--json", action="store_true")
    pr.set_defaults(func=cmd_probe)

    al = sub.add_parser("align", help="cross-lingual alignment probe matrix per layer, with baselines")
    al.add_argument("checkpoint")
    al.add_argument("--layer", default="all")
    al.add_argument("--kind", choices=["linear", "mlp"], default="linear")
    al.add_argument("--labels", choices=["absolute", "relative"], default="relative")
    al.add_argument("--games", type=int, default=1000, help="probe training games")
    al.add_argument("--no-random-baseline", action="store_true")
    al.add_argument("--json", action="store_true")
    al.set_defaults(func=cmd_align)

    pj = sub.add_parser("project", help="UMAP or PCA of hidden states across languages at a layer")
    pj.add_argument("checkpoint")
    pj.add_argument("--layer", type=int, required=True)
    pj.add_argument("--method", choices=["umap", "pca"], default="umap")
    pj.add_argument("--games", type=int, default=50)
    pj.add_argument("--out", help="write the table as CSV")
    pj.set_defaults(func=cmd_project)

    tr = sub.add_parser("transfer", help="pretrain on games opening c4, c3, c2, fine-tune on one language, measure")
    tr.add_argument("config", nargs="?")
    tr.add_argument("--out", required=True)
    tr.add_argument("--finetune-language", dest="finetune_language", default="1")
    tr.add_argument("--preset", default="small")
    tr.add_argument("--pretrain-steps", dest="pretrain_steps", type=int)
    tr.add_argument("--finetune-games", dest="finetune_games", type=int)
    tr.add_argument("--finetune-epochs", dest="finetune_epochs", type=int)
    tr.add_argument("--eval-games", dest="eval_games", type=int)
    tr.add_argument("--finetune-lr", dest="finetune_lr", type=float)
    tr.add_argument("--seed", type=int)
    tr.add_argument("--freeze", action="append", metavar="PART",
                    help="fine-tune with this model part left as pretrained, e.g. 'block 1 attention' "
                         "(repeatable; not the study's protocol)")
    tr.add_argument("--pretrained", metavar="RUN/pretrain",
                    help="reuse another transfer run's finished pretraining (same experiment and settings) "
                         "instead of pretraining again")
    tr.add_argument("--resume", action="store_true")
    tr.set_defaults(func=cmd_transfer)

    iv = sub.add_parser("intervene", help="edit the probe-decoded board and measure how predicted moves follow")
    iv.add_argument("checkpoint")
    iv.add_argument("--layer", type=int, required=True)
    iv.add_argument("--probe-language", dest="probe_language",
                    help="the language the probe is trained on (default: the first the model reads)")
    iv.add_argument("--read-language", dest="read_language",
                    help="the language the edited games are read in (default: the probe's)")
    iv.add_argument("--edit", choices=["flip", "erase"], default="flip")
    iv.add_argument("--cases", type=int, default=100)
    iv.set_defaults(func=cmd_intervene)

    su = sub.add_parser("suite", help="train (resuming) and install the shipped demo checkpoints")
    su.add_argument("--only", nargs="*",
                    help="names among naive-2 anchors-8 unified-mixed atomic-10 transfer-NAME anchor-sweep, and the "
                         "fine-tuning variants (mothello.suite.VARIANTS) as transfer-NAME-VARIANT")
    su.add_argument("--sweep", action="store_true",
                    help="only the anchor sweep: train its runs (resuming) up to --until, then measure them")
    su.add_argument("--until", type=int, default=None, metavar="STEP",
                    help="the step the anchor sweep compares its models at (default: mothello.sweep.STEP)")
    su.add_argument("--install", metavar="RUN", help="only install this training run into checkpoints/")
    su.add_argument("--name", help="checkpoint name for --install (default: the run's name)")
    su.add_argument("--summary", action="store_true", help="print the shipped checkpoints' headline numbers")
    su.add_argument("--from-shipped", action="store_true",
                    help="train a model's later stages (mothello.suite.STAGES) from its shipped checkpoint, "
                         "where that ends an earlier stage, instead of retraining it from scratch")
    su.set_defaults(func=cmd_suite)
    return p


COUNTS = ("n", "games", "cases", "moves")   # options that count something: at least 1 wherever they are given


def check_counts(args) -> None:
    """ValueError, in one line naming the option, for a count under 1 (before any work: `eval --games 0` would
    print NaN accuracies, `probe --games 0` fit probes on nothing, `languages --moves -2` slice from the end)."""
    for name in COUNTS:
        v = getattr(args, name, None)
        if v is not None and v < 1:
            raise ValueError(f"--{name} must be at least 1 (got {v})")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        check_counts(args)
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (ValueError, OSError, KeyError) as e:  # ConfigError, IllegalMoveError, missing files ...
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        print(f"error: {msg}", file=sys.stderr)
        return 2
