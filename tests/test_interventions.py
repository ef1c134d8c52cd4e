"""Interventions (mothello.interventions): editing the probe-decoded board in the residual stream."""

import numpy as np
import pytest
import torch

from mothello.activations import PROBE_TRAIN_SEED, move_states
from mothello.checkpoints import load_checkpoint
from mothello.data import heldout_games
from mothello.evaluate import move_probabilities
from mothello.interventions import _top_n, intervene, intervention_study
from mothello.othello import legal_moves_on, replay, square_name
from mothello.probes import BoardProbe

LAYER = 1


@pytest.fixture(scope="module")
def ck(tiny_checkpoint):
    return load_checkpoint(tiny_checkpoint)


@pytest.fixture(scope="module")
def probes(ck):
    """Linear probes at LAYER trained on L0: relative (mine/theirs) and absolute labels; and an MLP."""
    s = move_states(ck, 0, 100, PROBE_TRAIN_SEED, [LAYER])
    rel = BoardProbe(labels="relative", epochs=4).fit(s.rows(LAYER), s.labels("relative"))
    ab = BoardProbe(labels="absolute", epochs=4).fit(s.rows(LAYER), s.labels("absolute"))
    mlp = BoardProbe(kind="mlp", hidden=16, labels="relative", epochs=1).fit(s.rows(LAYER), s.labels("relative"))
    return {"relative": rel, "absolute": ab, "mlp": mlp}


@pytest.fixture(scope="module")
def game():
    g = heldout_games(8, seed=77)
    r = replay(g)
    return g[int(np.argmax(r.lengths))]


def _names(mask):
    return sorted(square_name(q) for q in np.flatnonzero(mask))


def _cases(game, n=6, seed=0):
    """(move index, occupied square) pairs, whose board still has next moves."""
    r = replay(game)
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        k = int(rng.integers(4, r.lengths[0] - 2))
        occ = np.flatnonzero(r.boards[0, k])
        out.append((k, int(rng.choice(occ))))
    return out


@pytest.mark.parametrize("labels", ["relative", "absolute"])
def test_flip_edits_what_the_probe_reads_and_the_legal_moves(ck, probes, game, labels):
    r = replay(game)
    for k, sq in _cases(game):
        res = intervene(ck, probes[labels], LAYER, game, k, sq, edit="flip")
        assert res.probe_reads_target, (k, sq)
        assert res.square == square_name(sq) and res.move_index == k and res.edit == "flip" and res.language == "L0"
        board, nxt = r.boards[0, k].astype(np.int64), int(r.next_player[0, k])
        edited = board.copy()
        edited[sq] = -edited[sq]
        assert res.edited_legal == _names(legal_moves_on(edited, nxt))
        assert res.original_legal == _names(r.next_legal[0, k]) == _names(legal_moves_on(board, nxt))
        # top-N predictions, N = number of legal moves of the board they are compared with
        assert len(res.predicted_before) == len(res.original_legal)
        assert len(res.predicted_after) == len(res.edited_legal)
        assert res.errors_before == len(set(res.predicted_before) ^ set(res.original_legal))
        assert res.errors_after == len(set(res.predicted_after) ^ set(res.edited_legal))
        d = res.to_dict()
        assert d["errors_null"] >= 0 and d["errors_after_vs_original"] >= 0


def test_erase(ck, probes, game):
    r = replay(game)
    k, sq = _cases(game, 1, seed=3)[0]
    res = intervene(ck, probes["relative"], LAYER, game, k, square_name(sq), edit="erase")  # a name works too
    assert res.probe_reads_target
    edited = r.boards[0, k].astype(np.int64).copy()
    edited[sq] = 0
    assert res.edited_legal == _names(legal_moves_on(edited, int(r.next_player[0, k])))


def test_cross_lingual_reading(ck, probes, game):
    """The probe from L0 steers the model reading the same game in L1."""
    k, sq = _cases(game, 1, seed=5)[0]
    res = intervene(ck, probes["relative"], LAYER, game, k, sq, language="L1")
    assert res.language == "L1" and res.probe_reads_target


def test_bad_edits_raise(ck, probes, game):
    r = replay(game)
    k = 10
    empty = int(np.flatnonzero(r.boards[0, k] == 0)[0])
    p = probes["relative"]
    with pytest.raises(ValueError, match="empty"):
        intervene(ck, p, LAYER, game, k, empty, edit="flip")
    with pytest.raises(ValueError, match="empty"):
        intervene(ck, p, LAYER, game, k, empty, edit="erase")
    occupied = int(np.flatnonzero(r.boards[0, k])[0])
    for bad in ("rotate", "", "FLIP"):
        with pytest.raises(ValueError, match="edit"):
            intervene(ck, p, LAYER, game, k, occupied, edit=bad)
    with pytest.raises(ValueError, match="linear"):
        intervene(ck, probes["mlp"], LAYER, game, k, occupied)
    with pytest.raises(ValueError, match="outside"):
        intervene(ck, p, LAYER, game, int(r.lengths[0]), occupied)
    with pytest.raises(ValueError):
        intervene(ck, p, LAYER, game, k, "z9")
    finished = heldout_games(1, seed=1)[0]
    fr = replay(finished)
    last = int(fr.lengths[0]) - 1
    assert not fr.next_legal[0, last].any()
    with pytest.raises(ValueError, match="over"):
        intervene(ck, p, LAYER, finished, last, int(np.flatnonzero(fr.boards[0, last])[0]))


def test_the_hook_moves_the_residual_along_the_probe_direction(ck, probes, game, monkeypatch):
    """Synthetic check: the edited vector is h + alpha * (dir_target - dir_current), alpha the smallest
    step after which the probe's target logit leads both other classes by the margin; the model then
    runs on from that vector."""
    probe = probes["relative"]
    r = replay(game)
    k = 20
    board, nxt = r.boards[0, k].astype(np.int64), int(r.next_player[0, k])
    sq = int(np.flatnonzero(board * nxt > 0)[0])  # a 'mine' square: current class 1, target 2 ('theirs')
    captured = []
    real_predict = probe.predict

    def spy(X):
        captured.append(np.array(X, copy=True))
        return real_predict(X)

    monkeypatch.setattr(probe, "predict", spy)
    margin = 12.0
    res = intervene(ck, probe, LAYER, game, k, sq, edit="flip", margin=margin)
    monkeypatch.undo()
    assert len(captured) == 1
    edited = captured[0][0].astype(np.float64)

    tokens, last = ck.vocab.encode(game[None, : k + 1], 0)
    pos = int(last[0, k])
    x = torch.as_tensor(tokens[:, : pos + 1])
    with torch.no_grad():
        _, hidden = ck.model(x, return_hidden=True)
    h = hidden[LAYER, 0, pos].numpy().astype(np.float64)
    # the probe as an affine map of the residual: logit_c = dirs[sq, c] . h + offs[sq, c]
    dirs, offs = probe.directions().astype(np.float64), probe.logit_offsets().astype(np.float64)
    logit = lambda v: dirs[sq] @ v + offs[sq]  # noqa: E731
    with torch.no_grad():
        direct = probe.model_(torch.as_tensor(((h - probe.mean_) / probe.scale_)[None], dtype=torch.float32))
    np.testing.assert_allclose(logit(h), direct.view(64, 3)[sq].numpy(), rtol=1e-4, atol=1e-4)
    delta = dirs[sq, 2] - dirs[sq, 1]
    need = [(margin - (logit(h)[2] - logit(h)[c])) / ((dirs[sq, 2] - dirs[sq, c]) @ delta) for c in (0, 1)
            if (dirs[sq, 2] - dirs[sq, c]) @ delta > 0]
    alpha = max([0.0] + need)
    assert alpha > 0  # the margin is not met before: the hook has to move
    np.testing.assert_allclose(edited, h + alpha * delta, rtol=1e-4, atol=1e-4)
    step = edited - h
    assert step @ delta / (np.linalg.norm(step) * np.linalg.norm(delta)) > 0.9999  # exactly along the direction
    # after the edit the target class leads the others by at least the margin, one of them exactly
    after_gaps = logit(edited)[2] - logit(edited)[[0, 1]]
    assert after_gaps.min() == pytest.approx(margin, abs=1e-2)
    assert res.probe_reads_target and int(np.argmax(logit(edited))) == 2

    # the model's prediction after the edit is the one from that edited stream
    def put(z):
        z = z.clone()
        z[:, pos] = torch.as_tensor(captured[0][0], dtype=z.dtype)
        return z

    after = move_probabilities(ck.model, ck.vocab, x[:, : pos + 1], 0, hooks={LAYER: put})
    before = move_probabilities(ck.model, ck.vocab, x[:, : pos + 1], 0)
    n_edit, n_orig = len(res.edited_legal), len(res.original_legal)
    assert res.predicted_after == sorted(square_name(q) for q in _top_n(after, n_edit))
    assert res.predicted_before == sorted(square_name(q) for q in _top_n(before, n_orig))

    # a margin already met needs no edit: alpha = 0, the stream is unchanged
    captured.clear()
    monkeypatch.setattr(probe, "predict", spy)
    intervene(ck, probe, LAYER, game, k, sq, edit="flip", margin=float((logit(h)[2] - logit(h)[[0, 1]]).min()) - 1.0)
    monkeypatch.undo()
    np.testing.assert_allclose(captured[0][0], h, rtol=1e-5, atol=1e-5)


def test_intervention_study(ck, probes):
    res = intervention_study(ck, probes["relative"], LAYER, n_cases=4, seed=1)
    assert set(res) == {"cases", "errors_before", "errors_after", "errors_null", "probe_reads_target"}
    assert res["cases"] == 4
    assert 0 <= res["probe_reads_target"] <= 1 and res["probe_reads_target"] >= 0.75
    for key in ("errors_before", "errors_after", "errors_null"):
        assert res[key] >= 0
    again = intervention_study(ck, probes["relative"], LAYER, n_cases=4, seed=1)
    assert again == res  # seeded
    erase = intervention_study(ck, probes["relative"], LAYER, n_cases=2, edit="erase", language="L1", seed=2)
    assert erase["cases"] == 2
