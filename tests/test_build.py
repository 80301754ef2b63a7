"""The build is idempotent, atomic, and reports what it built."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from crm_core import build, db
from tests.test_generator import table_checksums

MART_QUERY = "select bit_xor(hash(x)) || ':' || count(*) from (select * from {name}) as x"


def mart_checksums(path: Path) -> dict[str, str]:
    c = db.connect(path)
    try:
        return {name: str(db.scalar(c, MART_QUERY.format(name=name))) for name in build.MARTS}
    finally:
        c.close()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_build_is_idempotent(s_db_copy: Path) -> None:
    first = mart_checksums(s_db_copy)
    build.build(s_db_copy, score=False)
    assert mart_checksums(s_db_copy) == first


def test_as_of_moves_the_marts(s_db_copy: Path) -> None:
    report = build.build(s_db_copy, as_of=date(2025, 6, 30), score=False)
    assert report.as_of == date(2025, 6, 30)
    c = db.connect(s_db_copy)
    try:
        assert db.scalar(c, "select max(ordered_on)::varchar from order_facts") <= "2025-06-30"
        assert db.scalar(c, "select max(date_day)::varchar from calendar") == "2025-06-30"
        assert db.scalar(c, "select max(signed_up_on)::varchar from customer_features") <= "2025-06-30"
    finally:
        c.close()


def test_failed_build_changes_nothing(s_db_copy: Path) -> None:
    c = db.connect(s_db_copy, read_only=False)
    c.execute("drop table reviews")
    c.close()
    before = file_digest(s_db_copy)
    with pytest.raises(build.BuildError, match="no raw table reviews"):
        build.build(s_db_copy)
    assert file_digest(s_db_copy) == before
    assert not list(s_db_copy.parent.glob(".*.tmp"))


def test_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(build.BuildError, match="does not exist"):
        build.build(tmp_path / "nope.duckdb")


def test_raw_tables_are_untouched_by_build(s_db_copy: Path) -> None:
    before = table_checksums(s_db_copy)
    build.build(s_db_copy, score=False)
    assert table_checksums(s_db_copy) == before


def test_reader_keeps_old_generation_until_reopened(s_db_copy: Path) -> None:
    """A reader open during a build keeps reading the old file; a reopen sees the new one."""
    reader = db.connect(s_db_copy)
    gen_before = db.generation(s_db_copy)
    build.build(s_db_copy, as_of=date(2024, 12, 31), score=False)
    assert db.scalar(reader, "select max(as_of_date)::varchar from build_info") == "2026-11-15"
    reader.close()
    assert db.generation(s_db_copy) != gen_before
    fresh = db.connect(s_db_copy)
    assert db.scalar(fresh, "select max(as_of_date)::varchar from build_info") == "2024-12-31"
    fresh.close()


def test_cli_build_and_stats(s_db_copy: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "crm_core", "build", "--db", str(s_db_copy), "--no-score"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    out = subprocess.run(
        [sys.executable, "-m", "crm_core", "stats", "--db", str(s_db_copy)], cwd=root, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    stats = json.loads(out.stdout)
    c = db.connect(s_db_copy)
    try:
        direct = db.run(c, "select count(*) as n, sum(amount) as revenue from orders where status = 'completed'").iloc[
            0
        ]
        assert stats["completed_orders"] == direct["n"]
        assert stats["revenue"] == pytest.approx(float(direct["revenue"]), abs=0.01)
        assert stats["rows"]["customers"] == 2000
        assert stats["built_as_of"] == "2026-11-15"
    finally:
        c.close()
    bad = subprocess.run(
        [sys.executable, "-m", "crm_core", "build", "--db", str(s_db_copy), "--as-of", "15/11/2026"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "expected a date as YYYY-MM-DD" in bad.stderr


def test_stored_data_health_equals_the_checks_run_now(con: duckdb.DuckDBPyConnection) -> None:
    """The build keeps the data-health checks (they scan every raw row); what the page reads
    equals the same checks run on the raw tables now."""
    from crm_core import contract, health

    stored = health.table_health(con)
    fresh = health.compute_table_health(con)
    assert "data_health_tables" in db.table_names(con)
    pd.testing.assert_frame_equal(stored.drop(columns="days_since_last"), fresh, check_dtype=False)
    for t in contract.RAW_TABLES:
        pd.testing.assert_frame_equal(
            health.null_rates(con, t.name), health.compute_null_rates(con, t.name), check_dtype=False
        )


def test_the_serving_connection_caps_duckdb_memory(s_db: Path) -> None:
    from crm_core import config

    assert config.load_settings({}).memory_limit == "1GB"
    assert config.load_settings({"CRM_MEMORY_LIMIT": "512MB"}).memory_limit == "512MB"
    with pytest.raises(ValueError, match="CRM_MEMORY_LIMIT must be an amount like 1GB"):
        config.load_settings({"CRM_MEMORY_LIMIT": "1GB'; drop table orders"})
    con = db.connect(s_db, memory_limit="512MB")
    try:
        assert db.scalar(con, "select current_setting('memory_limit')") == "488.2 MiB"
    finally:
        con.close()


def test_enum_columns_hold_the_contract_values_and_come_back_as_text(con: duckdb.DuckDBPyConnection) -> None:
    from crm_core import contract

    # the types are the contract's allowed values, in its order (an enum sorts by that order)
    for name, values in build.ENUM_TYPES.items():
        assert tuple(db.run(con, "select unnest(enum_range(null::" + name + ")) as v")["v"]) == values
    assert set(build.ENUM_TYPES.values()) >= {contract.TIERS, contract.SALES_CHANNELS, contract.DEVICES}
    kinds = db.run(
        con, "select column_name, data_type from information_schema.columns where table_name = 'cart_sessions'"
    )
    assert kinds.set_index("column_name").loc[["channel", "device"], "data_type"].str.startswith("ENUM").all()
    # a query's enum column is text in pandas like any other (not a category), nulls stay missing
    df = db.run(con, "select channel, cast(null as device_t) as none, 'x' as text from cart_sessions limit 3")
    assert df["channel"].dtype == df["text"].dtype == "str"
    assert set(df["channel"]) <= set(contract.SALES_CHANNELS)
    assert df["none"].isna().all()
    tiers = db.run(con, "select distinct membership_tier from membership_tier_spells")
    assert tiers["membership_tier"].dtype == "str"
