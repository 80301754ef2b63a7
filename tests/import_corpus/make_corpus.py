"""Write the import test corpus: bad files (each must be rejected with its sentence) and good
files (the same five orders in every format and encoding, which must load alike).

    .venv/bin/python -m tests.import_corpus.make_corpus

The files are committed; this script documents how each was made and re-creates them. The
file far larger than memory allows is not committed: tests/test_import.py generates it.
Ids fit the scale-S demo (customers 10000001-10002000, orders from 100000001, products
1001-1225, campaigns 1-48).
"""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import openpyxl

HERE = Path(__file__).resolve().parent
BAD = HERE / "bad"
GOOD = HERE / "good"

# The good orders, with Chinese headers (guessed without a mapping file).
GOOD_HEADER = ["订单号", "客户ID", "下单时间", "订单状态", "实付金额", "优惠金额", "下单渠道"]
GOOD_ROWS = [
    ["900000001", "10000001", "2025-03-01 10:15:00", "completed", "128.50", "10.00", "web"],
    ["900000002", "10000002", "2025-03-02 11:00:00", "completed", "66.00", "0", "app"],
    ["900000003", "10000003", "2025-03-03 12:30:00", "returned", "305.20", "5.50", "mini_program"],
    ["900000004", "10000001", "2025-03-04 09:05:00", "cancelled", "12.00", "0", ""],
    ["900000005", "10000004", "2025-03-05 20:45:00", "completed", "999.99", "100.00", "web"],
]
ORDERS_HEADER = ["order_id", "customer_id", "ordered_at", "status", "amount", "discount", "sales_channel"]
OK = ["900000101", "10000001", "2025-04-01 10:00:00", "completed", "50.00", "0", "web"]


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    return "\n".join(delimiter.join(r) for r in [header, *rows]) + "\n"


def orders_csv(*rows: list[str], header: list[str] | None = None) -> str:
    return csv_text(header or ORDERS_HEADER, list(rows))


def row(**changes: str) -> list[str]:
    out = dict(zip(ORDERS_HEADER, OK, strict=True))
    out.update(changes)
    return [out[c] for c in ORDERS_HEADER]


def xlsx(path: Path, sheets: dict[str, list[list[object]]], merge: str | None = None) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        if merge:
            ws.merge_cells(merge)
    wb.save(path)


def parquet(path: Path, sql: str) -> None:
    con = duckdb.connect()
    con.execute(f"copy ({sql}) to '{path}' (format parquet)")  # corpus maker only: literal SQL
    con.close()


def write_bad() -> None:
    BAD.mkdir(parents=True, exist_ok=True)
    w = {}
    w["malformed_extra_field.csv"] = orders_csv(row(), [*row(order_id="900000102"), "surplus"])
    w["malformed_too_few_fields.csv"] = orders_csv(row(), row(order_id="900000102")[:5])
    w["malformed_unclosed_quote.csv"] = orders_csv(row(), row(order_id="900000102", status='"completed'))
    w["missing_amount_column.csv"] = csv_text([c for c in ORDERS_HEADER if c != "amount"], [row()[:4] + row()[5:]])
    w["wrong_type_amount.csv"] = orders_csv(row(), row(order_id="900000102", amount="abc"))
    w["wrong_type_customer_id.csv"] = orders_csv(row(customer_id="C-17"))
    w["fractional_customer_id.csv"] = orders_csv(row(customer_id="10000001.5"))
    w["bad_date.csv"] = orders_csv(row(ordered_at="2024-13-45"))
    w["negative_amount.csv"] = orders_csv(row(amount="-20.00"))
    w["zero_amount.csv"] = orders_csv(row(amount="0"))
    w["negative_discount.csv"] = orders_csv(row(discount="-1"))
    w["future_date.csv"] = orders_csv(row(ordered_at="2099-01-01 00:00:00"))
    w["status_not_allowed.csv"] = orders_csv(row(status="done"))
    w["duplicate_order_ids.csv"] = orders_csv(row(), row(amount="60.00"))
    w["existing_order_id.csv"] = orders_csv(row(order_id="100000001"))
    w["orphan_customer.csv"] = orders_csv(row(customer_id="99999999"))
    w["missing_required_value.csv"] = orders_csv(row(customer_id=""))
    w["header_only.csv"] = ",".join(ORDERS_HEADER) + "\n"
    w["empty_header_cell.csv"] = csv_text([*ORDERS_HEADER[:-1], ""], [row()])
    w["duplicate_header.csv"] = csv_text([*ORDERS_HEADER[:-1], "amount"], [row()])
    w["injection_in_values.csv"] = orders_csv(row(customer_id="1; drop table orders; --"))
    w["injection_in_status.csv"] = orders_csv(row(status="completed'); drop table customers; --"))
    w["injection_in_header.csv"] = csv_text(
        [c if c != "amount" else 'amount"; drop table orders; --' for c in ORDERS_HEADER], [row()]
    )
    w["unknown_format.json"] = '{"order_id": 1}\n'
    w["semicolon_bad_channel.csv"] = csv_text(ORDERS_HEADER, [row(sales_channel="store")], ";")
    w["tab_bad_amount.tsv"] = csv_text(ORDERS_HEADER, [row(amount="12,34,5x")], "\t")
    w["customers_bad_consent.csv"] = csv_text(
        ["customer_id", "name", "signed_up_at", "email_consent"], [["20000001", "Li Lei", "2025-01-01", "maybe"]]
    )
    w["customers_bad_region.csv"] = csv_text(
        ["customer_id", "name", "signed_up_at", "region"], [["20000001", "Li Lei", "2025-01-01", "mars"]]
    )
    w["customers_replace_strands_orders.csv"] = csv_text(
        ["customer_id", "name", "signed_up_at"], [["10000001", "Li Lei", "2025-01-01"]]
    )
    w["order_items_orphan_order.csv"] = csv_text(
        ["order_id", "line_number", "product_id", "quantity", "unit_price", "line_amount"],
        [["123", "1", "1001", "1", "9.90", "9.90"]],
    )
    w["campaign_sends_orphan_campaign.csv"] = csv_text(
        ["campaign_id", "customer_id", "assigned_at", "is_holdout"], [["999", "10000001", "2025-01-01", "false"]]
    )
    w["order_lines_conflict.csv"] = csv_text(
        ["order_id", "customer_id", "ordered_at", "quantity", "unit_price"],
        [["900000201", "10000001", "2025-04-01", "1", "9.90"], ["900000201", "10000002", "2025-04-01", "2", "5.00"]],
    )
    w["order_lines_negative_quantity.csv"] = csv_text(
        ["order_id", "customer_id", "ordered_at", "quantity", "unit_price"],
        [["900000202", "10000001", "2025-04-01", "-3", "9.90"]],
    )
    for name, text in w.items():
        (BAD / name).write_text(text, encoding="utf-8")
    (BAD / "empty.csv").write_bytes(b"")
    # not UTF-8, not GB18030 either: bytes that no text encoding here accepts
    (BAD / "undecodable.csv").write_bytes(orders_csv(row()).encode("utf-8") + b"\x80\xff\xfe\x81\x30\n")
    # BOM, then a bad status
    (BAD / "bom_bad_status.csv").write_bytes(b"\xef\xbb\xbf" + orders_csv(row(status="paid")).encode("utf-8"))
    # GBK with Chinese headers: an orphan customer (the sentence names the Chinese header)
    gbk = csv_text(GOOD_HEADER, [["900000301", "88888888", "2025-03-01 10:15:00", "completed", "12.00", "0", "web"]])
    (BAD / "gbk_orphan_customer.csv").write_bytes(gbk.encode("gbk"))
    (BAD / "not_a_workbook.xlsx").write_text("this is not a zip file\n", encoding="utf-8")
    (BAD / "corrupt.parquet").write_bytes(b"PAR1" + b"\x00" * 64)
    xlsx(
        BAD / "several_sheets.xlsx",
        {"2024": [ORDERS_HEADER, row()], "2025": [ORDERS_HEADER, row(order_id="900000102")]},
    )
    xlsx(BAD / "merged_cells.xlsx", {"orders": [ORDERS_HEADER, row(), row(order_id="900000102")]}, merge="A2:A3")
    xlsx(BAD / "header_only.xlsx", {"orders": [ORDERS_HEADER]})
    xlsx(BAD / "xlsx_bad_date.xlsx", {"orders": [ORDERS_HEADER, row(ordered_at="yesterday")]})
    parquet(
        BAD / "parquet_wrong_types.parquet",
        "select 900000101 as order_id, 10000001 as customer_id, timestamp '2025-04-01 10:00' as ordered_at, "
        "'completed' as status, '12,5x' as amount, 0 as discount",
    )


def write_good() -> None:
    GOOD.mkdir(parents=True, exist_ok=True)
    text = csv_text(GOOD_HEADER, GOOD_ROWS)
    (GOOD / "orders_utf8.csv").write_text(text, encoding="utf-8")
    (GOOD / "orders_bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (GOOD / "orders_gbk.csv").write_bytes(text.encode("gbk"))
    (GOOD / "orders_semicolon.csv").write_text(csv_text(GOOD_HEADER, GOOD_ROWS, ";"), encoding="utf-8")
    (GOOD / "orders_tab.tsv").write_text(csv_text(GOOD_HEADER, GOOD_ROWS, "\t"), encoding="utf-8")
    rows: list[list[object]] = [GOOD_HEADER, *GOOD_ROWS]
    xlsx(GOOD / "orders.xlsx", {"订单": rows})
    con = duckdb.connect()
    buf = io.StringIO(text)
    del buf
    con.execute(
        "create table t as select * from read_csv($p, all_varchar = true, header = true)",
        {"p": str(GOOD / "orders_utf8.csv")},
    )
    con.execute(f"copy t to '{GOOD / 'orders.parquet'}' (format parquet)")
    con.close()


if __name__ == "__main__":
    write_bad()
    write_good()
    print(f"{len(list(BAD.iterdir()))} bad files, {len(list(GOOD.iterdir()))} good files")
