"""Account managers: who looks after whom, and what happens to customers whose manager left
without a handover? (客户经理与失联客户)"""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core import charts, managers, ui
from crm_core import formatting as fmt
from crm_core.managers import HORIZONS, reorder_comparison, reorder_curves

filters = ui.current_filters()
lang = ui.lang()
currency = ui.settings().currency

st.title(ui.t("managers.title"))
if not ui.has_rows("account_managers"):
    st.info(ui.t("managers.none_loaded"))
    st.stop()
summary = ui.filter_summary(filters)
st.caption(ui.t("managers.subtitle", day=fmt.day(filters.as_of, lang)) + (f" {summary}" if summary else ""))

section = ui.open_section("account_managers")
if section == "portfolio":
    table = ui.manager_summary(filters)  # every manager's row; the headline adds them up
    named = table[table["manager_status"].isin(["employed", "left"])]
    head = managers.headline_from(table)
else:
    head = ui.manager_headline(filters)  # the orphans' orders only
orphans = int(head["orphaned_customers"])
customers = int(head["customers"])
orphan_revenue = head["orphaned_revenue_365d"]
k = st.columns(5)
k[0].metric(ui.t("managers.kpi.employed"), fmt.integer(int(head["employed_managers"]), lang))
k[1].metric(ui.t("managers.kpi.left"), fmt.integer(int(head["left_managers"]), lang))
k[2].metric(ui.t("managers.kpi.orphaned"), fmt.integer(orphans, lang), help=ui.t("managers.kpi.orphaned_help"))
k[3].metric(ui.t("managers.kpi.orphaned_share"), fmt.percent(orphans / customers if customers else float("nan")))
k[4].metric(
    ui.t("managers.kpi.orphaned_revenue"),
    fmt.money(orphan_revenue, currency, lang),
    help=ui.t("managers.kpi.orphaned_revenue_help"),
)

section, tab = ui.page_tabs("account_managers")
with tab:
    if section == "portfolio":
        # -- per manager --------------------------------------------------------------------------------
        st.subheader(ui.t("managers.portfolio_title"))
        STAGES = ("commitment", "exploration", "cognition", "dissolution")
        top = named.sort_values(["customers", "manager_id"], ascending=[False, True]).head(30)
        names = [
            f"{n} ({ui.t('managers.left_mark')})" if s == "left" else str(n)
            for n, s in zip(top["manager_name"], top["manager_status"], strict=True)
        ]
        fig = go.Figure()
        for i, stage in enumerate(STAGES):
            fig.add_trace(
                go.Bar(
                    x=names,
                    y=top[f"customers_{stage}"],
                    name=ui.label("stage", stage),
                    marker_color=charts.PALETTE[i],
                    hovertemplate="%{x}: %{y:,}<extra>" + ui.label("stage", stage) + "</extra>",
                )
            )
        fig.update_layout(
            barmode="stack", title=ui.t("managers.stage_chart"), height=420, yaxis_title=ui.t("managers.customers")
        )
        ui.chart(fig, key="manager_stages")
        shown = pd.DataFrame(
            {
                ui.t("managers.col.manager"): table["manager_name"].fillna(""),
                ui.t("managers.col.id"): table["manager_id"].astype("Int64").astype(str).replace("<NA>", ""),
                ui.t("managers.col.region"): [
                    ui.label("region", r) if isinstance(r, str) else "" for r in table["region"]
                ],
                ui.t("managers.col.status"): ui.labels("manager_status", table["manager_status"]),
                ui.t("managers.col.left_on"): [
                    "" if pd.isna(d) else fmt.day(pd.Timestamp(d).date(), lang) for d in table["left_on"]
                ],
                ui.t("managers.col.customers"): table["customers"],
                ui.t("managers.col.orphaned"): table["orphaned_customers"],
                **{ui.label("stage", s): table[f"customers_{s}"] for s in STAGES},
                ui.t("managers.col.revenue_period", n=filters.period_days): table["revenue_period"]
                .astype(float)
                .round(0),
                ui.t("managers.col.revenue_365d"): table["revenue_365d"].astype(float).round(0),
            }
        )
        st.dataframe(shown, hide_index=True, width="stretch")
        ui.explain("managers.summary_definition", "manager_summary")
    elif section == "orphans":
        # -- orphaned customers -------------------------------------------------------------------------
        st.subheader(ui.t("managers.orphans_title"))
        listed = ui.orphaned_customers(filters, 200)
        if listed.empty:
            st.info(ui.t("managers.no_orphans"))
        else:
            ui.customer_list_section(
                listed.drop(columns="reordered_customers"),
                ui.t(
                    "managers.orphans_caption",
                    n=fmt.integer(ui.listed_count(listed), lang),
                    k=fmt.integer(int(listed["reordered_customers"].iloc[0]), lang),
                ),
                f"orphaned_customers_{filters.as_of.isoformat()}",
                "orphans_export",
                full=lambda: ui.orphaned_customers(filters),
            )
        ui.explain("managers.orphans_definition", "orphaned_customers")
    elif section == "outcomes":
        # -- how they fared ------------------------------------------------------------------------------
        st.subheader(ui.t("managers.outcome_title"))
        horizon = ui.url_selectbox(
            "horizon", ui.t("managers.horizon"), list(HORIZONS), lambda d: ui.t("lifecycle.days", n=d), 90, parse=int
        )
        outcomes = ui.orphan_outcomes(filters, horizon)
        result = reorder_comparison(outcomes, horizon)
        if result["orphaned_n"] == 0 or result["comparison_n"] == 0:
            st.info(ui.t("managers.no_outcome", n=horizon))
        else:
            curves = reorder_curves(outcomes, horizon)
            left, right = st.columns([3, 2])
            with left:
                fig = go.Figure()
                for group in ("orphaned", "comparison"):
                    part = curves[curves["outcome_group"] == group]
                    fig.add_trace(
                        go.Scatter(
                            x=part["months"],
                            y=part["share_reordered"],
                            name=ui.label("outcome_group", group),
                            mode="lines+markers",
                            line={"color": charts.PALETTE[3 if group == "orphaned" else 0]},
                            hovertemplate="%{x}: %{y:.1%}<extra></extra>",
                        )
                    )
                fig.update_layout(
                    title=ui.t("managers.curve_chart"),
                    height=380,
                    xaxis={"title": ui.t("managers.months_after"), "dtick": 1},
                    yaxis={"tickformat": ".0%", "title": ui.t("managers.share_reordered"), "rangemode": "tozero"},
                )
                ui.chart(fig, key="orphan_curve")
            with right:
                st.metric(
                    ui.t("managers.reorder_orphaned", n=horizon),
                    fmt.percent(result["orphaned_rate"]),
                    help=ui.t(
                        "managers.interval",
                        low=fmt.percent(result["orphaned_low"]),
                        high=fmt.percent(result["orphaned_high"]),
                        n=fmt.integer(result["orphaned_n"], lang),
                    ),
                )
                st.metric(
                    ui.t("managers.reorder_comparison", n=horizon),
                    fmt.percent(result["comparison_rate"]),
                    help=ui.t(
                        "managers.interval",
                        low=fmt.percent(result["comparison_low"]),
                        high=fmt.percent(result["comparison_high"]),
                        n=fmt.integer(result["comparison_n"], lang),
                    ),
                )
                st.metric(
                    ui.t("managers.difference"),
                    ui.t("service.points", n=f"{result['difference'] * 100:+.1f}"),
                )
                st.caption(
                    ui.t(
                        "managers.difference_caption",
                        low=f"{result['ci_low'] * 100:+.1f}",
                        high=f"{result['ci_high'] * 100:+.1f}",
                        p=f"{result['p_value']:.2g}",
                        departures=result["departures"],
                    )
                )
        ui.explain("managers.outcome_definition", "orphan_outcomes")
