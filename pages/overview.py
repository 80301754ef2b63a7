"""Overview: how is the business doing in the period, and where does revenue come from?"""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from crm_core import charts, ui
from crm_core import formatting as fmt
from crm_core.overview import KPI_COLUMNS

filters = ui.current_filters()
lang = ui.lang()
currency = ui.settings().currency

st.title(ui.t("overview.title"))
st.caption(
    ui.t(
        "overview.subtitle",
        start=fmt.day(filters.period_start, lang),
        end=fmt.day(filters.as_of, lang),
        prev_start=fmt.day(filters.previous_start, lang),
        prev_end=fmt.day(filters.period_start - pd.Timedelta(days=1), lang),
    )
    + (" " + ui.t("overview.filtered", what=ui.filter_summary(filters)) if ui.filter_summary(filters) else "")
)
if ui.customers_are_derived():
    st.info(ui.t("data_notes.derived_customers"))

# -- headline KPIs ---------------------------------------------------------------------------
kpis = ui.overview_kpis(filters).set_index("period")
current, previous = kpis.loc["current"], kpis.loc["previous"]
MONEY = {"revenue", "avg_order_value"}


def shown(column: str, value: float) -> str:
    if column in MONEY:
        return fmt.money(value, currency, lang)
    if column == "repeat_purchase_rate":
        return fmt.percent(value)
    return fmt.integer(value, lang)


def delta(column: str) -> str | None:
    if column == "repeat_purchase_rate":
        if pd.isna(current[column]) or pd.isna(previous[column]):
            return None
        return f"{(current[column] - previous[column]) * 100:+.1f} pp"
    change = fmt.change(current[column], previous[column])
    return None if change is None else f"{change * 100:+.1f}%"


# where each KPI is explained in depth
EXPLAINED_BY = {
    "customers": ("pages/segments.py", "nav.segments"),
    "active_customers": ("pages/lifecycle.py", "nav.lifecycle"),
    "new_customers": ("pages/lifecycle.py", "nav.lifecycle"),
    "revenue": ("pages/segments.py", "nav.segments"),
    "count_orders": ("pages/retention.py", "nav.retention"),
    "avg_order_value": ("pages/segments.py", "nav.segments"),
    "repeat_purchase_rate": ("pages/retention.py", "nav.retention"),
}
rows = (KPI_COLUMNS[:4], KPI_COLUMNS[4:])
for row in rows:
    for col, column in zip(st.columns(4), row, strict=False):
        target, nav_key = EXPLAINED_BY[column]
        col.metric(
            ui.t(f"kpi.{column}"),
            shown(column, current[column]),
            delta=delta(column),
            delta_description=ui.t("kpi.vs_previous", n=filters.period_days),
            help=ui.t(f"kpi.{column}_help"),
            border=True,
        )
        col.page_link(target, label=ui.t("overview.explore", page=ui.t(nav_key)))
ui.explain("overview.kpi_definitions", "overview_kpis")

if current["active_customers"] == 0:
    st.info(ui.t("overview.no_data"))

section, tab = ui.page_tabs("overview")
with tab:
    if section == "trend":
        # -- trends ----------------------------------------------------------------------------------
        st.subheader(ui.t("overview.trend_title"))
        trend = ui.overview_trend(filters)
        months = pd.to_datetime(trend["month_start"])
        fig = make_subplots(specs=[[{"secondary_y": True}]])
        fig.add_trace(
            go.Bar(
                x=months,
                y=trend["revenue"],
                name=ui.t("overview.revenue"),
                marker_color=[charts.PALETTE[0] if not p else "#9DB3DB" for p in trend["is_partial_month"]],
                hovertemplate="%{x|%Y-%m}<br>"
                + ui.t("overview.revenue")
                + ": "
                + currency
                + "%{y:,.0f}<extra></extra>",
            ),
            secondary_y=False,
        )
        fig.add_trace(
            go.Scatter(
                x=months,
                y=trend["active_customers"],
                name=ui.t("overview.active_customers"),
                mode="lines+markers",
                line={"color": charts.PALETTE[1], "width": 2.5},
                hovertemplate="%{x|%Y-%m}<br>" + ui.t("overview.active_customers") + ": %{y:,}<extra></extra>",
            ),
            secondary_y=True,
        )
        fig.add_trace(
            go.Scatter(
                x=months,
                y=trend["new_customers"],
                name=ui.t("overview.new_customers"),
                mode="lines",
                line={"color": charts.PALETTE[2], "width": 2, "dash": "dot"},
                hovertemplate="%{x|%Y-%m}<br>" + ui.t("overview.new_customers") + ": %{y:,}<extra></extra>",
            ),
            secondary_y=True,
        )
        fig.update_layout(height=380, bargap=0.25, hovermode="x unified")
        fig.update_xaxes(title_text=ui.t("overview.month"), dtick="M2", tickformat="%Y-%m")
        ticks, tick_text = charts.nice_ticks(float(trend["revenue"].max() or 0), lambda v: fmt.compact(v, lang))
        fig.update_yaxes(
            title_text=f"{ui.t('overview.revenue')} ({currency})", secondary_y=False, tickvals=ticks, ticktext=tick_text
        )
        fig.update_yaxes(
            title_text=ui.t("overview.active_customers"),
            secondary_y=True,
            showgrid=False,
            rangemode="tozero",
            tickformat=",.0f",
        )
        ui.chart(fig, key="trend")
        if trend["is_partial_month"].any():
            st.caption(ui.t("overview.partial_month"))
        ui.explain("overview.trend_definition", "overview_trend")
    elif section == "mix":
        # -- mix -------------------------------------------------------------------------------------
        st.subheader(ui.t("overview.mix_title"))
        st.caption(ui.t("overview.mix_caption"))
        mix = ui.overview_mix(filters)
        panels = (
            ("membership_tier", "tier", "overview.by_tier"),
            ("region", "region", "overview.by_region"),
            ("acquisition_channel", "channel", "overview.by_channel"),
        )
        for col, (dimension, kind, title_key) in zip(st.columns(3), panels, strict=True):
            part = mix[mix["dimension"] == dimension].sort_values("share_of_revenue", ascending=True)
            names = ui.labels(kind, part["dimension_value"])
            colours = (
                [charts.TIER_COLOURS.get(v, charts.PALETTE[0]) for v in part["dimension_value"]]
                if dimension == "membership_tier"
                else charts.PALETTE[0]
            )
            panel = go.Figure()
            panel.add_trace(
                go.Bar(
                    y=names,
                    x=part["share_of_revenue"].fillna(0),
                    orientation="h",
                    name=ui.t("overview.share_of_revenue"),
                    marker_color=colours,
                    customdata=part[["revenue", "active_customers"]].to_numpy(),
                    hovertemplate="%{y}<br>"
                    + ui.t("overview.share_of_revenue")
                    + ": %{x:.1%} ("
                    + currency
                    + "%{customdata[0]:,.0f})<extra></extra>",
                )
            )
            panel.add_trace(
                go.Scatter(
                    y=names,
                    x=part["share_of_active"].fillna(0),
                    mode="markers",
                    name=ui.t("overview.share_of_active"),
                    marker={"symbol": "line-ns", "size": 18, "line": {"width": 3, "color": "#111827"}},
                    customdata=part[["active_customers"]].to_numpy(),
                    hovertemplate="%{y}<br>"
                    + ui.t("overview.share_of_active")
                    + ": %{x:.1%} (%{customdata[0]:,})<extra></extra>",
                )
            )
            panel.update_layout(title=ui.t(title_key), height=340, showlegend=False, xaxis_tickformat=".0%")
            with col:
                ui.chart(panel, key=f"mix_{dimension}")
        ui.explain("overview.mix_definition", "overview_mix")
