"""The shape of the house: pages draw, the core computes, only ui.py imports streamlit,
values are bound, and the README and CI agree."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from crm_core import contract

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "pages").glob("*.py"))
CORE = sorted((ROOT / "crm_core").rglob("*.py"))
SQL_WORDS = re.compile(r"\b(select|insert|update|delete|create|drop)\b[\s\S]*\b(from|into|table|set)\b", re.I)


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_pages_never_import_duckdb_or_hold_sql() -> None:
    assert PAGES
    for page in [*PAGES, ROOT / "app.py"]:
        assert "duckdb" not in imports(page), page
        for text in string_constants(page):
            assert not SQL_WORDS.search(text), f"{page.name} holds SQL: {text[:60]!r}"


def test_only_ui_imports_streamlit() -> None:
    offenders = [p.name for p in CORE if "streamlit" in imports(p) and p.name != "ui.py"]
    assert offenders == []


def test_core_sql_puts_no_value_into_text() -> None:
    """f-strings that build SQL may only interpolate identifiers from allow-lists (names of
    tables and marts declared in code), never values; this lists every such place."""
    allowed = {
        "crm_core/build.py": {"name", "t", "sql"},
        "crm_core/ui.py": {"table_name"},  # checked against contract.RAW_TABLE_NAMES first
        # predicate: built from FIELDS templates, values bound; source: a name from SOURCES;
        # indent, alias: whitespace and a table alias ([a-z_]+) of a `-- @filtered_rows` line of
        # the query file itself
        "crm_core/segments.py": {"predicate", "source", "indent", "alias"},
        "crm_core/contract.py": {"t.name", "cols", "', '.join(t.key)", "c.name", "c.sql_type"},
        "crm_core/clv.py": {"name", "columns_sql"},  # name checked against SCORE_TABLES; columns constant
        # import: target column and table names from the contract and FOREIGN_KEYS, source
        # columns by generated position (c0, c1 ...), and SQL fragments built from those; a
        # file's headers and values never enter SQL text (tests/test_import.py feeds hostile ones)
        "crm_core/importer.py": {
            "' and '.join((f'{k} is not null' for k in key))",
            "', '.join(cols)",
            "', '.join(exprs)",
            "', '.join(parts)",
            *("cancelled", "ccol", "channel", "child", "col", "cols", "cond", "first", "good", "line_no"),
            *("lines_sql", "n", "name", "new_keys", "parent", "pcol", "product", "raw", "sql", "status"),
            *("t.name", "tkey[0]", "tmp", "type_reason", "written"),
        },
        # health: contract names, plus the constant names of the two tables the build stores
        "crm_core/health.py": {
            "ccol",
            "child",
            "col",
            "keys",
            "parent",
            "parts",
            "pcol",
            "t.name",
            "STORED_TABLES",
            "STORED_COLUMNS",
            "name",
            "code",  # an integer key's dense number: its column names and $params (duplicate_keys)
        },
    }
    for path in CORE:
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if not SQL_WORDS.search(literal):
                continue
            fields = {ast.unparse(v.value) for v in node.values if isinstance(v, ast.FormattedValue)}
            assert fields <= allowed.get(rel, set()), (
                f"{rel}:{node.lineno} interpolates {fields - allowed.get(rel, set())}"
            )


def test_every_mart_states_its_grain() -> None:
    for sql in sorted((ROOT / "crm_core" / "sql").glob("*/*.sql")):
        if sql.parent.name in {"marts", "staging", "intermediate"}:
            assert sql.read_text(encoding="utf-8").startswith("-- grain: one row per"), sql.name


def test_every_page_is_registered_in_the_router() -> None:
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    for page in PAGES:
        assert f'"pages/{page.name}"' in app, page.name


def test_readme_commands_are_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [ln.strip() for ln in ci.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    assert "make test" in commands
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    test_recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    for step in ("pytest", "browser-deps", "lint", "typecheck"):
        assert step in test_recipe, step
    assert "ruff check" in makefile and "ruff format --check" in makefile and "mypy crm_core" in makefile


def test_streamlit_config_is_private_by_default() -> None:
    import tomllib

    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["server"]["address"] == "127.0.0.1"
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["client"]["toolbarMode"] == "viewer"


def test_the_server_watches_no_files() -> None:
    """Streamlit's default watcher (recursive over the app's folder, .venv included) overflowed
    its inotify queue and re-walked the tree in a loop: an idle server used a whole core."""
    import tomllib

    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["server"]["fileWatcherType"] == "none"
    assert cfg["server"]["runOnSave"] is False


def test_no_full_garbage_collection_after_every_run() -> None:
    """Streamlit's default gc.collect(2) after each script run took ~200 ms of every rerun once
    the CLV model's libraries were loaded (a rerun served from the cache: ~190 -> ~70 ms)."""
    import tomllib

    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["runner"]["postScriptGC"] is False


def test_magic_is_off_and_no_script_relies_on_it() -> None:
    """Streamlit's magic rewrites a script's syntax tree before compiling it (~100 ms a run for
    app.py and a page under AppTest, which compiles on every run). Off, a bare expression would
    silently show nothing: none may exist outside a docstring's place."""
    import ast
    import tomllib

    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["runner"]["magicEnabled"] is False
    scripts = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    assert len(scripts) > 5
    bare = []
    for path in scripts:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for parent in ast.walk(tree):
            body = getattr(parent, "body", None)
            if not isinstance(body, list):
                continue
            for i, node in enumerate(body):
                if not isinstance(node, ast.Expr) or isinstance(node.value, (ast.Call, ast.Await)):
                    continue
                docstring = (
                    i == 0
                    and isinstance(parent, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                    and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)
                )
                if not docstring:
                    bare.append(f"{path.name}:{node.lineno}")
    assert bare == [], f"bare expressions (shown only with magic on): {bare}"


def test_data_model_doc_covers_the_contract() -> None:
    doc = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    for t in contract.RAW_TABLES:
        assert f"### `{t.name}`" in doc, t.name
        section = doc.split(f"### `{t.name}`", 1)[1].split("\n### ", 1)[0]
        for c in t.columns:
            assert f"| `{c.name}` |" in section, f"{t.name}.{c.name}"


def test_page_urls_equal_their_file_names() -> None:
    """On a fresh server Streamlit routes a deep link by file name until st.navigation has run."""
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    for file, url in re.findall(r'st\.Page\("pages/([a-z_]+)\.py".*?url_path="([a-z_]+)"', app):
        assert file == url


def test_placeholders_are_filled_all_and_only() -> None:
    """db.load_filled writes in every `{placeholder}` of a query (allow-listed text from the caller)
    and refuses a part the query does not name or a placeholder left without one."""
    from crm_core import db

    sql = db.load_filled("clv_by", breakdown_value="clv.clv_tier", breakdown_join="")
    assert "{" not in sql and "clv.clv_tier as breakdown_value" in sql
    with pytest.raises(ValueError, match="placeholders"):
        db.load_filled("clv_by", breakdown_value="clv.clv_tier")
    with pytest.raises(ValueError, match="placeholders"):
        db.load_filled("clv_by", breakdown_value="x", breakdown_join="", sort="y")
