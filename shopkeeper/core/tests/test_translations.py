"""The Simplified Chinese catalogue is complete: every message translated, none fuzzy, placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

PO_PATH = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# printf-style conversions as Python's % operator reads them: %s, %d, %(name)s, %.2f, %%.
PRINTF = re.compile(r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]")
# str.format fields: {name}, {0}, {name!r:>10}; doubled braces are literal.
BRACE = re.compile(r"(?<!\{)\{(?P<field>[^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


@pytest.fixture(scope="module")
def catalogue() -> list[polib.POEntry]:
    assert PO_PATH.is_file(), f"{PO_PATH} is missing; run `shopkeeper makemessages -l zh_Hans`"
    return [entry for entry in polib.pofile(str(PO_PATH)) if not entry.obsolete]


def _label(entry: polib.POEntry) -> str:
    return repr(entry.msgid) if not entry.msgctxt else f"{entry.msgid!r} (context {entry.msgctxt!r})"


def _failure(problem: str, offenders: list[str]) -> str:
    return f"{len(offenders)} {problem} in {PO_PATH.name}:\n  " + "\n  ".join(offenders)


def _placeholders(text: str, entry: polib.POEntry) -> tuple[list[str], set[str], set[str]]:
    """Positional printf conversions (in order), named printf keys, and str.format fields of ``text``."""
    positional: list[str] = []
    named: set[str] = set()
    if "python-format" in entry.flags or "%(" in text:
        for match in PRINTF.finditer(text):
            if match["name"] is not None:
                named.add(match["name"])
            elif "python-format" in entry.flags:  # a bare "%" is only a conversion in a python-format message
                positional.append(match.group())
    fields = {match["field"] for match in BRACE.finditer(text)} if "python-brace-format" in entry.flags else set()
    return positional, named, fields


def test_header_declares_one_plural_form() -> None:
    catalogue = polib.pofile(str(PO_PATH))
    assert not catalogue.metadata_is_fuzzy, "the header is marked fuzzy"
    assert catalogue.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"


def test_every_message_is_translated(catalogue: list[polib.POEntry]) -> None:
    offenders = []
    for entry in catalogue:
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            if not forms or sorted(forms) != [0] or not all(value.strip() for value in forms.values()):
                offenders.append(_label(entry))
        elif not entry.msgstr.strip():
            offenders.append(_label(entry))
    assert not offenders, _failure("untranslated (or wrongly pluralised) messages", offenders)


def test_no_message_is_fuzzy(catalogue: list[polib.POEntry]) -> None:
    offenders = [_label(entry) for entry in catalogue if "fuzzy" in entry.flags]
    assert not offenders, _failure("fuzzy messages", offenders)


def test_translations_keep_the_placeholders(catalogue: list[polib.POEntry]) -> None:
    offenders = []
    for entry in catalogue:
        # Chinese has one plural form, so msgstr[0] stands for the plural (general) wording.
        source = entry.msgid_plural or entry.msgid
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        want_positional, want_named, want_fields = _placeholders(source, entry)
        allowed_named = want_named | _placeholders(entry.msgid, entry)[1]
        for translation in translations:
            if not translation:
                continue  # reported by test_every_message_is_translated
            positional, named, fields = _placeholders(translation, entry)
            if positional != want_positional or not want_named <= named <= allowed_named or fields != want_fields:
                offenders.append(f"{_label(entry)} -> {translation!r}")
    assert not offenders, _failure("translations that lose, add or reorder placeholders", offenders)
