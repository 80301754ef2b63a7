"""The peer: the headline metrics computed with pandas from the raw tables held in memory, the
way typical Streamlit dashboards do it (load the tables once, then group and merge per view),
timed in the same process as ours (the core functions the pages call, on the built marts).

Each peer metric is checked against ours before it is timed, so the comparison is like for like.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SEGMENT = (("value_tier", ("high_value", "potential")), ("email_consent", (True,)))


def load_raw(con: Any) -> dict[str, pd.DataFrame]:
    """The raw tables a dashboard would hold in memory (only the columns the metrics need)."""
    q = {
        "customers": "select customer_id, signed_up_at, email_consent from customers",
        "orders": "select customer_id, ordered_at, status, amount from orders",
        "sends": "select campaign_id, customer_id, assigned_at, is_holdout from campaign_sends",
        "campaigns": "select campaign_id, attribution_window_days from campaigns",
    }
    out = {k: con.execute(v).fetch_df() for k, v in q.items()}
    out["orders"]["amount"] = out["orders"]["amount"].astype(float)
    return out


# -- the peer's metrics --------------------------------------------------------------------------
def _completed(raw: dict[str, pd.DataFrame], as_of: date) -> pd.DataFrame:
    o = raw["orders"]
    o = o[o["status"] == "completed"].copy()
    o["ordered_on"] = o["ordered_at"].dt.normalize()
    return o[o["ordered_on"] <= pd.Timestamp(as_of)]


def peer_rfm(raw: dict[str, pd.DataFrame], as_of: date, lookback: int = 365) -> pd.DataFrame:
    o = _completed(raw, as_of)
    start = pd.Timestamp(as_of) - pd.Timedelta(days=lookback)
    o["in_lookback"] = o["ordered_on"] > start
    o["amount_in_lookback"] = o["amount"].where(o["in_lookback"], 0.0)
    g = o.groupby("customer_id").agg(
        last=("ordered_on", "max"), frequency=("in_lookback", "sum"), monetary=("amount_in_lookback", "sum")
    )
    g["recency_days"] = (pd.Timestamp(as_of) - g["last"]).dt.days
    g["monetary"] = g["monetary"].round(2)
    n = len(g)

    def score(values: pd.Series, ascending: bool) -> pd.Series:
        rank = values.rank(method="min", ascending=ascending)
        pct = (rank - 1) / (n - 1) if n > 1 else rank * 0
        return np.minimum(5, 1 + np.floor(5 * pct)).astype(int)

    g["r_score"] = score(g["recency_days"], ascending=False)
    g["f_score"] = score(g["frequency"], ascending=True)
    g["m_score"] = score(g["monetary"], ascending=True)
    g["value_tier"] = np.select(
        [
            g["recency_days"] > 365,
            g["recency_days"] > 180,
            (g["m_score"] == 5) & (g["f_score"] >= 4),
            (g["r_score"] >= 4) | (g["f_score"] + g["m_score"] >= 7),
        ],
        ["lost", "at_risk", "high_value", "potential"],
        "general",
    )
    return g


def peer_value_tiers(raw: dict[str, pd.DataFrame], as_of: date) -> dict[str, int]:
    return {k: int(v) for k, v in peer_rfm(raw, as_of)["value_tier"].value_counts().items()}


def peer_stage_counts(raw: dict[str, pd.DataFrame], as_of: date) -> dict[str, int]:
    c = raw["customers"]
    known = c[c["signed_up_at"] < pd.Timestamp(as_of) + pd.Timedelta(days=1)][["customer_id"]]
    o = _completed(raw, as_of)
    year_before = pd.Timestamp(as_of) - pd.Timedelta(days=365)
    g = o.groupby("customer_id").agg(last=("ordered_on", "max"))
    g["orders_365d"] = o[o["ordered_on"] > year_before].groupby("customer_id").size()
    g = known.merge(g, left_on="customer_id", right_index=True, how="left")
    days = (pd.Timestamp(as_of) - g["last"]).dt.days
    stage = np.select(
        [g["last"].isna(), days > 180, g["orders_365d"].fillna(0) >= 3],
        ["cognition", "dissolution", "commitment"],
        "exploration",
    )
    return {k: int(v) for k, v in pd.Series(stage).value_counts().items()}


def peer_cohort_matrix(raw: dict[str, pd.DataFrame], as_of: date) -> pd.DataFrame:
    c = raw["customers"]
    c = c[c["signed_up_at"] < pd.Timestamp(as_of) + pd.Timedelta(days=1)].copy()
    c["cohort_month"] = c["signed_up_at"].dt.year * 12 + c["signed_up_at"].dt.month - 1  # months since year 0
    o = _completed(raw, as_of)
    o["order_month"] = o["ordered_on"].dt.year * 12 + o["ordered_on"].dt.month - 1
    active = o[["customer_id", "order_month"]].drop_duplicates().merge(c, on="customer_id")
    active = active[active["order_month"] >= active["cohort_month"]]
    active["months_since"] = active["order_month"] - active["cohort_month"]
    cells = active.groupby(["cohort_month", "months_since"]).size().rename("active_customers").reset_index()
    sizes = c.groupby("cohort_month").size().rename("cohort_size")
    cells = cells.merge(sizes, left_on="cohort_month", right_index=True)
    cells["share_active"] = cells["active_customers"] / cells["cohort_size"]
    return cells


def peer_campaign_lift(raw: dict[str, pd.DataFrame], as_of: date) -> pd.DataFrame:
    from statsmodels.stats.proportion import confint_proportions_2indep

    s = raw["sends"]
    s = s[s["assigned_at"].dt.normalize() <= pd.Timestamp(as_of)].merge(raw["campaigns"], on="campaign_id")
    o = _completed(raw, as_of)[["customer_id", "ordered_at"]]
    pairs = s.merge(o, on="customer_id")
    pairs = pairs[
        (pairs["ordered_at"] > pairs["assigned_at"])
        & (pairs["ordered_at"] <= pairs["assigned_at"] + pd.to_timedelta(pairs["attribution_window_days"], unit="D"))
    ]
    converted = pairs[["campaign_id", "customer_id"]].drop_duplicates().assign(is_converted=True)
    s = s.merge(converted, on=["campaign_id", "customer_id"], how="left")
    s["is_converted"] = s["is_converted"].fillna(False).astype(bool)
    t = s.groupby(["campaign_id", "is_holdout"]).agg(n=("customer_id", "size"), c=("is_converted", "sum"))
    t = t.unstack("is_holdout").fillna(0)
    out = pd.DataFrame(
        {
            "n_treated": t[("n", False)].astype(int),
            "n_holdout": t[("n", True)].astype(int),
            "conversions_treated": t[("c", False)].astype(int),
            "conversions_holdout": t[("c", True)].astype(int),
        }
    )
    lows, highs = [], []
    for nt, nh, ct, ch in out.itertuples(index=False, name=None):
        if nt == 0 or nh == 0:
            lows.append(math.nan)
            highs.append(math.nan)
            continue
        low, high = confint_proportions_2indep(ct, nt, ch, nh, method="newcomb", compare="diff")
        lows.append(low)
        highs.append(high)
    out["lift_abs"] = out["conversions_treated"] / out["n_treated"] - out["conversions_holdout"] / out["n_holdout"]
    out["lift_ci_low"], out["lift_ci_high"] = lows, highs
    return out


def peer_segment_count(raw: dict[str, pd.DataFrame], as_of: date) -> int:
    rfm = peer_rfm(raw, as_of)
    c = raw["customers"]
    c = c[(c["signed_up_at"] < pd.Timestamp(as_of) + pd.Timedelta(days=1)) & c["email_consent"].fillna(False)]
    tiers = rfm["value_tier"].reindex(c["customer_id"]).fillna("no_purchase")
    return int(tiers.isin(SEGMENT[0][1]).sum())


# -- ours: the core functions the pages call -------------------------------------------------------
def ours(con: Any, as_of: date) -> dict[str, Callable[[], Any]]:
    from crm_core import campaigns, lifecycle, segments
    from crm_core.filters import Condition, Filters

    f = Filters(as_of=as_of)
    seg = tuple(Condition(k, "is" if k == "email_consent" else "in", v) for k, v in SEGMENT)

    def value_tiers() -> dict[str, int]:
        s = segments.segment_summary(con, f)
        s = s[s["dimension"] == "value_tier"]
        return dict(zip(s["dimension_value"], s["customers"].astype(int), strict=True))

    def stage_counts() -> dict[str, int]:
        m = lifecycle.stage_mix(con, f, lifecycle.StageRules())
        return {k: int(v) for k, v in m.groupby("stage")["customers"].sum().items()}

    def cohort_matrix() -> pd.DataFrame:
        return lifecycle.cohort_retention(con, f, "signup")

    def campaign_lift() -> pd.DataFrame:
        return campaigns.campaign_lift(con, f)

    def segment_count() -> int:
        return int(segments.segment_count(con, Filters(as_of=as_of, segment=seg)).iloc[0]["customers"])

    return {
        "rfm_value_tiers": value_tiers,
        "lifecycle_stage_counts": stage_counts,
        "cohort_retention_matrix": cohort_matrix,
        "campaign_lift_table": campaign_lift,
        "segment_filter_count": segment_count,
    }


def check_same(name: str, peer: Any, mine: Any) -> None:
    """The peer computes what we compute (AssertionError naming the metric otherwise)."""
    if name in ("rfm_value_tiers", "lifecycle_stage_counts"):
        assert {k: v for k, v in peer.items() if v} == {k: v for k, v in mine.items() if v}, (name, peer, mine)
    elif name == "segment_filter_count":
        assert peer == mine, (name, peer, mine)
    elif name == "cohort_retention_matrix":
        months = peer["cohort_month"].astype(int)
        a = peer.assign(cohort_month=pd.to_datetime({"year": months // 12, "month": months % 12 + 1, "day": 1}))
        a = a.set_index(["cohort_month", "months_since"])["active_customers"].sort_index()
        b = mine.assign(cohort_month=pd.to_datetime(mine["cohort_month"]))
        b = b.set_index(["cohort_month", "months_since"])["active_customers"].astype(int).sort_index()
        assert a.index.equals(b.index) and (a.to_numpy() == b.to_numpy()).all(), name
    elif name == "campaign_lift_table":
        b = mine[mine["segment"] == "all"].set_index("campaign_id").sort_index()
        a = peer.sort_index()
        for col in ("n_treated", "n_holdout", "conversions_treated", "conversions_holdout"):
            assert (a[col].to_numpy() == b[col].astype(int).to_numpy()).all(), (name, col)
        for col in ("lift_ci_low", "lift_ci_high"):
            assert np.allclose(a[col].to_numpy(), b[col].astype(float).to_numpy(), atol=1e-9, equal_nan=True), col


def _median_ms(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def compare(db_path: Path, repeats: int = 3, log: Callable[[str], None] = print) -> dict[str, dict[str, float]]:
    from crm_core import build, db

    con = db.connect(db_path)
    try:
        as_of = build.as_of_of(con)
        t0 = time.perf_counter()
        raw = load_raw(con)
        load_s = time.perf_counter() - t0
        log(f"  peer: raw tables loaded into pandas in {load_s:.1f} s (not counted below)")
        peers: dict[str, Callable[[], Any]] = {
            "rfm_value_tiers": lambda: peer_value_tiers(raw, as_of),
            "lifecycle_stage_counts": lambda: peer_stage_counts(raw, as_of),
            "cohort_retention_matrix": lambda: peer_cohort_matrix(raw, as_of),
            "campaign_lift_table": lambda: peer_campaign_lift(raw, as_of),
            "segment_filter_count": lambda: peer_segment_count(raw, as_of),
        }
        mine = ours(con, as_of)
        out: dict[str, dict[str, float]] = {}
        for name, peer_fn in peers.items():
            mine[name]()  # warm: the file's blocks in memory, as in a running app
            ours_ms, mine_result = _median_ms(mine[name], max(repeats, 5))
            peer_ms, peer_result = _median_ms(peer_fn, repeats)
            check_same(name, peer_result, mine_result)
            ratio = peer_ms / ours_ms if ours_ms > 0 else math.inf
            out[name] = {"ours_ms": round(ours_ms, 1), "peer_ms": round(peer_ms, 1), "ratio": round(ratio, 1)}
            log(f"  {name:<26} ours {ours_ms:>8.1f} ms   pandas {peer_ms:>9.1f} ms   peer/ours {ratio:>6.1f}x")
        out["_load_s"] = {"seconds": round(load_s, 1)}
        return out
    finally:
        con.close()
