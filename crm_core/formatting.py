"""Numbers, money and percentages for display, in the user's language.

English groups by thousands (K, M, B); Chinese by ten-thousands (万, 亿), as readers expect.
"""

from __future__ import annotations

import math
from datetime import date

from crm_core.i18n import t

_UNITS = {
    "en": ((1e9, "format.unit_billion"), (1e6, "format.unit_million"), (1e3, "format.unit_thousand")),
    "zh": ((1e8, "format.unit_yi"), (1e4, "format.unit_wan")),
}


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def compact(x: float, lang: str) -> str:
    """1234567 -> '1.23M' (en) or '123.5万' (zh)."""
    if _missing(x):
        return "–"
    v = float(x)
    for divisor, key in _UNITS.get(lang, _UNITS["en"]):
        if abs(v) >= divisor:
            q = v / divisor
            digits = 2 if abs(q) < 10 else 1 if abs(q) < 100 else 0
            text = f"{q:,.{digits}f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return f"{text}{t(key, lang)}"
    return f"{v:,.0f}" if abs(v) >= 100 or v == int(v) else f"{v:,.2f}"


def money(x: float, currency: str, lang: str, exact: bool = False) -> str:
    if _missing(x):
        return "–"
    v = float(x)
    sign = "-" if v < 0 else ""
    body = f"{abs(v):,.2f}" if exact else compact(abs(v), lang)
    return f"{sign}{currency}{body}"


def integer(x: float, lang: str, exact: bool = True) -> str:
    if _missing(x):
        return "–"
    return f"{float(x):,.0f}" if exact else compact(float(x), lang)


def percent(x: float, digits: int = 1) -> str:
    return "–" if _missing(x) else f"{float(x) * 100:.{digits}f}%"


def change(current: float, previous: float) -> float | None:
    """Relative change, or None when there is nothing to compare with."""
    if _missing(current) or _missing(previous) or float(previous) == 0:
        return None
    return (float(current) - float(previous)) / abs(float(previous))


def day(d: date, lang: str) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else d.isoformat()
