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

    if args.n < 1:
        raise ValueError("--n must be at least 1")
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
                "checkpoint_every", "device", "dtype", "init_from", "warmup_steps"):
        val = getattr(args, key, None)
        if val is not None:
            kw[key] = val
    if args.stream:
        kw["games"] = None
    if args.prefix:
        from .othello import parse_square

        kw["prefix"] = [parse_square(x) for x in args.prefix.split(",")]
    kw["compile"] = bool(args.compile)
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
            tc.languages = [exp.language_index(args.finetune_language)]
    print(f"training {exp.name} ({tc.preset}, {tc.objective}"
          + (", NOT the study's objective" if tc.objective != "next-token" else "")
          + f") for {tc.total_steps} steps into {out}" + (" (resumed)" if args.resume else ""), flush=True)
    train(exp, tc, out, resume=args.resume, progress=True)
    if int(os.environ.get("RANK", "0")) != 0:
        return 0  # under torchrun only rank 0 writes status.json; the others may finish before it does
    status = json.loads((out / "status.json").read_text())
    print(f"{status['state']} at step {status['step']}/{status['total']}: {out}")
    return 0 if status["state"] in ("finished", "cancelled") else 1


def cmd_eval(args) -> int:
    from .checkpoints import load_checkpoint, resolve
    from .data import heldout_games
    from .evaluate import default_device, legal_move_accuracy

    ck = load_checkpoint(resolve(args.checkpoint), device=default_device())
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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m mothello", description="mOthello Explorer command line")
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="generate uniformly random legal games to a .npy file")
    g.add_argument("--n", type=int, required=True, help="number of games")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--prefix", default=None, help="forced opening, e.g. 19,18,17 or c4,c3,c2")
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
    t.add_argument("--games", type=int, help="training corpus size (games)")
    t.add_argument("--stream", action="store_true", help="fresh games every step instead of a corpus (needs --steps)")
    t.add_argument("--epochs", type=float)
    t.add_argument("--steps", type=int, help="number of steps (overrides --epochs)")
    t.add_argument("--batch-size", dest="batch_size", type=int)
    t.add_argument("--lr", type=float)
    t.add_argument("--warmup-steps", dest="warmup_steps", type=int)
    t.add_argument("--seed", type=int)
    t.add_argument("--objective", choices=["next-token", "legal-set"],
                   help="next-token (the study's, default) or legal-set (faster, not the study's)")
    t.add_argument("--eval-every", dest="eval_every", type=int)
    t.add_argument("--eval-games", dest="eval_games", type=int)
    t.add_argument("--checkpoint-every", dest="checkpoint_every", type=int)
    t.add_argument("--prefix", help="forced opening of training games, e.g. 19,18,17")
    t.add_argument("--finetune-language", dest="finetune_language", help="train on this language only")
    t.add_argument("--init-from", dest="init_from", help="start from this checkpoint's weights")
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
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (ValueError, OSError, KeyError) as e:  # ConfigError, IllegalMoveError, missing files ...
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        print(f"error: {msg}", file=sys.stderr)
        return 2
