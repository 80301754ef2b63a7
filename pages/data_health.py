"""Data health: can we trust what is loaded — rows, dates, freshness, gaps, duplicates, orphans,
and what was imported when."""

import json

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core import charts, contract, ui
from crm_core import formatting as fmt

ui.current_filters()  # routes a cold deep link through app.py (see ui.current_filters)
lang = ui.lang()
st.title(ui.t("data_health.title"))
st.caption(ui.t("data_health.subtitle"))

health = ui.table_health()
if ui.customers_are_derived():
    st.info(ui.t("data_health.derived_customers"))
problems = health[(health["duplicate_keys"] > 0) | (health["orphan_keys"] > 0)]
for row in problems.itertuples():
    st.warning(
        ui.t(
            "data_health.table_problem",
            table=row.table_name,
            duplicates=fmt.integer(row.duplicate_keys, lang),
            orphans=fmt.integer(row.orphan_keys, lang),
            detail=row.orphan_detail or "—",
        )
    )
empty = health[health["rows"] == 0]["table_name"].tolist()
if empty:
    st.info(ui.t("data_health.empty_tables", tables=", ".join(empty)))


def _when(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(pd.Timestamp(value))[:16]


shown = pd.DataFrame(
    {
        ui.t("data_health.col.table_name"): health["table_name"],
        ui.t("data_health.col.rows"): health["rows"],
        ui.t("data_health.col.first_at"): [_when(v) for v in health["first_at"]],
        ui.t("data_health.col.last_at"): [_when(v) for v in health["last_at"]],
        ui.t("data_health.col.days_since_last"): health["days_since_last"],
        ui.t("data_health.col.duplicate_keys"): health["duplicate_keys"],
        ui.t("data_health.col.orphan_keys"): health["orphan_keys"],
        ui.t("data_health.col.meaning"): [
            contract.table(n).zh if lang == "zh" else contract.table(n).en for n in health["table_name"]
        ],
    }
)
st.dataframe(shown, hide_index=True, width="stretch")
st.caption(ui.t("data_health.freshness_caption"))

st.subheader(ui.t("data_health.nulls_title"))
loaded = [n for n in health["table_name"] if n in contract.RAW_TABLE_NAMES]
table = ui.url_selectbox(
    "table", ui.t("data_health.table"), loaded, lambda n: n, "orders" if "orders" in loaded else loaded[0]
)
rates = ui.null_rates(table)
if int(health.set_index("table_name").at[table, "rows"]) == 0:
    st.info(ui.t("data_health.table_empty", table=table))
else:
    fig = go.Figure(
        go.Bar(
            y=rates["column_name"],
            x=rates["empty_rate"],
            orientation="h",
            marker_color=[charts.PALETTE[3] if r else charts.PALETTE[0] for r in rates["required"]],
            text=[fmt.percent(v, 0) for v in rates["empty_rate"]],
            textposition="outside",
        )
    )
    fig.update_layout(
        title=ui.t("data_health.nulls_chart", table=table),
        height=max(240, 28 * len(rates) + 100),
        xaxis={"tickformat": ".0%", "range": [0, 1.15]},
        yaxis={"autorange": "reversed"},
    )
    ui.chart(fig, key="null_rates")
    st.caption(ui.t("data_health.nulls_caption"))

st.subheader(ui.t("data_health.log_title"))
log = ui.import_log()
if log.empty:
    st.info(ui.t("data_health.no_imports"))
else:

    def _reasons(summary: str) -> str:
        try:
            parsed = json.loads(summary)
        except ValueError:
            return ""
        parts = [f"{ui.t('import.short.' + r)} ({c}): {fmt.integer(n, lang)}" for r, c, n in parsed.get("reasons", [])]
        return "; ".join(parts + list(parsed.get("file_problems", []))[:3])

    table_log = pd.DataFrame(
        {
            ui.t("data_health.col.started_at"): log["started_at"],
            ui.t("data_health.col.file_name"): log["file_name"],
            ui.t("data_health.col.target"): log["table_name"],
            ui.t("data_health.col.mode"): [ui.t(f"data_import.mode_{m}") for m in log["mode"]],
            ui.t("data_health.col.status"): [ui.t(f"data_health.status_{s}") for s in log["status"]],
            ui.t("data_health.col.rows_read"): log["rows_read"],
            ui.t("data_health.col.rows_accepted"): log["rows_accepted"],
            ui.t("data_health.col.rows_rejected"): log["rows_rejected"],
            ui.t("data_health.col.reasons"): [_reasons(s) for s in log["summary"]],
            ui.t("data_health.col.user"): log["user"].fillna("—"),
        }
    )
    st.dataframe(table_log, hide_index=True, width="stretch")
