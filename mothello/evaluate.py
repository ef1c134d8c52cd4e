"""Legal-move accuracy (MOTHELLO.md): at every prefix of held-out games, is the model's greedy next
move legal? The whole move is decoded greedily, all of its tokens, in the input's language (or in
language 0 under unified output); a token that starts no move of that language counts as illegal.

Batched: one forward pass scores every prefix of a batch of games at once. Multi-token moves are
decoded greedily for every prefix in parallel: the tokens predicted so far for each prefix are
appended after the game's own tokens, with positions continuing that prefix and an attention mask
that lets each appended token see only its own prefix and its own earlier appended tokens. A move of
up to 3 tokens costs up to 3 such passes, never one pass per prefix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .data import IGNORE, make_batch
from .languages import MAX_SPLIT, Vocabulary
from .model import GPT
from .othello import MAX_MOVES, replay


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@dataclass
class _Lookup:
    """Decoding table of one language: full token sequences -> squares, and valid proper prefixes."""

    complete: dict
    prefixes: set

    @classmethod
    def of(cls, vocab: Vocabulary, li: int) -> "_Lookup":
        complete, prefixes = {}, set()
        for sq in range(64):
            n = int(vocab.lengths[li, sq])
            if n:
                seq = tuple(int(t) for t in vocab.tokens[li, sq, :n])
                complete[seq] = sq
                prefixes.update(seq[:k] for k in range(1, n))
        return cls(complete, prefixes)


def _token_mask(vocab: Vocabulary, language: int, device) -> torch.Tensor:
    """(V,) 0 on the language's tokens, -inf elsewhere: added to logits to choose among them only."""
    m = torch.full((vocab.size,), float("-inf"), device=device)
    m[torch.as_tensor(vocab.language_tokens(language), device=device)] = 0.0
    return m


def _restrict(logits: torch.Tensor, allowed: torch.Tensor | None) -> torch.Tensor:
    return logits if allowed is None else logits + allowed.to(logits.dtype)


def _continuation_inputs(tokens, last, appended, context_length):
    """Sequences for one greedy step over every prefix at once.

    tokens (B, T); last (B, M) position of each move's last token (-1 padding); appended (B, M, J)
    tokens already chosen for the move after each prefix. Returns ids (B, T + M*J), positions and a
    boolean attention mask (B, T + M*J, T + M*J).
    """
    B, T = tokens.shape
    M, J = appended.shape[1], appended.shape[2]
    dev = tokens.device
    ids = torch.cat([tokens, appended.reshape(B, M * J)], dim=1)
    j = torch.arange(J, device=dev)
    pos_app = (last.clamp(min=0)[:, :, None] + 1 + j).clamp(max=context_length - 1)  # (B, M, J)
    positions = torch.cat([torch.arange(T, device=dev).expand(B, T), pos_app.reshape(B, M * J)], dim=1)
    S = T + M * J
    mask = torch.zeros(B, S, S, dtype=torch.bool, device=dev)
    mask[:, :T, :T] = torch.tril(torch.ones(T, T, dtype=torch.bool, device=dev))
    # appended token (m, j) sees the game's tokens 0..last[m] ...
    sees_game = torch.arange(T, device=dev)[None, None, :] <= last[:, :, None]  # (B, M, T)
    mask[:, T:, :T] = sees_game[:, :, None, :].expand(B, M, J, T).reshape(B, M * J, T)
    # ... and its own move's appended tokens up to itself
    own = torch.tril(torch.ones(J, J, dtype=torch.bool, device=dev))
    block = torch.block_diag(*([own] * M))  # (M*J, M*J)
    mask[:, T:, T:] = block
    return ids, positions, mask


@torch.no_grad()
def predict_moves(model: GPT, vocab: Vocabulary, games: np.ndarray, language, batch_size: int = 128,
                  device=None, own_tokens_only: bool = False) -> np.ndarray:
    """The model's greedy next move after each move of each game, read in `language`.

    Returns (n, 60) int: the predicted square after move k, or -1 where the decoded tokens are no
    move of the output language (or there is no move k). own_tokens_only: the greedy choice is taken
    among the output language's tokens only, a diagnostic for a model that has drifted to another
    language's tokens (does it still know the moves?); legal-move accuracy proper never uses it.
    """
    device = device or next(model.parameters()).device
    li = vocab.config.input_index(language)
    unified = vocab.config.unified_output
    out_lang = 0 if unified else li
    lookup = _Lookup.of(vocab, out_lang)
    allowed = _token_mask(vocab, out_lang, device) if own_tokens_only else None
    ctx = model.cfg.context_length  # a move whose tokens would run past the context is no move
    games = np.asarray(games)
    preds = np.full(games.shape, -1, dtype=np.int64)
    model.eval()
    for start in range(0, len(games), batch_size):
        g = games[start:start + batch_size]
        tok_np, last_np = vocab.encode(g, li)
        tokens = torch.as_tensor(tok_np, device=device)
        last = torch.as_tensor(last_np, device=device)
        valid = last >= 0
        rows = torch.arange(len(g), device=device)[:, None]
        logits = _restrict(model(tokens), allowed)  # (B, T, V)
        chosen = [logits[rows, last.clamp(min=0)].argmax(-1)]  # (B, M): first token of each next move
        if not unified:
            for _ in range(MAX_SPLIT - 1):
                seqs = torch.stack(chosen, -1).cpu().numpy()  # (B, M, J)
                pending = np.array([[tuple(s) in lookup.prefixes for s in row] for row in seqs]) & valid.cpu().numpy()
                pending &= last_np + seqs.shape[-1] < ctx  # the next token must still fit in the context
                if not pending.any():
                    break
                ids, positions, mask = _continuation_inputs(tokens, last, torch.as_tensor(seqs, device=device),
                                                            model.cfg.context_length)
                logits = _restrict(model(ids, positions=positions, mask=mask), allowed)
                J = seqs.shape[-1]
                T = tokens.shape[1]
                at = T + torch.arange(last.shape[1], device=device) * J + (J - 1)  # each move's newest token
                chosen.append(logits[:, at].argmax(-1))
        seqs = torch.stack(chosen, -1).cpu().numpy()
        for b in range(len(g)):
            for m in range(games.shape[1]):
                if last_np[b, m] < 0:
                    continue
                seq = tuple(int(t) for t in seqs[b, m])
                for k in range(1, len(seq) + 1):  # the first complete move along the greedy path
                    if seq[:k] in lookup.complete:
                        preds[start + b, m] = lookup.complete[seq[:k]]
                        break
                    if seq[:k] not in lookup.prefixes or last_np[b, m] + k >= ctx:  # as the reference
                        break
    return preds


def legal_move_accuracy(model: GPT, vocab: Vocabulary, games: np.ndarray, languages=None,
                        batch_size: int = 128, device=None, own_tokens_only: bool = False) -> dict[str, float]:
    """{language name: fraction of prefixes whose greedy next move is legal}, for the input languages
    (or those given). Prefixes after which the game is over are not counted. own_tokens_only: see
    predict_moves (a diagnostic, not the metric)."""
    r = replay(games)
    has_next = r.next_legal.any(-1)  # (n, 60)
    langs = vocab.config.input_languages if languages is None else [vocab.config.input_index(x) for x in languages]
    out = {}
    for li in langs:
        pred = predict_moves(model, vocab, games, li, batch_size, device, own_tokens_only)
        ok = np.take_along_axis(r.next_legal, np.clip(pred, 0, 63)[..., None], -1)[..., 0] & (pred >= 0)
        out[vocab.config.languages[li].name] = float(ok[has_next].mean())
    return out


@torch.no_grad()
def output_token_shares(model: GPT, vocab: Vocabulary, games: np.ndarray, language, batch_size: int = 128,
                        device=None) -> dict[str, float]:
    """{language name: share of prefixes whose greedy next token is one of that language's tokens},
    reading the games in `language`; prefixes after which the game is over are not counted. A token
    that several languages share (an anchor) counts for each of them, so shares can sum past 1.
    Shows which language a model answers in, e.g. after fine-tuning on another one."""
    device = device or next(model.parameters()).device
    li = vocab.config.input_index(language)
    names = vocab.config.language_names
    owner = np.zeros((len(names), vocab.size), dtype=bool)  # (languages, V)
    for k in range(len(names)):
        owner[k, vocab.language_tokens(k)] = True
    has_next = replay(games).next_legal.any(-1)  # (n, 60)
    counts, total = np.zeros(len(names)), 0
    model.eval()
    for start in range(0, len(games), batch_size):
        g = np.asarray(games[start:start + batch_size])
        tok_np, last_np = vocab.encode(g, li)
        logits = model(torch.as_tensor(tok_np, device=device))  # (B, T, V)
        rows = torch.arange(len(g), device=device)[:, None]
        top = logits[rows, torch.as_tensor(last_np, device=device).clamp(min=0)].argmax(-1).cpu().numpy()  # (B, 60)
        keep = (last_np >= 0) & has_next[start:start + batch_size]
        counts += owner[:, top[keep]].sum(1)
        total += int(keep.sum())
    return {n: float(c / max(total, 1)) for n, c in zip(names, counts)}


@torch.no_grad()
def validation_loss(model: GPT, vocab: Vocabulary, games: np.ndarray, batch_size: int = 128,
                    device=None) -> float:
    """Mean next-token cross-entropy on games written in every input language in turn."""
    device = device or next(model.parameters()).device
    model.eval()
    total, count = 0.0, 0
    for li in vocab.config.input_languages:
        for start in range(0, len(games), batch_size):
            b = make_batch(vocab, games[start:start + batch_size], li)
            logits = model(torch.as_tensor(b.inputs, device=device))
            t = torch.as_tensor(b.targets, device=device)
            total += F.cross_entropy(logits.flatten(0, 1).float(), t.flatten(), ignore_index=IGNORE,
                                     reduction="sum").item()
            count += int((t != IGNORE).sum())
    return total / max(count, 1)


@torch.no_grad()
def predict_moves_per_prefix(model: GPT, vocab: Vocabulary, games: np.ndarray, language, device=None,
                             own_tokens_only: bool = False) -> np.ndarray:
    """The straightforward reference: one forward pass per prefix, one token at a time (as the
    original code does). Same output as predict_moves; used by the tests and the benchmark."""
    device = device or next(model.parameters()).device
    li = vocab.config.input_index(language)
    out_lang = 0 if vocab.config.unified_output else li
    lookup = _Lookup.of(vocab, out_lang)
    allowed = _token_mask(vocab, out_lang, device) if own_tokens_only else None
    games = np.asarray(games)
    preds = np.full(games.shape, -1, dtype=np.int64)
    model.eval()
    for gi, game in enumerate(games):
        tok, last = vocab.encode(game, li)
        for m in range(MAX_MOVES):
            if last[m] < 0:
                continue
            seq = [int(t) for t in tok[: last[m] + 1]]
            chosen: tuple = ()
            for _ in range(1 if vocab.config.unified_output else MAX_SPLIT):
                logits = _restrict(model(torch.as_tensor([seq], device=device)), allowed)
                chosen += (int(logits[0, -1].argmax()),)
                if chosen in lookup.complete:
                    preds[gi, m] = lookup.complete[chosen]
                    break
                if chosen not in lookup.prefixes or len(seq) >= model.cfg.context_length:
                    break
                seq.append(chosen[-1])
    return preds


@torch.no_grad()
def move_probabilities(model: GPT, vocab: Vocabulary, tokens: torch.Tensor, language: int,
                       hooks=None) -> np.ndarray:
    """(64,) the model's probability of each next move after the context `tokens` (1, T).

    A move's probability is that of its tokens (in the output language: language 0 under unified
    output, else the input's) up to the first token that no other move shares; the rest of its tokens
    are then forced. So an atomic or split move costs one distribution, and the moves of a compositional
    language that share their row token are told apart by the column token: one batched pass over the
    context extended by every shared prefix. Prefixes that would run past the context length are not
    extended. `hooks` (see GPT.forward) apply to every sequence of the batch.
    """
    out = 0 if vocab.config.unified_output else int(language)
    seqs = [tuple(int(t) for t in vocab.tokens[out, s, :vocab.lengths[out, s]]) for s in range(64)]
    T, room = tokens.shape[1], model.cfg.context_length - tokens.shape[1]
    shared = {}
    for seq in seqs:
        for j in range(1, len(seq)):
            shared[seq[:j]] = shared.get(seq[:j], 0) + 1
    prefixes = [()] + sorted(p for p, n in shared.items() if n > 1 and len(p) <= room)
    width = max(len(p) for p in prefixes)
    batch = tokens.new_zeros((len(prefixes), T + width))
    batch[:, :T] = tokens[0]
    for i, p in enumerate(prefixes):
        batch[i, T:T + len(p)] = torch.as_tensor(p, dtype=batch.dtype)
    logits = model(batch, hooks=hooks)  # right padding is never read: causal attention
    read = torch.as_tensor([T - 1 + len(p) for p in prefixes], device=logits.device)
    probs = torch.softmax(logits[torch.arange(len(prefixes), device=logits.device), read].double(), -1).cpu().numpy()
    row = {p: i for i, p in enumerate(prefixes)}
    result = np.zeros(64)
    for s, seq in enumerate(seqs):
        if seq:
            p, j = 1.0, 0
            while j < len(seq) and seq[:j] in row and (j == 0 or shared.get(seq[:j], 0) > 1):
                p *= probs[row[seq[:j]], seq[j]]
                j += 1
            result[s] = p
    return result
