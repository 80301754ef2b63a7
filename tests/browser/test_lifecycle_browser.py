"""Lifecycle and retention pages in a real browser, in both languages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_overview_browser import TIMEOUT, wait_idle

pytestmark = pytest.mark.browser


def caption_count(page: Page) -> str:
    text = page.locator("[data-testid=stCaptionContainer]").filter(has_text=re.compile("customers|位客户")).last
    return text.inner_text()


@pytest.mark.parametrize(
    ("lang", "title", "stage", "box_label"),
    [
        ("en", "Relationship lifecycle", "Commitment", "Customers now in"),
        ("zh", "客户关系生命周期", "承诺", "当前所处阶段"),
    ],
)
def test_lifecycle_drill_down(page: Page, server_url: str, lang: str, title: str, stage: str, box_label: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 4200})
    page.goto(f"{server_url}/lifecycle?lang={lang}&breakdown=membership_tier")
    expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-testid=stPlotlyChart]")).to_have_count(5, timeout=TIMEOUT)
    wait_idle(page)
    before = caption_count(page)
    box = page.locator("[data-testid=stSelectbox]").filter(has_text=box_label)
    box.click()
    page.get_by_role("option", name=stage, exact=True).click()
    wait_idle(page)
    expect(page.locator("[data-testid=stCaptionContainer]").last).not_to_have_text(before, timeout=TIMEOUT)
    assert caption_count(page) != before
    page.screenshot(path=str(ARTIFACTS / f"lifecycle-{lang}.png"), full_page=True)


@pytest.mark.parametrize(("lang", "title"), [("en", "Retention and carts"), ("zh", "留存与购物车")])
def test_retention_page(page: Page, server_url: str, lang: str, title: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(f"{server_url}/retention?lang={lang}")
    expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-testid=stPlotlyChart]")).to_have_count(6, timeout=TIMEOUT)
    wait_idle(page)
    gain = page.locator("[data-testid=stMetric]").last.locator("[data-testid=stMetricValue]")
    before = gain.inner_text()
    slider = page.locator("[data-testid=stSlider] input[type=range]")
    slider.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    wait_idle(page)
    expect(gain).not_to_have_text(before, timeout=TIMEOUT)
    page.screenshot(path=str(ARTIFACTS / f"retention-{lang}.png"), full_page=True)
