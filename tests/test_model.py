"""The GPT (mothello.model): shapes, causality, hooks, masks, names, presets, and a pin to an
independent reference implementation."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from mothello.model import GPT, PRESETS, GPTConfig, hook_name, model_parts, freeze_prefixes, preset

V, T_CTX = 37, 24


def _model(seed=0, **overrides) -> GPT:
    """A tiny GPT whose every parameter (biases and LayerNorms included) is random and non-trivial,
    so that a mistake in any of them shows in the outputs."""
    torch.manual_seed(seed)
    m = GPT(preset("tiny", V, T_CTX, **overrides))
    with torch.no_grad():
        for name, p in m.named_parameters():
            if "ln" in name and name.endswith("weight"):
                p.copy_(1 + 0.3 * torch.randn_like(p))
            else:
                p.copy_(0.15 * torch.randn_like(p))
    return m.eval()


def _idx(B=3, T=20, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(1, V, (B, T), generator=g)


# ---------------------------------------------------------------------------------------------
# Shapes and hidden states
# ---------------------------------------------------------------------------------------------
def test_logits_and_hidden_shapes():
    m = _model()
    idx = _idx(B=3, T=20)
    logits = m(idx)
    assert logits.shape == (3, 20, V)
    logits2, hidden = m(idx, return_hidden=True)
    L, C = m.cfg.n_layer, m.cfg.d_model
    assert hidden.shape == (L + 1, 3, 20, C)
    assert torch.equal(logits, logits2)


def test_hidden_zero_is_token_plus_position_embedding_and_last_feeds_the_head():
    m = _model()
    idx = _idx(B=2, T=11)
    logits, hidden = m(idx, return_hidden=True)
    expected0 = m.tok_emb.weight[idx] + m.pos_emb.weight[torch.arange(11)][None]
    torch.testing.assert_close(hidden[0], expected0, rtol=0, atol=1e-6)
    # hidden[l] is the output of block l, and the head reads the last one
    x = hidden[0]
    for layer, block in enumerate(m.blocks, start=1):
        x = block(x, None)
        torch.testing.assert_close(hidden[layer], x, rtol=0, atol=1e-5)
    torch.testing.assert_close(logits, m.head(m.ln_f(hidden[-1])), rtol=0, atol=1e-5)


def test_last_layer_returns_only_the_early_hidden_states():
    m = _model()
    idx = _idx()
    _, full = m(idx, return_hidden=True)
    logits, early = m(idx, return_hidden=True, last_layer=1)
    assert logits is None
    assert early.shape == (2,) + full.shape[1:]
    torch.testing.assert_close(early, full[:2], rtol=0, atol=1e-6)


def test_sequence_longer_than_the_context_is_rejected():
    m = _model()
    with pytest.raises(ValueError, match="longer than the context"):
        m(torch.ones(1, T_CTX + 1, dtype=torch.long))
    assert m(torch.ones(1, T_CTX, dtype=torch.long)).shape == (1, T_CTX, V)


# ---------------------------------------------------------------------------------------------
# Causality, masks and positions
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("t", [0, 7, 19])
def test_changing_a_later_token_never_changes_earlier_logits(t):
    m = _model()
    idx = _idx(B=2, T=20)
    changed = idx.clone()
    changed[:, t] = (changed[:, t] % (V - 1)) + 1  # a different non-padding token
    assert not torch.equal(changed, idx)
    a, ha = m(idx, return_hidden=True)
    b, hb = m(changed, return_hidden=True)
    torch.testing.assert_close(a[:, :t], b[:, :t], rtol=0, atol=1e-6)
    torch.testing.assert_close(ha[:, :, :t], hb[:, :, :t], rtol=0, atol=1e-6)
    assert (a[:, t:] - b[:, t:]).abs().amax(-1).min() > 1e-4  # every later position sees the change


def test_explicit_default_positions_and_causal_mask_equal_the_default_path():
    m = _model()
    B, T = 3, 17
    idx = _idx(B=B, T=T)
    ref = m(idx)
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool)).expand(B, T, T)
    for positions in (torch.arange(T), torch.arange(T).expand(B, T)):
        out = m(idx, positions=positions, mask=causal)
        torch.testing.assert_close(out, ref, rtol=0, atol=1e-5)
    _, h1 = m(idx, return_hidden=True)
    _, h2 = m(idx, positions=torch.arange(T), mask=causal, return_hidden=True)
    torch.testing.assert_close(h1, h2, rtol=0, atol=1e-5)


def test_packed_sequences_with_a_block_mask_and_restarted_positions_equal_separate_runs():
    """mask is True where a token may attend: two sequences packed into one row, each seeing only
    itself, with positions restarting at 0, give the logits of running each alone."""
    m = _model()
    a, b = _idx(B=1, T=9, seed=3), _idx(B=1, T=6, seed=4)
    packed = torch.cat([a, b], 1)
    mask = torch.zeros(1, 15, 15, dtype=torch.bool)
    mask[0, :9, :9] = torch.tril(torch.ones(9, 9, dtype=torch.bool))
    mask[0, 9:, 9:] = torch.tril(torch.ones(6, 6, dtype=torch.bool))
    positions = torch.cat([torch.arange(9), torch.arange(6)])
    out = m(packed, positions=positions, mask=mask)
    torch.testing.assert_close(out[:, :9], m(a), rtol=0, atol=1e-5)
    torch.testing.assert_close(out[:, 9:], m(b), rtol=0, atol=1e-5)
    # and the mask matters: letting b see a changes b's logits
    mask[0, 9:, :9] = True
    assert not torch.allclose(m(packed, positions=positions, mask=mask)[:, 9:], m(b), atol=1e-3)


@pytest.fixture
def sdpa_dtypes(monkeypatch):
    """The dtypes of q, k, v that every call of PyTorch's attention kernel from the model gets."""
    import mothello.model as model_module

    seen, real = [], F.scaled_dot_product_attention

    def spy(q, k, v, **kw):
        seen.append((q.dtype, k.dtype, v.dtype))
        return real(q, k, v, **kw)

    monkeypatch.setattr(model_module.F, "scaled_dot_product_attention", spy)
    return seen


def test_under_bfloat16_autocast_on_a_cpu_attention_runs_in_float32_and_hands_back_bfloat16(sdpa_dtypes):
    """On a CPU, PyTorch's bfloat16 attention kernel trains slower than its float32 one (bench_train.py): the
    model attends in float32 there, every block, forward and backward; the matrix products stay in bfloat16."""
    m = _model().train()
    idx = _idx()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = m(idx)
    assert logits.dtype == torch.bfloat16
    assert sdpa_dtypes == [(torch.float32,) * 3] * m.cfg.n_layer
    logits.float().sum().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in m.parameters())
    sdpa_dtypes.clear()
    m(idx)  # float32 without autocast: the kernel as it is
    assert sdpa_dtypes == [(torch.float32,) * 3] * m.cfg.n_layer


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 3), st.sampled_from([1, 2, 4]), st.integers(1, 40), st.booleans(), st.integers(0, 2**16))
def test_attention_of_bfloat16_inputs_is_float32_attention_rounded_once(B, H, T, masked, seed):
    """model.attend on bfloat16 q, k, v (a CPU): the float64 attention of those very inputs, rounded to
    bfloat16 once at the end (to within bfloat16's rounding of it), for the causal default and a mask alike;
    and a causal mask given explicitly is the default."""
    from mothello.model import attend

    g = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(B, H, T, 8, generator=g).bfloat16() for _ in range(3))
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    mask = (torch.rand(B, 1, T, T, generator=g) < 0.7) & causal
    mask[..., torch.arange(T), torch.arange(T)] = True  # every token sees at least itself
    allowed = mask if masked else causal.expand(B, 1, T, T)
    scores = (q.double() @ k.double().transpose(-1, -2)) / math.sqrt(8)
    want = scores.masked_fill(~allowed, float("-inf")).softmax(-1) @ v.double()
    got = attend(q, k, v, mask if masked else None)
    assert got.dtype == torch.bfloat16 and got.shape == (B, H, T, 8)
    torch.testing.assert_close(got.double(), want, rtol=2 ** -8, atol=1e-5)
    if not masked:
        assert torch.equal(attend(q, k, v, causal.expand(B, 1, T, T)), got)


# ---------------------------------------------------------------------------------------------
# Hooks
# ---------------------------------------------------------------------------------------------
def test_identity_hooks_change_nothing():
    m = _model()
    idx = _idx()
    ref, href = m(idx, return_hidden=True)
    hooks = {layer: (lambda x: x) for layer in range(m.cfg.n_layer + 1)}
    out, hout = m(idx, return_hidden=True, hooks=hooks)
    assert torch.equal(out, ref) and torch.equal(hout, href)


def test_zeroing_the_last_layer_replaces_the_residual_the_head_reads():
    m = _model()
    idx = _idx()
    L = m.cfg.n_layer
    ref = m(idx)
    out, hidden = m(idx, return_hidden=True, hooks={L: torch.zeros_like})
    assert torch.count_nonzero(hidden[L]) == 0
    const = m.head(m.ln_f(torch.zeros(m.cfg.d_model)))  # what the head makes of a zero residual
    torch.testing.assert_close(out, const.expand_as(out), rtol=0, atol=1e-6)
    assert not torch.allclose(out, ref, atol=1e-3)


@pytest.mark.parametrize("layer", [0, 1])
def test_a_hook_edits_the_stream_that_the_following_blocks_read(layer):
    m = _model()
    idx = _idx()
    _, clean = m(idx, return_hidden=True)
    shift = torch.randn(m.cfg.d_model, generator=torch.Generator().manual_seed(9))
    out, hidden = m(idx, return_hidden=True, hooks={layer: lambda x: x + shift})
    # layers before the hook are untouched, the hooked layer holds the edit ...
    torch.testing.assert_close(hidden[:layer], clean[:layer], rtol=0, atol=0)
    torch.testing.assert_close(hidden[layer], clean[layer] + shift, rtol=0, atol=1e-6)
    # ... and every later layer is computed from the edited stream
    x = hidden[layer]
    for later in range(layer + 1, m.cfg.n_layer + 1):
        x = m.blocks[later - 1](x, None)
        torch.testing.assert_close(hidden[later], x, rtol=0, atol=1e-5)
    torch.testing.assert_close(out, m.head(m.ln_f(x)), rtol=0, atol=1e-5)
    assert not torch.allclose(hidden[-1], clean[-1], atol=1e-3)


# ---------------------------------------------------------------------------------------------
# Names, presets, config validation
# ---------------------------------------------------------------------------------------------
def test_hook_names_follow_transformer_lens():
    assert hook_name(0) == "blocks.0.hook_resid_pre"
    assert hook_name(1) == "blocks.0.hook_resid_post"
    assert hook_name(2) == "blocks.1.hook_resid_post"
    assert [hook_name(layer) for layer in range(1, 9)] == [f"blocks.{i}.hook_resid_post" for i in range(8)]


@pytest.mark.parametrize("name, layers, heads, width", [
    ("tiny", 2, 2, 64),
    ("small", 3, 6, 192),
    ("paper", 8, 8, 512),  # Othello-GPT's size (MOTHELLO.md)
])
def test_presets(name, layers, heads, width):
    cfg = preset(name, vocab_size=121, context_length=60)
    assert (cfg.n_layer, cfg.n_head, cfg.d_model) == (layers, heads, width)
    assert (cfg.vocab_size, cfg.context_length) == (121, 60)
    assert PRESETS[name] == dict(n_layer=layers, n_head=heads, d_model=width)
    m = GPT(cfg)
    assert len(m.blocks) == layers and m.blocks[0].attn.n_head == heads
    d = width  # embeddings + untied head, positions, 12d^2+13d per block, final LayerNorm
    assert m.n_params == 2 * 121 * d + 60 * d + layers * (12 * d * d + 13 * d) + 2 * d


def test_preset_overrides_and_bad_configs():
    assert preset("tiny", 10, 5, n_layer=3).n_layer == 3
    with pytest.raises(ValueError, match="unknown model preset"):
        preset("huge", 10, 5)
    with pytest.raises(ValueError, match="divisible"):
        GPTConfig(vocab_size=10, context_length=5, n_head=3, d_model=64)
    with pytest.raises(ValueError, match="n_layer"):
        GPTConfig(vocab_size=10, context_length=5, n_layer=0)
    assert GPTConfig(**preset("small", 10, 5).to_dict()) == preset("small", 10, 5)


def test_optimizer_decays_matrices_and_embeddings_only():
    m = _model()
    opt = m.configure_optimizer(1e-3, 0.1)
    decay, no_decay = opt.param_groups
    assert decay["weight_decay"] == 0.1 and no_decay["weight_decay"] == 0.0
    assert all(p.dim() >= 2 for p in decay["params"]) and all(p.dim() < 2 for p in no_decay["params"])
    assert len(decay["params"]) + len(no_decay["params"]) == len(list(m.parameters()))


# ---------------------------------------------------------------------------------------------
# Named parts and freezing
# ---------------------------------------------------------------------------------------------
@given(st.integers(1, 6))
@settings(max_examples=6, deadline=None)
def test_model_parts_cover_every_weight_once(n_layer):
    keys = GPT(GPTConfig(vocab_size=11, context_length=8, n_layer=n_layer, n_head=2, d_model=8)).state_dict()
    parts = model_parts(n_layer)
    assert len(parts) == 2 * n_layer + 3
    for k in keys:
        assert sum(k.startswith(p) for p in parts.values()) == 1, k


@given(st.data())
@settings(max_examples=25, deadline=None)
def test_freeze_stops_exactly_the_named_parts(data):
    n_layer = data.draw(st.integers(1, 3))
    names = data.draw(st.lists(st.sampled_from(list(model_parts(n_layer))), unique=True,
                               max_size=len(model_parts(n_layer)) - 1))
    torch.manual_seed(0)
    m = GPT(GPTConfig(vocab_size=11, context_length=8, n_layer=n_layer, n_head=2, d_model=8))
    before = {k: v.clone() for k, v in m.state_dict().items()}
    n = m.freeze(names)
    prefixes = freeze_prefixes(names, n_layer)
    should = {k for k, _ in m.named_parameters() if prefixes and k.startswith(prefixes)}
    assert {k for k, p in m.named_parameters() if not p.requires_grad} == should
    assert n == sum(p.numel() for k, p in m.named_parameters() if k in should)
    opt = m.configure_optimizer(1e-2, 0.1)
    assert {id(p) for g in opt.param_groups for p in g["params"]} == {id(p) for p in m.parameters() if p.requires_grad}
    # a few steps (with weight decay): the frozen weights stay bit for bit, every trained part moves
    idx = torch.randint(1, 11, (4, 8))
    for _ in range(3):
        F.cross_entropy(m(idx).flatten(0, 1), idx.roll(-1, 1).flatten()).backward()
        opt.step()
        opt.zero_grad()
    after = m.state_dict()
    for name, pre in model_parts(n_layer).items():
        keys = [k for k in after if k.startswith(pre)]
        same = all(torch.equal(after[k], before[k]) for k in keys)
        assert same == (name in names), name


def test_freezing_an_unknown_part_names_the_known_ones():
    m = _model()
    with pytest.raises(ValueError, match="unknown model part.*'block 3 MLP'.*known: token embeddings"):
        m.freeze(["block 3 MLP"])  # the tiny preset has 2 blocks
    with pytest.raises(ValueError, match="every part"):
        m.freeze(list(model_parts(2)))
    assert all(p.requires_grad for p in m.parameters())


# ---------------------------------------------------------------------------------------------
# An independent reference implementation
# ---------------------------------------------------------------------------------------------
def _layer_norm(x, w, b, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * w + b


def _gelu(x):
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


def reference_gpt(sd: dict, idx: torch.Tensor, n_layer: int, n_head: int):
    """A straightforward pre-LayerNorm GPT written from the parameter layout alone: explicit
    attention scores, a -inf causal mask and an explicit softmax, in float64. Returns logits and
    the residual stream after every block."""
    sd = {k: v.double() for k, v in sd.items()}
    B, T = idx.shape
    x = sd["tok_emb.weight"][idx] + sd["pos_emb.weight"][:T]
    hidden = [x]
    C = x.shape[-1]
    D = C // n_head
    future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    for i in range(n_layer):
        p = f"blocks.{i}."
        h = _layer_norm(x, sd[p + "ln1.weight"], sd[p + "ln1.bias"])
        qkv = h @ sd[p + "attn.qkv.weight"].T + sd[p + "attn.qkv.bias"]
        q, k, v = qkv[..., :C], qkv[..., C:2 * C], qkv[..., 2 * C:]
        heads = []
        for hd in range(n_head):
            sl = slice(hd * D, (hd + 1) * D)
            scores = q[..., sl] @ k[..., sl].transpose(-1, -2) / math.sqrt(D)  # (B, T, T)
            scores = scores.masked_fill(future, float("-inf"))
            weights = torch.exp(scores - scores.amax(-1, keepdim=True))
            weights = weights / weights.sum(-1, keepdim=True)
            heads.append(weights @ v[..., sl])
        y = torch.cat(heads, -1)
        x = x + y @ sd[p + "attn.proj.weight"].T + sd[p + "attn.proj.bias"]
        h = _layer_norm(x, sd[p + "ln2.weight"], sd[p + "ln2.bias"])
        h = _gelu(h @ sd[p + "mlp.0.weight"].T + sd[p + "mlp.0.bias"])
        x = x + h @ sd[p + "mlp.2.weight"].T + sd[p + "mlp.2.bias"]
        hidden.append(x)
    logits = _layer_norm(x, sd["ln_f.weight"], sd["ln_f.bias"]) @ sd["head.weight"].T
    return logits, torch.stack(hidden)


def test_reference_implementation_uses_exactly_the_models_parameters():
    m = _model()
    expected = {"tok_emb.weight", "pos_emb.weight", "ln_f.weight", "ln_f.bias", "head.weight"}
    for i in range(m.cfg.n_layer):
        expected |= {f"blocks.{i}.{k}" for k in (
            "ln1.weight", "ln1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias",
            "ln2.weight", "ln2.bias", "mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias")}
    assert set(m.state_dict()) == expected


@pytest.mark.parametrize("overrides", [{}, dict(n_layer=3, n_head=4, d_model=32)])
def test_model_matches_the_reference_implementation(overrides):
    m = _model(seed=5, **overrides)
    idx = _idx(B=4, T=T_CTX, seed=6)
    logits, hidden = m(idx, return_hidden=True)
    ref_logits, ref_hidden = reference_gpt(m.state_dict(), idx, m.cfg.n_layer, m.cfg.n_head)
    assert ref_logits.abs().max() > 1.0  # the comparison is not between near-zero numbers
    torch.testing.assert_close(logits.double(), ref_logits, rtol=0, atol=1e-5)
    torch.testing.assert_close(hidden.double(), ref_hidden, rtol=0, atol=1e-5)
    # a short prefix, and the softmax over the logits, agree too
    torch.testing.assert_close(m(idx[:, :5]).double(), ref_logits[:, :5], rtol=0, atol=1e-5)
    torch.testing.assert_close(F.softmax(logits, -1).double(), F.softmax(ref_logits, -1), rtol=0, atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3), st.integers(0, 3), st.sampled_from([(2, 32), (4, 32), (3, 48)]), st.integers(0, 2**16))
def test_a_deepened_model_computes_what_the_shallower_one_did(n_base, n_new, heads_width, seed):
    """load_deepened: the shallower model's blocks first, the added blocks identities, so the deeper model's
    logits, and its residual stream from the last loaded block on, are the shallower model's."""
    n_head, d = heads_width
    base = _model(seed, n_layer=n_base, n_head=n_head, d_model=d)
    deep = _model(seed + 1, n_layer=n_base + n_new, n_head=n_head, d_model=d)
    assert deep.load_deepened(base.state_dict()) == n_new
    idx = torch.randint(0, V, (2, 11), generator=torch.Generator().manual_seed(seed))
    lb, hb = base(idx, return_hidden=True)
    ld, hd = deep(idx, return_hidden=True)
    torch.testing.assert_close(ld, lb)
    torch.testing.assert_close(hd[:n_base + 1], hb)
    for layer in range(n_base + 1, n_base + n_new + 1):
        torch.testing.assert_close(hd[layer], hb[-1])


def test_the_added_blocks_of_a_deepened_model_learn():
    """Zero output projections are not a trap: one optimizer step moves them, and the next step reaches the
    rest of the added block through them."""
    base = _model(0, n_layer=1)
    deep = _model(1, n_layer=2)
    deep.load_deepened(base.state_dict())
    added = {k: v.clone() for k, v in deep.state_dict().items() if k.startswith("blocks.1.")}
    opt = torch.optim.AdamW(deep.parameters(), lr=1e-2)
    idx = torch.randint(0, V, (4, 12), generator=torch.Generator().manual_seed(3))
    for _ in range(2):
        loss = F.cross_entropy(deep(idx[:, :-1]).flatten(0, 1), idx[:, 1:].flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()
    now = deep.state_dict()
    for k in ("blocks.1.attn.proj.weight", "blocks.1.mlp.2.weight", "blocks.1.attn.qkv.weight", "blocks.1.mlp.0.weight"):
        assert not torch.equal(now[k], added[k]), k


def test_deepening_refuses_weights_that_do_not_fit():
    deep = _model(0, n_layer=2)
    with pytest.raises(ValueError, match="does not deepen into"):
        deep.load_deepened(_model(0, n_layer=3).state_dict())   # deeper than the model
    with pytest.raises(ValueError, match="weights do not fit"):
        deep.load_deepened(_model(0, n_layer=1, n_head=2, d_model=32).state_dict())  # another width
    state = _model(0, n_layer=1).state_dict()
    del state["ln_f.weight"]
    with pytest.raises(ValueError, match="weights do not fit: ln_f.weight"):
        deep.load_deepened(state)
