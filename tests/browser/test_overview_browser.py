"""The issue-2 walk in a real browser: KPIs, Chinese, a filter, the copied link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 30_000


def wait_idle(page: Page) -> None:
    """Wait until Streamlit has finished the current run."""
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=TIMEOUT)
    page.wait_for_timeout(400)


def kpi(page: Page, label: str) -> str:
    card = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return card.locator("[data-testid=stMetricValue]").inner_text()


def pick(page: Page, widget_label: str, option: str) -> None:
    """Choose one option of a sidebar multiselect and wait until the app shows it chosen."""
    box = page.locator("[data-testid=stMultiSelect]").filter(has_text=widget_label)
    for _ in range(3):
        box.locator("input").click()
        page.keyboard.type(option)
        page.get_by_role("option", name=option, exact=True).click()
        page.keyboard.press("Escape")
        try:
            expect(box.get_by_text(option, exact=True)).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            continue
    wait_idle(page)


def test_overview_walk(page: Page, server_url: str, browser) -> None:  # type: ignore[no-untyped-def]
    page.goto(server_url)
    expect(page.locator("[data-testid=stMetric]")).to_have_count(7, timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    wait_idle(page)
    page.screenshot(path=str(ARTIFACTS / "overview-en.png"), full_page=True)

    # Chinese labels after the switch, and the choice in the URL
    page.locator("[data-testid=stRadio]").get_by_text("简体中文", exact=True).click()
    expect(page.get_by_role("heading", name="总览")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-testid=stMetric]").filter(has_text="销售额")).to_have_count(1)
    expect(page.locator("[data-testid=stSidebar]")).to_contain_text("会员等级")
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"lang=zh"))
    page.screenshot(path=str(ARTIFACTS / "overview-zh.png"), full_page=True)

    # a filter changes the figures and the chart, and lands in the URL
    revenue_before = kpi(page, "销售额")
    chart = page.locator("[data-testid=stPlotlyChart]").first
    chart_before = chart.screenshot()
    pick(page, "会员等级", "金卡")
    expect(page).to_have_url(re.compile(r"tier=gold"), timeout=TIMEOUT)
    revenue_after = kpi(page, "销售额")
    assert revenue_after != revenue_before
    assert chart.screenshot() != chart_before
    page.screenshot(path=str(ARTIFACTS / "overview-zh-gold.png"), full_page=True)

    # the page's second section (a tab; only the open one runs), in the address
    page.get_by_role("tab", name="销售额来源").click()
    expect(page).to_have_url(re.compile(r"tab=mix"), timeout=TIMEOUT)
    wait_idle(page)
    expect(page.get_by_role("heading", name="本周期销售额来自哪里")).to_be_visible(timeout=TIMEOUT)

    # the copied link reproduces the view in a new page
    link = page.url
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        other.goto(link)
        expect(other.get_by_role("heading", name="总览")).to_be_visible(timeout=TIMEOUT)
        wait_idle(other)
        assert kpi(other, "销售额") == revenue_after
        expect(other.locator("[data-testid=stMultiSelect]").filter(has_text="会员等级")).to_contain_text("金卡")
        expect(other.get_by_role("tab", name="销售额来源")).to_have_attribute("aria-selected", "true")
        expect(other.get_by_role("heading", name="本周期销售额来自哪里")).to_be_visible(timeout=TIMEOUT)
    finally:
        other.context.close()


def test_the_watch_catches_a_request_to_another_host(browser) -> None:  # type: ignore[no-untyped-def]
    """The guard the other browser tests rely on can fail."""
    from tests.browser.conftest import Watch

    watch = Watch()
    context = browser.new_context()
    p = watch.attach(context.new_page())
    p.set_content('<img src="http://example.invalid/pixel.png"><script>console.error("boom")</script>')
    p.wait_for_timeout(500)
    context.close()
    assert watch.foreign_requests == ["http://example.invalid/pixel.png"]
    assert "boom" in watch.console_errors


def test_filters_survive_a_language_switch(page: Page, server_url: str) -> None:
    """Switching language re-creates the translated widgets from the committed filters."""
    page.goto(f"{server_url}/?period=90&region=east")
    expect(page.locator("[data-testid=stMetric]")).to_have_count(7, timeout=TIMEOUT)
    wait_idle(page)
    page.locator("[data-testid=stRadio]").get_by_text("简体中文", exact=True).click()
    expect(page.get_by_role("heading", name="总览")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    pick(page, "会员等级", "金卡")
    expect(page).to_have_url(re.compile(r"tier=gold"), timeout=TIMEOUT)
    expect(page).to_have_url(re.compile(r"period=90"))
    expect(page).to_have_url(re.compile(r"region=east"))
    period = page.locator("[data-testid=stSidebar] [data-testid=stSelectbox] input").first
    expect(period).to_have_value("最近 90 天")
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
