"""Legal-move accuracy (mothello.evaluate): the batched greedy decoder equals the one-prefix-at-a-
time reference, moves are decoded in the right language, and accuracy counts the right prefixes."""

import copy

import numpy as np
import pytest
import torch

from conftest import CONFIGS
from mothello import evaluate as ev
from mothello.checkpoints import load_checkpoint
from mothello.data import heldout_games
from mothello.evaluate import legal_move_accuracy, predict_moves, predict_moves_per_prefix, validation_loss
from mothello.languages import ExperimentConfig, Vocabulary, load_config
from mothello.model import GPT, preset
from mothello.othello import replay


@pytest.fixture(scope="module")
def games():
    return heldout_games(4, seed=5)


def _double(model):
    """A float64 copy: the batched and per-prefix paths then agree far beyond any argmax tie."""
    return copy.deepcopy(model).double().eval()


# ---------------------------------------------------------------------------------------------
# A model that writes multi-token moves
# ---------------------------------------------------------------------------------------------
class _MoveWriter(GPT):
    """A random GPT plus a token-bigram bonus that makes its greedy output look like moves of the
    input's language: after a token that ends a move, a bonus on the language's move-starting
    tokens; after a token inside a move, a (smaller) bonus on the tokens that continue it. Which
    move, and whether a continuation wins, is left to the random, context-dependent logits, so the
    batched decoder's positions and masks matter."""

    def __init__(self, cfg, vocab, first=6.0, cont=3.0):
        super().__init__(cfg)
        bonus = torch.zeros(vocab.size, vocab.size)
        for li in range(len(vocab.config.languages)):
            starts = set()
            for sq in range(64):
                n = int(vocab.lengths[li, sq])
                seq = [int(t) for t in vocab.tokens[li, sq, :n]]
                if n:
                    starts.add(seq[0])
                for a, b in zip(seq, seq[1:]):
                    bonus[a, b] = cont
            for sq in range(64):
                n = int(vocab.lengths[li, sq])
                if n:
                    last = int(vocab.tokens[li, sq, n - 1])
                    bonus[last, sorted(starts)] = first
        self.register_buffer("bonus", bonus)

    def forward(self, idx, **kw):
        return super().forward(idx, **kw) + self.bonus[idx]


@pytest.fixture(scope="module")
def mixed_vocab():
    return Vocabulary.build(ExperimentConfig.from_dict({
        "name": "mixed", "seed": 3,
        "languages": [{"type": "atomic", "name": "A"}, {"type": "split", "name": "S"},
                      {"type": "compositional", "name": "C"}]}))


@pytest.fixture(scope="module")
def move_writer(mixed_vocab):
    torch.manual_seed(0)
    m = _MoveWriter(preset("tiny", mixed_vocab.size, mixed_vocab.context_length), mixed_vocab)
    with torch.no_grad():  # peaky attention, strong positions, logits of a few units: context decides
        for name, p in m.named_parameters():
            if p.dim() >= 2:
                p.mul_(10 if name == "pos_emb.weight" else 6)
    # (checked by hand: these settings catch a continuation mask that lets appended tokens see the
    # whole game, or other prefixes' appended tokens, or misses the move's last token, and
    # positions that do not advance inside a move)
    return m.double().eval()


@pytest.mark.parametrize("language", ["A", "S", "C"])
def test_batched_decoding_equals_the_per_prefix_reference_with_multi_token_moves(move_writer, mixed_vocab,
                                                                               games, language):
    li = mixed_vocab.config.language_index(language)
    batched = predict_moves(move_writer, mixed_vocab, games, language)
    reference = predict_moves_per_prefix(move_writer, mixed_vocab, games, language)
    np.testing.assert_array_equal(batched, reference)
    _, last = mixed_vocab.encode(games, li)
    valid = last >= 0
    assert (batched[~valid] == -1).all()
    decoded = batched[valid & (batched >= 0)]
    assert len(decoded) > 0.3 * valid.sum()  # most prefixes decode to some move ...
    assert (batched[valid] == -1).any() or language == "A"  # ... and some greedy paths are no move
    lengths = mixed_vocab.lengths[li, decoded]
    if language == "A":
        assert (lengths == 1).all()
    else:  # multi-token moves were decoded through the continuation passes
        assert (lengths > 1).sum() >= 10
    if language == "S":
        assert (lengths == 3).any() and (lengths == 1).any()


def test_batch_size_does_not_change_predictions(move_writer, mixed_vocab, games):
    full = predict_moves(move_writer, mixed_vocab, games, "S")
    np.testing.assert_array_equal(predict_moves(move_writer, mixed_vocab, games, "S", batch_size=1), full)
    np.testing.assert_array_equal(predict_moves(move_writer, mixed_vocab, games[2:3], "S"), full[2:3])


def test_trained_atomic_model_batched_equals_reference(tiny_checkpoint, games):
    ck = load_checkpoint(tiny_checkpoint)
    m = _double(ck.model)
    for language in ("L0", "L1"):
        batched = predict_moves(m, ck.vocab, games, language)
        np.testing.assert_array_equal(batched, predict_moves_per_prefix(m, ck.vocab, games, language))
        assert (batched >= 0).mean() > 0.5
    # in float32, as evaluation runs, the two agree too
    f32 = predict_moves(ck.model, ck.vocab, games[:2], "L0")
    assert (f32 == predict_moves_per_prefix(ck.model, ck.vocab, games[:2], "L0")).mean() > 0.98


def test_unified_output_batched_equals_reference(tiny_unified_checkpoint, games):
    ck = load_checkpoint(tiny_unified_checkpoint)
    assert ck.config.unified_output
    m = _double(ck.model)
    for li in ck.config.input_languages:
        batched = predict_moves(m, ck.vocab, games, li)
        np.testing.assert_array_equal(batched, predict_moves_per_prefix(m, ck.vocab, games, li))


# ---------------------------------------------------------------------------------------------
# Which language a move is read in
# ---------------------------------------------------------------------------------------------
def _constant_predictor(vocab, token):
    """A GPT whose every logit row has its maximum at `token`."""
    m = GPT(preset("tiny", vocab.size, vocab.context_length))
    with torch.no_grad():
        e = torch.zeros(m.cfg.d_model)
        e[0] = 1.0
        m.ln_f.weight.zero_()
        m.ln_f.bias.copy_(e)
        m.head.weight.zero_()
        m.head.weight[token] = 10 * e
    return m.eval()


def test_moves_are_read_in_the_input_language(games):
    vocab = Vocabulary.build(load_config(CONFIGS / "naive-2.toml"))
    _, last = vocab.encode(games, 0)
    valid = last >= 0
    m = _constant_predictor(vocab, int(vocab.tokens[1, 19, 0]))  # L1's c4
    np.testing.assert_array_equal(predict_moves(m, vocab, games, "L1"), np.where(valid, 19, -1))
    np.testing.assert_array_equal(predict_moves(m, vocab, games, "L0"), np.full(games.shape, -1))
    np.testing.assert_array_equal(predict_moves_per_prefix(m, vocab, games, "L0"), np.full(games.shape, -1))


def test_unified_output_is_read_in_language_zero(games):
    vocab = Vocabulary.build(load_config(CONFIGS / "unified-mixed.toml"))
    m = _constant_predictor(vocab, int(vocab.tokens[0, 44, 0]))  # the output language's f5
    for li in vocab.config.input_languages:
        _, last = vocab.encode(games, li)
        np.testing.assert_array_equal(predict_moves(m, vocab, games, li), np.where(last >= 0, 44, -1))
    m = _constant_predictor(vocab, int(vocab.tokens[1, 44, 0]))  # an input language's token: no output move
    assert (predict_moves(m, vocab, games, 1) == -1).all()


# ---------------------------------------------------------------------------------------------
# Legal-move accuracy
# ---------------------------------------------------------------------------------------------
def test_accuracy_counts_exactly_the_prefixes_that_have_a_next_move(monkeypatch):
    vocab = Vocabulary.build(load_config(CONFIGS / "naive-2.toml"))
    games = heldout_games(40, seed=11)
    short = heldout_games(3000, seed=12)
    short = short[(short < 0).any(1)][:3]  # games that end before the board is full
    games = np.concatenate([games, short])
    r = replay(games)
    has_next = r.next_legal.any(-1)
    n_moves = (games >= 0).sum(1)
    assert has_next.sum() < (games >= 0).sum()  # the final position of a game has no next move
    played_next = np.full(games.shape, -1)
    played_next[:, :-1] = games[:, 1:]  # the move actually played next: always legal

    def oracle(model, vocab, g, language, batch_size=128, device=None, own_tokens_only=False):
        return played_next.copy()
    monkeypatch.setattr(ev, "predict_moves", oracle)
    assert legal_move_accuracy(None, vocab, games) == {"L0": 1.0, "L1": 1.0}

    # wrong on the first half of the counted prefixes of every game: accuracy is the counted share
    half = played_next.copy()
    wrong = np.zeros(games.shape, bool)
    for i, n in enumerate(n_moves):
        wrong[i, : (n - 1) // 2] = True
    half[wrong] = -1
    monkeypatch.setattr(ev, "predict_moves", lambda *a, **k: half.copy())
    acc = legal_move_accuracy(None, vocab, games, languages=["L1"])
    assert list(acc) == ["L1"]
    assert acc["L1"] == pytest.approx(1 - wrong[has_next].sum() / has_next.sum())

    # an illegal square (occupied: the move just played) counts as wrong, -1 too
    occupied = np.where(games >= 0, games, -1)
    monkeypatch.setattr(ev, "predict_moves", lambda *a, **k: occupied.copy())
    assert legal_move_accuracy(None, vocab, games) == {"L0": 0.0, "L1": 0.0}


# ---------------------------------------------------------------------------------------------
# Diagnostics for a model that answers in another language
# ---------------------------------------------------------------------------------------------
class _Biased(torch.nn.Module):
    """A model plus a constant logit bonus on some tokens: it answers in their language."""

    def __init__(self, inner, tokens, bonus=50.0):
        super().__init__()
        self.inner, self.cfg = inner, inner.cfg
        b = torch.zeros(inner.cfg.vocab_size, dtype=next(inner.parameters()).dtype)
        b[torch.as_tensor(tokens)] = bonus
        self.register_buffer("bias", b)

    def forward(self, idx, **kw):
        return self.inner(idx, **kw) + self.bias


def test_a_model_drifted_to_another_languages_tokens_still_knows_its_moves(tiny_checkpoint, games):
    ck = load_checkpoint(tiny_checkpoint)
    m, vocab = _double(ck.model), ck.vocab
    drifted = _Biased(m, vocab.language_tokens("L0"))  # every greedy token is now an L0 token
    assert ev.output_token_shares(drifted, vocab, games, "L1") == {"L0": 1.0, "L1": 0.0}
    assert legal_move_accuracy(drifted, vocab, games, ["L1"]) == {"L1": 0.0}
    # among L1's own tokens the bonus changes nothing: the moves are the undisturbed model's
    own = predict_moves(drifted, vocab, games, "L1", own_tokens_only=True)
    np.testing.assert_array_equal(own, predict_moves(m, vocab, games, "L1"))
    np.testing.assert_array_equal(own, predict_moves_per_prefix(drifted, vocab, games, "L1", own_tokens_only=True))
    assert legal_move_accuracy(drifted, vocab, games, ["L1"], own_tokens_only=True) == \
        legal_move_accuracy(m, vocab, games, ["L1"])
    # the undisturbed model answers L1 games in L1
    shares = ev.output_token_shares(m, vocab, games, "L1")
    assert shares["L1"] > 0.9 and shares["L0"] < 0.1
    assert shares["L0"] + shares["L1"] == pytest.approx(1.0)  # no shared tokens in naive-2


@pytest.mark.parametrize("language", ["S", "C"])
def test_own_tokens_only_decodes_multi_token_moves_like_the_reference(move_writer, mixed_vocab, games, language):
    other = [t for t in range(1, mixed_vocab.size) if t not in set(mixed_vocab.language_tokens(language))]
    drifted = _Biased(move_writer, other, bonus=20.0)
    assert (predict_moves(drifted, mixed_vocab, games, language) == -1).all()
    own = predict_moves(drifted, mixed_vocab, games, language, own_tokens_only=True)
    np.testing.assert_array_equal(own, predict_moves_per_prefix(drifted, mixed_vocab, games, language,
                                                                own_tokens_only=True))
    _, last = mixed_vocab.encode(games, language)
    assert (own[last >= 0] >= 0).mean() > 0.3  # decoded to moves again, multi-token ones included
    assert (mixed_vocab.lengths[mixed_vocab.config.language_index(language), own[own >= 0]] > 1).any()


def test_trained_model_is_far_more_legal_than_an_untrained_one(tiny_checkpoint):
    ck = load_checkpoint(tiny_checkpoint)
    games = heldout_games(30, seed=1)
    trained = legal_move_accuracy(ck.model, ck.vocab, games)
    torch.manual_seed(0)
    untrained_model = GPT(ck.model.cfg).eval()
    untrained = legal_move_accuracy(untrained_model, ck.vocab, games)
    assert set(trained) == set(untrained) == {"L0", "L1"}
    for lang in ("L0", "L1"):
        assert 0.0 <= untrained[lang] < 0.15  # about 0.07: a random token is rarely a legal move
        assert trained[lang] > 0.25  # about 0.4 after the tiny preset's 157 steps
        assert trained[lang] > untrained[lang] + 0.15
    # the same ordering in the next-token loss
    assert validation_loss(ck.model, ck.vocab, games) < validation_loss(untrained_model, ck.vocab, games) - 0.5
    assert validation_loss(untrained_model, ck.vocab, games) == pytest.approx(np.log(ck.vocab.size), abs=0.1)


# ---------------------------------------------------------------------------------------------
# Next-move probabilities (Play page, interventions)
# ---------------------------------------------------------------------------------------------
def _chain_probability(model, context, seq, upto):
    """Reference: the product of the first `upto` tokens' probabilities, one forward pass per token."""
    p, ids = 1.0, list(context)
    for t in seq[:upto]:
        with torch.no_grad():
            dist = torch.softmax(model(torch.as_tensor([ids]))[0, -1], -1)
        p *= float(dist[t])
        ids.append(t)
    return p


@pytest.mark.parametrize("language", ["A", "S", "C"])
def test_move_probabilities_follow_each_move_until_it_is_unambiguous(move_writer, mixed_vocab, games, language):
    li = mixed_vocab.config.language_index(language)
    tokens, last = mixed_vocab.encode(games[:1, :9], li)
    ctx = [int(t) for t in tokens[0, : int(last[0, 8]) + 1]]
    probs = ev.move_probabilities(move_writer, mixed_vocab, torch.as_tensor([ctx]), li)
    seqs = {sq: [int(t) for t in mixed_vocab.tokens[li, sq, :mixed_vocab.lengths[li, sq]]] for sq in range(64)}
    firsts = [s[0] for s in seqs.values() if s]
    for sq, seq in seqs.items():
        if not seq:
            assert probs[sq] == 0
            continue
        # compositional moves share their row token: the column token tells them apart
        upto = 2 if firsts.count(seq[0]) > 1 else 1
        assert probs[sq] == pytest.approx(_chain_probability(move_writer, ctx, seq, upto), rel=1e-9)
    assert 0 < probs.sum() <= 1 + 1e-9          # disjoint events: at most all of the probability
    if language == "C":
        assert len(set(np.round(probs[[sq for sq in seqs if seqs[sq]]], 12))) > 8  # not one value per row


def test_move_probabilities_apply_hooks_to_every_extended_sequence(move_writer, mixed_vocab, games):
    li = mixed_vocab.config.language_index("C")
    tokens, last = mixed_vocab.encode(games[:1, :5], li)
    ctx = torch.as_tensor(tokens[:, : int(last[0, 4]) + 1])
    plain = ev.move_probabilities(move_writer, mixed_vocab, ctx, li)
    zero = lambda x: torch.zeros_like(x)  # noqa: E731  (wipe layer 1 everywhere)
    hooked = ev.move_probabilities(move_writer, mixed_vocab, ctx, li, hooks={1: zero})
    assert not np.allclose(plain, hooked)
    # the same as feeding each extended sequence through the hooked model by hand
    seq = [int(t) for t in mixed_vocab.tokens[li, 20, :2]]
    ids = torch.as_tensor([ctx[0].tolist() + seq[:1]])
    with torch.no_grad():
        p_row = torch.softmax(move_writer(ctx, hooks={1: zero})[0, -1], -1)[seq[0]]
        p_col = torch.softmax(move_writer(ids, hooks={1: zero})[0, -1], -1)[seq[1]]
    assert hooked[20] == pytest.approx(float(p_row * p_col), rel=1e-9)
