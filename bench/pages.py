"""Every page the app registers, found in app.py's st.navigation list (or the pages/ folder).

Nothing here names a page: pages added later are benchmarked and browser-tested without edits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_PAGE = re.compile(r'st\.Page\(\s*"(?P<path>pages/[A-Za-z0-9_]+\.py)"')
_URL_PATH = re.compile(r'url_path\s*=\s*"(?P<url>[^"]*)"')


@dataclass(frozen=True)
class AppPage:
    path: str  # "pages/overview.py", as AppTest.switch_page wants it
    url_path: str  # "overview": the page's address under the server's root
    default: bool

    @property
    def address(self) -> str:
        """The path to open in a browser: the default page lives at the root (Streamlit treats
        /<its url_path> as an unknown page once st.navigation has run, and logs an error)."""
        return "" if self.default else self.url_path

    @property
    def name(self) -> str:
        return Path(self.path).stem


def discover(root: Path = ROOT) -> list[AppPage]:
    """The pages of app.py's st.navigation, in menu order; the pages/ folder if none are found."""
    text = (root / "app.py").read_text(encoding="utf-8")
    found: list[AppPage] = []
    matches = list(_PAGE.finditer(text))
    for m, after in zip(matches, [*matches[1:], None], strict=True):
        args = text[m.end() : after.start() if after else len(text)]  # this st.Page's arguments
        url = _URL_PATH.search(args)
        stem = Path(m.group("path")).stem
        found.append(AppPage(m.group("path"), url.group("url") if url else stem, "default=True" in args))
    if not found:
        found = [AppPage(f"pages/{p.name}", p.stem, False) for p in sorted((root / "pages").glob("*.py"))]
    return found


def sections(pages: list[AppPage]) -> list[tuple[AppPage, str | None]]:
    """(page, None) for every page, then (page, section) for each section of a tabbed page other
    than its default one (ui.PAGE_TABS)."""
    from crm_core import ui

    out: list[tuple[AppPage, str | None]] = []
    for page in pages:
        out.append((page, None))
        out.extend((page, code) for code in ui.PAGE_TABS.get(page.name, ())[1:])
    return out
