"""Segment builder: find a group, save it, and hand its list to a campaign."""

import streamlit as st

from crm_core import contract, segments, ui
from crm_core import formatting as fmt
from crm_core.filters import Condition

filters = ui.current_filters()
lang = ui.lang()
currency = ui.settings().currency

st.title(ui.t("builder.title"))
message = ui.flash()
if message:
    st.success(message)
st.caption(ui.t("builder.subtitle"))
ui.rfm_snapshot_note(filters)
if not ui.has_rows("customers") and not ui.has_rows("orders"):
    st.info(ui.t("builder.no_customers"))
    st.stop()
if ui.customers_are_derived():
    st.info(ui.t("data_notes.derived_customers"))

CODE_FIELDS = (
    ("value_tier", "value_tier", (*segments.VALUE_TIERS, "no_purchase")),
    ("rfm_segment", "rfm_segment", (*segments.RFM_SEGMENTS, "no_purchase")),
    ("membership_tier", "tier", contract.TIERS),
    ("lifecycle_stage", "stage", segments.STAGES),
    ("region", "region", contract.REGIONS),
    ("acquisition_channel", "channel", contract.ACQUISITION_CHANNELS),
    ("gender", "gender", contract.GENDERS),
    ("age_band", "age_band", segments.AGE_BANDS),
    ("clv_tier", "clv_tier", (*segments.CLV_TIERS, "unscored")),
)
conditions: list[Condition] = []
grid = st.columns(4)
for i, (field, kind, codes) in enumerate(CODE_FIELDS):
    with grid[i % 4]:
        chosen = st.multiselect(
            ui.t(f"builder.field.{field}"),
            list(codes),
            format_func=ui.fixed_labels(lambda c, kind=kind: ui.label(kind, c), codes),
            placeholder=ui.t("filters.all"),
            key=f"b_{field}",
        )
    if chosen:
        conditions.append(Condition(field, "in", tuple(chosen)))
more = st.columns(4)
with more[0]:
    cities = st.text_input(ui.t("builder.field.city"), key="b_city", help=ui.t("builder.city_help"))
    city_list = tuple(c.strip() for c in cities.replace("，", ",").split(",") if c.strip())
    if city_list:
        conditions.append(Condition("city", "in", city_list))
with more[1]:
    lo, hi = st.columns(2)
    spend_lo = lo.number_input(ui.t("builder.spend_min"), min_value=0.0, value=None, step=100.0, key="b_spend_lo")
    spend_hi = hi.number_input(ui.t("builder.spend_max"), min_value=0.0, value=None, step=100.0, key="b_spend_hi")
    if spend_lo is not None or spend_hi is not None:
        conditions.append(Condition("monetary", "between", (spend_lo, spend_hi)))
with more[2]:
    lo, hi = st.columns(2)
    days_lo = lo.number_input(ui.t("builder.days_min"), min_value=0, value=None, step=30, key="b_days_lo")
    days_hi = hi.number_input(ui.t("builder.days_max"), min_value=0, value=None, step=30, key="b_days_hi")
    if days_lo is not None or days_hi is not None:
        conditions.append(Condition("days_since_last_order", "between", (days_lo, days_hi)))
with more[3]:
    lo, hi = st.columns(2)
    alive_lo = lo.number_input(
        ui.t("builder.p_alive_min"), min_value=0.0, max_value=1.0, value=None, step=0.1, key="b_alive_lo"
    )
    alive_hi = hi.number_input(
        ui.t("builder.p_alive_max"), min_value=0.0, max_value=1.0, value=None, step=0.1, key="b_alive_hi"
    )
    if alive_lo is not None or alive_hi is not None:
        conditions.append(Condition("p_alive", "between", (alive_lo, alive_hi)))
    email = st.checkbox(ui.t("builder.field.email_consent"), key="b_email")
    sms = st.checkbox(ui.t("builder.field.sms_consent"), key="b_sms")
    if email:
        conditions.append(Condition("email_consent", "is", (True,)))
    if sms:
        conditions.append(Condition("sms_consent", "is", (True,)))

built = tuple(conditions)
# the builder's segment applies on top of the global filters (and any saved segment chosen there)
combined = ui.with_segment(filters, (*filters.segment, *built))
count = ui.segment_count(combined).iloc[0]
total = ui.segment_count(ui.with_segment(filters, ())).iloc[0]
k = st.columns(3)
k[0].metric(ui.t("builder.customers"), fmt.integer(count["customers"], lang), border=True)
k[1].metric(
    ui.t("builder.share_customers"),
    fmt.percent(count["customers"] / total["customers"] if total["customers"] else float("nan")),
    border=True,
)
k[2].metric(
    ui.t("builder.share_revenue"),
    fmt.percent(count["revenue"] / total["revenue"] if total["revenue"] else float("nan")),
    help=ui.t("builder.share_revenue_help"),
    border=True,
)

# -- save ----------------------------------------------------------------------------------------
with st.form("save_segment", clear_on_submit=True):
    name = st.text_input(ui.t("builder.name"), max_chars=80, key="b_name")
    if st.form_submit_button(ui.t("builder.save"), type="primary"):
        if not built:
            st.error(ui.t("builder.nothing_to_save"))
        else:
            try:
                new_id = ui.save_segment(name, built)
            except ValueError as exc:
                st.error(ui.t("builder.save_failed", reason=str(exc)))
            else:
                ui.flash(ui.t("builder.saved", name=" ".join(name.split())))
                ui.select_segment(new_id)
                st.rerun()  # the sidebar and the URL show the new segment

# -- saved segments ------------------------------------------------------------------------------
LABEL_KINDS = {field: kind for field, kind, _ in CODE_FIELDS}


def describe(c: Condition) -> str:
    """One condition in words, with its codes translated (names stay plain text)."""
    if c.op == "in":
        kind = LABEL_KINDS.get(c.field)
        values = ", ".join(ui.label(kind, v) if kind else str(v) for v in c.values)
    elif c.op == "between":
        low, high = c.values
        values = f"{'' if low is None else f'{low:,.0f}'} – {'' if high is None else f'{high:,.0f}'}"
    else:
        values = ui.t("builder.yes") if c.values[0] else ui.t("builder.no")
    return f"{ui.t(f'builder.field.{c.field}')}: {values}"


st.subheader(ui.t("builder.saved_title"))
saved = ui.saved_segments()
if not saved:
    st.caption(ui.t("builder.none_saved"))
for seg in saved:
    row = st.columns([3, 5, 2, 1])
    row[0].text(seg.name)  # plain text: a name is data, never markup
    row[1].caption("; ".join(describe(c) for c in seg.conditions))
    with row[2].popover(ui.t("builder.rename")):
        new_name = st.text_input(ui.t("builder.new_name"), value=seg.name, key=f"rn_{seg.segment_id}")
        if st.button(ui.t("builder.rename"), key=f"rb_{seg.segment_id}"):
            try:
                ui.rename_segment(seg.segment_id, new_name)
                st.rerun()
            except ValueError as exc:
                st.error(ui.t("builder.save_failed", reason=str(exc)))
    if row[3].button(ui.t("builder.delete"), key=f"del_{seg.segment_id}"):
        ui.delete_segment(seg.segment_id)
        st.rerun()

# -- the list and its export ---------------------------------------------------------------------
st.subheader(ui.t("builder.list_title"))
c1, c2 = st.columns(2)
with c1:
    sort = st.selectbox(
        ui.t("lifecycle.list_sort"),
        list(segments.LIST_SORTS),
        index=2,
        format_func=ui.fixed_labels(lambda c: ui.t(f"builder.col.{c}"), segments.LIST_SORTS),
        key="b_sort",
    )
n = int(count["customers"])
pages = max(1, -(-n // 50))
with c2:
    page_no = int(st.number_input(ui.t("lifecycle.page", pages=pages), 1, pages, 1, key="b_page"))
listed = ui.segment_customers(combined, sort, sort != "customer_name", 50, (page_no - 1) * 50)
ui.customer_dataframe(listed)
st.caption(ui.t("builder.list_caption", n=fmt.integer(n, lang)))
if n:
    d1, d2, _ = st.columns([1, 1, 3])
    stamp = filters.as_of.isoformat()
    d1.download_button(
        ui.t("builder.export_csv"),
        data=lambda: segments.export_bytes(ui.segment_customers(combined, "monetary", True, None, 0), "csv"),
        file_name=f"segment_{stamp}.csv",
        mime="text/csv",
        on_click="ignore",
        help=ui.t("lifecycle.download_help"),
        key="export_csv",
    )
    d2.download_button(
        ui.t("builder.export_xlsx"),
        data=lambda: segments.export_bytes(ui.segment_customers(combined, "monetary", True, None, 0), "xlsx"),
        file_name=f"segment_{stamp}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key="export_xlsx",
    )
