"""Segments: who are our customers, where does value sit, and how does it move? (客户识别与分类)"""

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from crm_core import charts, ui
from crm_core import formatting as fmt
from crm_core.filters import Condition
from crm_core.segments import LOOKBACK_DAYS, RFM_MART_LOOKBACK, RFM_SEGMENTS, VALUE_TIERS

filters = ui.current_filters()
lang = ui.lang()
currency = ui.settings().currency

st.title(ui.t("segments.title"))
if not ui.has_rows("orders"):
    st.info(ui.t("lifecycle.no_orders"))
    st.stop()
lookback = ui.url_selectbox(
    "lookback", ui.t("segments.lookback"), list(LOOKBACK_DAYS), lambda d: ui.t("lifecycle.days", n=d), 365, parse=int
)
snapshot = ui.rfm_snapshot(filters) if lookback == RFM_MART_LOOKBACK else None
st.caption(ui.t("segments.rule", as_of=fmt.day(snapshot or filters.as_of, lang), n=lookback))
ui.rfm_snapshot_note(filters, lookback)

section, tab = ui.page_tabs("segments")
with tab:
    if section == "grid":
        # -- RFM grid and segment treemap --------------------------------------------------------------
        st.subheader(ui.t("segments.grid_title"))
        COLOUR_BY = ("customers", "revenue", "revenue_per_customer")
        colour_by = (
            st.segmented_control(
                ui.t("segments.colour_by"),
                list(COLOUR_BY),
                default=ui.kept("grid_colour", "customers", COLOUR_BY),
                format_func=ui.fixed_labels(lambda c: ui.t(f"segments.metric.{c}"), COLOUR_BY),
                key="grid_colour",
            )
            or "customers"
        )
        ui.keep("grid_colour", colour_by)  # kept while another section shows (ui.kept)
        grid = ui.rfm_grid(filters, lookback)
        left, right = st.columns(2)
        with left:
            matrix = grid.pivot_table(index="r_score", columns="f_score", values=colour_by).reindex(
                index=[5, 4, 3, 2, 1], columns=[1, 2, 3, 4, 5]
            )
            counts = grid.pivot_table(index="r_score", columns="f_score", values="customers").reindex(
                index=[5, 4, 3, 2, 1], columns=[1, 2, 3, 4, 5]
            )
            text = matrix.map(
                lambda v: (
                    "" if pd.isna(v) else (fmt.integer(v, lang) if colour_by == "customers" else fmt.compact(v, lang))
                )
            )
            heat = go.Figure(
                go.Heatmap(
                    z=matrix.to_numpy(),
                    x=[f"F{c}" for c in matrix.columns],
                    y=[f"R{r}" for r in matrix.index],
                    text=text.to_numpy(),
                    texttemplate="%{text}",
                    customdata=counts.to_numpy(),
                    colorscale="Blues",
                    hovertemplate="%{y} %{x}: %{text} (n=%{customdata:,})<extra></extra>",
                )
            )
            heat.update_layout(
                title=ui.t("segments.grid_chart"),
                height=400,
                xaxis_title=ui.t("segments.f_axis"),
                yaxis_title=ui.t("segments.r_axis"),
            )
            ui.chart(heat, key="rfm_grid")
        summary = ui.segment_summary(filters, lookback)
        by_segment = summary[summary["dimension"] == "rfm_segment"]
        with right:
            tree = go.Figure(
                go.Treemap(
                    labels=ui.labels("rfm_segment", by_segment["dimension_value"]),
                    parents=[""] * len(by_segment),
                    values=by_segment["revenue"].clip(lower=0),
                    customdata=by_segment[["customers", "share_of_revenue"]].to_numpy(),
                    texttemplate="%{label}<br>%{customdata[1]:.1%}",
                    hovertemplate="%{label}<br>"
                    + ui.t("segments.metric.revenue")
                    + ": "
                    + currency
                    + "%{value:,.0f}<br>"
                    + ui.t("segments.metric.customers")
                    + ": %{customdata[0]:,}<extra></extra>",
                    marker={"colors": [charts.PALETTE[i % len(charts.PALETTE)] for i in range(len(by_segment))]},
                )
            )
            tree.update_layout(title=ui.t("segments.treemap_chart", n=lookback), height=400)
            ui.chart(tree, key="rfm_treemap")
        cell_box = ui.lazy_expander(ui.t("segments.cell_list"), "cell_list_open")
        if cell_box.open:
            with cell_box:
                g1, g2 = st.columns(2)
                r_pick = g1.selectbox(ui.t("segments.r_axis"), ["5", "4", "3", "2", "1"], key="cell_r")
                f_pick = g2.selectbox(ui.t("segments.f_axis"), ["1", "2", "3", "4", "5"], key="cell_f")
                cell_filters = ui.with_segment(
                    filters,
                    (*filters.segment, Condition("r_score", "in", (r_pick,)), Condition("f_score", "in", (f_pick,))),
                )
                cell_n = int(ui.segment_count(cell_filters).iloc[0]["customers"])
                ui.customer_list_section(
                    ui.segment_customers(cell_filters, "monetary", True, 200, 0),
                    ui.t("segments.cell_list_caption", n=fmt.integer(cell_n, lang), r=r_pick, f=f_pick),
                    f"rfm_R{r_pick}_F{f_pick}_{filters.as_of.isoformat()}",
                    "cell_export",
                    full=lambda: ui.segment_customers(cell_filters, "monetary", True, None, 0),
                )
        ui.explain("segments.rfm_definition", "rfm_grid", "segment_summary")
    elif section == "tiers":
        # -- value and membership tiers ------------------------------------------------------------------
        st.subheader(ui.t("segments.tiers_title"))
        summary = ui.segment_summary(filters, lookback)
        cols = st.columns(2)
        for col, (dimension, kind, order) in zip(
            cols,
            (
                ("value_tier", "value_tier", VALUE_TIERS),
                ("membership_tier", "tier", ("normal", "silver", "gold", "diamond")),
            ),
            strict=True,
        ):
            part = summary[summary["dimension"] == dimension].set_index("dimension_value").reindex(list(order))
            part = part.fillna(dict.fromkeys(part.select_dtypes("number").columns, 0))  # tiers without customers
            names = ui.labels(kind, part.index)
            fig = go.Figure()
            fig.add_trace(
                go.Bar(
                    x=names, y=part["share_of_customers"], name=ui.t("segments.share_customers"), marker_color="#9DB3DB"
                )
            )
            fig.add_trace(
                go.Bar(
                    x=names,
                    y=part["share_of_revenue"],
                    name=ui.t("segments.share_revenue"),
                    marker_color=charts.PALETTE[0],
                )
            )
            fig.update_layout(
                title=ui.t(f"segments.by_{dimension}"), barmode="group", height=340, yaxis_tickformat=".0%"
            )
            with col:
                ui.chart(fig, key=f"tiers_{dimension}")
        ui.explain("segments.value_tier_definition", "segment_summary")
    elif section == "compare":
        # -- two segments side by side -------------------------------------------------------------------
        st.subheader(ui.t("segments.compare_title"))
        summary = ui.segment_summary(filters, lookback)
        present = [
            s for s in RFM_SEGMENTS if s in set(summary.loc[summary["dimension"] == "rfm_segment", "dimension_value"])
        ]
        if len(present) >= 2:
            a_col, b_col = st.columns(2)
            with a_col:
                seg_a = st.selectbox(
                    ui.t("segments.segment_a"),
                    present,
                    index=present.index(ui.kept("compare_a", present[0], present)),
                    format_func=ui.fixed_labels(lambda s: ui.label("rfm_segment", s), present),
                    key="compare_a",
                )
                ui.keep("compare_a", seg_a)
            with b_col:
                default_b = present[min(len(present) - 1, present.index("at_risk") if "at_risk" in present else 1)]
                seg_b = st.selectbox(
                    ui.t("segments.segment_b"),
                    present,
                    index=present.index(ui.kept("compare_b", default_b, present)),
                    format_func=ui.fixed_labels(lambda s: ui.label("rfm_segment", s), present),
                    key="compare_b",
                )
                ui.keep("compare_b", seg_b)
            profiles = ui.segment_profiles(filters, (seg_a, seg_b), lookback)  # one pass for both
            prof_a = profiles[profiles["rfm_segment"] == seg_a]
            prof_b = profiles[profiles["rfm_segment"] == seg_b]
            head_a = prof_a[prof_a["dimension"] == "headline"].set_index("dimension_value")["share"]
            head_b = prof_b[prof_b["dimension"] == "headline"].set_index("dimension_value")["share"]
            rows = []
            for key in (
                "customers",
                "avg_order_value",
                "avg_frequency",
                "avg_monetary",
                "avg_days_since_last_order",
                "email_consent",
                "sms_consent",
            ):

                def shown(v: float, key: str = key) -> str:
                    if key in ("avg_order_value", "avg_monetary"):
                        return fmt.money(v, currency, lang)
                    if key in ("email_consent", "sms_consent"):
                        return fmt.percent(v)
                    return fmt.integer(v, lang) if key == "customers" else f"{v:,.1f}"

                rows.append(
                    {
                        "": ui.t(f"segments.profile.{key}"),
                        ui.label("rfm_segment", seg_a): shown(head_a.get(key)),
                        ui.label("rfm_segment", seg_b): shown(head_b.get(key)),
                    }
                )
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
            kinds = {
                "category": "category",
                "sales_channel": "sales_channel",
                "region": "region",
                "age_band": "age_band",
                "gender": "gender",
            }
            dims = st.columns(len(kinds))
            for col, (dimension, kind) in zip(dims, kinds.items(), strict=True):
                a = prof_a[prof_a["dimension"] == dimension].set_index("dimension_value")["share"]
                b = prof_b[prof_b["dimension"] == dimension].set_index("dimension_value")["share"]
                values = sorted(set(a.index) | set(b.index), key=lambda v: -(a.get(v, 0) + b.get(v, 0)))
                fig = go.Figure()
                for i, (seg, shares) in enumerate(((seg_a, a), (seg_b, b))):
                    fig.add_trace(
                        go.Bar(
                            y=ui.labels(kind, values),
                            x=[shares.get(v, 0) for v in values],
                            orientation="h",
                            name=ui.label("rfm_segment", seg),
                            marker_color=charts.PALETTE[i],
                        )
                    )
                fig.update_layout(
                    title=ui.t(f"segments.profile_dim.{dimension}"),
                    barmode="group",
                    height=360,
                    xaxis_tickformat=".0%",
                    showlegend=False,
                    yaxis={"autorange": "reversed"},
                )
                with col:
                    ui.chart(fig, key=f"profile_{dimension}")
            st.caption(
                ui.t("segments.compare_caption", a=ui.label("rfm_segment", seg_a), b=ui.label("rfm_segment", seg_b))
            )
            ui.explain("segments.profile_definition", "segment_profile")
    elif section == "migration":
        # -- migration -----------------------------------------------------------------------------------
        st.subheader(ui.t("segments.migration_title"))
        month_ends = [d.date() for d in pd.date_range("2023-12-31", filters.as_of, freq="ME")]
        if len(month_ends) >= 2:
            m1, m2, m3 = st.columns(3)
            with m1:
                from_date = ui.url_selectbox(
                    "mfrom",
                    ui.t("lifecycle.from"),
                    month_ends[:-1],
                    lambda d: fmt.day(d, lang),
                    month_ends[max(0, len(month_ends) - 7)],
                    parse=date.fromisoformat,
                )
            later = [d for d in [*month_ends, filters.as_of] if d > from_date]
            later = sorted(set(later))
            with m2:
                to_date = ui.url_selectbox(
                    "mto", ui.t("lifecycle.to"), later, lambda d: fmt.day(d, lang), later[-1], parse=date.fromisoformat
                )
            with m3:
                level = (
                    st.segmented_control(
                        ui.t("segments.migration_level"),
                        ["rfm_segment", "value_tier"],
                        default=ui.kept("migration_level", "value_tier"),
                        format_func=ui.fixed_labels(
                            lambda v: ui.t(f"segments.level.{v}"), ["rfm_segment", "value_tier"]
                        ),
                        key="migration_level",
                    )
                    or "value_tier"
                )
                ui.keep("migration_level", level)
            moves = ui.rfm_migration(filters, from_date, to_date)
            src, dst = (
                ("from_segment", "to_segment") if level == "rfm_segment" else ("from_value_tier", "to_value_tier")
            )
            order = [*(RFM_SEGMENTS if level == "rfm_segment" else VALUE_TIERS), "no_purchase"]
            kind = "rfm_segment" if level == "rfm_segment" else "value_tier"
            table = moves.pivot_table(index=src, columns=dst, values="customers", aggfunc="sum", fill_value=0)
            table = table.reindex(index=order, columns=order, fill_value=0)
            table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
            mat = go.Figure(
                go.Heatmap(
                    z=table.to_numpy(),
                    x=ui.labels(kind, table.columns),
                    y=ui.labels(kind, table.index),
                    text=table.to_numpy(),
                    texttemplate="%{text:,}",
                    colorscale="Blues",
                    hovertemplate="%{y} → %{x}: %{z:,}<extra></extra>",
                )
            )
            mat.update_layout(
                height=160 + 34 * len(table),
                xaxis_title=ui.t("segments.on_date", day=fmt.day(to_date, lang)),
                yaxis={"autorange": "reversed", "title": ui.t("segments.on_date", day=fmt.day(from_date, lang))},
            )
            ui.chart(mat, key="migration_matrix")
            flows = moves.groupby([src, dst], as_index=False)["customers"].sum()
            flows = flows[flows["customers"] > 0]
            left_nodes, right_nodes = list(table.index), list(table.columns)
            sankey = go.Figure(
                go.Sankey(
                    node={
                        "label": [f"{ui.label(kind, v)} · {fmt.day(from_date, lang)}" for v in left_nodes]
                        + [f"{ui.label(kind, v)} · {fmt.day(to_date, lang)}" for v in right_nodes],
                        "pad": 12,
                    },
                    link={
                        "source": [left_nodes.index(s) for s in flows[src]],
                        "target": [len(left_nodes) + right_nodes.index(d) for d in flows[dst]],
                        "value": flows["customers"].tolist(),
                        "color": ["rgba(46,90,172,0.18)"] * len(flows),
                    },
                )
            )
            sankey.update_layout(height=460)
            ui.chart(sankey, key="migration_sankey")
            migration_box = ui.lazy_expander(ui.t("segments.migration_list"), "migration_list_open")
            if migration_box.open:
                with migration_box:
                    c1, c2 = st.columns(2)
                    with c1:
                        cell_from = st.selectbox(
                            ui.t("segments.cell_from"),
                            list(table.index),
                            format_func=ui.fixed_labels(lambda v: ui.label(kind, v), table.index),
                        )
                    with c2:
                        cell_to = st.selectbox(
                            ui.t("segments.cell_to"),
                            list(table.columns),
                            format_func=ui.fixed_labels(lambda v: ui.label(kind, v), table.columns),
                        )
                    n_cell = int(moves.loc[(moves[src] == cell_from) & (moves[dst] == cell_to), "customers"].sum())
                    ui.customer_list_section(
                        ui.migration_customers(filters, from_date, to_date, level, cell_from, cell_to, 200),
                        ui.t("segments.cell_caption", n=fmt.integer(n_cell, lang)),
                        f"migration_{from_date.isoformat()}_{to_date.isoformat()}",
                        "migration_export",
                        full=lambda: ui.migration_customers(
                            filters, from_date, to_date, level, cell_from, cell_to, None
                        ),
                    )
            ui.explain("segments.migration_definition", "rfm_migration")
