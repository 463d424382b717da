"""The catalogues in locale/ are current, compiled and complete (docs/decisions.md
"Translations"). A failure here: run ``scripts/messages``, translate what it left empty or
fuzzy in locale/de/LC_MESSAGES/*.po, run it again and commit the .po and .mo files."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

from eventhub import translations
from eventhub.translations import DOMAINS, LOCALE, Entry, read_po

# Where every string must be translated into German. The first pass covered these; the second
# (after the portal, agenda and ticketing work lands) widens it to everything: ("",).
TRANSLATED = (
    "accounts/",
    "events/public/",
    "templates/_language_switcher.html",
    "templates/allauth/",
    "templates/app/",
    "templates/io/",
    "templates/public/",
    "static/app/",
    "eventhub/errors.py",
    "eventhub/images.py",
    "eventhub/bodylimit.py",
    "eventhub/webapp.py",
    "eventhub/jsonbody.py",
    "eventhub/lanes.py",
    "eventhub/cache.py",
    "eventhub/headers.py",
    "eventhub/models.py",
)


def _catalogues() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


def _in_scope(entry: Entry) -> bool:
    return any(path.startswith(TRANSLATED) for path in entry.files)


def test_german_ships_both_catalogues():
    assert {p.stem for p in (LOCALE / "de" / "LC_MESSAGES").glob("*.po")} == set(DOMAINS)


@pytest.mark.parametrize("po", _catalogues(), ids=lambda p: f"{p.parts[-3]}/{p.name}")
def test_compiled_catalogue_matches_its_source(po: Path, tmp_path: Path):
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run scripts/messages"
    fresh = tmp_path / "fresh.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(po)], check=True)
    with mo.open("rb") as committed, fresh.open("rb") as compiled:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(compiled)._catalog, (  # type: ignore[attr-defined]
            f"{mo} is older than {po.name}: run scripts/messages --compile"
        )


@pytest.mark.parametrize("domain", DOMAINS)
def test_german_is_complete_where_marked(domain: str):
    entries = [e for e in read_po(LOCALE / "de" / "LC_MESSAGES" / f"{domain}.po") if _in_scope(e)]
    assert entries, "nothing in scope: is the catalogue built with file references?"
    untranslated = [e.msgid for e in entries if not e.translated]
    fuzzy = [e.msgid for e in entries if e.fuzzy]
    assert not untranslated, f"untranslated in {domain}.po: {untranslated}"
    assert not fuzzy, f"fuzzy in {domain}.po: {fuzzy}"


def test_catalogues_hold_every_string_the_code_marks(tmp_path: Path):
    """Extracting afresh (into a copy) finds no string the committed catalogues lack, nor one
    they keep that the code no longer says."""
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE, copy)
    translations.make_messages(copy)
    for po in _catalogues():
        relative = po.relative_to(LOCALE)
        committed = {(e.msgid, e.msgid_plural) for e in read_po(po)}
        extracted = {(e.msgid, e.msgid_plural) for e in read_po(copy / relative)}
        assert extracted - committed == set(), f"{relative} lacks strings: run scripts/messages"
        assert committed - extracted == set(), f"{relative} keeps strings no code says: run scripts/messages"
