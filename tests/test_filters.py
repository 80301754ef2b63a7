"""Global filters: validation, URL round trip, and bound parameters."""

from __future__ import annotations

from datetime import date

import pytest

from crm_core import db
from crm_core.filters import Filters, from_query_params

LAST = date(2026, 11, 15)


def test_url_round_trip() -> None:
    f = Filters(as_of=date(2026, 3, 31), period_days=90, regions=("east", "north"), tiers=("gold",))
    q = f.to_query_params(LAST)
    assert q == {"as_of": "2026-03-31", "period": "90", "region": "east,north", "tier": "gold"}
    assert from_query_params(q, LAST) == f


def test_defaults_leave_the_url_clean() -> None:
    assert Filters(as_of=LAST).to_query_params(LAST) == {}


@pytest.mark.parametrize(
    "q",
    [
        {"as_of": "2099-01-01"},
        {"as_of": "yesterday"},
        {"period": "13"},
        {"period": "'; drop table orders; --"},
        {"region": "east' or '1'='1"},
        {"tier": "platinum,🙂,金卡"},
    ],
)
def test_bad_url_values_fall_back_to_defaults(q: dict[str, str]) -> None:
    f = from_query_params(q, LAST)
    assert f.as_of == LAST and f.period_days == 30 and f.regions == () and f.tiers == ()


def test_unknown_codes_are_rejected_with_the_allowed_names() -> None:
    with pytest.raises(ValueError, match="expected some of east"):
        Filters(as_of=LAST, regions=("atlantis",))
    with pytest.raises(ValueError, match="period_days must be one of"):
        Filters(as_of=LAST, period_days=12)


def test_run_binds_only_the_parameters_a_query_names() -> None:
    sql = "select $a + 1 as x"
    assert db.bind(sql, {"a": 1, "unused": 2}) == {"a": 1}
    with pytest.raises(ValueError, match="needs parameters"):
        db.bind(sql, {})


def test_query_names_are_allow_listed() -> None:
    with pytest.raises(ValueError):
        db.load_sql("../staging/stg_orders")
    with pytest.raises(ValueError, match="no such query"):
        db.load_sql("does_not_exist")
