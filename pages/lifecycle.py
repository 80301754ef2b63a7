"""Lifecycle: where do relationships stall or break? 认知 → 探索 → 承诺 → 解体."""

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core import formatting as fmt
from crm_core import ui
from crm_core.lifecycle import (
    BREAKDOWNS,
    COMMITMENT_ORDERS,
    CONVERSION_DAYS,
    DISSOLUTION_DAYS,
    LIST_SORTS,
    P_ALIVE_BELOW,
    STAGES,
    StageRules,
)

filters = ui.current_filters()
lang = ui.lang()
STAGE_COLOURS = {
    "cognition": "#9DB3DB",
    "exploration": "#E07B39",
    "commitment": "#2E5AAC",
    "dissolution": "#C0504D",
    "not_yet_known": "#D1D5DB",
}


def stage_name(code: str) -> str:
    return ui.label("stage", code)


st.title(ui.t("lifecycle.title"))
if not ui.has_rows("orders"):
    st.info(ui.t("lifecycle.no_orders"))
    st.stop()
if ui.customers_are_derived():
    st.info(ui.t("data_notes.no_cognition"))

controls = st.columns(4)
with controls[0]:
    breakdown = ui.url_selectbox(
        "breakdown", ui.t("lifecycle.breakdown"), list(BREAKDOWNS), lambda b: ui.label("breakdown", b), "none"
    )
with controls[1]:
    # "180" = no order for 180 days; "p0.3" = P(alive) below 30 % (offered once the file is scored)
    dissolve_options = [str(d) for d in DISSOLUTION_DAYS]
    if ui.clv_is_scored(filters):
        dissolve_options += [f"p{p}" for p in P_ALIVE_BELOW]
    dissolve = ui.url_selectbox(
        "dissolve",
        ui.t("clv.dissolve_label"),
        dissolve_options,
        lambda o: (
            ui.t("clv.dissolve_p_alive", pct=round(float(o[1:]) * 100))
            if o.startswith("p")
            else ui.t("clv.dissolve_days", n=int(o))
        ),
        "180",
    )
with controls[2]:
    commitment_orders = ui.url_selectbox(
        "commit",
        ui.t("lifecycle.commitment_orders"),
        list(COMMITMENT_ORDERS),
        lambda n: ui.t("lifecycle.orders", n=n),
        3,
        parse=int,
    )
with controls[3]:
    conversion_days = ui.url_selectbox(
        "convert",
        ui.t("lifecycle.conversion_days"),
        list(CONVERSION_DAYS),
        lambda d: ui.t("lifecycle.days", n=d),
        30,
        parse=int,
    )
if dissolve.startswith("p"):
    rules = StageRules(180, commitment_orders, conversion_days, breakdown, "p_alive", float(dissolve[1:]))
else:
    rules = StageRules(int(dissolve), commitment_orders, conversion_days, breakdown)
snapshots = ui.lifecycle_snapshots(filters)
if not snapshots:
    st.info(ui.t("lifecycle.no_snapshot"))
    st.stop()
snapshot = snapshots[-1]
st.caption(
    ui.t(
        "lifecycle.rule",
        snapshot=fmt.day(snapshot, lang),
        dissolve=rules.dissolution_days,
        orders=commitment_orders,
    )
    if rules.dissolution_rule == "days"
    else ui.t(
        "clv.lifecycle_rule",
        snapshot=fmt.day(snapshot, lang),
        pct=round(rules.p_alive_below * 100),
        orders=commitment_orders,
    )
)


def breakdown_name(value: str) -> str:
    kind = {"membership_tier": "tier", "acquisition_channel": "channel", "region": "region"}.get(breakdown)
    if value == "all":
        return ui.t("lifecycle.all_customers")
    return ui.label(kind, value) if kind else value


# the flows' first date, also the list's "came from" date (a URL setting drawn in the flows section)
default_from = snapshots[max(0, len(snapshots) - 7)]
from_date = (
    ui.url_setting("from", snapshots[:-1], default_from, parse=date.fromisoformat) if len(snapshots) >= 2 else snapshot
)

section, tab = ui.page_tabs("lifecycle")
with tab:
    if section == "funnel":
        # -- funnel and today's mix --------------------------------------------------------------------
        st.subheader(ui.t("lifecycle.funnel_title"))
        funnel = ui.funnel(filters, rules)
        mix = ui.stage_mix(filters, rules)
        left, right = st.columns(2)
        totals = funnel[["reached_cognition", "reached_exploration", "reached_commitment"]].sum()
        with left:
            fig = go.Figure(
                go.Funnel(
                    y=[stage_name(s) for s in ("cognition", "exploration", "commitment")],
                    x=totals.tolist(),
                    texttemplate="%{value:,}<br>%{percentInitial:.1%} · %{percentPrevious:.1%}",
                    marker={"color": [STAGE_COLOURS[s] for s in ("cognition", "exploration", "commitment")]},
                )
            )
            fig.update_layout(title=ui.t("lifecycle.funnel_chart"), height=340)
            ui.chart(fig, key="funnel")
            within = funnel["reached_exploration_in_window"].sum()
            st.caption(
                ui.t(
                    "lifecycle.funnel_caption",
                    n=conversion_days,
                    within=fmt.integer(within, lang),
                    share=fmt.percent(
                        within / totals["reached_cognition"] if totals["reached_cognition"] else float("nan")
                    ),
                )
            )
        with right:
            by_stage = mix.groupby("stage")["customers"].sum().reindex(list(STAGES), fill_value=0)
            fig = go.Figure(
                go.Bar(
                    x=[stage_name(s) for s in STAGES],
                    y=by_stage.tolist(),
                    marker_color=[STAGE_COLOURS[s] for s in STAGES],
                    customdata=list(STAGES),
                    text=[fmt.percent(v / max(by_stage.sum(), 1)) for v in by_stage],
                    textposition="outside",
                    hovertemplate="%{x}: %{y:,}<extra></extra>",
                )
            )
            fig.update_layout(
                title=ui.t("lifecycle.mix_chart", day=fmt.day(snapshot, lang)), height=340, yaxis_tickformat=",d"
            )
            clicked = ui.chart(fig, key="mix", selectable=True)
            st.caption(ui.t("lifecycle.mix_caption"))
        if clicked:  # a stage's bar: its customers, in the list's section
            st.session_state["drill_stage"] = (
                clicked[0].get("customdata") or STAGES[int(clicked[0].get("point_index", 0))]
            )
            st.session_state.pop("drill_stage_box", None)
            ui.open_tab("lifecycle", "customers")

        if breakdown != "none":
            shares = mix.pivot_table(index="breakdown_value", columns="stage", values="customers", fill_value=0)
            shares = shares.reindex(columns=list(STAGES), fill_value=0)
            shares = shares.div(shares.sum(axis=1), axis=0)
            fig = go.Figure()
            for s in STAGES:
                fig.add_trace(
                    go.Bar(
                        y=[breakdown_name(v) for v in shares.index],
                        x=shares[s],
                        name=stage_name(s),
                        orientation="h",
                        marker_color=STAGE_COLOURS[s],
                        hovertemplate="%{y}: %{x:.1%}<extra>" + stage_name(s) + "</extra>",
                    )
                )
            fig.update_layout(
                barmode="stack",
                title=ui.t("lifecycle.mix_by", by=ui.label("breakdown", breakdown)),
                height=120 + 32 * len(shares),
                xaxis_tickformat=".0%",
            )
            ui.chart(fig, key="mix_by")
            table = funnel.assign(
                breakdown_value=[breakdown_name(v) for v in funnel["breakdown_value"]],
                to_exploration=funnel["reached_exploration"]
                / funnel["reached_cognition"].where(funnel["reached_cognition"] > 0),
                to_commitment=funnel["reached_commitment"]
                / funnel["reached_exploration"].where(funnel["reached_exploration"] > 0),
            )[
                [
                    "breakdown_value",
                    "reached_cognition",
                    "reached_exploration",
                    "to_exploration",
                    "reached_commitment",
                    "to_commitment",
                    "median_days_touch_to_order",
                    "median_days_order_to_commitment",
                ]
            ]
            table.columns = [ui.label("breakdown", breakdown)] + [ui.t(f"lifecycle.col.{c}") for c in table.columns[1:]]
            pct = st.column_config.NumberColumn(format="percent")
            st.dataframe(
                table,
                hide_index=True,
                width="stretch",
                column_config={ui.t("lifecycle.col.to_exploration"): pct, ui.t("lifecycle.col.to_commitment"): pct},
            )
        ui.explain("lifecycle.funnel_definition", "lifecycle_funnel", "lifecycle_stage_mix")
    elif section == "over_time":
        # -- over time ---------------------------------------------------------------------------------
        st.subheader(ui.t("lifecycle.over_time_title"))
        over = ui.stages_over_time(filters, rules)
        wide = over.pivot_table(index="month_end", columns="stage", values="customers", fill_value=0)
        fig = go.Figure()
        for s in STAGES:
            if s in wide:
                fig.add_trace(
                    go.Scatter(
                        x=pd.to_datetime(wide.index),
                        y=wide[s],
                        name=stage_name(s),
                        stackgroup="one",
                        line={"color": STAGE_COLOURS[s], "width": 0.5},
                        hovertemplate="%{x|%Y-%m-%d}: %{y:,}<extra>" + stage_name(s) + "</extra>",
                    )
                )
        fig.update_layout(
            height=360, yaxis_tickformat=",d", xaxis_title=ui.t("lifecycle.snapshot"), hovermode="x unified"
        )
        ui.chart(fig, key="over_time")
        ui.explain("lifecycle.over_time_definition", "lifecycle_over_time")
    elif section == "flows":
        # -- moves between two dates -------------------------------------------------------------------
        st.subheader(ui.t("lifecycle.flows_title"))
        if len(snapshots) >= 2:
            a_col, b_col = st.columns(2)
            with a_col:
                from_date = ui.url_selectbox(
                    "from",
                    ui.t("lifecycle.from"),
                    snapshots[:-1],
                    lambda d: fmt.day(d, lang),
                    default_from,
                    parse=date.fromisoformat,
                )
            later = [d for d in snapshots if d > from_date]
            with b_col:
                to_date = ui.url_selectbox(
                    "to", ui.t("lifecycle.to"), later, lambda d: fmt.day(d, lang), later[-1], parse=date.fromisoformat
                )
            flows = ui.transitions(filters, rules, from_date, to_date)
            sources = ["not_yet_known", *STAGES]
            nodes = [f"{stage_name(s)} · {fmt.day(from_date, lang)}" for s in sources] + [
                f"{stage_name(s)} · {fmt.day(to_date, lang)}" for s in STAGES
            ]
            fig = go.Figure(
                go.Sankey(
                    node={
                        "label": nodes,
                        "color": [STAGE_COLOURS[s] for s in sources] + [STAGE_COLOURS[s] for s in STAGES],
                        "pad": 14,
                    },
                    link={
                        "source": [sources.index(f) for f in flows["from_stage"]],
                        "target": [len(sources) + STAGES.index(t) for t in flows["to_stage"]],
                        "value": flows["customers"].tolist(),
                        "color": ["rgba(46,90,172,0.18)"] * len(flows),
                    },
                )
            )
            fig.update_layout(height=420)
            ui.chart(fig, key="sankey")

            def moved(frm: tuple[str, ...], to: tuple[str, ...]) -> int:
                return int(flows[flows["from_stage"].isin(frm) & flows["to_stage"].isin(to)]["customers"].sum())

            m = st.columns(4)
            m[0].metric(
                ui.t("lifecycle.win_backs"),
                fmt.integer(moved(("dissolution",), ("exploration", "commitment")), lang),
                help=ui.t("lifecycle.win_backs_help"),
                border=True,
            )
            m[1].metric(
                ui.t("lifecycle.backward"),
                fmt.integer(moved(("commitment",), ("exploration",)), lang),
                help=ui.t("lifecycle.backward_help"),
                border=True,
            )
            m[2].metric(
                ui.t("lifecycle.dissolved_moves"),
                fmt.integer(moved(("exploration", "commitment"), ("dissolution",)), lang),
                help=ui.t("lifecycle.dissolved_moves_help"),
                border=True,
            )
            m[3].metric(
                ui.t("lifecycle.new_known"),
                fmt.integer(moved(("not_yet_known",), STAGES), lang),
                help=ui.t("lifecycle.new_known_help"),
                border=True,
            )
            ui.explain("lifecycle.flows_definition", "lifecycle_transitions")
        else:
            st.info(ui.t("lifecycle.one_snapshot"))
    elif section == "time":
        # -- time in stage -----------------------------------------------------------------------------
        st.subheader(ui.t("lifecycle.time_title"))
        funnel = ui.funnel(filters, rules)
        ages = ui.dissolved_age(filters, rules)
        t_cols = st.columns(4)
        t_cols[0].metric(
            ui.t("lifecycle.col.median_days_touch_to_order"),
            fmt.integer(funnel["median_days_touch_to_order"].median(), lang),
            help=ui.t("lifecycle.median_note"),
            border=True,
        )
        t_cols[1].metric(
            ui.t("lifecycle.col.median_days_order_to_commitment"),
            fmt.integer(funnel["median_days_order_to_commitment"].median(), lang),
            help=ui.t("lifecycle.median_note"),
            border=True,
        )
        t_cols[2].metric(
            ui.t("lifecycle.dissolved_relationship"),
            fmt.integer(ages["median_days_relationship"].median(), lang) if len(ages) else "–",
            help=ui.t("lifecycle.dissolved_relationship_help"),
            border=True,
        )
        t_cols[3].metric(
            ui.t("lifecycle.dissolved_silent"),
            fmt.integer(ages["median_days_silent"].median(), lang) if len(ages) else "–",
            help=ui.t("lifecycle.dissolved_silent_help"),
            border=True,
        )
        if breakdown != "none" and len(ages):
            shown = ages.assign(breakdown_value=[breakdown_name(v) for v in ages["breakdown_value"]])
            shown.columns = [ui.label("breakdown", breakdown)] + [ui.t(f"lifecycle.col.{c}") for c in shown.columns[1:]]
            st.dataframe(shown, hide_index=True, width="stretch")
        ui.explain("lifecycle.time_definition", "lifecycle_funnel", "lifecycle_dissolved_age")
    elif section == "customers":
        # -- drill-down --------------------------------------------------------------------------------
        st.subheader(ui.t("lifecycle.list_title"))
        d_cols = st.columns(4)
        stage_default = st.session_state.get("drill_stage", "dissolution")
        with d_cols[0]:
            stage = st.selectbox(
                ui.t("lifecycle.list_stage"),
                list(STAGES),
                index=list(STAGES).index(stage_default) if stage_default in STAGES else 3,
                format_func=ui.fixed_labels(stage_name, STAGES),
                key="drill_stage_box",
            )
            st.session_state["drill_stage"] = stage  # kept when the user visits another section
        # the list's choices are kept while the user looks at another section (ui.kept / ui.keep)
        with d_cols[1]:
            froms = ["", "not_yet_known", *STAGES]
            came_from = st.selectbox(
                ui.t("lifecycle.list_from", day=fmt.day(from_date, lang)),
                froms,
                index=froms.index(ui.kept("drill_from", "", froms)),
                format_func=ui.fixed_labels(lambda s: ui.t("lifecycle.any_stage") if s == "" else stage_name(s), froms),
                key="drill_from",
            )
            ui.keep("drill_from", came_from)
        with d_cols[2]:
            values = sorted(ui.stage_mix(filters, rules)["breakdown_value"].unique()) if breakdown != "none" else []
            value_options = ["", *values]
            value = st.selectbox(
                ui.t("lifecycle.list_value"),
                value_options,
                index=value_options.index(ui.kept("drill_value", "", value_options)),
                format_func=ui.fixed_labels(
                    lambda v: ui.t("lifecycle.any_value") if v == "" else breakdown_name(v), value_options
                ),
                key="drill_value",
                disabled=breakdown == "none",
            )
            ui.keep("drill_value", value)
        with d_cols[3]:
            sort = st.selectbox(
                ui.t("lifecycle.list_sort"),
                list(LIST_SORTS),
                index=LIST_SORTS.index(ui.kept("drill_sort", "days_since_last_order", LIST_SORTS)),
                format_func=ui.fixed_labels(lambda c: ui.t(f"lifecycle.col.{c}"), LIST_SORTS),
                key="drill_sort",
            )
            ui.keep("drill_sort", sort)
        PAGE = 50
        # one query gives the page and the count of the whole selection (listed_customers); the page
        # number is read before its widget is drawn, and brought back in range when the selection shrank
        page_no = max(1, int(st.session_state.get("drill_page", ui.kept("drill_page", 1))))
        selection = (filters, rules, stage, came_from, from_date, value)
        listed = ui.stage_customers(*selection, sort, sort != "customer_name", PAGE, (page_no - 1) * PAGE)
        count = ui.listed_count(listed) if len(listed) or page_no == 1 else ui.stage_customer_count(*selection)
        pages = max(1, -(-count // PAGE))
        if page_no > pages:
            page_no = st.session_state["drill_page"] = pages
            listed = ui.stage_customers(*selection, sort, sort != "customer_name", PAGE, (page_no - 1) * PAGE)
        if "drill_page" not in st.session_state:  # back from another section: the kept page
            st.session_state["drill_page"] = page_no
        ui.keep("drill_page", st.number_input(ui.t("lifecycle.page", pages=pages), 1, pages, key="drill_page"))
        listed = listed.drop(columns="listed_customers")
        st.caption(ui.t("lifecycle.list_caption", n=fmt.integer(count, lang)))
        shown = ui.masked_contacts(listed)
        shown["stage"] = [stage_name(s) for s in shown["stage"]]
        shown["stage_before"] = [stage_name(s) for s in shown["stage_before"]]
        shown["region"] = ui.labels("region", shown["region"])
        shown["acquisition_channel"] = ui.labels("channel", shown["acquisition_channel"])
        shown["membership_tier"] = ui.labels("tier", shown["membership_tier"])
        shown.columns = [ui.t(f"lifecycle.col.{c}") for c in shown.columns]
        shown, link_config = ui.with_customer_links(shown, listed["customer_id"])
        st.dataframe(shown, hide_index=True, width="stretch", column_config=link_config)
        if count:
            st.download_button(
                ui.t("lifecycle.download", n=fmt.integer(count, lang)),
                data=lambda: ui.csv_bytes(
                    ui.stage_customers(*selection, sort, False, None, 0).drop(columns="listed_customers")
                ),
                on_click="ignore",
                file_name=f"lifecycle_{stage}_{snapshot.isoformat()}.csv",
                mime="text/csv",
                help=ui.t("lifecycle.download_help"),
            )
