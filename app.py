"""Router and frame: page config, language, global filters, then the chosen page."""

import streamlit as st

from crm_core import ui

st.set_page_config(page_title="CRM analytics", page_icon=ui.ICON, layout="wide")
ui.init_language()
ui.language_switch()

if ui.database_state() != "ready":
    ui.missing_database_screen()
    st.stop()

ui.sidebar_filters()
page = st.navigation(
    [
        st.Page("pages/overview.py", title=ui.t("nav.overview"), url_path="overview", default=True),
        st.Page("pages/segments.py", title=ui.t("nav.segments"), url_path="segments"),
        st.Page("pages/segment_builder.py", title=ui.t("nav.builder"), url_path="segment_builder"),
        st.Page("pages/membership.py", title=ui.t("nav.membership"), url_path="membership"),
        st.Page("pages/lifecycle.py", title=ui.t("nav.lifecycle"), url_path="lifecycle"),
        st.Page("pages/retention.py", title=ui.t("nav.retention"), url_path="retention"),
        st.Page("pages/campaigns.py", title=ui.t("nav.campaigns"), url_path="campaigns"),
        st.Page("pages/value.py", title=ui.t("nav.value"), url_path="value"),
        st.Page("pages/customer360.py", title=ui.t("nav.customer360"), url_path="customer360"),
        st.Page("pages/service.py", title=ui.t("nav.service"), url_path="service"),
        st.Page("pages/cross_sell.py", title=ui.t("nav.cross_sell"), url_path="cross_sell"),
        st.Page("pages/account_managers.py", title=ui.t("nav.account_managers"), url_path="account_managers"),
        st.Page("pages/data_import.py", title=ui.t("nav.data_import"), url_path="data_import"),
        st.Page("pages/data_health.py", title=ui.t("nav.data_health"), url_path="data_health"),
    ]
)
page.run()
