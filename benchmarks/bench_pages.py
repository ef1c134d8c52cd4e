"""Dashboard speed: every number next to a straightforward baseline measured in the same run.

  pages  First render of each of the 9 pages in a real browser (headless Chromium driven by Playwright,
         as tests/browser), after the model's first load, each page opened from the sidebar as a user
         does: "first" on a fresh server, with what an earlier session stored beside the checkpoint and
         in the cache (the target, < 3 s), against "cold", a fresh server on empty caches (one-time work
         such as training the Probe boards' probes or the first UMAP included: the baseline). Also each
         page again, and opened in a new browser tab (the app's code from the browser's cache).
  click  A click on the Play board answered in the browser: from the click until the move is on the
         board, the model's new probabilities are shown and the script run has finished. Ours (the app)
         against a baseline server running the same page with the straightforward pieces: one forward
         pass per candidate move, the board built through Altair on every click, and Streamlit's full
         garbage collection after every run (app.py's widgets.settle_memory left out). Also the two
         pieces alone, on the backend. Target < 300 ms on CPU.
  umap   The Representations page's UMAP of 6,000 points (50 held-out games x 2 languages, last layer),
         each in a fresh process: ours (exact neighbours, cached kernels, disk-cached result) against
         umap-learn with its default settings; then again (ours: the cached result; the baseline
         recomputes). Target < 20 s the first time, instant after.

    python benchmarks/bench_pages.py [--checkpoint checkpoints/naive-2] [--only pages,click,umap] [--clicks 12]

The checkpoint is copied into a temporary registry with its stored analysis (nothing is written beside
the original); MOTHELLO_FAST is not set, so pages use the study's sizes. Without /usr/bin/chromium the
browser measurements are skipped (said so), the others still run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _p in (ROOT, ROOT / "tests"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

PAGES = ["home", "checkpoints", "play", "probe_boards", "alignment", "representations", "transfer", "train", "tour"]
PAGE_TARGET_S, CLICK_TARGET_S, UMAP_TARGET_S = 3.0, 0.3, 20.0


# -- the straightforward pieces (the click baseline) ----------------------------------------------
def per_candidate_probabilities(model, vocab, tokens, language: int, hooks=None):
    """(64,) next-move probabilities as evaluate.move_probabilities defines them (a move's tokens up to
    the first one no other move shares), the straightforward way: one forward pass per candidate move,
    over the context extended by that move's tokens."""
    import numpy as np
    import torch

    out = 0 if vocab.config.unified_output else int(language)
    seqs = [tuple(int(t) for t in vocab.tokens[out, s, :vocab.lengths[out, s]]) for s in range(64)]
    shared = Counter(seq[:j] for seq in seqs for j in range(1, len(seq)))
    T = tokens.shape[1]
    room = model.cfg.context_length - T
    result = np.zeros(64)
    for s, seq in enumerate(seqs):
        if not seq:
            continue
        n = 1  # tokens that decide this move
        while n < len(seq) and shared[seq[:n]] > 1 and n <= room:
            n += 1
        x = torch.cat([tokens[0], torch.as_tensor(seq[:n - 1], dtype=tokens.dtype, device=tokens.device)])[None]
        probs = torch.softmax(model(x, hooks=hooks)[0, T - 1:T - 1 + n].double(), -1)
        result[s] = float(np.prod([probs[j, seq[j]].item() for j in range(n)]))
    return result


def install_baseline() -> None:
    """Swap the Play page's fast pieces for the straightforward ones (the baseline server runs this)."""
    from mothello import evaluate
    from mothello.ui import board

    evaluate.move_probabilities = per_candidate_probabilities
    board.board_spec = lambda *a, **kw: board.board_chart(*a, **kw).to_dict()


# The baseline server's app: the Play page alone (the layout app.py gives it), with the straightforward
# pieces, and Streamlit's defaults otherwise (a full garbage collection after every run: app.py's
# widgets.settle_memory is left out too).
BASELINE_APP = """import sys
sys.path[:0] = [{root!r}, {bench!r}]
import runpy
import streamlit as st
import bench_pages
st.set_page_config(layout="wide")
bench_pages.install_baseline()
runpy.run_path({play!r}, run_name="__main__")
"""


# -- helpers ----------------------------------------------------------------------------------------
def registry(checkpoint: Path, base: Path) -> dict:
    """A temporary registry holding a copy of the checkpoint; the environment that points to it."""
    dirs = {k: base / k for k in ("checkpoints", "runs", "cache")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    dest = dirs["checkpoints"] / checkpoint.name
    if not dest.exists():
        shutil.copytree(checkpoint, dest, ignore=shutil.ignore_patterns("state"))
    env = {"MOTHELLO_CHECKPOINTS": dirs["checkpoints"], "MOTHELLO_RUNS": dirs["runs"], "MOTHELLO_CACHE": dirs["cache"],
           "MOTHELLO_FAST": ""}
    return {k: str(v) for k, v in env.items()}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def row(what: str, ours: float | None, base: float | None, target: float | None, note: str = "") -> None:
    ratio = f"{base / ours:,.1f}x" if ours and base else ""
    verdict = "" if target is None or ours is None else ("meets" if ours < target else "MISSES") + f" < {ms(target)}"
    print(f"{what:<44} {ms(ours) if ours is not None else '-':>11} {ms(base) if base is not None else '-':>11} "
          f"{ratio:>8}  {verdict:<18} {note}")


def header(title: str, ours: str, base: str) -> None:
    print(f"\n== {title}")
    print(f"{'':<44} {ours:>11} {base:>11} {'ratio':>8}  target")


# -- pages ------------------------------------------------------------------------------------------
def page_pass(browser, url: str) -> dict:
    """On a fresh server: its first page (Home, in a new tab), the model's first load (Checkpoints,
    through the sidebar), then every page through the sidebar ("first"), every page again ("warm"),
    and every page opened in a new tab of a browser that has the app's code cached ("tab")."""
    from browser.harness import VIEWPORT, navigate, open_page

    times = {"first": {}, "warm": {}, "tab": {}}
    page, times["server"] = open_page(browser, url, timeout=300)
    times["model"] = navigate(page, "checkpoints", timeout=300)
    for which in ("first", "warm"):
        for name in PAGES:
            times[which][name] = navigate(page, "" if name == "home" else name, timeout=180)
            errors = page.locator('[data-testid="stException"]')
            if errors.count():
                print(f"   !! exception on {name}: {errors.first.inner_text()[:300]}")
    page.close()
    profile = browser.new_context(viewport=VIEWPORT)  # tabs of one browser profile: the app's code is cached
    open_page(profile, url)[0].close()
    for name in PAGES:
        tab, times["tab"][name] = open_page(profile, f"{url}/{'' if name == 'home' else name}", timeout=120)
        tab.close()
    profile.close()
    return times


def has_browser() -> bool:
    from browser.harness import CHROMIUM

    if Path(CHROMIUM).exists():
        return True
    print(f"\n(no {CHROMIUM}: the browser measurements are skipped; apt-get install chromium)")
    return False


def bench_pages(checkpoint: Path, work: Path) -> None:
    from browser.harness import chromium, serve

    if not has_browser():
        return

    env = registry(checkpoint, work / "pages")
    with chromium() as browser:
        with serve(env, work / "pages-cold.log") as url:
            cold = page_pass(browser, url)
        with serve(env, work / "pages-first.log") as url:
            ours = page_pass(browser, url)
    header("(a) each page's first render after the model's first load: a fresh server, pages opened from "
           "the sidebar", "first", "cold")
    row("the server's first page (Home, new tab)", ours["server"], cold["server"], None, "not a page time")
    row("the model's first load (Checkpoints)", ours["model"], cold["model"], None, "not a page time")
    for name in PAGES:
        row(name, ours["first"][name], cold["first"][name], PAGE_TARGET_S,
            f"again {ms(ours['warm'][name])} · new tab {ms(ours['tab'][name])}")
    worst = max(PAGES, key=ours["first"].get)
    row(f"slowest ({worst})", ours["first"][worst], max(cold["first"].values()), PAGE_TARGET_S,
        f"slowest in a new tab: {ms(max(ours['tab'].values()))}")


# -- click ------------------------------------------------------------------------------------------
def game_moves(n: int) -> tuple[list[int], list[str]]:
    """The first n moves of held-out game 0 (seed 11), and who played each ("black" / "white")."""
    from mothello.data import heldout_games
    from mothello.othello import replay

    g = heldout_games(1, seed=11)[0]
    r = replay(g)
    n = min(n, int(r.lengths[0]))
    return [int(s) for s in g[:n]], ["black" if p == 1 else "white" for p in r.player[0, :n]]


def click_through(browser, url: str, play: str, squares: list[int], discs: list[str]) -> list[float]:
    """Open the server's first page, then the Play page (`play`, under `url`), and click the game's
    squares one after the other; the seconds each click took to be answered."""
    from browser.harness import board_box, click_and_wait, open_page

    from mothello.othello import square_name

    page = None
    for path in dict.fromkeys(["", play]):
        if page is not None:
            page.close()
        page, _ = open_page(browser, f"{url}/{path}")
    box = board_box(page)
    times, played = [], []
    for sq, disc in zip(squares, discs):
        played.append(square_name(sq))
        times.append(click_and_wait(page, box, sq, ",".join(played), disc))
    page.close()
    return times


def bench_click(checkpoint: Path, work: Path, clicks: int) -> None:
    import numpy as np
    import torch
    from browser.harness import chromium, serve

    from mothello.checkpoints import load_checkpoint
    from mothello.evaluate import move_probabilities
    from mothello.ui import board

    squares, discs = game_moves(clicks + 1)
    # the backend pieces, on the positions the clicks reach
    ck = load_checkpoint(checkpoint)
    li = ck.config.input_languages[0]
    t_ours, t_base, t_spec, t_chart, diff = [], [], [], [], 0.0
    with torch.inference_mode():
        for k in range(1, len(squares) + 1):
            tokens, last = ck.vocab.encode(np.asarray(squares[:k]), li)
            ids = torch.as_tensor(tokens[:int(last[k - 1]) + 1])[None]
            t = time.perf_counter()
            ours = move_probabilities(ck.model, ck.vocab, ids, li)
            t_ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            base = per_candidate_probabilities(ck.model, ck.vocab, ids, li)
            t_base.append(time.perf_counter() - t)
            diff = max(diff, float(np.abs(ours - base).max()))
            z = np.zeros(64)
            board.board_spec(z, legal=z, probs=ours, last_move=squares[k - 1], title="t", subtitle="s", size=440,
                             clickable=True)  # the template is built once per set of options
            t = time.perf_counter()
            board.board_spec(z, legal=z, probs=ours, last_move=squares[k - 1], title="t", subtitle="s", size=440,
                             clickable=True)
            t_spec.append(time.perf_counter() - t)
            t = time.perf_counter()
            board.board_chart(z, legal=z, probs=ours, last_move=squares[k - 1], title="t", subtitle="s", size=440,
                              clickable=True).to_dict()
            t_chart.append(time.perf_counter() - t)

    med = statistics.median
    if not has_browser():
        header("(b) Play: the pieces of a click's answer, backend (no browser here)", "ours", "baseline")
        row("  next-move probabilities (backend)", med(t_ours), med(t_base), None, f"max |difference| {diff:.1e}")
        row("  board spec (backend)", med(t_spec), med(t_chart), None, "template + data vs Altair chart.to_dict()")
        return
    env = registry(checkpoint, work / "click")
    app = work / "baseline_play.py"
    app.write_text(BASELINE_APP.format(root=str(ROOT), bench=str(ROOT / "benchmarks"), play=str(ROOT / "pages" / "play.py")))
    with chromium() as browser:
        with serve(env, work / "click-ours.log") as url:
            ours_clicks = click_through(browser, url, "play", squares, discs)
        with serve(env, work / "click-baseline.log", script=app) as url:
            base_clicks = click_through(browser, url, "", squares, discs)
    header(f"(b) Play: a click answered ({len(squares) - 1} clicks after the first, median)", "ours", "baseline")
    row("click -> move + new probabilities, browser", med(ours_clicks[1:]), med(base_clicks[1:]), CLICK_TARGET_S,
        f"slowest {ms(max(ours_clicks[1:]))} vs {ms(max(base_clicks[1:]))}")
    row("  the session's first click", ours_clicks[0], base_clicks[0], None, "loads the table and chart code")
    row("  next-move probabilities (backend)", med(t_ours), med(t_base), None,
        f"batched pass vs one pass per candidate; max |difference| {diff:.1e}")
    row("  board spec (backend)", med(t_spec), med(t_chart), None, "template + data vs Altair chart.to_dict()")


# -- umap -------------------------------------------------------------------------------------------
def umap_worker(which: str, checkpoint: str) -> None:
    """In a fresh process: time the 6,000-point UMAP (ours or umap-learn's defaults), first and again;
    prints one JSON line."""
    import numpy as np

    from mothello.activations import PROBE_TEST_SEED, move_states
    from mothello.checkpoints import load_checkpoint
    from mothello.projection import project

    ck = load_checkpoint(checkpoint)
    layer, langs = ck.model.cfg.n_layer, [ck.config.languages[i].name for i in ck.config.input_languages][:2]
    if which == "ours":
        marks = {}
        t = time.perf_counter()
        df = project(ck, layer, langs, 50, "umap",
                     progress=lambda f, m: marks.setdefault("fit", time.perf_counter()) if m.startswith("UMAP") else None)
        end = time.perf_counter()
        t2 = time.perf_counter()
        project(ck, layer, langs, 50, "umap")
        out = {"points": len(df), "first": end - t, "fit": end - marks["fit"], "again": time.perf_counter() - t2}
    else:
        X = np.concatenate([move_states(ck, x, 50, PROBE_TEST_SEED, [layer]).rows(layer) for x in langs])
        t = time.perf_counter()
        import umap

        umap.UMAP().fit_transform(X)
        first = time.perf_counter() - t
        t = time.perf_counter()
        umap.UMAP().fit_transform(X)
        out = {"points": len(X), "first": first, "fit": first, "again": time.perf_counter() - t}
    print(json.dumps(out))


def bench_umap(checkpoint: Path, work: Path) -> None:
    results = {}
    for jit in ("kept", "fresh"):
        for which in ("ours", "baseline"):
            base = work / f"umap-{jit}-{which}"
            env = {**os.environ, **registry(checkpoint, base)}
            if jit == "fresh":
                env["NUMBA_CACHE_DIR"] = str(base / "numba")  # nothing compiled yet: a fresh install
            proc = subprocess.run([sys.executable, __file__, "--umap-worker", which, "--checkpoint", str(checkpoint)],
                                  env=env, capture_output=True, text=True, cwd=ROOT)
            if proc.returncode:
                raise SystemExit(f"umap worker {which} failed:\n{proc.stderr[-3000:]}")
            results[jit, which] = json.loads(proc.stdout.strip().splitlines()[-1])
    n = results["kept", "ours"]["points"]
    header(f"(c) UMAP of {n:,} points, each in a fresh process", "ours", "umap-learn")
    for jit, words in (("kept", "compiled code cached"), ("fresh", "fresh install, nothing compiled")):
        o, b = results[jit, "ours"], results[jit, "baseline"]
        row(f"first time, {words}", o["fit"], b["fit"], UMAP_TARGET_S,
            f"ours incl. the hidden states: {ms(o['first'])}")
        row("  again", o["again"], b["again"], None, "ours: the stored result; umap-learn recomputes")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint", default="checkpoints/naive-2")
    ap.add_argument("--only", default="pages,click,umap", help="comma-separated: pages, click, umap")
    ap.add_argument("--clicks", type=int, default=12)
    ap.add_argument("--umap-worker", choices=["ours", "baseline"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    from mothello.checkpoints import resolve

    checkpoint = Path(resolve(args.checkpoint, allow_paths=True)).resolve()
    if args.umap_worker:
        return umap_worker(args.umap_worker, str(checkpoint))
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    print(f"checkpoint {checkpoint.relative_to(ROOT) if checkpoint.is_relative_to(ROOT) else checkpoint}, "
          f"{os.cpu_count()} CPUs, torch threads from OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        work = Path(tmp)
        if "pages" in only:
            bench_pages(checkpoint, work)
        if "click" in only:
            bench_click(checkpoint, work, args.clicks)
        if "umap" in only:
            bench_umap(checkpoint, work)


if __name__ == "__main__":
    main()
