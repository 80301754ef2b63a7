"""After-sale service (售后服务与客户抱怨处理): inquiries and complaints by channel and topic,
first-response and resolution times, satisfaction by segment and over time, and whether an
unresolved complaint goes with more dissolved relationships.

Only inbound inquiries and complaints count as service contacts; greetings and notifications
are outbound messages. Times are hours from opening; a contact with no response (resolution) by
the end of the as-of date has no time and counts as open, so medians are of the contacts
answered (resolved) and the share resolved is shown beside them.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from crm_core import campaigns, db, segments
from crm_core.filters import Filters

CONTACT_TYPES: tuple[str, ...] = ("inquiry", "complaint")
SATISFACTION_BREAKDOWNS: tuple[str, ...] = (
    "value_tier",
    "membership_tier",
    "lifecycle_stage",
    "region",
    "acquisition_channel",
)
# each breakdown's value and the join it needs, from the lightest source that has it: region,
# channel and tier are filtered_customers' own columns, the value tier needs the RFM scores
# (segment_rfm), the lifecycle stage segment_base (which joins every customer's scores, tier,
# stage and CLV: a case over all of them kept every join whatever the breakdown)
SATISFACTION_SOURCES: dict[str, tuple[str, str]] = {
    "value_tier": (
        "segment_rfm.value_tier",
        "inner join segment_rfm on segment_rfm.customer_id = interactions.customer_id",
    ),
    "membership_tier": ("cast(filtered_customers.membership_tier as varchar)", ""),
    "lifecycle_stage": (
        "segment_base.lifecycle_stage",
        "inner join segment_base on segment_base.customer_id = interactions.customer_id",
    ),
    "region": ("coalesce(filtered_customers.region, 'unknown')", ""),
    "acquisition_channel": ("coalesce(filtered_customers.acquisition_channel, 'unknown')", ""),
}
COMPLAINT_GROUPS: tuple[str, ...] = ("unresolved", "resolved", "no_complaint")
DISSOLUTION_DAYS = 180  # the lifecycle rule's default
COMPLAINT_WINDOW_DAYS: tuple[int, ...] = (90, 180, 365)


def service_volume(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Contacts by type x channel x topic in the period and the previous period."""
    return segments.run_filtered(con, "service_volume", filters)


def service_times(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Response and resolution times (median, p90), share resolved and satisfaction, by type,
    overall ('all') and by channel and by topic."""
    return segments.run_filtered(con, "service_times", filters)


HEADLINE_COLUMNS: tuple[str, ...] = (
    "interaction_type",
    "contacts",
    "contacts_previous",
    "response_hours_median",
    "response_hours_p90",
    "share_resolved",
    "rated",
    "satisfied",
)


def service_headline(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per contact type: contacts now and in the previous period, and the period's response
    median and p90, share resolved and ratings: the page's headline in one pass (its sections
    other than volume need no more)."""
    return _headline_rows(segments.run_filtered(con, "service_headline", filters))


def headline_from(volume: pd.DataFrame, times: pd.DataFrame) -> pd.DataFrame:
    """The same headline from the volume section's own queries (service_volume, service_times)."""
    counts = volume.groupby("interaction_type")[["contacts", "contacts_previous"]].sum()
    overall = times[times["dimension"] == "all"].set_index("interaction_type")
    rows = overall[["response_hours_median", "response_hours_p90", "share_resolved", "rated", "satisfied"]]
    return _headline_rows(counts.join(rows, how="left").reset_index())


def _headline_rows(df: pd.DataFrame) -> pd.DataFrame:
    """One row per contact type (none in the data: zero contacts), in CONTACT_TYPES order."""
    out = df.set_index("interaction_type").reindex(list(CONTACT_TYPES))
    for column in ("contacts", "contacts_previous", "rated", "satisfied"):
        out[column] = out[column].fillna(0).astype("int64")
    for column in ("response_hours_median", "response_hours_p90", "share_resolved"):
        out[column] = out[column].astype("float64")
    return out.rename_axis("interaction_type").reset_index()[list(HEADLINE_COLUMNS)]


def satisfaction_by(con: duckdb.DuckDBPyConnection, filters: Filters, breakdown: str) -> pd.DataFrame:
    """Satisfaction by a customer attribute with a Wilson interval for the share rated 4-5."""
    if breakdown not in SATISFACTION_BREAKDOWNS:
        raise ValueError(f"breakdown must be one of {SATISFACTION_BREAKDOWNS}, got {breakdown!r}")
    value, join = SATISFACTION_SOURCES[breakdown]
    sql = db.load_filled("service_satisfaction_by", breakdown_value=value, breakdown_join=join)
    df = segments.run_filtered(con, sql, filters)
    return _with_share(df, "satisfied", "rated", "share_satisfied")


def service_trend(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Month by month (24 months): contacts, share resolved, median response, satisfaction."""
    df = segments.run_filtered(con, "service_trend", filters)
    return _with_share(df, "satisfied", "rated", "share_satisfied")


def _with_share(df: pd.DataFrame, count: str, n: str, name: str) -> pd.DataFrame:
    out = df.copy()
    intervals = [campaigns.wilson(int(c), int(k)) for c, k in zip(out[count], out[n], strict=True)]
    out[name] = [int(c) / int(k) if int(k) else float("nan") for c, k in zip(out[count], out[n], strict=True)]
    out[f"{name}_low"] = [lo for lo, _ in intervals]
    out[f"{name}_high"] = [hi for _, hi in intervals]
    return out


def complaint_dissolution(
    con: duckdb.DuckDBPyConnection, filters: Filters, window_days: int = 365
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Dissolution rate per complaint group (with Wilson intervals), and the differences
    'unresolved - resolved' and 'unresolved - no_complaint' with Newcombe intervals and a score
    test's p-value."""
    if window_days not in COMPLAINT_WINDOW_DAYS:
        raise ValueError(f"window_days must be one of {COMPLAINT_WINDOW_DAYS}, got {window_days}")
    raw = segments.run_filtered(
        con, "complaint_dissolution", filters, window_days=window_days, dissolution_days=DISSOLUTION_DAYS
    )
    groups = (
        raw.set_index("complaint_group")
        .reindex(list(COMPLAINT_GROUPS))
        .fillna(0)
        .astype({"customers": int, "dissolved": int})
        .rename_axis("complaint_group")
        .reset_index()
    )
    groups = _with_share(groups, "dissolved", "customers", "dissolution_rate")
    by = groups.set_index("complaint_group")
    rows = []
    for other in ("resolved", "no_complaint"):
        c1, n1 = int(by.at["unresolved", "dissolved"]), int(by.at["unresolved", "customers"])
        c2, n2 = int(by.at[other, "dissolved"]), int(by.at[other, "customers"])
        low, high, p = campaigns.diff_of_proportions(c1, n1, c2, n2)
        diff = c1 / n1 - c2 / n2 if n1 and n2 else float("nan")
        rows.append({"compared_with": other, "difference": diff, "ci_low": low, "ci_high": high, "p_value": p})
    return groups, pd.DataFrame(rows)
