"""Data import in a real browser: upload a GBK file, see the guessed mapping, validate, accept,
and find it in the Data health log; and a bad file rejected with its sentence, in Chinese."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, streamlit_server

pytestmark = pytest.mark.browser
TIMEOUT = 30_000
CORPUS = Path(__file__).resolve().parents[1] / "import_corpus"


def wait_idle(page: Page) -> None:
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=TIMEOUT)
    page.wait_for_timeout(400)


@pytest.fixture
def own_server(s_db: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A server over a copy: these tests change the database."""
    db_path = tmp_path / "import_target.duckdb"
    shutil.copyfile(s_db, db_path)
    with streamlit_server(db_path) as url:
        yield url, db_path


def upload(page: Page, path: Path) -> None:
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(path))
    wait_idle(page)


def test_upload_validate_accept_and_see_it_in_the_log(page: Page, own_server: tuple[str, Path]) -> None:
    url, _ = own_server
    page.goto(f"{url}/data_import")
    expect(page.get_by_role("heading", name="Data import")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    upload(page, CORPUS / "good" / "orders_gbk.csv")
    expect(page.get_by_text("read as csv (encoding gb18030, delimiter ,)")).to_be_visible(timeout=TIMEOUT)
    # the guessed mapping: the customer_id box shows the Chinese header
    expect(page.get_by_role("combobox", name="customer_id *")).to_have_value("客户ID")
    expect(page.get_by_role("combobox", name="amount *")).to_have_value("实付金额")
    page.screenshot(path=str(ARTIFACTS / "import-mapping-en.png"), full_page=True)

    page.get_by_role("button", name="Validate").click()
    expect(page.get_by_text("Ready: 5 rows into orders")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    page.get_by_role("button", name="Accept and load").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "import-validated-en.png"), full_page=True)

    page.get_by_role("button", name="Accept and load").click()
    # the load rebuilds the marts and rescores lifetime value: allow for it
    expect(page.get_by_text("Loaded orders_gbk.csv")).to_be_visible(timeout=240_000)
    wait_idle(page)
    page.screenshot(path=str(ARTIFACTS / "import-loaded-en.png"), full_page=True)

    page.goto(f"{url}/data_health")
    expect(page.get_by_role("heading", name="Data health")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Import log")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    grids = page.locator("[data-testid=stDataFrame]")
    expect(grids).to_have_count(2, timeout=TIMEOUT)
    expect(page.locator(".js-plotly-plot")).to_have_count(1, timeout=TIMEOUT)
    page.get_by_role("heading", name="Empty values per column").scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / "data-health-en.png"), full_page=True)


def test_a_bad_file_is_rejected_with_its_sentence_in_chinese(page: Page, own_server: tuple[str, Path]) -> None:
    url, db_path = own_server
    before = db_path.read_bytes()
    page.goto(f"{url}/data_import?lang=zh")
    expect(page.get_by_role("heading", name="数据导入")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    upload(page, CORPUS / "bad" / "negative_amount.csv")
    page.get_by_role("button", name="验证").click()
    sentence = "negative_amount.csv，第 2 行，列“amount”：-20.00 为负数；amount 必须大于零。"
    expect(page.get_by_text(sentence).first).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("文件被拒绝：不会载入任何数据")).to_be_visible()
    expect(page.get_by_role("button", name="确认载入")).to_have_count(0)
    wait_idle(page)
    page.get_by_text("文件被拒绝：不会载入任何数据").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "import-rejected-zh.png"), full_page=True)
    assert db_path.read_bytes() == before
