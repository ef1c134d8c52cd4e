"""Legal-move evaluation speed: mothello's batched evaluation against the straightforward per-prefix
method (one forward pass per prefix and per token, as the original code does), on the same model and
games, checking that both give the same predictions and the same accuracy.

    python benchmarks/bench_eval.py [--checkpoint checkpoints/naive-2] [--games 20]

Without --checkpoint it uses a randomly initialised `small` model on two experiments: naive-2 (atomic
moves) and a split + compositional experiment (multi-token moves, greedy decoding).
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from mothello.checkpoints import load_checkpoint, resolve  # noqa: E402
from mothello.data import heldout_games  # noqa: E402
from mothello.evaluate import predict_moves, predict_moves_per_prefix  # noqa: E402
from mothello.languages import ExperimentConfig, Vocabulary, load_config  # noqa: E402
from mothello.model import GPT, preset  # noqa: E402
from mothello.othello import replay  # noqa: E402


def accuracy(pred, games):
    r = replay(games)
    has = r.next_legal.any(-1)
    ok = np.take_along_axis(r.next_legal, np.clip(pred, 0, 63)[..., None], -1)[..., 0] & (pred >= 0)
    return float(ok[has].mean())


def compare(label, model, vocab, games, language):
    t = time.perf_counter()
    ref = predict_moves_per_prefix(model, vocab, games, language)
    t_ref = time.perf_counter() - t
    predict_moves(model, vocab, games[:2], language)  # warm-up
    reps, t = 0, time.perf_counter()
    while reps < 3 or time.perf_counter() - t < 1.0:
        ours = predict_moves(model, vocab, games, language)
        reps += 1
    t_ours = (time.perf_counter() - t) / reps
    same = np.array_equal(ours, ref)
    multi = int((vocab.lengths[vocab.config.language_index(language)][np.clip(ours, 0, 63)] > 1)[ours >= 0].sum())
    print(f"{label:<34} per-prefix {t_ref:7.2f} s   batched {t_ours * 1000:8.1f} ms   ratio {t_ref / t_ours:7.0f}x   "
          f"accuracy {accuracy(ref, games):.4f} vs {accuracy(ours, games):.4f}   identical predictions: {same}"
          + (f"   ({multi} multi-token moves)" if multi else ""))
    return same


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint")
    ap.add_argument("--games", type=int, default=20)
    args = ap.parse_args()
    torch.manual_seed(0)
    games = heldout_games(args.games, seed=123)
    ok = True
    with torch.inference_mode():
        if args.checkpoint:
            ck = load_checkpoint(resolve(args.checkpoint, allow_paths=True))
            for li in ck.config.input_languages:
                ok &= compare(f"{ck.name} [{ck.config.languages[li].name}]", ck.model, ck.vocab, games, li)
        else:
            v = Vocabulary.build(load_config(ROOT / "configs" / "naive-2.toml"))
            ok &= compare("naive-2, small (random init) [L0]", GPT(preset("small", v.size, v.context_length)), v, games, 0)
            cfg = ExperimentConfig.from_dict({"name": "split+comp", "languages": [{"type": "split"},
                                                                                 {"type": "compositional"}]})
            v = Vocabulary.build(cfg)
            m = GPT(preset("small", v.size, v.context_length))
            # A random model rarely starts a multi-token move; sharpen the head so greedy decoding
            # really continues moves (both methods see the same model).
            with torch.no_grad():
                m.head.weight.mul_(40)
            for li in (0, 1):
                ok &= compare(f"split+comp, small (random) [{cfg.languages[li].type}]", m, v, games, li)
    if not ok:
        raise SystemExit("MISMATCH between batched and per-prefix predictions")


if __name__ == "__main__":
    main()
