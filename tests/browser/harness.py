"""The dashboard in a real browser, shared by tests/browser/test_browser.py and benchmarks/bench_pages.py:
`streamlit run` on a free localhost port, Debian's Chromium, and knowing when a page is on screen.

A page counts as rendered when Streamlit's script run has finished (the app root's
data-test-script-state is "notRunning") and drew the page's title, no element is stale, spinning or still loading its code (a
skeleton), and every Vega-Lite chart has drawn its canvas or SVG. The wait polls on every animation frame, so the time measured is the time
to that state, not to a polling tick.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mothello.ui import theme  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update"]
VIEWPORT = {"width": 1400, "height": 900}

RENDERED_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (!document.querySelector('[data-testid="stMain"] h1')) return false;  // every page has a title
  if (document.querySelector('[data-testid="stSpinner"], [data-stale="true"], [data-testid="stSkeleton"], '
                             + '[data-testid="stAppSkeleton"], [data-testid="stSkeletonElement"]')) return false;
  for (const c of document.querySelectorAll('[data-testid="stVegaLiteChart"]')) {
    if (!c.querySelector('canvas, svg.marks')) return false;
  }
  return true;
}"""

# The Play board (Vega renders it as SVG): the page box of its 64 board-green squares ({x, y, size}, CSS
# pixels), or null while it is not drawn.
BOARD_BOX_JS = """() => {
  const svg = document.querySelector('[data-testid="stVegaLiteChart"] svg.marks');
  if (!svg) return null;
  const cells = [...svg.querySelectorAll('path')].filter(p => (p.getAttribute('fill') || '').toLowerCase() === '%s');
  if (cells.length < 64) return null;
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const c of cells) {
    const r = c.getBoundingClientRect();
    x0 = Math.min(x0, r.left); y0 = Math.min(y0, r.top); x1 = Math.max(x1, r.right); y1 = Math.max(y1, r.bottom);
  }
  return {x: x0 + window.scrollX, y: y0 + window.scrollY, size: Math.max(x1 - x0, y1 - y0)};
}""" % theme.BOARD_GREEN.lower()

# Whether the Play board shows a disc of colour `fill` centred within `tol` pixels of page point (x, y).
DISC_JS = """([x, y, fill, tol]) => {
  const svg = document.querySelector('[data-testid="stVegaLiteChart"] svg.marks');
  if (!svg) return false;
  for (const p of svg.querySelectorAll('path')) {
    if ((p.getAttribute('fill') || '').toLowerCase() !== fill) continue;
    const r = p.getBoundingClientRect();
    const cx = (r.left + r.right) / 2 + window.scrollX, cy = (r.top + r.bottom) / 2 + window.scrollY;
    if (Math.abs(cx - x) < tol && Math.abs(cy - y) < tol) return true;
  }
  return false;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(env: dict, log_path: Path, script: str | Path = "app.py", timeout: float = 90.0):
    """`streamlit run SCRIPT` (relative to the project root) on a free port with these extra environment
    variables, yielding its URL once it answers its health check; stopped on exit."""
    port = free_port()
    log = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                            cwd=ROOT, env={**os.environ, **{k: str(v) for k, v in env.items()}}, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start:\n{Path(log_path).read_text()[-3000:]}") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def chromium():
    """A headless Chromium (Playwright driving Debian's /usr/bin/chromium)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_rendered(page, timeout: float = 180.0) -> None:
    """Until the page's script run has finished and everything on it is drawn (see the module's doc)."""
    page.wait_for_function(RENDERED_JS, timeout=timeout * 1000, polling="raf")


def open_page(browser, url: str, timeout: float = 180.0):
    """A new tab at `url`, rendered; returns (page, seconds from navigation to rendered). browser: a
    Browser (each tab its own fresh profile) or a BrowserContext (tabs share one profile and its cache)."""
    page = browser.new_page(viewport=VIEWPORT) if hasattr(browser, "new_context") else browser.new_page()
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    wait_rendered(page, timeout)
    return page, time.perf_counter() - start


def navigate(page, path: str, timeout: float = 180.0) -> float:
    """Go to another page of the app the way a user does, by its link in the sidebar's navigation (no
    new page load: the app's code is already in the browser); returns the seconds from the click to
    the new page rendered. path: the page's url_path ("" is Home)."""
    page.evaluate("""() => { window.__sawRunning = false;
      if (window.__runObserver) window.__runObserver.disconnect();
      window.__runObserver = new MutationObserver(records => {
        if (records.some(r => r.target.getAttribute('data-test-script-state') === 'running')) window.__sawRunning = true; });
      window.__runObserver.observe(document.body, {attributes: true, subtree: true,
                                                   attributeFilter: ['data-test-script-state']}); }""")
    links = page.locator('[data-testid="stSidebarNav"] a')
    link = next(links.nth(i) for i in range(links.count())
                if urllib.parse.urlparse(links.nth(i).get_attribute("href") or "").path.strip("/") == path)
    before = page.locator('[data-testid="stMain"] h1').first.inner_text()
    start = time.perf_counter()
    link.click()
    # the new page's run is over: its title replaced the old one (a run too quick for React to ever show
    # the "running" state still changes the title), everything drawn
    page.wait_for_function(f"""([before]) => {{
        const h1 = document.querySelector('[data-testid="stMain"] h1');
        return (window.__sawRunning || (h1 && h1.innerText !== before)) && ({RENDERED_JS})(); }}""",
                           arg=[before], timeout=timeout * 1000, polling="raf")
    return time.perf_counter() - start


def screenshot(page, path, max_height: int = 8000) -> None:
    """The whole page as one image. Streamlit scrolls its main area inside the window (so Playwright's
    full_page sees one screenful): the window is made as tall as the content for the shot."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("""() => Math.max(...[...document.querySelectorAll(
        '[data-testid="stMain"], [data-testid="stAppViewContainer"], [data-testid="stSidebarContent"]')]
        .map(e => e.scrollHeight), window.innerHeight)""")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, max_height)})
    try:
        wait_rendered(page)
        page.wait_for_timeout(300)  # charts re-laid out to the new height
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(size)


def board_box(page, timeout: float = 30.0) -> dict:
    """Where the Play board's squares are on the page: {x, y, size} (CSS pixels)."""
    return page.wait_for_function(BOARD_BOX_JS, timeout=timeout * 1000).json_value()


def square_centre(box: dict, square: int) -> tuple[float, float]:
    """Page coordinates of the centre of square 0..63 (row-major, a1 top left)."""
    cell = box["size"] / 8
    return box["x"] + cell * (square % 8 + 0.5), box["y"] + cell * (square // 8 + 0.5)


def click_and_wait(page, box: dict, square: int, moves: str, disc: str, timeout: float = 60.0) -> float:
    """Click `square` on the Play board and wait until the move is answered: the URL holds the game
    `moves` ("c4,c3"), the script run that draws it has finished with everything on screen (the
    model's probabilities included), and the board shows a `disc` ("black" or "white") disc on that
    square. Returns the seconds from the browser's click event to that state (measured in the page,
    so the time Playwright takes to deliver the click is not counted)."""
    x, y = square_centre(box, square)
    fill = (theme.BLACK_DISC if disc == "black" else theme.WHITE_DISC).lower()
    page.evaluate("""() => { window.__clickAt = null;
      if (!window.__clickListener) { window.__clickListener = true;
        window.addEventListener('click', e => { window.__clickAt = e.timeStamp; }, true); } }""")
    check = f"""([x, y, fill, tol]) => {{
      const q = new URLSearchParams(window.location.search);
      if (q.get('moves') === '{moves}' && ({RENDERED_JS})() && ({DISC_JS})([x, y, fill, tol])) {{
        window.__answeredAt = performance.now();
        return true;
      }}
      return false;
    }}"""
    page.mouse.click(x, y)
    page.wait_for_function(check, arg=[x, y, fill, box["size"] / 32], timeout=timeout * 1000, polling="raf")
    return page.evaluate("() => (window.__answeredAt - window.__clickAt) / 1000")
