"""Retention and carts: do customers come back, and where do carts leak (网络商务放弃率)?"""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core import charts, contract, ui
from crm_core import formatting as fmt
from crm_core.lifecycle import COHORT_BASES, abandonment_what_if

filters = ui.current_filters()
TIER_ORDER = {tier: i for i, tier in enumerate(contract.TIERS)}
lang = ui.lang()
currency = ui.settings().currency

st.title(ui.t("retention.title"))
if not ui.has_rows("orders"):
    st.info(ui.t("lifecycle.no_orders"))
    st.stop()

section, tab = ui.page_tabs("retention")
with tab:
    if section == "cohorts":
        # -- cohorts -----------------------------------------------------------------------------------
        st.subheader(ui.t("retention.cohort_title"))
        c1, c2 = st.columns(2)
        with c1:
            basis = ui.url_selectbox(
                "cohort", ui.t("retention.basis"), list(COHORT_BASES), lambda b: ui.t(f"retention.basis_{b}"), "signup"
            )
        METRICS = ("share_active", "active_customers", "revenue_per_customer")
        with c2:
            metric = ui.url_selectbox(
                "metric",
                ui.t("retention.metric"),
                list(METRICS),
                lambda m: ui.t(f"retention.metric_{m}"),
                "share_active",
            )
        cells = ui.cohort_retention(filters, basis)
        if cells.empty:
            st.info(ui.t("retention.no_cohorts"))
        else:
            matrix = cells.pivot_table(index="cohort_month", columns="months_since", values=metric)
            sizes = cells.groupby("cohort_month")["cohort_size"].first()
            labels = [f"{pd.Timestamp(m):%Y-%m} (n={sizes[m]:,})" for m in matrix.index]
            if metric == "share_active":
                text = matrix.map(lambda v: "" if pd.isna(v) else f"{v:.0%}")
            elif metric == "active_customers":
                text = matrix.map(lambda v: "" if pd.isna(v) else f"{v:,.0f}")
            else:
                text = matrix.map(lambda v: "" if pd.isna(v) else f"{v:,.0f}")
            heat = go.Figure(
                go.Heatmap(
                    z=matrix.to_numpy(),
                    x=[str(c) for c in matrix.columns],
                    y=labels,
                    text=text.to_numpy(),
                    texttemplate="%{text}",
                    textfont={"size": 9},
                    colorscale="Blues",
                    hovertemplate="%{y}<br>" + ui.t("retention.months_since") + " %{x}: %{text}<extra></extra>",
                    colorbar={"tickformat": ".0%" if metric == "share_active" else ",.0f"},
                )
            )
            heat.update_layout(
                height=160 + 18 * len(matrix),
                xaxis_title=ui.t("retention.months_since"),
                yaxis={"autorange": "reversed", "title": ui.t(f"retention.basis_{basis}")},
            )
            ui.chart(heat, key="cohort_heat")
            lines = go.Figure()
            recent = matrix.index[-12:]
            for i, cohort in enumerate(recent):
                row = matrix.loc[cohort].dropna()
                lines.add_trace(
                    go.Scatter(
                        x=row.index,
                        y=row.to_numpy(),
                        mode="lines",
                        name=f"{pd.Timestamp(cohort):%Y-%m}",
                        line={"width": 1.5, "color": charts.PALETTE[i % len(charts.PALETTE)]},
                    )
                )
            lines.update_layout(
                title=ui.t("retention.lines_title"),
                height=360,
                xaxis_title=ui.t("retention.months_since"),
                yaxis_tickformat=".0%" if metric == "share_active" else ",.0f",
            )
            ui.chart(lines, key="cohort_lines")
        cohort_box = ui.lazy_expander(ui.t("retention.cohort_list"), "cohort_list_open") if not cells.empty else None
        if cohort_box is not None and cohort_box.open:
            with cohort_box:
                months = list(matrix.index)
                k1, k2 = st.columns(2)
                cohort_month = k1.selectbox(
                    ui.t(f"retention.basis_{basis}"),
                    months,
                    index=len(months) - 1,
                    format_func=ui.fixed_labels(lambda m: f"{pd.Timestamp(m):%Y-%m}", months),
                    key="cohort_pick",
                )
                available = sorted(int(c) for c in matrix.loc[cohort_month].dropna().index)
                months_since = k2.selectbox(ui.t("retention.months_since"), available, key="cohort_months_since")
                cell = (filters, basis, pd.Timestamp(cohort_month).date(), int(months_since))
                members = ui.cohort_customers(*cell, 200)
                ui.customer_list_section(
                    members,
                    ui.t("retention.cohort_list_caption", n=fmt.integer(ui.listed_count(members), lang)),
                    f"cohort_{pd.Timestamp(cohort_month):%Y-%m}_month_{months_since}",
                    "cohort_export",
                    full=lambda: ui.cohort_customers(*cell),
                )
        ui.explain("retention.cohort_definition", "cohort_retention")
    elif section == "carts":
        # -- cart abandonment --------------------------------------------------------------------------
        st.subheader(ui.t("retention.cart_title"))
        if not ui.has_rows("web_events"):
            st.info(ui.t("retention.no_events"))
            st.stop()
        by = ui.cart_abandonment_by(filters)
        overall = by[by["dimension"] == "all"]
        if overall.empty or int(overall["carts"].iloc[0]) == 0:
            st.info(ui.t("retention.no_carts"))
        else:
            row = overall.iloc[0]
            k = st.columns(4)
            k[0].metric(
                ui.t("retention.rate"),
                fmt.percent(row["abandonment_rate"]),
                help=ui.t("retention.rate_help"),
                border=True,
            )
            k[1].metric(ui.t("retention.carts"), fmt.integer(row["carts"], lang), border=True)
            k[2].metric(
                ui.t("retention.abandoned_value"),
                fmt.money(row["abandoned_basket_value"], currency, lang),
                help=ui.t("retention.abandoned_value_help"),
                border=True,
            )
            k[3].metric(
                ui.t("retention.converted_revenue"), fmt.money(row["converted_revenue"], currency, lang), border=True
            )

            trend = ui.cart_abandonment_trend(filters)
            fig = go.Figure()
            for i, (channel, part) in enumerate(trend.groupby("channel")):
                fig.add_trace(
                    go.Scatter(
                        x=pd.to_datetime(part["week_start"]),
                        y=part["abandoned_carts"] / part["carts"],
                        name=ui.label("sales_channel", channel),
                        mode="lines+markers",
                        line={"color": charts.PALETTE[i]},
                        hovertemplate="%{x|%Y-%m-%d}: %{y:.1%}<extra></extra>",
                    )
                )
            fig.update_layout(
                title=ui.t("retention.trend_title"),
                height=340,
                yaxis_tickformat=".0%",
                xaxis_title=ui.t("retention.week"),
            )
            ui.chart(fig, key="cart_trend")

            cols = st.columns(3)
            for col, (dimension, kind) in zip(
                cols, (("channel", "sales_channel"), ("device", "device"), ("membership_tier", "tier")), strict=True
            ):
                part = by[by["dimension"] == dimension]
                if dimension == "membership_tier":
                    part = part.sort_values("dimension_value", key=lambda v: v.map(TIER_ORDER))
                bars = go.Figure(
                    go.Bar(
                        x=ui.labels(kind, part["dimension_value"]),
                        y=part["abandonment_rate"],
                        marker_color=charts.PALETTE[0],
                        text=[fmt.percent(v) for v in part["abandonment_rate"]],
                        textposition="outside",
                        customdata=part[["carts"]].to_numpy(),
                        hovertemplate="%{x}: %{y:.1%} (%{customdata[0]:,})<extra></extra>",
                    )
                )
                bars.update_layout(
                    title=ui.t(f"retention.by_{dimension}"), height=300, yaxis_tickformat=".0%", yaxis_range=[0, 1.05]
                )
                with col:
                    ui.chart(bars, key=f"cart_{dimension}")

            st.markdown(f"**{ui.t('retention.what_if_title')}**")
            points = st.slider(ui.t("retention.what_if_points"), 0, 40, ui.kept("what_if", 10), key="what_if")
            ui.keep("what_if", points)  # kept while another section shows (ui.kept)
            w = abandonment_what_if(
                int(row["carts"]), int(row["abandoned_carts"]), float(row["converted_revenue"]), float(points)
            )
            st.metric(
                ui.t("retention.what_if_gain"),
                fmt.money(w["extra_revenue"], currency, lang),
                delta=ui.t("retention.what_if_delta", factor=f"{w['factor']:.2f}"),
                delta_color="off",
                border=True,
            )
            st.caption(
                ui.t("retention.what_if_caption", rate=fmt.percent(w["rate"]), new_rate=fmt.percent(w["new_rate"]))
            )
            cart_box = ui.lazy_expander(ui.t("retention.cart_list"), "cart_list_open")
            if cart_box.open:
                with cart_box:
                    options = [("all", "")] + [
                        (d, v) for d, v in zip(by["dimension"], by["dimension_value"], strict=True) if d != "all"
                    ]
                    kinds = {"channel": "sales_channel", "device": "device", "membership_tier": "tier"}
                    choice = st.selectbox(
                        ui.t("retention.cart_list_of"),
                        options,
                        format_func=ui.fixed_labels(
                            lambda o: ui.t("lifecycle.all_customers") if o[0] == "all" else ui.label(kinds[o[0]], o[1]),
                            options,
                        ),
                        key="cart_pick",
                    )
                    leavers = ui.abandoned_cart_customers(filters, choice[0], choice[1], 200)
                    ui.customer_list_section(
                        leavers,
                        ui.t("retention.cart_list_caption", n=fmt.integer(ui.listed_count(leavers), lang)),
                        f"abandoned_carts_{filters.as_of.isoformat()}",
                        "cart_export",
                        full=lambda: ui.abandoned_cart_customers(filters, choice[0], choice[1]),
                    )
        ui.explain("retention.cart_definition", "cart_abandonment_by", "cart_abandonment_trend")
