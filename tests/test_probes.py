"""Board probes and cross-lingual alignment (mothello.probes): the probe's scikit-learn behaviour and
persistence, the accuracy definitions, the baselines, Procrustes, and the alignment matrix on models
whose answer is known: two literal copies of one language must transfer perfectly, and an untrained
model must sit at the majority baseline while a trained one beats it."""

import json

import numpy as np
import pytest
import torch

from analysis_helpers import config, copy_config, untrained_checkpoint
from mothello import probes
from mothello.activations import PROBE_TEST_SEED, PROBE_TRAIN_SEED, move_states
from mothello.checkpoints import load_checkpoint
from mothello.data import heldout_games
from mothello.othello import PLAYABLE, replay
from mothello.probes import (AlignmentResult, BoardProbe, accuracy_detail, alignment, apply_procrustes,
                             embedding_similarity, fit_probes, majority_baseline, parallel_similarity,
                             procrustes)

FAST = {"epochs": 4}


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def synthetic():
    """Linearly decodable 'boards': class of square s = argmax_c W[s, c] . (x - 5)."""
    rng = np.random.default_rng(0)
    W = rng.normal(size=(64, 3, 8))
    X = (rng.normal(size=(900, 8)) * 3 + 5).astype(np.float32)
    y = np.einsum("sck,nk->nsc", W, X - 5).argmax(-1)
    return X[:600], y[:600], X[600:], y[600:]


@pytest.fixture(scope="module")
def fitted(synthetic):
    X, y, _, _ = synthetic
    return BoardProbe(epochs=20, lr=0.1, batch_size=128, seed=3).fit(X, y)


@pytest.fixture(scope="module")
def copy_ck(tmp_path_factory):
    return untrained_checkpoint(copy_config(), tmp_path_factory.mktemp("probes") / "copies", seed=0)


@pytest.fixture(scope="module")
def naive_ck(tmp_path_factory):
    return untrained_checkpoint(config("naive-2"), tmp_path_factory.mktemp("probes") / "naive", seed=0)


@pytest.fixture(scope="module")
def unified_ck(tmp_path_factory):
    return untrained_checkpoint(config("unified-mixed"), tmp_path_factory.mktemp("probes") / "unified", seed=0)


# ---------------------------------------------------------------------------------------------
# BoardProbe
# ---------------------------------------------------------------------------------------------
def test_probe_predicts_like_an_estimator(fitted, synthetic):
    X, y, Xt, yt = synthetic
    assert fitted.n_features_in_ == 8 and fitted.mean_.shape == (8,) and fitted.scale_.shape == (8,)
    proba = fitted.predict_proba(Xt)
    assert proba.shape == (300, 64, 3) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(-1), 1.0, rtol=1e-5)
    pred = fitted.predict(Xt)
    assert pred.shape == (300, 64)
    np.testing.assert_array_equal(pred, proba.argmax(-1))
    assert set(np.unique(pred)) <= {0, 1, 2}
    acc = fitted.score(Xt, yt)
    assert acc == pytest.approx(float((pred == yt).mean()))
    # it learned: far above the per-square majority guess
    assert acc > 0.9 > majority_baseline(y, yt)["accuracy"] + 0.4
    d = fitted.score_detail(Xt, yt)
    assert set(d) == {"accuracy", "occupancy", "colour"} and d["accuracy"] == pytest.approx(acc)
    assert fitted.predict_proba(Xt[:0]).shape == (0, 64, 3)


def test_probe_fit_is_seeded_and_returns_self(synthetic):
    X, y, Xt, _ = synthetic
    p = BoardProbe(epochs=2, seed=5)
    assert p.fit(X, y) is p
    q = BoardProbe(epochs=2, seed=5).fit(X, y)
    np.testing.assert_array_equal(p.predict_proba(Xt), q.predict_proba(Xt))
    r = BoardProbe(epochs=2, seed=6).fit(X, y)
    assert not np.array_equal(p.predict_proba(Xt), r.predict_proba(Xt))
    assert p.get_params() == {"kind": "linear", "hidden": 512, "labels": "relative", "epochs": 2, "lr": 3e-3,
                              "weight_decay": 1e-4, "batch_size": 1024, "seed": 5}


def test_unfitted_probe_and_bad_input_raise(synthetic, tmp_path):
    X, y, _, _ = synthetic
    p = BoardProbe()
    for call in (lambda: p.predict(X), lambda: p.predict_proba(X), lambda: p.score(X, y),
                 lambda: p.directions(), lambda: p.save(tmp_path / "p")):
        with pytest.raises(RuntimeError, match="not fitted"):
            call()
    assert not (tmp_path / "p").exists()
    with pytest.raises(ValueError):
        BoardProbe(kind="forest")
    with pytest.raises(ValueError):
        BoardProbe(labels="colour")
    for Xb, yb in ((X[:, None], y), (X, y[:, :63]), (X[:10], y[:11])):
        with pytest.raises(ValueError):
            BoardProbe(epochs=1).fit(Xb, yb)


def test_mlp_probe(synthetic):
    X, y, Xt, yt = synthetic
    p = BoardProbe(kind="mlp", hidden=32, epochs=3, lr=1e-2, batch_size=128).fit(X, y)
    assert p.predict_proba(Xt).shape == (300, 64, 3)
    assert 0.0 <= p.score(Xt, yt) <= 1.0
    with pytest.raises(ValueError, match="linear"):
        p.directions()


def test_linear_directions_reproduce_the_logits(fitted, synthetic):
    """logit = directions . x + offsets, in the model's (unstandardised) residual space."""
    _, _, Xt, _ = synthetic
    dirs, offs = fitted.directions(), fitted.logit_offsets()
    assert dirs.shape == (64, 3, 8) and offs.shape == (64, 3)
    with torch.no_grad():
        logits = fitted.model_(torch.as_tensor((Xt - fitted.mean_) / fitted.scale_)).view(-1, 64, 3).numpy()
    np.testing.assert_allclose(np.einsum("sck,nk->nsc", dirs, Xt) + offs, logits, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kind", ["linear", "mlp"])
def test_save_load_round_trip(synthetic, tmp_path, kind):
    X, y, Xt, _ = synthetic
    p = BoardProbe(kind=kind, hidden=16, labels="relative", epochs=2, seed=4).fit(X, y)
    p.info_ = {"language": "L1", "layer": 2}
    path = p.save(tmp_path / "probe")
    assert (path / "probe.safetensors").is_file() and (path / "probe.json").is_file()
    q = BoardProbe.load(path)
    assert q.get_params() == p.get_params()
    assert q.n_features_in_ == 8 and q.info_ == {"language": "L1", "layer": 2}
    np.testing.assert_array_equal(q.predict_proba(Xt), p.predict_proba(Xt))
    np.testing.assert_array_equal(q.mean_, p.mean_)


def test_half_precision_save_halves_the_file_and_keeps_the_predictions(synthetic, tmp_path):
    X, y, Xt, _ = synthetic
    p = BoardProbe(labels="relative", epochs=2, seed=4).fit(X, y)
    full, half = p.save(tmp_path / "full"), p.save(tmp_path / "half", half=True)
    size = lambda f: (f / "probe.safetensors").stat().st_size  # noqa: E731
    assert size(half) < 0.6 * size(full)
    q = BoardProbe.load(half)
    assert q.model_.weight.dtype == torch.float32 and q.mean_.dtype == p.mean_.dtype
    np.testing.assert_allclose(q.predict_proba(Xt), p.predict_proba(Xt), atol=2e-3)
    assert (q.predict(Xt) == p.predict(Xt)).mean() > 0.999


def _rewrite_json(folder, **changes):
    meta = json.loads((folder / "probe.json").read_text())
    (folder / "probe.json").write_text(json.dumps({**meta, **changes}))


CORRUPTIONS = {
    "garbage weights": lambda f: (f / "probe.safetensors").write_bytes(b"this is not a safetensors file" * 10),
    "truncated weights": lambda f: (f / "probe.safetensors").write_bytes((f / "probe.safetensors").read_bytes()[:200]),
    "empty weights": lambda f: (f / "probe.safetensors").write_bytes(b""),
    "missing weights": lambda f: (f / "probe.safetensors").unlink(),
    "bad json": lambda f: (f / "probe.json").write_text("{not json"),
    "json without params": lambda f: (f / "probe.json").write_text(json.dumps({"n_features_in": 8})),
    "unknown param": lambda f: _rewrite_json(f, params={"colour": 1}),
    "wrong width": lambda f: _rewrite_json(f, n_features_in=9),
    "missing json": lambda f: (f / "probe.json").unlink(),
}


@pytest.mark.parametrize("damage", sorted(CORRUPTIONS))
def test_load_of_a_corrupted_probe_raises_value_error(fitted, tmp_path, damage):
    folder = fitted.save(tmp_path / "probe")
    BoardProbe.load(folder)  # fine before
    CORRUPTIONS[damage](folder)
    with pytest.raises(ValueError, match="not a readable probe"):
        BoardProbe.load(folder)


def test_load_of_a_missing_folder_raises_value_error(tmp_path):
    with pytest.raises(ValueError, match="not a readable probe"):
        BoardProbe.load(tmp_path / "nothing-here")


def test_train_probe_saves_beside_the_checkpoint_and_is_reused(naive_ck, tmp_path, monkeypatch):
    import shutil

    ck_path = tmp_path / "ck"
    shutil.copytree(naive_ck.path, ck_path)
    ck = load_checkpoint(ck_path)
    p = probes.train_probe(ck, "L1", 1, labels="relative", n_train=30, epochs=1)
    folder = probes.probe_dir(ck, "L1", 1, "linear", "relative", 30)
    assert (folder / "probe.json").is_file()
    assert p.info_["language"] == "L1" and p.info_["layer"] == 1
    assert p.info_["weights_sha256"] == ck.meta["weights_sha256"]
    assert set(p.info_["test"]) == {"accuracy", "occupancy", "colour"}

    def no_training(*a, **k):
        raise AssertionError("retrained although a probe for these weights is saved")

    monkeypatch.setattr(probes, "train_probe", no_training)
    q = probes.load_or_train_probe(ck, 1, 1, labels="relative", n_train=30)
    X = move_states(ck, 1, 5, PROBE_TEST_SEED, [1]).rows(1)
    np.testing.assert_array_equal(q.predict_proba(X), p.predict_proba(X))
    # a damaged saved probe is replaced, not a crash
    monkeypatch.undo()
    (folder / "probe.safetensors").write_bytes(b"garbage" * 20)
    r = probes.load_or_train_probe(ck, 1, 1, labels="relative", n_train=30)
    assert r.predict_proba(X).shape == (len(X), 64, 3)
    assert BoardProbe.load(folder).n_features_in_ == 64  # rewritten


def test_layer_probes_equal_single_probes_and_are_saved_and_reused(naive_ck, tmp_path, monkeypatch):
    import shutil

    ck_path = tmp_path / "ck"
    shutil.copytree(naive_ck.path, ck_path)
    ck = load_checkpoint(ck_path)
    seen = []
    got = probes.load_or_train_layer_probes(ck, "L1", labels="relative", n_train=30,
                                            progress=lambda f, m: seen.append(f))
    assert len(got) == ck.model.cfg.n_layer + 1 and seen[-1] == 1.0
    X = move_states(ck, 1, 5, PROBE_TEST_SEED, [2]).rows(2)
    alone = probes.train_probe(ck, "L1", 2, labels="relative", n_train=30, save=False)
    np.testing.assert_allclose(got[2].predict_proba(X), alone.predict_proba(X), atol=2e-4)
    assert got[2].info_ == {**alone.info_, "test": pytest.approx(alone.info_["test"], abs=2e-3)}
    for x in range(len(got)):  # saved where train_probe / load_or_train_probe look for them
        assert BoardProbe.load(probes.probe_dir(ck, "L1", x, "linear", "relative", 30)).info_["layer"] == x
    monkeypatch.setattr(probes, "fit_probes", lambda *a, **k: (_ for _ in ()).throw(AssertionError("retrained")))
    again = probes.load_or_train_layer_probes(ck, "L1", labels="relative", n_train=30)
    np.testing.assert_array_equal(again[2].predict_proba(X), got[2].predict_proba(X))


# ---------------------------------------------------------------------------------------------
# Accuracy definitions and baselines
# ---------------------------------------------------------------------------------------------
def _onehot_proba(pred, colour_pref=None):
    """Probabilities whose argmax is `pred`; where colour_pref is given, it decides black vs white."""
    p = np.full(pred.shape + (3,), 0.1)
    np.put_along_axis(p, pred[..., None], 0.8, -1)
    if colour_pref is not None:
        empty = pred == 0
        p[..., 1] = np.where(empty, np.where(colour_pref == 1, 0.15, 0.05), p[..., 1])
        p[..., 2] = np.where(empty, np.where(colour_pref == 1, 0.05, 0.15), p[..., 2])
    return p


def test_accuracy_detail_definitions():
    y = np.zeros((2, 64), dtype=np.int64)
    y[0, :4] = [1, 2, 1, 2]  # 4 occupied squares in row 0, 2 in row 1
    y[1, :2] = [2, 2]
    pred = y.copy()
    pred[0, 0] = 2      # occupied, wrong colour: occupancy right, colour wrong
    pred[0, 1] = 0      # occupied predicted empty: occupancy wrong; colour from the black/white probs
    pred[0, 10] = 1     # empty predicted occupied: occupancy wrong (not counted in colour)
    pref = np.where(pred == 0, 1, 0)  # where the argmax is empty, black is the likelier colour
    d = accuracy_detail(_onehot_proba(pred, pref), y)
    assert d["accuracy"] == pytest.approx(125 / 128)      # 3 wrong squares of 128
    assert d["occupancy"] == pytest.approx(126 / 128)     # squares 0.1 and 0.10 wrong
    # colour on the 6 truly occupied squares: (0,0) predicted white (wrong), (0,1) black preferred (y=2: wrong)
    assert d["colour"] == pytest.approx(4 / 6)
    # no occupied square at all: colour is undefined
    assert np.isnan(accuracy_detail(_onehot_proba(np.zeros((1, 64), int)), np.zeros((1, 64), int))["colour"])


def test_majority_baseline_exact():
    y_train = np.zeros((5, 64), dtype=np.int64)
    y_train[:, 0] = [0, 0, 0, 1, 1]   # majority empty; black over white
    y_train[:, 1] = [1, 1, 1, 2, 0]   # majority black
    y_train[:, 2] = [2, 2, 2, 1, 1]   # majority white
    y_train[:, 3] = [0, 1, 1, 1, 2]   # majority black
    y_test = np.zeros((2, 64), dtype=np.int64)
    y_test[:, 0] = [0, 2]     # guess empty: accuracy 1/2, occupancy 1/2, colour (black) 0/1
    y_test[:, 1] = [1, 2]     # guess black: accuracy 1/2, occupancy 2/2, colour 1/2
    y_test[:, 2] = [2, 2]     # guess white: accuracy 2/2, occupancy 2/2, colour 2/2
    y_test[:, 3] = [2, 0]     # guess black: accuracy 0/2, occupancy 1/2, colour 0/1
    # squares 4..63: empty in training and in the test: all right, not counted in colour
    d = majority_baseline(y_train, y_test)
    assert d["accuracy"] == pytest.approx((1 + 1 + 2 + 0 + 120) / 128)
    assert d["occupancy"] == pytest.approx((1 + 2 + 2 + 1 + 120) / 128)
    assert d["colour"] == pytest.approx(3 / 6)


def test_placer_baseline_knows_occupancy_and_misses_only_flipped_colours():
    from mothello.probes import placer_baseline

    for labels in ("relative", "absolute"):
        d = placer_baseline(40, labels)
        assert d["occupancy"] == 1.0
        assert 0.5 < d["colour"] < 0.8   # flips are common: many discs have changed hands
        r = replay(heldout_games(40, seed=PROBE_TEST_SEED))
        occupied = (r.boards != 0)[r.mask].mean()  # the errors are exactly the occupied squares of the wrong colour
        assert d["accuracy"] == pytest.approx(1 - occupied * (1 - d["colour"]))
    assert placer_baseline(40, "relative")["colour"] == placer_baseline(40, "absolute")["colour"]


def test_majority_baseline_breaks_ties_towards_the_higher_class():
    y_train = np.zeros((4, 64), dtype=np.int64)
    y_train[:, 0] = [1, 1, 2, 2]      # black/white tie: guess white, overall and as the colour
    y_train[:, 1] = [0, 0, 1, 1]      # empty/black tie: guess black; colour black (no white seen)
    y_test = np.zeros((1, 64), dtype=np.int64)
    y_test[0, 0], y_test[0, 1] = 2, 1
    d = majority_baseline(y_train, y_test)
    assert d["accuracy"] == 1.0 and d["colour"] == 1.0
    y_test[0, 0] = 1                  # the tie went to white, so a black disc there is missed
    assert majority_baseline(y_train, y_test)["colour"] == 0.5


def test_majority_baseline_matches_a_direct_count():
    rng = np.random.default_rng(1)
    p = rng.dirichlet([2, 2, 2], size=64)  # (64, 3) class frequencies per square
    y_train = np.stack([rng.choice(3, size=301, p=p[s]) for s in range(64)], 1)
    y_test = np.stack([rng.choice(3, size=40, p=p[s]) for s in range(64)], 1)
    counts = np.stack([np.bincount(y_train[:, s], minlength=3) for s in range(64)])
    # no ties: the majority class and the likelier colour are unambiguous on every square
    assert all(np.sort(c)[-1] > np.sort(c)[-2] and c[1] != c[2] for c in counts)
    guess = counts.argmax(1)
    colour = np.where(counts[:, 1] > counts[:, 2], 1, 2)
    occ = y_test > 0
    d = majority_baseline(y_train, y_test)
    assert d["accuracy"] == pytest.approx((y_test == guess[None]).mean())
    assert d["occupancy"] == pytest.approx(((guess > 0)[None] == occ).mean())
    assert d["colour"] == pytest.approx((np.broadcast_to(colour, y_test.shape)[occ] == y_test[occ]).mean())


# ---------------------------------------------------------------------------------------------
# Procrustes
# ---------------------------------------------------------------------------------------------
def _rotation(c, seed):
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(c, c)))
    return q * np.sign(np.diag(r))  # a uniformly random orthogonal matrix


def test_procrustes_recovers_a_rotation_and_shift():
    rng = np.random.default_rng(2)
    A = rng.normal(size=(500, 16)) * rng.uniform(0.5, 3, size=16)
    Q, shift = _rotation(16, 3), rng.normal(size=16) * 4
    B = A @ Q + shift
    fit = procrustes(B, A)  # maps B (source) onto A (target)
    R, mu_s, mu_t = fit
    np.testing.assert_allclose(R, Q.T, atol=1e-10)
    np.testing.assert_allclose(R @ R.T, np.eye(16), atol=1e-10)
    np.testing.assert_allclose(mu_s, B.mean(0))
    np.testing.assert_allclose(mu_t, A.mean(0))
    np.testing.assert_allclose(apply_procrustes(B, fit), A, atol=1e-10)
    # new points of the same map go to the same place
    A2 = rng.normal(size=(7, 16))
    np.testing.assert_allclose(apply_procrustes(A2 @ Q + shift, fit), A2, atol=1e-10)
    # with noise it is still the least-squares rotation: close to the truth
    Rn, _, _ = procrustes(B + rng.normal(size=B.shape) * 0.01, A)
    assert np.abs(Rn - Q.T).max() < 0.01


def test_aligned_accuracy_equals_direct_accuracy_for_a_rotated_copy(synthetic):
    """If B's hidden states are A's rotated (and shifted), the probe trained on A fails on B directly
    but is exactly as good on B after the Procrustes map fitted on other points."""
    X, y, Xt, yt = synthetic
    probe = BoardProbe(epochs=20, lr=0.1, batch_size=128, seed=3).fit(X, y)
    Q, shift = _rotation(8, 4), np.arange(8, dtype=np.float32)
    rot = lambda a: (a.astype(np.float64) @ Q + shift).astype(np.float32)  # noqa: E731
    fit_a = X[:300]  # fitting points (the probe's training points are fine: only the map is learned)
    m = procrustes(rot(fit_a), fit_a)
    direct_same = probe.score(Xt, yt)
    direct_rotated = probe.score(rot(Xt), yt)
    aligned = probe.score(apply_procrustes(rot(Xt), m).astype(np.float32), yt)
    assert direct_rotated < direct_same - 0.2
    assert aligned == direct_same
    np.testing.assert_array_equal(probe.predict(apply_procrustes(rot(Xt), m).astype(np.float32)), probe.predict(Xt))


# ---------------------------------------------------------------------------------------------
# Alignment on models with known answers
# ---------------------------------------------------------------------------------------------
def test_copies_of_one_language_align_perfectly_at_every_layer(copy_ck):
    """KEY: two languages writing every move with the same token have identical hidden states, so
    the probe trained on A reads B exactly as it reads A: off-diagonal == diagonal, every layer."""
    vocab = copy_ck.vocab
    np.testing.assert_array_equal(vocab.tokens[0], vocab.tokens[1])
    a = move_states(copy_ck, "A", 60, PROBE_TEST_SEED)
    b = move_states(copy_ck, "B", 60, PROBE_TEST_SEED)
    for x in range(3):
        np.testing.assert_array_equal(a.hidden[x], b.hidden[x])
    res = alignment(copy_ck, n_train=100, n_test=60, n_fit=40, probe_params=FAST, random_baseline=False)
    assert res.languages == ["A", "B"] and res.layers == [0, 1, 2]
    for x in res.layers:
        for mat in (res.matrix[x], res.colour_matrix[x], res.occupancy_matrix[x]):
            assert mat.shape == (2, 2)
            assert mat[0, 1] == mat[0, 0] and mat[1, 0] == mat[1, 1]   # exact
            assert mat[0, 0] == mat[1, 1]   # same data, same seed: the same probe
        np.testing.assert_allclose(res.aligned_matrix[x], res.matrix[x], atol=2e-3)
        assert res.mean_cross(x) == res.mean_diag(x)
        assert 0.2 < res.matrix[x][0, 0] < 1.0


def test_untrained_model_probe_sits_at_the_majority_baseline(naive_ck):
    """KEY: a probe on a randomly initialised model reads little beyond the per-square majority
    guess: accuracy within a few points of it, colour (black vs white) near a coin flip."""
    tr = move_states(naive_ck, 0, 200, PROBE_TRAIN_SEED, [1, 2])
    te = move_states(naive_ck, 0, 60, PROBE_TEST_SEED, [1, 2])
    base = majority_baseline(tr.labels("absolute"), te.labels("absolute"))
    assert 0.45 < base["accuracy"] < 0.6
    for x in (1, 2):
        probe = BoardProbe(labels="absolute", epochs=6).fit(tr.rows(x), tr.labels("absolute"))
        d = probe.score_detail(te.rows(x), te.labels("absolute"))
        assert abs(d["accuracy"] - base["accuracy"]) < 0.04, (x, d, base)
        assert abs(d["colour"] - 0.5) < 0.03, (x, d)


def test_trained_model_probe_beats_the_random_model_baseline(tiny_checkpoint):
    """The tiny trained model encodes the board beyond what a random model's states give (at 200
    training games and 6 epochs, relative labels: about 0.59 vs 0.52 at layers 1-2)."""
    ck = load_checkpoint(tiny_checkpoint)
    res = alignment(ck, layers=[1, 2], languages=["L0"], labels="relative", n_train=200, n_test=60,
                    probe_params={"epochs": 6})
    assert res.languages == ["L0"]
    best = max(res.layers, key=lambda x: res.matrix[x][0, 0] - res.baseline_random_model[x]["accuracy"])
    gain = res.matrix[best][0, 0] - res.baseline_random_model[best]["accuracy"]
    assert gain > 0.04, (res.to_json())
    assert res.matrix[best][0, 0] > res.baseline_majority["accuracy"] + 0.03
    for x in res.layers:  # the random-model baseline itself sits near the majority guess
        assert abs(res.baseline_random_model[x]["accuracy"] - res.baseline_majority["accuracy"]) < 0.05


def test_alignment_under_unified_output_covers_the_input_languages(unified_ck):
    seen = []
    res = alignment(unified_ck, layers=[1], n_train=12, n_test=6, n_fit=6, probe_params={"epochs": 1},
                    random_baseline=False, progress=lambda f, msg: seen.append(f))
    assert res.languages == ["atomic-1", "atomic-2", "split", "comp"]
    assert res.matrix[1].shape == res.aligned_matrix[1].shape == (4, 4)
    assert seen and seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen) and seen == sorted(seen)
    # the diagonal of the rotated matrix is the direct one (no map from a language to itself)
    np.testing.assert_array_equal(np.diag(res.aligned_matrix[1]), np.diag(res.matrix[1]))
    part = alignment(unified_ck, layers=[0], languages=["comp", 1], n_train=12, n_test=6, n_fit=6,
                     probe_params={"epochs": 1}, random_baseline=False)
    assert part.languages == ["comp", "atomic-1"]
    for bad in ([0], ["out", "split"], [0, 1, 2]):
        with pytest.raises(ValueError, match="output"):
            alignment(unified_ck, layers=[1], languages=bad, n_train=12, n_test=6, random_baseline=False)


def test_python_api_reads_the_labels_the_cli_and_app_read_by_default(naive_ck):
    """A researcher calling the API without labels gets the numbers the CLI, the app and the report
    show (mine / theirs), not another board: the defaults agree and the default probe is the relative one."""
    from mothello.cli import build_parser
    from mothello.ui.alignment_views import PROBE_LABELS

    parser = build_parser()
    for cmd in ("probe", "align"):
        assert parser.parse_args([cmd, "x"]).labels == probes.DEFAULT_LABELS == "relative"
    assert PROBE_LABELS == probes.DEFAULT_LABELS and BoardProbe().labels == "relative"
    kw = dict(layers=[1], n_train=20, n_test=8, n_fit=8, probe_params={"epochs": 1}, random_baseline=False)
    default, rel, ab = (alignment(naive_ck, **kw), alignment(naive_ck, labels="relative", **kw),
                        alignment(naive_ck, labels="absolute", **kw))
    assert default.labels == "relative"
    np.testing.assert_array_equal(default.matrix[1], rel.matrix[1])
    assert not np.array_equal(default.matrix[1], ab.matrix[1])
    p = probes.train_probe(naive_ck, "L1", 1, n_train=20, save=False, epochs=1)
    assert p.labels == "relative" and p.info_["test"] == probes.train_probe(
        naive_ck, "L1", 1, labels="relative", n_train=20, save=False, epochs=1).info_["test"]


def test_alignment_json_round_trip(unified_ck):
    res = alignment(unified_ck, layers=[0, 2], languages=[1, 3], n_train=12, n_test=6, n_fit=6,
                    probe_params={"epochs": 1}, random_baseline=True)
    d = res.to_json()
    text = json.dumps(d)
    d = json.loads(text)
    assert set(d["layers"]) == {"0", "2"}
    for x in ("0", "2"):
        entry = d["layers"][x]
        assert {"languages", "matrix", "aligned_matrix", "baseline_majority", "baseline_random_model"} <= set(entry)
        assert entry["languages"] == ["atomic-1", "split"]
        assert np.asarray(entry["matrix"]).shape == (2, 2)
        assert 0 < entry["baseline_majority"] < 1 and 0 < entry["baseline_random_model"] < 1
    back = AlignmentResult.from_json(d)
    assert back.languages == res.languages and back.layers == res.layers == [0, 2]
    assert back.kind == res.kind and back.labels == res.labels and back.settings == res.settings
    for x in res.layers:
        for name in ("matrix", "aligned_matrix", "colour_matrix", "aligned_colour_matrix", "occupancy_matrix"):
            np.testing.assert_array_equal(getattr(back, name)[x], getattr(res, name)[x])
        assert back.baseline_random_model[x]["accuracy"] == res.baseline_random_model[x]["accuracy"]
        assert back.mean_cross(x, aligned=True) == res.mean_cross(x, aligned=True)
    assert back.baseline_majority["accuracy"] == res.baseline_majority["accuracy"]
    assert back.to_json() == d


# ---------------------------------------------------------------------------------------------
# Similarities
# ---------------------------------------------------------------------------------------------
def test_embedding_similarity(copy_ck, naive_ck, tmp_path):
    s = embedding_similarity(copy_ck)
    assert s["languages"] == ["A", "B"]
    assert s["same_move"].shape == s["different_move"].shape == (2, 2)
    np.testing.assert_allclose(s["same_move"], 1.0, atol=1e-6)  # off-diagonal too: the same tokens
    assert abs(s["different_move"][0, 1]) < 0.2
    n = embedding_similarity(naive_ck)
    np.testing.assert_allclose(np.diag(n["same_move"]), 1.0, atol=1e-6)
    assert abs(n["same_move"][0, 1]) < 0.2 and n["same_move"][0, 1] < s["same_move"][0, 1] - 0.8
    assert abs(n["different_move"][0, 1]) < 0.2 and abs(n["different_move"][0, 0]) < 0.2
    # 8 anchors of 60 moves: the same-move similarity of random embeddings is about 8/60
    anchors = untrained_checkpoint(config("anchors-8"), tmp_path / "anchors", seed=0)
    a = embedding_similarity(anchors)
    assert abs(a["same_move"][0, 1] - 8 / 60) < 0.06
    emb = probes.move_embeddings(anchors, 0)
    assert emb.shape == (64, 64) and (emb[[27, 28, 35, 36]] == 0).all() and (np.abs(emb[list(PLAYABLE)]).sum(1) > 0).all()


def test_parallel_similarity(copy_ck, naive_ck):
    a = move_states(copy_ck, 0, 6, PROBE_TEST_SEED, [1])
    b = move_states(copy_ck, 1, 6, PROBE_TEST_SEED, [1])
    s = parallel_similarity(a, b, 1, game=2)
    n = int(a.mask[2].sum())
    assert s["matrix"].shape == (n, n)
    assert s["matched"] == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(np.diag(s["matrix"]), 1.0, atol=1e-6)
    assert s["unmatched"] < 0.999
    na = move_states(naive_ck, 0, 6, PROBE_TEST_SEED, [1])
    nb = move_states(naive_ck, 1, 6, PROBE_TEST_SEED, [1])
    ns = parallel_similarity(na, nb, 1)
    assert ns["matrix"].shape == (int(na.mask[0].sum()),) * 2
    assert ns["matched"] < 0.99
    with pytest.raises(ValueError, match="same games"):
        parallel_similarity(a, move_states(copy_ck, 1, 6, PROBE_TRAIN_SEED, [1]), 1)


@pytest.mark.parametrize("kind", ["linear", "mlp"])
def test_probes_fitted_together_equal_probes_fitted_alone(synthetic, kind):
    """fit_probes trains a stack of probes as one batched model; each must end where it would alone,
    also when the stack is split into chunks."""
    X, y, Xt, _ = synthetic
    rng = np.random.default_rng(1)
    Xs = [X, X * 2 + 1, X + rng.normal(size=X.shape).astype(np.float32)]
    params = dict(kind=kind, hidden=16, epochs=3, lr=0.05, batch_size=128, seed=7)
    alone = [BoardProbe(**params).fit(x, y) for x in Xs]
    for max_stack in (None, 2):
        together = fit_probes([BoardProbe(**params) for _ in Xs], Xs, y, max_stack=max_stack)
        for a, t in zip(alone, together):
            np.testing.assert_allclose(t.predict_proba(Xt), a.predict_proba(Xt), atol=2e-4)
            np.testing.assert_allclose(t.mean_, a.mean_)
    # the probes differ from each other (each got its own data), so equality above is not trivial
    assert not np.allclose(alone[0].predict_proba(Xt), alone[2].predict_proba(Xt), atol=1e-2)


def test_fit_probes_rejects_mixed_settings_and_bad_shapes(synthetic):
    X, y, _, _ = synthetic
    with pytest.raises(ValueError, match="identical settings"):
        fit_probes([BoardProbe(epochs=1), BoardProbe(epochs=2)], [X, X], y)
    with pytest.raises(ValueError, match="one feature matrix per probe"):
        fit_probes([BoardProbe(epochs=1)], [X, X], y)
    with pytest.raises(ValueError, match=r"X \(N, C\)"):
        fit_probes([BoardProbe(epochs=1), BoardProbe(epochs=1)], [X, X[:, :4]], y)


def test_colour_by_move_splits_the_probe_colour_accuracy_along_the_game(naive_ck, tmp_path, monkeypatch):
    """Per stretch of the game, the colour accuracy of the stored probe: weighted by the occupied squares
    it is the probe's own colour accuracy, and the placer row is the placer baseline's; split by passes, the
    parts add up to it; stored for these weights and this layer, and computed again for others and for a
    stored analysis without the split by passes."""
    import shutil

    def bin_of(a, b):
        move = np.arange(1, 61)[None]
        return (move >= a) & (move <= b)

    ck_path = tmp_path / "ck"
    shutil.copytree(naive_ck.path, ck_path)
    ck = load_checkpoint(ck_path)
    got = probes.load_or_compute_colour_by_move(ck, 2, n_train=30, n_test=20)
    assert got["bins"] == [list(b) for b in probes.MOVE_BINS] and got["layer"] == 2
    assert set(got["colour"]) == {"L0", "L1"} and got["weights_sha256"] == ck.meta["weights_sha256"]
    y = replay(heldout_games(20, seed=PROBE_TEST_SEED))
    assert sum(got["occupied"]) == (y.boards != 0)[y.mask].sum()
    w = np.asarray(got["occupied"], dtype=float)
    for name, curve in got["colour"].items():
        probe = probes.load_or_train_probe(ck, name, 2, labels="relative", n_train=30)
        te = move_states(ck, name, 20, PROBE_TEST_SEED, [2])
        assert np.dot(w, curve) / w.sum() == pytest.approx(probe.score_detail(te.rows(2), te.labels("relative"))["colour"])
        assert all(0 <= v <= 1 for v in curve)
    assert np.dot(w, got["placer"]) / w.sum() == pytest.approx(probes.placer_baseline(20)["colour"])
    assert got["placer"][0] > got["placer"][-1]  # flips pile up: who placed a disc says less late in a game
    # the same squares split by whether a pass has turned the order of the sides: the two parts add up
    t = got["turned"]
    assert t["boards"] == [int(((y.player != 0) & bin_of(a, b)).sum()) for a, b in probes.MOVE_BINS]
    assert t["boards_turned"] == [int((y.turned & bin_of(a, b)).sum()) for a, b in probes.MOVE_BINS]
    assert 0 < sum(t["boards_turned"]) < sum(t["boards"]) and sum(t["boards"]) == y.mask.sum()
    assert t["occupied"] == (y.boards != 0)[y.turned].sum()
    for name, curve in got["colour"].items():
        whole = np.dot(w, curve) / w.sum()
        parts = (t["occupied"] * t["colour"][name] + (w.sum() - t["occupied"]) * t["colour_other"][name]) / w.sum()
        assert parts == pytest.approx(whole)

    monkeypatch.setattr(probes, "colour_by_move", lambda *a, **k: pytest.fail("computed again"))
    assert probes.load_or_compute_colour_by_move(ck, 2, n_train=30, n_test=20) == got  # stored
    monkeypatch.undo()
    other = probes.load_or_compute_colour_by_move(ck, 1, n_train=30, n_test=20)  # another layer: computed
    assert other["layer"] == 1
    assert json.loads(probes.colour_by_move_path(ck, 30).read_text())["layer"] == 1
    old = {k: v for k, v in other.items() if k != "turned"}  # stored before the split by passes: computed again
    probes.colour_by_move_path(ck, 30).write_text(json.dumps(old))
    assert probes.load_or_compute_colour_by_move(ck, 1, n_train=30, n_test=20) == other


def test_probe_games_trains_the_same_probes_on_the_first_games_of_one_set(naive_ck, tmp_path, monkeypatch):
    """Is the probe short of games: each kind of probe of the first language on each number of training games,
    the smaller set the first games of the larger one (the games the smaller set is on its own), scored as
    train_probe scores; stored for these weights, this layer and these numbers of games, else computed."""
    import shutil

    shutil.copytree(naive_ck.path, tmp_path / "ck")
    ck = load_checkpoint(tmp_path / "ck")
    assert np.array_equal(heldout_games(30, seed=PROBE_TRAIN_SEED)[:15], heldout_games(15, seed=PROBE_TRAIN_SEED))
    fitted_on = []
    fit = BoardProbe.fit
    monkeypatch.setattr(BoardProbe, "fit", lambda self, X, y: fitted_on.append((self.kind, len(X))) or fit(self, X, y))
    got = probes.load_or_compute_probe_games(ck, 2, n_trains=(30, 15), n_test=20)
    rows = {n: int(replay(heldout_games(n, seed=PROBE_TRAIN_SEED)).mask.sum()) for n in (15, 30)}
    assert fitted_on == [("linear", rows[15]), ("linear", rows[30]), ("mlp", rows[15]), ("mlp", rows[30])]
    assert (got["language"], got["layer"], got["n_test"]) == ("L0", 2, 20)
    assert [(p["kind"], p["n_train"]) for p in got["points"]] == [("linear", 15), ("linear", 30), ("mlp", 15), ("mlp", 30)]
    # the 15-game linear point is the probe on those 15 games alone, scored on the probe test games (alone read
    # through the float16 cache of hidden states, probe_games from float32 ones: a hair apart)
    tr, te = move_states(ck, "L0", 15, PROBE_TRAIN_SEED, [2]), move_states(ck, "L0", 20, PROBE_TEST_SEED, [2])
    alone = BoardProbe(labels="relative").fit(tr.rows(2), tr.labels("relative")).score_detail(te.rows(2), te.labels("relative"))
    assert {k: got["points"][0][k] for k in alone} == pytest.approx(alone, abs=1e-3)

    monkeypatch.setattr(probes, "probe_games", lambda *a, **k: pytest.fail("computed again"))
    assert probes.load_or_compute_probe_games(ck, 2, n_trains=(15, 30), n_test=20) == got  # stored
    monkeypatch.undo()
    other = probes.load_or_compute_probe_games(ck, 2, n_trains=(15, 45), n_test=20)  # other numbers: computed
    assert [p["n_train"] for p in other["points"]] == [15, 45, 15, 45]
    assert json.loads(probes.probe_games_path(ck).read_text())["points"] == other["points"]
