"""Games generated per second: mothello's numba bitboard engine against a straightforward pure-Python
engine (lists, 8 directions, one game at a time; tests/reference_othello.py) in the same run.

    python benchmarks/bench_othello.py [--seconds 3]
"""

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import numba  # noqa: E402

from mothello.othello import generate_games  # noqa: E402
from reference_othello import random_game  # noqa: E402


def rate(fn, seconds):
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        n += fn()
    return n / (time.perf_counter() - start)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    rng = random.Random(0)
    baseline = rate(lambda: (random_game(rng), 1)[1], args.seconds)

    generate_games(100)  # compile (cached on disk after the first run)
    generate_games(20_000)
    seed = iter(range(1, 10**6))
    threads = numba.config.NUMBA_NUM_THREADS
    numba.set_num_threads(1)
    one_core = rate(lambda: len(generate_games(19_999, seed=next(seed))), args.seconds)  # serial kernel
    numba.set_num_threads(threads)
    all_cores = rate(lambda: len(generate_games(200_000, seed=next(seed))), args.seconds)  # parallel

    print(f"pure-Python engine, 1 core         {baseline:>12,.0f} games/s")
    print(f"mothello engine, 1 core            {one_core:>12,.0f} games/s   ratio {one_core / baseline:,.0f}x")
    print(f"mothello engine, {threads} cores            {all_cores:>12,.0f} games/s   ratio {all_cores / baseline:,.0f}x")
    print(f"1-core ratio against 1,000 games/s (the issue's upper estimate for plain Python): "
          f"{one_core / 1000:,.0f}x")


if __name__ == "__main__":
    main()
