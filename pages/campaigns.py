"""Campaigns: from sent to converted, and what each campaign caused over its holdout."""

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core import charts, ui
from crm_core import formatting as fmt
from crm_core.campaigns import WINDOW_CHOICES, LiftSettings, balance_checks, followup_spend

filters = ui.current_filters()
lang = ui.lang()
currency = ui.settings().currency

st.title(ui.t("campaigns.title"))
st.caption(ui.t("campaigns.subtitle", as_of=fmt.day(filters.as_of, lang)))
if not ui.has_rows("campaigns", "campaign_sends"):
    st.info(ui.t("campaigns.none_loaded"))
    st.stop()

controls = st.columns([1, 1, 2])
with controls[0]:
    window = ui.url_selectbox(
        "window",
        ui.t("campaigns.window"),
        list(WINDOW_CHOICES),
        lambda d: ui.t("campaigns.window_own") if d == 0 else ui.t("campaigns.window_days", n=d),
        default=0,
        parse=int,
    )
with controls[1]:
    min_group = int(st.number_input(ui.t("campaigns.min_group"), min_value=10, max_value=10_000, value=50, step=10))
settings = LiftSettings(window_days=window, min_group=min_group)
lift = ui.campaign_lift(filters, settings)
if lift.empty:
    st.info(ui.t("campaigns.none_in_view"))
    st.stop()
overall = lift[lift["segment"] == "all"].sort_values("started_at", ascending=False)

VERDICT_COLOURS = {
    "positive": "#3A9D6E",
    "negative": "#C0504D",
    "inconclusive": "#9CA3AF",
    "too_small": "#D4A017",
    "open": "#6B8FB5",
}


CAMPAIGN_LABELS = {
    int(cid): f"{name} · {ui.label('campaign_channel', channel)}"
    for cid, name, channel in zip(overall["campaign_id"], overall["campaign_name"], overall["channel"], strict=True)
}


def campaign_label(campaign_id: int) -> str:
    return CAMPAIGN_LABELS[int(campaign_id)]


with controls[2]:
    campaign_id = ui.url_selectbox(
        "campaign",
        ui.t("campaigns.pick"),
        [int(c) for c in overall["campaign_id"]],
        campaign_label,
        default=int(overall["campaign_id"].iloc[0]),
        parse=int,
    )

# -- all campaigns -----------------------------------------------------------------------------
st.subheader(ui.t("campaigns.table_title"))
table = pd.DataFrame(
    {
        ui.t("campaigns.col.name"): overall["campaign_name"],
        ui.t("campaigns.col.channel"): ui.labels("campaign_channel", overall["channel"]),
        ui.t("campaigns.col.objective"): ui.labels("objective", overall["objective"]),
        ui.t("campaigns.col.started"): pd.to_datetime(overall["started_at"]).dt.date,
        ui.t("campaigns.col.sent"): overall["n_treated"],
        ui.t("campaigns.col.holdout"): overall["n_holdout"],
        ui.t("campaigns.col.delivery"): overall["count_delivered"] / overall["n_treated"],
        ui.t("campaigns.col.open"): (overall["count_opened"] / overall["count_delivered"]).where(
            overall["channel"] != "sms"  # SMS has no open tracking
        ),
        ui.t("campaigns.col.click"): overall["count_clicked"] / overall["count_delivered"],
        ui.t("campaigns.col.ctor"): overall["count_clicked"]
        / overall["count_opened"].where(overall["count_opened"] > 0),
        ui.t("campaigns.col.conversion"): overall["rate_treated"],
        ui.t("campaigns.col.lift"): overall["lift_abs"],
        ui.t("campaigns.col.revenue"): overall["revenue_treated"],
        ui.t("campaigns.col.unsubscribe"): overall["count_unsubscribed"] / overall["count_delivered"],
        ui.t("campaigns.col.cost"): overall["cost"],
        ui.t("campaigns.col.naive_roi"): overall["naive_roi"],
        ui.t("campaigns.col.incremental_roi"): overall["incremental_roi"],
        ui.t("campaigns.col.verdict"): ui.labels("verdict", overall["verdict"]),
    }
)
pct = st.column_config.NumberColumn(format="percent")
money = st.column_config.NumberColumn(format=f"{currency}%.0f")
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    height=360,
    column_config={
        **{
            ui.t(f"campaigns.col.{c}"): pct
            for c in ("delivery", "open", "click", "ctor", "conversion", "lift", "unsubscribe")
        },
        ui.t("campaigns.col.revenue"): money,
        ui.t("campaigns.col.cost"): money,
        ui.t("campaigns.col.naive_roi"): pct,
        ui.t("campaigns.col.incremental_roi"): pct,
    },
)
st.caption(ui.t("campaigns.table_caption"))
ui.explain("campaigns.table_definition", "campaign_performance")

# -- comparison over time ----------------------------------------------------------------------
st.subheader(ui.t("campaigns.compare_title"))
closed = overall[overall["verdict"] != "open"]
over_time = go.Figure()
for channel, part in closed.groupby("channel"):
    over_time.add_trace(
        go.Scatter(
            x=pd.to_datetime(part["started_at"]),
            y=part["lift_abs"],
            mode="markers",
            name=ui.label("campaign_channel", channel),
            error_y={
                "type": "data",
                "symmetric": False,
                "array": part["lift_ci_high"] - part["lift_abs"],
                "arrayminus": part["lift_abs"] - part["lift_ci_low"],
                "thickness": 1.2,
            },
            marker={"size": 9},
            customdata=part[["campaign_name"]].to_numpy(),
            hovertemplate="%{customdata[0]}<br>" + ui.t("campaigns.lift") + ": %{y:+.2%}<extra></extra>",
        )
    )
over_time.add_hline(y=0, line={"color": "#6B7280", "dash": "dash"})
over_time.update_layout(
    height=360,
    yaxis_tickformat="+.0%",
    yaxis_title=ui.t("campaigns.lift_axis"),
    xaxis_title=ui.t("campaigns.started"),
)
ui.chart(over_time, key="lift_over_time")

by_cols = st.columns(2)
for col, (dimension, kind, title_key) in zip(
    by_cols,
    (("channel", "campaign_channel", "campaigns.by_channel"), ("objective", "objective", "campaigns.by_objective")),
    strict=True,
):
    grouped = (
        closed.groupby(dimension)
        .agg(
            incremental=("incremental_conversions", "sum"),
            naive=("conversions_treated", "sum"),
            campaigns=("campaign_id", "count"),
        )
        .reset_index()
    )
    names = ui.labels(kind, grouped[dimension])
    bars = go.Figure()
    bars.add_trace(
        go.Bar(x=names, y=grouped["naive"], name=ui.t("campaigns.naive_conversions"), marker_color="#C7D2E8")
    )
    bars.add_trace(
        go.Bar(
            x=names,
            y=grouped["incremental"],
            name=ui.t("campaigns.incremental_conversions"),
            marker_color=charts.PALETTE[0],
        )
    )
    bars.update_layout(title=ui.t(title_key), barmode="group", height=320, yaxis_tickformat=",.0f")
    with col:
        ui.chart(bars, key=f"by_{dimension}")
st.caption(ui.t("campaigns.compare_caption"))

# -- one campaign ------------------------------------------------------------------------------
chosen = lift[lift["campaign_id"] == campaign_id]
row = chosen[chosen["segment"] == "all"].iloc[0]
tiers = chosen[chosen["segment"] != "all"]
st.header(str(row["campaign_name"]))
st.caption(
    ui.t(
        "campaigns.detail_caption",
        channel=ui.label("campaign_channel", row["channel"]),
        objective=ui.label("objective", row["objective"]),
        target=ui.label("target_segment", row["target_segment"]),
        window=int(row["attribution_window_days"]) if window == 0 else window,
    )
)
badge = {
    "positive": st.success,
    "negative": st.error,
    "inconclusive": st.info,
    "too_small": st.warning,
    "open": st.info,
}[str(row["verdict"])]
badge(
    ui.t(
        f"campaigns.verdict_text.{row['verdict']}",
        lift=fmt.percent(row["lift_abs"], 2) if not pd.isna(row["lift_abs"]) else "–",
        low=fmt.percent(row["lift_ci_low"], 2) if not pd.isna(row["lift_ci_low"]) else "–",
        high=fmt.percent(row["lift_ci_high"], 2) if not pd.isna(row["lift_ci_high"]) else "–",
        min_group=min_group,
    )
)

left, right = st.columns(2)
with left:
    steps = [
        ("sent", row["n_treated"]),
        ("delivered", row["count_delivered"]),
        ("opened", row["count_opened"]),
        ("clicked", row["count_clicked"]),
        ("converted", row["conversions_treated"]),
    ]
    if row["channel"] == "sms":  # SMS has no open tracking
        steps = [s for s in steps if s[0] != "opened"]
    funnel = go.Figure(
        go.Funnel(
            y=[ui.t(f"campaigns.step.{s}") for s, _ in steps],
            x=[int(v) for _, v in steps],
            texttemplate="%{value:,}<br>%{percentInitial:.1%}",
            marker={"color": charts.PALETTE[0]},
        )
    )
    funnel.update_layout(title=ui.t("campaigns.funnel_title"), height=360)
    ui.chart(funnel, key="funnel")
with right:
    groups = go.Figure()
    for name, rate, low, high, colour in (
        ("treated", row["rate_treated"], row["rate_treated_ci_low"], row["rate_treated_ci_high"], charts.PALETTE[0]),
        ("holdout", row["rate_holdout"], row["rate_holdout_ci_low"], row["rate_holdout_ci_high"], "#9CA3AF"),
    ):
        groups.add_trace(
            go.Bar(
                x=[ui.t(f"campaigns.group.{name}")],
                y=[rate],
                marker_color=colour,
                error_y={"type": "data", "symmetric": False, "array": [high - rate], "arrayminus": [rate - low]},
                text=[fmt.percent(rate, 2)],
                textposition="outside",
                showlegend=False,
                hovertemplate=f"%{{x}}: %{{y:.2%}} (95%: {fmt.percent(low, 2)} – {fmt.percent(high, 2)})"
                + "<extra></extra>",
            )
        )
    groups.update_layout(
        title=ui.t("campaigns.groups_title"), height=360, yaxis_tickformat=".1%", yaxis_title=ui.t("campaigns.rate")
    )
    ui.chart(groups, key="groups")

st.subheader(ui.t("campaigns.forest_title"))
TIER_ORDER = {"all": -1, "normal": 0, "silver": 1, "gold": 2, "diamond": 3}
forest_rows = chosen.sort_values("segment", key=lambda s: s.map(TIER_ORDER).fillna(9))
labels = [ui.t("campaigns.segment_all") if s == "all" else ui.label("tier", s) for s in forest_rows["segment"]]
forest = go.Figure()
colours = [VERDICT_COLOURS.get(v, "#6B7280") for v in forest_rows["verdict"]]
forest.add_trace(
    go.Scatter(
        x=forest_rows["lift_abs"],
        y=labels,
        mode="markers",
        marker={"size": 12, "color": colours, "symbol": "diamond"},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": (forest_rows["lift_ci_high"] - forest_rows["lift_abs"]).fillna(0),
            "arrayminus": (forest_rows["lift_abs"] - forest_rows["lift_ci_low"]).fillna(0),
        },
        customdata=list(
            zip(
                ui.labels("verdict", forest_rows["verdict"]),
                forest_rows["n_treated"],
                forest_rows["n_holdout"],
                strict=True,
            )
        ),
        hovertemplate="%{y}: %{x:+.2%}<br>%{customdata[0]}<br>n = %{customdata[1]:,} / %{customdata[2]:,}"
        + "<extra></extra>",
        showlegend=False,
    )
)
forest.add_vline(x=0, line={"color": "#6B7280", "dash": "dash"})
forest.update_layout(
    height=80 + 50 * len(forest_rows),
    xaxis_tickformat="+.0%",
    xaxis_title=ui.t("campaigns.lift_axis"),
    yaxis={"autorange": "reversed"},
)
ui.chart(forest, key="forest")
seg_table = pd.DataFrame(
    {
        ui.t("campaigns.col.segment"): labels,
        ui.t("campaigns.col.sent"): forest_rows["n_treated"],
        ui.t("campaigns.col.holdout"): forest_rows["n_holdout"],
        ui.t("campaigns.col.conversion"): forest_rows["rate_treated"],
        ui.t("campaigns.col.holdout_conversion"): forest_rows["rate_holdout"],
        ui.t("campaigns.col.lift"): forest_rows["lift_abs"],
        ui.t("campaigns.col.ci_low"): forest_rows["lift_ci_low"],
        ui.t("campaigns.col.ci_high"): forest_rows["lift_ci_high"],
        ui.t("campaigns.col.p_value"): forest_rows["p_value"],
        ui.t("campaigns.col.verdict"): ui.labels("verdict", forest_rows["verdict"]),
    }
)
st.dataframe(
    seg_table,
    hide_index=True,
    width="stretch",
    column_config={
        **{ui.t(f"campaigns.col.{c}"): pct for c in ("conversion", "holdout_conversion", "lift", "ci_low", "ci_high")},
        ui.t("campaigns.col.p_value"): st.column_config.NumberColumn(format="%.3f"),
    },
)
ui.explain("campaigns.lift_definition", "campaign_performance")

st.subheader(ui.t("campaigns.naive_title"))
m = st.columns(3)
m[0].metric(
    ui.t("campaigns.naive_conversions"),
    fmt.integer(row["conversions_treated"], lang),
    help=ui.t("campaigns.naive_conversions_help"),
    border=True,
)
m[0].metric(
    ui.t("campaigns.incremental_conversions"),
    fmt.integer(row["incremental_conversions"], lang) if not pd.isna(row["incremental_conversions"]) else "–",
    help=ui.t("campaigns.incremental_conversions_help"),
    border=True,
)
m[1].metric(
    ui.t("campaigns.naive_revenue"),
    fmt.money(row["naive_revenue"], currency, lang),
    help=ui.t("campaigns.naive_revenue_help"),
    border=True,
)
m[1].metric(
    ui.t("campaigns.incremental_revenue"),
    fmt.money(row["incremental_revenue"], currency, lang),
    help=ui.t("campaigns.incremental_revenue_help"),
    border=True,
)
m[2].metric(ui.t("campaigns.naive_roi"), fmt.percent(row["naive_roi"], 0), border=True)
m[2].metric(
    ui.t("campaigns.incremental_roi"),
    fmt.percent(row["incremental_roi"], 0),
    help=ui.t("campaigns.incremental_roi_help"),
    border=True,
)
if not pd.isna(row["revenue_diff_ci_low"]):
    st.caption(
        ui.t(
            "campaigns.revenue_interval",
            low=fmt.money(row["revenue_diff_ci_low"], currency, lang, exact=True),
            high=fmt.money(row["revenue_diff_ci_high"], currency, lang, exact=True),
        )
    )

st.subheader(ui.t("campaigns.balance_title"))
checks = balance_checks(row, tiers, settings.planned_holdout_share)
b = st.columns(3)
for col, key in zip(b, ("sample_ratio_p", "pre_spend_p", "tier_mix_p"), strict=True):
    p = checks[key]
    ok = math.isnan(p) or p >= 0.01
    col.metric(
        ui.t(f"campaigns.balance.{key}"),
        "–" if math.isnan(p) else f"p = {p:.3f}",
        help=ui.t(f"campaigns.balance.{key}_help"),
        border=True,
    )
    if not ok:
        col.warning(ui.t("campaigns.balance.warning"))
st.caption(
    ui.t(
        "campaigns.balance_caption",
        share=fmt.percent(row["n_holdout"] / max(1, row["n_treated"] + row["n_holdout"]), 1),
        planned=fmt.percent(settings.planned_holdout_share, 0),
        before_t=fmt.money(row["spend_before_treated"], currency, lang, exact=True),
        before_h=fmt.money(row["spend_before_holdout"], currency, lang, exact=True),
    )
)

st.subheader(ui.t("campaigns.effect_title"))
e1, e2 = st.columns([1, 2])
with e1:
    # each count with its share of the step before it (opened, clicked)
    for key, count, base in (
        ("opened_not_clicked", row["count_opened_not_clicked"], int(row["count_opened"])),
        ("clicked_not_converted", row["count_clicked_not_converted"], int(row["count_clicked"])),
    ):
        st.metric(
            ui.t(f"campaigns.{key}"),
            fmt.integer(count, lang),
            delta=fmt.percent(count / base, 1) if base else None,
            delta_color="off",
            delta_arrow="off",
            border=True,
        )
with e2:
    follow = followup_spend(row)
    after = go.Figure(
        go.Bar(
            x=[ui.t("campaigns.days_after", n=d) for d in follow["days"]],
            y=follow["diff"],
            marker_color=[charts.PALETTE[0] if lo > 0 else "#9CA3AF" for lo in follow["ci_low"].fillna(0)],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (follow["ci_high"] - follow["diff"]).fillna(0),
                "arrayminus": (follow["diff"] - follow["ci_low"]).fillna(0),
            },
            hovertemplate="%{x}: " + currency + "%{y:,.2f}<extra></extra>",
        )
    )
    after.add_hline(y=0, line={"color": "#6B7280", "dash": "dash"})
    after.update_layout(
        title=ui.t("campaigns.after_title"), height=320, yaxis_title=ui.t("campaigns.after_axis", currency=currency)
    )
    ui.chart(after, key="after")
ui.explain("campaigns.effect_definition", "campaign_performance")
