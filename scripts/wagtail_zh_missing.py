"""Checks the supplementary Simplified Chinese catalogues of the Wagtail admin.

Wagtail ships zh_Hans catalogues in which part of the strings are missing, empty
or fuzzy. The project supplies them in its own .po files, which are the only
source (no Python table):

    weike/locale/zh_Hans/LC_MESSAGES/django.po
    locale/zh_Hans/LC_MESSAGES/djangojs.po

The weike app is installed before the Wagtail apps, so its catalogue wins.
The admin's JavaScript catalogue is built only from wagtail/admin/locale and
LOCALE_PATHS, so the djangojs file goes to the project's locale/ folder.
This script reads Wagtail's English catalogues (every msgid) and its zh_Hans
ones, and reports the strings neither Wagtail nor our .po translates, and our
translations whose placeholders differ from the msgid. After upgrading
Wagtail, run it with --add to append the new strings with an empty msgstr at
the end of our .po, translate them there, then `make messages`:

    .venv/bin/python scripts/wagtail_zh_missing.py [--list] [--add] [--strict]

Standard library only.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "weike" / "locale" / "zh_Hans" / "LC_MESSAGES"
# Wagtail's admin jsi18n view reads LOCALE_PATHS, not other apps' catalogues.
OUT_DIRS = {"django": OUT_DIR, "djangojs": ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"}

# Wagtail apps (relative to the wagtail package) whose catalogues are completed;
# "" is wagtail core (wagtail/locale).
APPS = (
    "admin",
    "",
    "snippets",
    "users",
    "documents",
    "images",
    "contrib/settings",
    "embeds",
    "sites",
    "contrib/redirects",
    "contrib/forms",
)
DOMAINS = {"django": APPS, "djangojs": ("admin",)}
KEPT_FLAGS = ("python-format", "python-brace-format")


# --------------------------------------------------------------------------
# A small .po reader
# --------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def translated(self) -> bool:
        return (
            not self.obsolete
            and "fuzzy" not in self.flags
            and bool(self.msgstr)
            and all(self.msgstr)
        )


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a"}
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$")


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a quoted string: {text!r}")
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file (the header entry included, msgid "")."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None  # the field continuation lines extend

    def finish() -> None:
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    lines = path.read_text(encoding="utf-8").splitlines()
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if line.startswith("|"):  # previous msgid of an obsolete entry
                continue
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if target is not None and target[0] == "msgstr":
                finish()
            if line.startswith("#,"):
                entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        try:
            match = _KEYWORD.match(line)
            if match:
                keyword, index, value = match.groups()
                if keyword in ("msgctxt", "msgid") and target and target[0] == "msgstr":
                    finish()
                entry.obsolete = entry.obsolete or obsolete
                text = _unquote(value)
                if keyword.startswith("msgstr"):
                    idx = int(index) if index is not None else 0
                    while len(entry.msgstr) <= idx:
                        entry.msgstr.append("")
                    entry.msgstr[idx], target = text, ("msgstr", idx)
                else:
                    setattr(entry, keyword, text)
                    target = (keyword, 0)
            elif line.startswith('"') and target is not None:
                name, idx = target
                if name == "msgstr":
                    entry.msgstr[idx] += _unquote(line)
                else:
                    setattr(entry, name, getattr(entry, name) + _unquote(line))
            else:
                raise ValueError(f"unexpected line: {raw!r}")
        except ValueError as exc:
            raise ValueError(f"{path}:{lineno}: {exc}") from None
    finish()
    return entries


# --------------------------------------------------------------------------
# Finding what is missing
# --------------------------------------------------------------------------


def wagtail_dir() -> Path:
    spec = importlib.util.find_spec("wagtail")
    if spec is None or not spec.submodule_search_locations:
        candidates = sorted(ROOT.glob(".venv/lib/python*/site-packages/wagtail"))
        if not candidates:
            sys.exit("wagtail is not installed; run with the project's venv python")
        return candidates[0]
    return Path(next(iter(spec.submodule_search_locations)))


def wagtail_version(base: Path) -> str:
    text = (base / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r"^VERSION = \((\d+), (\d+), (\d+)", text, re.M)
    return ".".join(match.groups()) if match else "?"


def catalogue(base: Path, app: str, lang: str, domain: str) -> Path:
    return base / app / "locale" / lang / "LC_MESSAGES" / f"{domain}.po"


@dataclass
class Missing:
    entry: Entry
    apps: list[str]


def find_missing(base: Path, domain: str) -> dict[tuple[str | None, str], Missing]:
    """English entries with no usable zh_Hans translation, in catalogue order."""
    missing: dict[tuple[str | None, str], Missing] = {}
    for app in DOMAINS[domain]:
        english = catalogue(base, app, "en", domain)
        if not english.exists():
            continue
        chinese = catalogue(base, app, "zh_Hans", domain)
        done = set()
        if chinese.exists():
            done = {e.key for e in parse_po(chinese) if e.msgid and e.translated}
        label = "wagtail" + ("." + app.replace("/", ".") if app else "")
        for entry in parse_po(english):
            if not entry.msgid or entry.obsolete or entry.key in done:
                continue
            if entry.key in missing:
                missing[entry.key].apps.append(label)
                missing[entry.key].entry.flags |= entry.flags
            else:
                missing[entry.key] = Missing(entry, [label])
    return missing


# --------------------------------------------------------------------------
# Table look-up and checks
# --------------------------------------------------------------------------


def load_table(path: Path) -> dict:
    """Our translations: table_key → msgstr, read from our .po file."""
    if not path.exists():
        return {}
    return {
        table_key(e): e.msgstr[0] for e in parse_po(path) if e.msgid and e.translated
    }


def table_key(entry: Entry) -> str | tuple[str, str]:
    """msgid, (msgid, msgid_plural) for plurals; "ctxt\\x04msgid" with a context."""
    msgid = (
        entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
    )
    return msgid if entry.msgid_plural is None else (msgid, entry.msgid_plural)


_PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]"  # %(name)s
    r"|%[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]"  # %s, %d
    r"|%%"
    r"|\{\{.*?\}\}"  # {{ value }}
    r"|\{[\w.\[\]]*(?:![rsa])?(?::[^{}]*)?\}"  # {name}, {0}, {}
    r"|</?[A-Za-z][^<>]*>"  # HTML tags
)


def placeholders(text: str) -> Counter:
    return Counter(_PLACEHOLDER.findall(text))


def check(entry: Entry, msgstr: str) -> list[str]:
    problems = []
    source = entry.msgid_plural if entry.msgid_plural is not None else entry.msgid
    want, got = placeholders(source), placeholders(msgstr)
    extra, lacking = got - want, want - got
    if entry.msgid_plural is not None:
        # msgstr[0] serves every count: it may use the singular's placeholders too.
        extra -= placeholders(entry.msgid)
    if extra:
        problems.append(f"unexpected {sorted(extra)}")
    if lacking:
        problems.append(f"lacks {sorted(lacking)}")
    if not msgstr.strip():
        problems.append("empty translation")
    if source.endswith("\n") != msgstr.endswith("\n"):
        problems.append("trailing newline differs from msgid")
    return problems


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\t", "\\t")
        .replace("\r", "\\r")
        .replace("\n", "\\n")
    )
    return f'"{escaped}"'


def _field(keyword: str, text: str) -> str:
    lines = text.splitlines(keepends=True)
    if len(lines) <= 1:
        return f"{keyword} {_quote(text)}\n"
    return f'{keyword} ""\n' + "".join(f"{_quote(line)}\n" for line in lines)


def render(entry: Entry, apps: list[str], msgstr: str) -> str:
    out = [f"#. {', '.join(apps)}\n"]
    flags = [flag for flag in KEPT_FLAGS if flag in entry.flags]
    if flags:
        out.append(f"#, {', '.join(flags)}\n")
    if entry.msgctxt is not None:
        out.append(_field("msgctxt", entry.msgctxt))
    out.append(_field("msgid", entry.msgid))
    if entry.msgid_plural is not None:
        out.append(_field("msgid_plural", entry.msgid_plural))
        out.append(_field("msgstr[0]", msgstr))
    else:
        out.append(_field("msgstr", msgstr))
    return "".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--list", action="store_true", help="print the missing msgids and exit"
    )
    parser.add_argument(
        "--add",
        action="store_true",
        help="append untranslated msgids (empty msgstr) to the end of our .po",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail if a missing msgid has no translation in our .po",
    )
    args = parser.parse_args()

    base = wagtail_dir()
    version = wagtail_version(base)
    failed = False

    for domain in DOMAINS:
        missing = find_missing(base, domain)
        if args.list:
            for item in missing.values():
                print(f"{domain}\t{table_key(item.entry)!r}")
            continue
        path = OUT_DIRS[domain] / f"{domain}.po"
        table = load_table(path)
        stubs, untranslated = [], []
        for item in missing.values():
            key = table_key(item.entry)
            msgstr = table.get(key)
            if msgstr is None:
                untranslated.append(key)
                stubs.append(render(item.entry, item.apps, ""))
                continue
            problems = check(item.entry, msgstr)
            if problems:
                failed = True
                print(f"{domain}: {key!r}: {'; '.join(problems)}", file=sys.stderr)
        if args.add and stubs:
            with path.open("a", encoding="utf-8") as po:
                po.write("\n" + "".join(stubs))
        print(
            f"{domain}: {len(missing)} missing in Wagtail {version}, "
            f"{len(missing) - len(untranslated)} translated in {path.name}, "
            f"{len(untranslated)} left untranslated"
        )
        for key in untranslated:
            print(f"  untranslated: {key!r}", file=sys.stderr)
        failed = failed or (args.strict and bool(untranslated))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
