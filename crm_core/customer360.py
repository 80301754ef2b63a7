"""Customer 360 (以一个面孔面对客户): find one customer, show the profile, one timeline of every
touch point, and the next actions that transparent rules suggest.

Search matches the customer id, the full e-mail address, the full phone number or a part of the
name; contacts match only in full so that the box cannot enumerate addresses. The screen shows
contacts masked and never echoes the search text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import duckdb
import pandas as pd

from crm_core import db, membership, segments

MAX_MATCHES = 50
# Timeline event kinds by group (the page filters by group and by channel).
KIND_GROUPS: dict[str, tuple[str, ...]] = {
    "orders": ("order_completed", "order_cancelled", "order_returned"),
    "web": ("web_session",),
    "campaigns": (
        "campaign_sent",
        "campaign_opened",
        "campaign_clicked",
        "campaign_unsubscribed",
        "campaign_held_out",
    ),
    "service": ("inquiry", "complaint", "greeting", "notification"),
    "reviews": ("review",),
    "membership": ("tier_upgrade", "tier_downgrade", "points_redeemed", "points_expired", "signed_up"),
}
# The raw table behind each timeline source (for the completeness test and the docs).
SOURCES: tuple[str, ...] = (
    "customers",
    "orders",
    "web_events",
    "campaign_sends",
    "interactions",
    "reviews",
    "membership_events",
    "points_ledger",
)

# Next-action rules (documented in docs/data-model.md and shown with their reason on screen).
UPGRADE_WITHIN = 0.10  # spend this year within 10 % below the next tier's threshold
WIN_BACK_PERCENTILE = 0.80  # "high value": lifetime spend in the top 20 % of buyers
WIN_BACK_MIN_DAYS = 90  # "long since the last order": more than 90 days ...
WIN_BACK_GAP_FACTOR = 2.0  # ... and more than twice the customer's own average gap
P_ALIVE_FALLING = 0.5  # when scored: P(alive) below one half
NEXT_TIER = {"normal": "silver", "silver": "gold", "gold": "diamond"}


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time())


def search(con: duckdb.DuckDBPyConnection, text: str, max_rows: int = MAX_MATCHES) -> pd.DataFrame:
    """Customers matching `text` (id, full e-mail, full phone, or part of the name)."""
    cleaned = (text or "").strip()
    if not cleaned:
        return pd.DataFrame(columns=["customer_id", "customer_name", "email", "phone", "matched_on"])
    search_id = int(cleaned) if cleaned.isdigit() and len(cleaned) <= 18 else None
    return db.run(
        con,
        "customer_search",
        {
            "search_id": search_id,
            "search_text": cleaned.lower(),
            "search_digits": re.sub(r"\D", "", cleaned),
            "max_rows": max_rows,
        },
    )


def profile(con: duckdb.DuckDBPyConnection, customer_id: int, as_of: date) -> dict[str, Any] | None:
    """The customer's profile at the as-of date, or None when the id is unknown."""
    df = db.run(
        con,
        "customer_profile",
        {
            "customer_id": int(customer_id),
            "as_of": as_of,
            "as_of_end": _end_of(as_of),
            "lookback_days": segments.DEFAULT_LOOKBACK,
        },
    )
    if df.empty:
        return None
    row = {k: (None if _is_missing(v) else v) for k, v in df.iloc[0].to_dict().items()}
    row["clv"] = clv(con, customer_id)
    return row


def _is_missing(v: object) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def clv(con: duckdb.DuckDBPyConnection, customer_id: int) -> dict[str, Any] | None:
    """The lifetime-value score from `customer_clv` when the scoring step has written it."""
    if "customer_clv" not in db.table_names(con):
        return None
    df = db.run(con, "customer_clv_row", {"customer_id": int(customer_id)})
    if df.empty:
        return None
    return {k: (None if _is_missing(v) else v) for k, v in df.iloc[0].to_dict().items()}


def timeline(con: duckdb.DuckDBPyConnection, customer_id: int, as_of: date) -> pd.DataFrame:
    """Every event of the customer up to the end of the as-of date, newest first, with its group."""
    df = db.run(con, "customer_events", {"customer_id": int(customer_id), "as_of_end": _end_of(as_of)})
    group_of = {kind: group for group, kinds in KIND_GROUPS.items() for kind in kinds}
    df["kind_group"] = df["kind"].map(group_of).fillna("other")
    return df


@dataclass(frozen=True)
class Action:
    """A suggested next action: a code (translated on screen) and the values its reason cites."""

    code: str  # upgrade_offer, win_back, call_back, reassign_manager
    values: dict[str, Any]


def next_actions(p: dict[str, Any], within: float = UPGRADE_WITHIN) -> list[Action]:
    """Transparent rules over the profile; each action carries the figures of its reason."""
    actions: list[Action] = []
    open_complaints = int(p.get("open_complaints") or 0)
    if open_complaints > 0:
        actions.append(Action("call_back", {"n": open_complaints, "since": _as_date(p.get("last_open_complaint_at"))}))
    tier = str(p.get("membership_tier") or "normal")
    if tier in NEXT_TIER:
        silver, gold, diamond = membership.tier_thresholds()
        threshold = {"normal": silver, "silver": gold, "gold": diamond}[tier]
        spend = float(p.get("spend_this_year") or 0.0)
        if threshold * (1 - within) <= spend < threshold:
            actions.append(
                Action(
                    "upgrade_offer",
                    {"next_tier": NEXT_TIER[tier], "gap": threshold - spend, "spend": spend, "threshold": threshold},
                )
            )
    percentile = p.get("revenue_percentile")
    days = p.get("days_since_last_order")
    if percentile is not None and float(percentile) >= WIN_BACK_PERCENTILE and days is not None:
        score = p.get("clv") or {}
        p_alive = score.get("p_alive")
        gap = p.get("avg_days_between_orders")
        limit = max(WIN_BACK_MIN_DAYS, WIN_BACK_GAP_FACTOR * float(gap)) if gap is not None else WIN_BACK_MIN_DAYS
        if p_alive is not None and float(p_alive) < P_ALIVE_FALLING:
            actions.append(Action("win_back_p_alive", {"p_alive": float(p_alive), "days": int(days)}))
        elif int(days) > limit:
            actions.append(Action("win_back", {"days": int(days), "limit": math.ceil(limit)}))
    if p.get("has_departed_manager"):
        actions.append(
            Action(
                "reassign_manager", {"manager": p.get("manager_name"), "left_on": _as_date(p.get("manager_left_on"))}
            )
        )
    return actions


def _as_date(v: object) -> date | None:
    if v is None:
        return None
    return pd.Timestamp(v).date()
