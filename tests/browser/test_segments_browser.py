"""Build, save, apply and export a segment in a real browser, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import ARTIFACTS, Watch, streamlit_server
from tests.browser.test_overview_browser import TIMEOUT, wait_idle

pytestmark = pytest.mark.browser

LABELS = {
    "en": {
        "title": "Segment builder",
        "tier": "Value tier",
        "high": "High-value",
        "name": "Segment name",
        "save": "Save segment",
        "csv": "Export all as CSV",
        "count": "Customers in the segment",
        "segments": "Customer segments",
        "nav": "Segments",
    },
    "zh": {
        "title": "分群构建器",
        "tier": "价值分类",
        "high": "高价值客户",
        "name": "分群名称",
        "save": "保存分群",
        "csv": "全部导出为 CSV",
        "count": "分群客户数",
        "segments": "客户分群",
        "nav": "客户分群",
    },
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_build_save_apply_export(browser: Browser, s_db_copy: Path, tmp_path: Path, watch: Watch, lang: str) -> None:
    text = LABELS[lang]
    name = f"VIP '{lang}' 🎯"
    with streamlit_server(s_db_copy) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
        page = watch.attach(context.new_page())
        try:
            page.goto(f"{url}/segment_builder?lang={lang}")
            expect(page.get_by_role("heading", name=text["title"])).to_be_visible(timeout=TIMEOUT)
            wait_idle(page)
            count = page.locator("[data-testid=stMetric]").filter(has_text=text["count"])
            everyone = count.locator("[data-testid=stMetricValue]").inner_text()
            box = page.locator("[data-testid=stMultiSelect]").filter(has_text=text["tier"]).first
            box.locator("input").click()
            page.get_by_role("option", name=text["high"], exact=True).click()
            page.keyboard.press("Escape")
            expect(count.locator("[data-testid=stMetricValue]")).not_to_have_text(everyone, timeout=TIMEOUT)
            wait_idle(page)
            chosen = count.locator("[data-testid=stMetricValue]").inner_text()

            page.get_by_label(text["name"]).fill(name)
            page.get_by_role("button", name=text["save"]).click()
            expect(page).to_have_url(re.compile(r"segment=\d+"), timeout=TIMEOUT)
            wait_idle(page)
            chosen_segment = page.locator("[data-testid=stSidebar] [data-testid=stSelectbox] input").last
            expect(chosen_segment).to_have_value(name)

            # saving reruns the page twice (flash message, sidebar selection): let both finish,
            # or the click lands on a button that is being replaced
            page.wait_for_timeout(1500)
            wait_idle(page)
            with page.expect_download(timeout=TIMEOUT) as download:
                page.get_by_role("button", name=text["csv"]).click()
            path = tmp_path / "export.csv"
            download.value.save_as(path)
            assert path.read_bytes().startswith(b"\xef\xbb\xbf")
            assert f"{len(pd.read_csv(path, encoding='utf-8-sig')):,}" == chosen
            page.screenshot(path=str(ARTIFACTS / f"builder-{lang}.png"), full_page=True)

            # the saved segment applies to another page, through the sidebar and the URL
            page.get_by_role("link", name=text["nav"], exact=True).click()
            expect(page.get_by_role("heading", name=text["segments"])).to_be_visible(timeout=TIMEOUT)
            wait_idle(page)
            expect(page).to_have_url(re.compile(r"segment=\d+"))
            expect(chosen_segment).to_have_value(name)
        finally:
            context.close()
    assert watch.foreign_requests == [] and watch.console_errors == [] and watch.failed_responses == []
