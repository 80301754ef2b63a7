"""Page tests (AppTest through the real router) for Customer 360, Service, Cross-sell and
Account managers, in both languages, with state from the URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from crm_core import db, i18n
from crm_core.privacy import mask_email, mask_phone
from tests.conftest import open_section

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


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
    return AppTest.from_file(APP, default_timeout=120)


def customer(s_db: Path) -> dict[str, object]:
    c = db.connect(s_db)
    try:
        row = db.run(
            c,
            "select customer_id, customer_name, email, phone from customer_features"
            " where email is not null and phone is not null and count_orders >= 5 order by customer_id limit 1",
        ).iloc[0]
    finally:
        c.close()
    return row.to_dict()


def shown_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [h.value for h in at.header]
    parts += [str(df.value.to_dict()) for df in at.dataframe]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_customer360_from_the_url(app: AppTest, s_db: Path, lang: str) -> None:
    c = customer(s_db)
    app.query_params["lang"] = lang
    app.query_params["customer"] = str(c["customer_id"])
    app.run()
    app.switch_page("pages/customer360.py").run()
    assert not app.exception, app.exception
    assert app.title[0].value == i18n.t("c360.title", lang)
    assert app.header[0].value == f"{c['customer_name']} · {c['customer_id']}"
    text = shown_text(app)
    assert mask_phone(c["phone"]) in text and mask_email(c["email"]) in text
    assert str(c["phone"]) not in text and str(c["email"]) not in text
    # issue 6 scores lifetime value after every build: P(alive) and CLV are on the profile
    assert i18n.t("c360.p_alive", lang) in [m.label for m in app.metric]
    assert app.subheader[0].value == i18n.t("c360.actions_title", lang)
    assert len(app.get("plotly_chart")) == 1 and len(app.dataframe) == 1


def test_search_by_e_mail_opens_the_customer_without_echoing_it(app: AppTest, s_db: Path) -> None:
    c = customer(s_db)
    app.run()
    app.switch_page("pages/customer360.py").run()
    assert any(i18n.t("c360.start") in i.value for i in app.info)
    app.text_input(key="c360_text").input(str(c["email"]).upper())
    app.button[0].click().run()  # the form's submit button
    assert not app.exception
    assert app.query_params["customer"] == [str(c["customer_id"])] or app.query_params["customer"] == str(
        c["customer_id"]
    )
    assert app.header[0].value.endswith(str(c["customer_id"]))
    assert str(c["email"]).lower() not in shown_text(app).lower()
    # the form clears the box on submit in the browser (tests/browser): AppTest keeps the value


def test_name_search_lists_matches_masked(app: AppTest, s_db: Path) -> None:
    app.run()
    app.switch_page("pages/customer360.py").run()
    app.text_input(key="c360_text").input("王")
    app.button[0].click().run()
    assert not app.exception
    box = app.selectbox(key="c360_pick")
    assert len(box.options) > 1
    assert all("*" in option or option.count("·") >= 2 for option in box.options)
    first = int(box.options[0].split(" · ")[0])
    box.set_value(first).run()
    assert not app.exception
    assert app.header[0].value.endswith(str(first))


def test_unknown_and_bad_ids_say_so(app: AppTest) -> None:
    app.query_params["customer"] = "123"
    app.run()
    app.switch_page("pages/customer360.py").run()
    assert not app.exception
    assert "123" in app.warning[0].value
    bad = AppTest.from_file(APP, default_timeout=60)
    bad.query_params["customer"] = "1 or 1=1"
    bad.run()
    bad.switch_page("pages/customer360.py").run()
    assert not bad.exception
    assert bad.warning[0].value == i18n.t("c360.bad_id")


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_service_page_reads_its_choices_from_the_url(app: AppTest, lang: str) -> None:
    app.query_params["lang"] = lang
    app.query_params["period"] = "365"
    app.query_params["contact_type"] = "inquiry"
    app.query_params["sat_by"] = "region"
    app.query_params["complaint_window"] = "180"
    app.run()
    app.switch_page("pages/service.py").run()
    assert not app.exception, app.exception
    assert app.session_state["f_contact_type"] == "inquiry"
    assert i18n.t("service.kpi.complaint", lang) in [m.label for m in app.metric]
    charts = len(app.get("plotly_chart"))
    open_section(app, "service", "satisfaction")
    assert app.session_state["f_sat_by"] == "region"
    charts += len(app.get("plotly_chart"))
    open_section(app, "service", "dissolution")
    assert app.session_state["f_complaint_window"] == 180
    assert any(
        i18n.t("service.diff_label", lang, other=i18n.label("complaint_group", "resolved", lang)) == m.label
        for m in app.metric
    )
    assert charts + len(app.get("plotly_chart")) == 6


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_cross_sell_page_with_products_and_a_customer(app: AppTest, s_db: Path, lang: str) -> None:
    c = customer(s_db)
    app.query_params["lang"] = lang
    app.query_params["level"] = "product"
    app.query_params["min_baskets"] = "2"
    app.query_params["customer"] = str(c["customer_id"])
    app.run()
    app.switch_page("pages/cross_sell.py").run()
    assert not app.exception, app.exception
    assert app.session_state["f_level"] == "product"
    assert len(app.dataframe) >= 1  # the product rules
    open_section(app, "cross_sell", "offers")
    assert len(app.dataframe) >= 1
    open_section(app, "cross_sell", "customer")
    assert app.text_input(key="xs_customer").value == str(c["customer_id"])
    assert any(f"customer360?customer={c['customer_id']}" in m.value for m in app.markdown)


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_account_managers_page(app: AppTest, s_db: Path, lang: str) -> None:
    c = db.connect(s_db)
    try:
        orphans = int(db.scalar(c, "select sum(orphaned_customers) from truth_account_manager"))
    finally:
        c.close()
    app.query_params["lang"] = lang
    app.query_params["horizon"] = "90"
    app.run()
    app.switch_page("pages/account_managers.py").run()
    assert not app.exception, app.exception
    values = {m.label: m.value for m in app.metric}
    assert values[i18n.t("managers.kpi.orphaned", lang)] == f"{orphans:,}"
    assert len(app.get("plotly_chart")) == 1  # the portfolios
    open_section(app, "account_managers", "outcomes")
    values = {m.label: m.value for m in app.metric}
    assert i18n.t("managers.reorder_orphaned", lang, n=90) in values
    assert len(app.get("plotly_chart")) == 1
