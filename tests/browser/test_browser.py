"""Every page in a real browser: `streamlit run app.py` on a free localhost port, driven by Playwright
with Debian's Chromium. Asserts the key elements are there and no exception box is shown, clicks the
Play board and sees the move played, and saves screenshots (tests/browser/screenshots/) and the
time to first render of each page (timings.json there).

Skipped when /usr/bin/chromium is missing, unless MOTHELLO_REQUIRE_BROWSER=1 (set by .ci/run, which
installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update"]
SHOTS = Path(__file__).resolve().parent / "screenshots"
PAGES = {  # url path -> text that must be on the page ("" is Home, the default page)
    "": "mOthello",
    "checkpoints": "Checkpoints",
    "play": "Play",
    "probe-boards": "Probe boards",
    "alignment": "Alignment",
    "representations": "Representations",
    "transfer": "Transfer",
    "train": "Train",
    "tour": "Finding",
}

if not Path(CHROMIUM).exists():
    if os.environ.get("MOTHELLO_REQUIRE_BROWSER") == "1":
        raise RuntimeError(f"{CHROMIUM} is missing but MOTHELLO_REQUIRE_BROWSER=1 (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)", allow_module_level=True)

sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tiny_checkpoint, tmp_path_factory):
    """The app on a free port, seeing one shipped checkpoint (a copy of the tiny test model)."""
    base = tmp_path_factory.mktemp("browser")
    ckpts, runs, cache = base / "checkpoints", base / "runs", base / "cache"
    for p in (ckpts, runs, cache):
        p.mkdir()
    shutil.copytree(tiny_checkpoint, ckpts / "naive-2", ignore=shutil.ignore_patterns("state"))
    port = _free_port()
    env = {**os.environ, "MOTHELLO_CHECKPOINTS": str(ckpts), "MOTHELLO_RUNS": str(runs), "MOTHELLO_CACHE": str(cache),
           "MOTHELLO_FAST": "1"}
    log = open(base / "streamlit.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"streamlit did not start:\n{(base / 'streamlit.log').read_text()[-3000:]}")
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def _settle(page, timeout: float = 90.0) -> None:
    """Wait until the app has rendered and no script run or spinner is in progress."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        busy = page.locator('[data-testid="stSpinner"], [data-testid="stStatusWidget"] button').count() > 0 or \
            page.locator('[data-testid="stStatusWidget"]').filter(has_text="Running").count() > 0
        if not busy and page.locator('[data-testid="stMain"]').count() > 0:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 1.0:
                return
        else:
            quiet_since = None
        time.sleep(0.2)


def _record_timing(name: str, seconds: float) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / "timings.json"
    data = json.loads(path.read_text()) if path.is_file() else {}
    data[name] = round(seconds, 2)
    path.write_text(json.dumps(data, indent=1))


@pytest.mark.parametrize("path", list(PAGES))
def test_page_renders(server, browser, path):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        start = time.monotonic()
        page.goto(f"{server}/{path}", wait_until="domcontentloaded")
        _settle(page)
        _record_timing(path or "home", time.monotonic() - start)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{path or 'home'}.png"), full_page=True)
        errors = page.locator('[data-testid="stException"]')
        assert errors.count() == 0, f"exception on /{path}: {errors.first.inner_text()[:500]}"
        assert PAGES[path].lower() in page.locator('[data-testid="stMain"]').inner_text().lower()
    finally:
        page.close()


def test_play_board_click_plays_the_move(server, browser):
    """Click square c4 (a legal first move) on the Play board: the move appears in the game."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(f"{server}/play", wait_until="domcontentloaded")
        _settle(page)
        chart = page.locator('[data-testid="stVegaLiteChart"]').first
        chart.wait_for(timeout=30_000)
        canvas = chart.locator("canvas, svg").first
        box = canvas.bounding_box()
        assert box is not None
        # The board is the plot area at the bottom right of the chart (axis labels on the left and top).
        size = min(box["width"], box["height"])
        left = box["x"] + box["width"] - size * 0.965
        top = box["y"] + box["height"] - size * 0.965
        cell = size * 0.955 / 8
        # c4: row c (third), column 4
        x, y = left + cell * 3.5, top + cell * 2.5
        start = time.monotonic()
        page.mouse.click(x, y)
        page.wait_for_function("() => window.location.search.includes('c4')", timeout=30_000)
        _settle(page)
        _record_timing("play_click", time.monotonic() - start)
        page.screenshot(path=str(SHOTS / "play-after-click.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert "c4" in page.url
    finally:
        page.close()
