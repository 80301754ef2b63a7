"""Customer 360, Service, Cross-sell and Account managers in a real browser, in both languages:
search by a full phone number without echoing it, a drill-down from a segment list to Customer
360, and every new page drawn without console errors or foreign requests."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import Browser, Page, expect

from crm_core.privacy import mask_phone
from tests.browser.conftest import ARTIFACTS, Watch
from tests.browser.test_overview_browser import TIMEOUT, wait_idle

pytestmark = pytest.mark.browser

TEXT = {
    "en": {
        "c360": "Customer 360",
        "search": "Find a customer",
        "button": "Search",
        "actions": "Suggested next actions",
        "timeline": "Timeline",
        "builder": "Segment builder",
        "service": "Service",
        "dissolution": "Do unresolved complaints end relationships?",
        "cross_sell": "Cross-sell",
        "together": "Bought together",
        "managers": "Account managers",
        "orphans": "Orphaned customers",
        "outcomes": "How orphaned relationships fared",
    },
    "zh": {
        "c360": "客户360",
        "search": "查找客户",
        "button": "搜索",
        "actions": "建议的下一步行动",
        "timeline": "时间线",
        "builder": "分群构建器",
        "service": "客户服务",
        "dissolution": "未解决的投诉会终结客户关系吗？",
        "cross_sell": "交叉销售",
        "together": "一起购买",
        "managers": "客户经理",
        "orphans": "失联客户",
        "outcomes": "失联客户关系的后续",
    },
}


def a_customer(db: Path) -> tuple[int, str, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(
            "select customer_id, customer_name, phone from customer_features "
            "where phone is not null and count_orders >= 5 order by customer_id limit 1"
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0]), str(row[1]), str(row[2])


def settle(page: Page) -> None:
    """Wait until the run has finished and the charts and tables are drawn."""
    wait_idle(page)
    expect(page.locator("[data-testid=stPlotlyChart]").first).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("[data-testid=stSkeleton]")).to_have_count(0, timeout=TIMEOUT)
    wait_idle(page)


def page_text(page: Page) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_search_by_phone_shows_it_masked(page: Page, server_url: str, s_db: Path, lang: str) -> None:
    text = TEXT[lang]
    customer_id, name, phone = a_customer(s_db)
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(f"{server_url}/customer360?lang={lang}")
    expect(page.get_by_role("heading", name=text["c360"])).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    page.get_by_label(text["search"]).fill(phone)
    page.get_by_role("button", name=text["button"]).click()
    expect(page.get_by_role("heading", name=f"{name} · {customer_id}")).to_be_visible(timeout=TIMEOUT)
    settle(page)
    expect(page).to_have_url(re.compile(rf"customer={customer_id}"))
    expect(page.get_by_label(text["search"])).to_have_value("")  # the form cleared the box
    assert phone not in page.content(), "the full phone number is echoed back"
    assert phone not in page.url
    assert mask_phone(phone) in page_text(page)
    expect(page.get_by_role("heading", name=text["actions"])).to_be_visible()
    expect(page.get_by_role("heading", name=text["timeline"])).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"customer360-{lang}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_drill_down_from_a_segment_list(browser: Browser, server_url: str, watch: Watch, lang: str) -> None:
    text = TEXT[lang]
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    page = watch.attach(context.new_page())
    try:
        page.goto(f"{server_url}/segment_builder?lang={lang}")
        expect(page.get_by_role("heading", name=text["builder"])).to_be_visible(timeout=TIMEOUT)
        wait_idle(page)
        grid = page.locator("[data-testid=stDataFrame]").first
        expect(grid).to_be_visible(timeout=TIMEOUT)
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        assert box is not None
        # the grid is a canvas: hover, then click the first row's link cell (first column,
        # below the header); the link opens in a new tab
        x, y = box["x"] + 25, box["y"] + 35 + 17
        page.mouse.move(x, y)
        page.wait_for_timeout(500)
        with context.expect_page(timeout=TIMEOUT) as opened:
            page.mouse.click(x, y)
        target = watch.attach(opened.value)
        target.wait_for_load_state()
        match = re.search(r"/customer360\?(?:.*&)?customer=(\d+)", target.url)
        assert match, target.url
        if lang != "en":
            assert f"lang={lang}" in target.url
        expect(target.get_by_role("heading", name=text["c360"])).to_be_visible(timeout=TIMEOUT)
        expect(target.get_by_role("heading", name=re.compile(rf"· {match.group(1)}$"))).to_be_visible(timeout=TIMEOUT)
        settle(target)
        target.screenshot(path=str(ARTIFACTS / f"customer360-drilldown-{lang}.png"), full_page=True)
    finally:
        context.close()
    assert watch.foreign_requests == [] and watch.console_errors == [] and watch.failed_responses == []


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    ("path", "title", "section"),
    [
        ("service?tab=dissolution", "service", "dissolution"),
        ("cross_sell", "cross_sell", "together"),
        ("account_managers?tab=outcomes", "managers", "outcomes"),
    ],
)
def test_new_pages_draw(page: Page, server_url: str, lang: str, path: str, title: str, section: str) -> None:
    text = TEXT[lang]
    page.set_viewport_size({"width": 1400, "height": 3200})
    page.goto(f"{server_url}/{path}{'&' if '?' in path else '?'}lang={lang}")
    expect(page.get_by_role("heading", name=text[title], exact=True)).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("heading", name=text[section], exact=True)).to_be_visible(timeout=TIMEOUT)
    settle(page)
    assert "Traceback" not in page_text(page)
    page.screenshot(path=str(ARTIFACTS / f"{path.split('?')[0]}-{lang}.png"), full_page=True)
