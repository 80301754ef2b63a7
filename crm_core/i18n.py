"""One table of strings per language and one function to use them.

Stored values stay English codes (`gold`, `east`); `label(kind, code, lang)` translates their
display. Tests check that both languages have the same keys and that every key used exists.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES: dict[str, str] = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
_DIR = Path(__file__).resolve().parent / "i18n"
_FILES = {"en": "en.toml", "zh": "zh_CN.toml"}


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = str(v)
    return out


def catalogue_files(lang: str) -> list[Path]:
    """`en.toml` plus one file per feature (`en.clv.toml`, ...), so features don't share a file."""
    if lang not in _FILES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(_FILES)}")
    main = _DIR / _FILES[lang]
    return [main, *sorted(_DIR.glob(f"{main.stem}.*.toml"))]


@cache
def catalogue(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in catalogue_files(lang):
        with open(path, "rb") as fh:
            part = _flatten(tomllib.load(fh))
        clash = sorted(set(part) & set(out))
        if clash:
            raise ValueError(f"{path.name} repeats keys already defined: {', '.join(clash[:5])}")
        out.update(part)
    return out


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: Any) -> str:
    """The string for `key` in `lang`, with {placeholders} filled; the key itself if missing."""
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**values) if values else text


def label(kind: str, code: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """Display name of a stored code, e.g. label('tier', 'gold', 'zh') -> '金卡'."""
    if code is None or code != code:  # None or NaN
        return t("value.missing", lang)
    key = f"value.{kind}.{code}"
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key)
    return text if text is not None else str(code)
