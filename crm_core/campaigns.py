"""Campaign responses and the lift over a holdout: what a campaign caused, with its uncertainty.

Counts come from SQL (sql/queries/campaign_performance.sql over the campaign_results mart);
the statistics come from statsmodels and scipy:
* conversion lift: difference of two proportions with Newcombe's hybrid score interval, which
  keeps its coverage for small groups and rare events, and the score test's p-value;
* revenue per customer and spend after the campaign: Welch's unequal-variance t interval;
* balance: Welch test of pre-period spend, chi-square test of the tier mix, and a binomial
  test of the holdout share against the planned share (sample-ratio mismatch).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, test_proportions_2indep

from crm_core import segments
from crm_core.filters import Filters

# The campaign_lift mart (issue 5's contract); lift_table() adds more columns for the page.
CAMPAIGN_LIFT_COLUMNS: tuple[str, ...] = (
    "campaign_id",
    "segment",
    "n_treated",
    "n_holdout",
    "conversions_treated",
    "conversions_holdout",
    "rate_treated",
    "rate_holdout",
    "lift_abs",
    "lift_ci_low",
    "lift_ci_high",
    "p_value",
    "revenue_per_treated",
    "revenue_per_holdout",
    "incremental_conversions",
    "incremental_revenue",
    "incremental_roi",
    "verdict",
)
WINDOW_CHOICES: tuple[int, ...] = (0, 7, 14, 30, 60, 90)  # 0: each campaign's own window
DEFAULT_MIN_GROUP = 50
PLANNED_HOLDOUT_SHARE = 0.10
ALPHA = 0.05


@dataclass(frozen=True)
class LiftSettings:
    window_days: int = 0
    min_group: int = DEFAULT_MIN_GROUP
    planned_holdout_share: float = PLANNED_HOLDOUT_SHARE

    def __post_init__(self) -> None:
        if self.window_days not in WINDOW_CHOICES:
            raise ValueError(f"window_days must be one of {WINDOW_CHOICES}, got {self.window_days}")
        if self.min_group < 1:
            raise ValueError("min_group must be at least 1")
        if not 0 < self.planned_holdout_share < 1:
            raise ValueError("planned_holdout_share must be between 0 and 1")


def campaign_performance(con: duckdb.DuckDBPyConnection, filters: Filters, window_days: int = 0) -> pd.DataFrame:
    """Raw counts per campaign per segment ('all' and each membership tier at assignment)."""
    if window_days not in WINDOW_CHOICES:
        raise ValueError(f"window_days must be one of {WINDOW_CHOICES}, got {window_days}")
    return segments.run_filtered(con, "campaign_performance", filters, window_days=window_days)


def diff_of_proportions(c_t: int, n_t: int, c_h: int, n_h: int) -> tuple[float, float, float]:
    """(low, high, p-value) for rate_treated - rate_holdout: Newcombe interval, score test."""
    if n_t == 0 or n_h == 0:
        return (math.nan, math.nan, math.nan)
    low, high = confint_proportions_2indep(c_t, n_t, c_h, n_h, method="newcomb", compare="diff", alpha=ALPHA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0/n vs 0/n: no variance, p is 1
        p = test_proportions_2indep(c_t, n_t, c_h, n_h, method="score", compare="diff").pvalue
    return (float(low), float(high), 1.0 if math.isnan(p) else float(p))


def welch(mean_t: float, var_t: float, n_t: int, mean_h: float, var_h: float, n_h: int) -> tuple[float, float, float]:
    """(low, high, p-value) for mean_treated - mean_holdout with Welch's t interval."""
    if n_t < 2 or n_h < 2 or any(pd.isna(v) for v in (mean_t, var_t, mean_h, var_h)):
        return (math.nan, math.nan, math.nan)
    se2 = var_t / n_t + var_h / n_h
    diff = mean_t - mean_h
    if se2 <= 0:
        return (diff, diff, 1.0 if diff == 0 else 0.0)
    df = se2**2 / ((var_t / n_t) ** 2 / (n_t - 1) + (var_h / n_h) ** 2 / (n_h - 1))
    half = float(stats.t.ppf(1 - ALPHA / 2, df)) * math.sqrt(se2)
    p = stats.ttest_ind_from_stats(mean_t, math.sqrt(var_t), n_t, mean_h, math.sqrt(var_h), n_h, equal_var=False).pvalue
    return (diff - half, diff + half, float(p))


def wilson(count: int, n: int) -> tuple[float, float]:
    if n == 0:
        return (math.nan, math.nan)
    low, high = proportion_confint(count, n, alpha=ALPHA, method="wilson")
    return (float(low), float(high))


def verdict(row: pd.Series, min_group: int) -> str:
    """'open' (window not closed), 'too_small', 'positive', 'negative' or 'inconclusive'."""
    if bool(row.get("is_window_open", False)):
        return "open"
    if row["n_treated"] < min_group or row["n_holdout"] < min_group:
        return "too_small"
    if row["lift_ci_low"] > 0:
        return "positive"
    if row["lift_ci_high"] < 0:
        return "negative"
    return "inconclusive"


def _floats(values: object) -> np.ndarray:
    return np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)


def diff_of_proportions_arrays(
    c_t: object, n_t: object, c_h: object, n_h: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """diff_of_proportions for whole columns at once (NaN where a group is empty)."""
    ct, nt, ch, nh = (_floats(v) for v in (c_t, n_t, c_h, n_h))
    low, high, p = (np.full(len(ct), np.nan) for _ in range(3))
    ok = (nt > 0) & (nh > 0)
    if ok.any():
        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # 0/n vs 0/n: no variance, p is 1
            lo, hi = confint_proportions_2indep(
                ct[ok], nt[ok], ch[ok], nh[ok], method="newcomb", compare="diff", alpha=ALPHA
            )
            pv = test_proportions_2indep(ct[ok], nt[ok], ch[ok], nh[ok], method="score", compare="diff").pvalue
        low[ok], high[ok] = lo, hi
        p[ok] = np.where(np.isnan(pv), 1.0, pv)
    return low, high, p


def wilson_arrays(count: object, n: object) -> tuple[np.ndarray, np.ndarray]:
    c, nn = _floats(count), _floats(n)
    low, high = np.full(len(c), np.nan), np.full(len(c), np.nan)
    ok = nn > 0
    if ok.any():
        low[ok], high[ok] = proportion_confint(c[ok], nn[ok], alpha=ALPHA, method="wilson")
    return low, high


def welch_arrays(
    mean_t: object, var_t: object, n_t: object, mean_h: object, var_h: object, n_h: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """welch for whole columns at once."""
    mt, vt, nt, mh, vh, nh = (_floats(v) for v in (mean_t, var_t, n_t, mean_h, var_h, n_h))
    low, high, p = (np.full(len(mt), np.nan) for _ in range(3))
    ok = (nt >= 2) & (nh >= 2) & ~np.isnan(mt) & ~np.isnan(vt) & ~np.isnan(mh) & ~np.isnan(vh)
    with np.errstate(divide="ignore", invalid="ignore"):
        se2 = vt / nt + vh / nh
        diff = mt - mh
        flat = ok & (se2 <= 0)
        low[flat], high[flat] = diff[flat], diff[flat]
        p[flat] = np.where(diff[flat] == 0, 1.0, 0.0)
        var = ok & (se2 > 0)
        if var.any():
            a, b = vt[var] / nt[var], vh[var] / nh[var]
            df = (a + b) ** 2 / (a**2 / (nt[var] - 1) + b**2 / (nh[var] - 1))
            half = stats.t.ppf(1 - ALPHA / 2, df) * np.sqrt(se2[var])
            low[var], high[var] = diff[var] - half, diff[var] + half
            p[var] = stats.ttest_ind_from_stats(
                mt[var], np.sqrt(vt[var]), nt[var], mh[var], np.sqrt(vh[var]), nh[var], equal_var=False
            ).pvalue
    return low, high, p


def verdicts(table: pd.DataFrame, min_group: int) -> list[str]:
    """verdict() for every row at once."""
    is_open = np.array(
        [bool(v) for v in table["is_window_open"]] if "is_window_open" in table else [False] * len(table)
    )
    small = (table["n_treated"].to_numpy() < min_group) | (table["n_holdout"].to_numpy() < min_group)
    low, high = _floats(table["lift_ci_low"]), _floats(table["lift_ci_high"])
    with np.errstate(invalid="ignore"):
        return list(
            np.select(
                [is_open, small, low > 0, high < 0],
                ["open", "too_small", "positive", "negative"],
                "inconclusive",
            )
        )


def lift_table(perf: pd.DataFrame, settings: LiftSettings | None = None) -> pd.DataFrame:
    """The campaign_lift columns from the counts of campaign_performance()."""
    settings = settings or LiftSettings()
    out = perf.copy()
    if out.empty:
        for col in CAMPAIGN_LIFT_COLUMNS:
            if col not in out:
                out[col] = pd.Series(dtype=float)
        return out
    n_t, n_h = out["n_treated"].astype(int), out["n_holdout"].astype(int)
    c_t, c_h = out["conversions_treated"].astype(int), out["conversions_holdout"].astype(int)
    out["rate_treated"] = c_t / n_t.replace(0, np.nan)
    out["rate_holdout"] = c_h / n_h.replace(0, np.nan)
    out["lift_abs"] = out["rate_treated"] - out["rate_holdout"]
    # one vectorised call per statistic (the same statsmodels/scipy functions as the scalar
    # helpers above, which a test checks row for row): a per-row loop cost ~5 ms a row
    out["lift_ci_low"], out["lift_ci_high"], out["p_value"] = diff_of_proportions_arrays(c_t, n_t, c_h, n_h)
    out["rate_treated_ci_low"], out["rate_treated_ci_high"] = wilson_arrays(c_t, n_t)
    out["rate_holdout_ci_low"], out["rate_holdout_ci_high"] = wilson_arrays(c_h, n_h)
    out["revenue_per_treated"] = out["revenue_treated"] / n_t.replace(0, np.nan)
    out["revenue_per_holdout"] = out["revenue_holdout"] / n_h.replace(0, np.nan)
    out["revenue_diff_ci_low"], out["revenue_diff_ci_high"], out["revenue_diff_p_value"] = welch_arrays(
        out["revenue_per_treated"],
        out["revenue_var_treated"],
        n_t,
        out["revenue_per_holdout"],
        out["revenue_var_holdout"],
        n_h,
    )
    out["incremental_conversions"] = out["lift_abs"] * n_t
    out["incremental_revenue"] = (out["revenue_per_treated"] - out["revenue_per_holdout"]) * n_t
    # a segment carries the campaign's cost in proportion to its treated customers
    treated_all = out["campaign_id"].map(out[out["segment"] == "all"].set_index("campaign_id")["n_treated"])
    out["segment_cost"] = out["cost"] * n_t / treated_all.replace(0, np.nan)
    out["incremental_roi"] = (out["incremental_revenue"] - out["segment_cost"]) / out["segment_cost"].replace(0, np.nan)
    out["naive_revenue"] = out["revenue_treated"]
    out["naive_roi"] = (out["naive_revenue"] - out["segment_cost"]) / out["segment_cost"].replace(0, np.nan)
    out["verdict"] = verdicts(out, settings.min_group)
    return out


def campaign_lift(
    con: duckdb.DuckDBPyConnection, filters: Filters, settings: LiftSettings | None = None
) -> pd.DataFrame:
    settings = settings or LiftSettings()
    return lift_table(campaign_performance(con, filters, settings.window_days), settings)


def balance_checks(perf_all: pd.Series, perf_tiers: pd.DataFrame, planned_share: float) -> dict[str, float]:
    """p-values of three checks that treated and holdout were alike before the campaign."""
    n_t, n_h = int(perf_all["n_treated"]), int(perf_all["n_holdout"])
    checks: dict[str, float] = {}
    checks["sample_ratio_p"] = (
        float(stats.binomtest(n_h, n_t + n_h, planned_share).pvalue) if n_t + n_h > 0 else math.nan
    )
    _, _, checks["pre_spend_p"] = welch(
        perf_all["spend_before_treated"],
        perf_all["spend_before_var_treated"],
        n_t,
        perf_all["spend_before_holdout"],
        perf_all["spend_before_var_holdout"],
        n_h,
    )
    table = perf_tiers[["n_treated", "n_holdout"]].to_numpy()
    table = table[table.sum(axis=1) > 0]
    if table.shape[0] >= 2 and (table.sum(axis=0) > 0).all():
        checks["tier_mix_p"] = float(stats.chi2_contingency(table).pvalue)
    else:
        checks["tier_mix_p"] = math.nan
    return checks


def followup_spend(perf_all: pd.Series) -> pd.DataFrame:
    """Spend per customer 30/60/90 days after assignment, treated vs holdout, with Welch intervals."""
    rows = []
    for days in (30, 60, 90):
        mt, mh = perf_all[f"spend_{days}d_treated"], perf_all[f"spend_{days}d_holdout"]
        low, high, p = welch(
            mt,
            perf_all[f"spend_{days}d_var_treated"],
            int(perf_all["n_treated"]),
            mh,
            perf_all[f"spend_{days}d_var_holdout"],
            int(perf_all["n_holdout"]),
        )
        rows.append(
            {
                "days": days,
                "spend_treated": mt,
                "spend_holdout": mh,
                "diff": mt - mh,
                "ci_low": low,
                "ci_high": high,
                "p_value": p,
            }
        )
    return pd.DataFrame(rows)


def build_campaign_lift(con: duckdb.DuckDBPyConnection, as_of: date) -> int:
    """Store the lift table for each campaign's own window and no filters as the campaign_lift mart.

    grain: one row per campaign per segment ('all' and one per membership tier at assignment)
    """
    lift = campaign_lift(con, Filters(as_of=as_of))
    frame = lift[list(CAMPAIGN_LIFT_COLUMNS)].reset_index(drop=True)
    con.execute("drop table if exists campaign_lift")
    con.register("campaign_lift_frame", frame)
    try:
        con.execute("create table campaign_lift as select * from campaign_lift_frame")
    finally:
        con.unregister("campaign_lift_frame")
    return len(frame)
