"""The translation catalogues in locale/ (docs/decisions.md "Translations"): how they are built
(``scripts/messages``) and read back (eventhub/tests/test_translations.py)."""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.commands.makemessages import Command as MakeMessages

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
DOMAINS = ("django", "djangojs")
IGNORE = [".venv", ".git", "var", "node_modules", "static/vendor", "bench", "docs", "deploy", "*/tests/*"]
# German always; any other language with a catalogue too (an English override of a library's
# string, say).
REQUIRED_LANGUAGES = ("de",)


class _Messages(MakeMessages):
    """makemessages writing into ``into`` (the tests' copy) instead of the locale/ it finds."""

    def __init__(self, into: Path | None = None) -> None:
        super().__init__()
        self.into = into

    def find_files(self, root: str) -> list[Any]:
        files = super().find_files(root)
        if self.into is not None:
            self.locale_paths = [str(self.into)]  # where the .pot files are looked for
            for found in files:
                found.locale_dir = str(self.into)
        return files


class _JavaScriptMessages(_Messages):
    """Also the app's ``t()`` and ``tn()`` (static/app/lib/i18n.js)."""

    xgettext_options = [*MakeMessages.xgettext_options, "--keyword=t", "--keyword=tn:1,2"]


def languages(locale_root: Path = LOCALE) -> list[str]:
    """The catalogues to extract into: every translation, never English — the source language,
    whose catalogue only overrides third-party wordings by hand (allauth's "Sign In" → "Sign
    in"): extraction would drop those, their msgids being in no source of ours."""
    present = {p.name for p in locale_root.iterdir() if (p / "LC_MESSAGES").is_dir()} if locale_root.is_dir() else set()
    return sorted((set(REQUIRED_LANGUAGES) | present) - {"en"})


def make_messages(locale_root: Path = LOCALE) -> None:
    """Extract every marked string of the project into the catalogues under ``locale_root``:
    file references only, no line numbers, so a diff shows strings."""
    into = None if locale_root == LOCALE else locale_root
    common = {
        "locale": languages(locale_root),
        "ignore_patterns": IGNORE,
        "add_location": "file",
        "no_obsolete": True,
        "no_wrap": True,
        "verbosity": 0,
    }
    call_command(_Messages(into), domain="django", **common)
    call_command(_JavaScriptMessages(into), domain="djangojs", **common)


def compile_messages() -> None:
    call_command("compilemessages", verbosity=0, ignore_patterns=IGNORE)


@dataclass
class Entry:
    msgid: str
    msgid_plural: str = ""
    msgstrs: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    fuzzy: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.msgstrs) and all(self.msgstrs)


_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _unquote(line: str) -> str:
    match = _STRING.search(line)
    return match.group(1).encode().decode("unicode_escape").encode("latin-1").decode() if match else ""


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (no header), enough for checks: ids, translations, flags, files."""
    entries: list[Entry] = []
    files: list[str] = []
    fuzzy = False
    current: Entry | None = None
    target: tuple[str, int] | None = None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line or line.startswith("#~"):
            if current is not None and current.msgid:
                entries.append(current)
            current, target = None, None
            continue
        if line.startswith("#:"):
            files.extend(line[2:].split())
        elif line.startswith("#,"):
            fuzzy = "fuzzy" in line
        elif line.startswith("msgid_plural"):
            assert current is not None
            current.msgid_plural = _unquote(line)
            target = ("msgid_plural", 0)
        elif line.startswith("msgid"):
            current = Entry(msgid=_unquote(line), files=files, fuzzy=fuzzy)
            files, fuzzy, target = [], False, ("msgid", 0)
        elif line.startswith("msgstr"):
            assert current is not None
            index = int(line[7]) if line.startswith("msgstr[") else 0
            current.msgstrs.append(_unquote(line))
            target = ("msgstr", index)
        elif line.startswith('"') and current is not None and target is not None:
            kind, index = target
            if kind == "msgid":
                current.msgid += _unquote(line)
            elif kind == "msgid_plural":
                current.msgid_plural += _unquote(line)
            else:
                current.msgstrs[index] += _unquote(line)
    return entries
