"""A real `streamlit run` on a free local port and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
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
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def streamlit_server(db_path: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free local port with CRM_DB=db_path; yields its URL."""
    port = _free_port()
    env = {**os.environ, "CRM_DB": str(db_path)}
    # the server's log goes to a file: a pipe nobody reads fills up (64 KB) and then blocks the
    # server on its next log line, which hung the whole browser suite once the log grew
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
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
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    err = log.read().decode(errors="replace")
                    raise RuntimeError(f"streamlit did not start: {err[-2000:]}")
                time.sleep(0.3)
            yield url
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def server_url(s_db: Path) -> Iterator[str]:
    with streamlit_server(s_db) as url:
        yield url


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


@dataclass
class Watch:
    """What a page did that it should not: console errors and requests to other hosts."""

    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    probes: int = 0

    failed_responses: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> Page:
        # Streamlit's front end probes <page path>/_stcore/health and /host-config on a deep link
        # before it falls back to the root; those two 404s (and the console lines they cause) are
        # the only failures tolerated.
        def on_response(r):  # type: ignore[no-untyped-def]
            if r.status >= 400:
                probe = urlparse(r.url).path.endswith(("/_stcore/health", "/_stcore/host-config"))
                if not probe:
                    self.failed_responses.append(f"{r.status} {r.url}")
                else:
                    self.probes += 1

        def on_console(m):  # type: ignore[no-untyped-def]
            if m.type != "error":
                return
            if "404 (Not Found)" in m.text and self.probes > 0:
                self.probes -= 1
                return
            self.console_errors.append(m.text)

        page.on("response", on_response)
        page.on("console", on_console)
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))

        def route(r):  # type: ignore[no-untyped-def]
            host = urlparse(r.request.url).hostname or ""
            if r.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
                r.continue_()
            else:
                self.foreign_requests.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        return page


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(browser: Browser, watch: Watch) -> Iterator[Page]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    p = watch.attach(context.new_page())
    yield p
    context.close()
    assert watch.foreign_requests == [], f"requests left the machine: {watch.foreign_requests}"
    assert watch.console_errors == [], f"console errors: {watch.console_errors}"
    assert watch.failed_responses == [], f"failed responses: {watch.failed_responses}"
