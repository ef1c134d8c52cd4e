"""FINDINGS.md and its figures, drawn by the app's own chart code from the shipped checkpoints.

    python -m mothello.ui.report        (= make findings)

writes docs/findings/*.svg + *.png (the same charts the Alignment, Transfer and Tour pages show and
export) and FINDINGS.md (numbers and verdicts from mothello.findings). Reads only stored analyses: a
checkpoint without its stored alignment is listed without figures, nothing is trained or recomputed.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import altair as alt
import pandas as pd

from .. import storage
from ..checkpoints import checkpoints_dir, load_checkpoint
from ..findings import (FIGURES, MANY_TITLE, MODELS, batch_by_games, collect, colour_by_games, decay_by_games,
                        colour_by_move_frame, digest_frame,
                        further_by_games, ladder_by_games,
                        longer_numbers, lr_by_games, narrow_by_games, next_token_depth_by_games, other_model_by_games,
                        objective_by_games, pooling_by_games, render,
                        sweep_numbers, trained_on_by_games, variant_numbers, width_by_games)
from ..probes import load_alignment
from ..suite import AOT_GAMES
from ..sweep import when as sweep_when
from ..transfer import TABLE, stored_alignment_over_training

ROOT = Path(__file__).resolve().parents[2]


def _save(chart, out: Path, name: str) -> str:
    import vl_convert as vlc

    from .charts import finish

    spec = finish(chart).to_json()  # the app's house style, as its export buttons give it
    storage.write_text(out / f"{name}.svg", vlc.vegalite_to_svg(spec))
    storage.write_bytes(out / f"{name}.png", vlc.vegalite_to_png(spec, scale=2))
    return f"{out.relative_to(ROOT).as_posix()}/{name}.png" if out.is_relative_to(ROOT) else str(out / f"{name}.png")


def figures(out: Path, root: Path | None = None, numbers: dict | None = None) -> dict[str, str]:
    """{key: path of the PNG} for what the shipped checkpoints allow (keys as findings.render expects);
    numbers: findings.collect(root), when the caller has it."""
    from . import analysis_views as av
    from . import alignment_views as alv
    from . import transfer_views as tv

    root = Path(root or checkpoints_dir())
    results, paths = {}, {}
    for role in ("naive", "anchors", "unified"):
        path = root / MODELS[role]
        if not path.is_dir():
            continue
        ck = load_checkpoint(path)
        res = load_alignment(ck, "linear", "relative", 1000)
        if res is not None:
            results[MODELS[role]] = (res, res.best_layer())
            paths[MODELS[role]] = path
    figs = {}
    if results:
        chart, _ = alv.heatmaps_side_by_side(results)
        figs["matrices"] = _save(chart.properties(title="Probe trained on A, reading B (same games)"), out,
                                 "alignment-matrices")
        chart, _ = alv.cross_by_layer({name: res for name, (res, _) in results.items()})
        figs["layers"] = _save(chart, out, "cross-lingual-by-layer")
    named = {"anchors": {"layer": results[MODELS["anchors"]][1]}} if MODELS["anchors"] in results else {}
    sw = sweep_numbers(root, named)
    if sw:
        wide = pd.DataFrame(sw["rows"])
        chart, _ = av.sweep_chart(wide, "", 560, 300, mark=8)
        title = alt.Title(f"Anchor sweep: mean probe accuracy at layer {sw['layer']}, {sweep_when(sw)}",
                          anchor="start",
                          subtitle="grey band: the study's reference configuration (8 squares, anchors-8)")
        figs["sweep"] = _save(chart.properties(title=title), out, "anchor-sweep")
    many = root / MODELS["many"]
    if many.is_dir():
        ck = load_checkpoint(many)
        res = load_alignment(ck, "linear", "relative", 1000)
        if res is not None:
            chart, _ = alv.heatmaps_side_by_side({MODELS["many"]: (res, res.best_layer())}, size=420)
            figs["many"] = _save(chart.properties(title=MANY_TITLE),
                                 out, "alignment-matrix-many")
    transfers = [str(root / f"transfer-{MODELS[r]}") for r in ("naive", "anchors", "unified")
                 if (root / f"transfer-{MODELS[r]}" / TABLE).is_file()]
    if transfers:
        df, _ = tv.transfer_frames(transfers)
        if not df.empty:
            chart, _ = tv.transfer_chart(df)
            figs["transfer"] = _save(chart, out, "transfer")
    for name, v in variant_numbers(root).items():  # the FINDINGS table shows the first variant's figure
        df, _ = tv.transfer_frames([str(root / v["base"]), str(root / name)])
        if not df.empty and "variant" not in figs:
            chart, _ = tv.transfer_chart(df, by="experiment", width=620)
            figs["variant"] = _save(chart, out, name)
    longer = longer_numbers(root)
    if longer:  # the first plain run that has longer pretrainings, overlaid with all of them
        base = next(iter(longer.values()))["base"]
        names = [n for n, v in longer.items() if v["base"] == base]
        df, _ = tv.transfer_frames([str(root / base)] + [str(root / n) for n in names])
        if not df.empty:
            chart, _ = tv.transfer_chart(df, by="experiment", width=620)
            figs["longer"] = _save(chart, out, f"{base}-pretraining")
    numbers = numbers if numbers is not None else collect(root)
    from . import charts, theme

    along = colour_by_move_frame(numbers)
    if len(along):
        title = alt.Title("Where along a game the colour is lost", anchor="start",
                          subtitle="each model's in-language linear probe at its best layer, by the move the board follows")
        chart = charts.colour_along_game_chart(along, theme.EXPERIMENT_COLOURS, title, width=420, height=260, legend="right")
        figs["colour-by-move"] = _save(chart, out, "colour-by-move")
    placer = (numbers.get("placer") or {}).get("colour")
    # the trials' figures: key (as render reads it), the frame drawn (from collect's numbers), the chart that
    # draws it, the file, and whether the chart draws the placer baseline (the colour of ignoring every flip)
    trials = (("digest", digest_frame, charts.digest_chart, "trials-at-a-glance", False),
              ("depth", colour_by_games, charts.colour_by_games_chart, "colour-by-games", False),
              ("width", width_by_games, charts.width_trial_chart, "width-trial", True),
              ("objective", objective_by_games, charts.objective_trial_chart, "objective-trial", True),
              ("further", further_by_games, charts.further_chart, "exact-target-further", True),
              ("ladder", ladder_by_games, charts.ladder_chart, "depth-ladder", True),
              ("narrow", narrow_by_games, charts.narrow_chart, "deeper-narrower", True),
              ("depth-objective", next_token_depth_by_games, charts.next_token_depth_chart, "depth-objective", True),
              ("trained-on", trained_on_by_games, charts.trained_on_chart, "trained-on-trial", False),
              ("lr", lr_by_games, charts.lr_trial_chart, "lr-trial", True),
              ("batch", batch_by_games, charts.batch_trial_chart, "batch-trial", True),
              ("decay", decay_by_games, charts.decay_trial_chart, "decay-trial", True),
              ("other-model", other_model_by_games, charts.other_model_chart, "other-model-trial", True),
              ("pooling", pooling_by_games, charts.pooling_chart, "pooling-trial", True))
    for key, frame, draw, name, draws_placer in trials:
        df = frame(numbers)
        if len(df):
            figs[key] = _save(draw(df, placer=placer) if draws_placer else draw(df), out, name)
    if many.is_dir():
        paths[MODELS["many"]] = many
    for name in MODELS.values():
        if name in paths:
            n_layer = load_checkpoint(paths[name]).model.cfg.n_layer
            df = stored_alignment_over_training(paths[name], n_layer, AOT_GAMES)
            if df is not None:
                chart, _ = alv.alignment_over_training_chart(df, stages=alv.stage_starts(paths[name]))
                title = f"{name}: alignment over training (layer {n_layer}, probes on {AOT_GAMES} games)"
                figs[f"training-{name}"] = _save(chart.properties(title=title), out, f"alignment-over-training-{name}")
    return figs


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m mothello.ui.report", description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "FINDINGS.md"))
    ap.add_argument("--figures", default=str(ROOT / FIGURES))
    args = ap.parse_args(argv)
    # the app's cached chart helpers run outside `streamlit run` here, which Streamlit warns about at each call
    for name in ("scriptrunner_utils.script_run_context", "state.session_state_proxy", "caching.cache_data_api"):
        logging.getLogger(f"streamlit.runtime.{name}").setLevel(logging.ERROR)
    numbers = collect()
    figs = figures(Path(args.figures), numbers=numbers)
    storage.write_text(Path(args.out), render(numbers, figs))
    print(f"wrote {args.out} and {len(figs)} figure(s) under {args.figures}")


if __name__ == "__main__":
    main()
