"""Import: every bad file is rejected with its sentence and changes nothing; good files in every
format load alike; orders alone are enough; the real Online Retail data gives the standard
figures; readers in another process never see half a load."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from crm_core import build, db, importer, store
from crm_core.config import default_state_path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "import_corpus"
UCI = ROOT.parent / "shared" / "datasets" / "uci_online_retail_2010_2011.parquet"
if not UCI.exists():  # a worktree beside main: ../shared is one level further up
    UCI = Path("/work/shared/datasets/uci_online_retail_2010_2011.parquet")
UCI_MAPPING = ROOT / "sample_data" / "mappings" / "uci_online_retail.toml"

# file -> (table, mode, the sentence it must produce, or a part of it)
BAD: dict[str, tuple[str, str, str]] = {
    "malformed_extra_field.csv": (
        "orders",
        "append",
        "malformed_extra_field.csv, line 3: expected 7 fields as in the header, found 8",
    ),
    "malformed_too_few_fields.csv": (
        "orders",
        "append",
        "malformed_too_few_fields.csv, line 3: expected 7 fields as in the header, found 5",
    ),
    "malformed_unclosed_quote.csv": ("orders", "append", "line 3: a quoted value is not closed"),
    "missing_amount_column.csv": ("orders", "append", "has no column for amount, which orders requires"),
    "wrong_type_amount.csv": (
        "orders",
        "append",
        "wrong_type_amount.csv, row 3, column “amount”: “abc” is not a number",
    ),
    "wrong_type_customer_id.csv": ("orders", "append", "row 2, column “customer_id”: “C-17” is not a whole number"),
    "fractional_customer_id.csv": ("orders", "append", "“10000001.5” is not a whole number"),
    "bad_date.csv": ("orders", "append", "row 2, column “ordered_at”: “2024-13-45” is not a date"),
    "negative_amount.csv": ("orders", "append", "-20.00 is negative; amount must be greater than zero"),
    "zero_amount.csv": ("orders", "append", "column “amount”: the value is zero; amount must be greater than zero"),
    "negative_discount.csv": ("orders", "append", "-1 is negative; discount must be zero or more"),
    "future_date.csv": ("orders", "append", "2099-01-01 00:00:00 is in the future"),
    "status_not_allowed.csv": (
        "orders",
        "append",
        "“done” is not an allowed status; expected one of: completed, cancelled, returned",
    ),
    "duplicate_order_ids.csv": ("orders", "append", "row 3, column “order_id”: order_id 900000101 repeats row 2"),
    "existing_order_id.csv": ("orders", "append", "order_id 100000001 is already loaded in orders"),
    "orphan_customer.csv": ("orders", "append", "customer_id 99999999 is not in customers"),
    "missing_required_value.csv": (
        "orders",
        "append",
        "row 2, column “customer_id”: the value is empty, but customer_id is required",
    ),
    "empty.csv": ("orders", "append", "empty.csv is empty: expected a header row and at least one data row."),
    "header_only.csv": ("orders", "append", "header_only.csv has a header but no data rows."),
    "header_only.xlsx": ("orders", "append", "header_only.xlsx has a header but no data rows."),
    "empty_header_cell.csv": ("orders", "append", "column 7: the header cell is empty"),
    "duplicate_header.csv": ("orders", "append", "the header names “amount” twice"),
    "injection_in_values.csv": ("orders", "append", "“1; drop table orders; --” is not a whole number"),
    "injection_in_status.csv": ("orders", "append", "“completed'); drop table customers; --” is not an allowed status"),
    "injection_in_header.csv": ("orders", "append", "has no column for amount, which orders requires"),
    "unknown_format.json": ("orders", "append", "expected a .csv, .txt, .tsv, .parquet or .xlsx file"),
    "semicolon_bad_channel.csv": ("orders", "append", "“store” is not an allowed sales_channel"),
    "tab_bad_amount.tsv": ("orders", "append", "“12,34,5x” is not a number"),
    "undecodable.csv": ("orders", "append", "is neither UTF-8 nor GBK/GB18030 text"),
    "bom_bad_status.csv": ("orders", "append", "row 2, column “status”: “paid” is not an allowed status"),
    "gbk_orphan_customer.csv": ("orders", "append", "row 2, column “客户ID”: customer_id 88888888 is not in customers"),
    "not_a_workbook.xlsx": ("orders", "append", "cannot be opened as an Excel workbook"),
    "corrupt.parquet": ("orders", "append", "corrupt.parquet cannot be read as Parquet"),
    "several_sheets.xlsx": ("orders", "append", "has data on several sheets (2024, 2025)"),
    "merged_cells.xlsx": ("orders", "append", "sheet orders: merged cells"),
    "xlsx_bad_date.xlsx": ("orders", "append", "row 2, column “ordered_at”: “yesterday” is not a date"),
    "parquet_wrong_types.parquet": ("orders", "append", "row 1, column “amount”: “12,5x” is not a number"),
    "customers_bad_consent.csv": ("customers", "append", "“maybe” is not yes or no"),
    "customers_bad_region.csv": ("customers", "append", "“mars” is not an allowed region"),
    "customers_replace_strands_orders.csv": (
        "customers",
        "replace",
        "Replacing customers would leave 20,625 rows of orders whose customer_id is no longer in customers",
    ),
    "order_items_orphan_order.csv": ("order_items", "append", "order_id 123 is not in orders"),
    "campaign_sends_orphan_campaign.csv": ("campaign_sends", "append", "campaign_id 999 is not in campaigns"),
    "order_lines_conflict.csv": ("order_lines", "append", "the lines of order 900000201 disagree on the customer"),
    "order_lines_negative_quantity.csv": (
        "order_lines",
        "append",
        "-3 is negative; quantity must be greater than zero",
    ),
}
GOOD = sorted((CORPUS / "good").iterdir())


def every_table_checksum(path: Path) -> dict[str, str]:
    """An order-independent fingerprint of every table in the file (raw, marts, build_info)."""
    c = db.connect(path)
    try:
        names = sorted(db.table_names(c))
        return {
            t: str(db.scalar(c, f"select bit_xor(hash(x)) || ':' || count(*) from (select * from {t}) as x"))
            for t in names
        }
    finally:
        c.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_corpus_has_at_least_30_bad_files_and_each_is_expected() -> None:
    files = sorted(p.name for p in (CORPUS / "bad").iterdir())
    assert len(files) >= 30
    assert set(files) == set(BAD)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_is_rejected_with_its_sentence_and_changes_nothing(name: str, s_db_copy: Path) -> None:
    table, mode, sentence = BAD[name]
    before, tables_before = digest(s_db_copy), every_table_checksum(s_db_copy)
    report = importer.run_import(s_db_copy, table, CORPUS / "bad" / name, mode=mode)
    assert not report.loaded and not report.accepted
    sentences = report.sentences("en")
    assert any(sentence in s for s in sentences), sentences
    assert all(s.strip() and "{" not in s for s in report.sentences("zh"))  # translated, placeholders filled
    assert digest(s_db_copy) == before
    assert every_table_checksum(s_db_copy) == tables_before
    assert not list(s_db_copy.parent.glob(".*.tmp"))
    log = store.import_log(default_state_path(s_db_copy))
    assert log[0]["file_name"] == name and log[0]["status"] == "rejected" and log[0]["rows_accepted"] == 0


def test_cli_rejects_with_sentence_summary_and_nonzero_exit(s_db_copy: Path) -> None:
    before = digest(s_db_copy)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "crm_core",
            "import",
            "--db",
            str(s_db_copy),
            "--table",
            "orders",
            "--file",
            str(CORPUS / "bad" / "negative_amount.csv"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert (
        "negative_amount.csv, row 2, column “amount”: -20.00 is negative; amount must be greater than zero."
        in out.stderr
    )
    assert "1 rows: negative (amount)" in out.stderr
    assert "nothing was loaded" in out.stderr
    assert digest(s_db_copy) == before


def test_sentences_name_file_row_column_and_expectation_in_chinese(s_db: Path) -> None:
    report = importer.validate(s_db, "orders", CORPUS / "bad" / "gbk_orphan_customer.csv")
    assert report.sentences("zh") == [
        "gbk_orphan_customer.csv，第 2 行，列“客户ID”：customer_id 88888888 不在 customers 中；"
        "请先导入该 customers 记录或更正编号。"
    ]


def good_orders(path: Path) -> list[tuple[object, ...]]:
    c = db.connect(path)
    try:
        return c.execute("select * from orders where order_id >= 900000000 order by order_id").fetchall()
    finally:
        c.close()


def test_good_files_in_every_format_load_alike(s_db: Path, tmp_path: Path) -> None:
    assert {p.suffix for p in GOOD} == {".csv", ".tsv", ".parquet", ".xlsx"}
    results = {}
    for good in GOOD:
        target = tmp_path / f"{good.stem}.duckdb"
        shutil.copyfile(s_db, target)
        report = importer.run_import(target, "orders", good, score=False)
        assert report.loaded, (good.name, report.sentences())
        assert report.rows_written == {"orders": 5}
        results[good.name] = good_orders(target)
    first = results["orders_utf8.csv"]
    assert all(rows == first for rows in results.values()), results
    assert [r[0] for r in first] == [900000001 + i for i in range(5)]
    assert [r[3] for r in first] == ["completed", "completed", "returned", "cancelled", "completed"]
    assert first[4][6] == "web" and first[3][6] is None  # an empty optional cell stays empty


def test_an_accepted_load_rebuilds_the_marts_and_is_logged(s_db_copy: Path, s_db: Path) -> None:
    c = db.connect(s_db)
    revenue_before = float(db.scalar(c, "select sum(amount) from order_facts where is_completed"))
    c.close()
    report = importer.run_import(s_db_copy, "orders", CORPUS / "good" / "orders_gbk.csv", user="analyst", score=False)
    assert report.loaded and report.encoding == "gb18030" and report.mapping["customer_id"] == "客户ID"
    c = db.connect(s_db_copy)
    try:
        revenue_after = float(db.scalar(c, "select sum(amount) from order_facts where is_completed"))
        assert db.scalar(c, "select count(*) from order_facts where order_id between 900000001 and 900000005") == 5
    finally:
        c.close()
    assert revenue_after - revenue_before == pytest.approx(128.50 + 66.00 + 999.99, abs=0.001)
    entry = store.import_log(default_state_path(s_db_copy))[0]
    assert (entry["status"], entry["rows_read"], entry["rows_accepted"], entry["user"]) == ("accepted", 5, 5, "analyst")


def test_guesses_from_english_and_chinese_headers() -> None:
    headers = ["订单号", "客户ID", "下单时间", "金额", "数量", "单价", "手机", "邮箱", "城市", "Unrelated"]
    assert importer.guess_mapping("orders", headers) == {
        "order_id": "订单号",
        "customer_id": "客户ID",
        "ordered_at": "下单时间",
        "amount": "金额",
    }
    assert importer.guess_mapping("order_lines", headers)["unit_price"] == "单价"
    assert importer.guess_mapping("order_lines", headers)["quantity"] == "数量"
    customers = importer.guess_mapping("customers", ["Customer ID", "Name", "手机", "邮箱", "城市", "注册时间"])
    assert customers == {
        "customer_id": "Customer ID",
        "name": "Name",
        "signed_up_at": "注册时间",
        "city": "城市",
        "email": "邮箱",
        "phone": "手机",
    }


def test_a_mapping_file_overrides_guesses_and_bad_ones_say_why(tmp_path: Path) -> None:
    m = importer.parse_mapping('[columns]\namount = "Paid"\n[options]\ndate_format = "%d/%m/%Y"\ncurrency = "£"\n')
    assert m.column_map() == {"amount": "Paid"} and m.options.date_format == ("%d/%m/%Y",)
    with pytest.raises(ValueError, match="unknown options"):
        importer.parse_mapping("[options]\nfrobnicate = 1\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        importer.parse_mapping("[columns\n")
    with pytest.raises(ValueError, match="unknown table"):
        importer.parse_mapping('table = "orders; drop table x"\n')


def write_orders_csv(
    path: Path, rows: int, customers: int, bad_last_row: bool = False, seed: int = 7, first_customer: int = 1
) -> None:
    """A generated orders file (streamed by DuckDB, never held in Python)."""
    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(
            "copy (select 500000000 + i as order_id, $first + (hash(i + $seed) % $customers) as customer_id, "
            "timestamp '2024-01-01' + to_minutes(cast(hash(i * 7 + $seed) % 800000 as bigint)) as ordered_at, "
            "case when hash(i) % 20 = 0 then 'returned' else 'completed' end as status, "
            "case when $bad and i = $rows - 1 then '-1.00' "
            "else cast(cast(5 + hash(i * 13) % 50000 / 100.0 as decimal(12, 2)) as varchar) end as amount, "
            "'0' as discount from range($rows) as t(i)) to '" + str(path) + "' (header, delimiter ',')",
            {"rows": rows, "customers": customers, "bad": bad_last_row, "seed": seed, "first": first_customer},
        )
    finally:
        con.close()


def test_orders_alone_are_enough(tmp_path: Path) -> None:
    """A new database from one orders file: customers are derived, and segments, lifecycle
    (without cognition) and cohorts come out."""
    src = tmp_path / "orders.csv"
    write_orders_csv(src, 6000, 500)
    target = tmp_path / "orders_only.duckdb"
    report = importer.run_import(target, "orders", src)
    assert report.loaded, report.sentences()
    c = db.connect(target)
    try:
        stats = build.stats(c)
        assert stats["customers"] == 500 and stats["customers_derived_from_orders"] is True
        assert db.scalar(c, "select count(*) from customer_rfm") > 0
        assert db.scalar(c, "select count(*) from customer_monthly_activity") > 0
        # lifetime value is scored on the import's copy, from the orders alone
        assert db.scalar(c, "select count(*) from customer_clv") == 500
        stages = {r[0] for r in c.execute("select distinct stage from lifecycle_monthly").fetchall()}
        assert {"exploration", "commitment", "dissolution"} <= stages
        # first touch = first order: only a customer whose first orders were all returned is
        # ever "known without a completed order" (cognition)
        assert (
            db.scalar(
                c,
                "select count(*) from lifecycle_monthly as l join customer_features as f using (customer_id) "
                "where l.stage = 'cognition' and l.month_end >= cast(f.first_ordered_at as date)",
            )
            == 0
        )
        # each derived customer's first touch is the first order
        assert (
            db.scalar(
                c,
                "select count(*) from stg_customers as s join (select customer_id, min(ordered_at) as first_at "
                "from orders group by customer_id) as o using (customer_id) where s.signed_up_at <> o.first_at",
            )
            == 0
        )
    finally:
        c.close()


def test_order_lines_with_cancellations_fill_orders_and_items(tmp_path: Path) -> None:
    src = tmp_path / "lines.csv"
    src.write_text(
        textwrap.dedent(
            """\
            Invoice,Customer,InvoiceDate,Quantity,UnitPrice,StockCode
            1001,7,2024-05-01 10:00,2,1.25,85123A
            1001,7,2024-05-01 10:00,1,0.001,PADS
            C1002,7,2024-05-02 11:00,-3,2.00,85123A
            1003,,2024-05-03 12:00,1,5.00,X
            """
        ),
        encoding="utf-8",
    )
    mapping = importer.parse_mapping(
        textwrap.dedent(
            """\
            [columns]
            order_id = "Invoice"
            customer_id = "Customer"
            product_id = "StockCode"
            [options]
            cancelled_prefix = "C"
            skip_invalid_rows = true
            """
        )
    )
    target = tmp_path / "lines.duckdb"
    report = importer.run_import(target, "order_lines", src, mapping, score=False)
    assert report.loaded and report.rows_rejected == 1
    assert report.reason_counts == [("missing_value", "customer_id", 1)]
    c = db.connect(target)
    try:
        orders = c.execute("select order_id, customer_id, status, amount from orders order by order_id").fetchall()
        items = c.execute("select order_id, line_number, quantity, unit_price, line_amount from order_items").fetchall()
    finally:
        c.close()
    assert [(o[0], o[1], o[2], float(o[3])) for o in orders] == [
        (1001, 7, "completed", 2.5),
        (1002, 7, "returned", 6.0),
    ]
    assert sorted((i[0], i[1], i[2], float(i[3]), float(i[4])) for i in items) == [
        (1001, 1, 2, 1.25, 2.5),
        (1001, 2, 1, 0.001, 0.0),
        (1002, 1, 3, 2.0, 6.0),
    ]


@pytest.mark.skipif(not UCI.exists(), reason="the shared Online Retail dataset is not on this machine")
def test_online_retail_gives_the_standard_clean_figures(tmp_path: Path) -> None:
    target = tmp_path / "retail.duckdb"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "crm_core",
            "import",
            "--db",
            str(target),
            "--table",
            "order_lines",
            "--file",
            str(UCI),
            "--mapping",
            str(UCI_MAPPING),
            "--report",
            str(tmp_path / "rejected.csv"),
            "--no-score",  # scoring after an import is tested in test_orders_alone_are_enough
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "135,080 rows: required value missing (customer_id)" in out.stderr
    stats = json.loads(
        subprocess.run(
            [sys.executable, "-m", "crm_core", "stats", "--db", str(target)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert stats["completed_order_lines"] == 397_884
    assert stats["customers_with_completed_orders"] == 4_338
    assert f"{stats['revenue']:.2f}" == "8911407.90"
    assert stats["first_ordered_at"] == "2010-12-01 08:26:00" and stats["last_ordered_at"] == "2011-12-09 12:50:00"
    # a second, independent count straight from the file (the standard cleaning)
    c = duckdb.connect()
    lines, customers, revenue = c.execute(
        "select count(*), count(distinct CustomerID), round(sum(Quantity * UnitPrice), 2) from read_parquet($p) "
        "where CustomerID is not null and not starts_with(InvoiceNo, 'C') and Quantity > 0 and UnitPrice > 0",
        {"p": str(UCI)},
    ).fetchone()
    assert (lines, customers, revenue) == (397_884, 4_338, 8911407.90)
    # the cancelled invoices became returns
    t = db.connect(target)
    try:
        assert db.scalar(t, "select count(*) from orders where status = 'returned'") == 3_654 - 0
    finally:
        t.close()
    rejected = (tmp_path / "rejected.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rejected[0] == "row,source_column,target_column,reason,value"
    assert sum(1 for ln in rejected if ",CustomerID,customer_id,missing_value," in ln) == 135_080
    assert store.get_setting(default_state_path(target), "currency") == "£"


def test_a_file_far_larger_than_the_memory_limit_is_checked_to_its_last_row(tmp_path: Path, s_db_copy: Path) -> None:
    """About 145 MB of CSV with DuckDB held to 64 MB: read and checked in a stream (spilling to
    disk); the one bad row at the very end is found, and nothing changes. (A 231 MB file of
    4M rows takes about 45 s the same way.)"""
    big = tmp_path / "big_orders.csv"
    rows = 2_500_000
    write_orders_csv(big, rows, 2000, bad_last_row=True, first_customer=10000001)  # the demo's customers
    assert big.stat().st_size > 2 * 64 * 1024 * 1024
    before = digest(s_db_copy)
    mapping = importer.Mapping()
    report = importer.run_import(s_db_copy, "orders", big, mapping, memory_limit="64MB")
    assert not report.loaded and report.rows_read == rows
    assert (
        f"big_orders.csv, row {rows + 1:,}, column “amount”: -1.00 is negative; amount must be greater than zero."
        in report.sentences()
    )
    assert digest(s_db_copy) == before


READER = textwrap.dedent(
    """\
    import sys, time, duckdb
    path, out, stop = sys.argv[1], sys.argv[2], sys.argv[3]
    import os
    seen = []
    errors = []
    while not os.path.exists(stop):
        try:
            con = duckdb.connect(path, read_only=True)
            raw, mart = con.execute(
                "select (select count(*) from orders), (select count(*) from order_facts)"
            ).fetchone()
            con.close()
            seen.append([raw, mart])
        except Exception as exc:
            errors.append(repr(exc))
        time.sleep(0.01)
    import json
    open(out, "w").write(json.dumps({"seen": seen, "errors": errors}))
    """
)


def test_readers_in_another_process_never_see_half_a_load(s_db_copy: Path, tmp_path: Path) -> None:
    src = tmp_path / "more_orders.csv"
    write_orders_csv(src, 20_000, 2000, first_customer=10000001)  # the demo's customers
    c = db.connect(s_db_copy)
    before = tuple(c.execute("select (select count(*) from orders), (select count(*) from order_facts)").fetchone())
    c.close()
    out, stop = tmp_path / "seen.json", tmp_path / "stop"
    script = tmp_path / "reader.py"
    script.write_text(READER, encoding="utf-8")
    reader = subprocess.Popen([sys.executable, str(script), str(s_db_copy), str(out), str(stop)])
    try:
        time.sleep(0.5)
        report = importer.run_import(s_db_copy, "orders", src, score=False)
        assert report.loaded, report.sentences()
        time.sleep(0.5)
    finally:
        stop.touch()
        reader.wait(timeout=30)
    result = json.loads(out.read_text())
    after = (before[0] + 20_000, before[1] + 20_000)
    seen = {tuple(s) for s in result["seen"]}
    assert result["errors"] == []
    assert seen == {before, after}, seen  # the old or the new file, never a mix
    assert result["seen"].index(list(after)) > 0


def test_a_second_writer_waits_for_the_first(s_db_copy: Path, tmp_path: Path) -> None:
    """Two imports at once: the lock serialises them, so neither load is lost."""
    import threading

    files = []
    for k in range(2):
        f = tmp_path / f"o{k}.csv"
        f.write_text(
            f"order_id,customer_id,ordered_at,amount\n{910000000 + k},10000001,2025-01-0{k + 1} 10:00:00,1{k}.00\n",
            encoding="utf-8",
        )
        files.append(f)
    reports: list[importer.ImportReport] = []
    threads = [
        threading.Thread(target=lambda f=f: reports.append(importer.run_import(s_db_copy, "orders", f, score=False)))
        for f in files
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.loaded for r in reports)
    c = db.connect(s_db_copy)
    try:
        assert db.scalar(c, "select count(*) from orders where order_id in (910000000, 910000001)") == 2
    finally:
        c.close()


def test_replace_mode_replaces_a_table(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    write_orders_csv(first, 300, 50, seed=1)
    write_orders_csv(second, 100, 20, seed=2)
    target = tmp_path / "r.duckdb"
    assert importer.run_import(target, "orders", first, score=False).loaded
    assert not importer.run_import(target, "orders", second, score=False).loaded  # same ids: already loaded
    assert importer.run_import(target, "orders", second, mode="replace", score=False).loaded
    c = db.connect(target)
    try:
        assert db.scalar(c, "select count(*) from orders") == 100
        assert db.scalar(c, "select count(*) from customer_features") == 20
    finally:
        c.close()


def test_no_temporary_files_are_left_behind(s_db_copy: Path) -> None:
    importer.run_import(s_db_copy, "orders", CORPUS / "good" / "orders_utf8.csv", score=False)
    importer.run_import(s_db_copy, "orders", CORPUS / "bad" / "bad_date.csv")
    leftovers = [p.name for p in s_db_copy.parent.iterdir() if p.name.startswith(".") and p.suffix == ".tmp"]
    assert leftovers == []
    assert os.path.exists(default_state_path(s_db_copy))


def test_cli_refuses_a_mapping_meant_for_another_table(
    s_db_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crm_core.__main__ import main

    mapping = tmp_path / "m.toml"
    mapping.write_text('table = "customers"\n', encoding="utf-8")
    before = digest(s_db_copy)
    args = ["import", "--db", str(s_db_copy), "--table", "orders", "--file", str(CORPUS / "good" / "orders_utf8.csv")]
    assert main([*args, "--mapping", str(mapping)]) == 2
    assert "is for table customers, not orders" in capsys.readouterr().err
    assert digest(s_db_copy) == before
