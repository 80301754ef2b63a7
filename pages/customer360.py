"""Customer 360: one customer, one face (以一个面孔面对客户) — profile, every touch point in one
timeline, and the next actions that transparent rules suggest."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core import charts, ui
from crm_core import formatting as fmt
from crm_core.crosssell import RuleSettings
from crm_core.customer360 import KIND_GROUPS, next_actions
from crm_core.privacy import mask_email, mask_phone

filters = ui.current_filters()
lang = ui.lang()
currency = ui.settings().currency

st.title(ui.t("c360.title"))
st.caption(ui.t("c360.subtitle"))


def choose(customer_id: int) -> None:
    st.query_params["customer"] = str(customer_id)
    st.session_state.pop("c360_query", None)


# -- search: the text box clears on submit and the text is never shown back ---------------------
with st.form("c360_search", clear_on_submit=True, border=False):
    s1, s2 = st.columns([5, 1], vertical_alignment="bottom")
    text = s1.text_input(ui.t("c360.search"), placeholder=ui.t("c360.search_placeholder"), key="c360_text")
    submitted = s2.form_submit_button(ui.t("c360.search_button"), width="stretch")
if submitted and text.strip():
    matches = ui.customer_search(text)
    if len(matches) == 1:
        choose(int(matches.iloc[0]["customer_id"]))
    else:
        st.session_state["c360_query"] = text
        st.query_params.pop("customer", None)
query = st.session_state.get("c360_query")
if query:
    matches = ui.customer_search(query)
    if matches.empty:
        st.info(ui.t("c360.no_match"))
    else:
        st.caption(ui.t("c360.matches", n=fmt.integer(len(matches), lang)))
        options = [int(v) for v in matches["customer_id"]]
        by_id = matches.set_index("customer_id")

        def describe(cid: int) -> str:
            row = by_id.loc[cid]
            contact = mask_phone(row["phone"]) or mask_email(row["email"])
            return f"{cid} · {row['customer_name']} · {row['city'] or ''} · {contact}"

        pick = st.selectbox(
            ui.t("c360.pick"),
            options,
            index=None,
            format_func=ui.fixed_labels(describe, options),
            placeholder=ui.t("c360.pick_placeholder"),
            key="c360_pick",
        )
        if pick is not None:
            choose(int(pick))
            st.rerun()

raw = st.query_params.get("customer")
if not raw:
    st.info(ui.t("c360.start"))
    st.stop()
if not raw.isdigit():
    st.warning(ui.t("c360.bad_id"))
    st.stop()
customer_id = int(raw)
p = ui.customer_profile(filters, customer_id)
if p is None:
    st.warning(ui.t("c360.unknown", id=customer_id, day=fmt.day(filters.as_of, lang)))
    st.stop()

# -- profile ---------------------------------------------------------------------------------
st.header(f"{p['customer_name']} · {customer_id}")
st.caption(ui.t("c360.as_of", day=fmt.day(filters.as_of, lang)))
badges = [
    ("c360.tier", "orange", ui.label("tier", p["membership_tier"])),
    ("c360.stage", "blue", ui.label("stage", p["lifecycle_stage"])),
    ("c360.value_tier", "green", ui.label("value_tier", p["value_tier"])),
    ("c360.rfm_segment", "violet", ui.label("rfm_segment", p["rfm_segment"])),
]
st.markdown(" &nbsp; ".join(f"{ui.t(key)} :{colour}-badge[{value}]" for key, colour, value in badges))
m = st.columns(4)
m[0].metric(ui.t("c360.revenue"), fmt.money(p["revenue"], currency, lang))
m[1].metric(ui.t("c360.orders"), fmt.integer(p["count_orders"], lang))
m[2].metric(
    ui.t("c360.days_since"),
    fmt.integer(p["days_since_last_order"], lang) if p["days_since_last_order"] is not None else "–",
)
m[3].metric(ui.t("c360.points"), fmt.integer(p["points_balance"], lang))
if p["r_score"] is not None:
    st.caption(ui.t("c360.rfm_scores", r=p["r_score"], f=p["f_score"], m=p["m_score"]))
score = p["clv"]
if score is None:
    st.caption(ui.t("c360.clv_not_scored"))
else:
    m = st.columns(4)
    m[0].metric(ui.t("c360.p_alive"), fmt.percent(score["p_alive"]))
    m[1].metric(ui.t("c360.predicted_clv"), fmt.money(score["predicted_clv"], currency, lang))
    m[2].metric(ui.t("c360.expected_365d"), f"{float(score['expected_purchases_365d'] or 0):.1f}")
    m[3].metric(ui.t("c360.clv_tier"), ui.label("clv_tier", score["clv_tier"]))
    scored_on = ui.data_bounds()[1]
    if scored_on != filters.as_of:
        st.caption(ui.t("c360.clv_scored_on", day=fmt.day(scored_on, lang)))

with st.container(border=True):
    a, b = st.columns(2)
    age = f" ({p['birth_year']})" if p["birth_year"] is not None else ""
    a.markdown(
        "\n".join(
            [
                f"- **{ui.t('c360.gender')}**: {ui.label('gender', p['gender'])}",
                f"- **{ui.t('c360.age')}**: {ui.label('age_band', p['age_band'])}{age}",
                f"- **{ui.t('c360.city')}**: {p['city'] or '–'} · {ui.label('region', p['region'])}",
                f"- **{ui.t('c360.acquired')}**: {ui.label('channel', p['acquisition_channel'])}",
                f"- **{ui.t('c360.signed_up')}**: {fmt.day(pd.Timestamp(p['signed_up_on']).date(), lang)}",
            ]
        )
    )
    yes, no = ui.t("c360.yes"), ui.t("c360.no")
    if p["manager_name"] is None:
        manager = ui.t("c360.no_manager")
    elif p["has_departed_manager"]:
        left = fmt.day(pd.Timestamp(p["manager_left_on"]).date(), lang)
        manager = ui.t("c360.manager_left", name=p["manager_name"], day=left)
    else:
        manager = str(p["manager_name"])
    b.markdown(
        "\n".join(
            [
                f"- **{ui.t('c360.email')}**: {mask_email(p['email']) or '–'}"
                f" ({ui.t('c360.consent')}: {yes if p['has_email_consent'] else no})",
                f"- **{ui.t('c360.phone')}**: {mask_phone(p['phone']) or '–'}"
                f" ({ui.t('c360.consent')}: {yes if p['has_sms_consent'] else no})",
                f"- **{ui.t('c360.manager')}**: {manager}",
                f"- **{ui.t('c360.spend_this_year')}**: {fmt.money(p['spend_this_year'], currency, lang, exact=True)}",
            ]
        )
    )

# -- next actions ------------------------------------------------------------------------------
st.subheader(ui.t("c360.actions_title"))
actions = next_actions(p)
offers = ui.customer_offers(filters, customer_id, RuleSettings("product", 365, 3))
if not actions and offers.empty:
    st.caption(ui.t("c360.no_actions"))
for action in actions:
    values = dict(action.values)
    for key in ("since", "left_on"):
        if values.get(key) is not None:
            values[key] = fmt.day(values[key], lang)
    if "next_tier" in values:
        values["next_tier"] = ui.label("tier", values["next_tier"])
    for key in ("gap", "spend", "threshold"):
        if key in values:
            values[key] = fmt.money(values[key], currency, lang, exact=True)
    if "p_alive" in values:
        values["p_alive"] = fmt.percent(values["p_alive"])
    with st.container(border=True):
        st.markdown(f"**{ui.t(f'c360.action.{action.code}')}** — {ui.t(f'c360.reason.{action.code}', **values)}")
if not offers.empty:
    with st.container(border=True):
        st.markdown(f"**{ui.t('c360.action.cross_sell')}**")
        for _, row in offers.head(3).iterrows():
            st.markdown(
                "- "
                + ui.t(
                    "c360.reason.cross_sell",
                    offer=row["consequent_name"],
                    category=ui.label("category", row["consequent_category"]),
                    bought=row["antecedent_name"],
                    confidence=fmt.percent(row["confidence"]),
                    lift=f"{row['lift']:.1f}",
                )
            )
with st.expander(ui.t("explain.title")):
    st.markdown(ui.t("c360.rules_definition"))

# -- timeline -----------------------------------------------------------------------------------
st.subheader(ui.t("c360.timeline_title"))
events = ui.customer_timeline(filters, customer_id)
groups = list(KIND_GROUPS)
f1, f2 = st.columns(2)
chosen_groups = f1.multiselect(
    ui.t("c360.filter_groups"),
    groups,
    default=groups,
    format_func=ui.fixed_labels(lambda g: ui.label("event_group", g), groups),
    key=ui.widget_key("c360_groups"),
)
channels = sorted(set(events["channel"].dropna()))
chosen_channels = f2.multiselect(
    ui.t("c360.filter_channels"),
    channels,
    default=[],
    format_func=ui.fixed_labels(lambda c: ui.label("touch_channel", c), channels),
    placeholder=ui.t("filters.all"),
    key=ui.widget_key("c360_channels"),
)
shown = events[events["kind_group"].isin(chosen_groups)]
if chosen_channels:
    shown = shown[shown["channel"].isin(chosen_channels)]
counts = events.groupby("kind_group").size()
st.caption(
    ui.t("c360.timeline_caption", n=fmt.integer(len(shown), lang), total=fmt.integer(len(events), lang))
    + " "
    + " · ".join(f"{ui.label('event_group', g)} {fmt.integer(counts.get(g, 0), lang)}" for g in groups)
)


def detail(row: pd.Series) -> str:
    kind = row["kind"]
    if kind.startswith("order_"):
        return ui.t("c360.detail.order", amount=fmt.money(row["amount"], currency, lang, exact=True))
    if kind == "web_session":
        return ui.t(
            "c360.detail.session",
            status=ui.label("session_status", row["status"]),
            n=int(row["event_count"]),
            device=ui.label("device", row["detail"]),
        )
    if kind.startswith("campaign_"):
        return f"{row['detail']} ({ui.label('objective', row['topic'])})"
    if kind in ("inquiry", "complaint"):
        parts = [ui.label("topic", row["topic"]), ui.label("resolution", row["status"])]
        if not pd.isna(row["amount"]):
            parts.append(ui.t("c360.detail.response", hours=f"{row['amount']:.1f}"))
        if not pd.isna(row["rating"]):
            parts.append(ui.t("c360.detail.rating", n=int(row["rating"])))
        return " · ".join(parts)
    if kind in ("greeting", "notification"):
        return ui.label("topic", row["topic"])
    if kind == "review":
        shared = f" · {ui.t('c360.detail.shared')}" if row["status"] == "shared" else ""
        return f"{'★' * int(row['rating'])} {row['detail']}{shared}"
    if kind.startswith("tier_"):
        return f"{ui.label('tier', row['topic'])} → {ui.label('tier', row['status'])}"
    if kind.startswith("points_"):
        return ui.t("c360.detail.points", n=fmt.integer(row["amount"], lang))
    if kind == "signed_up":
        return ui.label("channel", row["detail"])
    return ""


if shown.empty:
    st.info(ui.t("c360.no_events"))
else:
    fig = go.Figure()
    for i, group in enumerate(groups):
        part = shown[shown["kind_group"] == group]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=part["event_at"],
                y=[ui.label("event_group", group)] * len(part),
                mode="markers",
                name=ui.label("event_group", group),
                marker={"color": charts.PALETTE[i % len(charts.PALETTE)], "size": 9, "opacity": 0.75},
                text=ui.labels("event_kind", part["kind"]),
                hovertemplate="%{x|%Y-%m-%d %H:%M}<br>%{text}<extra></extra>",
            )
        )
    fig.update_layout(height=300, showlegend=False, title=ui.t("c360.timeline_chart"))
    ui.chart(fig, key="c360_timeline")
    table = shown.head(500)
    st.dataframe(
        pd.DataFrame(
            {
                ui.t("c360.col.when"): table["event_at"].dt.strftime("%Y-%m-%d %H:%M"),
                ui.t("c360.col.group"): ui.labels("event_group", table["kind_group"]),
                ui.t("c360.col.event"): ui.labels("event_kind", table["kind"]),
                ui.t("c360.col.channel"): [
                    "" if pd.isna(c) else ui.label("touch_channel", c) for c in table["channel"]
                ],
                ui.t("c360.col.detail"): [detail(r) for _, r in table.iterrows()],
                ui.t("c360.col.reference"): table["reference_id"].astype(str),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if len(shown) > 500:
        st.caption(ui.t("c360.timeline_more", n=fmt.integer(len(shown), lang)))
with st.expander(ui.t("explain.title")):
    st.markdown(ui.t("c360.timeline_definition"))
