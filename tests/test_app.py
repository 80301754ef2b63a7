"""Page tests: AppTest runs app.py through the real router (st.navigation)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from crm_core import db, formatting, i18n, overview, ui
from crm_core.filters import Filters
from tests.conftest import open_section

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = re.findall(r'st\.Page\("(pages/[a-z_]+\.py)"', (ROOT / "app.py").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app(s_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("CRM_DB", str(s_db))
    return AppTest.from_file(APP, default_timeout=60)


def metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return str(m.value)
    raise AssertionError(f"no metric {label!r} in {[m.label for m in at.metric]}")


def test_overview_shows_the_kpis(app: AppTest, s_db: Path) -> None:
    app.run()
    assert not app.exception
    assert app.title[0].value == "Overview"
    assert [m.label for m in app.metric] == [i18n.t(f"kpi.{k}") for k in overview.KPI_COLUMNS]
    c = db.connect(s_db)
    try:
        kpis = overview.overview_kpis(c, Filters(as_of=date(2026, 11, 15))).set_index("period")
    finally:
        c.close()
    assert metric(app, "Customers") == formatting.integer(kpis.at["current", "customers"], "en")
    assert metric(app, "Revenue") == formatting.money(kpis.at["current", "revenue"], "¥", "en")
    assert len(app.get("plotly_chart")) == 1  # the trend section
    open_section(app, "overview", "mix")
    assert metric(app, "Revenue") == formatting.money(kpis.at["current", "revenue"], "¥", "en")
    assert len(app.get("plotly_chart")) == 3  # tier, region, channel


def test_language_switch_translates_the_page(app: AppTest) -> None:
    app.run()
    app.radio(key="w_lang").set_value("zh").run()
    assert not app.exception
    assert app.session_state["f_lang"] == "zh"
    assert app.title[0].value == "总览"
    assert metric(app, "销售额").startswith("¥")


def test_chinese_from_the_url_translates_the_sidebar(app: AppTest) -> None:
    # AppTest (1.67) drops the sidebar from its element tree after a widget rerun under
    # st.navigation, and does not report the URL written then; the browser test checks both.
    app.query_params["lang"] = "zh"
    app.run()
    labels = " ".join(w.label for w in app.sidebar.multiselect)
    assert "大区" in labels and "会员等级" in labels
    assert app.sidebar.button[0].label == "重置筛选"


def test_url_reproduces_the_view(app: AppTest, s_db: Path) -> None:
    app.query_params["as_of"] = "2025-06-30"
    app.query_params["period"] = "90"
    app.query_params["region"] = "east,north"
    app.query_params["lang"] = "zh"
    app.run()
    assert not app.exception
    c = db.connect(s_db)
    try:
        f = Filters(as_of=date(2025, 6, 30), period_days=90, regions=("east", "north"))
        kpis = overview.overview_kpis(c, f).set_index("period")
    finally:
        c.close()
    assert metric(app, "销售额") == formatting.money(kpis.at["current", "revenue"], "¥", "zh")
    assert app.multiselect(key="w_region_zh").value == ["east", "north"]
    assert app.session_state["f_period"] == 90


def test_a_filter_changes_the_figures(app: AppTest, s_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # AppTest (1.67) re-runs only the page after a sidebar widget changes under st.navigation,
    # so widget interactions are driven in the browser test; here the filter comes from the URL.
    app.run()
    before = metric(app, "Revenue")
    gold = AppTest.from_file(APP, default_timeout=60)
    gold.query_params["tier"] = "gold"
    gold.run()
    assert not gold.exception
    assert metric(gold, "Revenue") != before
    assert gold.multiselect(key="w_tier_en").value == ["gold"]


def test_bad_url_values_are_ignored(app: AppTest) -> None:
    app.query_params["region"] = "east' or '1'='1"
    app.query_params["as_of"] = "2099-01-01"
    app.query_params["period"] = "-1"
    app.run()
    assert not app.exception
    assert app.multiselect(key="w_region_en").value == []


def test_empty_selection_says_so(app: AppTest) -> None:
    app.query_params["as_of"] = "2023-11-20"
    app.query_params["period"] = "7"
    app.query_params["tier"] = "diamond"
    app.run()
    assert not app.exception
    assert any(i18n.t("overview.no_data") in info.value for info in app.info)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_every_registered_page_runs(app: AppTest, page: str, lang: str) -> None:
    app.query_params["lang"] = lang
    app.run()
    app.switch_page(page).run()
    assert not app.exception, app.exception
    assert app.title, page


SECTIONS = [(f"pages/{page}.py", code) for page, codes in ui.PAGE_TABS.items() for code in codes[1:]]


@pytest.mark.parametrize(("page", "code"), SECTIONS, ids=[f"{p[6:-3]}-{c}" for p, c in SECTIONS])
@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_every_section_runs(app: AppTest, page: str, code: str, lang: str) -> None:
    """Each section of a tabbed page other than the default one (which the test above runs),
    opened from a shared link, in both languages."""
    app.query_params["lang"] = lang
    if page == PAGES[0]:  # the default page: the router runs it first, from the link
        app.query_params["tab"] = code
    app.run()
    app.query_params["tab"] = code
    app.switch_page(page).run()
    assert not app.exception, app.exception
    stem = page[6:-3]
    assert app.session_state[f"f_tab_{stem}"] == code
    assert app.query_params["tab"] == code
    assert app.main.children, page


def test_sections_run_only_when_open_and_keep_through_a_language_switch(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hidden section's queries do not run; opening it runs them and puts it in the URL; a
    language switch keeps the open section (labels change, the code does not)."""
    calls: list[str] = []
    for name in ("funnel", "transitions", "stages_over_time"):
        real = ui._QUERIES[name]
        monkeypatch.setitem(ui._QUERIES, name, lambda *a, n=name, f=real: calls.append(n) or f(*a))
    app.run()
    app.switch_page("pages/lifecycle.py").run()
    assert not app.exception
    assert "funnel" in calls and "transitions" not in calls and "stages_over_time" not in calls
    assert "tab" not in app.query_params  # the default section keeps the URL clean
    calls.clear()
    open_section(app, "lifecycle", "flows")
    assert "transitions" in calls and "funnel" not in calls
    assert app.query_params["tab"] == "flows"
    assert any(s.value == i18n.t("lifecycle.flows_title") for s in app.subheader)
    app.session_state["f_lang"] = "zh"  # the language switch's commit (the page alone reruns here)
    app.run()
    assert not app.exception
    assert any(s.value == i18n.t("lifecycle.flows_title", "zh") for s in app.subheader)
    assert app.session_state["w_tab_lifecycle_zh"] == i18n.t("tab.lifecycle.flows", "zh")


@pytest.mark.parametrize(
    ("page", "section", "other", "kind", "key", "value"),
    [
        ("lifecycle", "customers", "flows", "selectbox", "drill_sort", "customer_name"),
        ("lifecycle", "customers", "funnel", "selectbox", "drill_from", "commitment"),
        ("lifecycle", "customers", "time", "number_input", "drill_page", 2),
        ("retention", "carts", "cohorts", "slider", "what_if", 25),
        ("segments", "compare", "grid", "selectbox", "compare_b", "champions"),
        ("segments", "grid", "tiers", "button_group", "grid_colour", "revenue"),
    ],
)
def test_a_sections_choices_are_kept_while_another_section_shows(
    app: AppTest, page: str, section: str, other: str, kind: str, key: str, value: object
) -> None:
    """Streamlit forgets a widget that a run does not draw; the section's choice comes back."""
    app.run()
    app.switch_page(f"pages/{page}.py").run()
    open_section(app, page, section)
    widget = app.get(kind)
    chosen = next(w for w in widget if w.key == key)
    chosen.set_value(value).run()
    assert not app.exception, app.exception
    open_section(app, page, other)
    assert key not in app.session_state  # the hidden widget's own state is gone
    open_section(app, page, section)
    back = next(w for w in app.get(kind) if w.key == key)
    assert back.value == value, back.value
    assert not app.warning, [w.value for w in app.warning]


def data_screen(path: Path, monkeypatch: pytest.MonkeyPatch, timeout: int = 30) -> AppTest:
    """The app on `path` after its first run, showing the screen for data it cannot use yet."""
    monkeypatch.setenv("CRM_DB", str(path))
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    assert not at.exception
    assert at.title[0].value == i18n.t("missing_db.title")
    return at


def test_missing_database_says_how_to_create_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "none.duckdb"
    at = data_screen(missing, monkeypatch)
    assert str(missing) in at.info[0].value and "make data" in at.info[0].value
    assert at.button[0].label == i18n.t("missing_db.button")


def test_a_file_built_by_an_older_version_asks_for_a_rebuild_and_gets_it(
    s_db_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crm_core import build

    c = db.connect(s_db_copy, read_only=False)
    try:
        assert build.schema_version_of(c) == build.SCHEMA_VERSION
        c.execute("alter table build_info drop column schema_version")  # as built before versions
        assert build.schema_version_of(c) is None
        orders = db.scalar(c, "select count(*) from orders")
    finally:
        c.close()
    at = data_screen(s_db_copy, monkeypatch, timeout=300)
    assert str(s_db_copy) in at.warning[0].value and "crm_core build" in at.warning[0].value
    assert at.button[0].label == i18n.t("missing_db.rebuild_button")
    at.button[0].click().run()
    assert not at.exception
    assert not at.warning, [w.value for w in at.warning]
    assert at.title[0].value != i18n.t("missing_db.title")  # the overview
    c = db.connect(s_db_copy)
    try:
        assert build.schema_version_of(c) == build.SCHEMA_VERSION
        assert db.scalar(c, "select count(*) from orders") == orders  # the raw data is kept
    finally:
        c.close()


def test_campaign_page_reads_campaign_and_window_from_the_url(app: AppTest, s_db: Path) -> None:
    c = db.connect(s_db)
    try:
        first = db.run(c, "select campaign_id, name from campaigns order by started_at limit 1").iloc[0]
    finally:
        c.close()
    app.query_params["campaign"] = str(first["campaign_id"])
    app.query_params["window"] = "30"
    app.run()
    app.switch_page("pages/campaigns.py").run()
    assert not app.exception
    assert app.header[0].value == first["name"]
    assert app.session_state["f_window"] == 30
    assert "30" in app.caption[1].value or any("30" in cap.value for cap in app.caption)
    verdicts = {i18n.t(f"value.verdict.{v}") for v in ("positive", "negative", "inconclusive", "too_small", "open")}
    shown = " ".join(str(v) for v in app.dataframe[0].value.iloc[:, -1])
    assert any(v in shown for v in verdicts)


def test_campaign_page_explains_when_no_campaigns_are_loaded(s_db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from crm_core import build

    c = db.connect(s_db_copy, read_only=False)
    c.execute("delete from campaign_sends")
    c.execute("delete from campaigns")
    c.close()
    build.build(s_db_copy, score=False)
    monkeypatch.setenv("CRM_DB", str(s_db_copy))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/campaigns.py").run()
    assert not at.exception
    assert at.info[0].value == i18n.t("campaigns.none_loaded")


def test_lifecycle_page_reads_its_rules_from_the_url(app: AppTest, s_db: Path) -> None:
    from crm_core import lifecycle

    app.query_params["breakdown"] = "region"
    app.query_params["dissolve"] = "90"
    app.query_params["commit"] = "2"
    app.run()
    app.switch_page("pages/lifecycle.py").run()
    assert not app.exception
    assert app.session_state["f_dissolve"] == "90" and app.session_state["f_breakdown"] == "region"
    assert len(app.get("plotly_chart")) == 3  # the funnel section: funnel, stage mix, mix by region
    open_section(app, "lifecycle", "customers")
    c = db.connect(s_db)
    try:
        rules = lifecycle.StageRules(dissolution_days=90, commitment_orders=2, breakdown="region")
        count = lifecycle.stage_customer_count(c, Filters(as_of=date(2026, 11, 15)), rules, "dissolution")
    finally:
        c.close()
    assert any(formatting.integer(count, "en") in cap.value for cap in app.caption)


def test_lifecycle_page_dissolves_by_p_alive_from_the_url(app: AppTest, s_db: Path) -> None:
    from crm_core import lifecycle

    app.query_params["dissolve"] = "p0.2"
    app.run()
    app.query_params["tab"] = "customers"  # a shared link to the list's section
    app.switch_page("pages/lifecycle.py").run()
    assert not app.exception
    c = db.connect(s_db)
    try:
        rules = lifecycle.StageRules(dissolution_rule="p_alive", p_alive_below=0.2)
        count = lifecycle.stage_customer_count(c, Filters(as_of=date(2026, 11, 15)), rules, "dissolution")
        by_days = lifecycle.stage_customer_count(
            c, Filters(as_of=date(2026, 11, 15)), lifecycle.StageRules(), "dissolution"
        )
    finally:
        c.close()
    assert count != by_days
    assert any("below 20 %" in cap.value for cap in app.caption)
    assert any(formatting.integer(count, "en") in cap.value for cap in app.caption)


def test_retention_page_shows_cohorts_and_carts(app: AppTest) -> None:
    app.query_params["lang"] = "zh"
    app.query_params["metric"] = "revenue_per_customer"
    app.run()
    app.switch_page("pages/retention.py").run()
    assert not app.exception
    assert app.title[0].value == "留存与购物车"
    assert app.session_state["f_metric"] == "revenue_per_customer"
    open_section(app, "retention", "carts")
    assert any(m.label == "放弃率" for m in app.metric)
    app.slider(key="what_if").set_value(20).run()
    assert not app.exception


def test_retention_page_before_the_first_cart(app: AppTest) -> None:
    """An as-of date before any cart: the page says there are none (no error on an empty period)."""
    app.query_params["as_of"] = "2025-06-30"
    app.run()
    app.switch_page("pages/retention.py").run()
    assert not app.exception, app.exception
    open_section(app, "retention", "carts")
    assert any("No add-to-cart" in i.value for i in app.info), [i.value for i in app.info]


@pytest.mark.parametrize(
    ("page", "section", "key", "query", "caption"),
    [
        ("pages/retention.py", "carts", "cart_list_open", "abandoned_cart_customers", "abandoned a cart in the period"),
        ("pages/retention.py", "cohorts", "cohort_list_open", "cohort_customers", "customers of this cohort"),
        ("pages/segments.py", "grid", "cell_list_open", "segment_customers", " customers in R"),
        ("pages/segments.py", "migration", "migration_list_open", "migration_customers", "made this move"),
    ],
)
def test_customer_lists_run_only_once_opened(
    app: AppTest, monkeypatch: pytest.MonkeyPatch, page: str, section: str, key: str, query: str, caption: str
) -> None:
    """A list behind a lazy expander costs nothing until the expander is opened; then it shows."""
    from crm_core import ui

    calls: list[str] = []
    real = ui._QUERIES[query]
    monkeypatch.setitem(ui._QUERIES, query, lambda *a: calls.append(query) or real(*a))
    app.run()
    app.switch_page(page).run()
    open_section(app, page[6:-3], section)
    assert not app.exception
    assert calls == []
    assert not any(caption in c.value for c in app.caption)
    app.session_state[key] = True
    app.run()
    assert not app.exception
    assert calls, f"{query} did not run once {key} was opened"
    assert any(caption in c.value for c in app.caption), [c.value for c in app.caption]


def test_build_save_and_apply_a_segment_across_a_restart(
    s_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crm_core import segments, store
    from crm_core.filters import Condition

    state = tmp_path / "state.sqlite"
    monkeypatch.setenv("CRM_DB", str(s_db))
    monkeypatch.setenv("CRM_STATE", str(state))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "zh"
    at.run()
    at.switch_page("pages/segment_builder.py").run()
    assert not at.exception
    everyone = metric(at, "分群客户数")
    at.multiselect(key="b_value_tier").set_value(["high_value"]).run()
    assert metric(at, "分群客户数") != everyone
    at.text_input(key="b_name").input("高价值 'VIP'; drop table x -- 🎯")  # a form: submit in the same run
    next(b for b in at.button if b.label == "保存分群").click().run()
    assert not at.exception
    saved = store.list_segments(state)
    assert [s.name for s in saved] == ["高价值 'VIP'; drop table x -- 🎯"]

    # a new session (an app restart: caches cleared) opens the shared link
    st.cache_data.clear()
    st.cache_resource.clear()
    again = AppTest.from_file(APP, default_timeout=60)
    again.query_params["segment"] = str(saved[0].segment_id)
    again.run()
    assert not again.exception
    assert again.selectbox(key="w_segment_en").value == saved[0].segment_id
    c = db.connect(s_db)
    try:
        f = Filters(as_of=date(2026, 11, 15), segment=(Condition("value_tier", "in", ("high_value",)),))
        expected = int(segments.segment_count(c, f).iloc[0]["customers"])
    finally:
        c.close()
    assert metric(again, "Customers") == formatting.integer(expected, "en")
    assert any("drop table x" in cap.value for cap in again.caption)  # shown as plain text


def test_value_page_shows_scores_and_reads_its_threshold_from_the_url(app: AppTest, s_db: Path) -> None:
    from crm_core import clv, db
    from crm_core.filters import Filters

    app.query_params["p_alive_below"] = "0.5"
    app.run()
    app.switch_page("pages/value.py").run()
    assert not app.exception
    open_section(app, "value", "at_risk")
    c = db.connect(s_db)
    try:
        at_risk = clv.at_risk_customers(c, Filters(as_of=date(2026, 11, 15)), 0.5, None)
        total = db.scalar(c, "select count(*) from customer_clv")
    finally:
        c.close()
    assert any(f"{len(at_risk):,} customers in the top 20 %" in cap.value for cap in app.caption)
    assert any(m.label == "Mean P(alive)" for m in app.metric)
    assert metric(app, "Likely lapsed") != "–" and total > 0


def test_value_page_says_why_scoring_failed(s_db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from crm_core import build, db

    c = db.connect(s_db_copy, read_only=False)
    c.execute("update orders set ordered_at = timestamp '2026-11-15 10:00:00'")
    c.close()
    build.build(s_db_copy)
    monkeypatch.setenv("CRM_DB", str(s_db_copy))
    for lang in ("en", "zh"):
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["lang"] = lang
        at.run()
        at.switch_page("pages/value.py").run()
        assert not at.exception
        assert "2026-11-15" in at.warning[0].value
        at.switch_page("pages/lifecycle.py").run()  # the P(alive) rule is not offered, nothing breaks
        assert not at.exception
