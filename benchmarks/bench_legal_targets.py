"""The legal-set objective's per-step CPU work: building the targets of a batch (data.legal_next_targets, one
entry per legal move) and the loss on them (train._loss), against the straightforward dense form in the same
run: a (positions x vocabulary) count matrix filled with np.add.at and a dense soft cross-entropy. On a GPU
this CPU work sits in every step, beside a forward and backward pass of a few milliseconds.

    python benchmarks/bench_legal_targets.py [--config unified-mixed] [--batch-size 64] [--reps 30]
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from mothello.data import IGNORE, TrainingData, legal_next_targets  # noqa: E402
from mothello.languages import Vocabulary, load_config  # noqa: E402
from mothello.model import GPT, preset  # noqa: E402
from mothello.othello import replay  # noqa: E402
from mothello.train import TrainConfig, _loss  # noqa: E402


def dense_targets(vocab, batch):
    """The baseline: a (K, V) count matrix of the legal next moves' first tokens."""
    nxt = replay(batch.games).next_legal
    b_idx, m_idx = np.nonzero(nxt.any(-1) & (batch.last >= 0))
    out_lang = np.zeros_like(b_idx) if vocab.config.unified_output else batch.languages[b_idx]
    hot = np.zeros((len(b_idx), vocab.size), dtype=np.float32)
    k_idx, sq = np.nonzero(nxt[b_idx, m_idx])
    np.add.at(hot, (k_idx, vocab.tokens[:, :, 0][out_lang[k_idx], sq]), 1.0)
    return b_idx, batch.last[b_idx, m_idx], hot


def dense_loss(logits, batch, vocab):
    b_idx, pos, hot = dense_targets(vocab, batch)
    b_t, p_t, soft = torch.as_tensor(b_idx), torch.as_tensor(pos), torch.as_tensor(hot)
    logp = F.log_softmax(logits[b_t, p_t].float(), -1)
    soft_loss = -(soft / soft.sum(-1, keepdim=True) * logp).sum(-1)
    hard_t = torch.as_tensor(batch.targets).clone()
    hard_t[b_t, p_t] = IGNORE
    hard = F.cross_entropy(logits.flatten(0, 1).float(), hard_t.flatten(), ignore_index=IGNORE, reduction="sum")
    return (soft_loss.sum() + hard) / (len(soft_loss) + (hard_t != IGNORE).sum()).clamp(min=1)


def best_ms(fn, reps, n):
    """fn(i) on batch i, cycling over n batches: the best of 3 rounds of reps calls, in ms per call."""
    fn(0)  # warm (numba, allocators)
    times = []
    for _ in range(3):
        t = time.perf_counter()
        for k in range(reps):
            fn(k % n)
        times.append((time.perf_counter() - t) / reps * 1e3)
    return min(times)


class Fixed(torch.nn.Module):
    """Returns precomputed logits: the loss is timed without the model."""

    def __init__(self, logits):
        super().__init__()
        self.logits = logits

    def forward(self, x):
        return self.logits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="unified-mixed")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--reps", type=int, default=30)
    args = ap.parse_args()
    vocab = Vocabulary.build(load_config(ROOT / "configs" / f"{args.config}.toml"))
    batches = [TrainingData(vocab, args.batch_size, seed=0, cache=False).batch(i) for i in range(8)]
    torch.manual_seed(0)
    model = GPT(preset("tiny", vocab.size, vocab.context_length)).eval()
    with torch.no_grad():
        logits = [model(torch.as_tensor(b.inputs)) for b in batches]
    tc = TrainConfig(preset="tiny", games=None, steps=1, objective="legal-set")
    for b, lg in zip(batches, logits):   # the same number, both ways
        ours = _loss(Fixed(lg), b, vocab, tc, "cpu").item()
        assert abs(ours - dense_loss(lg, b, vocab).item()) <= 1e-5 * abs(ours), "the two losses differ"
    n = len(batches)
    t_dense = best_ms(lambda i: dense_targets(vocab, batches[i]), args.reps, n)
    t_ours = best_ms(lambda i: legal_next_targets(vocab, batches[i]), args.reps, n)
    with torch.no_grad():
        l_dense = best_ms(lambda i: dense_loss(logits[i], batches[i], vocab), args.reps, n)
        l_ours = best_ms(lambda i: _loss(Fixed(logits[i]), batches[i], vocab, tc, "cpu"), args.reps, n)
    k = len(legal_next_targets(vocab, batches[0]).rows)
    print(f"{args.config}, batch {args.batch_size} games ({k:,} positions after a move, vocabulary {vocab.size}), "
          f"{torch.get_num_threads()} threads; best of 3 x {args.reps}")
    print(f"targets  dense (K x V, np.add.at) {t_dense:7.2f} ms   one entry per legal move {t_ours:7.2f} ms   "
          f"ratio {t_dense / t_ours:.1f}x")
    print(f"targets + loss (logits given)     {l_dense:7.2f} ms                            {l_ours:7.2f} ms   "
          f"ratio {l_dense / l_ours:.1f}x")


if __name__ == "__main__":
    main()
