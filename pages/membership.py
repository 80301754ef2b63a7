"""Membership and points: how tiers move, what the points cost us, who is close to the next tier."""

import plotly.graph_objects as go
import streamlit as st

from crm_core import charts, contract, ui
from crm_core import formatting as fmt
from crm_core.membership import POINTS_PER_YUAN, tier_thresholds

filters = ui.current_filters()
lang = ui.lang()
currency = ui.settings().currency

st.title(ui.t("membership.title"))
silver, gold, diamond = tier_thresholds()
st.caption(
    ui.t(
        "membership.subtitle",
        silver=f"{currency}{silver:,.0f}",
        gold=f"{currency}{gold:,.0f}",
        diamond=f"{currency}{diamond:,.0f}",
    )
)
if not ui.has_rows("membership_events"):
    st.info(ui.t("data_notes.no_membership_events"))
section, tab = ui.page_tabs("membership")
with tab:
    if section == "tiers":
        # -- tiers and moves ----------------------------------------------------------------------------
        # (the only section that reads the tier moves: the others do not pay for the query)
        moves = ui.membership_movement(filters)
        current = (
            moves[moves["reason"] == "current"]
            .set_index("to_tier")["customers"]
            .reindex(list(contract.TIERS))
            .fillna(0)
        )
        changes = moves[moves["reason"] != "current"]
        upgrades = int(changes[changes["reason"] == "upgrade"]["customers"].sum())
        downgrades = int(changes[changes["reason"] == "downgrade"]["customers"].sum())
        left, right = st.columns(2)
        with left:
            fig = go.Figure(
                go.Bar(
                    x=ui.labels("tier", current.index),
                    y=current.to_numpy(),
                    marker_color=[charts.TIER_COLOURS[t] for t in current.index],
                    text=[fmt.integer(v, lang) for v in current],
                    textposition="outside",
                )
            )
            fig.update_layout(title=ui.t("membership.distribution", day=fmt.day(filters.as_of, lang)), height=340)
            ui.chart(fig, key="tier_distribution")
        with right:
            m = st.columns(2)
            m[0].metric(ui.t("membership.upgrades"), fmt.integer(upgrades, lang), border=True)
            m[1].metric(ui.t("membership.downgrades"), fmt.integer(downgrades, lang), border=True)
            if not changes.empty:
                table = changes.assign(
                    from_tier=ui.labels("tier", changes["from_tier"]),
                    to_tier=ui.labels("tier", changes["to_tier"]),
                    reason=[ui.t(f"membership.reason.{v}") for v in changes["reason"]],
                )
                table.columns = [ui.t(f"membership.col.{c}") for c in table.columns]
                st.dataframe(table, hide_index=True, width="stretch")
            st.caption(ui.t("membership.moves_caption", n=filters.period_days))
        ui.explain("membership.tier_definition", "membership_movement")
    elif section == "points":
        # -- points ------------------------------------------------------------------------------------
        st.subheader(ui.t("membership.points_title"))
        if not ui.has_rows("points_ledger"):
            st.info(ui.t("data_notes.no_points"))
        points = ui.points_summary(filters)
        balance = points[points["entry_type"] == "balance"]["points"].sum()
        by_type = points[points["entry_type"] != "balance"].groupby("entry_type")["points"].sum()
        p = st.columns(4)
        p[0].metric(ui.t("membership.earned"), fmt.integer(by_type.get("earned", 0), lang), border=True)
        p[1].metric(ui.t("membership.redeemed"), fmt.integer(-by_type.get("redeemed", 0), lang), border=True)
        p[2].metric(ui.t("membership.expired"), fmt.integer(-by_type.get("expired", 0), lang), border=True)
        p[3].metric(
            ui.t("membership.liability"),
            fmt.money(balance / POINTS_PER_YUAN, currency, lang),
            help=ui.t("membership.liability_help", points=fmt.integer(balance, lang)),
            border=True,
        )
        detail = points[points["entry_type"] != "balance"]
        if not detail.empty:
            fig = go.Figure(
                go.Bar(
                    x=[
                        f"{ui.t('membership.type.' + e)} · {ui.t('membership.why.' + r)}"
                        for e, r in zip(detail["entry_type"], detail["reason"], strict=True)
                    ],
                    y=detail["points"].abs(),
                    marker_color=[
                        {"earned": charts.PALETTE[2], "redeemed": charts.PALETTE[0], "expired": charts.PALETTE[3]}[e]
                        for e in detail["entry_type"]
                    ],
                )
            )
            fig.update_layout(
                title=ui.t("membership.points_chart", n=filters.period_days), height=320, yaxis_tickformat=",d"
            )
            ui.chart(fig, key="points")
        ui.explain("membership.points_definition", "points_summary")
    elif section == "targets":
        # -- upgrade targets -----------------------------------------------------------------------------
        st.subheader(ui.t("membership.targets_title"))
        targets = ui.upgrade_targets(filters, 0.10)
        st.caption(ui.t("membership.targets_caption", n=fmt.integer(len(targets), lang)))
        if not targets.empty:
            shown = ui.masked_contacts(targets.head(500))  # the table shows 500; the download has them all
            shown["membership_tier"] = ui.labels("tier", shown["membership_tier"])
            shown["next_tier"] = ui.labels("tier", shown["next_tier"])
            shown.columns = [ui.t(f"membership.col.{c}") for c in shown.columns]
            shown, link_config = ui.with_customer_links(shown.head(500), targets["customer_id"].head(500))
            st.dataframe(shown, hide_index=True, width="stretch", column_config=link_config)
            st.download_button(
                ui.t("lifecycle.download", n=fmt.integer(len(targets), lang)),
                data=lambda: ui.csv_bytes(targets),
                file_name=f"upgrade_targets_{filters.as_of.isoformat()}.csv",
                mime="text/csv",
                on_click="ignore",
                help=ui.t("lifecycle.download_help"),
            )
        ui.explain("membership.targets_definition", "upgrade_targets")
