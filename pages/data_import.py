"""Data import: load your own file into a raw table — map its columns, check every cell, then
load all or nothing and rebuild the figures."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from crm_core import formatting as fmt
from crm_core import importer, privacy, ui

ui.current_filters()  # routes a cold deep link through app.py (see ui.current_filters)
lang = ui.lang()
st.title(ui.t("data_import.title"))
st.caption(ui.t("data_import.subtitle", mb=ui.upload_limit_mb()))
message = ui.flash()
if message:
    st.success(message)

tables = list(importer.TARGET_NAMES)
c1, c2 = st.columns([2, 1])
with c1:
    table = ui.url_selectbox(
        "table",
        ui.t("data_import.table"),
        tables,
        lambda n: f"{n} — {importer.describe_table(n, lang)}",
        "orders",
    )
with c2:
    mode = ui.url_selectbox(
        "mode", ui.t("data_import.mode"), list(importer.MODES), lambda m: ui.t(f"data_import.mode_{m}"), "append"
    )
uploaded = st.file_uploader(
    ui.t("data_import.file"),
    type=["csv", "txt", "tsv", "parquet", "xlsx"],
    key=f"imp_file_{st.session_state.get('imp_round', 0)}",  # a new key empties it after a load
    help=ui.t("data_import.file_help"),
)
mapping_file = st.file_uploader(
    ui.t("data_import.mapping_file"), type=["toml"], key="imp_mapping", help=ui.t("data_import.mapping_file_help")
)
if uploaded is None:
    st.info(ui.t("data_import.start"))
    st.stop()

path = ui.save_upload(uploaded)
base = importer.Mapping()
if mapping_file is not None:
    try:
        base = importer.parse_mapping(mapping_file.getvalue().decode("utf-8", errors="replace"), mapping_file.name)
    except ValueError as exc:
        st.error(ui.t("data_import.bad_mapping", detail=str(exc)))
        st.stop()

# -- options ------------------------------------------------------------------------------------
with st.expander(ui.t("data_import.options"), expanded=False):
    o = base.options
    sheets = importer.excel_sheets(path) if path.suffix == ".xlsx" and uploaded.name.lower().endswith(".xlsx") else []
    sheet = o.sheet
    if len(sheets) > 1:
        sheet = st.selectbox(
            ui.t("data_import.sheet"), sheets, index=sheets.index(o.sheet) if o.sheet in sheets else 0, key="imp_sheet"
        )
    date_format = st.text_input(
        ui.t("data_import.date_format"),
        ", ".join(o.date_format),
        key="imp_date_format",
        help=ui.t("data_import.date_format_help"),
    )
    prefix = st.text_input(
        ui.t("data_import.cancelled_prefix"),
        o.cancelled_prefix or "",
        key="imp_prefix",
        help=ui.t("data_import.cancelled_prefix_help"),
    )
    skip = st.checkbox(
        ui.t("data_import.skip_invalid"),
        o.skip_invalid_rows,
        key="imp_skip",
        help=ui.t("data_import.skip_invalid_help"),
    )
    currency = st.text_input(
        ui.t("data_import.currency"), o.currency or "", key="imp_currency", help=ui.t("data_import.currency_help")
    )
options = replace(
    base.options,
    sheet=sheet,
    date_format=tuple(f.strip() for f in date_format.split(",") if f.strip()),
    cancelled_prefix=prefix.strip() or None,
    skip_invalid_rows=skip,
    currency=currency.strip() or None,
)

peek = ui.import_peek(str(path), uploaded.name, options)
if peek.problems:
    for problem in peek.problems:
        st.error(problem.sentence(lang))
    st.stop()
st.caption(
    ui.t(
        "data_import.read_as",
        file=uploaded.name,
        rows=fmt.integer(peek.rows_read, lang),
        columns=len(peek.headers),
        format=peek.file_format,
        encoding=peek.encoding or "—",
        delimiter={",": ",", ";": ";", "\t": "TAB", "|": "|"}.get(peek.delimiter or "", "—"),
    )
)

# -- mapping ------------------------------------------------------------------------------------
st.subheader(ui.t("data_import.mapping"))
st.caption(ui.t("data_import.mapping_caption"))
target = importer.target(table)
guess = importer.guess_mapping(table, peek.headers)
chosen = base.column_map()
choices = ["", *peek.headers]
columns: dict[str, str] = {}
grid = st.columns(3)
for i, f in enumerate(target.fields):
    default = chosen.get(f.name) or guess.get(f.name) or ""
    hint = importer.describe_field(table, f.name, lang)
    if f.default_note:
        hint += " · " + ui.t("data_import.default_note", value=f.default_note)
    with grid[i % 3]:
        pick = st.selectbox(
            f"{f.name}{' *' if f.required else ''}",
            choices,
            index=choices.index(default) if default in choices else 0,
            format_func=lambda h: h or "—",
            key=f"imp_map_{table}_{f.name}_{path.stem}",
            help=hint,
        )
    if pick:
        columns[f.name] = pick
mapping = importer.Mapping(table, tuple(columns.items()), options, base.values)

raw = pd.DataFrame(peek.rows, columns=pd.Index(peek.headers))
for name, mask in (("email", privacy.mask_email), ("phone", privacy.mask_phone)):
    if name in columns:
        raw[columns[name]] = raw[columns[name]].map(mask)
st.caption(ui.t("data_import.raw_preview"))
st.dataframe(raw, hide_index=True, width="stretch")

# -- validate -----------------------------------------------------------------------------------
signature = (str(path), table, mode, mapping)
if st.button(ui.t("data_import.validate"), type="primary", key="imp_validate"):
    with st.spinner(ui.t("data_import.validating")):
        st.session_state["imp_report"] = (signature, ui.validate_import(path, uploaded.name, table, mapping, mode))
stored = st.session_state.get("imp_report")
if stored is None or stored[0] != signature:
    st.info(ui.t("data_import.press_validate"))
    st.stop()
report: importer.ImportReport = stored[1]

st.subheader(ui.t("data_import.report"))
m = st.columns(3)
m[0].metric(ui.t("data_import.rows_read"), fmt.integer(report.rows_read, lang), border=True)
m[1].metric(ui.t("data_import.rows_ok"), fmt.integer(report.rows_read - report.rows_rejected, lang), border=True)
m[2].metric(ui.t("data_import.rows_rejected"), fmt.integer(report.rows_rejected, lang), border=True)
for problem in report.file_problems:
    st.error(problem.sentence(lang))
if report.reason_counts:
    summary = pd.DataFrame(
        [(ui.t(f"import.short.{r}"), report.mapping.get(c, c), c, n) for r, c, n in report.reason_counts],
        columns=pd.Index([ui.t(f"data_import.col.{k}") for k in ("reason", "source_column", "target_column", "rows")]),
    )
    st.dataframe(summary, hide_index=True, width="stretch")
if report.row_problems:
    for problem in report.row_problems[:5]:
        st.error(problem.sentence(lang))
    with st.expander(ui.t("data_import.all_problems", n=fmt.integer(len(report.row_problems), lang))):
        st.dataframe(
            pd.DataFrame({ui.t("data_import.col.problem"): [p.sentence(lang) for p in report.row_problems]}),
            hide_index=True,
            width="stretch",
        )
        st.caption(ui.t("data_import.sample_note"))
if report.preview:
    typed = pd.DataFrame(report.preview)
    for name, mask in (("email", privacy.mask_email), ("phone", privacy.mask_phone)):
        if name in typed:
            typed[name] = typed[name].map(mask)
    st.caption(ui.t("data_import.typed_preview"))
    st.dataframe(typed, hide_index=True, width="stretch")

if not report.accepted:
    st.warning(ui.t("data_import.rejected"))
    st.stop()
if report.rows_rejected:
    st.warning(ui.t("data_import.skip_note", n=fmt.integer(report.rows_rejected, lang)))
st.success(
    ui.t(
        "data_import.ready",
        n=fmt.integer(report.rows_read - report.rows_rejected, lang),
        table=table,
        mode=ui.t(f"data_import.mode_{mode}"),
    )
)
if st.button(ui.t("data_import.accept"), type="primary", key="imp_accept"):
    bar = st.progress(0.0, text=ui.t("data_import.loading"))

    def show(fraction: float, step: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=f"{ui.t('data_import.loading')} ({step})")

    result = ui.run_import(path, uploaded.name, table, mapping, mode, show)
    if result.loaded:
        st.session_state.pop("imp_report", None)
        st.session_state["imp_round"] = st.session_state.get("imp_round", 0) + 1
        written = ", ".join(
            ui.t("data_import.written", n=fmt.integer(n, lang), table=name) for name, n in result.rows_written.items()
        )
        ui.flash(ui.t("data_import.done", file=uploaded.name, written=written, seconds=f"{result.seconds:.1f}"))
        st.rerun()
    for problem in result.file_problems:
        st.error(problem.sentence(lang))
    st.error(ui.t("data_import.failed"))
