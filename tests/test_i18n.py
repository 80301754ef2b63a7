"""Both languages have the same keys, every key the code uses exists, formatting reads right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crm_core import contract, formatting, i18n

ROOT = Path(__file__).resolve().parent.parent
CODE = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "crm_core").glob("*.py"))]
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z_0-9]+)+)["']""")
FSTRING_KEY = re.compile(r"""\bt\(\s*f["']([a-z_]+(?:\.[a-z_0-9{}]+)+)["']""")


def test_same_keys_in_both_languages() -> None:
    en, zh = set(i18n.catalogue("en")), set(i18n.catalogue("zh"))
    assert en - zh == set(), "missing in zh_CN"
    assert zh - en == set(), "missing in en"


def test_placeholders_agree() -> None:
    for key, text in i18n.catalogue("en").items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", i18n.catalogue("zh")[key])), key


def test_every_key_used_in_code_exists() -> None:
    keys = set(i18n.catalogue("en"))
    used: set[str] = set()
    for path in CODE:
        text = path.read_text(encoding="utf-8")
        used |= set(LITERAL_KEY.findall(text))
        for pattern in FSTRING_KEY.findall(text):
            rx = re.compile("^" + re.sub(r"\\{[^}]*\\}", "[a-z_0-9]+", re.escape(pattern)) + "$")
            assert any(rx.match(k) for k in keys), pattern
    assert used, "the scan found no keys: is the pattern right?"
    assert used - keys == set()


@pytest.mark.parametrize(
    ("kind", "codes"),
    [("region", contract.REGIONS), ("channel", contract.ACQUISITION_CHANNELS), ("tier", contract.TIERS)],
)
def test_every_stored_code_has_a_label_in_both_languages(kind: str, codes: tuple[str, ...]) -> None:
    for lang in i18n.LANGUAGES:
        for code in codes:
            assert f"value.{kind}.{code}" in i18n.catalogue(lang), (lang, kind, code)


def test_chinese_text_is_chinese() -> None:
    zh = i18n.catalogue("zh")
    assert re.search(r"[\u4e00-\u9fff]", zh["kpi.revenue"])
    assert i18n.label("tier", "diamond", "zh") == "钻石"
    assert i18n.label("tier", None, "zh") == "（未知）"


def test_formatting() -> None:
    assert formatting.money(1_234_567, "¥", "en") == "¥1.23M"
    assert formatting.money(1_234_567, "¥", "zh") == "¥123万"
    assert formatting.money(250_000_000, "¥", "zh") == "¥2.5亿"
    assert formatting.compact(20_000, "en") == "20K"
    assert formatting.money(-12.5, "$", "en", exact=True) == "-$12.50"
    assert formatting.integer(50_000, "en") == "50,000"
    assert formatting.percent(0.1234) == "12.3%"
    assert formatting.change(110, 100) == pytest.approx(0.1)
    assert formatting.change(5, 0) is None
    assert formatting.money(float("nan"), "¥", "en") == "–"


def test_feature_files_are_merged_without_clashes() -> None:
    for lang in i18n.LANGUAGES:
        files = i18n.catalogue_files(lang)
        assert files[0].name in ("en.toml", "zh_CN.toml")
        assert len({f.name for f in files}) == len(files)
    en_extra = sorted(f.name.split(".", 1)[1] for f in i18n.catalogue_files("en")[1:])
    zh_extra = sorted(f.name.split(".", 1)[1] for f in i18n.catalogue_files("zh")[1:])
    assert en_extra == zh_extra, "every feature file exists in both languages"


def test_every_section_tab_has_a_label_in_both_languages() -> None:
    """ui.page_tabs labels its tabs with tab.<page>.<code>: each section of ui.PAGE_TABS, both
    languages, no two alike on a page; and each page listed there draws its tabs."""
    from crm_core import ui

    for page, codes in ui.PAGE_TABS.items():
        for lang in i18n.LANGUAGES:
            labels = [i18n.catalogue(lang).get(f"tab.{page}.{code}") for code in codes]
            assert None not in labels, (page, lang, labels)
            assert len(set(labels)) == len(labels), (page, lang, labels)
        assert f'ui.page_tabs("{page}")' in (ROOT / "pages" / f"{page}.py").read_text(encoding="utf-8"), page
