"""Before/after of this branch's query-side fixes, interleaved in one process so that a busy
machine slows both sides alike: `python -m bench.ab --db sample_data/demo_L.duckdb`.

* RFM at the build's as-of date: recomputed from every order (before) or read from customer_rfm;
* campaign lift statistics: one statsmodels/scipy call per row (before) or per column.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def _ms(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def _lift_row_by_row(perf: pd.DataFrame) -> None:
    from crm_core import campaigns

    for r in perf.itertuples(index=False):
        campaigns.diff_of_proportions(
            int(r.conversions_treated), int(r.n_treated), int(r.conversions_holdout), int(r.n_holdout)
        )
        campaigns.wilson(int(r.conversions_treated), int(r.n_treated))
        campaigns.wilson(int(r.conversions_holdout), int(r.n_holdout))
        mt = r.revenue_treated / r.n_treated if r.n_treated else np.nan
        mh = r.revenue_holdout / r.n_holdout if r.n_holdout else np.nan
        campaigns.welch(mt, r.revenue_var_treated, int(r.n_treated), mh, r.revenue_var_holdout, int(r.n_holdout))
    [
        campaigns.verdict(row, campaigns.DEFAULT_MIN_GROUP)
        for _, row in perf.assign(lift_ci_low=0.0, lift_ci_high=0.0).iterrows()
    ]


def main(argv: list[str] | None = None) -> int:
    from crm_core import build, campaigns, db, segments
    from crm_core.filters import Condition, Filters

    parser = argparse.ArgumentParser(prog="python -m bench.ab")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    con = db.connect(args.db)
    as_of = build.as_of_of(con)
    seg = (Condition("value_tier", "in", ("high_value", "potential")), Condition("email_consent", "is", (True,)))
    plain, with_segment = Filters(as_of=as_of), Filters(as_of=as_of, segment=seg)

    def recomputed(name: str, f: Filters) -> Callable[[], Any]:
        def run() -> Any:
            sql, params = segments.filtered_sql(name, f, built_as_of=None)
            return db.run(con, sql, params)

        return run

    perf = campaigns.campaign_performance(con, plain)
    cases: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "segment_summary (RFM)": (recomputed("segment_summary", plain), lambda: segments.segment_summary(con, plain)),
        "rfm_grid": (recomputed("rfm_grid", plain), lambda: segments.rfm_grid(con, plain)),
        "segment_count with a segment": (
            recomputed("segment_count", with_segment),
            lambda: segments.segment_count(con, with_segment),
        ),
        "overview_kpis with a segment": (
            recomputed("overview_kpis", with_segment),
            lambda: segments.run_filtered(con, "overview_kpis", with_segment),
        ),
        "campaign lift statistics": (lambda: _lift_row_by_row(perf), lambda: campaigns.lift_table(perf)),
    }
    print(f"{args.db}: as of {as_of}, medians of {args.repeats} interleaved runs")
    for name, (before, after) in cases.items():
        before(), after()  # warm
        b, a = [], []
        for _ in range(args.repeats):
            b.append(_ms(before))
            a.append(_ms(after))
        mb, ma = statistics.median(b), statistics.median(a)
        print(f"  {name:<32} before {mb:>8.1f} ms   after {ma:>8.1f} ms   {mb / max(ma, 1e-9):>6.1f}x")
    con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
