"""The one core module that imports streamlit: connection, cached queries, shared widgets.

* The serving connection is read-only and cached per file; when a build swaps in a new file
  (its generation changes) the old connection is closed before the new one opens, because
  DuckDB hands back the old database to a new connection while any connection to it is open.
* Query results are cached by (query name, file, generation, filters): small hashable keys.
* Global filters and the language live in the URL (see `_url_value`), so a copied link
  reproduces the view and a page switch keeps it.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Hashable, Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import duckdb
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core import (
    build,
    campaigns,
    charts,
    clv,
    contract,
    crosssell,
    customer360,
    db,
    formatting,
    health,
    i18n,
    importer,
    lifecycle,
    managers,
    membership,
    overview,
    privacy,
    segments,
    service,
    store,
)
from crm_core.config import DEFAULT_DB, Settings, default_state_path, load_settings
from crm_core.filters import DEFAULT_PERIOD, PERIOD_DAYS, Filters

CACHE_TTL_S = 600
ICON = str(Path(__file__).resolve().parent / "assets" / "icon.png")


_SETTINGS: dict[tuple[Any, ...], Settings] = {}


def settings() -> Settings:
    """The settings, read again when the environment or the state store (an import may record
    a currency there) changes: reading them opens the SQLite store, and pages ask hundreds of
    times per run (once per query and per customer link)."""
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("CRM_")))
    state = os.environ.get("CRM_STATE")
    try:
        stamp = Path(state).stat().st_mtime_ns if state else _default_state_stamp()
    except OSError:
        stamp = None
    key = (env, stamp)
    found = _SETTINGS.get(key)
    if found is None:
        if len(_SETTINGS) > 64:
            _SETTINGS.clear()
        found = _SETTINGS[key] = load_settings()
    return found


def _default_state_stamp() -> int | None:
    db_path = Path(os.environ.get("CRM_DB") or DEFAULT_DB)
    try:
        return default_state_path(db_path).stat().st_mtime_ns
    except OSError:
        return None


# -- connection -------------------------------------------------------------------------------
class _Connection:
    """One read-only connection per file, reopened when the file's generation changes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.generation: tuple[int, int, int] | None = None
        self.con: duckdb.DuckDBPyConnection | None = None
        self.lock = threading.Lock()

    def get(self, generation: tuple[int, int, int]) -> duckdb.DuckDBPyConnection:
        with self.lock:
            if self.con is None or generation != self.generation:
                if self.con is not None:
                    self.con.close()  # close first, or DuckDB would hand back the old file
                self.con = db.connect(self.path, read_only=True, memory_limit=settings().memory_limit)
                self.generation = generation
            return self.con


@st.cache_resource(show_spinner=False)
def _connection_for(path: str) -> _Connection:
    return _Connection(path)


def _generation() -> tuple[int, int, int]:
    return db.generation(settings().db_path)


def connection() -> duckdb.DuckDBPyConnection:
    path = settings().db_path
    return _connection_for(str(path)).get(db.generation(path))


def database_state() -> str:
    """'missing' (no file), 'unbuilt' (raw tables only), 'outdated' (built by an older version,
    build.SCHEMA_VERSION) or 'ready'."""
    path = settings().db_path
    if not path.exists():
        return "missing"
    return _built_state(str(path), db.generation(path))


@functools.lru_cache(maxsize=8)
def _built_state(path: str, generation: tuple[int, int, int]) -> str:
    """database_state of one version of the file (every script run asks; a build or an import
    swaps in a new file, a new generation)."""
    try:
        names = db.table_names(connection())
        if not {"build_info", *build.MARTS} <= names:
            return "unbuilt"
        return "ready" if build.schema_version_of(connection()) == build.SCHEMA_VERSION else "outdated"
    except duckdb.Error:
        return "unbuilt"


# -- cached queries ---------------------------------------------------------------------------
# Query name -> core function(con, filters, *options). Options are small hashable values.
_QUERIES: dict[str, Callable[..., Any]] = {
    "overview_kpis": overview.overview_kpis,
    "overview_trend": overview.overview_trend,
    "overview_mix": overview.overview_mix,
    "campaign_lift": campaigns.campaign_lift,
    "lifecycle_snapshots": lifecycle.snapshots,
    "stage_mix": lifecycle.stage_mix,
    "stages_over_time": lifecycle.stages_over_time,
    "transitions": lifecycle.transitions,
    "funnel": lifecycle.funnel,
    "dissolved_age": lifecycle.dissolved_age,
    "stage_customers": lifecycle.stage_customers,
    "stage_customer_count": lifecycle.stage_customer_count,
    "cohort_retention": lifecycle.cohort_retention,
    "cart_abandonment_by": lifecycle.cart_abandonment_by,
    "cart_abandonment_trend": lifecycle.cart_abandonment_trend,
    "cohort_customers": lifecycle.cohort_customers,
    "abandoned_cart_customers": lifecycle.abandoned_cart_customers,
    "rfm_grid": segments.rfm_grid,
    "segment_summary": segments.segment_summary,
    "segment_profiles": segments.segment_profiles,
    "rfm_migration": segments.rfm_migration,
    "migration_customers": segments.migration_customers,
    "rfm_snapshot": lambda con, f: segments.rfm_snapshot(f.as_of, segments.built_as_of(con)),
    "segment_customers": segments.segment_customers,
    "segment_count": segments.segment_count,
    "membership_movement": membership.membership_movement,
    "points_summary": membership.points_summary,
    "upgrade_targets": membership.upgrade_targets,
    "clv_fit": lambda con, filters: clv.model_fit(con),
    "clv_params": lambda con, filters: clv.model_params(con),
    "clv_validation": lambda con, filters: clv.validation(con),
    "clv_overview": clv.clv_overview,
    "clv_distribution": clv.clv_distribution,
    "clv_by": clv.clv_by,
    "clv_p_alive_matrix": clv.p_alive_matrix,
    "clv_at_risk": clv.at_risk_customers,
    "clv_incremental_value": clv.incremental_value,
}


@st.cache_data(ttl=CACHE_TTL_S, max_entries=512, show_spinner=False)
def _cached_query(
    name: str, path: str, generation: tuple[int, int, int], filters: Filters, options: tuple[Any, ...]
) -> Any:
    return _QUERIES[name](connection(), filters, *options)


def _query(name: str, filters: Filters, *options: Any) -> Any:
    return _cached_query(name, str(settings().db_path), _generation(), filters, options)


def overview_kpis(filters: Filters) -> pd.DataFrame:
    return _query("overview_kpis", filters)


def overview_trend(filters: Filters) -> pd.DataFrame:
    return _query("overview_trend", filters)


def overview_mix(filters: Filters) -> pd.DataFrame:
    return _query("overview_mix", filters)


def campaign_lift(filters: Filters, lift_settings: campaigns.LiftSettings) -> pd.DataFrame:
    return _query("campaign_lift", filters, lift_settings)


def lifecycle_snapshots(filters: Filters) -> list[date]:
    return _query("lifecycle_snapshots", filters)


def stage_mix(filters: Filters, rules: lifecycle.StageRules) -> pd.DataFrame:
    return _query("stage_mix", filters, rules)


def stages_over_time(filters: Filters, rules: lifecycle.StageRules) -> pd.DataFrame:
    return _query("stages_over_time", filters, rules)


def transitions(filters: Filters, rules: lifecycle.StageRules, from_date: date, to_date: date) -> pd.DataFrame:
    return _query("transitions", filters, rules, from_date, to_date)


def funnel(filters: Filters, rules: lifecycle.StageRules) -> pd.DataFrame:
    return _query("funnel", filters, rules)


def dissolved_age(filters: Filters, rules: lifecycle.StageRules) -> pd.DataFrame:
    return _query("dissolved_age", filters, rules)


def stage_customers(filters: Filters, rules: lifecycle.StageRules, *options: Any) -> pd.DataFrame:
    """Options as lifecycle.stage_customers: stage, from_stage, from_date, breakdown_value, sort,
    descending, limit, offset."""
    return _query("stage_customers", filters, rules, *options)


def stage_customer_count(filters: Filters, rules: lifecycle.StageRules, *options: Any) -> int:
    return _query("stage_customer_count", filters, rules, *options)


def cohort_retention(filters: Filters, basis: str) -> pd.DataFrame:
    return _query("cohort_retention", filters, basis)


def cart_abandonment_by(filters: Filters) -> pd.DataFrame:
    return _query("cart_abandonment_by", filters)


def cohort_customers(
    filters: Filters, basis: str, cohort_month: date, months_since: int, limit: int | None = None
) -> pd.DataFrame:
    return _query("cohort_customers", filters, basis, cohort_month, months_since, limit)


def abandoned_cart_customers(
    filters: Filters, dimension: str, dimension_value: str, limit: int | None = None
) -> pd.DataFrame:
    return _query("abandoned_cart_customers", filters, dimension, dimension_value, limit)


def listed_count(frame: pd.DataFrame) -> int:
    """All the rows a limited customer list stands for (its `listed_customers` column)."""
    return int(frame["listed_customers"].iloc[0]) if len(frame) else 0


def cart_abandonment_trend(filters: Filters) -> pd.DataFrame:
    return _query("cart_abandonment_trend", filters)


def rfm_grid(filters: Filters, lookback_days: int) -> pd.DataFrame:
    return _query("rfm_grid", filters, lookback_days)


def segment_summary(filters: Filters, lookback_days: int) -> pd.DataFrame:
    return _query("segment_summary", filters, lookback_days)


def segment_profiles(filters: Filters, rfm_segments: tuple[str, ...], lookback_days: int) -> pd.DataFrame:
    return _query("segment_profiles", filters, rfm_segments, lookback_days)


def rfm_migration(filters: Filters, from_date: date, to_date: date) -> pd.DataFrame:
    return _query("rfm_migration", filters, from_date, to_date)


def rfm_snapshot(filters: Filters) -> date | None:
    """The date the 365-day RFM scores are read at for the filters' as-of (see segments)."""
    return _query("rfm_snapshot", filters)


def rfm_snapshot_note(filters: Filters, lookback_days: int = segments.DEFAULT_LOOKBACK) -> None:
    """A caption when the scores shown are those of the month end before the as-of date."""
    snapshot = rfm_snapshot(filters)
    if lookback_days == segments.RFM_MART_LOOKBACK and snapshot is not None and snapshot != filters.as_of:
        st.caption(
            t(
                "segments.snapshot_note",
                as_of=formatting.day(filters.as_of, lang()),
                snapshot=formatting.day(snapshot, lang()),
            )
        )


def migration_customers(filters: Filters, *options: Any) -> pd.DataFrame:
    """Options as segments.migration_customers: from_date, to_date, level, from_value, to_value, limit."""
    return _query("migration_customers", filters, *options)


def segment_customers(filters: Filters, *options: Any) -> pd.DataFrame:
    """Options as segments.segment_customers: sort, descending, limit, offset."""
    return _query("segment_customers", filters, *options)


def segment_count(filters: Filters) -> pd.DataFrame:
    return _query("segment_count", filters)


def membership_movement(filters: Filters) -> pd.DataFrame:
    return _query("membership_movement", filters)


def points_summary(filters: Filters) -> pd.DataFrame:
    return _query("points_summary", filters)


def upgrade_targets(filters: Filters, *options: Any) -> pd.DataFrame:
    return _query("upgrade_targets", filters, *options)


# -- saved segments (a small writable store beside the read-only database) -------------------
def saved_segments() -> list[store.SavedSegment]:
    return store.list_segments(settings().state_path)


def save_segment(name: str, conditions: tuple[Any, ...]) -> int:
    return store.save_segment(settings().state_path, name, conditions)


def rename_segment(segment_id: int, name: str) -> None:
    store.rename_segment(settings().state_path, segment_id, name)


def select_segment(segment_id: int | None) -> None:
    """Make a segment the sidebar's choice from the next run on (the sidebar applies it before
    drawing its widget, which Streamlit requires); the caller reruns."""
    st.session_state["f_segment"] = segment_id
    st.session_state["_select_segment"] = segment_id


def delete_segment(segment_id: int) -> None:
    store.delete_segment(settings().state_path, segment_id)
    if st.session_state.get("f_segment") == segment_id:
        select_segment(None)


def flash(message: str | None = None) -> str | None:
    """Keep a message across a rerun (set it), or take it (call without one)."""
    if message is not None:
        st.session_state["_flash"] = message
        return None
    return st.session_state.pop("_flash", None)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def _row_count(table_name: str, path: str, generation: tuple[int, int, int]) -> int:
    if table_name not in contract.RAW_TABLE_NAMES:
        raise ValueError(f"unknown table {table_name!r}")
    return int(db.scalar(connection(), f"select count(*) from {table_name}"))


def has_rows(*table_names: str) -> bool:
    """Whether every named raw table holds data (pages explain what is missing otherwise)."""
    return all(_row_count(name, str(settings().db_path), _generation()) > 0 for name in table_names)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def _bounds(path: str, generation: tuple[int, int, int]) -> tuple[date, date]:
    return overview.data_bounds(connection())


def data_bounds() -> tuple[date, date]:
    return _bounds(str(settings().db_path), _generation())


# -- language ---------------------------------------------------------------------------------
def lang() -> str:
    return str(st.session_state.get("f_lang", i18n.DEFAULT_LANGUAGE))


def t(key: str, **values: Any) -> str:
    return i18n.t(key, lang(), **values)


def label(kind: str, code: object) -> str:
    return i18n.label(kind, code, lang())


def labels(kind: str, codes: Iterable[object]) -> list[str]:
    """label() of every code of a column: the language read once, each distinct code once."""
    language = lang()
    seen: dict[Hashable, str] = {}
    out = []
    for code in codes:
        if code not in seen:
            seen[code] = i18n.label(kind, code, language)
        out.append(seen[code])
    return out


# -- URL-backed state -------------------------------------------------------------------------
def _url_value(name: str, parse: Callable[[str | None], Any]) -> Any:
    """The committed value of a global setting: read from the URL once per session, then kept
    in session state (widgets have their own keys and commit on change), and written back to
    the URL on every run so that page switches and copied links keep it."""
    key = f"f_{name}"
    if key not in st.session_state:
        st.session_state[key] = parse(st.query_params.get(name))
    return st.session_state[key]


def widget_key(name: str) -> str:
    """A widget's own key, per language: its labels are translated, and Streamlit keeps a
    widget's state by label, so a language switch must create a fresh widget from the
    committed value (f_<name>) rather than let the old one send back a label it no longer has."""
    return f"w_{name}" if name == "lang" else f"w_{name}_{lang()}"


def _commit(name: str, valid: Callable[[Any], bool] | None = None) -> None:
    value = st.session_state.get(widget_key(name))
    if valid is None or valid(value):
        st.session_state[f"f_{name}"] = value


def _write_url(name: str, value: str | None) -> None:
    if value is None:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != value:
        st.query_params[name] = value


def _parse_list(allowed: tuple[str, ...]) -> Callable[[str | None], list[str]]:
    def parse(raw: str | None) -> list[str]:
        wanted = set((raw or "").split(","))
        return [v for v in allowed if v in wanted]

    return parse


def init_language() -> None:
    _url_value("lang", lambda raw: raw if raw in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE)


def language_switch() -> None:
    current = lang()
    st.sidebar.radio(
        i18n.t("app.language", current),
        list(i18n.LANGUAGES),
        index=list(i18n.LANGUAGES).index(current),
        format_func=lambda code: i18n.LANGUAGES[code],
        horizontal=True,
        key="w_lang",
        on_change=_commit,
        args=("lang",),
    )
    _write_url("lang", None if lang() == i18n.DEFAULT_LANGUAGE else lang())


_LIST_FILTERS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    # (url name, translation key, value kind, allowed codes)
    ("region", "filters.region", "region", contract.REGIONS),
    ("channel", "filters.channel", "channel", contract.ACQUISITION_CHANNELS),
    ("tier", "filters.tier", "tier", contract.TIERS),
)


def _reset_filters() -> None:
    for name in ("as_of", "period", "segment", *(f[0] for f in _LIST_FILTERS)):
        st.session_state.pop(f"f_{name}", None)
        for code in i18n.LANGUAGES:
            st.session_state.pop(f"w_{name}_{code}", None)
        if name in st.query_params:
            del st.query_params[name]


def _code_label(kind: str, language: str) -> Callable[[object], str]:
    """A format function fixed to one language (it may be called outside the script run)."""
    return lambda code: i18n.label(kind, code, language)


def _period_label(language: str) -> Callable[[int], str]:
    return lambda n: i18n.t("filters.period_days", language, n=n)


def sidebar_filters() -> Filters:
    """Draw the global filters in the sidebar and return them (also kept for the pages)."""
    first_day, last_day = data_bounds()

    def parse_date(raw: str | None) -> date:
        try:
            d = date.fromisoformat(raw or "")
        except ValueError:
            return last_day
        return d if first_day <= d <= last_day else last_day

    def parse_period(raw: str | None) -> int:
        return int(raw) if raw and raw.isdigit() and int(raw) in PERIOD_DAYS else DEFAULT_PERIOD

    sb = st.sidebar
    sb.header(t("filters.header"))
    as_of = _url_value("as_of", parse_date)
    sb.date_input(
        t("filters.as_of"),
        value=as_of,
        min_value=first_day,
        max_value=last_day,
        key=widget_key("as_of"),
        on_change=_commit,
        args=("as_of", lambda d: isinstance(d, date) and first_day <= d <= last_day),
        help=t("filters.as_of_help"),
        format="YYYY-MM-DD",
    )
    period = _url_value("period", parse_period)
    sb.selectbox(
        t("filters.period"),
        list(PERIOD_DAYS),
        index=list(PERIOD_DAYS).index(period),
        format_func=_period_label(lang()),
        key=widget_key("period"),
        on_change=_commit,
        args=("period", lambda n: n in PERIOD_DAYS),
    )
    chosen: dict[str, tuple[str, ...]] = {}
    for name, key, kind, allowed in _LIST_FILTERS:
        value = _url_value(name, _parse_list(allowed))
        sb.multiselect(
            t(key),
            list(allowed),
            default=value,
            format_func=_code_label(kind, lang()),
            placeholder=t("filters.all"),
            key=widget_key(name),
            on_change=_commit,
            args=(name, lambda values, allowed=allowed: isinstance(values, list) and set(values) <= set(allowed)),
        )
        chosen[name] = tuple(v for v in allowed if v in st.session_state[f"f_{name}"])
        _write_url(name, ",".join(chosen[name]) or None)
    saved = {s.segment_id: s for s in saved_segments()}

    def parse_segment(raw: str | None) -> int | None:
        return int(raw) if raw and raw.isdigit() and int(raw) in saved else None

    segment_id = _url_value("segment", parse_segment)
    if "_select_segment" in st.session_state:  # chosen by a page in the previous run
        segment_id = st.session_state["f_segment"] = st.session_state.pop("_select_segment")
        st.session_state[widget_key("segment")] = segment_id
    if segment_id not in saved:
        segment_id = st.session_state["f_segment"] = None
    if st.session_state.get(widget_key("segment"), None) not in saved:
        st.session_state.pop(widget_key("segment"), None)
    options: list[Any] = [None, *saved]
    names: dict[Any, str] = {None: t("filters.all"), **{k: v.name for k, v in saved.items()}}
    # the widget keeps its own state once drawn; an index is only for its first appearance
    first: dict[str, Any] = {} if widget_key("segment") in st.session_state else {"index": options.index(segment_id)}
    sb.selectbox(
        t("filters.segment"),
        options,
        **first,
        format_func=names.__getitem__,
        key=widget_key("segment"),
        on_change=_commit,
        args=("segment", lambda v: v is None or v in saved),
        help=t("filters.segment_help"),
    )
    segment_id = st.session_state["f_segment"]
    _write_url("segment", None if segment_id is None else str(segment_id))
    sb.button(t("filters.reset"), on_click=_reset_filters)
    sb.caption(t("filters.share"))
    as_of = st.session_state["f_as_of"] or last_day
    period = st.session_state["f_period"]
    _write_url("as_of", None if as_of == last_day else as_of.isoformat())
    _write_url("period", None if period == DEFAULT_PERIOD else str(period))
    filters = Filters(
        as_of=as_of,
        period_days=period,
        regions=chosen["region"],
        channels=chosen["channel"],
        tiers=chosen["tier"],
        segment=saved[segment_id].conditions if segment_id is not None else (),
        segment_id=segment_id,
    )
    st.session_state["filters"] = filters
    return filters


def url_setting(name: str, options: list[Any], default: Any, parse: Callable[[str], Any] = str) -> Any:
    """The committed value of a page-level URL setting (?name=value) without drawing its widget:
    what url_selectbox would return (a section that uses another section's choice reads it here)."""

    def from_url(raw: str | None) -> Any:
        try:
            value = parse(raw) if raw is not None else default
        except ValueError:
            return default
        return value if value in options else default

    value = _url_value(name, from_url)
    if value not in options:
        value = default if default in options else options[0]
        st.session_state[f"f_{name}"] = value
    return value


def url_selectbox(
    name: str,
    label_text: str,
    options: list[Any],
    format_func: Callable[[Any], str],
    default: Any,
    parse: Callable[[str], Any] = str,
) -> Any:
    """A page-level selectbox whose value lives in the URL (?name=value) like the global filters."""
    value = url_setting(name, options, default, parse)
    labels = {option: format_func(option) for option in options}  # fixed now: may be called later
    st.selectbox(
        label_text,
        options,
        index=options.index(value),
        format_func=labels.__getitem__,
        key=widget_key(name),
        on_change=_commit,
        args=(name, lambda v: v in options),
    )
    value = st.session_state[f"f_{name}"]
    _write_url(name, None if value == default else str(value))
    return value


def fixed_labels(format_func: Callable[[Any], str], options: Any) -> Callable[[Any], str]:
    """A widget's format function with its labels computed now, in this run's language (Streamlit
    may call a format function later, outside the script run)."""
    labels = {option: format_func(option) for option in options}
    return labels.__getitem__


def with_segment(filters: Filters, conditions: tuple[Any, ...]) -> Filters:
    """The same filters with another segment (the builder's conditions on top of the sidebar's)."""
    return replace(filters, segment=tuple(conditions))


def current_filters() -> Filters:
    """The filters app.py drew in this run.

    On a fresh server Streamlit treats a `pages/` folder as a legacy multipage app until the
    first st.navigation call, so a deep link (say /campaigns) opened as the server's very first
    request runs the page without app.py. Then we switch that legacy mode off and rerun, and
    app.py's router serves the same URL with its frame.
    """
    filters = st.session_state.get("filters")
    if not isinstance(filters, Filters):
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
        st.rerun()
    return filters


def filter_summary(filters: Filters) -> str:
    """'Region: East, North; Membership tier: Gold' for the active attribute filters."""
    parts = []
    for (_name, key, kind, _), values in zip(
        _LIST_FILTERS, (filters.regions, filters.channels, filters.tiers), strict=True
    ):
        if values:
            parts.append(f"{t(key)}: {', '.join(label(kind, v) for v in values)}")
    if filters.segment_id is not None:
        name = next((s.name for s in saved_segments() if s.segment_id == filters.segment_id), "")
        parts.append(f"{t('filters.segment')}: {name}")
    return "; ".join(parts)


# -- shared widgets ---------------------------------------------------------------------------
def chart(fig: go.Figure, key: str | None = None, selectable: bool = False) -> list[dict[str, Any]]:
    """Draw a figure in the house style; with `selectable`, return the points the user clicked."""
    if fig.layout.template.layout.font.family != charts.FONT:  # made before the house default was set
        fig.update_layout(template=charts.register_template())
    if fig.layout.title.text:  # room for a title above the legend
        fig.update_layout(title={"y": 0.98, "yanchor": "top"}, margin={"t": 80})
    if not selectable:
        st.plotly_chart(fig, width="stretch", key=key, config={"displaylogo": False})
        return []
    event = st.plotly_chart(
        fig, width="stretch", key=key, config={"displaylogo": False}, on_select="rerun", selection_mode="points"
    )
    try:
        return list(event.selection.points)
    except AttributeError:
        return []


def masked_contacts(frame: pd.DataFrame) -> pd.DataFrame:
    """The same rows with e-mail addresses and phone numbers masked, for the screen."""
    out = frame.copy()
    if "email" in out:
        out["email"] = out["email"].map(privacy.mask_email)
    if "phone" in out:
        out["phone"] = out["phone"].map(privacy.mask_phone)
    return out


_CODE_KINDS = {
    "region": "region",
    "acquisition_channel": "channel",
    "membership_tier": "tier",
    "value_tier": "value_tier",
    "rfm_segment": "rfm_segment",
    "lifecycle_stage": "stage",
    "clv_tier": "clv_tier",
}


def customer_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A customer list for the screen: contacts masked, codes and column names translated."""
    shown = masked_contacts(frame)
    for column, kind in _CODE_KINDS.items():
        if column in shown:
            shown[column] = labels(kind, shown[column])
    shown.columns = [t(f"builder.col.{c}") for c in shown.columns]
    return shown


# The pages whose sections show one at a time, as tabs: page -> section codes, the first one open
# by default. Labels are translated (i18n `tab.<page>.<code>`); the benchmark and the browser walk
# go through every section listed here.
PAGE_TABS: dict[str, tuple[str, ...]] = {
    "overview": ("trend", "mix"),
    "segments": ("grid", "tiers", "compare", "migration"),
    "membership": ("tiers", "points", "targets"),
    "lifecycle": ("funnel", "over_time", "flows", "time", "customers"),
    "retention": ("cohorts", "carts"),
    "value": ("distribution", "matrix", "at_risk", "incremental", "model"),
    "service": ("volume", "satisfaction", "dissolution"),
    "cross_sell": ("rules", "next", "offers", "customer"),
    "account_managers": ("portfolio", "orphans", "outcomes"),
}


def _tab_keys(page: str) -> tuple[str, str]:
    """(committed section code's key, the tabs widget's key in this language)."""
    return f"f_tab_{page}", f"w_tab_{page}_{lang()}"


def _commit_tab(page: str, labels: dict[str, str]) -> None:
    state_key, widget = _tab_keys(page)
    chosen = st.session_state.get(widget)
    for code, text in labels.items():
        if text == chosen:
            st.session_state[state_key] = code


def open_section(page: str) -> str:
    """The code of the page's open section (page_tabs draws it), known before the tabs are drawn:
    what a page shows above its tabs can then depend on it."""
    codes = PAGE_TABS[page]
    state_key, _ = _tab_keys(page)
    if state_key not in st.session_state:
        raw = st.query_params.get("tab")
        st.session_state[state_key] = raw if raw in codes else codes[0]
    current = st.session_state[state_key]
    if current not in codes:
        current = st.session_state[state_key] = codes[0]
    return str(current)


def page_tabs(page: str) -> tuple[str, Any]:
    """The page's sections as tabs of which only the open one runs (Streamlit's lazy tabs,
    `on_change="rerun"`): a filter change pays for one section's queries and sends one section's
    elements to the browser. Returns the open section's code and its container:
    `section, tab = ui.page_tabs("lifecycle")`, then `with tab:` and `if section == "flows": ...`.

    The open section is a URL setting (`?tab=<code>`, a code, not the translated label), so a
    shared link opens the same section in either language; it is kept per page in session state,
    and a language switch draws a fresh widget (its labels change) on the same section."""
    codes = PAGE_TABS[page]
    labels = {code: t(f"tab.{page}.{code}") for code in codes}
    _, widget = _tab_keys(page)
    current = open_section(page)
    if st.session_state.get(widget) != labels[current]:  # first draw, a language switch, open_tab()
        st.session_state[widget] = labels[current]
    containers = st.tabs(list(labels.values()), key=widget, on_change=_commit_tab, args=(page, labels))
    _write_url("tab", None if current == codes[0] else current)
    return current, containers[codes.index(current)]


def kept(key: str, default: Any, options: Iterable[Any] | None = None) -> Any:
    """The last value of a section's widget, for its default when it is drawn again: Streamlit
    forgets the state of a widget that a run does not draw (a hidden lazy tab's), so a section
    would come back with its defaults. The default when never chosen or no longer offered.
    Use with keep(): `x = st.selectbox(..., index=options.index(ui.kept(k, d, options)), key=k)`,
    then `ui.keep(k, x)`."""
    value = st.session_state.get(f"kept_{key}", default)
    return value if options is None or value in list(options) else default


def keep(key: str, value: Any) -> None:
    st.session_state[f"kept_{key}"] = value


def open_tab(page: str, code: str) -> None:
    """Show another section of the page (a click in one section that answers in another): the
    section is committed and the script reruns, drawing the tabs on it."""
    if code not in PAGE_TABS[page]:
        raise ValueError(f"{page} has no section {code!r}; expected one of {', '.join(PAGE_TABS[page])}")
    st.session_state[_tab_keys(page)[0]] = code
    st.rerun()


def lazy_expander(label: str, key: str) -> Any:
    """A closed expander whose content runs only once it is opened (Streamlit's lazy expander):
    a customer list behind it costs nothing on the page's other interactions. Use as
    `box = ui.lazy_expander(...)`, then `if box.open: with box: ...`."""
    return st.expander(label, key=key, on_change="rerun")


def customer_list_section(
    frame: pd.DataFrame,
    caption: str,
    file_stem: str,
    key: str,
    full: Callable[[], pd.DataFrame] | None = None,
) -> None:
    """A drill-down: the count, the first 200 rows masked on screen, and the whole list as CSV
    (from `full()` when the frame shown is only the first page; fetched when the user clicks)."""
    st.caption(caption)
    customer_dataframe(frame.head(200).drop(columns="listed_customers", errors="ignore"))
    if len(frame):
        st.download_button(
            t("builder.export_csv"),
            data=lambda: segments.export_bytes(full() if full is not None else frame, "csv"),
            file_name=f"{file_stem}.csv",
            mime="text/csv",
            on_click="ignore",
            key=key,
            help=t("lifecycle.download_help"),
        )


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly."""
    return frame.to_csv(index=False).encode("utf-8-sig")


def explain(definition_key: str, *queries: str) -> None:
    """A 'How is this computed?' expander with the definition and the SQL behind a chart."""
    with st.expander(t("explain.title")):
        st.markdown(f"**{t('explain.definition')}.** {t(definition_key)}")
        for name in queries:
            st.caption(f"{t('explain.sql')}: `crm_core/sql/queries/{name}.sql`")
            st.code(db.load_sql(name), language="sql")


# --- lifetime value ---
def clv_fit(filters: Filters) -> pd.DataFrame:
    return _query("clv_fit", filters)


def clv_is_scored(filters: Filters) -> bool:
    """True when the file holds a successful lifetime-value fit."""
    fit = clv_fit(filters)
    return bool(((fit["model"] == "bgnbd") & (fit["status"] == "ok")).any())


def clv_params(filters: Filters) -> pd.DataFrame:
    return _query("clv_params", filters)


def clv_validation(filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    return _query("clv_validation", filters)


def clv_overview(filters: Filters) -> pd.DataFrame:
    return _query("clv_overview", filters)


def clv_distribution(filters: Filters) -> pd.DataFrame:
    return _query("clv_distribution", filters)


def clv_by(filters: Filters, breakdown: str) -> pd.DataFrame:
    return _query("clv_by", filters, breakdown)


def clv_p_alive_matrix(filters: Filters) -> pd.DataFrame:
    return _query("clv_p_alive_matrix", filters)


def clv_at_risk(filters: Filters, p_alive_below: float, limit: int | None = 500) -> pd.DataFrame:
    return _query("clv_at_risk", filters, p_alive_below, limit)


def clv_incremental_value(filters: Filters, limit: int | None = 500) -> pd.DataFrame:
    return _query("clv_incremental_value", filters, limit)


# --- customer 360, service, cross-sell, account managers (issue 9) ---
_QUERIES.update(
    {
        "customer_profile": lambda con, f, customer_id: customer360.profile(con, customer_id, f.as_of),
        "customer_timeline": lambda con, f, customer_id: customer360.timeline(con, customer_id, f.as_of),
        "customer_offers": crosssell.customer_offers,
        "basket_rules": crosssell.basket_rules,
        "next_category": crosssell.next_category,
        "segment_offers": crosssell.segment_offers,
        "service_volume": service.service_volume,
        "service_times": service.service_times,
        "service_headline": service.service_headline,
        "satisfaction_by": service.satisfaction_by,
        "service_trend": service.service_trend,
        "complaint_dissolution": service.complaint_dissolution,
        "manager_summary": managers.manager_summary,
        "manager_headline": managers.manager_headline,
        "orphaned_customers": managers.orphaned_customers,
        "orphan_outcomes": managers.orphan_outcomes,
    }
)


def customer_search(text: str) -> pd.DataFrame:
    """Not cached: the search text may be a full phone number or e-mail address, and it should
    not be kept in the cache's keys."""
    return customer360.search(connection(), text)


def customer_profile(filters: Filters, customer_id: int) -> dict[str, Any] | None:
    return _query("customer_profile", filters, customer_id)


def customer_timeline(filters: Filters, customer_id: int) -> pd.DataFrame:
    return _query("customer_timeline", filters, customer_id)


def customer_offers(filters: Filters, customer_id: int, rules: crosssell.RuleSettings) -> pd.DataFrame:
    return _query("customer_offers", filters, customer_id, rules)


def basket_rules(filters: Filters, rules: crosssell.RuleSettings) -> pd.DataFrame:
    return _query("basket_rules", filters, rules)


def next_category(filters: Filters, basket_days: int) -> pd.DataFrame:
    return _query("next_category", filters, basket_days)


def segment_offers(filters: Filters, rules: crosssell.RuleSettings) -> pd.DataFrame:
    return _query("segment_offers", filters, rules)


def service_volume(filters: Filters) -> pd.DataFrame:
    return _query("service_volume", filters)


def service_times(filters: Filters) -> pd.DataFrame:
    return _query("service_times", filters)


def service_headline(filters: Filters) -> pd.DataFrame:
    return _query("service_headline", filters)


def satisfaction_by(filters: Filters, breakdown: str) -> pd.DataFrame:
    return _query("satisfaction_by", filters, breakdown)


def service_trend(filters: Filters) -> pd.DataFrame:
    return _query("service_trend", filters)


def complaint_dissolution(filters: Filters, window_days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    return _query("complaint_dissolution", filters, window_days)


def manager_summary(filters: Filters) -> pd.DataFrame:
    return _query("manager_summary", filters)


def manager_headline(filters: Filters) -> dict[str, float]:
    return _query("manager_headline", filters)


def orphaned_customers(filters: Filters, limit: int | None = None) -> pd.DataFrame:
    return _query("orphaned_customers", filters, limit)


def orphan_outcomes(filters: Filters, horizon_days: int) -> pd.DataFrame:
    return _query("orphan_outcomes", filters, horizon_days)


def customer_url(customer_id: object, filters: Filters | None = None) -> str:
    """The Customer 360 address of a customer, with the language and global filters, so that a
    link opened in a new tab shows the same view."""
    return _customer_url_maker(filters)(customer_id)


def _customer_url_maker(filters: Filters | None) -> Callable[[object], str]:
    """customer_url for many rows: the filters' and language's part of the address is worked out
    once (it reads the data bounds and the settings), then only the id changes per row."""
    params: dict[str, str] = {}
    if filters is not None:
        params.update(filters.to_query_params(data_bounds()[1]))
    if lang() != i18n.DEFAULT_LANGUAGE:
        params["lang"] = lang()
    rest = ("&" + urlencode(params)) if params else ""
    return lambda customer_id: "./customer360?" + urlencode({"customer": str(int(customer_id))}) + rest  # type: ignore[call-overload]


def with_customer_links(shown: pd.DataFrame, customer_ids: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A table for the screen with a first column that opens each row's customer in Customer 360,
    and the column configuration that draws it as a link (st.dataframe(..., column_config=...))."""
    ids = list(customer_ids)
    if not ids:
        return shown, {}
    column = t("c360.open_column")
    filters = st.session_state.get("filters")
    url = _customer_url_maker(filters if isinstance(filters, Filters) else None)
    links = [url(v) for v in ids]
    out = shown.copy()
    out.insert(0, column, links)
    return out, {column: st.column_config.LinkColumn(column, display_text=t("c360.open_link"))}


def customer_links(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The customer list for the screen (customer_table) with the Customer 360 link column."""
    shown = customer_table(frame)
    if "customer_id" not in frame:
        return shown, {}
    return with_customer_links(shown, frame["customer_id"])


def customer_dataframe(frame: pd.DataFrame) -> None:
    """A masked customer list whose rows link to Customer 360."""
    shown, config = customer_links(frame)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)


# --- import and data health (issue 7) ---
def upload_limit_mb() -> int:
    return int(st.get_option("server.maxUploadSize"))


def save_upload(uploaded: Any) -> Path:
    """Keep an uploaded file on disk for the session (DuckDB reads files, not buffers); the
    name is its content hash, so the same file uploaded twice is one file."""
    folder = st.session_state.get("_upload_dir")
    if folder is None or not Path(folder).exists():
        import tempfile

        folder = tempfile.mkdtemp(prefix="crm-upload-")
        st.session_state["_upload_dir"] = folder
    saved: dict[str, str] = st.session_state.setdefault("_uploads", {})
    known = saved.get(uploaded.file_id)
    if known is not None and Path(known).exists():
        return Path(known)  # written on an earlier run: no need to hash 200 MB again
    data = uploaded.getvalue()
    import hashlib

    path = Path(folder) / f"{hashlib.sha256(data).hexdigest()[:32]}{Path(uploaded.name).suffix.lower()}"
    if not path.exists():
        path.write_bytes(data)
    saved[uploaded.file_id] = str(path)
    return path


@st.cache_data(ttl=CACHE_TTL_S, max_entries=16, show_spinner=False)
def import_peek(path: str, file_name: str, options: importer.Options) -> importer.Peek:
    return importer.peek(path, file_name, options)


def validate_import(
    path: Path, file_name: str, table: str, mapping: importer.Mapping, mode: str
) -> importer.ImportReport:
    return importer.validate(settings().db_path, table, path, mapping, mode, file_name)


def run_import(
    path: Path,
    file_name: str,
    table: str,
    mapping: importer.Mapping,
    mode: str,
    progress: Callable[[float, str], None],
) -> importer.ImportReport:
    """Load on a copy and swap it in; readers in other sessions keep the old file until their
    next run sees the new generation."""
    s = settings()
    report = importer.run_import(s.db_path, table, path, mapping, mode, file_name, progress, state_path=s.state_path)
    if report.loaded:
        st.cache_data.clear()
    return report


def import_log() -> pd.DataFrame:
    return pd.DataFrame(store.import_log(settings().state_path))


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def _table_health(path: str, generation: tuple[int, int, int]) -> pd.DataFrame:
    return health.table_health(connection())


def table_health() -> pd.DataFrame:
    return _table_health(str(settings().db_path), _generation())


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def _null_rates(table_name: str, path: str, generation: tuple[int, int, int]) -> pd.DataFrame:
    return health.null_rates(connection(), table_name)


def null_rates(table_name: str) -> pd.DataFrame:
    return _null_rates(table_name, str(settings().db_path), _generation())


def customers_are_derived() -> bool:
    """No customer archive is loaded, but orders are: customers come from the orders."""
    return not has_rows("customers") and has_rows("orders")


def _progress_bar(text_key: str) -> Callable[[float, str], None]:
    """A progress bar and the callback that moves it (fraction, step name)."""
    bar = st.progress(0.0, text=t(text_key))

    def show(fraction: float, step: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=f"{t(text_key)} ({step})")

    return show


def missing_database_screen() -> None:
    """Say how to create the data; offer to create the demo (or rebuild an outdated build) with a
    progress bar."""
    path = settings().db_path
    st.title(t("missing_db.title"))
    state = database_state()
    if state == "unbuilt":
        st.warning(t("missing_db.not_built", path=path))
        return
    if state == "outdated":
        # the raw data is kept: a rebuild makes the marts afresh on a copy and swaps it in
        st.warning(t("missing_db.outdated", path=path))
        if st.button(t("missing_db.rebuild_button"), type="primary"):
            build.build(path, progress=_progress_bar("missing_db.rebuilding"))
            st.cache_data.clear()
            st.rerun()
        return
    st.info(t("missing_db.body", path=path))
    if st.button(t("missing_db.button"), type="primary"):
        from sample_data.generate import generate  # the demo generator, only when asked

        show = _progress_bar("missing_db.progress")
        generate("M", 42, path, progress=lambda f, s: show(f * 0.8, s))
        build.build(path, progress=lambda f, s: show(0.8 + f * 0.2, s))
        st.cache_data.clear()
        st.success(t("missing_db.done"))
        st.rerun()
