"""A compact decoder-only GPT (learned positions, pre-LayerNorm blocks, GELU MLP, causal attention).

One forward pass returns the logits and, on request, the residual stream after every block:
hidden[0] is the embeddings, hidden[l] the output of block l, shape (layers+1, B, T, C). Residual
streams are named as in TransformerLens: layer 0 is `blocks.0.hook_resid_pre`, layer l >= 1 is
`blocks.{l-1}.hook_resid_post`. `hooks` maps a layer number to a function that edits that residual
stream in place of it (interventions).

Shapes in comments: B batch, T tokens, C width, H heads, D head width, V vocabulary.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class GPTConfig:
    vocab_size: int
    context_length: int
    n_layer: int = 3
    n_head: int = 6
    d_model: int = 192
    dropout: float = 0.0

    def __post_init__(self):
        for k in ("vocab_size", "context_length", "n_layer", "n_head", "d_model"):
            if int(getattr(self, k)) < 1:
                raise ValueError(f"{k} must be >= 1")
        if self.d_model % self.n_head:
            raise ValueError(f"d_model ({self.d_model}) must be divisible by n_head ({self.n_head})")

    def to_dict(self) -> dict:
        return asdict(self)


PRESETS: dict[str, dict] = {
    "tiny": dict(n_layer=2, n_head=2, d_model=64),     # tests: trains in seconds
    "small": dict(n_layer=3, n_head=6, d_model=192),   # the shipped CPU demo size (~1.4M parameters)
    "paper": dict(n_layer=8, n_head=8, d_model=512),   # Othello-GPT's size
}


def shape_label(shape: dict, times: str = "×") -> str:
    """'6 layers × 128 wide, 4 heads' for {n_layer, n_head, d_model} (times="x": ASCII, for the CLI)."""
    n, h = shape["n_layer"], shape["n_head"]
    return f"{n} layer{'s' * (n != 1)} {times} {shape['d_model']} wide, {h} head{'s' * (h != 1)}"


def model_parts(n_layer: int) -> dict[str, tuple[str, ...]]:
    """The GPT's weights in named parts, as prefixes of its parameter names: the two embeddings, each
    block's attention and MLP (each with the LayerNorm in front of it; block k writes layer k), and the
    output layer (final LayerNorm and unembedding). Fine-tuning can freeze parts (GPT.freeze), and the
    transfer experiment puts parts back one at a time (transfer.restore_parts)."""
    parts = {"token embeddings": ("tok_emb.",), "position embeddings": ("pos_emb.",)}
    for i in range(n_layer):
        parts[f"block {i + 1} attention"] = (f"blocks.{i}.ln1.", f"blocks.{i}.attn.")
        parts[f"block {i + 1} MLP"] = (f"blocks.{i}.ln2.", f"blocks.{i}.mlp.")
    parts["output layer"] = ("ln_f.", "head.")
    return parts


def freeze_prefixes(parts: list[str], n_layer: int) -> tuple[str, ...]:
    """The parameter-name prefixes of the parts to freeze. ValueError names the known parts when one is
    unknown, and refuses to freeze every part (nothing would be left to train)."""
    known = model_parts(n_layer)
    bad = [p for p in parts if p not in known]
    if bad:
        raise ValueError(f"unknown model part(s) {', '.join(map(repr, bad))} (known: {', '.join(known)})")
    if set(parts) == set(known):
        raise ValueError("freezing every part of the model leaves nothing to train")
    return tuple(x for p in parts for x in known[p])


def preset(name: str, vocab_size: int, context_length: int, **overrides) -> GPTConfig:
    if name not in PRESETS:
        raise ValueError(f"unknown model preset {name!r} (known: {', '.join(PRESETS)})")
    return GPTConfig(vocab_size=vocab_size, context_length=context_length, **{**PRESETS[name], **overrides})


def hook_name(layer: int) -> str:
    """TransformerLens name of the residual stream at `layer` (0 = embeddings)."""
    return "blocks.0.hook_resid_pre" if layer == 0 else f"blocks.{layer - 1}.hook_resid_post"


class SelfAttention(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.n_head = cfg.n_head
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)
        self.dropout = cfg.dropout

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)  # 3 x (B, T, C)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))  # (B, H, T, D)
        y = attend(q, k, v, mask, self.dropout if self.training else 0.0)  # (B, H, T, D)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


def attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None,
           dropout_p: float = 0.0) -> torch.Tensor:
    """Scaled dot-product attention, q, k, v (B, H, T, D) -> (B, H, T, D): causal, or where `mask`
    (B, 1, T, T) is True. On a CPU, in a lower precision (bfloat16 autocast), it attends in float32 and
    hands back the input's precision: PyTorch's bfloat16 attention kernel trains 2-4x slower there than
    its float32 one (its backward); attending in float32 makes a bfloat16 training step of the `small`
    shapes 1.4-1.6x faster, and the attention more precise besides (benchmarks/bench_train.py)."""
    if q.device.type == "cpu" and q.dtype != torch.float32:
        with torch.autocast("cpu", enabled=False):
            return attend(q.float(), k.float(), v.float(), mask, dropout_p).to(q.dtype)
    if mask is None:
        return F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=dropout_p)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout_p)


class Block(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.attn = SelfAttention(cfg)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.mlp = nn.Sequential(nn.Linear(cfg.d_model, 4 * cfg.d_model), nn.GELU(),
                                 nn.Linear(4 * cfg.d_model, cfg.d_model), nn.Dropout(cfg.dropout))

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        x = x + self.attn(self.ln1(x), mask)
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.cfg = cfg
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.pos_emb = nn.Embedding(cfg.context_length, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        self.apply(self._init)
        for name, p in self.named_parameters():  # scaled init of the residual projections (GPT-2)
            if name.endswith("attn.proj.weight") or name.endswith("mlp.2.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init(m: nn.Module):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, 0.0, 0.02)

    @property
    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def forward(self, idx: torch.Tensor, *, positions: torch.Tensor | None = None,
                mask: torch.Tensor | None = None, return_hidden: bool = False,
                hooks: dict[int, Callable[[torch.Tensor], torch.Tensor]] | None = None,
                last_layer: int | None = None):
        """idx (B, T) token ids -> logits (B, T, V), and hidden (L+1, B, T, C) if return_hidden.

        positions (B, T) or (T,): position ids (default 0..T-1). mask (B, T, T) bool, True where a
        token may attend (default causal). hooks {layer: f}: the residual stream at that layer is
        replaced by f(resid). last_layer: stop after that many blocks and return only hidden
        (no logits), for extracting early layers cheaply.
        """
        B, T = idx.shape
        if positions is None:
            if T > self.cfg.context_length:
                raise ValueError(f"sequence of {T} tokens is longer than the context ({self.cfg.context_length})")
            positions = torch.arange(T, device=idx.device)
        x = self.drop(self.tok_emb(idx) + self.pos_emb(positions))  # (B, T, C)
        attn_mask = mask[:, None] if mask is not None else None  # (B, 1, T, T)
        hooks = hooks or {}
        if 0 in hooks:
            x = hooks[0](x)
        hidden = [x] if return_hidden else None
        n_blocks = self.cfg.n_layer if last_layer is None else last_layer
        for layer, block in enumerate(self.blocks[:n_blocks], start=1):
            x = block(x, attn_mask)
            if layer in hooks:
                x = hooks[layer](x)
            if return_hidden:
                hidden.append(x)
        if last_layer is not None:
            return None, torch.stack(hidden) if return_hidden else None
        logits = self.head(self.ln_f(x))  # (B, T, V)
        return (logits, torch.stack(hidden)) if return_hidden else logits

    def load_deepened(self, state: dict[str, torch.Tensor]) -> int:
        """Load a shallower model's weights (same width, heads and vocabulary) into this deeper one: its
        blocks become this model's first blocks, its embeddings and output layer this model's; each
        block beyond them starts as an identity (its attention and MLP output projections zero), so
        this model computes exactly what the shallower one did, and training deepens it from there.
        Returns how many blocks were added. ValueError when the weights do not fit that way."""
        n_base = 1 + max((int(k.split(".")[1]) for k in state if k.startswith("blocks.")), default=-1)
        if not 1 <= n_base <= self.cfg.n_layer:
            raise ValueError(f"a model of {n_base} blocks does not deepen into one of {self.cfg.n_layer}")
        own = self.state_dict()
        missing = [k for k in own if k not in state and not (k.startswith("blocks.") and int(k.split(".")[1]) >= n_base)]
        shapes = [k for k in state if k not in own or own[k].shape != state[k].shape]
        if missing or shapes:
            raise ValueError(f"weights do not fit: {', '.join((missing + shapes)[:3])}"
                             f"{' ...' if len(missing + shapes) > 3 else ''}")
        self.load_state_dict(state, strict=False)
        with torch.no_grad():
            for block in self.blocks[n_base:]:
                for lin in (block.attn.proj, block.mlp[2]):
                    lin.weight.zero_()
                    lin.bias.zero_()
        return self.cfg.n_layer - n_base

    def freeze(self, parts: list[str]) -> int:
        """Stop training the named parts (model_parts); returns how many parameters that freezes.
        ValueError names the known parts when one is unknown."""
        prefixes = freeze_prefixes(parts, self.cfg.n_layer)
        frozen = 0
        for name, p in self.named_parameters():
            if prefixes and name.startswith(prefixes):
                p.requires_grad_(False)
                frozen += p.numel()
        return frozen

    def configure_optimizer(self, lr: float, weight_decay: float, betas=(0.9, 0.95)) -> torch.optim.AdamW:
        """AdamW over the trained (not frozen) parameters; weight decay on weight matrices and embeddings,
        none on biases and LayerNorms."""
        trained = [p for p in self.parameters() if p.requires_grad]
        decay = [p for p in trained if p.dim() >= 2]
        no_decay = [p for p in trained if p.dim() < 2]
        groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
        # The fused kernel (CPU and CUDA) is much faster than the per-parameter loop, which on a small
        # model on CPU costs as much as the forward and backward passes together.
        return torch.optim.AdamW(groups, lr=lr, betas=betas, fused=True)
