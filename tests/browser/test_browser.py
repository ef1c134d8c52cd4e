"""Every page in a real browser: `streamlit run app.py` on a free localhost port, driven by Playwright
with Debian's Chromium (tests/browser/harness.py). Asserts the key elements are there and no exception
box is shown, clicks the Play board and sees the move played, shows pages in presentation mode, and
saves screenshots (tests/browser/screenshots/) and the time to first render of each page (timings.json
there; benchmarks/bench_pages.py measures speed properly).

Skipped when /usr/bin/chromium is missing, unless MOTHELLO_REQUIRE_BROWSER=1 (set by .ci/run, which
installs it).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import staged_copy

from .harness import CHROMIUM, board_box, click_and_wait, open_page, screenshot, serve

SHOTS = Path(__file__).resolve().parent / "screenshots"
PAGES = {  # url path -> text that must be on the page ("" is Home, the default page)
    "": "mOthello",
    "checkpoints": "Checkpoints",
    "play": "Play",
    "probe_boards": "Probe boards",
    "alignment": "Alignment",
    "representations": "Representations",
    "transfer": "Transfer",
    "train": "Train",
    "tour": "Finding",
}
# Presentation mode (?present=1): pages a talk shows, with the extra URL state of the view shown.
PRESENT = {"alignment": "", "probe_boards": "", "representations": "", "play": "&moves=f5,d6,c3,d3,c4",
           "tour": "&slide=1", "": ""}

if not Path(CHROMIUM).exists():
    if os.environ.get("MOTHELLO_REQUIRE_BROWSER") == "1":
        raise RuntimeError(f"{CHROMIUM} is missing but MOTHELLO_REQUIRE_BROWSER=1 (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)", allow_module_level=True)

pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tiny_checkpoint, toy_transfer, tmp_path_factory):
    """The app on a free port, seeing one shipped checkpoint (a copy of the tiny test model), a shipped
    transfer run (the toy one) and a fine-tuning variant of it (its tables, labelled as one)."""
    base = tmp_path_factory.mktemp("browser")
    ckpts, runs, cache = base / "checkpoints", base / "runs", base / "cache"
    for p in (ckpts, runs, cache):
        p.mkdir()
    shutil.copytree(tiny_checkpoint, ckpts / "naive-2", ignore=shutil.ignore_patterns("state"))
    shutil.copytree(toy_transfer, ckpts / "transfer-naive-2")
    variant = ckpts / "transfer-naive-2-block-1-attention-frozen"  # the same tables, labelled as a variant
    shutil.copytree(toy_transfer, variant, ignore=shutil.ignore_patterns("pretrain", "finetune"))
    tc = json.loads((variant / "transfer.json").read_text())
    (variant / "transfer.json").write_text(json.dumps({**tc, "freeze": ["block 1 attention"]}))
    staged_copy(tiny_checkpoint, runs / "naive-2-staged")  # the tiny model, recorded as trained in two stages
    env = {"MOTHELLO_CHECKPOINTS": ckpts, "MOTHELLO_RUNS": runs, "MOTHELLO_CACHE": cache, "MOTHELLO_FAST": "1"}
    try:
        with serve(env, base / "streamlit.log") as url:
            yield url
    except RuntimeError as e:
        pytest.fail(str(e))


@pytest.fixture(scope="module")
def browser():
    from .harness import chromium

    with chromium() as b:
        yield b


def _record_timing(name: str, seconds: float) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / "timings.json"
    data = json.loads(path.read_text()) if path.is_file() else {}
    data[name] = round(seconds, 2)
    path.write_text(json.dumps(data, indent=1))


def _no_exception(page, where: str) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, f"exception on {where}: {errors.first.inner_text()[:500]}"


def _main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def _user_facing_text_is_clean(text: str, where: str) -> None:
    """No raw Python values or tracebacks in what the page says."""
    for bad in ("Traceback", "None", "nan%", " nan", "NaN"):
        assert bad not in text.replace("None yet", ""), f"{bad!r} shown on {where}"


@pytest.mark.parametrize("path", list(PAGES))
def test_page_renders(server, browser, path):
    page, seconds = open_page(browser, f"{server}/{path}")
    try:
        _record_timing(path or "home", seconds)
        SHOTS.mkdir(parents=True, exist_ok=True)
        screenshot(page, SHOTS / f"{path or 'home'}.png")
        _no_exception(page, f"/{path}")
        text = _main_text(page)
        assert PAGES[path].lower() in text.lower()
        _user_facing_text_is_clean(text, f"/{path}")
        assert page.locator('[data-testid="stSidebar"]').is_visible()
    finally:
        page.close()


@pytest.mark.parametrize("path", list(PRESENT))
def test_presentation_mode(server, browser, path):
    """?present=1 hides the sidebar and the page's blurb, enlarges the title and the figures, keeps a
    way out, and leaves nothing broken; screenshots present-<page>.png."""
    page, _ = open_page(browser, f"{server}/{path}?present=1{PRESENT[path]}")
    try:
        screenshot(page, SHOTS / f"present-{path or 'home'}.png")
        _no_exception(page, f"/{path} in presentation mode")
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        assert not page.locator('[data-testid="stHeader"]').is_visible()
        title = page.locator("h1").first
        assert float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 48  # normal: 44
        _user_facing_text_is_clean(_main_text(page), f"/{path} in presentation mode")
        # the way out: back to the normal view, sidebar and all
        page.get_by_role("button", name="Exit presentation").click()
        page.wait_for_function("() => !window.location.search.includes('present=1')", timeout=30_000)
        page.locator('[data-testid="stSidebar"]').wait_for(state="visible", timeout=30_000)
    finally:
        page.close()


def test_transfer_page_overlays_a_variant_with_the_study_run(server, browser):
    """Both runs overlaid (colour = run), the variant labelled as not the study's protocol, every line
    named at its end; screenshot transfer-variant.png."""
    runs = "checkpoints/transfer-naive-2,checkpoints/transfer-naive-2-block-1-attention-frozen"
    page, _ = open_page(browser, f"{server}/transfer?runs={runs}&view=experiment")
    try:
        screenshot(page, SHOTS / "transfer-variant.png")
        _no_exception(page, "/transfer with a variant")
        text = _main_text(page)
        assert "naive-2 · block 1 attention frozen: a fine-tuning variant, not the study's protocol" in text
        _user_facing_text_is_clean(text, "/transfer with a variant")
        assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 3  # two overlays + put-back heatmaps
    finally:
        page.close()


def test_checkpoints_page_shows_training_stages(server, browser):
    """A model trained in stages: its curves mark where the later stage begins, and the Training
    settings tab lists the stages; screenshot checkpoints-stages.png."""
    page, _ = open_page(browser, f"{server}/checkpoints?ckpts=runs/naive-2-staged")
    try:
        page.get_by_role("tab", name="Training settings").click()
        page.get_by_text("Trained in 2 stages").wait_for(timeout=30_000)
        screenshot(page, SHOTS / "checkpoints-stages.png")
        _no_exception(page, "/checkpoints with stages")
        _user_facing_text_is_clean(_main_text(page), "/checkpoints with stages")
        assert page.locator('[data-testid="stVegaLiteChart"]').count() == 2
    finally:
        page.close()


def test_findings_tables_stay_inside_the_page(server, browser):
    """FINDINGS.md in full on Home: every table, however many runs it sets side by side, keeps inside the
    expander (a wide one scrolls sideways) rather than running off the page."""
    page, _ = open_page(browser, server)
    try:
        page.get_by_text("FINDINGS.md: our own findings, in full").click()
        box = page.locator('[data-testid="stExpander"]').first
        tables = box.locator("table")
        tables.first.wait_for(timeout=30_000)
        right = box.bounding_box()["x"] + box.bounding_box()["width"]
        widths = [tables.nth(i).evaluate("t => [t.scrollWidth, t.clientWidth]") for i in range(tables.count())]
        assert any(full > shown for full, shown in widths), "no table in FINDINGS.md is wider than the page"
        for i in range(tables.count()):
            b = tables.nth(i).bounding_box()
            assert b["x"] + b["width"] <= right + 1, f"table {i} runs off the page"
    finally:
        page.close()


def test_presentation_mode_enlarges_the_figures(server, browser):
    """The same chart is drawn bigger in presentation mode (the Alignment page's first heatmap)."""
    widths = []
    for query in ("", "?present=1"):
        page, _ = open_page(browser, f"{server}/alignment{query}")
        try:
            widths.append(page.locator('[data-testid="stVegaLiteChart"]').first.bounding_box()["width"])
        finally:
            page.close()
    assert widths[1] > widths[0] * 1.1, widths


def test_play_board_click_plays_the_move(server, browser):
    """Click square c4 (a legal first move) on the Play board: the move is played and answered."""
    page, _ = open_page(browser, f"{server}/play")
    try:
        box = board_box(page)
        assert 300 < box["size"] < 600  # the board is drawn at its size, square
        _record_timing("play_click", click_and_wait(page, box, 19, "c4", "black"))
        screenshot(page, SHOTS / "play-after-click.png")
        _no_exception(page, "/play after a click")
        assert "After move 1" in page.locator('[data-testid="stVegaLiteChart"]').first.inner_html()
        assert "White to move" in _main_text(page)
        # a second click, by the other side (c3 is legal for white after c4)
        click_and_wait(page, box, 18, "c4,c3", "white")
    finally:
        page.close()
