"""Training throughput (tokens/s) of mothello's GPT against a minGPT-style reference of the same size,
in the same run, on the same batches: the reference computes attention by hand (scores, mask,
softmax), uses minGPT's tanh GELU written out in Python ops, and a default AdamW. On a CPU with native
bfloat16 (AVX512-BF16 or AMX) it also times bfloat16 autocast, which dtype="auto" trains with there, against
the same model attending with PyTorch's bfloat16 attention kernel (model.attend attends in float32 on a CPU:
that kernel's backward is the slower one there).

    python benchmarks/bench_train.py [--preset small] [--steps 20]
"""

import argparse
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import mothello.model  # noqa: E402
from mothello.data import IGNORE, TrainingData  # noqa: E402
from mothello.languages import Vocabulary, load_config  # noqa: E402
from mothello.model import GPT, preset  # noqa: E402
from mothello.train import native_bf16_cpu  # noqa: E402


class NewGELU(nn.Module):
    def forward(self, x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class RefAttention(nn.Module):
    def __init__(self, C, H, T):
        super().__init__()
        self.c_attn, self.c_proj, self.n_head = nn.Linear(C, 3 * C), nn.Linear(C, C), H
        self.register_buffer("bias", torch.tril(torch.ones(T, T)).view(1, 1, T, T))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class RefBlock(nn.Module):
    def __init__(self, C, H, T):
        super().__init__()
        self.ln_1, self.attn, self.ln_2 = nn.LayerNorm(C), RefAttention(C, H, T), nn.LayerNorm(C)
        self.mlp = nn.ModuleDict(dict(c_fc=nn.Linear(C, 4 * C), c_proj=nn.Linear(4 * C, C), act=NewGELU()))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        m = self.mlp
        return x + m.c_proj(m.act(m.c_fc(self.ln_2(x))))


class RefGPT(nn.Module):
    def __init__(self, V, T, L, H, C):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, C), nn.Embedding(T, C)
        self.h = nn.ModuleList(RefBlock(C, H, T) for _ in range(L))
        self.ln_f, self.lm_head = nn.LayerNorm(C), nn.Linear(C, V, bias=False)

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.size(1)))
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))


def tokens_per_s(model, opt, batches, steps, bf16=False):
    model.train()
    n_tok, start = 0, None
    for i in range(steps + 3):
        if i == 3:
            n_tok, start = 0, time.perf_counter()
        b = batches[i % len(batches)]
        x, y = torch.as_tensor(b.inputs), torch.as_tensor(b.targets)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(x)
        loss = F.cross_entropy(logits.flatten(0, 1).float(), y.flatten(), ignore_index=IGNORE)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        n_tok += int((b.inputs > 0).sum())
    return n_tok / (time.perf_counter() - start)


def bf16_kernel_attend(q, k, v, mask, dropout_p=0.0):
    """model.attend as PyTorch's scaled_dot_product_attention does it in the input's precision (the
    baseline of the float32 attention model.attend computes on a CPU)."""
    if mask is None:
        return F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=dropout_p)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout_p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="small")
    ap.add_argument("--config", default=str(ROOT / "configs" / "naive-2.toml"))
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch-size", type=int, default=64)
    args = ap.parse_args()
    vocab = Vocabulary.build(load_config(args.config))
    cfg = preset(args.preset, vocab.size, vocab.context_length)
    data = TrainingData(vocab, args.batch_size, n_games=None, seed=0, cache=False)
    batches = [data.batch(i) for i in range(8)]
    torch.manual_seed(0)
    ours = GPT(cfg)
    ref = RefGPT(cfg.vocab_size, cfg.context_length, cfg.n_layer, cfg.n_head, cfg.d_model)
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in ref.parameters())
    results = {}
    for rnd in range(2):  # alternate, so that neither side gets a quieter machine
        results.setdefault("ref", []).append(tokens_per_s(ref, torch.optim.AdamW(ref.parameters(), lr=1e-3), batches, args.steps))
        results.setdefault("ours", []).append(tokens_per_s(ours, ours.configure_optimizer(1e-3, 0.1), batches, args.steps))
        if native_bf16_cpu():
            results.setdefault("bf16", []).append(tokens_per_s(ours, ours.configure_optimizer(1e-3, 0.1), batches,
                                                               args.steps, bf16=True))
            own, mothello.model.attend = mothello.model.attend, bf16_kernel_attend
            try:
                results.setdefault("bf16 kernel", []).append(
                    tokens_per_s(ours, ours.configure_optimizer(1e-3, 0.1), batches, args.steps, bf16=True))
            finally:
                mothello.model.attend = own
    r, o = max(results["ref"]), max(results["ours"])
    print(f"model {args.preset}: {cfg.n_layer} layers x {cfg.d_model}, {ours.n_params:,} parameters, "
          f"batch {args.batch_size} games, {torch.get_num_threads()} threads")
    print(f"minGPT-style reference   {r:>10,.0f} tokens/s")
    print(f"mothello GPT             {o:>10,.0f} tokens/s   ratio {o / r:.2f}x")
    if "bf16" in results:  # what dtype="auto" trains with on this CPU
        b = max(results["bf16"])
        k = max(results["bf16 kernel"])
        print(f"mothello GPT, bfloat16   {b:>10,.0f} tokens/s   ratio {b / r:.2f}x  ({b / o:.2f}x its float32)")
        print(f"  attending in bfloat16  {k:>10,.0f} tokens/s   ratio {k / r:.2f}x  (float32 attention: "
              f"{b / k:.2f}x as fast)")
    else:
        print("bfloat16: this CPU has no native bfloat16 (dtype=auto trains in float32 here)")


if __name__ == "__main__":
    main()
