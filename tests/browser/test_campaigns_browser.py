"""Campaigns in a real browser: a deep link as a fresh server's first request, in Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from crm_core import db
from tests.browser.conftest import ARTIFACTS, Watch, streamlit_server
from tests.browser.test_overview_browser import TIMEOUT, wait_idle

pytestmark = pytest.mark.browser


def test_deep_link_to_campaigns_on_a_fresh_server(browser: Browser, s_db: Path, watch: Watch) -> None:
    c = db.connect(s_db)
    try:
        ids = db.run(c, "select campaign_id, name from campaigns order by started_at")
    finally:
        c.close()
    first, second = ids.iloc[5], ids.iloc[20]
    with streamlit_server(s_db) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1800})
        page = watch.attach(context.new_page())
        try:
            page.goto(f"{url}/campaigns?lang=zh&campaign={first['campaign_id']}")
            expect(page.get_by_role("heading", name="营销活动")).to_be_visible(timeout=TIMEOUT)
            expect(page.get_by_role("heading", name=first["name"])).to_be_visible(timeout=TIMEOUT)
            # the frame ran (its widgets mount late on a busy machine)
            expect(page.locator("[data-testid=stSidebar]")).to_contain_text("会员等级", timeout=TIMEOUT)
            wait_idle(page)
            page.screenshot(path=str(ARTIFACTS / "campaigns-zh.png"), full_page=True)

            box = page.locator("[data-testid=stSelectbox]").filter(has_text="活动").last
            box.click()
            page.keyboard.type(second["name"][:18])  # the list is virtualised: filter it first
            page.get_by_role("option", name=re.compile(re.escape(second["name"]))).click()
            expect(page.get_by_role("heading", name=second["name"])).to_be_visible(timeout=TIMEOUT)
            wait_idle(page)
            expect(page).to_have_url(re.compile(rf"campaign={second['campaign_id']}"))
            expect(page.locator("[data-testid=stPlotlyChart]")).to_have_count(7)
        finally:
            context.close()
    assert watch.foreign_requests == []
    assert watch.console_errors == []
    assert watch.failed_responses == []
