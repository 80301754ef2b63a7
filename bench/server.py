"""Server-side cost of an interaction on every page: the whole script run of app.py and the page
(core queries and figure build) through Streamlit's AppTest, with st.cache_data cleared before
every run so that the query itself is measured, not the cache.

Per page: one cold run (a fresh connection), then one warm run per randomised filter setting.
The time spent inside the core query functions (ui._QUERIES) is recorded beside the run time.
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.pages import ROOT, AppPage, sections

APP = str(ROOT / "app.py")


@dataclass(frozen=True)
class Setting:
    """One randomised choice of the global filters, given to the app as its URL (a shared link)."""

    as_of: date
    period: int
    regions: tuple[str, ...]
    channels: tuple[str, ...]
    tiers: tuple[str, ...]
    segment_id: int | None

    def query_params(self, last_day: date) -> dict[str, str]:
        q = {"period": str(self.period)}
        if self.as_of != last_day:
            q["as_of"] = self.as_of.isoformat()
        for key, values in (("region", self.regions), ("channel", self.channels), ("tier", self.tiers)):
            if values:
                q[key] = ",".join(values)
        if self.segment_id is not None:
            q["segment"] = str(self.segment_id)
        return q


def settings(n: int, first_day: date, last_day: date, segment_ids: list[int], seed: int = 7) -> list[Setting]:
    """n filter settings: a third at the data's last day (the default view), the rest spread over
    the last two years; each attribute filter empty half of the time; a saved segment a third of
    the time."""
    from crm_core import contract
    from crm_core.filters import PERIOD_DAYS

    rng = random.Random(seed)
    start = max(first_day + timedelta(days=60), last_day - timedelta(days=730))

    def some(codes: tuple[str, ...]) -> tuple[str, ...]:
        if rng.random() < 0.5:
            return ()
        k = rng.randint(1, max(1, len(codes) - 1))
        chosen = set(rng.sample(list(codes), k))
        return tuple(c for c in codes if c in chosen)

    out = []
    for i in range(n):
        as_of = last_day if i % 3 == 0 else start + timedelta(days=rng.randint(0, (last_day - start).days))
        out.append(
            Setting(
                as_of=as_of,
                period=rng.choice(PERIOD_DAYS),
                regions=some(contract.REGIONS),
                channels=some(contract.ACQUISITION_CHANNELS),
                tiers=some(contract.TIERS),
                segment_id=rng.choice(segment_ids) if segment_ids and i % 3 == 1 else None,
            )
        )
    return out


def prepare_segments(state_path: Path) -> list[int]:
    """Saved segments for the benchmark, in its own state file (recreated each time)."""
    from crm_core import store
    from crm_core.filters import Condition

    state_path.unlink(missing_ok=True)
    return [
        store.save_segment(
            state_path,
            "bench: valuable with e-mail consent",
            (Condition("value_tier", "in", ("high_value", "potential")), Condition("email_consent", "is", (True,))),
        ),
        store.save_segment(
            state_path,
            "bench: lapsing big spenders",
            (
                Condition("rfm_segment", "in", ("at_risk", "cant_lose_them", "about_to_sleep")),
                Condition("monetary", "between", (500.0, None)),
            ),
        ),
    ]


@dataclass
class PageTiming:
    cold_ms: float = 0.0
    runs_ms: list[float] = field(default_factory=list)
    query_ms: list[float] = field(default_factory=list)  # time inside core queries, per run
    by_query_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    segment_runs_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "cold_ms": round(self.cold_ms, 1),
            "p50_ms": round(percentile(self.runs_ms, 50), 1),
            "p95_ms": round(percentile(self.runs_ms, 95), 1),
            "max_ms": round(max(self.runs_ms, default=0.0), 1),
            "query_p50_ms": round(percentile(self.query_ms, 50), 1),
            "query_p95_ms": round(percentile(self.query_ms, 95), 1),
            "segment_p95_ms": round(percentile(self.segment_runs_ms, 95), 1),
            "runs": len(self.runs_ms),
            "slowest_queries_p95_ms": dict(
                sorted(
                    ((k, round(percentile(v, 95), 1)) for k, v in self.by_query_ms.items()),
                    key=lambda kv: -kv[1],
                )[:4]
            ),
            "errors": self.errors[:3],
        }


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return float(statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1])


@contextmanager
def _query_clock() -> Iterator[dict[str, float]]:
    """Time every core query the pages ask ui.py for (the registry's entries are wrapped)."""
    from crm_core import ui

    spent: dict[str, float] = defaultdict(float)
    original = dict(ui._QUERIES)

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += (time.perf_counter() - t0) * 1000

        return wrapper

    ui._QUERIES.update({k: timed(k, v) for k, v in original.items()})
    try:
        yield spent
    finally:
        ui._QUERIES.clear()
        ui._QUERIES.update(original)


@contextmanager
def _one_script_cache() -> Iterator[None]:
    """Compile app.py and each page once, as the live server does (its runtime keeps one
    ScriptCache); AppTest makes a new cache on every run, so every timed run would also
    compile both scripts."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    saved = app_test.ScriptCache, local_script_runner.ScriptCache
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared  # type: ignore[assignment,misc]
    try:
        yield
    finally:
        app_test.ScriptCache, local_script_runner.ScriptCache = saved


def open_section(at: Any, page: AppPage, section: str | None) -> None:
    """Open a section of the page as a click on its tab does (the section's code committed)."""
    if section is not None:
        at.session_state[f"f_tab_{page.name}"] = section


def time_pages(
    db_path: Path,
    state_path: Path,
    pages: list[AppPage],
    runs: int,
    log: Callable[[str], None] = print,
) -> dict[str, PageTiming]:
    from streamlit import logger

    from crm_core import db, overview

    logger.set_log_level("error")  # AppTest's "missing ScriptRunContext" lines
    os.environ["CRM_DB"] = str(db_path)
    os.environ["CRM_STATE"] = str(state_path)
    segment_ids = prepare_segments(state_path)
    con = db.connect(db_path)
    try:
        first_day, last_day = overview.data_bounds(con)
    finally:
        con.close()
    chosen = settings(runs, first_day, last_day, segment_ids)
    with _one_script_cache():
        return _time_sections(pages, chosen, last_day, log)


def _time_sections(
    pages: list[AppPage], chosen: list[Setting], last_day: date, log: Callable[[str], None]
) -> dict[str, PageTiming]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    out: dict[str, PageTiming] = {}
    for page, section in sections(pages):
        # a tabbed page runs only its open section: the page's row is its default section, and
        # every other section has a row of its own ("lifecycle/flows"), opened as a click would
        name = page.name if section is None else f"{page.name}/{section}"
        timing = out[name] = PageTiming()
        st.cache_data.clear()
        st.cache_resource.clear()
        gc.collect()
        at = AppTest.from_file(APP, default_timeout=600)
        at.run()
        at.switch_page(page.path)
        open_section(at, page, section)
        # cold: a fresh connection and empty caches
        st.cache_data.clear()
        st.cache_resource.clear()
        gc.collect()
        with _query_clock():
            t0 = time.perf_counter()
            at.run()
            timing.cold_ms = (time.perf_counter() - t0) * 1000
        if at.exception:
            timing.errors.append(str(at.exception[0].message)[:300])
        for setting in chosen:
            # AppTest (1.67) reruns only the page after switch_page or a session-state change under
            # st.navigation: the router (app.py) must run with the setting in the URL so that the
            # sidebar commits it; then the page alone is timed with empty caches
            at = AppTest.from_file(APP, default_timeout=600)
            for key, value in setting.query_params(last_day).items():
                at.query_params[key] = value
            at.run()
            at.switch_page(page.path)
            open_section(at, page, section)
            st.cache_data.clear()
            with _query_clock() as spent:
                t0 = time.perf_counter()
                at.run()
                elapsed = (time.perf_counter() - t0) * 1000
            applied = at.session_state["filters"]
            wanted = (setting.as_of, setting.period, setting.regions, setting.channels, setting.tiers)
            got = (applied.as_of, applied.period_days, applied.regions, applied.channels, applied.tiers)
            if got != wanted or applied.segment_id != setting.segment_id:
                timing.errors.append(f"{setting}: the page ran with other filters: {applied}")
            timing.runs_ms.append(elapsed)
            if setting.segment_id is not None:
                timing.segment_runs_ms.append(elapsed)
            timing.query_ms.append(sum(spent.values()))
            for k, v in spent.items():
                timing.by_query_ms[k].append(v)
            if at.exception:
                timing.errors.append(f"{setting}: {str(at.exception[0].message)[:300]}")
        s = timing.summary()
        log(
            f"  {name:<28} cold {s['cold_ms']:>8.0f} ms   p50 {s['p50_ms']:>7.0f}   p95 {s['p95_ms']:>7.0f}"
            f"   (queries p95 {s['query_p95_ms']:.0f}; with a segment p95 {s['segment_p95_ms']:.0f})"
            + (f"   ERRORS {len(timing.errors)}" if timing.errors else "")
        )
        del at
    st.cache_data.clear()
    st.cache_resource.clear()
    return out
