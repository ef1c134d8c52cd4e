"""The transfer experiment (MOTHELLO.md) and alignment over training.

Transfer: pretrain on games that open with the moves 19, 18, 17 (c4, c3, c2) in all languages, then
fine-tune on ONE language with games from the full distribution, keeping snapshots along fine-tuning
(reference: 102,400 games, 4 epochs, 5 snapshots per epoch). At the pretrained model and at each
snapshot: legal-move accuracy of every language on full-distribution held-out games, and the mean
alignment probe accuracy between the fine-tuned language and the others. Transfer = the languages not
fine-tuned improve too.

A transfer run directory holds experiment.toml, transfer.json (settings), status.json (the whole
job's progress), pretrain/ and finetune/ (ordinary training runs, each resumable), and
transfer.csv: the tidy table (snapshot, step, language, metric, value), answers.csv (which language the
fine-tuned model answers in) and restored.csv (restore_parts: which part of the weights carries each
language's change). Re-running with resume skips
what is done, so a cancelled or killed job continues where it stopped.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from . import storage
from .checkpoints import Checkpoint, list_snapshots, load_checkpoint, read_meta
from .data import heldout_games
from .evaluate import default_device, legal_move_accuracy, output_token_shares
from .languages import ExperimentConfig, load_config
from .model import model_parts, freeze_prefixes
from .model import preset as model_preset
from .probes import alignment
from .train import PRESET_TRAINING, TrainConfig, now, read_metrics, train, write_status

RESTRICTED_OPENING = [19, 18, 17]
TABLE = "transfer.csv"
ANSWERS = "answers.csv"  # answer_languages() of the final fine-tuned model
ANSWERS_SHIFTED = 0.5  # a language "answers in the fine-tuned language" from this share of its greedy next tokens
RESTORED = "restored.csv"  # restore_parts(): where in the weights fine-tuning's effect on each language sits
FINETUNED, PRETRAINED = "nothing (fine-tuned model)", "everything (pretrained model)"  # restore_parts' end rows
RESTORE_FALL = 0.05  # the report and the Transfer page say where the loss sits for languages that fell this much
AOT_FILE = "alignment_over_training.csv"  # in a checkpoint's analysis/ folder


@dataclass
class TransferConfig:
    finetune_language: int = 1
    preset: str = "small"
    pretrain_steps: int = 6000
    finetune_games: int = 25_600        # reference: 102,400
    finetune_epochs: int = 2            # reference: 4
    snapshots_per_epoch: int = 5
    batch_size: int = 64
    pretrain_lr: float = 1.5e-3
    finetune_lr: float = 5e-4
    eval_games: int = 100
    probe_layer: int | None = None      # default: the last layer
    probe_kind: str = "linear"
    probe_games: int = 300
    seed: int = 0
    freeze: list[str] | None = None     # model parts left as pretrained during fine-tuning (not the study's)
    dtype: str = "auto"                 # number format of both phases (TrainConfig.dtype)

    def __post_init__(self):
        self.check()

    def check(self) -> None:
        """ValueError, in one line naming the setting, for settings either phase cannot train with."""
        for k in ("pretrain_steps", "finetune_epochs", "snapshots_per_epoch", "batch_size", "eval_games", "probe_games"):
            if getattr(self, k) < 1:
                raise ValueError(f"{k} must be >= 1 (got {getattr(self, k)})")
        if self.finetune_games < self.batch_size:
            raise ValueError(f"finetune_games ({self.finetune_games}) must be at least the batch size ({self.batch_size})")
        for k in ("pretrain_lr", "finetune_lr"):
            if not (math.isfinite(getattr(self, k)) and getattr(self, k) >= 0):   # 0: that phase leaves the weights
                raise ValueError(f"{k} must be a number >= 0 (got {getattr(self, k)})")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "TransferConfig":
        unknown = set(d) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown transfer setting(s): {', '.join(sorted(unknown))}")
        return cls(**d)

    def pretrain_config(self) -> TrainConfig:
        base = PRESET_TRAINING.get(self.preset, {})
        return TrainConfig(preset=self.preset, games=None, steps=self.pretrain_steps, batch_size=self.batch_size,
                           lr=self.pretrain_lr, min_lr=self.pretrain_lr / 10, seed=self.seed, prefix=RESTRICTED_OPENING,
                           eval_games=self.eval_games, eval_every=max(1, self.pretrain_steps // 10),
                           checkpoint_every=base.get("checkpoint_every", 250), snapshots=[1.0], dtype=self.dtype)

    def finetune_config(self, init_from: Path) -> TrainConfig:
        n = self.finetune_epochs * self.snapshots_per_epoch
        steps = self.finetune_epochs * self.finetune_games // self.batch_size
        return TrainConfig(preset=self.preset, games=self.finetune_games, epochs=self.finetune_epochs,
                           batch_size=self.batch_size, lr=self.finetune_lr, min_lr=self.finetune_lr / 10,
                           warmup_steps=min(100, steps // 10), seed=self.seed + 1, languages=[self.finetune_language],
                           init_from=str(init_from), eval_games=self.eval_games, eval_every=max(1, steps // n),
                           checkpoint_every=max(1, steps // n), snapshots=[k / n for k in range(1, n + 1)],
                           freeze=self.freeze, dtype=self.dtype)


def _measure(ck: Checkpoint, tc: TransferConfig, snapshot: int, step: int, games: np.ndarray, device) -> list[dict]:
    cfg = ck.config
    rows = []
    acc = legal_move_accuracy(ck.model, ck.vocab, games, device=device)
    for lang, v in acc.items():
        rows.append({"snapshot": snapshot, "step": step, "language": lang, "metric": "legal_move_accuracy", "value": v})
    layer = ck.model.cfg.n_layer if tc.probe_layer is None else tc.probe_layer
    ft = cfg.language_index(tc.finetune_language)
    others = [li for li in cfg.input_languages if li != ft]
    if others:
        al = alignment(ck, layers=[layer], languages=[ft] + others, kind=tc.probe_kind, labels="relative",
                       n_train=tc.probe_games, n_test=100, n_fit=100, random_baseline=False, device=device)
        m = al.matrix[layer]
        for j, li in enumerate(others, start=1):
            rows.append({"snapshot": snapshot, "step": step, "language": cfg.languages[li].name,
                         "metric": "alignment_from_finetuned", "value": float(m[0, j])})
        rows.append({"snapshot": snapshot, "step": step, "language": cfg.languages[ft].name,
                     "metric": "probe_in_language", "value": float(m[0, 0])})
    return rows


def pretraining_mismatch(exp: ExperimentConfig, tc: TransferConfig, pretrained) -> str | None:
    """Why the folder `pretrained` cannot stand in for the pretraining `tc` would run for `exp`, in words;
    None when it can (a finished run of the same experiment with exactly those settings)."""
    src = Path(pretrained)
    try:
        if not (src / "status.json").is_file() or not (src / "train.json").is_file():
            return "not a training run (no status.json / train.json)"
        if storage.read_json(src / "status.json").get("state") != "finished":
            return "its training has not finished"
        if load_config(src / "experiment.toml").to_toml() != exp.to_toml():
            return "it was trained on another experiment"
        done = TrainConfig.from_dict(storage.read_json(src / "train.json")).to_dict()  # fills settings added since
    except (OSError, ValueError, TypeError) as e:
        return f"unreadable ({e})"
    if json.loads(json.dumps(done)) != json.loads(json.dumps(tc.pretrain_config().to_dict())):
        return "its settings differ from this run's pretraining (preset, pretrain steps, batch size, seed)"
    return None


def reuse_pretraining(exp: ExperimentConfig, tc: TransferConfig, pretrained, out) -> None:
    """Copy a finished pretraining (another transfer run's pretrain/ folder) into out/pretrain, so that
    fine-tuning variants (another language, learning rate or frozen parts) share one pretraining.
    ValueError (pretraining_mismatch) unless it is exactly the pretraining `tc` would run for `exp`."""
    src, dst = Path(pretrained), Path(out) / "pretrain"
    why = pretraining_mismatch(exp, tc, src)
    if why:
        raise ValueError(f"pretraining {src}: {why}")
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp, ignore=shutil.ignore_patterns("state"))  # finished: its resume state is not needed
    os.replace(tmp, dst)


def reusable_pretrainings(exp: ExperimentConfig, tc: TransferConfig, roots) -> list[Path]:
    """The pretrain/ folders of transfer runs under `roots` that can stand in for `tc`'s pretraining."""
    found = []
    for root in map(Path, roots):
        if root.is_dir():
            found += [p for p in sorted(root.glob("*/pretrain")) if pretraining_mismatch(exp, tc, p) is None]
    return found


def run_transfer(exp: ExperimentConfig, tc: TransferConfig, out, resume: bool = False, progress: bool = False,
                 pretrained=None) -> Path:
    """Pretrain (or copy the finished pretraining in `pretrained`), fine-tune and measure (see the module
    docstring); returns the run directory."""
    out = Path(out)
    exp.input_index(tc.finetune_language)  # the fine-tune language is one the model reads
    tc.check()   # the settings (changed since they were made, perhaps) and both phases' fail here, before any work
    tc.pretrain_config(), tc.finetune_config(out / "pretrain")
    if not resume and (out / "transfer.json").exists() and (out / "pretrain").exists():
        raise ValueError(f"{out} already holds a transfer run; use --resume")
    if tc.freeze:  # an unknown part fails here, before any work
        freeze_prefixes(tc.freeze, model_preset(tc.preset, 1, 1).n_layer)
    if pretrained is not None and not (out / "pretrain").exists():
        reuse_pretraining(exp, tc, pretrained, out)
    out.mkdir(parents=True, exist_ok=True)
    storage.write_text(out / "experiment.toml", exp.to_toml())
    storage.write_json(out / "transfer.json", tc.to_dict())
    pre_tc = tc.pretrain_config()
    n_snap = tc.finetune_epochs * tc.snapshots_per_epoch
    total = pre_tc.total_steps + tc.finetune_epochs * tc.finetune_games // tc.batch_size + n_snap + 1
    prev = storage.read_json(out / "status.json") if (out / "status.json").is_file() else {}
    write_status(out, state="running", step=prev.get("step", 0), total=total, pid=os.getpid(), kind="transfer",
                 started=prev.get("started") or now(), error=None, experiment=exp.name, phase="pretrain")
    try:
        def phase(name, sub_tc, offset):
            run = out / name
            st = storage.read_json(run / "status.json") if (run / "status.json").is_file() else {}
            if st.get("state") != "finished":
                train(exp, sub_tc, run, resume=True, progress=progress,
                      on_status=lambda s, t: write_status(out, step=offset + s, phase=name))
                st = storage.read_json(run / "status.json")
            return st.get("state")

        if phase("pretrain", pre_tc, 0) != "finished":
            write_status(out, state="cancelled")
            return out
        ft_tc = tc.finetune_config(out / "pretrain")
        if phase("finetune", ft_tc, pre_tc.total_steps) != "finished":
            write_status(out, state="cancelled")
            return out
        write_status(out, phase="measure")
        device = default_device()
        games = heldout_games(tc.eval_games, seed=tc.seed + 7)
        table_path = out / TABLE
        rows = pd.read_csv(table_path).to_dict("records") if table_path.is_file() else []
        done = {r["snapshot"] for r in rows}
        points = [(0, out / "pretrain")] + list_snapshots(out / "finetune")
        for k, (step, path) in enumerate(points):
            if k in done:
                continue
            ck = load_checkpoint(path, device=device)
            rows += _measure(ck, tc, k, step, games, device)
            storage.write_text(table_path, pd.DataFrame(rows).to_csv(index=False))
            write_status(out, step=total - len(points) + k + 1)
        if not (out / ANSWERS).is_file():
            store_answer_languages(out, device=device)
        if not (out / RESTORED).is_file():
            store_restored_parts(out, device=device)
        write_status(out, state="finished", step=total, phase="done", finished=now())
    except BaseException as e:
        write_status(out, state="failed", error=f"{type(e).__name__}: {e}".splitlines()[0])
        raise
    return out


def transfer_table(run) -> pd.DataFrame:
    """The tidy table of a transfer run (snapshot, step, language, metric, value), with the fine-tuned
    language marked (column `finetuned`)."""
    run = Path(run)
    path = run / TABLE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no transfer table yet")
    df = pd.read_csv(path)
    tc = TransferConfig.from_dict(json.loads((run / "transfer.json").read_text()))
    exp = load_config(run / "experiment.toml")
    df["finetuned"] = df["language"] == exp.languages[tc.finetune_language].name
    df["experiment"] = exp.name
    df["variant"] = variant_label(tc) or ""
    return df


def variant_label(tc: TransferConfig) -> str | None:
    """How a run departs from the study's protocol, in words ('block 1 attention frozen'), or None."""
    return f"{' and '.join(tc.freeze)} frozen" if tc.freeze else None


def scale_label(tc: TransferConfig, reference: TransferConfig) -> str | None:
    """How long a run pretrained, in words ('pretrained 12,000 steps'), when that differs from `reference`
    (the plain run it stands beside): the study's protocol at another scale, not a variant of it. None
    when they pretrain alike."""
    return f"pretrained {tc.pretrain_steps:,} steps" if tc.pretrain_steps != reference.pretrain_steps else None


def transfer_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Per run (column `label`; `run` names it): the fine-tuned language, its legal-move accuracy
    before/after fine-tuning, the other languages' mean before/after, the mean alignment from the
    fine-tuned language before/after, the gains, and the transfer ratio (others' gain / fine-tuned
    gain; NaN when the fine-tuned language itself gained under half a point)."""
    rows = []
    for label, d in df.groupby("label", sort=False):
        acc = d[d["metric"] == "legal_move_accuracy"]
        if acc.empty:
            continue
        first, last = acc["snapshot"].min(), acc["snapshot"].max()
        a0 = acc[acc["snapshot"] == first].set_index("language")["value"]
        a1 = acc[acc["snapshot"] == last].set_index("language")["value"]
        ft_rows = d.loc[d["finetuned"], "language"]
        ft = str(ft_rows.iloc[0]) if len(ft_rows) else "?"
        others = [x for x in a0.index if x != ft]
        al = d[d["metric"] == "alignment_from_finetuned"]
        rows.append({
            "run": label, "path": d["run"].iloc[0], "fine-tuned": ft,
            "fine-tuning steps": int(acc["step"].max()),
            "fine-tuned before": float(a0.get(ft, np.nan)), "fine-tuned after": float(a1.get(ft, np.nan)),
            "others before": float(a0[others].mean()) if others else np.nan,
            "others after": float(a1[others].mean()) if others else np.nan,
            "alignment before": float(al[al["snapshot"] == first]["value"].mean()) if len(al) else np.nan,
            "alignment after": float(al[al["snapshot"] == last]["value"].mean()) if len(al) else np.nan,
        })
    out = pd.DataFrame(rows)
    if not out.empty:
        out["fine-tuned gain"] = out["fine-tuned after"] - out["fine-tuned before"]
        out["others gain"] = out["others after"] - out["others before"]
        ft_gain = out["fine-tuned gain"].where(out["fine-tuned gain"] > 0.005)
        out["transfer ratio"] = out["others gain"] / ft_gain
    return out


def per_language_transfer(df: pd.DataFrame, finetuned: str) -> dict[str, tuple[float, float]]:
    """One run's table: {language not fine-tuned: (legal-move accuracy before, after fine-tuning)}
    (the others' mean in transfer_summary can hide one rising and another falling)."""
    acc = df[df["metric"] == "legal_move_accuracy"]
    first, last = (acc[acc["snapshot"] == x].set_index("language")["value"]
                   for x in (acc["snapshot"].min(), acc["snapshot"].max()))
    return {lang: (float(first[lang]), float(last.get(lang, np.nan))) for lang in first.index if lang != finetuned}


def best_snapshot(df: pd.DataFrame, finetuned: str) -> dict | None:
    """One run's table: the fine-tuning snapshot (after the pretrained one) where the languages not
    fine-tuned stand highest on average, {step, others gain, fine-tuned gain, transfer ratio} (gains
    from the pretrained model; the ratio NaN when the fine-tuned language gained under half a point
    there). The transfer ratio of the study is read at the last snapshot: this says whether transfer
    came and went along the way. None without a snapshot after the first or another language."""
    acc = df[df["metric"] == "legal_move_accuracy"].pivot_table(index="step", columns="language", values="value")
    others = [c for c in acc.columns if c != finetuned]
    if len(acc) < 2 or not others or finetuned not in acc.columns:
        return None
    gain = acc[others].mean(axis=1) - acc[others].iloc[0].mean()
    step = gain.iloc[1:].idxmax()
    ft_gain = float(acc.loc[step, finetuned] - acc[finetuned].iloc[0])
    return {"step": int(step), "others gain": float(gain[step]), "fine-tuned gain": ft_gain,
            "transfer ratio": float(gain[step]) / ft_gain if ft_gain > 0.005 else float("nan")}


def gave_back(best: dict | None, end_gain: float, last_step: int) -> bool:
    """Whether the others' best fine-tuning snapshot (best_snapshot) was a rise, over half a point above the
    pretrained model, that the end of fine-tuning (step `last_step`, the others' gain `end_gain` there) gave back
    by a point or more. A fall that was smaller part-way is no rise given back."""
    return (best is not None and best["step"] < last_step and best["others gain"] > 0.005
            and best["others gain"] - end_gain >= 0.01)


def answer_languages(run, device=None) -> pd.DataFrame | None:
    """Which language the final fine-tuned model answers in, for each language NOT fine-tuned, on the
    run's own evaluation games: the share of its greedy next tokens that are tokens of the fine-tuned
    language and of its own language, its legal-move accuracy (the table's last measurement), and its
    legal-move accuracy when the greedy choice is limited to its own tokens (does it still know the
    moves?). None under unified output (every language answers in the one output language) or when
    the run has no final fine-tuned model."""
    run = Path(run)
    exp, tc = load_transfer_run(run)
    if exp.unified_output or not (run / "finetune" / "model.safetensors").is_file():
        return None
    device = device or default_device()
    ck = load_checkpoint(run / "finetune", device=device)
    games = heldout_games(tc.eval_games, seed=tc.seed + 7)
    ft = exp.language_index(tc.finetune_language)
    ft_name = exp.languages[ft].name
    rows = []
    for li in exp.input_languages:
        if li == ft:
            continue
        name = exp.languages[li].name
        shares = output_token_shares(ck.model, ck.vocab, games, li, device=device)
        rows.append({"language": name, "fine-tuned": ft_name,
                     "answers in fine-tuned language": shares[ft_name], "answers in own language": shares[name],
                     "legal": legal_move_accuracy(ck.model, ck.vocab, games, [li], device=device)[name],
                     "legal among own tokens": legal_move_accuracy(ck.model, ck.vocab, games, [li], device=device,
                                                                   own_tokens_only=True)[name]})
    return pd.DataFrame(rows)


def _store_table(run, name: str, df: pd.DataFrame | None) -> pd.DataFrame | None:
    """df written to the run as `name` (atomically) when there is one; df returned."""
    if df is not None:
        storage.write_text(Path(run) / name, df.to_csv(index=False))
    return df


def _stored_table(run, name: str) -> pd.DataFrame | None:
    path = Path(run) / name
    return pd.read_csv(path) if path.is_file() else None


def store_answer_languages(run, device=None) -> pd.DataFrame | None:
    """answer_languages(run), written to the run as answers.csv when there is one."""
    return _store_table(run, ANSWERS, answer_languages(run, device=device))


def stored_answer_languages(run) -> pd.DataFrame | None:
    return _stored_table(run, ANSWERS)


def restore_parts(run, device=None) -> pd.DataFrame | None:
    """Where fine-tuning's effect on each language sits: the final fine-tuned model with ONE part of its
    weights (model_parts) put back to the pretrained model's, and every input language's legal-move
    accuracy on the run's evaluation games. Rows (restored, language, legal_move_accuracy); the first
    and last parts, FINETUNED and PRETRAINED, restore nothing and everything, so they repeat the
    table's first and last measurements. A part whose restoring brings a language that fell back up
    carries that loss; one that costs the fine-tuned language its gain carries the gain. None when the
    run lacks its pretrained or fine-tuned weights (a shipped run keeps only the fine-tuned model)."""
    run = Path(run)
    exp, tc = load_transfer_run(run)
    if not all((run / x / "model.safetensors").is_file() for x in ("pretrain", "finetune")):
        return None
    device = device or default_device()
    pre = load_checkpoint(run / "pretrain", device=device)
    ck = load_checkpoint(run / "finetune", device=device)
    before, after = pre.model.state_dict(), {k: v.clone() for k, v in ck.model.state_dict().items()}
    if before.keys() != after.keys():
        raise ValueError(f"{run}: the pretrained and fine-tuned models have different weights")
    games = heldout_games(tc.eval_games, seed=tc.seed + 7)
    parts = {FINETUNED: (), **model_parts(ck.model.cfg.n_layer), PRETRAINED: ("",)}
    rows = []
    for part, prefixes in parts.items():
        ck.model.load_state_dict({k: before[k] if k.startswith(prefixes) else v for k, v in after.items()})
        for lang, v in legal_move_accuracy(ck.model, ck.vocab, games, device=device).items():
            rows.append({"restored": part, "language": lang, "legal_move_accuracy": v})
    return pd.DataFrame(rows)


def store_restored_parts(run, device=None) -> pd.DataFrame | None:
    """restore_parts(run), written to the run as restored.csv when there is one."""
    return _store_table(run, RESTORED, restore_parts(run, device=device))


def restored_summary(df: pd.DataFrame, finetuned: str) -> list[dict]:
    """restore_parts' table read per language NOT fine-tuned: its accuracy before (pretrained) and after
    (fine-tuned), the one part whose restoring brings it highest (`part`, `with part`), the fine-tuned
    language's accuracy with that part restored (`finetuned with part`), and `recovered`: the share of
    its change since pretraining that restoring the part undoes (1 = the part carries it all)."""
    acc = df.pivot_table(index="restored", columns="language", values="legal_move_accuracy", sort=False)
    parts = [p for p in acc.index if p not in (FINETUNED, PRETRAINED)]
    out = []
    for lang in acc.columns:
        if lang == finetuned or not parts:
            continue
        before, after = float(acc.loc[PRETRAINED, lang]), float(acc.loc[FINETUNED, lang])
        best = max(parts, key=lambda p: acc.loc[p, lang])
        with_part = float(acc.loc[best, lang])
        change = before - after
        out.append({"language": lang, "before": before, "after": after, "part": best, "with part": with_part,
                    "finetuned with part": float(acc.loc[best, finetuned]) if finetuned in acc else np.nan,
                    "finetuned after": float(acc.loc[FINETUNED, finetuned]) if finetuned in acc else np.nan,
                    "recovered": (with_part - after) / change if abs(change) > 1e-9 else np.nan})
    return out


def stored_restored_parts(run) -> pd.DataFrame | None:
    return _stored_table(run, RESTORED)


def load_transfer_run(run) -> tuple[ExperimentConfig, TransferConfig]:
    run = Path(run)
    if not (run / "transfer.json").is_file():
        raise ValueError(f"{run}: not a transfer run (no transfer.json)")
    return load_config(run / "experiment.toml"), TransferConfig.from_dict(storage.read_json(run / "transfer.json"))


def alignment_over_training(ck_path, layer: int | None = None, kind: str = "linear", labels: str = "relative",
                            n_train: int = 500, progress=None, device=None) -> pd.DataFrame:
    """The alignment metric at every snapshot of a training run (and the final model): a table with
    step, metric (cross_lingual, in_language, aligned_rotation, colour_cross, colour_in), value."""
    points = list_snapshots(ck_path)
    final = load_checkpoint(ck_path, device=device or default_device())
    if not points or points[-1][0] != final.step:
        points.append((final.step, Path(ck_path)))
    rows = []
    report = progress or (lambda f, m: None)
    for k, (step, path) in enumerate(points):
        report(k / len(points), f"snapshot at step {step}")
        ck = load_checkpoint(path, device=device or default_device())
        x = ck.model.cfg.n_layer if layer is None else layer
        al = alignment(ck, layers=[x], kind=kind, labels=labels, n_train=n_train, n_test=100, n_fit=200,
                       random_baseline=False, device=device)
        acc = ck.metrics.get("legal_move_accuracy", {})
        for metric, value in (("cross_lingual", al.mean_cross(x)), ("in_language", al.mean_diag(x)),
                              ("aligned_rotation", al.mean_cross(x, aligned=True)),
                              ("colour_cross", al.mean_cross(x, colour=True)),
                              ("colour_in", al.mean_diag(x, colour=True)),
                              ("legal_move_accuracy", float(np.mean(list(acc.values()))) if acc else np.nan)):
            rows.append({"step": step, "layer": x, "metric": metric, "value": value})
    report(1.0, "done")
    return pd.DataFrame(rows)


def aot_path(ck_path) -> Path:
    return Path(ck_path) / "analysis" / AOT_FILE


def stored_alignment_over_training(ck_path, layer: int, n_train: int) -> pd.DataFrame | None:
    """The stored alignment-over-training rows for these settings and the checkpoint's current
    weights, or None."""
    p = aot_path(ck_path)
    if not p.is_file():
        return None
    try:
        df = pd.read_csv(p)
        sha = read_meta(ck_path)["weights_sha256"][:16]
        df = df[(df["layer"] == layer) & (df["n_train"] == n_train) & (df["weights"] == sha)]
    except (OSError, ValueError, KeyError):
        return None
    return df if not df.empty else None


def store_alignment_over_training(ck_path, df: pd.DataFrame, layer: int, n_train: int) -> Path | None:
    """Keep the rows beside the checkpoint (replacing older rows for the same settings); None when
    the folder is not writable."""
    sha = read_meta(ck_path)["weights_sha256"][:16]
    df = df.assign(n_train=n_train, weights=sha)
    out = aot_path(ck_path)
    try:
        old = pd.read_csv(out) if out.is_file() else pd.DataFrame()
        if not old.empty:
            keep = ~((old["layer"] == layer) & (old["n_train"] == n_train)) & (old["weights"] == sha)
            old = old[keep]
        out.parent.mkdir(parents=True, exist_ok=True)
        storage.write_text(out, pd.concat([old, df], ignore_index=True).to_csv(index=False))
        return out
    except (OSError, ValueError, KeyError):
        return None


def load_or_compute_alignment_over_training(ck_path, layer: int | None = None, n_train: int = 500,
                                            progress=None, device=None) -> pd.DataFrame:
    """Stored rows if present, else compute (alignment_over_training) and store them."""
    if layer is None:
        layer = int(read_meta(ck_path)["model"]["n_layer"])
    df = stored_alignment_over_training(ck_path, layer, n_train)
    if df is None:
        df = alignment_over_training(ck_path, layer=layer, n_train=n_train, progress=progress, device=device)
        store_alignment_over_training(ck_path, df, layer, n_train)
    return df


def metrics_table(run) -> pd.DataFrame:
    """metrics.jsonl of a training run as a long table (step, metric, language, value)."""
    rows = []
    for r in read_metrics(Path(run)):
        for k in ("train_loss", "val_loss"):
            if r.get(k) is not None:
                rows.append({"step": r["step"], "metric": k, "language": "", "value": r[k]})
        for lang, v in (r.get("legal_move_accuracy") or {}).items():
            rows.append({"step": r["step"], "metric": "legal_move_accuracy", "language": lang, "value": v})
    return pd.DataFrame(rows, columns=["step", "metric", "language", "value"])
