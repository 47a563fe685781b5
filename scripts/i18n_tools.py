"""Catalogue tooling: extraction, the pseudo-locale, and the check for unmarked texts.

Used by ``scripts/i18n.sh`` and by ``tests/test_i18n.py`` (docs/translation.md is the guide):

* :func:`extract_template` — every marked text of the code, read in-process with Babel's
  extractor and ``babel.cfg`` (what ``pybabel extract`` writes to ``locales/messages.pot``);
* :func:`pseudo_translate` / :func:`pseudo_catalogue` — the pseudo-locale ``qps``: every
  letter accented, every text 30–40 % longer, placeholders (``{name}``, ``%(n)s``), icons
  (``:material/home:``), Markdown links' targets, code and HTML kept intact, so a run in it
  shows untranslated texts (no accents) and layouts that cannot take longer texts;
* :func:`find_unmarked` — user-facing string literals in Streamlit calls that do not go
  through the translation layer.

Command line: ``python -m scripts.i18n_tools pseudo`` (re)writes the qps catalogue from the
template; ``python -m scripts.i18n_tools unmarked FILE…`` lists unmarked texts.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
MAPPING_FILE = ROOT / "babel.cfg"
LOCALES_DIR = ROOT / "locales"
TEMPLATE_FILE = LOCALES_DIR / "messages.pot"
PSEUDO_LOCALE = "qps"
COMMENT_TAGS = ("Translators:",)
PROJECT = "Supply-chain dashboard"

# ---- extraction ------------------------------------------------------------------------------


def extract_template(root: Path = ROOT, mapping_file: Path = MAPPING_FILE) -> Catalog:
    """The catalogue template of the code under ``root``: every marked text, with its
    context, plural and translator comments (Babel's default keywords, ``babel.cfg``)."""
    with mapping_file.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, filename=str(mapping_file))
    template = Catalog(project=PROJECT, charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
            str(root), method_map, options_map, keywords=DEFAULT_KEYWORDS,
            comment_tags=COMMENT_TAGS, strip_comment_tags=True):
        template.add(message, None, [(filename, lineno)], auto_comments=comments,
                     context=context)
    return template


def read_catalogue(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def write_catalogue(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=99, sort_output=False)


# ---- the pseudo-locale -----------------------------------------------------------------------

_ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "áƀçðéƒĝĥîĵķļɱñöƥʠŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖƤǪŔŠŢÛṼŴẊÝŽ",
)
#: what must reach the screen as written: format placeholders, icons and emoji shortcodes,
#: colour directives' openings, Markdown link targets, URLs, code spans, HTML tags and entities
_KEEP = re.compile(
    r"\{\{|\}\}|\{[^{}]*\}"                      # {name}, {n:,}, {{ }}
    r"|%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]"  # %(n)s, %s, %d, %%
    r"|:material/[a-z0-9_]+:|:[a-z0-9_+-]+:(?!\[)"  # :material/home:, :smile:
    r"|:[a-z]+\["                                # :red[ … ]
    r"|\]\([^)]*\)"                              # ](https://…)
    r"|https?://\S+|`[^`]*`|<[^>]*>|&#?\w+;"
)
_FILLER = "ļöŕéɱ îƥšûɱ ðöļöŕ šîţ åɱéţ çöñšéçţéţûŕ åðîƥîšçîñĝ éļîţ šéð ðö éîûšɱöð ţéɱƥöŕ "
#: the pseudo text is this much longer than the English one (inside 30–40 %)
PSEUDO_GROWTH = 0.35


def _visible_length(text: str) -> int:
    """The length a reader sees: placeholders and markup count as nothing."""
    return len(_KEEP.sub("", text))


def pseudo_translate(text: str) -> str:
    """``text`` with every letter accented and a tail of accented filler making it about
    35 % longer (placeholders, icons, link targets, code and HTML untouched)."""
    if not text.strip():
        return text
    parts: list[str] = []
    position = 0
    for match in _KEEP.finditer(text):
        parts.append(text[position:match.start()].translate(_ACCENTS))
        parts.append(match.group(0))
        position = match.end()
    parts.append(text[position:].translate(_ACCENTS))
    body = "".join(parts)
    stripped = body.rstrip()
    trailing = body[len(stripped):]
    visible = _visible_length(text)
    extra = max(2, round(visible * PSEUDO_GROWTH))
    pad = (_FILLER * (extra // len(_FILLER) + 1))[: extra - 1].rstrip()
    pad = pad + "·" * (extra - 1 - len(pad))
    return f"{stripped} {pad}{trailing}"


def pseudo_catalogue(template: Catalog) -> Catalog:
    """The qps catalogue of ``template``: every message pseudo-translated (two plural forms)."""
    catalog = Catalog(locale=None, project=PROJECT, charset="utf-8", fuzzy=False,
                      header_comment="# The pseudo-locale (qps): generated from the template by "
                                     "scripts/i18n_tools.py.\n# Do not edit: run "
                                     "`bash scripts/i18n.sh pseudo` instead.")
    catalog.language_team = "Pseudo-locale (generated by scripts/i18n_tools.py)"
    catalog._num_plurals, catalog._plural_expr = 2, "(n != 1)"  # English's rule
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            string: str | tuple[str, ...] = tuple(pseudo_translate(m) for m in message.id)
        else:
            string = pseudo_translate(message.id)
        catalog.add(message.id, string, message.locations, auto_comments=message.auto_comments,
                    context=message.context)
    return catalog


def write_pseudo_catalogue(template_file: Path = TEMPLATE_FILE,
                           locales_dir: Path = LOCALES_DIR) -> Path:
    """(Re)write ``locales/qps/LC_MESSAGES/messages.po`` from the template."""
    target = locales_dir / PSEUDO_LOCALE / "LC_MESSAGES" / "messages.po"
    catalog = pseudo_catalogue(read_catalogue(template_file))
    write_catalogue(catalog, target)
    # the header names the language and the plural rule (Babel knows no locale "qps")
    text = target.read_text(encoding="utf-8")
    text = re.sub(r'"(Language|Plural-Forms): [^"]*"\n', "", text)
    text = text.replace('"MIME-Version:', '"Language: qps\\n"\n'
                        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n"MIME-Version:', 1)
    target.write_text(text, encoding="utf-8")
    return target


# ---- the check for unmarked texts ------------------------------------------------------------

#: the translation layer's functions (ui.i18n) and the marker (reference.translation.N_)
MARKERS = frozenset({"_", "gettext", "ngettext", "pgettext", "npgettext", "N_"})
#: functions whose result is a data value shown as plain text (ui.components.plain)
DATA_VALUE = frozenset({"plain"})
#: Streamlit elements whose first positional argument is text the user reads
TEXT_FIRST = frozenset({
    "title", "header", "subheader", "caption", "markdown", "write", "text", "info", "warning",
    "error", "success", "toast", "badge", "button", "download_button", "link_button",
    "form_submit_button", "selectbox", "multiselect", "radio", "checkbox", "toggle", "pills",
    "segmented_control", "text_input", "text_area", "number_input", "date_input", "time_input",
    "slider", "select_slider", "color_picker", "file_uploader", "camera_input", "chat_input",
    "metric", "expander", "popover", "spinner", "status", "dialog",
    # st.column_config.*Column(label, help=…)
    "Column", "TextColumn", "NumberColumn", "CheckboxColumn", "SelectboxColumn",
    "MultiselectColumn", "DatetimeColumn", "DateColumn", "TimeColumn", "ListColumn",
    "LinkColumn", "ImageColumn", "JsonColumn", "LineChartColumn", "BarChartColumn",
    "AreaChartColumn", "ProgressColumn",
    # Altair: alt.Title("…"), alt.TitleParams("…") (axis, legend and tooltip titles: title=)
    "Title", "TitleParams",
})
#: the same elements called on a container held in a variable (``left.metric(…)``,
#: ``tab.button(…)``), whatever its name; ``write`` and ``text`` are left out (files have them)
CONTAINER_TEXT_FIRST = TEXT_FIRST - {"write", "text", "title", "Title", "TitleParams"} - {
    name for name in TEXT_FIRST if name.endswith("Column")}
#: chart methods whose text keywords are checked on any receiver (``chart.properties(title=…)``)
CHART_METHODS = frozenset({"properties", "configure_title", "configure_axis",
                           "configure_legend"})
#: receivers whose calls are log records for operators, not text for users
LOGGERS = frozenset({"log", "logger", "logging", "_log", "_logger", "LOG", "LOGGER"})
#: Streamlit elements whose first argument is a list of texts (tab labels)
TEXT_LIST_FIRST = frozenset({"tabs"})
#: keyword arguments that carry text the user reads, on any Streamlit or helper call
TEXT_KEYWORDS = frozenset({"label", "help", "title", "placeholder", "caption", "text",
                           "body", "page_title", "display_text", "empty_message"})
#: keyword arguments named like these carry text too (``x_title=``, ``series_label=``)
TEXT_KEYWORD_SUFFIXES = ("_title", "_label")
#: libraries whose calls show text: Streamlit, and Altair for chart, axis, legend and tooltip
#: titles (``alt.X("rate:Q", title=…)``, ``.properties(title=…)``)
UI_LIBRARIES = ("st", "alt")
#: our own display helpers → the positions of their arguments that are text the user reads
#: (keep this in step with ui/components.py and ui/charts.py)
HELPER_TEXT_ARGS: dict[str, tuple[int, ...]] = {
    "empty_state": (0, 1), "not_found": (0,), "Kpi": (0, 2), "bar_column": (0,),
    "cluster_comparison": (1, 2), "monthly_trend": (1, 2), "practice_scatter": (2, 4),
}
#: a line carrying this comment is left alone (a literal that is not for people to read)
PRAGMA = "i18n: ignore"
_NOT_TEXT = re.compile(r":material/[a-z0-9_]+:|:[a-z0-9_+-]+:|https?://\S+|<[^>]*>")


@dataclass(frozen=True)
class Unmarked:
    """A user-facing literal that does not go through the translation layer."""

    path: str
    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}: {self.text!r}"


def _is_text(value: str) -> bool:
    """Whether a literal holds words (not only icons, punctuation, numbers or markup)."""
    stripped = value.strip()
    if not stripped or stripped.startswith("<"):  # HTML or CSS for st.html / st.markdown
        return False
    return any(ch.isalpha() for ch in _NOT_TEXT.sub("", stripped))


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _root_name(func: ast.expr) -> str | None:
    """``st`` for ``st.sidebar.button`` / ``st.column_config.TextColumn``."""
    node = func
    while isinstance(node, ast.Attribute):
        node = node.value
    while isinstance(node, ast.Call):  # st.columns(2)[0].metric, st.container().button
        node = node.func
        while isinstance(node, ast.Attribute):
            node = node.value
    return node.id if isinstance(node, ast.Name) else None


class _Finder(ast.NodeVisitor):
    def __init__(self, path: str, lines: list[str], helpers: Mapping[str, tuple[int, ...]],
                 libraries: Collection[str]) -> None:
        self.path, self.lines = path, lines
        self.helpers, self.libraries = dict(helpers), set(libraries)
        self.found: list[Unmarked] = []

    def _report(self, node: ast.expr, text: str, reason: str) -> None:
        line = self.lines[node.lineno - 1] if 0 < node.lineno <= len(self.lines) else ""
        if PRAGMA not in line:
            self.found.append(Unmarked(self.path, node.lineno, text, reason))

    def _check(self, node: ast.expr | None) -> None:
        """Report the unmarked literal text in an argument expression."""
        if node is None:
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _is_text(node.value):
                self._report(node, node.value, "text not marked for translation")
        elif isinstance(node, ast.JoinedStr):
            literal = "".join(v.value for v in node.values
                              if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if _is_text(literal):
                self._report(node, literal, "f-string: use _(\"… {name} …\").format(name=…)")
        elif isinstance(node, ast.BinOp):
            self._check(node.left)
            self._check(node.right)
        elif isinstance(node, ast.IfExp):
            self._check(node.body)
            self._check(node.orelse)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self._check(value)
        elif isinstance(node, ast.Call):
            name = _call_name(node.func)
            if name == "format" and isinstance(node.func, ast.Attribute):
                self._check(node.func.value)  # "…".format(…) is as marked as its template
            elif name == "join" and isinstance(node.func, ast.Attribute):
                self._check(node.func.value)
                for arg in node.args:
                    self._check_items(arg)
        elif isinstance(node, (ast.List, ast.Tuple)):
            self._check_items(node)

    def _check_items(self, node: ast.expr) -> None:
        if isinstance(node, (ast.List, ast.Tuple)):
            for element in node.elts:
                self._check(element)

    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node.func)
        if name in MARKERS:
            for arg in node.args:
                if isinstance(arg, ast.JoinedStr):
                    self._report(arg, ast.unparse(arg), "f-string inside the translation call: "
                                 "the extractor cannot read it")
        elif name is not None and name not in DATA_VALUE:
            root = _root_name(node.func)
            is_library = root in self.libraries or (
                isinstance(node.func, ast.Attribute)
                and name in CONTAINER_TEXT_FIRST | CHART_METHODS and root not in LOGGERS)
            if is_library or name in self.helpers:
                positions = self.helpers.get(name, ())
                if is_library and name in TEXT_FIRST:
                    positions = (0,)
                for position in positions:
                    if position < len(node.args):
                        self._check(node.args[position])
                if node.args and is_library and name in TEXT_LIST_FIRST:
                    self._check_items(node.args[0])
                for keyword in node.keywords:
                    if keyword.arg is not None and (
                            keyword.arg in TEXT_KEYWORDS
                            or keyword.arg.endswith(TEXT_KEYWORD_SUFFIXES)):
                        self._check(keyword.value)
        self.generic_visit(node)


def find_unmarked(source: str, path: str = "<source>", *,
                  helpers: Mapping[str, tuple[int, ...]] | None = None,
                  libraries: Iterable[str] = UI_LIBRARIES) -> list[Unmarked]:
    """The user-facing literals in ``source`` that are not marked for translation.

    Looked at: the first argument of Streamlit text elements and widgets (``st.title``,
    ``st.button``, ``st.column_config.NumberColumn``…, whatever the container: ``st.sidebar``,
    a column), tab labels, and the ``label=``, ``help=``, ``title=``, ``placeholder=``,
    ``caption=``, ``…_title=``, ``…_label=`` keywords of any Streamlit or Altair call (chart,
    axis, legend and tooltip titles); and the text arguments of our own display ``helpers``
    (:data:`HELPER_TEXT_ARGS`: name → positions) and those keywords. Marked: a call of ``_``,
    ``gettext``, ``ngettext``, ``pgettext``, ``npgettext``, ``N_`` (its ``.format(...)`` too)
    or a data value through ``plain``; a variable is assumed marked where it was defined.
    Unmarked: a plain literal with words in it, an f-string with words in it (even around
    translated parts), a literal concatenated to a translated text, and an f-string *inside*
    ``_()``. Icons, punctuation, numbers and HTML are not text. A line with the comment
    ``# i18n: ignore`` is skipped.
    """
    tree = ast.parse(source, filename=path)
    finder = _Finder(path, source.splitlines(),
                     HELPER_TEXT_ARGS if helpers is None else helpers, libraries)
    finder.visit(tree)
    return finder.found


def find_unmarked_in_files(paths: Iterable[Path], *, root: Path = ROOT) -> list[Unmarked]:
    """:func:`find_unmarked` over files (paths in the findings relative to ``root``)."""
    found: list[Unmarked] = []
    for path in paths:
        found += find_unmarked(path.read_text(encoding="utf-8"),
                               str(path.resolve().relative_to(root)))
    return found


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["pseudo"]:
        print(write_pseudo_catalogue().relative_to(ROOT))
        return 0
    if args[:1] == ["unmarked"]:
        found = find_unmarked_in_files(Path(a) for a in args[1:])
        for item in found:
            print(item)
        return 1 if found else 0
    print("usage: python -m scripts.i18n_tools pseudo | unmarked FILE…", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
