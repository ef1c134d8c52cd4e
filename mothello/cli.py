"""Command line: `python -m mothello COMMAND ...`. Each command calls the same functions the pages do.

Bad input ends with one line on stderr (`error: ...`) and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np


def _progress(total: int, desc: str, unit: str = "it"):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, unit_scale=True, dynamic_ncols=True,
                disable=None)  # disable=None: no bar when stderr is not a terminal


def cmd_generate(args) -> int:
    from .data import atomic_save_npy
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
    atomic_save_npy(out, games)
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
