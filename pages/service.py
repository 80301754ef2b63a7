"""Service: how well do we answer inquiries and complaints, and what does an unresolved complaint
cost? (售后服务与客户抱怨处理)"""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core import charts, service, ui
from crm_core import formatting as fmt
from crm_core.service import COMPLAINT_WINDOW_DAYS, CONTACT_TYPES, SATISFACTION_BREAKDOWNS

filters = ui.current_filters()
lang = ui.lang()

st.title(ui.t("service.title"))
if not ui.has_rows("interactions"):
    st.info(ui.t("service.no_interactions"))
    st.stop()
st.caption(
    ui.t(
        "service.subtitle",
        n=filters.period_days,
        start=fmt.day(filters.period_start, lang),
        end=fmt.day(filters.as_of, lang),
    )
)
summary = ui.filter_summary(filters)
if summary:
    st.caption(summary)

section = ui.open_section("service")
if section == "volume":
    # the volume section's own queries hold the headline too
    volume = ui.service_volume(filters)
    times = ui.service_times(filters)
    headline = service.headline_from(volume, times)
else:
    headline = ui.service_headline(filters)  # one pass instead of both
head = headline.set_index("interaction_type")


def hours(x: float) -> str:
    return "–" if pd.isna(x) else ui.t("service.hours", n=f"{x:,.1f}")


# -- headline -------------------------------------------------------------------------------
k = st.columns(6)
for col, kind in zip(k[:2], CONTACT_TYPES, strict=True):
    now, before = int(head.at[kind, "contacts"]), int(head.at[kind, "contacts_previous"])
    change = fmt.change(now, before)
    col.metric(
        ui.t(f"service.kpi.{kind}"),
        fmt.integer(now, lang),
        None if change is None else fmt.percent(change),
        delta_color="inverse",
        help=ui.t("service.kpi.vs_previous", n=filters.period_days),
    )
complaints = head.loc["complaint"]
k[2].metric(ui.t("service.kpi.response_median"), hours(complaints["response_hours_median"]))
k[3].metric(ui.t("service.kpi.response_p90"), hours(complaints["response_hours_p90"]))
k[4].metric(ui.t("service.kpi.resolved"), fmt.percent(complaints["share_resolved"]))
rated = int(complaints["rated"])
k[5].metric(
    ui.t("service.kpi.satisfaction"), fmt.percent(int(complaints["satisfied"]) / rated if rated else float("nan"))
)
st.caption(ui.t("service.kpi_caption"))
if int(head["contacts"].sum()) == 0:
    st.info(ui.t("service.no_contacts"))
    st.stop()

section, tab = ui.page_tabs("service")
with tab:
    if section == "volume":
        # -- by channel and topic ----------------------------------------------------------------------
        st.subheader(ui.t("service.volume_title"))
        kind = ui.url_selectbox(
            "contact_type",
            ui.t("service.contact_type"),
            list(CONTACT_TYPES),
            lambda c: ui.label("interaction_type", c),
            "complaint",
        )
        part = volume[volume["interaction_type"] == kind]
        left, right = st.columns(2)
        with left:
            matrix = part.pivot_table(index="channel", columns="topic", values="contacts", aggfunc="sum").fillna(0)
            heat = go.Figure(
                go.Heatmap(
                    z=matrix.to_numpy(),
                    x=ui.labels("topic", matrix.columns),
                    y=ui.labels("touch_channel", matrix.index),
                    text=matrix.astype(int).to_numpy(),
                    texttemplate="%{text}",
                    colorscale="Blues",
                    hovertemplate="%{y} · %{x}: %{z:,}<extra></extra>",
                )
            )
            heat.update_layout(title=ui.t(f"service.heatmap_{kind}"), height=380)
            ui.chart(heat, key="service_heat")
        with right:
            by_channel = times[(times["interaction_type"] == kind) & (times["dimension"] == "channel")]
            fig = go.Figure()
            for name, column, colour in (
                ("median", "response_hours_median", charts.PALETTE[0]),
                ("p90", "response_hours_p90", charts.PALETTE[1]),
            ):
                fig.add_trace(
                    go.Bar(
                        x=ui.labels("touch_channel", by_channel["dimension_value"]),
                        y=by_channel[column],
                        name=ui.t(f"service.{name}"),
                        marker_color=colour,
                        hovertemplate="%{x}: %{y:.1f} h<extra></extra>",
                    )
                )
            fig.update_layout(
                title=ui.t(f"service.response_chart_{kind}"),
                height=380,
                barmode="group",
                yaxis_title=ui.t("service.hours_axis"),
            )
            ui.chart(fig, key="service_response")

        rows = times[(times["interaction_type"] == kind) & (times["dimension"] != "all")]
        table = pd.DataFrame(
            {
                ui.t("service.col.dimension"): [ui.t(f"service.dim.{d}") for d in rows["dimension"]],
                ui.t("service.col.value"): [
                    ui.label("touch_channel" if d == "channel" else "topic", v)
                    for d, v in zip(rows["dimension"], rows["dimension_value"], strict=True)
                ],
                ui.t("service.col.contacts"): rows["contacts"],
                ui.t("service.col.response_median"): rows["response_hours_median"].round(1),
                ui.t("service.col.response_p90"): rows["response_hours_p90"].round(1),
                ui.t("service.col.share_resolved"): (rows["share_resolved"] * 100).round(1),
                ui.t("service.col.resolution_median"): rows["resolution_hours_median"].round(1),
                ui.t("service.col.resolution_p90"): rows["resolution_hours_p90"].round(1),
                ui.t("service.col.avg_satisfaction"): rows["avg_satisfaction"].round(2),
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")
        ui.explain("service.times_definition", "service_times", "service_volume")
    elif section == "satisfaction":
        # -- satisfaction by segment and over time -----------------------------------------------------
        st.subheader(ui.t("service.satisfaction_title"))
        breakdown = ui.url_selectbox(
            "sat_by",
            ui.t("service.breakdown"),
            list(SATISFACTION_BREAKDOWNS),
            lambda b: ui.t(f"service.by.{b}"),
            "value_tier",
        )
        kinds_of = {
            "value_tier": "value_tier",
            "membership_tier": "tier",
            "lifecycle_stage": "stage",
            "region": "region",
            "acquisition_channel": "channel",
        }
        sat = ui.satisfaction_by(filters, breakdown)
        fig = go.Figure()
        for i, contact in enumerate(CONTACT_TYPES):
            part = sat[sat["interaction_type"] == contact]
            fig.add_trace(
                go.Bar(
                    x=[ui.label(kinds_of[breakdown], v) for v in part["breakdown_value"]],
                    y=part["share_satisfied"],
                    name=ui.label("interaction_type", contact),
                    marker_color=charts.PALETTE[i],
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": part["share_satisfied_high"] - part["share_satisfied"],
                        "arrayminus": part["share_satisfied"] - part["share_satisfied_low"],
                    },
                    customdata=part[["rated", "avg_satisfaction"]].to_numpy(),
                    hovertemplate="%{x}: %{y:.1%} (n=%{customdata[0]:,}, ⌀ %{customdata[1]:.2f})<extra></extra>",
                )
            )
        fig.update_layout(
            title=ui.t("service.satisfaction_chart"),
            height=380,
            barmode="group",
            yaxis={"tickformat": ".0%", "range": [0, 1]},
        )
        ui.chart(fig, key="service_satisfaction")

        trend = ui.service_trend(filters)
        left, right = st.columns(2)
        with left:
            fig = go.Figure()
            for i, contact in enumerate(CONTACT_TYPES):
                part = trend[trend["interaction_type"] == contact]
                fig.add_trace(
                    go.Scatter(
                        x=part["month_start"],
                        y=part["contacts"],
                        name=ui.label("interaction_type", contact),
                        mode="lines+markers",
                        line={"color": charts.PALETTE[i]},
                    )
                )
            fig.update_layout(title=ui.t("service.trend_contacts"), height=360)
            ui.chart(fig, key="service_trend_contacts")
        with right:
            fig = go.Figure()
            for i, contact in enumerate(CONTACT_TYPES):
                part = trend[trend["interaction_type"] == contact]
                colour = charts.PALETTE[i]
                fig.add_trace(
                    go.Scatter(
                        x=pd.concat([part["month_start"], part["month_start"][::-1]]),
                        y=pd.concat([part["share_satisfied_high"], part["share_satisfied_low"][::-1]]),
                        fill="toself",
                        fillcolor=colour,
                        opacity=0.15,
                        line={"width": 0},
                        hoverinfo="skip",
                        showlegend=False,
                    )
                )
                fig.add_trace(
                    go.Scatter(
                        x=part["month_start"],
                        y=part["share_satisfied"],
                        name=ui.label("interaction_type", contact),
                        mode="lines+markers",
                        line={"color": colour},
                        hovertemplate="%{x|%Y-%m}: %{y:.1%}<extra></extra>",
                    )
                )
            fig.update_layout(title=ui.t("service.trend_satisfaction"), height=360, yaxis={"tickformat": ".0%"})
            ui.chart(fig, key="service_trend_satisfaction")
        ui.explain("service.satisfaction_definition", "service_satisfaction_by", "service_trend")
    elif section == "dissolution":
        # -- unresolved complaints and dissolution -----------------------------------------------------
        st.subheader(ui.t("service.dissolution_title"))
        window = ui.url_selectbox(
            "complaint_window",
            ui.t("service.window"),
            list(COMPLAINT_WINDOW_DAYS),
            lambda d: ui.t("lifecycle.days", n=d),
            365,
            parse=int,
        )
        groups, diffs = ui.complaint_dissolution(filters, window)
        fig = go.Figure(
            go.Bar(
                x=ui.labels("complaint_group", groups["complaint_group"]),
                y=groups["dissolution_rate"],
                marker_color=[charts.PALETTE[3], charts.PALETTE[2], charts.PALETTE[0]][: len(groups)],
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": groups["dissolution_rate_high"] - groups["dissolution_rate"],
                    "arrayminus": groups["dissolution_rate"] - groups["dissolution_rate_low"],
                },
                customdata=groups[["dissolved", "customers"]].to_numpy(),
                hovertemplate="%{x}: %{y:.1%} (%{customdata[0]:,} / %{customdata[1]:,})<extra></extra>",
            )
        )
        fig.update_layout(title=ui.t("service.dissolution_chart"), height=380, yaxis={"tickformat": ".0%"})
        left, right = st.columns([3, 2])
        with left:
            ui.chart(fig, key="service_dissolution")
        with right:
            by = groups.set_index("complaint_group")
            for _, d in diffs.iterrows():
                other = str(d["compared_with"])
                if pd.isna(d["difference"]):
                    st.info(ui.t("service.too_few"))
                    continue
                st.metric(
                    ui.t("service.diff_label", other=ui.label("complaint_group", other)),
                    ui.t("service.points", n=f"{d['difference'] * 100:+.1f}"),
                    help=ui.t("service.diff_help"),
                )
                st.caption(
                    ui.t(
                        "service.diff_caption",
                        low=f"{d['ci_low'] * 100:+.1f}",
                        high=f"{d['ci_high'] * 100:+.1f}",
                        p=f"{d['p_value']:.2g}",
                    )
                )
            st.caption(
                ui.t(
                    "service.groups_caption",
                    unresolved=fmt.integer(by.at["unresolved", "customers"], lang),
                    resolved=fmt.integer(by.at["resolved", "customers"], lang),
                    none=fmt.integer(by.at["no_complaint", "customers"], lang),
                )
            )
        ui.explain("service.dissolution_definition", "complaint_dissolution")
