"""Board probes and cross-lingual alignment (MOTHELLO.md, Measurements).

BoardProbe maps a hidden state (one move, one layer) to the board after that move: 64 squares x 3
classes, absolute (empty/black/white) or relative to the player to move next (empty/mine/theirs).
Linear, or the study's 2-layer MLP (512 hidden, ReLU). scikit-learn style: fit / predict /
predict_proba / score; learned state in attributes ending with `_`; saved as safetensors + JSON.

Every accuracy is also split into occupancy (empty vs occupied) and colour (on truly occupied squares,
is the more likely of the two colours right): a small model gets occupancy right long before colour.

alignment(): the cross-lingual alignment probe accuracy A->B (a probe trained on language A, applied to
the same games written in language B) for every ordered pair and every layer, with baselines (per-square
majority guess; the same probe on a randomly initialised model of the same config) and the same matrix
after an orthogonal Procrustes map from B's to A's hidden states fitted on separate games ("aligned up to
rotation"). Under unified output, language 0 is never an input: matrices cover the input languages.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import storage
from .activations import ALIGN_FIT_SEED, PROBE_TEST_SEED, PROBE_TRAIN_SEED, MoveStates, board_labels, move_states
from .checkpoints import Checkpoint
from .data import heldout_games
from .model import GPT
from .othello import placer_boards, replay

KINDS = ("linear", "mlp")
LABELS = ("absolute", "relative")
DEFAULT_LABELS = "relative"  # mine / theirs: linearly decodable (Nanda et al.); what the CLI, app and report read


class BoardProbe:
    """Probe from hidden states (N, C) to boards (N, 64) with classes {0, 1, 2}.

    Parameters: kind 'linear' | 'mlp'; hidden (MLP width, 512 as in the study); labels 'absolute' |
    'relative' (recorded, for display); epochs, lr, weight_decay, batch_size, seed.
    Learned: model_ (torch module), mean_ / scale_ (feature standardisation), n_features_in_.
    """

    def __init__(self, kind: str = "linear", hidden: int = 512, labels: str = DEFAULT_LABELS, epochs: int = 12,
                 lr: float = 3e-3, weight_decay: float = 1e-4, batch_size: int = 1024, seed: int = 0,
                 device=None):
        if kind not in KINDS:
            raise ValueError(f"unknown probe kind {kind!r} ({', '.join(KINDS)})")
        if labels not in LABELS:
            raise ValueError(f"unknown labels {labels!r} ({', '.join(LABELS)})")
        self.kind, self.hidden, self.labels = kind, hidden, labels
        self.epochs, self.lr, self.weight_decay, self.batch_size, self.seed = epochs, lr, weight_decay, batch_size, seed
        self.device = torch.device(device) if device else torch.device("cpu")

    def _build(self, c: int) -> nn.Module:
        if self.kind == "linear":
            return nn.Linear(c, 64 * 3)
        return nn.Sequential(nn.Linear(c, self.hidden), nn.ReLU(), nn.Linear(self.hidden, 64 * 3))

    def get_params(self) -> dict:
        return {k: getattr(self, k) for k in ("kind", "hidden", "labels", "epochs", "lr", "weight_decay",
                                              "batch_size", "seed")}

    def fit(self, X: np.ndarray, y: np.ndarray) -> "BoardProbe":
        fit_probes([self], [X], y)
        return self

    def _check(self):
        if not hasattr(self, "model_"):
            raise RuntimeError("this probe is not fitted yet: call fit(X, y) first")

    @torch.no_grad()
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """(N, 64, 3) class probabilities."""
        self._check()
        X = (np.asarray(X, dtype=np.float32) - self.mean_) / self.scale_
        out = []
        for i in range(0, len(X), 8192):
            logits = self.model_(torch.as_tensor(X[i:i + 8192], device=self.device)).view(-1, 64, 3)
            out.append(torch.softmax(logits, -1).cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, 64, 3), np.float32)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.predict_proba(X).argmax(-1)

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        """Mean accuracy over squares and rows."""
        return float((self.predict(X) == np.asarray(y)).mean())

    def score_detail(self, X: np.ndarray, y: np.ndarray) -> dict:
        return accuracy_detail(self.predict_proba(X), y)

    def directions(self) -> np.ndarray:
        """(64, 3, C) class directions of a linear probe in the model's residual space."""
        self._check()
        if self.kind != "linear":
            raise ValueError("directions exist for linear probes only")
        w = self.model_.weight.detach().cpu().numpy().reshape(64, 3, -1)
        return w / self.scale_[None, None, :]

    def logit_offsets(self) -> np.ndarray:
        """(64, 3) intercepts of a linear probe in the model's residual space (logit = dir . x + offset)."""
        b = self.model_.bias.detach().cpu().numpy().reshape(64, 3)
        return b - np.einsum("sck,k->sc", self.directions(), self.mean_)

    # -- persistence ----------------------------------------------------------------------------
    def save(self, path, half: bool = False) -> Path:
        """probe.safetensors + probe.json in the folder `path`; `half` stores the weights in float16
        (half the size; loaded back as float32), the standardisation stays float32."""
        self._check()
        path = Path(path)
        tensors = {f"model.{k}": v.half() if half else v for k, v in self.model_.state_dict().items()}
        tensors["mean"] = torch.as_tensor(self.mean_)
        tensors["scale"] = torch.as_tensor(self.scale_)
        storage.save_tensors(path / "probe.safetensors", tensors)
        storage.write_json(path / "probe.json", {"params": self.get_params(), "n_features_in": self.n_features_in_,
                                                 **getattr(self, "info_", {})})
        return path

    @classmethod
    def load(cls, path) -> "BoardProbe":
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        path = Path(path)
        try:
            meta = json.loads((path / "probe.json").read_text())
            tensors = load_file(str(path / "probe.safetensors"))
            probe = cls(**meta["params"])
            probe.n_features_in_ = int(meta["n_features_in"])
            probe.model_ = probe._build(probe.n_features_in_)
            probe.model_.load_state_dict({k[6:]: v.float() for k, v in tensors.items() if k.startswith("model.")})
            probe.model_.eval()
            probe.mean_, probe.scale_ = tensors["mean"].numpy(), tensors["scale"].numpy()
        except (OSError, KeyError, ValueError, TypeError, RuntimeError, json.JSONDecodeError,
                SafetensorError) as e:  # a damaged weights file raises SafetensorError (no ValueError)
            raise ValueError(f"{path}: not a readable probe ({type(e).__name__}: {e})") from None
        probe.info_ = {k: v for k, v in meta.items() if k not in ("params", "n_features_in")}
        return probe


class _ProbeStack(nn.Module):
    """P probes of one kind trained as one batched model: x (P, B, C) -> logits (P, B, 192).

    Adam(W) is elementwise and the loss is the sum of the probes' own losses, so every probe follows
    exactly the trajectory it would follow alone; one batched matmul replaces P small ones."""

    # Output columns are stored class-major (c * 64 + s) inside the stack, square-major (s * 3 + c) in
    # the probes' own modules: the loss then runs over a (P*B, 3, 64) view, 3x faster than (P*B*64, 3).
    CLASS_MAJOR = torch.arange(192).view(64, 3).T.reshape(-1)   # stack column j <- module column CLASS_MAJOR[j]

    def __init__(self, modules: list[nn.Module]):
        super().__init__()
        linears = [[m] if isinstance(m, nn.Linear) else [m[0], m[2]] for m in modules]
        last = len(linears[0]) - 1
        order = lambda k: self.CLASS_MAJOR if k == last else slice(None)  # noqa: E731
        self.weights = nn.ParameterList(
            nn.Parameter(torch.stack([ls[k].weight.detach()[order(k)].T for ls in linears]))
            for k in range(last + 1))
        self.biases = nn.ParameterList(
            nn.Parameter(torch.stack([ls[k].bias.detach()[order(k)][None] for ls in linears]))
            for k in range(last + 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (P, B, C) -> logits (P, B, 192), class-major."""
        for k, (w, b) in enumerate(zip(self.weights, self.biases)):
            x = torch.baddbmm(b, x, w)  # (P, B, C_in) @ (P, C_in, C_out) + (P, 1, C_out)
            if k < len(self.weights) - 1:
                x = torch.relu(x)
        return x

    def unstack(self, modules: list[nn.Module]) -> None:
        """Copy the trained weights back into the probes' own modules."""
        last = len(self.weights) - 1
        for p, m in enumerate(modules):
            for k, lin in enumerate([m] if isinstance(m, nn.Linear) else [m[0], m[2]]):
                rows = self.CLASS_MAJOR if k == last else slice(None)
                lin.weight.data[rows] = self.weights[k][p].T.detach()
                lin.bias.data[rows] = self.biases[k][p, 0].detach()


def fit_probes(probes: list["BoardProbe"], Xs: list[np.ndarray], y: np.ndarray, progress=None,
               max_stack: int | None = None) -> list["BoardProbe"]:
    """Fit several probes with the same settings on the same labels y (N, 64) and their own features
    Xs[p] (N, C), e.g. every layer and language of parallel games, as one batched model.

    Each probe ends up as if fitted alone (same seed: same initial weights and batch order).
    progress(fraction) is called after every epoch of every stack of at most `max_stack` probes
    (default: as many as fit in ~600 MB of stacked features)."""
    if not probes or len(probes) != len(Xs):
        raise ValueError("fit_probes needs one feature matrix per probe")
    first = probes[0]
    settings = {k: v for k, v in first.get_params().items() if k != "labels"}
    if any({k: v for k, v in q.get_params().items() if k != "labels"} != settings for q in probes):
        raise ValueError("fit_probes needs probes with identical settings")
    y = np.asarray(y, dtype=np.int64)
    Xs = [np.asarray(X, dtype=np.float32) for X in Xs]
    for X in Xs:
        if X.ndim != 2 or y.shape != (len(X), 64) or X.shape[1] != Xs[0].shape[1]:
            raise ValueError(f"fit needs X (N, C) and y (N, 64); got {X.shape} and {y.shape}")
    if max_stack is None:
        max_stack = int(np.clip(600e6 // max(1, Xs[0].nbytes), 1, 32))
    if len(probes) > max_stack:
        for s in range(0, len(probes), max_stack):
            sub = None if progress is None else (
                lambda f, s=s: progress((s + f * len(probes[s:s + max_stack])) / len(probes)))
            fit_probes(probes[s:s + max_stack], Xs[s:s + max_stack], y, sub, max_stack)
        return probes
    device, n, c = first.device, len(y), Xs[0].shape[1]
    Xt = []
    for probe, X in zip(probes, Xs):
        probe.n_features_in_ = c
        probe.mean_ = X.mean(0)
        probe.scale_ = X.std(0) + 1e-6
        torch.manual_seed(first.seed)
        probe.model_ = probe._build(c).to(device)
        Xt.append(torch.as_tensor((X - probe.mean_) / probe.scale_, device=device))
    Xt = torch.stack(Xt)                                        # (P, N, C)
    yt = torch.as_tensor(y, device=device)
    stack = _ProbeStack([q.model_ for q in probes]).to(device)
    gen = torch.Generator().manual_seed(first.seed)
    opt = torch.optim.AdamW(stack.parameters(), lr=first.lr, weight_decay=first.weight_decay,
                            fused=device.type in ("cpu", "cuda"))
    steps = first.epochs * max(1, int(np.ceil(n / first.batch_size)))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=first.lr, total_steps=steps, pct_start=0.1)
    n_probes = len(probes)
    for epoch in range(first.epochs):
        perm = torch.randperm(n, generator=gen).to(device)
        for i in range(0, n, first.batch_size):
            idx = perm[i:i + first.batch_size]
            logits = stack(Xt[:, idx]).view(n_probes * len(idx), 3, 64)
            target = yt[idx].expand(n_probes, -1, -1).reshape(-1, 64)
            # the sum over probes of each probe's mean loss: every probe gets its own gradient
            loss = F.cross_entropy(logits, target) * n_probes
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        if progress is not None:
            progress((epoch + 1) / first.epochs)
    stack.unstack([q.model_ for q in probes])
    for q in probes:
        q.model_.eval()
    return probes


def colour_guess(proba: np.ndarray) -> np.ndarray:
    """(N, 64) the more likely of the two colours (1 or 2) of class probabilities (N, 64, 3): a square's colour
    as the colour accuracies score it, whatever the probe says of its occupancy."""
    return np.where(proba[..., 1] >= proba[..., 2], 1, 2)


def accuracy_detail(proba: np.ndarray, y: np.ndarray) -> dict:
    """Overall, occupancy and colour accuracy of predicted probabilities (N, 64, 3) against y (N, 64)."""
    y = np.asarray(y)
    pred = proba.argmax(-1)
    occupied = y > 0
    colour = colour_guess(proba)
    return {
        "accuracy": float((pred == y).mean()),
        "occupancy": float(((pred > 0) == occupied).mean()),
        "colour": float((colour[occupied] == y[occupied]).mean()) if occupied.any() else float("nan"),
    }


def majority_baseline(y_train: np.ndarray, y_test: np.ndarray) -> dict:
    """Per-square majority guess (from the training labels), scored on the test labels."""
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    counts = np.stack([(y_train == c).sum(0) for c in range(3)], -1)  # (64, 3)
    proba = np.broadcast_to(counts / counts.sum(-1, keepdims=True), (len(y_test), 64, 3))
    # A tie in the counts goes to the higher class id (the tiny increasing offset), for the overall guess
    # and for the colour guess alike: deterministic, and no better than either choice in expectation.
    return accuracy_detail(proba + 1e-9 * np.arange(3), y_test)


@functools.lru_cache(maxsize=8)
def _placer_positions(n_test: int, labels: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The probe test positions: (y (N, 64) true labels, guess (N, 64) the placer board's labels
    (othello.placer_boards), move (N,) the move each board follows, 1-based, turned (N,) whether a pass has
    turned the order of the sides there (Replay.turned))."""
    games = heldout_games(n_test, seed=PROBE_TEST_SEED)
    r = replay(games)
    guess = board_labels(dataclasses.replace(r, boards=placer_boards(games, r)), labels)[r.mask]
    return board_labels(r, labels)[r.mask], guess, move_numbers(r.mask), r.turned[r.mask]


@functools.lru_cache(maxsize=8)
def placer_baseline(n_test: int = 200, labels: str = DEFAULT_LABELS) -> dict:
    """The board read off the move list without tracking flips (othello.placer_boards: every disc the
    colour of who placed it), scored like a probe on the probe test positions (accuracy_detail; occupancy
    is exact). The bar a colour probe must clear to show the model tracks flips, where the majority guess
    only shows it knows more than square statistics. The same for every model: the test games are."""
    y, guess, _, _ = _placer_positions(n_test, labels)
    return accuracy_detail(np.eye(3)[guess], y)


MOVE_BINS = ((1, 10), (11, 20), (21, 30), (31, 40), (41, 50), (51, 60))  # colour_by_move's stretches of a game


def _stretches(move: np.ndarray) -> list[np.ndarray]:
    """Per MOVE_BINS stretch: (N,) bool, the boards that follow its moves (move (N,), 1-based)."""
    return [(move >= a) & (move <= b) for a, b in MOVE_BINS]


def _stretch_cells(y: np.ndarray, move: np.ndarray) -> list[np.ndarray]:
    """Per MOVE_BINS stretch: (N, 64) bool, the occupied squares of the boards that follow its moves."""
    return [rows[:, None] & (y > 0) for rows in _stretches(move)]


def colour_by_stretch(proba: np.ndarray, y: np.ndarray, move: np.ndarray) -> list[float]:
    """accuracy_detail's colour (the more likely colour right, on truly occupied squares) per stretch of the
    game (MOVE_BINS): proba (N, 64, 3) or predicted classes (N, 64), y (N, 64) labels, move (N,) the move
    (1-based) each board follows. NaN for a stretch without an occupied square."""
    y = np.asarray(y)
    colour = proba if proba.ndim == 2 else colour_guess(proba)
    right = colour == y
    return [float(right[c].mean()) if c.any() else float("nan") for c in _stretch_cells(y, move)]


def colour_on(proba: np.ndarray, y: np.ndarray, rows: np.ndarray) -> float:
    """accuracy_detail's colour on the occupied squares of the boards `rows` (N,) bool picks (e.g. Replay.turned
    in rows order): proba (N, 64, 3), y (N, 64). NaN when they hold no occupied square."""
    y = np.asarray(y)
    cells = (y > 0) & np.asarray(rows, dtype=bool)[:, None]
    return float((colour_guess(proba)[cells] == y[cells]).mean()) if cells.any() else float("nan")


def move_numbers(mask: np.ndarray) -> np.ndarray:
    """(N,) the move (1-based) of every board of a (games, 60) mask, in rows order (MoveStates.rows)."""
    return np.nonzero(mask)[1] + 1


def placer_by_stretch(n_test: int = 200, labels: str = DEFAULT_LABELS) -> tuple[float, ...]:
    """placer_baseline's colour per stretch of the game (MOVE_BINS), on the same positions."""
    y, guess, move, _ = _placer_positions(n_test, labels)
    return tuple(colour_by_stretch(guess, y, move))


def colour_by_move(ck: Checkpoint, layer: int, n_train: int = 1000, n_test: int = 200, device=None) -> dict:
    """Where along a game the model loses the colour of the discs: the in-language colour accuracy (mine /
    theirs on occupied squares) of each input language's linear relative probe at `layer` (the stored one
    when it is of these weights), by the move the board follows (MOVE_BINS), on the probe test positions;
    beside it the placer baseline on the same positions. {"layer", "bins", "occupied": squares per bin,
    "placer": [per bin], "colour": {language: [per bin]}}; the occupied-weighted mean of a language's
    bins is its probe's colour accuracy (accuracy_detail).

    "turned" splits the same squares by whether a pass has turned the order of the sides (Replay.turned: the
    move list does not write a pass, so there mine / theirs are the other way round from what alternation
    gives): {"boards": [positions per bin], "boards_turned": [of them turned], "occupied": squares there,
    "colour": {language: colour there}, "colour_other": {language: colour on the other squares}}."""
    y, _, move, turned = _placer_positions(n_test, "relative")
    out = {"layer": int(layer), "bins": [list(b) for b in MOVE_BINS], "n_train": n_train, "n_test": n_test,
           "occupied": [int(c.sum()) for c in _stretch_cells(y, move)],
           "placer": list(placer_by_stretch(n_test, "relative")), "colour": {},
           "turned": {"boards": [int(rows.sum()) for rows in _stretches(move)],
                      "boards_turned": [int((rows & turned).sum()) for rows in _stretches(move)],
                      "occupied": int(((y > 0) & turned[:, None]).sum()), "colour": {}, "colour_other": {}}}
    for li in ck.config.input_languages:
        name = ck.config.languages[ck.config.language_index(li)].name
        probe = load_or_train_probe(ck, li, layer, "linear", "relative", n_train, device=device)
        ms = move_states(ck, li, n_test, PROBE_TEST_SEED, [layer], device=device)
        proba = probe.predict_proba(ms.rows(layer))
        out["colour"][name] = colour_by_stretch(proba, y, move)
        out["turned"]["colour"][name] = colour_on(proba, y, turned)
        out["turned"]["colour_other"][name] = colour_on(proba, y, ~turned)
    return out


def colour_by_move_path(ck: Checkpoint, n_train: int) -> Path:
    return Path(ck.path) / "analysis" / f"colour-by-move-linear-relative-n{n_train}.json"


def load_or_compute_colour_by_move(ck: Checkpoint, layer: int, n_train: int = 1000, n_test: int = 200,
                                   device=None) -> dict:
    """colour_by_move stored beside the checkpoint (for these weights, this layer and this many test
    games), else computed and stored when the folder is writable."""
    return _stored_or_computed(ck, colour_by_move_path(ck, n_train), layer, n_test,
                               lambda d: "turned" in d,  # (stored before the split by passes: computed again)
                               lambda: colour_by_move(ck, layer, n_train, n_test, device=device))


def _stored_or_computed(ck: Checkpoint, path: Path, layer: int, n_test: int, fits, compute) -> dict:
    """The analysis stored in `path` when it was made for these weights, this layer and this many test games and
    `fits` it (a check of its own fields); else compute(), stored with the weights' hash when the folder is
    writable."""
    d = storage.read_json_if_any(path)
    if d.get("weights_sha256") == ck.meta["weights_sha256"] and (d.get("layer"), d.get("n_test")) == (int(layer), n_test) \
            and fits(d):
        return d
    d = {**compute(), "weights_sha256": ck.meta["weights_sha256"]}
    try:
        storage.write_json(path, d)
    except OSError:
        pass
    return d


PROBE_GAMES = (1000, 4000)   # the study's probe's training games, and four times as many


def probe_games(ck: Checkpoint, layer: int, n_trains=PROBE_GAMES, kinds=KINDS, n_test: int = 200,
                device=None) -> dict:
    """Is the probe short of training games? The in-language probes (relative labels) of the model's first
    input language at `layer`, of each kind trained on each number of held-out games in n_trains (the first n
    games of one set: a smaller set is part of a larger), scored on the probe test games. One language: an
    MLP on 4,000 games of every language of a ten-language model would take hours. {"layer", "language",
    "n_test", "points": [{"kind", "n_train", "accuracy", "occupancy", "colour"}]}."""
    li = ck.config.input_languages[0]
    name = ck.config.languages[ck.config.language_index(li)].name
    n_trains = sorted(int(n) for n in n_trains)
    tr = move_states(ck, li, n_trains[-1], PROBE_TRAIN_SEED, [layer], cache=False, device=device)
    te = move_states(ck, li, n_test, PROBE_TEST_SEED, [layer], device=device)
    X, y = tr.rows(layer), tr.labels("relative")
    rows_before = np.concatenate([[0], np.cumsum(tr.mask.sum(1))])  # rows of the first n games: X[:rows_before[n]]
    points = []
    for kind in kinds:
        for n in n_trains:
            probe = BoardProbe(kind=kind, labels="relative", device=device).fit(X[:rows_before[n]], y[:rows_before[n]])
            points.append({"kind": kind, "n_train": n,
                           **probe.score_detail(te.rows(layer), te.labels("relative"))})
    return {"layer": int(layer), "language": name, "n_test": n_test, "points": points}


def probe_games_path(ck: Checkpoint) -> Path:
    return Path(ck.path) / "analysis" / "probe-games-relative.json"


def load_or_compute_probe_games(ck: Checkpoint, layer: int, n_trains=PROBE_GAMES, n_test: int = 200,
                                device=None) -> dict:
    """probe_games stored beside the checkpoint (for these weights, this layer, these numbers of games),
    else computed and stored when the folder is writable."""
    n_trains = sorted(int(n) for n in n_trains)
    return _stored_or_computed(ck, probe_games_path(ck), layer, n_test,
                               lambda d: sorted({p["n_train"] for p in d.get("points", [])}) == n_trains,
                               lambda: probe_games(ck, layer, n_trains, n_test=n_test, device=device))


def random_model_checkpoint(ck: Checkpoint, seed: int = 0) -> Checkpoint:
    """The same config with randomly initialised weights (a baseline for probes)."""
    torch.manual_seed(seed)
    model = GPT(ck.model.cfg).to(next(ck.model.parameters()).device).eval()
    meta = {**ck.meta, "weights_sha256": f"random-init-{seed}-" + ck.meta["weights_sha256"][:16]}
    return Checkpoint(path=ck.path, model=model, vocab=ck.vocab, meta=meta)


# ---------------------------------------------------------------------------------------------
# Alignment
# ---------------------------------------------------------------------------------------------
def procrustes(source: np.ndarray, target: np.ndarray):
    """Orthogonal R and means so that (source - mu_s) @ R + mu_t best matches target (least squares)."""
    mu_s, mu_t = source.mean(0), target.mean(0)
    u, _, vt = np.linalg.svd((source - mu_s).T @ (target - mu_t), full_matrices=False)
    return u @ vt, mu_s, mu_t


def apply_procrustes(x: np.ndarray, fit) -> np.ndarray:
    r, mu_s, mu_t = fit
    return (x - mu_s) @ r + mu_t


@dataclass
class AlignmentResult:
    """Per layer: matrix[i][j] = accuracy of the probe trained on languages[i] applied to languages[j]
    (same games); aligned_matrix the same after Procrustes; detail_* occupancy/colour splits."""

    languages: list[str]
    layers: list[int]
    kind: str
    labels: str
    matrix: dict[int, np.ndarray]
    aligned_matrix: dict[int, np.ndarray]
    colour_matrix: dict[int, np.ndarray]
    aligned_colour_matrix: dict[int, np.ndarray]
    occupancy_matrix: dict[int, np.ndarray]
    baseline_majority: dict
    baseline_random_model: dict[int, dict]
    settings: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        """{"layers": {L: {"languages", "matrix", "aligned_matrix", "baseline_majority", ...}}, ...}"""
        out = {}
        for x in self.layers:
            out[str(x)] = {
                "languages": self.languages,
                "matrix": self.matrix[x].tolist(),
                "aligned_matrix": self.aligned_matrix[x].tolist(),
                "colour_matrix": self.colour_matrix[x].tolist(),
                "aligned_colour_matrix": self.aligned_colour_matrix[x].tolist(),
                "occupancy_matrix": self.occupancy_matrix[x].tolist(),
                "baseline_majority": self.baseline_majority["accuracy"],
                "baseline_majority_colour": self.baseline_majority["colour"],
                "baseline_random_model": self.baseline_random_model[x]["accuracy"],
                "baseline_random_model_colour": self.baseline_random_model[x]["colour"],
            }
        return {"kind": self.kind, "labels": self.labels, "settings": self.settings, "layers": out}

    @classmethod
    def from_json(cls, d: dict) -> "AlignmentResult":
        layers = sorted(int(x) for x in d["layers"])
        L = d["layers"]
        arr = lambda key: {x: np.asarray(L[str(x)][key]) for x in layers}  # noqa: E731
        first = L[str(layers[0])]
        return cls(languages=first["languages"], layers=layers, kind=d["kind"], labels=d["labels"],
                   matrix=arr("matrix"), aligned_matrix=arr("aligned_matrix"), colour_matrix=arr("colour_matrix"),
                   aligned_colour_matrix=arr("aligned_colour_matrix"), occupancy_matrix=arr("occupancy_matrix"),
                   baseline_majority={"accuracy": first["baseline_majority"], "colour": first["baseline_majority_colour"]},
                   baseline_random_model={x: {"accuracy": L[str(x)]["baseline_random_model"],
                                              "colour": L[str(x)]["baseline_random_model_colour"]} for x in layers},
                   settings=d.get("settings", {}))

    def mean_cross(self, layer: int, aligned: bool = False, colour: bool = False) -> float:
        """Mean of the off-diagonal entries (cross-lingual transfer)."""
        m = (self.aligned_colour_matrix if aligned else self.colour_matrix)[layer] if colour else \
            (self.aligned_matrix if aligned else self.matrix)[layer]
        off = ~np.eye(len(m), dtype=bool)
        return float(m[off].mean()) if off.any() else float("nan")

    def mean_diag(self, layer: int, colour: bool = False) -> float:
        m = (self.colour_matrix if colour else self.matrix)[layer]
        return float(np.diag(m).mean())

    def best_layer(self) -> int:
        """The layer compared across models: where the model's OWN in-language probe reads the colour of
        occupied squares best (chosen without looking at cross-lingual numbers); never the embeddings
        unless nothing else was measured; ties go to the deeper layer."""
        layers = [x for x in self.layers if x > 0] or self.layers
        return max(layers, key=lambda x: (round(self.mean_diag(x, colour=True), 4), x))


def alignment(ck: Checkpoint, layers=None, languages=None, kind: str = "linear", labels: str = DEFAULT_LABELS,
              n_train: int = 1000, n_test: int = 200, n_fit: int = 300, probe_params: dict | None = None,
              random_baseline: bool = True, progress=None, device=None) -> AlignmentResult:
    """Cross-lingual alignment probe accuracy for every ordered pair of languages and every layer.

    Probes are trained on `n_train` games of language A; scored on `n_test` other games written in
    each language B; the Procrustes map B->A is fitted on `n_fit` further games. progress(fraction,
    message) is called along the way.
    """
    cfg = ck.config
    langs = [cfg.input_index(x) for x in (languages or cfg.input_languages)]
    names = [cfg.languages[i].name for i in langs]
    layers = list(range(ck.model.cfg.n_layer + 1)) if layers is None else [int(x) for x in layers]
    params = {"kind": kind, "labels": labels, **(probe_params or {})}
    report = progress or (lambda f, m: None)
    # progress: hidden states 15%, probe fits 75%, scoring 10%
    train, test, fit = {}, {}, {}
    for i, li in enumerate(langs):
        train[li] = move_states(ck, li, n_train, PROBE_TRAIN_SEED, layers, device=device)
        test[li] = move_states(ck, li, n_test, PROBE_TEST_SEED, layers, device=device)
        fit[li] = move_states(ck, li, n_fit, ALIGN_FIT_SEED, layers, device=device) if len(langs) > 1 else None
        report(0.15 * (i + 1) / (len(langs) + random_baseline), f"hidden states {names[i]}")
    y_train = train[langs[0]].labels(labels)
    y_test = test[langs[0]].labels(labels)
    jobs = [(x, a) for x in layers for a in langs]  # one probe per layer and language
    feats = [train[a].rows(x) for x, a in jobs]
    if random_baseline:
        rck = random_model_checkpoint(ck)
        r_train = move_states(rck, langs[0], n_train, PROBE_TRAIN_SEED, layers, cache=False, device=device)
        r_test = move_states(rck, langs[0], n_test, PROBE_TEST_SEED, layers, cache=False, device=device)
        feats += [r_train.rows(x) for x in layers]
        report(0.15, "hidden states of the random-init model")
    probes = fit_probes([BoardProbe(**params, device=device) for _ in feats], feats, y_train,
                        progress=lambda f: report(0.15 + 0.75 * f, f"training {len(feats)} probes"))
    fitted = dict(zip(jobs, probes))
    res = {k: {} for k in ("matrix", "aligned", "colour", "aligned_colour", "occupancy")}
    for n_done, x in enumerate(layers):
        shape = (len(langs), len(langs))
        m, am, cm, acm, om = (np.zeros(shape) for _ in range(5))
        for i, a in enumerate(langs):
            probe = fitted[x, a]
            for j, b in enumerate(langs):
                d = probe.score_detail(test[b].rows(x), y_test)
                m[i, j], cm[i, j], om[i, j] = d["accuracy"], d["colour"], d["occupancy"]
                if a == b:
                    am[i, j], acm[i, j] = m[i, j], cm[i, j]
                else:
                    rot = procrustes(fit[b].rows(x), fit[a].rows(x))
                    da = probe.score_detail(apply_procrustes(test[b].rows(x), rot), y_test)
                    am[i, j], acm[i, j] = da["accuracy"], da["colour"]
        res["matrix"][x], res["aligned"][x], res["colour"][x] = m, am, cm
        res["aligned_colour"][x], res["occupancy"][x] = acm, om
        report(0.9 + 0.1 * (n_done + 1) / len(layers), f"layer {x}: scored every pair")
    if random_baseline:
        rnd = {x: p.score_detail(r_test.rows(x), y_test) for x, p in zip(layers, probes[len(jobs):])}
    else:
        rnd = {x: {"accuracy": float("nan"), "colour": float("nan")} for x in layers}
    report(1.0, "done")
    return AlignmentResult(languages=names, layers=layers, kind=kind, labels=labels, matrix=res["matrix"],
                           aligned_matrix=res["aligned"], colour_matrix=res["colour"],
                           aligned_colour_matrix=res["aligned_colour"], occupancy_matrix=res["occupancy"],
                           baseline_majority=majority_baseline(y_train, y_test), baseline_random_model=rnd,
                           settings={"n_train": n_train, "n_test": n_test, "n_fit": n_fit, **params})


def train_probe(ck: Checkpoint, language, layer: int, kind: str = "linear", labels: str = DEFAULT_LABELS,
                n_train: int = 1000, save: bool = True, device=None, **params) -> BoardProbe:
    """A probe on one language at one layer, trained on n_train held-out games and scored on others;
    saved beside the checkpoint (analysis/probes/...) unless save=False."""
    li = ck.config.input_index(language)
    name = ck.config.languages[li].name
    tr = move_states(ck, li, n_train, PROBE_TRAIN_SEED, [layer], device=device)
    te = move_states(ck, li, 200, PROBE_TEST_SEED, [layer], device=device)
    probe = BoardProbe(kind=kind, labels=labels, device=device, **params).fit(tr.rows(layer), tr.labels(labels))
    probe.info_ = {"checkpoint": ck.name, "weights_sha256": ck.meta["weights_sha256"], "language": name,
                   "layer": layer, "n_train": n_train, "test": probe.score_detail(te.rows(layer), te.labels(labels))}
    if save:
        probe.save(probe_dir(ck, name, layer, kind, labels, n_train))
    return probe


def load_or_train_layer_probes(ck: Checkpoint, language, kind: str = "linear", labels: str = DEFAULT_LABELS,
                               n_train: int = 1000, progress=None, device=None) -> list[BoardProbe]:
    """One probe per layer (0..n_layer) on `language`, as train_probe makes them: those saved beside the
    checkpoint for these weights are loaded, the others trained together (fit_probes) and saved when
    the folder is writable. progress(fraction, message) while training."""
    li = ck.config.input_index(language)
    name = ck.config.languages[li].name
    layers = list(range(ck.model.cfg.n_layer + 1))
    out: dict[int, BoardProbe] = {}
    for x in layers:
        path = probe_dir(ck, name, x, kind, labels, n_train)
        if (path / "probe.json").is_file():
            try:
                probe = BoardProbe.load(path)
                if probe.info_.get("weights_sha256") == ck.meta["weights_sha256"]:
                    out[x] = probe
            except ValueError:
                pass
    todo = [x for x in layers if x not in out]
    if todo:
        report = progress or (lambda f, m: None)
        report(0.0, f"hidden states of {n_train:,} games")
        tr = move_states(ck, li, n_train, PROBE_TRAIN_SEED, layers, device=device)
        te = move_states(ck, li, 200, PROBE_TEST_SEED, layers, device=device)
        fitted = fit_probes([BoardProbe(kind=kind, labels=labels, device=device) for _ in todo],
                            [tr.rows(x) for x in todo], tr.labels(labels),
                            progress=lambda f: report(0.1 + 0.9 * f, f"training {len(todo)} probes"))
        for x, probe in zip(todo, fitted):
            probe.info_ = {"checkpoint": ck.name, "weights_sha256": ck.meta["weights_sha256"], "language": name,
                           "layer": x, "n_train": n_train,
                           "test": probe.score_detail(te.rows(x), te.labels(labels))}
            try:
                probe.save(probe_dir(ck, name, x, kind, labels, n_train))
            except OSError:
                pass  # a read-only checkpoint folder: keep the probe in memory only
            out[x] = probe
        report(1.0, "done")
    return [out[x] for x in layers]


def probe_dir(ck: Checkpoint, language: str, layer: int, kind: str, labels: str, n_train: int) -> Path:
    return Path(ck.path) / "analysis" / "probes" / f"{language}-L{layer}-{kind}-{labels}-n{n_train}"


def load_or_train_probe(ck: Checkpoint, language, layer: int, kind: str = "linear", labels: str = DEFAULT_LABELS,
                        n_train: int = 1000, device=None) -> BoardProbe:
    """The probe saved beside the checkpoint if it was trained on these weights, else a new one (saved
    when the checkpoint folder is writable)."""
    name = ck.config.languages[ck.config.input_index(language)].name
    path = probe_dir(ck, name, layer, kind, labels, n_train)
    if (path / "probe.json").is_file():
        try:
            probe = BoardProbe.load(path)
            if probe.info_.get("weights_sha256") == ck.meta["weights_sha256"]:
                return probe
        except ValueError:
            pass
    probe = train_probe(ck, language, layer, kind, labels, n_train, save=False, device=device)
    try:
        probe.save(path)
    except OSError:
        pass  # a read-only checkpoint folder: keep the probe in memory only
    return probe


# ---------------------------------------------------------------------------------------------
# Similarities
# ---------------------------------------------------------------------------------------------
def move_embeddings(ck: Checkpoint, language) -> np.ndarray:
    """(64, C) input embedding of each move (mean over its tokens); zero rows for the centre squares."""
    li = ck.config.input_index(language)
    emb = ck.model.tok_emb.weight.detach().cpu().numpy()
    toks, lens = ck.vocab.tokens[li], ck.vocab.lengths[li]
    out = np.zeros((64, emb.shape[1]), np.float32)
    for sq in range(64):
        if lens[sq]:
            out[sq] = emb[toks[sq, :lens[sq]]].mean(0)
    return out


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / (np.linalg.norm(a, axis=-1, keepdims=True) + 1e-12)
    b = b / (np.linalg.norm(b, axis=-1, keepdims=True) + 1e-12)
    return a @ b.T


def embedding_similarity(ck: Checkpoint, languages=None) -> dict:
    """Cosine similarity of the same move's input embeddings across languages, and of different moves
    (the baseline). Returns {"languages", "same_move" (M, M), "different_move" (M, M)}."""
    from .othello import PLAYABLE

    cfg = ck.config
    langs = [cfg.input_index(x) for x in (languages or cfg.input_languages)]
    emb = {li: move_embeddings(ck, li)[list(PLAYABLE)] for li in langs}
    same = np.zeros((len(langs), len(langs)))
    diff = np.zeros_like(same)
    off = ~np.eye(len(PLAYABLE), dtype=bool)
    for i, a in enumerate(langs):
        for j, b in enumerate(langs):
            c = _cos(emb[a], emb[b])
            same[i, j] = np.diag(c).mean()
            diff[i, j] = c[off].mean()
    return {"languages": [cfg.languages[i].name for i in langs], "same_move": same, "different_move": diff}


def parallel_similarity(a: MoveStates, b: MoveStates, layer: int, game: int = 0) -> dict:
    """Cosine similarity between the hidden states of the same game read in two languages at a layer.

    Returns {"matrix": (n, n) move-by-move similarities of game `game` (heatmap data), "matched": mean
    over matched moves (all games), "unmatched": mean over different moves of the same game}."""
    if not np.array_equal(a.games, b.games):
        raise ValueError("parallel similarity needs the same games in both languages")
    n = int(a.mask[game].sum())
    mat = _cos(a.hidden[layer][game, :n], b.hidden[layer][game, :n])
    matched, unmatched = [], []
    for g in range(len(a.games)):
        k = int(a.mask[g].sum())
        c = _cos(a.hidden[layer][g, :k], b.hidden[layer][g, :k])
        matched.append(np.diag(c).mean())
        unmatched.append(c[~np.eye(k, dtype=bool)].mean() if k > 1 else np.nan)
    return {"matrix": mat, "matched": float(np.mean(matched)), "unmatched": float(np.nanmean(unmatched))}


def alignment_path(ck: Checkpoint, kind: str, labels: str, n_train: int) -> Path:
    return Path(ck.path) / "analysis" / f"alignment-{kind}-{labels}-n{n_train}.json"


def load_alignment(ck: Checkpoint, kind: str = "linear", labels: str = DEFAULT_LABELS,
                   n_train: int = 1000) -> AlignmentResult | None:
    """The alignment result stored beside the checkpoint, if it was computed on these weights."""
    path = alignment_path(ck, kind, labels, n_train)
    if not path.is_file():
        return None
    try:
        d = json.loads(path.read_text())
        if d.get("weights_sha256") != ck.meta["weights_sha256"]:
            return None
        return AlignmentResult.from_json(d)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_or_compute_alignment(ck: Checkpoint, kind: str = "linear", labels: str = DEFAULT_LABELS, n_train: int = 1000,
                              progress=None, device=None) -> AlignmentResult:
    """Stored result if present (instant), else compute every layer and store it beside the checkpoint
    (when the folder is writable)."""
    res = load_alignment(ck, kind, labels, n_train)
    if res is not None:
        return res
    res = alignment(ck, kind=kind, labels=labels, n_train=n_train, progress=progress, device=device)
    try:
        storage.write_json(alignment_path(ck, kind, labels, n_train),
                           {**res.to_json(), "weights_sha256": ck.meta["weights_sha256"], "checkpoint": ck.name})
    except OSError:
        pass
    return res
