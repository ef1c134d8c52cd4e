"""Helpers for the analysis tests (activations, probes, projection, interventions, CLI): small
checkpoints built without training, and the two-language "copy" config (every playable square
anchored, so both languages write every game with the same tokens)."""

from __future__ import annotations

from pathlib import Path

import torch

from conftest import CONFIGS
from mothello.checkpoints import load_checkpoint, save_checkpoint
from mothello.languages import ExperimentConfig, Vocabulary, load_config
from mothello.model import GPT, preset
from mothello.othello import PLAYABLE, square_name


def copy_config() -> ExperimentConfig:
    """Two atomic languages sharing ALL 60 playable squares in one anchor group: literal copies."""
    return ExperimentConfig.from_dict({
        "name": "copies", "seed": 1,
        "languages": [{"type": "atomic", "name": "A"}, {"type": "atomic", "name": "B"}],
        "anchors": [{"squares": [square_name(s) for s in PLAYABLE], "languages": [0, 1]}],
    })


def config(name: str) -> ExperimentConfig:
    return load_config(CONFIGS / f"{name}.toml")


def untrained_checkpoint(cfg: ExperimentConfig, path, seed: int = 0, size: str = "tiny"):
    """A randomly initialised model of `cfg`, written as a real checkpoint folder and loaded back
    (so it has a real weights SHA-256, as the caches key on it)."""
    vocab = Vocabulary.build(cfg)
    torch.manual_seed(seed)
    model = GPT(preset(size, vocab.size, vocab.context_length))
    save_checkpoint(Path(path), model, vocab, training={"note": f"untrained, seed {seed}"}, step=0)
    return load_checkpoint(path)
