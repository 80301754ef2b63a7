"""Cross-sell: what is bought together, what is bought next, and what to offer whom, and why
(连锁效应: the hook, the rod, the boat)."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core import formatting as fmt
from crm_core import ui
from crm_core.contract import CATEGORIES
from crm_core.crosssell import BASKET_DAYS, LEVELS, MIN_BASKETS, RuleSettings

filters = ui.current_filters()
lang = ui.lang()

st.title(ui.t("crosssell.title"))
if not ui.has_rows("order_items"):
    st.info(ui.t("crosssell.no_baskets"))
    st.stop()
c1, c2, c3 = st.columns(3)
with c1:
    level = ui.url_selectbox(
        "level", ui.t("crosssell.level"), list(LEVELS), lambda v: ui.label("rule_level", v), "category"
    )
with c2:
    days = ui.url_selectbox(
        "baskets",
        ui.t("crosssell.basket_days"),
        list(BASKET_DAYS),
        lambda d: ui.t("lifecycle.days", n=d),
        365,
        parse=int,
    )
with c3:
    min_baskets = ui.url_selectbox(
        "min_baskets",
        ui.t("crosssell.min_baskets"),
        list(MIN_BASKETS),
        lambda n: ui.t("crosssell.min_baskets_n", n=n),
        5 if level == "category" else 10,
        parse=int,
    )
settings = RuleSettings(level, days, min_baskets)
summary = ui.filter_summary(filters)
st.caption(ui.t("crosssell.subtitle", n=days, day=fmt.day(filters.as_of, lang)) + (f" {summary}" if summary else ""))


def item_label(code: str, name: str, category: str) -> str:
    return ui.label("category", code) if level == "category" else f"{name} ({ui.label('category', category)})"


section, tab = ui.page_tabs("cross_sell")
with tab:
    if section == "rules":
        # -- bought together ---------------------------------------------------------------------------
        st.subheader(ui.t("crosssell.rules_title"))
        rules = ui.basket_rules(filters, settings)
        if rules.empty:
            st.info(ui.t("crosssell.no_rules"))
        else:
            baskets = int(rules["baskets"].iloc[0])
            st.caption(
                ui.t("crosssell.rules_caption", n=fmt.integer(baskets, lang), rules=fmt.integer(len(rules), lang))
            )
            if level == "category":
                matrix = rules.pivot_table(index="antecedent", columns="consequent", values="lift").reindex(
                    index=list(CATEGORIES), columns=list(CATEGORIES)
                )
                conf = rules.pivot_table(index="antecedent", columns="consequent", values="confidence").reindex(
                    index=list(CATEGORIES), columns=list(CATEGORIES)
                )
                heat = go.Figure(
                    go.Heatmap(
                        z=matrix.to_numpy(),
                        x=ui.labels("category", matrix.columns),
                        y=ui.labels("category", matrix.index),
                        text=matrix.map(lambda v: "" if pd.isna(v) else f"{v:.2f}").to_numpy(),
                        texttemplate="%{text}",
                        customdata=conf.to_numpy(),
                        colorscale="RdBu",
                        zmid=1.0,
                        hovertemplate=ui.t("crosssell.heat_hover") + "<extra></extra>",
                    )
                )
                heat.update_layout(
                    title=ui.t("crosssell.heat_title"),
                    height=460,
                    xaxis_title=ui.t("crosssell.then"),
                    yaxis={"title": ui.t("crosssell.if_bought"), "autorange": "reversed"},
                )
                ui.chart(heat, key="lift_heat")
            top = rules.head(50)
            st.dataframe(
                pd.DataFrame(
                    {
                        ui.t("crosssell.col.antecedent"): [
                            item_label(a, n, c)
                            for a, n, c in zip(
                                top["antecedent"], top["antecedent_name"], top["antecedent_category"], strict=True
                            )
                        ],
                        ui.t("crosssell.col.consequent"): [
                            item_label(a, n, c)
                            for a, n, c in zip(
                                top["consequent"], top["consequent_name"], top["consequent_category"], strict=True
                            )
                        ],
                        ui.t("crosssell.col.both"): top["baskets_with_both"],
                        ui.t("crosssell.col.support"): (top["support"] * 100).round(2),
                        ui.t("crosssell.col.confidence"): (top["confidence"] * 100).round(1),
                        ui.t("crosssell.col.lift"): top["lift"].round(2),
                    }
                ),
                hide_index=True,
                width="stretch",
            )
        ui.explain("crosssell.rules_definition", "basket_rules")
    elif section == "next":
        # -- bought next -------------------------------------------------------------------------------
        st.subheader(ui.t("crosssell.next_title"))
        following = ui.next_category(filters, days)
        if following.empty:
            st.info(ui.t("crosssell.no_next"))
        else:
            share = following.pivot_table(index="from_category", columns="to_category", values="share_next").reindex(
                index=list(CATEGORIES), columns=list(CATEGORIES)
            )
            lift = following.pivot_table(index="from_category", columns="to_category", values="lift").reindex(
                index=list(CATEGORIES), columns=list(CATEGORIES)
            )
            heat = go.Figure(
                go.Heatmap(
                    z=share.to_numpy(),
                    x=ui.labels("category", share.columns),
                    y=ui.labels("category", share.index),
                    text=share.map(lambda v: "" if pd.isna(v) else f"{v:.0%}").to_numpy(),
                    texttemplate="%{text}",
                    customdata=lift.to_numpy(),
                    colorscale="Blues",
                    hovertemplate=ui.t("crosssell.next_hover") + "<extra></extra>",
                )
            )
            heat.update_layout(
                title=ui.t("crosssell.next_chart"),
                height=460,
                xaxis_title=ui.t("crosssell.next_axis"),
                yaxis={"title": ui.t("crosssell.prev_axis"), "autorange": "reversed"},
            )
            ui.chart(heat, key="next_heat")
        ui.explain("crosssell.next_definition", "next_category")
    elif section == "offers":
        # -- what to offer the segment -----------------------------------------------------------------
        st.subheader(ui.t("crosssell.offers_title"))
        offers = ui.segment_offers(filters, settings)
        if offers.empty:
            st.info(ui.t("crosssell.no_rules"))
        else:
            top = offers.head(20)
            st.dataframe(
                pd.DataFrame(
                    {
                        ui.t("crosssell.col.offer"): [
                            item_label(a, n, c)
                            for a, n, c in zip(
                                top["consequent"], top["consequent_name"], top["consequent_category"], strict=True
                            )
                        ],
                        ui.t("crosssell.col.to_buyers_of"): [
                            item_label(a, n, c)
                            for a, n, c in zip(
                                top["antecedent"], top["antecedent_name"], top["antecedent_category"], strict=True
                            )
                        ],
                        ui.t("crosssell.col.eligible"): top["eligible_customers"],
                        ui.t("crosssell.col.confidence"): (top["confidence"] * 100).round(1),
                        ui.t("crosssell.col.lift"): top["lift"].round(2),
                        ui.t("crosssell.col.expected"): top["expected_buyers"].round(0).astype(int),
                    }
                ),
                hide_index=True,
                width="stretch",
            )
        ui.explain("crosssell.offers_definition", "segment_offers")
    elif section == "customer":
        # -- what to offer one customer ----------------------------------------------------------------
        st.subheader(ui.t("crosssell.customer_title"))
        raw = st.query_params.get("customer", "")
        entered = st.text_input(ui.t("crosssell.customer_id"), value=raw if raw.isdigit() else "", key="xs_customer")
        if entered.strip():
            if not entered.strip().isdigit():
                st.warning(ui.t("c360.bad_id"))
            else:
                cid = int(entered.strip())
                st.query_params["customer"] = str(cid)
                mine = ui.customer_offers(filters, cid, settings)
                st.markdown(f"[{ui.t('crosssell.open_360', id=cid)}]({ui.customer_url(cid, filters)})")
                if mine.empty:
                    st.info(ui.t("crosssell.no_customer_offers"))
                for _, row in mine.iterrows():
                    st.markdown(
                        "- "
                        + ui.t(
                            "crosssell.customer_reason",
                            offer=item_label(row["consequent"], row["consequent_name"], row["consequent_category"]),
                            bought=item_label(row["antecedent"], row["antecedent_name"], row["antecedent_category"]),
                            times=int(row["customer_orders_with_antecedent"]),
                            confidence=fmt.percent(row["confidence"]),
                            lift=f"{row['lift']:.2f}",
                        )
                    )
        ui.explain("crosssell.customer_definition", "customer_offers")
