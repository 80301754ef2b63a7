"""Service figures recomputed from the raw interactions with pandas; unresolved complaints and
dissolution on M against the planted effect."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from crm_core import db, segments, service
from crm_core.filters import Filters

AS_OF = date(2026, 11, 15)
END = datetime(2026, 11, 16)


def contacts(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    df = db.run(
        con,
        "select i.*, c.region from interactions i join customers c using (customer_id)"
        " where i.interaction_type in ('inquiry', 'complaint')",
    )
    end = pd.Timestamp(f.as_of + timedelta(days=1))
    df = df[(df["opened_at"] < end) & (df["opened_at"].dt.date >= f.period_start)]
    if f.regions:
        df = df[df["region"].isin(f.regions)]
    answered = df["first_response_at"] < end
    df["response_hours"] = np.where(
        answered, (df["first_response_at"] - df["opened_at"]).dt.total_seconds() / 3600, np.nan
    )
    resolved = df["resolved_at"] < end
    df["resolution_hours"] = np.where(resolved, (df["resolved_at"] - df["opened_at"]).dt.total_seconds() / 3600, np.nan)
    df["rating"] = df["satisfaction"].where(answered)
    return df


@pytest.mark.parametrize(
    "f",
    [
        Filters(as_of=AS_OF, period_days=90),
        Filters(as_of=AS_OF, period_days=365, regions=("east", "south")),
        Filters(as_of=date(2025, 12, 31), period_days=180),
    ],
)
def test_times_and_volumes_equal_pandas(con: duckdb.DuckDBPyConnection, f: Filters) -> None:
    df = contacts(con, f)
    times = service.service_times(con, f)
    for kind in service.CONTACT_TYPES:
        part = df[df["interaction_type"] == kind]
        row = times[(times["interaction_type"] == kind) & (times["dimension"] == "all")].iloc[0]
        assert row["contacts"] == len(part) > 0
        assert row["responded"] == part["response_hours"].notna().sum()
        assert row["response_hours_median"] == pytest.approx(part["response_hours"].quantile(0.5))
        assert row["response_hours_p90"] == pytest.approx(part["response_hours"].quantile(0.9))
        assert row["resolution_hours_median"] == pytest.approx(part["resolution_hours"].quantile(0.5))
        assert row["resolution_hours_p90"] == pytest.approx(part["resolution_hours"].quantile(0.9))
        assert row["share_resolved"] == pytest.approx(part["resolution_hours"].notna().mean())
        assert row["avg_satisfaction"] == pytest.approx(part["rating"].mean())
        assert row["satisfied"] == (part["rating"] >= 4).sum()
        by_channel = times[(times["interaction_type"] == kind) & (times["dimension"] == "channel")]
        medians = part.groupby("channel")["response_hours"].median()
        got = by_channel.set_index("dimension_value")["response_hours_median"]
        assert got.reindex(medians.index).to_numpy() == pytest.approx(medians.to_numpy())
    volume = service.service_volume(con, f)
    counted = df.groupby(["interaction_type", "channel", "topic"]).size()
    got = volume.set_index(["interaction_type", "channel", "topic"])["contacts"]
    assert got[got > 0].sort_index().to_dict() == counted.sort_index().to_dict()
    # the headline of the other sections, in one pass, equals the volume section's from both
    headline = service.service_headline(con, f)
    pd.testing.assert_frame_equal(headline, service.headline_from(volume, times))
    assert (
        headline.set_index("interaction_type").at["complaint", "contacts"]
        == (df["interaction_type"] == "complaint").sum()
    )


def test_the_headline_of_a_quiet_period_and_a_tier(con: duckdb.DuckDBPyConnection) -> None:
    """Both ways agree where a type has no contacts now (zeros, no times) and under a tier."""
    first = pd.Timestamp(db.scalar(con, "select min(opened_at) from interactions")).date()
    for f in (
        Filters(as_of=first + timedelta(days=3), period_days=7),
        Filters(as_of=AS_OF, period_days=30, tiers=("gold", "diamond")),
    ):
        volume, times = service.service_volume(con, f), service.service_times(con, f)
        headline = service.service_headline(con, f)
        pd.testing.assert_frame_equal(headline, service.headline_from(volume, times))
        assert list(headline["interaction_type"]) == list(service.CONTACT_TYPES)


def test_satisfaction_by_region_and_trend_equal_pandas(con: duckdb.DuckDBPyConnection) -> None:
    f = Filters(as_of=AS_OF, period_days=365)
    df = contacts(con, f).dropna(subset=["rating"])
    got = service.satisfaction_by(con, f, "region").set_index(["breakdown_value", "interaction_type"])
    expected = df.groupby(["region", "interaction_type"])["rating"].agg(["count", "mean"])
    assert got["rated"].reindex(expected.index).tolist() == expected["count"].tolist()
    assert got["avg_satisfaction"].reindex(expected.index).to_numpy() == pytest.approx(expected["mean"].to_numpy())
    assert (
        (got["share_satisfied_low"] <= got["share_satisfied"]) & (got["share_satisfied"] <= got["share_satisfied_high"])
    ).all()
    trend = service.service_trend(con, f)
    assert trend["month_start"].nunique() <= 24
    last = trend[trend["month_start"] == trend["month_start"].max()]
    assert pd.Timestamp(last["month_start"].iloc[0]).date() == date(2026, 11, 1)
    with pytest.raises(ValueError, match="breakdown"):
        service.satisfaction_by(con, f, "customer_name")


@pytest.mark.parametrize("breakdown", service.SATISFACTION_BREAKDOWNS)
def test_satisfaction_by_each_breakdown_equals_the_segment_list(con: duckdb.DuckDBPyConnection, breakdown: str) -> None:
    """Each breakdown's attribute comes from its own lightest source (service.SATISFACTION_SOURCES):
    the counts equal the rated contacts grouped by that attribute as the segment list (segment_base)
    gives it, under a tier and a region so that the filters matter."""
    f = Filters(as_of=AS_OF, period_days=180, regions=("east", "north"), tiers=("normal", "gold"))
    df = contacts(con, f).dropna(subset=["rating"])
    people = segments.segment_customers(con, f, limit=None).set_index("customer_id")
    df = df[df["customer_id"].isin(people.index)]
    df["value"] = people[breakdown].reindex(df["customer_id"]).fillna("unknown").to_numpy()
    expected = df.groupby(["value", "interaction_type"])["rating"].agg(["count", "mean"])
    got = service.satisfaction_by(con, f, breakdown).set_index(["breakdown_value", "interaction_type"])
    assert len(expected) > 1
    assert sorted(got.index) == sorted(expected.index)
    assert got["rated"].reindex(expected.index).tolist() == expected["count"].tolist()
    assert got["avg_satisfaction"].reindex(expected.index).to_numpy() == pytest.approx(expected["mean"].to_numpy())


def pandas_complaint_groups(con: duckdb.DuckDBPyConnection, window: int) -> pd.Series:
    window_end = AS_OF - timedelta(days=service.DISSOLUTION_DAYS)
    window_start = window_end - timedelta(days=window)
    c = db.run(con, "select customer_id, opened_at, resolved_at from interactions where interaction_type = 'complaint'")
    c = c[(c["opened_at"].dt.date > window_start) & (c["opened_at"].dt.date <= window_end)]
    c["open"] = c["resolved_at"].isna() | (c["resolved_at"] >= pd.Timestamp(END))
    unresolved = set(c.loc[c["open"], "customer_id"])
    complained = set(c["customer_id"])
    o = db.run(con, "select customer_id, cast(ordered_at as date) as d from orders where status = 'completed'")
    o["d"] = pd.to_datetime(o["d"]).dt.date
    buyers = set(o.loc[(o["d"] > window_start) & (o["d"] <= window_end), "customer_id"])
    recent = set(o.loc[(o["d"] <= AS_OF) & (o["d"] > AS_OF - timedelta(days=service.DISSOLUTION_DAYS)), "customer_id"])
    groups = {
        "unresolved": unresolved,
        "resolved": complained - unresolved,
        "no_complaint": buyers - complained,
    }
    return pd.Series({g: (len(ids), len(ids - recent)) for g, ids in groups.items()})


def test_complaint_groups_equal_pandas(con: duckdb.DuckDBPyConnection) -> None:
    groups, diffs = service.complaint_dissolution(con, Filters(as_of=AS_OF), 365)
    expected = pandas_complaint_groups(con, 365)
    for _, row in groups.iterrows():
        assert (row["customers"], row["dissolved"]) == expected[row["complaint_group"]]
    assert list(diffs["compared_with"]) == ["resolved", "no_complaint"]


def test_unresolved_complaints_dissolve_more_as_planted(m_db: Path) -> None:
    """The generator makes 60 % of unresolved complaints end the relationship, 5 % of resolved."""
    c = db.connect(m_db)
    try:
        _groups, diffs = service.complaint_dissolution(c, Filters(as_of=AS_OF), 365)
    finally:
        c.close()
    d = diffs.set_index("compared_with")
    assert d.at["resolved", "ci_low"] > 0.1
    assert d.at["no_complaint", "ci_low"] > 0.1
    assert d.at["resolved", "ci_low"] < d.at["resolved", "difference"] < d.at["resolved", "ci_high"]
    assert d.at["resolved", "p_value"] < 1e-6
