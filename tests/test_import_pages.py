"""Data import and Data health pages through the real router, in both languages: upload, the
guessed mapping, validation, acceptance (and rejection, which changes nothing), the log."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from crm_core import db, importer, store
from crm_core.config import default_state_path

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
CORPUS = ROOT / "tests" / "import_corpus"


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def no_scoring(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's load runs the real import; lifetime-value scoring is tested elsewhere and
    takes a minute here."""
    real = importer.run_import

    def run_import(*args: object, **kwargs: object) -> importer.ImportReport:
        kwargs["score"] = False
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "run_import", run_import)


def open_page(db_path: Path, page: str, lang: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("CRM_DB", str(db_path))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, path: Path) -> AppTest:
    at.file_uploader(key="imp_file_0").set_value((path.name, path.read_bytes(), "text/csv")).run()
    assert not at.exception, at.exception
    return at


def count_elsewhere(path: Path, sql: str) -> int:
    code = "import duckdb, sys; print(duckdb.connect(sys.argv[1], read_only=True).execute(sys.argv[2]).fetchone()[0])"
    out = subprocess.run([sys.executable, "-c", code, str(path), sql], capture_output=True, text=True, check=True)
    return int(out.stdout)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("lang", "title", "accept", "done"),
    [("en", "Data import", "Accept and load", "Loaded"), ("zh", "数据导入", "确认载入", "已载入")],
)
def test_upload_map_validate_accept(
    lang: str, title: str, accept: str, done: str, s_db_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(s_db_copy, "pages/data_import.py", lang, monkeypatch)
    assert at.title[0].value == title
    upload(at, CORPUS / "good" / "orders_gbk.csv")
    # the Chinese headers were guessed
    mapped = {sb.label.rstrip(" *"): sb.value for sb in at.selectbox if sb.key and sb.key.startswith("imp_map_orders_")}
    assert mapped["customer_id"] == "客户ID" and mapped["ordered_at"] == "下单时间" and mapped["amount"] == "实付金额"
    at.button(key="imp_validate").click().run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric] == ["5", "5", "0"]
    at.button(key="imp_accept").click().run()
    assert not at.exception, at.exception
    assert any(done in s.value for s in at.success), [s.value for s in at.success]
    # in this process DuckDB would hand back the app's still-open old database: ask another one
    assert (
        count_elsewhere(s_db_copy, "select count(*) from order_facts where order_id between 900000001 and 900000005")
        == 5
    )
    log = store.import_log(default_state_path(s_db_copy))
    assert log[0]["file_name"] == "orders_gbk.csv" and log[0]["status"] == "accepted"
    assert not any(b.label == accept for b in at.button)
    assert at.file_uploader[0].key == "imp_file_1"  # emptied for the next file


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_bad_file_is_explained_and_cannot_be_accepted(
    lang: str, s_db_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = digest(s_db_copy)
    at = open_page(s_db_copy, "pages/data_import.py", lang, monkeypatch)
    upload(at, CORPUS / "bad" / "negative_amount.csv")
    at.button(key="imp_validate").click().run()
    assert not at.exception, at.exception
    expected = importer.Problem(
        "negative_value",
        (
            ("file", "negative_amount.csv"),
            ("row", "2"),
            ("column", "amount"),
            ("field", "amount"),
            ("value", "-20.00"),
            ("minimum", "positive"),
        ),
    ).sentence(lang)
    assert expected.endswith("amount must be greater than zero." if lang == "en" else "amount 必须大于零。")
    assert expected in [e.value for e in at.error], [e.value for e in at.error]
    assert not [b for b in at.button if b.key == "imp_accept"]
    assert digest(s_db_copy) == before


def test_a_file_level_problem_shows_before_the_mapping(s_db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(s_db_copy, "pages/data_import.py", "en", monkeypatch)
    upload(at, CORPUS / "bad" / "malformed_extra_field.csv")
    assert [e.value for e in at.error] == [
        "malformed_extra_field.csv, line 3: expected 7 fields as in the header, found 8 "
        "(a delimiter inside an unquoted value?)."
    ]
    assert not [b for b in at.button if b.key == "imp_validate"]


@pytest.mark.parametrize(("lang", "title"), [("en", "Data health"), ("zh", "数据健康")])
def test_data_health_shows_tables_and_the_import_log(
    lang: str, title: str, s_db_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    importer.run_import(s_db_copy, "orders", CORPUS / "bad" / "orphan_customer.csv")
    at = open_page(s_db_copy, "pages/data_health.py", lang, monkeypatch)
    assert at.title[0].value == title
    tables = at.dataframe[0].value
    assert len(tables) == 12
    c = db.connect(s_db_copy)
    try:
        orders = int(db.scalar(c, "select count(*) from orders"))
    finally:
        c.close()
    assert int(tables.iloc[3, 1]) == orders  # the orders row, rows column
    log = at.dataframe[-1].value
    assert log.iloc[0, 1] == "orphan_customer.csv"
    assert len(at.get("plotly_chart")) == 1
