"""The English catalogue is complete, compiled, and covers the strings in the code.

Chinese is the msgid; `make messages` refreshes locale/*/django.po and compiles the .mo
files. These tests notice a string added without its English, a fuzzy guess left by
msgmerge, a .po edited without compiling, and a marked string the catalogue lacks (run
`make messages`, then translate).
"""

import ast
import gettext
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EN = ROOT / "locale" / "en" / "LC_MESSAGES"
APPS = ["catalog", "evaluation", "events", "grids", "integrations", "ningbo_grid", "personnel"]


def _string(lines: list[str], key: str) -> str | None:
    """The (concatenated) string of `key` ("msgid", "msgstr[0]", …) in one PO entry."""
    parts, inside = [], False
    for line in lines:
        if line.startswith(key + " "):
            inside = True
            parts.append(ast.literal_eval(line[len(key) + 1 :]))
        elif inside and line.startswith('"'):
            parts.append(ast.literal_eval(line))
        else:
            inside = False
    return "".join(parts) if parts else None


def catalogue(path: Path) -> list[dict]:
    """The entries of a PO file: msgid, msgid_plural, msgstrs, flags, context (msgctxt or
    None; obsolete ones left out)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = block.strip().splitlines()
        if any(line.startswith("#~") for line in lines):
            continue
        msgid = _string(lines, "msgid")
        if not msgid:  # the header
            continue
        plural = _string(lines, "msgid_plural")
        keys = ["msgstr"] if plural is None else ["msgstr[0]", "msgstr[1]"]
        strs = [_string(lines, key) for key in keys]
        flags = {f.strip() for line in lines if line.startswith("#,") for f in line[2:].split(",")}
        context = _string(lines, "msgctxt")
        entries.append({"msgid": msgid, "plural": plural, "msgstrs": strs, "flags": flags, "context": context})
    return entries


ENTRIES = catalogue(EN / "django.po")


def test_english_catalogue_has_no_empty_or_fuzzy_entries():
    empty = [e["msgid"] for e in ENTRIES if not all(e["msgstrs"])]
    fuzzy = [e["msgid"] for e in ENTRIES if "fuzzy" in e["flags"]]
    assert empty == [], f"{len(empty)} msgids without English in locale/en/LC_MESSAGES/django.po"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy entries (msgmerge guesses) to check and unmark"
    assert len(ENTRIES) > 1000


def test_english_translations_keep_the_placeholders():
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
    wrong = [
        e["msgid"]
        for e in ENTRIES
        if sorted(placeholder.findall(e["msgid"])) != sorted(placeholder.findall(e["msgstrs"][0] or ""))
        and not e["plural"]
    ]
    assert wrong == []


def test_compiled_catalogue_matches_the_po_file():
    with (EN / "django.mo").open("rb") as fh:
        mo = gettext.GNUTranslations(fh)

    def compiled(e):
        return mo.pgettext(e["context"], e["msgid"]) if e["context"] else mo.gettext(e["msgid"])

    stale = [e["msgid"] for e in ENTRIES if not e["plural"] and compiled(e) != e["msgstrs"][0]]
    assert stale == [], "run `make messages` (compilemessages) and commit the .mo file"


_TEMPLATE_TAG = re.compile(r"""{%\s*translate\s+(["'])(.+?)\1""")
_CALL = re.compile(r"""\b(?:_|gettext|gettext_lazy|_lazy|pgettext)\(\s*(["'])((?:(?!\1).)+)\1\s*[,)]""")


def _marked_strings():
    for path in (ROOT / "templates").rglob("*.html"):
        for match in _TEMPLATE_TAG.finditer(path.read_text(encoding="utf-8")):
            yield path, match.group(2)
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for match in _CALL.finditer(path.read_text(encoding="utf-8")):
                text = match.group(2)
                if re.search(r"[\u4e00-\u9fff]", text) and "\\" not in text:
                    yield path, text


def test_every_marked_chinese_string_is_in_the_catalogue():
    known = {e["msgid"] for e in ENTRIES}
    missing = sorted({f"{path.relative_to(ROOT)}: {text}" for path, text in _marked_strings() if text not in known})
    assert missing == [], "new strings: run `make messages` and add their English"


@pytest.mark.django_db
def test_workbench_in_english_has_english_navigation(client):
    from tests.scenario import make_staffed_grid

    staffed = make_staffed_grid()
    client.force_login(staffed.dispatcher_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    nav = html.split('id="ng-nav"', 1)[1].split("</nav>", 1)[0]
    for label in ("Workbench", "Events", "Sign out"):
        assert label in nav
    assert not re.search(r"[\u4e00-\u9fff]", nav.replace(">中文<", "><"))
    events = client.get("/events/queue/").content.decode()
    assert "Accept & dispatch" in events and "受理派遣" not in events


#: Full-width punctuation (curly quotes are English typography too, so they are allowed).
FULL_WIDTH = re.compile("[：，（）。；、！？]")


def test_english_translations_use_english_punctuation():
    wrong = [(e["msgid"], s) for e in ENTRIES for s in e["msgstrs"] if s and FULL_WIDTH.search(s)]
    assert wrong == []


def test_no_template_puts_a_full_width_colon_after_a_translated_label():
    """`{% translate "网格编码" %}：` showed "Grid code：" on English pages: the colon belongs
    inside the msgid (`{% translate "网格编码：" %}` → "Grid code: ")."""
    from tests.ui.test_form_rendering import template_lines

    assert template_lines(re.compile(r'\{% translate "[^"]*" %\}：')) == []
