"""What the speed-ups must not change, and that the benchmark measures what it says.

Speed itself is measured by `python -m bench`, never asserted here.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from bench import peer
from bench.pages import discover
from bench.server import settings
from crm_core import build, campaigns, db, segments
from crm_core.filters import Condition, Filters

ROOT = Path(__file__).resolve().parent.parent


def test_pages_are_found_in_the_router() -> None:
    listed = re.findall(r'st\.Page\(\s*"(pages/[a-z_0-9]+\.py)"', (ROOT / "app.py").read_text(encoding="utf-8"))
    found = discover()
    assert [p.path for p in found] == listed
    assert all(p.url_path == p.name for p in found)  # the router's rule: url_path = file name
    assert sum(p.default for p in found) == 1


def test_randomised_settings_are_varied_and_valid() -> None:
    chosen = settings(30, date(2023, 11, 16), date(2026, 11, 15), [1, 2])
    assert len(chosen) == 30 and len(set(chosen)) == 30
    assert sum(s.segment_id is not None for s in chosen) == 10
    assert sum(s.as_of == date(2026, 11, 15) for s in chosen) >= 10
    assert any(s.regions for s in chosen) and any(not s.regions for s in chosen)
    for s in chosen:
        Filters(as_of=s.as_of, period_days=s.period, regions=s.regions, channels=s.channels, tiers=s.tiers)


def _lift_row_by_row(perf: pd.DataFrame) -> pd.DataFrame:
    """The statistics with the scalar helpers, one row at a time (the former implementation)."""
    rows = []
    for r in perf.itertuples(index=False):
        low, high, p = campaigns.diff_of_proportions(
            int(r.conversions_treated), int(r.n_treated), int(r.conversions_holdout), int(r.n_holdout)
        )
        wt, wh = (
            campaigns.wilson(int(r.conversions_treated), int(r.n_treated)),
            campaigns.wilson(int(r.conversions_holdout), int(r.n_holdout)),
        )
        mt = r.revenue_treated / r.n_treated if r.n_treated else np.nan
        mh = r.revenue_holdout / r.n_holdout if r.n_holdout else np.nan
        rl, rh, rp = campaigns.welch(
            mt, r.revenue_var_treated, int(r.n_treated), mh, r.revenue_var_holdout, int(r.n_holdout)
        )
        rows.append((low, high, p, *wt, *wh, rl, rh, rp))
    return pd.DataFrame(
        rows,
        columns=[
            "lift_ci_low",
            "lift_ci_high",
            "p_value",
            "rate_treated_ci_low",
            "rate_treated_ci_high",
            "rate_holdout_ci_low",
            "rate_holdout_ci_high",
            "revenue_diff_ci_low",
            "revenue_diff_ci_high",
            "revenue_diff_p_value",
        ],
    )


def test_vectorised_lift_equals_the_row_by_row_statistics(m_db: Path) -> None:
    con = db.connect(m_db)
    try:
        perf = campaigns.campaign_performance(con, Filters(as_of=build.as_of_of(con)))
    finally:
        con.close()
    # edge cases the real data may lack: empty groups, no conversions, all converted, no variance
    extra = perf.head(4).copy()
    extra["campaign_id"] = [f"edge-{i}" for i in range(4)]
    extra["segment"] = "all"
    extra.loc[extra.index[0], ["n_holdout", "conversions_holdout"]] = 0
    extra.loc[extra.index[1], ["conversions_treated", "conversions_holdout"]] = 0
    extra.loc[extra.index[2], "conversions_treated"] = extra.loc[extra.index[2], "n_treated"]
    extra.loc[extra.index[3], ["revenue_var_treated", "revenue_var_holdout"]] = 0.0
    perf = pd.concat([perf, extra], ignore_index=True)
    got = campaigns.lift_table(perf)
    want = _lift_row_by_row(perf)
    for column in want.columns:
        assert np.allclose(got[column].astype(float), want[column].astype(float), equal_nan=True, rtol=1e-12), column
    scalar = [campaigns.verdict(row, campaigns.DEFAULT_MIN_GROUP) for _, row in got.iterrows()]
    assert got["verdict"].tolist() == scalar
    assert set(scalar) >= {"positive", "inconclusive", "too_small"}


def test_the_peer_computes_the_same_numbers(s_db: Path) -> None:
    # compare() asserts that every pandas metric equals ours before timing it
    out = peer.compare(s_db, repeats=1, log=lambda _m: None)
    assert set(out) == {
        "rfm_value_tiers",
        "lifecycle_stage_counts",
        "cohort_retention_matrix",
        "campaign_lift_table",
        "segment_filter_count",
        "_load_s",
    }


def test_the_peer_check_can_fail(con: duckdb.DuckDBPyConnection) -> None:
    as_of = build.as_of_of(con)
    mine = peer.ours(con, as_of)["rfm_value_tiers"]()
    wrong = {**mine, "lost": mine.get("lost", 0) + 1}
    with pytest.raises(AssertionError):
        peer.check_same("rfm_value_tiers", wrong, mine)


@pytest.mark.parametrize("lookback", [365, 180])
def test_segments_at_the_build_date_read_the_rfm_mart_with_the_same_result(
    con: duckdb.DuckDBPyConnection, lookback: int
) -> None:
    as_of = build.as_of_of(con)
    seg = (Condition("value_tier", "in", ("high_value", "potential")), Condition("email_consent", "is", (True,)))
    fast = Filters(as_of=as_of, segment=seg)
    sql, _ = segments.filtered_sql("segment_summary", fast, built_as_of=as_of, lookback_days=lookback)
    assert ("from customer_rfm" in sql) == (lookback == 365)
    for name in ("segment_summary", "segment_count", "overview_kpis"):
        a = segments.run_filtered(con, name, fast, lookback_days=lookback)
        sql, params = segments.filtered_sql(name, fast, built_as_of=None)  # always recomputed
        b = db.run(con, sql, {**params, "lookback_days": lookback})
        pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_the_benchmark_runs_each_page_with_its_settings(s_db: Path, tmp_path: Path) -> None:
    """Every timed run must use its randomised filters (AppTest reruns only the page after a
    page switch, so filters set in session state never reached it before): time_pages reports a
    run whose page saw other filters as an error."""
    from bench.server import time_pages

    overview = [p for p in discover() if p.name == "overview"]
    timings = time_pages(s_db, tmp_path / "state.sqlite", overview, 4, lambda _line: None)
    assert timings["overview"].errors == []
    assert len(timings["overview"].runs_ms) == 4


def test_the_benchmark_compiles_each_script_once_as_the_server_does() -> None:
    """AppTest makes a new ScriptCache on every run (every timed run compiled app.py and the
    page); the live server keeps one. The bench shares one while it times, and restores AppTest."""
    from streamlit.testing.v1 import app_test, local_script_runner

    from bench.server import _one_script_cache

    with _one_script_cache():
        assert app_test.ScriptCache() is local_script_runner.ScriptCache()
        assert app_test.ScriptCache() is app_test.ScriptCache()
    assert app_test.ScriptCache() is not app_test.ScriptCache()


def test_a_page_that_does_not_settle_is_measured_once_more_and_said(monkeypatch: pytest.MonkeyPatch) -> None:
    """The L bench's browser step once timed out on one page and lost every browser figure: a
    timeout is now retried once in a new tab, with what the page showed kept in the result."""
    from bench import browser

    calls: list[str] = []

    def flaky(_browser: object, url: str, changes: int) -> dict[str, object]:
        calls.append(url)
        if len(calls) == 1:
            raise browser.SettleTimeout("timed out waiting for the script run to finish: {'runsDone': 0}")
        return {"change_ms": 250.0}

    monkeypatch.setattr(browser, "_timed_target", flaky)
    lines: list[str] = []
    result = browser._time_target(object(), "http://127.0.0.1:1/x", 3, lines.append)
    assert calls == ["http://127.0.0.1:1/x"] * 2
    assert result["change_ms"] == 250.0
    assert "runsDone" in str(result["retried_after"])
    assert len(lines) == 1 and "once more" in lines[0]
    calls.clear()
    monkeypatch.setattr(browser, "_timed_target", lambda *_a: (_ for _ in ()).throw(browser.SettleTimeout("x")))
    with pytest.raises(browser.SettleTimeout):
        browser._time_target(object(), "u", 3, lines.append)
