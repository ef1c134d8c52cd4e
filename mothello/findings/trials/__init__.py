"""The trials beside the suite, shipped as numbers only: the `paper` preset on a GPU, and whether the
colour target is a matter of depth (grown deeper, deeper from scratch), of width, or of the noise of the
next-token target (from scratch, carried further, and the shipped model trained on), of the learning rate, of
the batch or of the weight decay; whether the depth sets where the colour levels off (the depth ladder), and
whether the objective lets the depth count (the depth under the sampled move); whether the deeper recipe holds
for another model; whether the languages share their games.

One module per trial (paper, depth, width, objective, further, ladder, narrow, depth_objective, trained_on,
rate, batch, decay, other_model, pooling), beside runs (which recorded runs make each trial) and tables
(what their sections share). Their underscore-named helpers are this package's own, shared by its modules and the
findings digest: not part of the public API (the names below)."""

from __future__ import annotations

from .runs import (DEPTH_MARGIN, POOLING_REFERENCE, batch_runs, carried_stages, decay_runs, depth_no_faster, further_runs,
                   grown_pace, ladder_runs, lr_runs, narrow_beside, narrow_runs, next_token_depth_exact,
                   next_token_depth_ladder, next_token_depth_runs, objective_longer, pooling_runs, stage_peak)
from .paper import paper_section
from .depth import SILENT_SHARE, colour_by_games, depth_section
from .width import width_by_games, width_section
from .objective import objective_by_games, objective_section
from .further import GENTLER_MARGIN, SHIPPED_RUN, further_by_games, further_section
from .ladder import LEVEL_PACE, ladder_by_games, ladder_lifted, ladder_section
from .narrow import narrow_by_games, narrow_section, narrow_speeds
from .depth_objective import next_token_depth_by_games, next_token_depth_section
from .trained_on import trained_on_by_games, trained_on_section
from .rate import lr_by_games, lr_section
from .batch import batch_by_games, batch_section
from .decay import decay_by_games, decay_section, kept_by_decay
from .other_model import other_model_against_shipped, other_model_by_games, other_model_runs, other_model_section
from .pooling import pooling_by_games, pooling_commands, pooling_section

__all__ = ["DEPTH_MARGIN", "GENTLER_MARGIN", "LEVEL_PACE", "POOLING_REFERENCE", "SHIPPED_RUN", "SILENT_SHARE",
           "batch_by_games", "batch_runs", "batch_section", "carried_stages", "colour_by_games", "decay_by_games",
           "decay_runs", "decay_section", "depth_no_faster", "kept_by_decay",
           "depth_section", "further_by_games", "further_runs", "further_section", "grown_pace", "ladder_by_games",
           "ladder_lifted", "ladder_runs", "ladder_section", "lr_by_games", "lr_runs", "lr_section", "narrow_beside",
           "narrow_by_games", "narrow_runs", "narrow_section", "narrow_speeds", "next_token_depth_by_games",
           "next_token_depth_exact", "next_token_depth_ladder", "next_token_depth_runs", "next_token_depth_section",
           "objective_by_games", "objective_longer", "objective_section", "other_model_against_shipped",
           "other_model_by_games", "other_model_runs", "other_model_section", "paper_section", "pooling_by_games",
           "pooling_commands", "pooling_runs", "pooling_section", "stage_peak", "trained_on_by_games",
           "trained_on_section", "width_by_games", "width_section"]
