"""Every page the app registers (found in app.py, so pages added later are covered without edits),
opened in Chromium in both languages and a sidebar filter changed; every main control (the first
few selectboxes, radios and sliders of the main area) changed once and the rerun awaited;
no Streamlit exception on screen, no console error, no request to another host (the `page`
fixture's Watch); a screenshot of each page in tests/artifacts/.

The page-specific walks (drill-downs, copied links, segment builder) live in the other browser
tests; this one is the generic floor under all of them.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Locator, Page, expect

from bench.browser import CHARTS_DRAWN, RUNS_OBSERVER, click_until_rerun
from bench.pages import discover
from crm_core import i18n, ui
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
MAX_PER_KIND = 4  # controls of one kind changed per page (the first ones, top to bottom)
PAGES = discover()


def runs_done(page: Page) -> int:
    return int(page.evaluate("() => window.__runsDone || 0"))


def settle(page: Page, runs_before: int) -> None:
    """Wait until a script run that started after `runs_before` has finished and charts drew."""
    page.wait_for_function(f"() => (window.__runsDone || 0) > {runs_before}", timeout=TIMEOUT)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state') === 'notRunning'",
        timeout=TIMEOUT,
    )
    page.wait_for_function(CHARTS_DRAWN, timeout=TIMEOUT)


def no_exception(page: Page, what: str) -> None:
    errors = page.locator("[data-testid=stException]")
    assert errors.count() == 0, f"{what}: {errors.first.inner_text()[:500]}"


def change_and_settle(page: Page, action, what: str) -> bool:  # type: ignore[no-untyped-def]
    """Run `action` (which changes a control; it returns False when there is nothing to change),
    then wait for the rerun it causes. Returns whether a rerun was awaited."""
    before = runs_done(page)
    if not action():
        return False
    settle(page, before)
    no_exception(page, what)
    return True


def pick_other_option(page: Page, box: Locator) -> bool:
    if box.locator("input[disabled]").count():
        return False

    def pick() -> float | None:
        page.keyboard.press("Escape")
        box.locator("input").first.click()
        options = page.get_by_role("option")
        options.first.wait_for(timeout=TIMEOUT)
        for i in range(options.count()):
            option = options.nth(i)
            if option.get_attribute("aria-selected") != "true":
                option.click()
                return time.perf_counter()
        page.keyboard.press("Escape")
        return None

    # a click on a list still opening is sometimes lost: pick again until a rerun starts
    clicked, _lost = click_until_rerun(page, pick)
    return clicked is not None


def pick_other_radio(radio: Locator) -> bool:
    choices = radio.locator("label")
    for i in range(choices.count()):
        choice = choices.nth(i)
        if not choice.locator("input").is_checked() and choice.locator("input").is_enabled():
            choice.click()
            return True
    return False


def nudge_slider(page: Page, slider: Locator) -> bool:
    thumb = slider.locator("[role=slider]").first
    if not thumb.count():
        return False
    thumb.focus()
    page.keyboard.press("ArrowRight")
    return True


def open_lazy_lists(page: Page, name: str) -> int:
    """Open the main area's closed expanders other than "How is this computed?": the lazy ones
    (customer lists) run their content only then, so their controls are exercised too."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    skip = i18n.t("explain.title", i18n.DEFAULT_LANGUAGE)
    opened = 0
    summaries = page.locator("[data-testid=stMain] [data-testid=stExpander] summary")
    for i in range(summaries.count()):
        summary = summaries.nth(i)
        if skip in summary.inner_text() or not summary.is_visible():
            continue
        before = runs_done(page)
        summary.scroll_into_view_if_needed()
        summary.click()
        try:  # a lazy expander reruns the script; a plain one does not
            page.wait_for_function(f"() => (window.__runsDone || 0) > {before}", timeout=5_000)
        except PlaywrightTimeout:
            continue
        settle(page, before)
        no_exception(page, f"{name}: expander #{i}")
        opened += 1
    return opened


def exercise_main_controls(page: Page, name: str) -> int:
    """Open the lazy lists, then change the first selectboxes, radios and sliders of the page's
    main area once each."""
    main = page.locator("[data-testid=stMain]")
    changed = open_lazy_lists(page, name)
    for kind in ("stSelectbox", "stRadio", "stSlider"):
        for i in range(min(MAX_PER_KIND, main.locator(f"[data-testid={kind}]").count())):
            controls = main.locator(f"[data-testid={kind}]")
            if i >= controls.count():  # a change may remove later controls
                break
            control = controls.nth(i)
            if not control.is_visible():  # inside a closed expander or tab: not a main control
                continue
            control.scroll_into_view_if_needed()
            if kind == "stSelectbox":
                action = lambda c=control: pick_other_option(page, c)  # noqa: E731
            elif kind == "stRadio":
                action = lambda c=control: pick_other_radio(c)  # noqa: E731
            else:
                action = lambda c=control: nudge_slider(page, c)  # noqa: E731
            changed += change_and_settle(page, action, f"{name}: {kind} #{i}")
    return changed


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
@pytest.mark.parametrize("app_page", PAGES, ids=[p.name for p in PAGES])
def test_every_page_and_its_controls(page: Page, server_url: str, app_page, lang: str) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1400, "height": 2400})
    page.add_init_script(RUNS_OBSERVER)
    page.goto(f"{server_url}/{app_page.address}?lang={lang}")
    settle(page, 0)
    expect(page.locator("h1").first).to_be_visible(timeout=TIMEOUT)
    no_exception(page, f"{app_page.name} first render")
    title = page.locator("h1").first.inner_text()
    if lang == "zh":  # the page speaks Chinese
        assert any("\u4e00" <= ch <= "\u9fff" for ch in title), title
    page.screenshot(path=str(ARTIFACTS / f"page-{app_page.name}-{lang}.png"), full_page=True)

    # a global filter in the sidebar (the period); then, once (in English), the page's own controls
    sidebar_box = page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first
    assert change_and_settle(page, lambda: pick_other_option(page, sidebar_box), f"{app_page.name}: period")
    if lang == i18n.DEFAULT_LANGUAGE:
        exercise_main_controls(page, app_page.name)
    page.screenshot(path=str(ARTIFACTS / f"page-{app_page.name}-{lang}-changed.png"), full_page=True)
    visit_sections(page, app_page.name, lang)


def visit_sections(page: Page, name: str, lang: str) -> None:
    """A tabbed page (ui.PAGE_TABS): open each other section by a click on its tab (only the open
    section runs), check it drew without an error, screenshot it, and (in English) exercise its
    controls. The section's code goes into the address, so that a copied link opens it."""
    codes = ui.PAGE_TABS.get(name, ())
    tabs = page.locator("[data-testid=stMain] [role=tab]")
    assert tabs.count() == len(codes), f"{name}: {tabs.count()} tabs, expected {len(codes)}"
    for i, code in enumerate(codes[1:], start=1):
        tab = tabs.nth(i)
        assert tab.inner_text().strip() == i18n.t(f"tab.{name}.{code}", lang)
        assert change_and_settle(page, lambda t=tab: t.click() is None, f"{name}: section {code}")
        expect(page).to_have_url(re.compile(rf"[?&]tab={code}(&|$)"), timeout=TIMEOUT)
        assert tab.get_attribute("aria-selected") == "true"
        page.screenshot(path=str(ARTIFACTS / f"page-{name}-{code}-{lang}.png"), full_page=True)
        if lang == i18n.DEFAULT_LANGUAGE:
            exercise_main_controls(page, f"{name}/{code}")
