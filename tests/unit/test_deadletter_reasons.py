"""Dead-letter reasons mean what they say, and the README's reason table lists exactly those the code gives."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import orjson
import pytest

from workers import errors
from workers.stages.extract import ExtractConfig, run

ROOT = Path(__file__).resolve().parents[2]


def reason(html: str) -> str:
    with pytest.raises(errors.StageError) as failed:
        run(orjson.dumps({"id": "r", "html": html}), ExtractConfig())
    return failed.value.reason


@pytest.mark.parametrize("html", ["<p>a</p>", "<div>menu</div><div>login</div>",
                                  "<html><body><nav>Home</nav></body></html>"])
def test_markup_that_parses_but_holds_no_main_text_is_no_content(html: str) -> None:
    assert reason(html) == "no_content"


@pytest.mark.parametrize("html", ["just words, no markup at all", "%PDF-1.7\x00\x01\x02\x03" * 20 + "<p>",
                                  "<!-- a comment and nothing else -->"])
def test_only_what_cannot_be_parsed_as_html_is_not_html(html: str) -> None:
    assert reason(html) == "not_html"


def emitted_reasons() -> set[str]:
    """Reasons a `StageError` is raised or built with anywhere in `workers/`: a `reason=` literal (or a
    local bound to literals), else the class's default."""
    classes = {name: cls for name, cls in vars(errors).items()
               if isinstance(cls, type) and issubclass(cls, errors.StageError)}
    found: set[str] = set()
    for path in (ROOT / "workers").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]:
            bound = {target.id: node.value for node in ast.walk(function) if isinstance(node, ast.Assign)
                     for target in node.targets if isinstance(target, ast.Name)}
            for call in [n for n in ast.walk(function) if isinstance(n, ast.Call)]:
                name = call.func.id if isinstance(call.func, ast.Name) else None
                if name not in classes:
                    continue
                given = next((k.value for k in call.keywords if k.arg == "reason"), None)
                if isinstance(given, ast.Name):
                    given = bound[given.id]
                if given is None:
                    found.add(classes[name].reason)
                else:
                    found |= literals(given)
    return found


def literals(node: ast.expr) -> set[str]:
    """`"a"` -> {a}; `"a" if ... else "b"` -> {a, b}."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return literals(node.body) | literals(node.orelse)
    return set()


def test_the_readme_reason_table_lists_exactly_the_reasons_the_code_gives() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Dead letter, `articles.deadletter`**", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", section, flags=re.MULTILINE))
    assert documented == emitted_reasons()
