"""Time of the cross-lingual alignment probe matrix (every ordered pair of languages, every layer,
direct + Procrustes-aligned, with the majority and random-model baselines) on a `small` checkpoint,
from a cold cache, against a straightforward baseline in the same run: one scikit-learn
LogisticRegression per square (64 of them) per probe, timed on one probe and scaled to the matrix.

    python benchmarks/bench_probes.py [--checkpoint checkpoints/naive-2] [--games 1000]

Without --checkpoint it uses a randomly initialised `small` model on configs/naive-2.toml (same cost).
"""

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint")
    ap.add_argument("--games", type=int, default=1000)
    args = ap.parse_args()
    os.environ["MOTHELLO_CACHE"] = tempfile.mkdtemp(prefix="bench-probes-")  # cold cache
    import torch
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    warnings.filterwarnings("ignore", category=ConvergenceWarning)  # the baseline is timed at max_iter=200

    from mothello.activations import PROBE_TRAIN_SEED, move_states
    from mothello.checkpoints import load_checkpoint, resolve, save_checkpoint
    from mothello.languages import Vocabulary, load_config
    from mothello.model import GPT, preset
    from mothello.probes import alignment

    if args.checkpoint:
        ck = load_checkpoint(resolve(args.checkpoint, allow_paths=True))
    else:
        torch.manual_seed(0)
        vocab = Vocabulary.build(load_config(ROOT / "configs" / "naive-2.toml"))
        model = GPT(preset("small", vocab.size, vocab.context_length))
        path = Path(tempfile.mkdtemp(prefix="bench-ckpt-")) / "small"
        save_checkpoint(path, model, vocab, {"preset": "small"}, 0)
        ck = load_checkpoint(path)
    n_lang, n_layers = len(ck.config.input_languages), ck.model.cfg.n_layer + 1
    start = time.perf_counter()
    res = alignment(ck, kind="linear", labels="relative", n_train=args.games)
    ours = time.perf_counter() - start
    n_probes = n_layers * (n_lang + 1)  # one per language and layer, plus the random-model baseline per layer

    s = move_states(ck, ck.config.input_languages[0], args.games, PROBE_TRAIN_SEED, [n_layers - 1])
    X, y = s.rows(n_layers - 1), s.labels("relative")
    sub = slice(0, len(X) // 4)  # a quarter of the data, scaled up: the full fit takes minutes
    start = time.perf_counter()
    for q in range(0, 64, 8):  # 8 of the 64 squares, scaled up
        if len(set(y[sub, q])) > 1:
            LogisticRegression(max_iter=200).fit(X[sub], y[sub, q])
    per_probe = (time.perf_counter() - start) * 8 * 4
    baseline = per_probe * n_probes

    print(f"checkpoint {ck.name}: {ck.model.cfg.n_layer} layers x {ck.model.cfg.d_model}, {n_lang} languages, "
          f"{args.games} probe-training games, {torch.get_num_threads()} threads")
    print(f"alignment matrix, {n_layers} layers, {n_probes} probes + Procrustes, cold cache: {ours:6.1f} s")
    print(f"baseline: sklearn LogisticRegression per square, estimated {baseline:8.0f} s "
          f"({per_probe:.0f} s per probe)   ratio {baseline / ours:.0f}x")
    print(f"mean cross-lingual accuracy at the last layer: {res.mean_cross(n_layers - 1):.3f} "
          f"(in-language {res.mean_diag(n_layers - 1):.3f})")


if __name__ == "__main__":
    main()
