"""Value & churn in a real browser, in both languages, and the P(alive) rule on the lifecycle page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_overview_browser import TIMEOUT, wait_idle

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("lang", "title", "threshold_label", "risk_text"),
    [("en", "Value & churn", "P(alive) below", "top 20 %"), ("zh", "价值与流失", "P(存活) 低于", "前 20 %")],
)
def test_value_page(page: Page, server_url: str, lang: str, title: str, threshold_label: str, risk_text: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 4200})
    page.goto(f"{server_url}/value?lang={lang}&tab=at_risk")
    expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-testid=stDataFrame]").first).to_be_visible(timeout=3 * TIMEOUT)  # the at-risk list
    wait_idle(page)
    assert page.locator("[data-testid=stException]").count() == 0
    caption = page.locator("[data-testid=stCaptionContainer]").filter(has_text=risk_text).first
    before = caption.inner_text()
    box = page.locator("[data-testid=stSelectbox]").filter(has_text=threshold_label)
    box.click()
    page.get_by_role("option", name="50%", exact=True).click()
    wait_idle(page)
    expect(caption).not_to_have_text(before, timeout=TIMEOUT)
    assert "p_alive_below=0.5" in page.url
    # contact details are masked on screen
    table_text = page.locator("[data-testid=stDataFrame]").first.inner_text()
    assert not re.search(r"\b1[3-9]\d{9}\b", table_text)
    page.screenshot(path=str(ARTIFACTS / f"value-{lang}.png"), full_page=True)


def test_lifecycle_offers_the_p_alive_rule(page: Page, server_url: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 2000})
    page.goto(f"{server_url}/lifecycle")
    expect(page.get_by_role("heading", name="Relationship lifecycle")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-testid=stPlotlyChart]")).to_have_count(2, timeout=3 * TIMEOUT)
    wait_idle(page)
    box = page.locator("[data-testid=stSelectbox]").filter(has_text="Dissolved when")
    box.click()
    page.get_by_role("option", name="P(alive) below 30 %", exact=True).click()
    wait_idle(page)
    expect(page.get_by_text(re.compile("BG/NBD probability of still being active is below 30 %"))).to_be_visible(
        timeout=TIMEOUT
    )
    assert "dissolve=p0.3" in page.url
