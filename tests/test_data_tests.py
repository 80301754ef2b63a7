"""Data tests: each tests/data_tests/*.sql returns the bad rows; zero rows is a pass."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from crm_core import db

DATA_TESTS = sorted((Path(__file__).parent / "data_tests").glob("*.sql"))


@pytest.mark.parametrize("sql_file", DATA_TESTS, ids=[p.stem for p in DATA_TESTS])
def test_returns_no_bad_rows(con: duckdb.DuckDBPyConnection, sql_file: Path) -> None:
    bad = db.run(con, sql_file.read_text(encoding="utf-8"))
    assert bad.empty, f"{sql_file.name} found {len(bad)} bad rows:\n{bad.head(10).to_string()}"


def test_a_data_test_can_fail(s_db_copy: Path) -> None:
    """Plant one bad row of each kind the tests look for and see them caught."""
    c = db.connect(s_db_copy, read_only=False)
    try:
        c.execute("insert into orders select * replace (amount - 1e6 as amount) from orders limit 1")
        c.execute(
            "update campaign_sends set sent_at = assigned_at where is_holdout and customer_id = "
            "(select min(customer_id) from campaign_sends where is_holdout)"
        )
        for name in ("grain_unique_orders", "amounts_not_negative", "holdout_never_contacted"):
            sql = (Path(__file__).parent / "data_tests" / f"{name}.sql").read_text(encoding="utf-8")
            assert not db.run(c, sql).empty, name
    finally:
        c.close()
