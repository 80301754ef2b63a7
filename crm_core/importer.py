"""Bring your own data: read a file, map its columns, validate every cell, load all or nothing.

The pipeline, one function per step, used by the CLI, the Data import page and the tests:

1. `read_source` streams the file into a temporary DuckDB table of text columns `c0, c1, ...`
   (CSV in UTF-8, UTF-8 with BOM or GBK/GB18030, delimiter sniffed; Parquet; xlsx through
   openpyxl's read-only streaming). The file's headers are kept as Python strings and never
   enter SQL: columns are addressed by position, so a header such as `x"; drop table orders`
   is only a name to map.
2. `guess_mapping` proposes a source header for each target column from English and Chinese
   aliases; a mapping TOML (`[columns] target = "source header"`, `[options]`, `[values.col]`)
   overrides it.
3. `validate` casts each mapped column with TRY_CAST-style SQL, so every bad cell is found and
   reported by row and column: required values, types, dates, negative or zero amounts, future
   dates, allowed codes, duplicate keys (in the file and against what is loaded), orphan keys,
   and orders whose lines disagree. The checks run against the data as it is.
4. `run_import` does the load on a copy of the database (`build.atomic_update`): validate again
   on the copy, insert, rebuild the marts, score lifetime value, checkpoint, swap in with os.replace. Anything
   rejected or failing leaves the file byte-identical; readers keep the old generation.

Every value is a bound parameter; the only identifiers put into SQL text are target column and
table names from the contract and the generated source names `c<n>`.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import time
import tomllib
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from crm_core import build, contract, db, i18n

Progress = Callable[[float, str], None]

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".parquet": "parquet", ".xlsx": "xlsx"}
MODES = ("append", "replace")
SAMPLE_PER_REASON = 20  # problem sentences kept per (reason, column); the counts are complete
_SNIFF_BYTES = 64 * 1024
_CHUNK = 1 << 20
_SRC = re.compile(r"^c[0-9]+$")


class ImportError_(Exception):
    """A file that cannot be imported; `problems` say why, one sentence each."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.sentence("en") for p in problems))
        self.problems = problems


# -- targets ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    name: str
    sql_type: str
    required: bool
    allowed: tuple[str, ...] | None = None
    minimum: str | None = None  # "positive" (> 0) or "non_negative" (>= 0)
    not_future: bool = False
    default_note: str | None = None  # how a missing optional column is filled (for the UI)


@dataclass(frozen=True)
class Target:
    name: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    writes: tuple[str, ...]  # raw tables written

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


# (table, column) -> minimum; money and counts that must be positive, others never negative.
_MINIMUM = {
    ("orders", "amount"): "positive",
    ("orders", "discount"): "non_negative",
    ("order_items", "quantity"): "positive",
    ("order_items", "unit_price"): "positive",
    ("order_items", "line_amount"): "positive",
    ("products", "list_price"): "positive",
    ("campaigns", "cost"): "non_negative",
    ("campaigns", "attribution_window_days"): "positive",
    ("order_lines", "quantity"): "positive",
    ("order_lines", "unit_price"): "positive",
}
# Columns that may lie in the future (a campaign can be scheduled to end later).
_MAY_BE_FUTURE = {("campaigns", "ended_at")}
# Columns required by the contract that an import fills when the file has none.
_DEFAULTS = {
    ("orders", "order_id"): "generated",
    ("orders", "status"): "completed",
    ("orders", "discount"): "0",
}
# child (table, column) -> parent (table, column): checked when the parent table holds rows
# (so orders for unknown customers are fine while no customer archive is loaded: customers are
# then derived from the orders).
FOREIGN_KEYS: dict[tuple[str, str], tuple[str, str]] = {
    ("customers", "account_manager_id"): ("account_managers", "manager_id"),
    ("orders", "customer_id"): ("customers", "customer_id"),
    ("order_items", "order_id"): ("orders", "order_id"),
    ("order_items", "product_id"): ("products", "product_id"),
    ("web_events", "customer_id"): ("customers", "customer_id"),
    ("interactions", "customer_id"): ("customers", "customer_id"),
    ("reviews", "customer_id"): ("customers", "customer_id"),
    ("reviews", "order_id"): ("orders", "order_id"),
    ("membership_events", "customer_id"): ("customers", "customer_id"),
    ("points_ledger", "customer_id"): ("customers", "customer_id"),
    ("campaign_sends", "campaign_id"): ("campaigns", "campaign_id"),
    ("campaign_sends", "customer_id"): ("customers", "customer_id"),
    ("order_lines", "customer_id"): ("customers", "customer_id"),
}


def _contract_target(t: contract.Table) -> Target:
    fields = []
    for c in t.columns:
        default = _DEFAULTS.get((t.name, c.name))
        fields.append(
            Field(
                c.name,
                c.sql_type,
                c.required and default is None,
                c.allowed,
                _MINIMUM.get((t.name, c.name)),
                c.sql_type in ("TIMESTAMP", "DATE") and (t.name, c.name) not in _MAY_BE_FUTURE,
                default,
            )
        )
    return Target(t.name, tuple(fields), t.key, (t.name,))


# An order-lines file (one row per line, the order's fields repeated): it fills orders and
# order_items, each order's amount being the sum of its lines.
ORDER_LINES = Target(
    "order_lines",
    (
        Field("order_id", "BIGINT", True),
        Field("customer_id", "BIGINT", True),
        Field("ordered_at", "TIMESTAMP", True, not_future=True),
        Field("quantity", "INTEGER", True, minimum="positive"),
        Field("unit_price", "DECIMAL(12,4)", True, minimum="positive"),
        Field("product_id", "VARCHAR", False, default_note="0"),
        Field("line_number", "INTEGER", False, default_note="generated"),
        Field("status", "VARCHAR", False, contract.ORDER_STATUSES, default_note="completed"),
        Field("sales_channel", "VARCHAR", False, contract.SALES_CHANNELS),
    ),
    ("order_id", "line_number"),
    ("orders", "order_items"),
)
TARGETS: dict[str, Target] = {t.name: _contract_target(t) for t in contract.RAW_TABLES} | {"order_lines": ORDER_LINES}
TARGET_NAMES: tuple[str, ...] = tuple(TARGETS)


def target(name: str) -> Target:
    if name not in TARGETS:
        raise ValueError(f"unknown table {name!r}; expected one of {', '.join(TARGET_NAMES)}")
    return TARGETS[name]


# -- header guesses ---------------------------------------------------------------------------
_ALIASES: dict[str, tuple[str, ...]] = {
    "customer_id": (
        "customer_id",
        "customerid",
        "customer",
        "customer no",
        "customer number",
        "cust_id",
        "client_id",
        "member_id",
        "user_id",
        "buyer_id",
        "客户id",
        "客户编号",
        "客户号",
        "会员id",
        "会员编号",
        "用户id",
        "买家id",
        "顾客id",
    ),
    "order_id": (
        "order_id",
        "orderid",
        "order no",
        "order number",
        "invoice",
        "invoiceno",
        "invoice no",
        "invoice_number",
        "订单号",
        "订单编号",
        "订单id",
        "单号",
        "发票号",
    ),
    "ordered_at": (
        "ordered_at",
        "order_date",
        "order date",
        "order time",
        "invoicedate",
        "invoice date",
        "date",
        "purchase date",
        "下单时间",
        "下单日期",
        "订单时间",
        "订单日期",
        "购买时间",
        "支付时间",
        "付款时间",
        "日期",
    ),
    "amount": (
        "amount",
        "total",
        "order total",
        "order amount",
        "paid",
        "amount paid",
        "revenue",
        "sales",
        "金额",
        "实付金额",
        "订单金额",
        "支付金额",
        "实付款",
        "付款金额",
        "销售额",
    ),
    "quantity": ("quantity", "qty", "units", "数量", "购买数量", "件数"),
    "unit_price": ("unit_price", "unitprice", "price", "unit price", "单价", "价格", "商品单价"),
    "discount": ("discount", "优惠", "优惠金额", "折扣金额"),
    "status": ("status", "order status", "订单状态", "状态"),
    "phone": ("phone", "mobile", "tel", "telephone", "手机", "手机号", "电话", "联系电话"),
    "email": ("email", "e-mail", "mail", "邮箱", "电子邮箱", "邮件"),
    "city": ("city", "城市", "所在城市"),
    "name": ("name", "customer name", "full name", "姓名", "客户名称", "客户姓名", "名称"),
    "signed_up_at": (
        "signed_up_at",
        "signup date",
        "registered",
        "registration date",
        "created_at",
        "注册时间",
        "注册日期",
    ),
    "product_id": (
        "product_id",
        "productid",
        "product",
        "sku",
        "stockcode",
        "stock code",
        "商品编号",
        "商品id",
        "货号",
    ),
    "line_number": ("line_number", "line", "line no", "行号"),
    "sales_channel": ("sales_channel", "channel", "下单渠道", "渠道"),
    "gender": ("gender", "sex", "性别"),
    "birth_year": ("birth_year", "year of birth", "出生年份"),
    "region": ("region", "大区", "地区"),
    "line_amount": ("line_amount", "line total", "行金额", "小计"),
}


def _norm(text: str) -> str:
    folded = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"[\s_\-./()（）:]+", "", folded)


def guess_mapping(table: str, headers: list[str]) -> dict[str, str]:
    """target column -> source header, from the column's own name, its English and Chinese
    labels in the contract, and common aliases; each header is used at most once."""
    t = target(table)
    decl = {c.name: c for c in contract.table(table).columns} if table in contract.RAW_TABLE_NAMES else {}
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(_norm(h), h)
    out: dict[str, str] = {}
    used: set[str] = set()
    for f in t.fields:
        names = [f.name, *_ALIASES.get(f.name, ())]
        if f.name in decl:
            names += [decl[f.name].en, decl[f.name].zh]
        for n in names:
            match = by_norm.get(_norm(n))
            if match is not None and match not in used:
                out[f.name] = match
                used.add(match)
                break
    return out


# -- mapping files ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Options:
    date_format: tuple[str, ...] = ()
    currency: str | None = None
    cancelled_prefix: str | None = None  # e.g. "C": such order ids are cancellations or returns
    cancelled_status: str = "returned"
    skip_invalid_rows: bool = False  # load the valid rows, report the rejected ones
    sheet: str | None = None
    delimiter: str | None = None
    encoding: str | None = None


@dataclass(frozen=True)
class Mapping:
    table: str | None = None
    columns: tuple[tuple[str, str], ...] = ()  # (target column, source header)
    options: Options = Options()
    values: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # column -> (source -> code)

    def column_map(self) -> dict[str, str]:
        return dict(self.columns)

    def value_map(self, column: str) -> dict[str, str]:
        return dict(dict(self.values).get(column, ()))


def parse_mapping(text: str, source: str = "mapping") -> Mapping:
    """A mapping TOML; ValueError with one sentence when it is not one."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"the mapping file {source} is not valid TOML: {exc}") from None
    known = {"table", "columns", "options", "values"}
    extra = sorted(set(doc) - known)
    if extra:
        raise ValueError(f"the mapping file {source} has unknown sections {extra}; expected {sorted(known)}")
    cols = doc.get("columns", {})
    if not isinstance(cols, dict) or not all(isinstance(v, str) for v in cols.values()):
        raise ValueError(
            f"the mapping file {source}: [columns] must map target columns to header names, "
            'e.g. customer_id = "CustomerID"'
        )
    o = doc.get("options", {})
    allowed_opts = set(Options.__dataclass_fields__)
    bad = sorted(set(o) - allowed_opts)
    if bad:
        raise ValueError(
            f"the mapping file {source} has unknown options {bad}; expected some of {sorted(allowed_opts)}"
        )
    fmt = o.get("date_format", ())
    opts = Options(
        date_format=(fmt,) if isinstance(fmt, str) else tuple(str(x) for x in fmt),
        currency=o.get("currency"),
        cancelled_prefix=o.get("cancelled_prefix"),
        cancelled_status=str(o.get("cancelled_status", "returned")),
        skip_invalid_rows=bool(o.get("skip_invalid_rows", False)),
        sheet=o.get("sheet"),
        delimiter=o.get("delimiter"),
        encoding=o.get("encoding"),
    )
    if opts.cancelled_status not in contract.ORDER_STATUSES:
        raise ValueError(
            f"the mapping file {source}: cancelled_status must be one of {', '.join(contract.ORDER_STATUSES)}"
        )
    values = doc.get("values", {})
    vals = tuple((str(k), tuple((str(a), str(b)) for a, b in v.items())) for k, v in values.items())
    table = doc.get("table")
    if table is not None:
        target(str(table))
    return Mapping(str(table) if table else None, tuple((str(k), v) for k, v in cols.items()), opts, vals)


def load_mapping(path: str | Path) -> Mapping:
    p = Path(path)
    try:
        return parse_mapping(p.read_text(encoding="utf-8"), p.name)
    except OSError as exc:
        raise ValueError(f"the mapping file {p} cannot be read: {exc.strerror}") from None


# -- problems ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    reason: str  # i18n key under import.reason.<reason>
    values: tuple[tuple[str, Any], ...] = ()
    row: int | None = None
    column: str | None = None  # the target column

    def sentence(self, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
        values = dict(self.values)
        if "minimum" in values:  # a code: "positive" or "non_negative", said in the reader's language
            values["minimum"] = i18n.t(f"import.minimum.{values['minimum']}", lang)
        return i18n.t(f"import.reason.{self.reason}", lang, **values)


def _problem(reason: str, row: int | None = None, column: str | None = None, /, **values: Any) -> Problem:
    return Problem(reason, tuple(values.items()), row, column)


@dataclass
class ImportReport:
    file_name: str
    table: str
    mode: str
    file_format: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    headers: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    rows_rejected: int = 0
    file_problems: list[Problem] = field(default_factory=list)
    row_problems: list[Problem] = field(default_factory=list)  # a sample per reason and column
    reason_counts: list[tuple[str, str, int]] = field(default_factory=list)  # (reason, column, rows)
    skip_invalid_rows: bool = False
    accepted: bool = False
    loaded: bool = False
    seconds: float = 0.0
    rows_written: dict[str, int] = field(default_factory=dict)
    preview: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows_accepted(self) -> int:
        return self.rows_read - self.rows_rejected if self.accepted else 0

    def sentences(self, lang: str = i18n.DEFAULT_LANGUAGE) -> list[str]:
        return [p.sentence(lang) for p in (*self.file_problems, *self.row_problems)]

    def summary_lines(self, lang: str = i18n.DEFAULT_LANGUAGE) -> list[str]:
        return [
            i18n.t("import.summary_line", lang, rows=f"{n:,}", reason=i18n.t(f"import.short.{r}", lang), column=c)
            for r, c, n in self.reason_counts
        ]


# -- reading ----------------------------------------------------------------------------------
@dataclass
class Source:
    headers: list[str]
    rows: int
    file_format: str
    encoding: str | None = None
    delimiter: str | None = None
    header_rows: int = 1  # row numbers as a spreadsheet shows them: the header is row 1


def detect_encoding(path: Path) -> tuple[str, int | None]:
    """'utf-8' (BOM or not) if the whole file decodes strictly as UTF-8, else 'gb18030' (a
    superset of GBK) if that decodes, else ('', offset of the first byte neither can read).
    Streams the file in 1 MB chunks."""
    for enc in ("utf-8", "gb18030"):
        dec = codecs.getincrementaldecoder(enc)("strict")
        offset = 0
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(_CHUNK):
                    dec.decode(chunk)
                    offset += len(chunk)
                dec.decode(b"", final=True)
            return enc, None
        except UnicodeDecodeError as exc:
            bad = offset + exc.start
    return "", bad


def _transcode(path: Path, encoding: str, out: Path) -> None:
    """Re-encode a text file to UTF-8 in 1 MB chunks (never the whole file in memory)."""
    dec = codecs.getincrementaldecoder(encoding)("strict")
    with open(path, "rb") as src, open(out, "wb") as dst:
        while chunk := src.read(_CHUNK):
            dst.write(dec.decode(chunk).encode("utf-8"))
        dst.write(dec.decode(b"", final=True).encode("utf-8"))


def _sniff_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in ",;\t|"}
        return max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","


def _create_src(con: duckdb.DuckDBPyConnection, n: int) -> None:
    con.execute("drop table if exists _src")
    cols = ", ".join(f"c{i} varchar" for i in range(n))
    con.execute(f"create temp table _src ({cols})")


def _header_problems(name: str, headers: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, h in enumerate(headers, start=1):
        if not str(h).strip():
            problems.append(_problem("empty_header", file=name, index=i))
        elif h.strip() in seen:
            problems.append(_problem("duplicate_header", file=name, column=h.strip()))
        seen.add(str(h).strip())
    return problems


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, name: str, options: Options, work: Path) -> Source:
    if path.stat().st_size == 0:
        raise ImportError_([_problem("empty_file", file=name)])
    encoding = options.encoding
    if encoding is None:
        encoding, bad = detect_encoding(path)
        if not encoding:
            raise ImportError_([_problem("bad_encoding", file=name, offset=bad)])
    text_path = path
    if encoding.replace("_", "-").lower() not in ("utf-8", "utf8", "utf-8-sig"):
        text_path = work / "transcoded.csv"
        try:
            _transcode(path, encoding, text_path)
        except (UnicodeDecodeError, LookupError):
            raise ImportError_([_problem("bad_encoding", file=name, offset=0)]) from None
    with open(text_path, encoding="utf-8-sig", newline="") as fh:
        sample = fh.read(_SNIFF_BYTES)
    if not sample.strip():
        raise ImportError_([_problem("empty_file", file=name)])
    delimiter = options.delimiter or _sniff_delimiter(sample)
    header = next(csv.reader(io.StringIO(sample), delimiter=delimiter))
    headers = [h.strip() for h in header]
    problems = _header_problems(name, headers)
    if problems:
        raise ImportError_(problems)
    _create_src(con, len(headers))
    columns = {f"c{i}": "VARCHAR" for i in range(len(headers))}
    try:
        con.execute(
            "insert into _src select * from read_csv($path, delim = $delim, header = false, skip = 1, "
            "columns = $columns, auto_detect = false, quote = '\"', escape = '\"', strict_mode = true, "
            "encoding = 'utf-8', buffer_size = 8388608)",
            {"path": str(text_path), "delim": delimiter, "columns": columns},
        )
    except duckdb.Error as exc:
        raise ImportError_([_csv_error(name, str(exc), len(headers))]) from None
    rows = int(_one(con, "select count(*) from _src"))
    if rows == 0:
        raise ImportError_([_problem("header_only", file=name)])
    return Source(headers, rows, "csv", "gb18030" if text_path != path else "utf-8", delimiter)


def _csv_error(name: str, message: str, n_columns: int) -> Problem:
    line = re.search(r"Line: (\d+)", message)
    found = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message)
    if line and found and int(found.group(2)) < n_columns:
        return _problem(
            "too_few_fields", file=name, line=int(line.group(1)), expected=n_columns, found=int(found.group(2))
        )
    if line and found:
        return _problem(
            "too_many_fields", file=name, line=int(line.group(1)), expected=n_columns, found=int(found.group(2))
        )
    if line and "Expected Number of Columns" in message:
        return _problem("too_few_fields", file=name, line=int(line.group(1)), expected=n_columns, found="?")
    if line and "quote" in message.lower():
        return _problem("bad_quote", file=name, line=int(line.group(1)))
    first = message.splitlines()[0] if message else ""
    return _problem("unreadable_csv", file=name, line=int(line.group(1)) if line else "?", detail=first[:200])


def _read_parquet(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> Source:
    try:
        described = con.execute("describe select * from read_parquet($path)", {"path": str(path)}).fetchall()
    except duckdb.Error as exc:
        raise ImportError_([_problem("bad_parquet", file=name, detail=str(exc).splitlines()[0][:200])]) from None
    headers = [str(r[0]) for r in described]
    problems = _header_problems(name, headers)
    if problems:
        raise ImportError_(problems)
    _create_src(con, len(headers))
    # by position: the file's column names never enter SQL
    con.execute("insert into _src select cast(columns(*) as varchar) from read_parquet($path)", {"path": str(path)})
    rows = int(_one(con, "select count(*) from _src"))
    if rows == 0:
        raise ImportError_([_problem("header_only", file=name)])
    return Source(headers, rows, "parquet", header_rows=0)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def excel_sheets(path: Path) -> list[str]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [ws.title for ws in wb.worksheets]
    finally:
        wb.close()


def _read_xlsx(con: duckdb.DuckDBPyConnection, path: Path, name: str, options: Options, work: Path) -> Source:
    """openpyxl read-only (streaming) rows -> a temporary UTF-8 CSV -> DuckDB's reader."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise ImportError_([_problem("not_excel", file=name, detail=str(exc)[:200] or type(exc).__name__)]) from None
    except Exception as exc:  # zipfile.BadZipFile and friends
        raise ImportError_([_problem("not_excel", file=name, detail=type(exc).__name__)]) from None
    try:
        sheets = [ws.title for ws in wb.worksheets]
        if options.sheet is not None:
            if options.sheet not in sheets:
                raise ImportError_([_problem("no_sheet", file=name, sheet=options.sheet, sheets=", ".join(sheets))])
            ws = wb[options.sheet]
        else:
            with_data = [s for s in sheets if _sheet_has_data(wb[s])]
            if len(with_data) > 1:
                raise ImportError_([_problem("several_sheets", file=name, sheets=", ".join(with_data))])
            ws = wb[with_data[0]] if with_data else wb.worksheets[0]
        if _has_merged_cells(path, getattr(ws, "_worksheet_path", None)):
            raise ImportError_([_problem("merged_cells", file=name, sheet=ws.title)])
        out = work / "sheet.csv"
        rows_iter = ws.iter_rows(values_only=True)
        header_row = next(rows_iter, None)
        if header_row is None or all(v is None for v in header_row):
            raise ImportError_([_problem("empty_file", file=name)])
        width = max(i for i, v in enumerate(header_row) if v is not None) + 1
        headers = [_cell(v).strip() for v in header_row[:width]]
        problems = _header_problems(name, headers)
        if problems:
            raise ImportError_(problems)
        n = 0
        with open(out, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(headers)
            for row in rows_iter:
                cells = [_cell(v) for v in row]
                if not any(cells):
                    continue
                if any(cells[width:]):
                    raise ImportError_(
                        [_problem("too_many_fields", file=name, line=n + 2, expected=width, found=len(cells))]
                    )
                w.writerow((cells + [""] * width)[:width])
                n += 1
    finally:
        wb.close()
    if n == 0:
        raise ImportError_([_problem("header_only", file=name)])
    src = _read_csv(con, out, name, replace(options, encoding="utf-8", delimiter=","), work)
    return replace(src, file_format="xlsx", encoding=None, delimiter=None)


def _has_merged_cells(path: Path, sheet_xml: str | None) -> bool:
    """Whether the sheet declares merged cells. openpyxl's streaming reader does not expose
    them (it shows the value in the first cell and empties in the rest), so read the sheet's
    XML in chunks and look for its <mergeCell> elements."""
    import zipfile

    if not sheet_xml:
        return False
    tail = b""
    with zipfile.ZipFile(path) as zf, zf.open(sheet_xml) as fh:
        while chunk := fh.read(_CHUNK):
            if b"<mergeCell " in tail + chunk:
                return True
            tail = chunk[-16:]
    return False


def _sheet_has_data(ws: Any) -> bool:
    return any(any(v is not None for v in row) for row in ws.iter_rows(values_only=True, max_row=5))


def read_source(con: duckdb.DuckDBPyConnection, path: Path, name: str, options: Options, work: Path) -> Source:
    """Stream the file into temp table _src (text columns c0..cN, rowid = row order)."""
    fmt = FORMATS.get(path.suffix.lower()) or FORMATS.get(Path(name).suffix.lower())
    if fmt is None:
        raise ImportError_([_problem("unknown_format", file=name)])
    if not path.exists():
        raise ImportError_([_problem("no_file", file=name)])
    if fmt == "parquet":
        return _read_parquet(con, path, name)
    if fmt == "xlsx":
        return _read_xlsx(con, path, name, options, work)
    return _read_csv(con, path, name, options, work)


# -- typing and checks ------------------------------------------------------------------------
_TIME_FORMATS = [
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
]
_TRUE = ["true", "t", "yes", "y", "1", "是", "对", "真"]
_FALSE = ["false", "f", "no", "n", "0", "否", "错", "假"]


def _typed_sql(f: Field, raw: str, i: int, custom_dates: bool) -> tuple[str, str | None]:
    """SQL casting text expression `raw` to the field's type (NULL when it cannot), and the
    name of the type problem. `raw` is built from generated names only."""
    if f.sql_type in ("BIGINT", "INTEGER"):
        num = f"try_cast(replace({raw}, ',', '') as decimal(38, 6))"
        return f"case when {num} = trunc({num}) then try_cast({num} as {f.sql_type}) end", "bad_integer"
    if f.sql_type.startswith("DECIMAL"):
        cleaned = f"regexp_replace({raw}, '[¥￥$£€,\\s]|RMB|CNY|GBP|USD|EUR|元', '', 'g')"
        return f"try_cast({cleaned} as decimal(18, 4))", "bad_number"
    if f.sql_type in ("TIMESTAMP", "DATE"):
        if custom_dates:
            ts = f"try_strptime({raw}, $date_formats)"
        else:
            ts = f"coalesce(try_cast({raw} as timestamp), try_strptime({raw}, $time_formats))"
        return (f"cast({ts} as date)" if f.sql_type == "DATE" else ts), "bad_date"
    if f.sql_type == "BOOLEAN":
        return (
            f"case when list_contains($true_words, lower({raw})) then true "
            f"when list_contains($false_words, lower({raw})) then false end",
            "bad_boolean",
        )
    if f.allowed is not None:
        return f"lower({raw})", None
    return raw, None


@dataclass
class _Plan:
    t: Target
    mapping: dict[str, str]  # target -> header
    index: dict[str, int]  # target -> source column index
    params: dict[str, Any]


def _plan(t: Target, source: Source, mapping: Mapping, name: str) -> tuple[_Plan, list[Problem]]:
    problems: list[Problem] = []
    chosen = mapping.column_map()
    for tgt in chosen:
        if tgt not in t.field_names:
            problems.append(_problem("unknown_target", field=tgt, table=t.name, expected=", ".join(t.field_names)))
    guessed = guess_mapping(t.name, source.headers)
    columns = {k: v for k, v in guessed.items() if k not in chosen} | {k: v for k, v in chosen.items() if v}
    index: dict[str, int] = {}
    for tgt, header in columns.items():
        if tgt not in t.field_names:
            continue
        if header not in source.headers:
            problems.append(_problem("header_not_found", file=name, column=header, field=tgt))
            continue
        index[tgt] = source.headers.index(header)
    for f in t.fields:
        if f.required and f.name not in index:
            problems.append(
                _problem(
                    "missing_column",
                    file=name,
                    field=f.name,
                    table=t.name,
                    headers=", ".join(f"“{h}”" for h in source.headers[:12])
                    + (" …" if len(source.headers) > 12 else ""),
                )
            )
    params: dict[str, Any] = {
        "time_formats": _TIME_FORMATS,
        "date_formats": list(mapping.options.date_format) or _TIME_FORMATS,
        "true_words": _TRUE,
        "false_words": _FALSE,
        "today": date.today(),
        "custom_dates": bool(mapping.options.date_format),
    }
    return _Plan(t, {k: v for k, v in columns.items() if k in index}, index, params), problems


def _build_typed(con: duckdb.DuckDBPyConnection, plan: _Plan, mapping: Mapping, source: Source) -> None:
    """temp table _typed: _row, _cancelled, then per mapped field <name>_raw (text) and <name>
    (typed, NULL where the text cannot be cast)."""
    custom_dates = bool(mapping.options.date_format)
    prefix = mapping.options.cancelled_prefix if "order_id" in plan.index else None
    if prefix:
        plan.params["cancel_prefix"] = prefix
        cancelled = f"coalesce(starts_with(nullif(trim(c{plan.index['order_id']}), ''), $cancel_prefix), false)"
    else:
        cancelled = "false"
    parts = ["_row", "_cancelled"]
    for f in plan.t.fields:
        if f.name not in plan.index:
            continue
        i = plan.index[f.name]
        raw = f"nullif(trim(c{i}), '')"
        vmap = mapping.value_map(f.name)
        if vmap:
            plan.params[f"vm_from_{i}"] = [k.strip().lower() for k in vmap]
            plan.params[f"vm_to_{i}"] = list(vmap.values())
            raw = f"coalesce($vm_to_{i}[list_position($vm_from_{i}, lower({raw}))], {raw})"
        if f.name == "order_id" and prefix:
            raw = f"case when _cancelled then substr({raw}, length($cancel_prefix) + 1) else {raw} end"
        typed, _ = _typed_sql(f, raw, i, custom_dates)
        if f.name == "quantity" and prefix:
            typed = f"case when _cancelled then abs({typed}) else {typed} end"
        parts.append(f"nullif(trim(c{i}), '') as {f.name}_raw")
        parts.append(f"{typed} as {f.name}")
    sql = (
        f"create temp table _typed as select {', '.join(parts)} from ("
        f"select *, rowid + 1 as _row, {cancelled} as _cancelled from _src) as s"
    )
    con.execute("drop table if exists _typed")
    con.execute(sql, db.bind(sql, plan.params))


def _check_sql(plan: _Plan, mode: str, existing: dict[str, int], skip: bool) -> list[tuple[str, str]]:
    """(sql, description) inserting into _problems(_row, col, reason, value, other)."""
    t = plan.t
    out: list[tuple[str, str]] = []
    for f in t.fields:
        if f.name not in plan.index:
            continue
        col, raw = f.name, f"{f.name}_raw"
        _, type_reason = _typed_sql(f, "x", 0, False)
        if f.required or f.default_note == "generated":  # a mapped id column may not have gaps
            out.append((f"select _row, '{col}', 'missing_value', null, null from _typed where {raw} is null", col))
        if type_reason:
            out.append(
                (
                    f"select _row, '{col}', '{type_reason}', {raw}, null from _typed "
                    f"where {raw} is not null and {col} is null",
                    col,
                )
            )
        if f.allowed is not None:
            plan.params[f"allowed_{col}"] = list(f.allowed)
            out.append(
                (
                    f"select _row, '{col}', 'not_allowed', {raw}, null from _typed "
                    f"where {col} is not null and not list_contains($allowed_{col}, {col})",
                    col,
                )
            )
        if f.minimum is not None:
            out.append((f"select _row, '{col}', 'negative_value', {raw}, null from _typed where {col} < 0", col))
            if f.minimum == "positive":
                out.append((f"select _row, '{col}', 'zero_value', {raw}, null from _typed where {col} = 0", col))
        if f.not_future:
            out.append(
                (
                    f"select _row, '{col}', 'future_date', {raw}, null from _typed where cast({col} as date) > $today",
                    col,
                )
            )
    # duplicate keys within the file
    key = [k for k in t.key if k in plan.index]
    if key and len(key) == len(t.key):
        cols = ", ".join(key)
        first = key[0]
        out.append(
            (
                f"select _row, '{first}', 'duplicate_key', {first}_raw, first_row from ("
                f"select _row, {first}_raw, min(_row) over (partition by {cols}) as first_row from _typed "
                f"where {' and '.join(f'{k} is not null' for k in key)}) where _row > first_row",
                first,
            )
        )
    # keys already loaded (append)
    written = t.writes[0]
    if mode == "append" and existing.get(written, 0) > 0:
        tkey = contract.table(written).key
        if t.name == "order_lines":
            out.append(
                (
                    "select _row, 'order_id', 'existing_key', order_id_raw, null from _typed "
                    "where order_id in (select order_id from orders)",
                    "order_id",
                )
            )
        elif all(k in plan.index for k in tkey):
            cond = " and ".join(f"main_t.{k} = _typed.{k}" for k in tkey)
            out.append(
                (
                    f"select _row, '{tkey[0]}', 'existing_key', {tkey[0]}_raw, null from _typed "
                    f"where exists (select 1 from {written} as main_t where {cond})",
                    tkey[0],
                )
            )
    # orphans: checked when the parent table holds rows (after this load)
    for (child, ccol), (parent, pcol) in FOREIGN_KEYS.items():
        if child != t.name or ccol not in plan.index:
            continue
        if parent in t.writes:
            continue
        if existing.get(parent, 0) == 0:
            continue
        out.append(
            (
                f"select _row, '{ccol}', 'orphan_key', {ccol}_raw, null from _typed where {ccol} is not null "
                f"and {ccol} not in (select {pcol} from {parent} where {pcol} is not null)",
                ccol,
            )
        )
    # an order's lines must agree on customer, time and status
    if t.name == "order_lines":
        status = (
            "coalesce(status, case when _cancelled then $cancelled_status else 'completed' end)"
            if "status" in plan.index
            else "_cancelled"
        )
        out.append(
            (
                "select _row, 'order_id', 'order_conflict', order_id_raw, null from _typed where order_id in ("
                f"select order_id from _typed where order_id is not null group by order_id having "
                f"count(distinct customer_id) > 1 or count(distinct {status}) > 1)",
                "order_id",
            )
        )
    return out


def _order_status_sql(mapping: Mapping, plan: _Plan) -> str:
    plan.params["cancelled_status"] = mapping.options.cancelled_status
    if "status" in plan.index:
        return "coalesce(status, case when _cancelled then $cancelled_status else 'completed' end)"
    return "case when _cancelled then $cancelled_status else 'completed' end"


def _validate_on(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    name: str,
    table: str,
    mapping: Mapping,
    mode: str,
    work: Path,
    progress: Progress,
    problems_out: Path | None = None,
) -> tuple[ImportReport, _Plan | None]:
    report = ImportReport(name, table, mode, skip_invalid_rows=mapping.options.skip_invalid_rows)
    t = target(table)
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    progress(0.02, "read")
    try:
        source = read_source(con, path, name, mapping.options, work)
    except ImportError_ as exc:
        report.file_problems = exc.problems
        return report, None
    report.file_format, report.encoding, report.delimiter = source.file_format, source.encoding, source.delimiter
    report.headers, report.rows_read = source.headers, source.rows
    plan, problems = _plan(t, source, mapping, name)
    report.mapping = dict(plan.mapping)
    if problems:
        report.file_problems = problems
        return report, None
    progress(0.15, "validate")
    _build_typed(con, plan, mapping, source)
    names = db.table_names(con)
    existing = {
        n: (0 if mode == "replace" and n in t.writes else int(_one(con, f"select count(*) from {n}")))
        for n in contract.RAW_TABLE_NAMES
        if n in names
    }
    if t.name == "order_lines":
        plan.params["cancelled_status"] = mapping.options.cancelled_status
    con.execute("drop table if exists _problems")
    con.execute("create temp table _problems (_row bigint, col varchar, reason varchar, value varchar, other bigint)")
    for sql, _col in _check_sql(plan, mode, existing, mapping.options.skip_invalid_rows):
        con.execute(f"insert into _problems {sql}", db.bind(sql, plan.params))
    if mode == "replace":
        report.file_problems.extend(_replace_orphans(con, t, plan, existing))
    counts = con.execute(
        "select reason, col, count(distinct _row) as n, min(_row) as first_row from _problems "
        "group by reason, col order by first_row, reason, col"
    ).fetchall()
    report.reason_counts = [(str(r), str(c), int(n)) for r, c, n, _ in counts]
    report.rows_rejected = int(_one(con, "select count(distinct _row) from _problems"))
    offset = source.header_rows
    sample = con.execute(
        "select _row, col, reason, value, other from ("
        "select *, row_number() over (partition by reason, col order by _row) as k from _problems) "
        "where k <= $n order by _row, col, reason",
        {"n": SAMPLE_PER_REASON},
    ).fetchall()
    report.row_problems = [
        _row_problem(name, t, plan, int(r) + offset, str(c), str(reason), value, None if o is None else int(o) + offset)
        for r, c, reason, value, o in sample
    ]
    report.preview = _preview(con, plan)
    if problems_out is not None:
        _write_problems(con, plan, offset, problems_out)
    ok_rows = report.rows_read - report.rows_rejected
    if not report.file_problems and report.rows_rejected and mapping.options.skip_invalid_rows and ok_rows == 0:
        report.file_problems.append(_problem("nothing_to_load", file=name))
    report.accepted = not report.file_problems and (report.rows_rejected == 0 or mapping.options.skip_invalid_rows)
    return report, plan


def _replace_orphans(con: duckdb.DuckDBPyConnection, t: Target, plan: _Plan, existing: dict[str, int]) -> list[Problem]:
    """Replacing a parent table must not strand rows of other tables that point into it."""
    out: list[Problem] = []
    for (child, ccol), (parent, pcol) in FOREIGN_KEYS.items():
        if parent not in t.writes or child == "order_lines" or child in t.writes or existing.get(child, 0) == 0:
            continue
        if parent == "orders" and t.name == "order_lines":
            new_keys = "select order_id from _typed"
        elif pcol in plan.index:
            new_keys = f"select {pcol} from _typed"
        else:
            continue
        n = int(
            _one(
                con,
                f"select count(*) from {child} where {ccol} is not null "
                f"and {ccol} not in ({new_keys} where {pcol} is not null)",
            )
        )
        if n:
            out.append(_problem("replace_orphans", table=parent, child=child, count=f"{n:,}", field=ccol))
    return out


def _row_problem(
    name: str, t: Target, plan: _Plan, row: int, col: str, reason: str, value: Any, other: int | None
) -> Problem:
    f = t.field(col)
    values: dict[str, Any] = {
        "file": name,
        "row": f"{row:,}",
        "column": plan.mapping.get(col, col),
        "field": col,
        "value": "" if value is None else str(value)[:80],
    }
    if reason == "not_allowed":
        values["expected"] = ", ".join(f.allowed or ())
    if reason == "duplicate_key":
        values["other"] = f"{other:,}" if other is not None else "?"
        values["key_columns"] = " + ".join(t.key)
    if reason == "existing_key":
        values["table"] = t.writes[0]
    if reason == "orphan_key":
        values["parent"] = FOREIGN_KEYS[(t.name, col)][0]
    if reason == "future_date":
        values["today"] = date.today().isoformat()
    if reason == "negative_value":
        values["minimum"] = f.minimum
    if reason == "bad_date":
        values["formats"] = (
            ", ".join(plan.params["date_formats"][:3])
            if plan.params["custom_dates"]
            else "2024-03-01 14:30, 2024/03/01"
        )
    return _problem(reason, row, col, **values)


def _write_problems(con: duckdb.DuckDBPyConnection, plan: _Plan, offset: int, out: Path) -> None:
    """Every rejected cell, streamed to a CSV (UTF-8 with BOM, for Excel)."""
    cur = con.execute("select _row, col, reason, value from _problems order by _row, col, reason")
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["row", "source_column", "target_column", "reason", "value"])
        while batch := cur.fetchmany(10_000):
            for row, col, reason, value in batch:
                w.writerow([int(row) + offset, plan.mapping.get(col, col), col, reason, value])


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> Any:
    """One value, on this very connection: temp tables are per connection, so a cursor (which
    db.scalar uses) would not see them."""
    row = con.execute(sql, db.bind(sql, params or {})).fetchone()
    return None if row is None else row[0]


def _preview(con: duckdb.DuckDBPyConnection, plan: _Plan, limit: int = 10) -> list[dict[str, Any]]:
    cols = [f.name for f in plan.t.fields if f.name in plan.index]
    if not cols:
        return []
    sql = f"select {', '.join(cols)} from _typed order by _row limit $n"
    cur = con.execute(sql, {"n": limit})
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# -- loading ----------------------------------------------------------------------------------
def _insert(con: duckdb.DuckDBPyConnection, plan: _Plan, mapping: Mapping, mode: str) -> dict[str, int]:
    t = plan.t
    good = "_row not in (select _row from _problems)"
    written: dict[str, int] = {}
    if mode == "replace":
        for name in t.writes:
            con.execute(f"delete from {name}")
    if t.name == "order_lines":
        status = _order_status_sql(mapping, plan)
        channel = "sales_channel" if "sales_channel" in plan.index else "cast(null as varchar)"
        product = (
            "coalesce(try_cast(product_id as bigint), cast('0x' || left(md5(product_id), 15) as bigint), 0)"
            if "product_id" in plan.index
            else "0"
        )
        line_no = (
            "line_number"
            if "line_number" in plan.index
            else "cast(row_number() over (partition by order_id order by _row) as integer)"
        )
        lines_sql = (
            f"select _row, order_id, customer_id, ordered_at, {status} as status, {channel} as sales_channel, "
            f"{product} as product_id, {line_no} as line_number, quantity, "
            "cast(unit_price as decimal(12, 4)) as unit_price, "
            f"cast(round(quantity * unit_price, 2) as decimal(12, 2)) as line_amount from _typed where {good}"
        )
        con.execute("drop table if exists _lines")
        con.execute(f"create temp table _lines as {lines_sql}", db.bind(lines_sql, plan.params))
        con.execute(
            "insert into orders (order_id, customer_id, ordered_at, status, amount, discount, sales_channel) "
            "select order_id, min(customer_id), min(ordered_at), min(status), sum(line_amount), 0, min(sales_channel) "
            "from _lines group by order_id order by min(_row)"
        )
        con.execute(
            "insert into order_items (order_id, line_number, product_id, quantity, unit_price, line_amount) "
            "select order_id, line_number, product_id, quantity, unit_price, line_amount from _lines order by _row"
        )
        written["orders"] = int(_one(con, "select count(distinct order_id) from _lines"))
        written["order_items"] = int(_one(con, "select count(*) from _lines"))
        con.execute("drop table _lines")
        return written
    decl = contract.table(t.name)
    cols: list[str] = []
    exprs: list[str] = []
    params = dict(plan.params)
    for c in decl.columns:
        if c.name in plan.index:
            expr = c.name
            if t.name == "orders" and c.name == "status" and mapping.options.cancelled_prefix:
                expr = _order_status_sql(mapping, plan)
                params = dict(plan.params)
        elif (t.name, c.name) == ("orders", "order_id"):
            expr = "cast((select coalesce(max(order_id), 0) from orders) + row_number() over (order by _row) as bigint)"
        elif (t.name, c.name) == ("orders", "status"):
            expr = _order_status_sql(mapping, plan)
            params = dict(plan.params)
        elif (t.name, c.name) == ("orders", "discount"):
            expr = "0"
        else:
            continue
        cols.append(c.name)
        exprs.append(f"cast({expr} as {c.sql_type})")
    sql = f"insert into {t.name} ({', '.join(cols)}) select {', '.join(exprs)} from _typed where {good} order by _row"
    con.execute(sql, db.bind(sql, params))
    written[t.name] = int(_one(con, "select count(*) from _typed where _row not in (select _row from _problems)"))
    return written


class _Rejected(Exception):
    """Validation said no: leave the copy unswapped."""


def _ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    names = db.table_names(con)
    for t in contract.RAW_TABLES:
        if t.name not in names:
            con.execute(contract.create_table_sql(t))


@contextmanager
def _workdir() -> Iterator[Path]:
    d = Path(tempfile.mkdtemp(prefix="crm-import-"))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _no_progress(fraction: float, step: str) -> None:
    return None


def _setup(con: duckdb.DuckDBPyConnection, work: Path, memory_limit: str | None) -> None:
    con.execute("set temp_directory = $dir", {"dir": str(work / "spill")})
    con.execute("set enable_progress_bar = false")
    if memory_limit:
        con.execute("set memory_limit = $limit", {"limit": memory_limit})
        con.execute("set preserve_insertion_order = true")


def validate(
    db_path: str | Path,
    table: str,
    file: str | Path,
    mapping: Mapping | None = None,
    mode: str = "append",
    file_name: str | None = None,
    progress: Progress = _no_progress,
) -> ImportReport:
    """Check a file against the database as it is, without changing anything (for the preview)."""
    mapping = mapping or Mapping()
    path, name = Path(file), file_name or Path(file).name
    t0 = time.perf_counter()
    with _workdir() as work:
        dbp = Path(db_path)
        if dbp.exists():
            con = duckdb.connect(str(dbp), read_only=True)
        else:
            con = duckdb.connect()
            _ensure_raw_tables(con)
        try:
            cur = con.cursor()  # temp tables are per connection; the serving connection stays clean
            try:
                report, _ = _validate_on(cur, path, name, table, mapping, mode, work, progress)
            finally:
                cur.close()
        finally:
            con.close()
    report.seconds = time.perf_counter() - t0
    progress(1.0, "done")
    return report


def run_import(
    db_path: str | Path,
    table: str,
    file: str | Path,
    mapping: Mapping | None = None,
    mode: str = "append",
    file_name: str | None = None,
    progress: Progress = _no_progress,
    memory_limit: str | None = None,
    state_path: str | Path | None = None,
    user: str | None = None,
    score: bool = True,
    problems_out: Path | None = None,
) -> ImportReport:
    """Validate and load on a copy of the database, rebuild its marts, swap it in. The report
    says whether it was accepted; a rejected or failed import leaves the file byte-identical.
    Each attempt is written to the import log in the state store."""
    from crm_core import store
    from crm_core.config import default_state_path

    mapping = mapping or Mapping()
    path, name = Path(file), file_name or Path(file).name
    dbp = Path(db_path)
    started = datetime.now()
    t0 = time.perf_counter()
    report = ImportReport(name, table, mode)
    if not dbp.exists():
        # a new database: the contract's empty tables, then the import fills them
        dbp.parent.mkdir(parents=True, exist_ok=True)
        fresh = duckdb.connect(str(dbp))
        try:
            _ensure_raw_tables(fresh)
        finally:
            fresh.close()

    outcome: dict[str, ImportReport] = {}

    def work(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
        _setup(con, folder, memory_limit)
        _ensure_raw_tables(con)
        checked, plan = _validate_on(
            con, path, name, table, mapping, mode, folder, lambda f, s: progress(f * 0.4, s), problems_out
        )
        outcome["report"] = checked
        if not checked.accepted or plan is None:
            raise _Rejected
        progress(0.4, "load")
        checked.rows_written = _insert(con, plan, mapping, mode)
        for tmp in ("_problems", "_typed", "_src"):
            con.execute(f"drop table if exists {tmp}")
        # the same rebuild (marts, then lifetime-value scoring) as `python -m crm_core build`
        build.rebuild_into(con, None, lambda f, s: progress(0.45 + 0.55 * f, s), score)

    try:
        with _workdir() as folder:
            build.atomic_update(dbp, lambda con: work(con, folder))
        report = outcome["report"]
        report.loaded = True
    except _Rejected:
        report = outcome["report"]
    except Exception as exc:  # any failure: the file is untouched (atomic_update), say why
        report = outcome.get("report", report)
        report.accepted = False
        report.file_problems.append(_problem("load_failed", file=name, detail=str(exc).splitlines()[0][:300]))
    report.seconds = time.perf_counter() - t0
    progress(1.0, "done")
    if report.loaded and mapping.options.currency:
        store.set_setting(
            Path(state_path) if state_path else default_state_path(dbp), "currency", mapping.options.currency
        )
    store.log_import(
        Path(state_path) if state_path else default_state_path(dbp),
        store.ImportLogEntry(
            started_at=started.isoformat(timespec="seconds"),
            finished_at=datetime.now().isoformat(timespec="seconds"),
            table_name=table,
            mode=mode,
            file_name=name,
            file_sha256=_sha256(path),
            rows_read=report.rows_read,
            rows_accepted=report.rows_accepted if report.loaded else 0,
            rows_rejected=report.rows_rejected if report.rows_read else 0,
            status="accepted" if report.loaded else "rejected",
            summary=json.dumps(
                {"reasons": report.reason_counts, "file_problems": [p.sentence("en") for p in report.file_problems]},
                ensure_ascii=False,
            ),
            user=user,
        ),
    )
    return report


def _sha256(path: Path) -> str | None:
    if not path.exists():
        return None
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def default_user() -> str | None:
    """Who ran the import, until the app has logins: the OS user for the CLI."""
    try:
        return os.getlogin()
    except OSError:
        return os.environ.get("USER")


@dataclass
class Peek:
    """The first rows of a file as text, for the mapping screen."""

    headers: list[str]
    rows: list[list[str | None]]
    rows_read: int
    file_format: str
    encoding: str | None
    delimiter: str | None
    sheets: list[str]
    problems: list[Problem]


def peek(path: str | Path, file_name: str, options: Options | None = None, n: int = 8) -> Peek:
    """Read a file as an import would (same readers), return its headers and first rows."""
    options = options or Options()
    p = Path(path)
    sheets: list[str] = []
    if FORMATS.get(Path(file_name).suffix.lower()) == "xlsx":
        try:
            sheets = excel_sheets(p)
        except Exception:  # reported by read_source below
            sheets = []
    with _workdir() as work:
        con = duckdb.connect()
        try:
            try:
                src = read_source(con, p, file_name, options, work)
            except ImportError_ as exc:
                return Peek([], [], 0, "", None, None, sheets, exc.problems)
            rows = con.execute("select * from _src order by rowid limit $n", {"n": n}).fetchall()
        finally:
            con.close()
    return Peek(
        src.headers, [list(r) for r in rows], src.rows, src.file_format, src.encoding, src.delimiter, sheets, []
    )


def describe_field(table: str, name: str, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """A target column's meaning, from the contract (or the order-lines declaration)."""
    if table in contract.RAW_TABLE_NAMES:
        for c in contract.table(table).columns:
            if c.name == name:
                return c.zh if lang == "zh" else c.en
    return i18n.t(f"import.field.{name}", lang)


def describe_table(table: str, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    if table in contract.RAW_TABLE_NAMES:
        t = contract.table(table)
        return t.zh if lang == "zh" else t.en
    return i18n.t(f"import.table.{table}", lang)
