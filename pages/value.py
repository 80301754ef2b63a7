"""Value & churn: predicted lifetime value (客户终身价值) and the probability a customer is still active,
from BG/NBD + Gamma-Gamma models fitted at scoring time, with the parameters and a holdout check."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core import charts, ui
from crm_core import formatting as fmt
from crm_core.clv import BREAKDOWNS, CLV_TIER_CODES, P_ALIVE_THRESHOLDS

filters = ui.current_filters()
lang = ui.lang()
currency = ui.settings().currency

st.title(ui.t("clv.title"))
if not ui.has_rows("orders"):
    st.info(ui.t("clv.no_orders"))
    st.stop()
fit = ui.clv_fit(filters)
bg_row = fit[fit["model"] == "bgnbd"]
if bg_row.empty:
    st.info(ui.t("clv.not_scored"))
    st.stop()
bg_fit = bg_row.iloc[0]
if bg_fit["status"] != "ok":
    st.warning(ui.t("clv.failed", reason=bg_fit["message"]))
    st.stop()

st.caption(
    ui.t(
        "clv.subtitle",
        day=fmt.day(pd.Timestamp(bg_fit["cutoff_date"]).date(), lang),
        customers=fmt.integer(bg_fit["customers"], lang),
        months=int(bg_fit["horizon_months"]),
        discount=f"{bg_fit['monthly_discount']:.1%}",
    )
)
if pd.Timestamp(bg_fit["cutoff_date"]).date() != filters.as_of:
    st.caption(ui.t("clv.as_of_differs", as_of=fmt.day(filters.as_of, lang)))

overview = ui.clv_overview(filters).iloc[0]
if not overview["customers"]:
    st.info(ui.t("clv.no_customers"))
    st.stop()
k = st.columns(5)
k[0].metric(ui.t("clv.kpi.total"), fmt.money(overview["total_clv"], currency, lang), border=True)
k[1].metric(ui.t("clv.kpi.mean"), fmt.money(overview["mean_clv"], currency, lang), border=True)
k[2].metric(ui.t("clv.kpi.p_alive"), f"{overview['mean_p_alive']:.0%}", border=True)
k[3].metric(
    ui.t("clv.kpi.lapsed"),
    fmt.integer(overview["likely_lapsed"], lang),
    help=ui.t("clv.kpi.lapsed_help", share=f"{overview['likely_lapsed'] / overview['customers']:.0%}"),
    border=True,
)
k[4].metric(
    ui.t("clv.kpi.purchases_90d"),
    fmt.integer(overview["expected_purchases_90d"], lang),
    help=ui.t("clv.kpi.purchases_help", n=fmt.integer(overview["expected_purchases_365d"], lang)),
    border=True,
)

section, tab = ui.page_tabs("value")
with tab:
    if section == "distribution":
        # -- distribution and breakdown ------------------------------------------------------------------
        left, right = st.columns(2)
        with left:
            dist = ui.clv_distribution(filters)

            def band(v: float) -> str:
                return fmt.compact(float(f"{v:.2g}"), lang) if v >= 1000 else f"{v:,.0f}" if v >= 10 else f"{v:.1f}"

            labels = [
                f"< {currency}1" if b < 0 else f"{currency}{band(lo)}–{band(hi)}"
                for b, lo, hi in zip(dist["bin"], dist["lower_bound"], dist["upper_bound"], strict=True)
            ]
            fig = go.Figure(
                go.Bar(
                    x=labels,
                    y=dist["customers"],
                    marker_color=charts.PALETTE[0],
                    customdata=np.stack([dist["total_clv"]], axis=-1),
                    hovertemplate="%{x}<br>%{y:,} · " + currency + "%{customdata[0]:,.0f}<extra></extra>",
                )
            )
            fig.update_layout(
                title=ui.t("clv.distribution_title"),
                height=360,
                xaxis_title=ui.t("clv.axis.clv_band"),
                yaxis_title=ui.t("clv.axis.customers"),
            )
            ui.chart(fig, key="clv_distribution")
        with right:
            breakdown = ui.url_selectbox(
                "clv_by", ui.t("clv.breakdown"), list(BREAKDOWNS), lambda b: ui.t(f"clv.breakdowns.{b}"), "value_tier"
            )
            by = ui.clv_by(filters, breakdown)
            kind = {
                "value_tier": "value_tier",
                "membership_tier": "tier",
                "acquisition_channel": "channel",
                "region": "region",
                "clv_tier": "clv_tier",
            }[breakdown]
            total = float(by["total_clv"].sum()) or 1.0
            fig = go.Figure(
                go.Bar(
                    x=ui.labels(kind, by["breakdown_value"]),
                    y=by["mean_clv"],
                    marker_color=charts.PALETTE[1],
                    text=[f"{v / total:.0%}" for v in by["total_clv"]],
                    textposition="outside",
                    customdata=np.stack([by["customers"], by["mean_p_alive"]], axis=-1),
                    hovertemplate="%{x}<br>" + ui.t("clv.hover_by", currency=currency) + "<extra></extra>",
                )
            )
            fig.update_layout(
                title=ui.t("clv.by_title"), height=360, yaxis_title=ui.t("clv.axis.mean_clv", currency=currency)
            )
            ui.chart(fig, key="clv_by")
            st.caption(ui.t("clv.by_caption"))
        ui.explain("clv.definition", "clv_distribution", "clv_by")
    elif section == "matrix":
        # -- P(alive) matrix -----------------------------------------------------------------------------
        st.subheader(ui.t("clv.matrix_title"))
        matrix = ui.clv_p_alive_matrix(filters)
        grid = matrix.pivot_table(index="frequency_band", columns="recency_band", values="mean_p_alive")
        counts = matrix.pivot_table(index="frequency_band", columns="recency_band", values="customers").reindex_like(
            grid
        )
        fig = go.Figure(
            go.Heatmap(
                z=grid.to_numpy(),
                x=[f"{int(c)}–{int(c) + 3}" if c < 104 else "104+" for c in grid.columns],
                y=[str(int(i)) if i < 20 else "20+" for i in grid.index],
                customdata=counts.fillna(0).to_numpy(),
                colorscale="RdYlGn",
                zmin=0,
                zmax=1,
                colorbar={"title": "P(alive)", "tickformat": ".0%"},
                hovertemplate=ui.t("clv.hover_matrix") + "<extra></extra>",
            )
        )
        fig.update_layout(
            height=460, xaxis_title=ui.t("clv.axis.recency_weeks"), yaxis_title=ui.t("clv.axis.repeat_days")
        )
        ui.chart(fig, key="clv_matrix")
        st.caption(ui.t("clv.matrix_caption"))
    elif section == "at_risk":
        # -- high value at risk ----------------------------------------------------------------------------
        st.subheader(ui.t("clv.at_risk_title"))
        threshold = ui.url_selectbox(
            "p_alive_below",
            ui.t("clv.p_alive_below"),
            list(P_ALIVE_THRESHOLDS),
            lambda p: f"{p:.0%}",
            0.3,
            parse=float,
        )
        at_risk = ui.clv_at_risk(filters, threshold)
        ui.customer_list_section(
            at_risk,
            ui.t("clv.at_risk_caption", n=fmt.integer(len(at_risk), lang), pct=f"{threshold:.0%}"),
            f"high_value_at_risk_{filters.as_of.isoformat()}",
            key="at_risk_csv",
            full=lambda: ui.clv_at_risk(filters, threshold, None),
        )
        ui.explain("clv.at_risk_definition", "clv_at_risk")
    elif section == "incremental":
        # -- expected incremental value ------------------------------------------------------------------
        st.subheader(ui.t("clv.incremental_title"))
        incremental = ui.clv_incremental_value(filters)
        if incremental.empty:
            st.info(ui.t("clv.no_proven_campaign"))
        else:
            ui.customer_list_section(
                incremental,
                ui.t(
                    "clv.incremental_caption",
                    n=fmt.integer(len(incremental), lang),
                    value=fmt.money(incremental["expected_incremental_value"].sum(), currency, lang),
                ),
                f"contact_list_{filters.as_of.isoformat()}",
                key="incremental_csv",
                full=lambda: ui.clv_incremental_value(filters, None),
            )
        ui.explain("clv.incremental_definition", "clv_incremental_value")
    elif section == "model":
        # -- the model and its validation ------------------------------------------------------------------
        st.subheader(ui.t("clv.model_title"))
        params = ui.clv_params(filters)
        left, right = st.columns([2, 3])
        with left:
            shown = params[params["model"].isin(["bgnbd", "gamma_gamma"])].copy()
            shown["model"] = [ui.t(f"clv.model.{m}") for m in shown["model"]]
            shown["time_unit"] = [ui.t(f"clv.unit.{u}") if u else "" for u in shown["time_unit"]]
            shown["value"] = [f"{v:.4g}" for v in shown["value"]]
            shown.columns = [ui.t(f"clv.col.{c}") for c in shown.columns]
            st.dataframe(shown, hide_index=True, width="stretch")
        with right:
            facts = fit[fit["model"].isin(["bgnbd", "gamma_gamma"])].copy()
            table = facts[
                ["model", "customers", "log_likelihood", "first_purchase_on", "cutoff_date", "fit_seconds"]
            ].copy()
            table["model"] = [ui.t(f"clv.model.{m}") for m in table["model"]]
            table["log_likelihood"] = [f"{v:,.1f}" for v in table["log_likelihood"]]
            table["first_purchase_on"] = [fmt.day(pd.Timestamp(d).date(), lang) for d in table["first_purchase_on"]]
            table["cutoff_date"] = [fmt.day(pd.Timestamp(d).date(), lang) for d in table["cutoff_date"]]
            table["fit_seconds"] = [f"{v:.1f}" for v in table["fit_seconds"]]
            table.columns = [ui.t(f"clv.col.{c}") for c in table.columns]
            st.dataframe(table, hide_index=True, width="stretch")
            st.caption(ui.t("clv.model_caption"))

        by_frequency, weekly = ui.clv_validation(filters)
        validation_row = fit[fit["model"] == "validation"]
        if by_frequency.empty or validation_row.empty:
            reason = validation_row.iloc[0]["message"] if not validation_row.empty else ""
            st.info(ui.t("clv.no_validation", reason=reason))
        else:
            cutoff = pd.Timestamp(validation_row.iloc[0]["cutoff_date"]).date()
            actual_total = float(weekly["actual_cumulative"].iloc[-1])
            predicted_total = float(weekly["predicted_cumulative"].iloc[-1])
            error = (predicted_total - actual_total) / actual_total if actual_total else float("nan")
            st.markdown(
                ui.t(
                    "clv.validation_summary",
                    cutoff=fmt.day(cutoff, lang),
                    weeks=len(weekly),
                    predicted=fmt.integer(predicted_total, lang),
                    actual=fmt.integer(actual_total, lang),
                    error=f"{error:+.1%}",
                )
            )
            left, right = st.columns(2)
            with left:
                buckets = [str(int(b)) if b < 7 else "7+" for b in by_frequency["frequency_bucket"]]
                fig = go.Figure(
                    [
                        go.Bar(
                            name=ui.t("clv.actual"),
                            x=buckets,
                            y=by_frequency["actual_mean"],
                            marker_color=charts.PALETTE[0],
                        ),
                        go.Bar(
                            name=ui.t("clv.predicted"),
                            x=buckets,
                            y=by_frequency["predicted_mean"],
                            marker_color=charts.PALETTE[1],
                        ),
                    ]
                )
                fig.update_layout(
                    title=ui.t("clv.validation_by_frequency"),
                    barmode="group",
                    height=360,
                    xaxis_title=ui.t("clv.axis.calibration_repeat_days"),
                    xaxis_type="category",
                    yaxis_title=ui.t("clv.axis.holdout_mean"),
                )
                ui.chart(fig, key="clv_validation_frequency")
            with right:
                fig = go.Figure(
                    [
                        go.Scatter(
                            name=ui.t("clv.actual"),
                            x=weekly["week_end"],
                            y=weekly["actual_cumulative"],
                            mode="lines",
                            line={"color": charts.PALETTE[0]},
                        ),
                        go.Scatter(
                            name=ui.t("clv.predicted"),
                            x=weekly["week_end"],
                            y=weekly["predicted_cumulative"],
                            mode="lines",
                            line={"color": charts.PALETTE[1], "dash": "dash"},
                        ),
                    ]
                )
                fig.update_layout(
                    title=ui.t("clv.validation_cumulative"),
                    height=360,
                    yaxis_title=ui.t("clv.axis.cumulative_repeat_days"),
                )
                ui.chart(fig, key="clv_validation_weekly")
        ui.explain("clv.model_definition", "clv_summary", "clv_holdout")
        st.caption(ui.t("clv.tiers_caption", tiers=", ".join(ui.label("clv_tier", c) for c in CLV_TIER_CODES)))
