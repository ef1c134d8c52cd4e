"""The findings report (FINDINGS.md): the study's four findings measured on the shipped suite.

numbers.collect() reads every number from checkpoints/ alone (the shipped models' recorded metrics and
stored analyses, which tests/test_shipped.py checks against the weights); verdicts.verdicts() applies
the rules fixed before the models were trained; document.render() writes the Markdown. The figures are
made by the app's own chart code (mothello/ui/report.py, `make findings`).

One module per part of the report:
- numbers: collect() and its readers (models, transfer runs and their side runs, sweep, recorded trials)
- verdicts: the four claims, their rules and verdicts()
- document: render() and the report's opening, ordering and per-finding notes
- transfer_notes: the transfer experiment's tables and sentences
- training: how the suite was trained (stages, restarts, GPU stages, the pace to the colour target)
- trials/: a module per trial (the paper preset; depth, width, objective, carried further, depth ladder,
  depth or size, depth under each objective, the shipped model trained on, learning rate, batch, weight decay,
  the deeper recipe on another model, pooling), beside runs (which recorded runs make each trial) and tables (what their sections share)
- digest: the trials at a glance (one row per trial after as many games, what lifted the colour and what did not)
- pace: the colour probe against the games seen
- text: how numbers and tables are written
"""

from .digest import digest_frame, digest_rows, digest_section, highest
from .document import (FIGURES, MANY_TITLE, matched_ordering, measured_notes, models_table, ordering, render, sweep_note,
                       sweep_rows)
from .numbers import (DEPTH_RUNS, MODELS, PAPER_RUNS, WIDTH_RUNS, collect, depth_runs, longer_numbers, paper_runs,
                      restart_dips, sweep_numbers, training_hours, variant_numbers, width_runs)
from .pace import colour_at_games, colour_per_doubling, log_interpolate, model_games, to_target
from .text import markdown_table, millions, pct, pts
from .training import (PLACER_ROW, colour_by_move_frame, colour_by_move_table, gpu_stages, gpu_text, how_trained,
                       on_gpu, probe_games_lines, restart_table, stage_gains, stage_notes, stages_text)
from .transfer_notes import (answer_notes, longer_notes, longer_rows, longer_trend, restore_notes, transfer_rows,
                             variant_notes, variant_rows)
from .trials import (batch_by_games, batch_runs, batch_section, carried_stages, colour_by_games, decay_by_games,
                     decay_runs, decay_section, depth_section, kept_by_decay,
                     further_by_games, further_runs, further_section, ladder_by_games, ladder_runs, ladder_section,
                     lr_by_games, lr_section, narrow_by_games, narrow_beside, narrow_runs,
                     narrow_section, narrow_speeds, next_token_depth_by_games, next_token_depth_exact,
                     next_token_depth_ladder,
                     next_token_depth_runs, next_token_depth_section, objective_by_games, objective_section, other_model_by_games,
                     other_model_runs, other_model_section, paper_section, pooling_by_games,
                     pooling_section, stage_peak, trained_on_by_games, trained_on_section, width_by_games,
                     width_section)
from .verdicts import CLAIMS, COLOUR_TARGET, RULES, TARGET, verdicts

__all__ = [
    "CLAIMS", "COLOUR_TARGET", "DEPTH_RUNS", "FIGURES", "MANY_TITLE", "MODELS", "PAPER_RUNS", "RULES", "WIDTH_RUNS", "answer_notes",
    "batch_by_games", "batch_runs", "batch_section",
    "PLACER_ROW", "carried_stages", "collect", "colour_at_games", "colour_by_games", "colour_by_move_frame",
    "colour_by_move_table", "colour_per_doubling", "decay_by_games", "decay_runs", "decay_section", "depth_runs", "kept_by_decay",
    "depth_section", "digest_frame", "digest_rows", "digest_section", "highest", "further_by_games", "further_runs", "further_section", "gpu_stages", "gpu_text", "how_trained",
    "ladder_by_games", "ladder_runs", "ladder_section", "log_interpolate", "longer_notes", "longer_numbers",
    "longer_rows", "longer_trend", "lr_by_games", "lr_section", "markdown_table", "matched_ordering", "measured_notes", "millions",
    "narrow_beside", "narrow_by_games", "narrow_runs", "narrow_section", "narrow_speeds",
    "next_token_depth_by_games", "next_token_depth_exact", "next_token_depth_ladder", "next_token_depth_runs", "next_token_depth_section",
    "model_games", "models_table", "objective_by_games", "objective_section", "on_gpu", "other_model_by_games",
    "other_model_runs", "other_model_section", "ordering", "paper_runs",
    "paper_section", "pooling_by_games", "pooling_section", "pct", "probe_games_lines", "pts", "render",
    "restart_dips", "restart_table", "restore_notes", "stage_gains", "stage_peak", "stage_notes", "stages_text", "sweep_note",
    "sweep_numbers", "sweep_rows", "TARGET", "to_target",
    "trained_on_by_games", "trained_on_section", "training_hours", "transfer_rows", "variant_notes", "variant_numbers", "variant_rows", "verdicts",
    "width_by_games", "width_runs", "width_section",
]
