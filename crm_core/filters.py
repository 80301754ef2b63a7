"""The global filters every page obeys, and how they travel in the URL and into SQL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from crm_core import contract

PERIOD_DAYS: tuple[int, ...] = (7, 30, 90, 180, 365)
DEFAULT_PERIOD = 30


@dataclass(frozen=True)
class Condition:
    """One condition of a segment: `field` (from segments.FIELDS) `op` values.

    op 'in': values are codes; 'between': (low, high) numbers, either may be None; 'is': (bool,).
    """

    field: str
    op: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Filters:
    """Period of `period_days` ending on `as_of` (inclusive), plus customer attribute filters.

    Empty tuples mean "all". Tiers are the membership tier on the as-of date.
    """

    as_of: date
    period_days: int = DEFAULT_PERIOD
    regions: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    # a saved (or unsaved) segment: an AND of conditions, applied on top of the filters above
    segment: tuple[Condition, ...] = ()
    segment_id: int | None = None

    def __post_init__(self) -> None:
        if self.period_days not in PERIOD_DAYS:
            raise ValueError(f"period_days must be one of {PERIOD_DAYS}, got {self.period_days}")
        for name, values, allowed in (
            ("regions", self.regions, contract.REGIONS),
            ("channels", self.channels, contract.ACQUISITION_CHANNELS),
            ("tiers", self.tiers, contract.TIERS),
        ):
            bad = [v for v in values if v not in allowed]
            if bad:
                raise ValueError(f"unknown {name} {bad}; expected some of {', '.join(allowed)}")

    @property
    def period_start(self) -> date:
        return self.as_of - timedelta(days=self.period_days - 1)

    @property
    def previous_start(self) -> date:
        return self.period_start - timedelta(days=self.period_days)

    def params(self) -> dict[str, Any]:
        """Bound parameters shared by every page query (see sql/snippets/filtered_customers.sql)."""
        return {
            "as_of": self.as_of,
            "as_of_end": datetime.combine(self.as_of + timedelta(days=1), time()),
            "period_start": self.period_start,
            "previous_start": self.previous_start,
            "regions": list(self.regions),
            "channels": list(self.channels),
            "tiers": list(self.tiers),
        }

    def to_query_params(self, default_as_of: date) -> dict[str, str]:
        q: dict[str, str] = {}
        if self.as_of != default_as_of:
            q["as_of"] = self.as_of.isoformat()
        if self.period_days != DEFAULT_PERIOD:
            q["period"] = str(self.period_days)
        if self.segment_id is not None:
            q["segment"] = str(self.segment_id)
        for key, values in (("region", self.regions), ("channel", self.channels), ("tier", self.tiers)):
            if values:
                q[key] = ",".join(values)
        return q


def _listed(raw: str | None, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if not raw:
        return ()
    wanted = {v.strip() for v in raw.split(",")}
    return tuple(v for v in allowed if v in wanted)


def from_query_params(q: Mapping[str, str], default_as_of: date, min_date: date | None = None) -> Filters:
    """Filters from URL parameters; anything unknown or malformed falls back to the default."""
    as_of = default_as_of
    try:
        parsed = date.fromisoformat(q.get("as_of", ""))
        if parsed <= default_as_of and (min_date is None or parsed >= min_date):
            as_of = parsed
    except ValueError:
        pass
    try:
        period = int(q.get("period", DEFAULT_PERIOD))
    except ValueError:
        period = DEFAULT_PERIOD
    return Filters(
        as_of=as_of,
        period_days=period if period in PERIOD_DAYS else DEFAULT_PERIOD,
        regions=_listed(q.get("region"), contract.REGIONS),
        channels=_listed(q.get("channel"), contract.ACQUISITION_CHANNELS),
        tiers=_listed(q.get("tier"), contract.TIERS),
    )


def with_changes(f: Filters, **changes: Any) -> Filters:
    return replace(f, **changes)
