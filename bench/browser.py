"""Browser timings in Chromium (Playwright) against a real `streamlit run`:

* first render of every page (a new tab opened on its address, until the script has finished
  and every Plotly chart has drawn);
* a widget change -> chart updated (the sidebar's period selectbox, present on every page, set
  to another value; until the rerun has finished and the charts have drawn again), median of a
  few changes;
* bytes the server sends over the websocket for that rerun;
* peak RSS (VmHWM) of the app's server process after every page was visited;
* the same for a trivial one-chart app (bench/floor_app.py) in the same run: the floor.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.pages import ROOT, AppPage, sections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
TIMEOUT_MS = 180_000
# A pick that starts no rerun within this long is taken as lost and made again (at most
# CLICK_ATTEMPTS times).
RERUN_START_MS = 3_000
CLICK_ATTEMPTS = 3
# Count finished script runs: the app root's data-test-script-state goes back to "notRunning";
# and how long the last one ran as the page saw it (from "running" to "notRunning": the server's
# script with its queries, plus the frames streamed meanwhile).
RUNS_OBSERVER = """
window.__runsDone = 0;
window.__runStartedAt = null;
window.__lastRunMs = null;
new MutationObserver((records) => {
  for (const r of records) {
    const now = r.target.getAttribute('data-test-script-state');
    if (now === 'running' && r.oldValue !== 'running') window.__runStartedAt = performance.now();
    if (now === 'notRunning' && r.oldValue !== 'notRunning') {
      window.__runsDone += 1;
      if (window.__runStartedAt !== null) window.__lastRunMs = performance.now() - window.__runStartedAt;
    }
  }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""
CHARTS_DRAWN = """() => {
  // every element mounted (no loading skeletons) and every Plotly chart drawn
  if (document.querySelector('[data-testid=stSkeleton], [data-testid=stSkeletonElement], [data-testid=stAppSkeleton]'))
    return false;
  const charts = document.querySelectorAll('[data-testid=stPlotlyChart]');
  return [...charts].every((c) => c.querySelector('.main-svg'));
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(script: str, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """`streamlit run <script>` on a free local port; yields (url, pid)."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit run {script} did not start")
            time.sleep(0.3)
        yield url, proc.pid
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def peak_rss_mb(pid: int) -> tuple[float, float]:
    """(VmHWM, VmRSS) of a process in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmHWM", 0.0), values.get("VmRSS", 0.0)


PAGE_STATE = """() => ({
  runsDone: window.__runsDone || 0,
  scriptState: document.querySelector('[data-test-script-state]')?.getAttribute('data-test-script-state'),
  skeletons: document.querySelectorAll(
    '[data-testid=stSkeleton], [data-testid=stSkeletonElement], [data-testid=stAppSkeleton]').length,
  charts: document.querySelectorAll('[data-testid=stPlotlyChart]').length,
  chartsDrawn: document.querySelectorAll('[data-testid=stPlotlyChart] .main-svg').length,
  exceptions: document.querySelectorAll('[data-testid=stException]').length,
})"""


class Tab:
    """One Chromium tab on the app, counting finished runs and websocket bytes received."""

    def __init__(self, browser: Any) -> None:
        self.lost_clicks = 0  # picks that started no rerun and were made again
        self.last_run_ms = 0.0  # the last script run, "running" to "notRunning", as the page saw it
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
        self.context.add_init_script(RUNS_OBSERVER)
        self.page = self.context.new_page()
        self.received = 0
        self.page.on("websocket", self._on_ws)

    def _on_ws(self, ws: Any) -> None:
        def count(payload: Any) -> None:
            self.received += len(payload)

        ws.on("framereceived", count)

    def runs_done(self) -> int:
        return int(self.page.evaluate("() => window.__runsDone || 0"))

    def settle(self, runs_before: int) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        for waited_for, condition in (
            ("the script run to finish", f"() => (window.__runsDone || 0) > {runs_before}"),
            ("every element mounted and every chart drawn", CHARTS_DRAWN),
        ):
            try:
                self.page.wait_for_function(condition, timeout=TIMEOUT_MS)
            except PlaywrightTimeout:
                raise SettleTimeout(self.describe(waited_for)) from None
        self.page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")

    def open(self, url: str) -> float:
        t0 = time.perf_counter()
        self.page.goto(url)
        self.settle(0)
        return (time.perf_counter() - t0) * 1000

    def change_sidebar_select(self, option_index: int) -> tuple[float, int]:
        """Pick option `option_index` (or the next one if it is already chosen) of the sidebar's
        first selectbox; (ms until redrawn, websocket bytes received meanwhile)."""
        before, bytes_before = self.runs_done(), self.received

        def pick() -> float | None:
            self.page.keyboard.press("Escape")  # no popover left open (it makes the rest inert)
            box = self.page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first
            box.locator("input").first.click()
            options = self.page.get_by_role("option")
            options.first.wait_for(timeout=TIMEOUT_MS)
            option = options.nth(option_index)
            if option.get_attribute("aria-selected") == "true":
                option = options.nth((option_index + 1) % options.count())
            t0 = time.perf_counter()
            option.click()
            return t0

        t0, lost = click_until_rerun(self.page, pick)
        if t0 is None:
            raise RuntimeError("the sidebar's first selectbox has no other option")
        self.lost_clicks += lost
        self.settle(before)
        elapsed = (time.perf_counter() - t0) * 1000
        self.last_run_ms = float(self.page.evaluate("() => window.__lastRunMs || 0"))
        self.page.wait_for_timeout(200)  # frames still in flight after the redraw
        return elapsed, self.received - bytes_before

    def describe(self, waited_for: str) -> str:
        """What the page showed when a wait timed out (a screenshot is kept in bench/cache)."""
        state = self.page.evaluate(PAGE_STATE)
        shot = ROOT / "bench" / "cache" / f"timeout-{int(time.time())}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(shot))
        return (
            f"timed out after {TIMEOUT_MS / 1000:.0f} s waiting for {waited_for} at {self.page.url}: {state}; "
            f"screenshot {shot.relative_to(ROOT)}"
        )

    def close(self) -> None:
        self.context.close()


class SettleTimeout(RuntimeError):
    """A page that did not settle: what it showed at the time."""


def click_until_rerun(page: Any, pick: Callable[[], float | None]) -> tuple[float | None, int]:
    """Make a pick (`pick` opens a list and clicks an option, returning the click's time, or None
    when there is nothing to pick) until a script rerun starts: a click on a list still opening
    is sometimes lost. (time of the click that took, picks lost)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    before = int(page.evaluate("() => window.__runsDone || 0"))
    started = (
        f"() => (window.__runsDone || 0) > {before}"
        " || document.querySelector('[data-test-script-state=running]') !== null"
    )
    lost = 0
    for attempt in range(CLICK_ATTEMPTS):
        t0 = pick()
        if t0 is None:
            return None, lost
        try:
            page.wait_for_function(started, timeout=RERUN_START_MS if attempt < CLICK_ATTEMPTS - 1 else TIMEOUT_MS)
            return t0, lost
        except PlaywrightTimeout:
            lost += 1
    return t0, lost


def _time_target(browser: Any, url: str, changes: int, log: Callable[[str], None] = print) -> dict[str, Any]:
    """_timed_target, made once more in a new tab if the page does not settle (the first failure
    is kept in the result, with what the page showed)."""
    try:
        return _timed_target(browser, url, changes)
    except SettleTimeout as exc:
        log(f"  {exc}; once more in a new tab")
        return {**_timed_target(browser, url, changes), "retried_after": str(exc)}


def _timed_target(browser: Any, url: str, changes: int) -> dict[str, Any]:
    tab = Tab(browser)
    try:
        first = tab.open(url)
        bytes_first = tab.received
        times, sizes, runs = [], [], []
        for i in range(changes):
            ms, size = tab.change_sidebar_select((i % 3) + 2)  # 90, 180, 365 days: never the default
            times.append(ms)
            sizes.append(size)
            runs.append(tab.last_run_ms)
        return {
            "first_render_ms": round(first, 1),
            "first_render_bytes": bytes_first,
            "change_ms": round(statistics.median(times), 1),
            "change_max_ms": round(max(times), 1),
            # of the change: the script run as the page saw it (the rest is the click, the rerun
            # request and drawing the last frames)
            "change_script_ms": round(statistics.median(runs), 1),
            "rerun_bytes": max(sizes),
            "lost_clicks": tab.lost_clicks,
        }
    finally:
        tab.close()


def measure(
    db_path: Path, state_path: Path, pages: list[AppPage], changes: int = 3, log: Callable[[str], None] = print
) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    env = {"CRM_DB": str(db_path), "CRM_STATE": str(state_path)}
    out: dict[str, Any] = {"pages": {}}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            with server("bench/floor_app.py", {}) as (url, _pid):
                _time_target(browser, url, 1, log)  # warm the server's first run
                out["floor"] = _time_target(browser, url, changes, log)
            f = out["floor"]
            log(f"  floor app          first render {f['first_render_ms']:>7.0f} ms   change {f['change_ms']:>6.0f} ms")
            with server("app.py", env) as (url, pid):
                _time_target(browser, f"{url}/{pages[0].address}", 1, log)  # connection and caches of the process
                for page, section in sections(pages):  # a tabbed page's sections by their link
                    name = page.name if section is None else f"{page.name}/{section}"
                    link = f"{url}/{page.address}" + ("" if section is None else f"?tab={section}")
                    r = out["pages"][name] = _time_target(browser, link, changes, log)
                    r["change_vs_floor"] = round(r["change_ms"] / max(f["change_ms"], 1e-9), 2)
                    log(
                        f"  {name:<28} first render {r['first_render_ms']:>7.0f} ms   change "
                        f"{r['change_ms']:>6.0f} ms ({r['change_vs_floor']:.2f}x floor; script "
                        f"{r['change_script_ms']:.0f} ms)   rerun "
                        f"{r['rerun_bytes'] / 1e6:.2f} MB"
                    )
                out["rss_mb"], out["rss_now_mb"] = (round(v, 1) for v in peak_rss_mb(pid))
                log(f"  app server peak RSS {out['rss_mb']:.0f} MB (now {out['rss_now_mb']:.0f} MB)")
        finally:
            browser.close()
    return out
