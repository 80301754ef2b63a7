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
    ("lang", "title", "stage", "other", "box_label"),
    [
        ("en", "Relationship lifecycle", "Commitment", "Exploration", "Customers now in"),
        ("zh", "客户关系生命周期", "承诺", "探索", "当前所处阶段"),
    ],
)
def test_lifecycle_drill_down(
    page: Page, server_url: str, lang: str, title: str, stage: str, other: str, box_label: str
) -> None:
    """A click on a stage's bar opens the list's section on that stage; another stage from the
    list's own box changes the count."""
    page.set_viewport_size({"width": 1400, "height": 4200})
    page.goto(f"{server_url}/lifecycle?lang={lang}&breakdown=membership_tier")
    expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=TIMEOUT)
    # the funnel section: funnel, stage mix, mix by tier (the other sections do not run)
    expect(page.locator("[data-testid=stPlotlyChart]")).to_have_count(3, timeout=TIMEOUT)
    wait_idle(page)
    bars = page.locator("[data-testid=stPlotlyChart]").nth(1).locator("g.trace.bars g.point path")
    expect(bars).to_have_count(4)
    box = bars.nth(2).bounding_box()  # cognition, exploration, commitment, dissolution
    assert box is not None
    # a click where the bar is drawn (Plotly's drag layer above the bars takes it and selects the point)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page).to_have_url(re.compile(r"tab=customers"), timeout=TIMEOUT)
    wait_idle(page)
    box = page.locator("[data-testid=stSelectbox]").filter(has_text=box_label)
    expect(box.locator("input")).to_have_value(stage, timeout=TIMEOUT)
    before = caption_count(page)
    box.click()
    page.get_by_role("option", name=other, exact=True).click()
    wait_idle(page)
    expect(page.locator("[data-testid=stCaptionContainer]").last).not_to_have_text(before, timeout=TIMEOUT)
    assert caption_count(page) != before
    page.screenshot(path=str(ARTIFACTS / f"lifecycle-{lang}.png"), full_page=True)


@pytest.mark.parametrize(("lang", "title"), [("en", "Retention and carts"), ("zh", "留存与购物车")])
def test_retention_page(page: Page, server_url: str, lang: str, title: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(f"{server_url}/retention?lang={lang}")
    expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-testid=stPlotlyChart]")).to_have_count(2, timeout=TIMEOUT)  # the cohorts
    wait_idle(page)
    page.locator("[data-testid=stMain] [role=tab]").nth(1).click()  # the carts' section
    expect(page).to_have_url(re.compile(r"tab=carts"), timeout=TIMEOUT)
    expect(page.locator("[data-testid=stPlotlyChart]")).to_have_count(4, timeout=TIMEOUT)
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
