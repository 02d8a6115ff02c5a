"""Writes a django.po from a {msgid: msgstr} table kept in Python.

Used for the hand-kept Chinese catalogues: the table is the source, the .po is
generated (and compiled by `make messages`).
"""

import sys
from pathlib import Path

HEADER = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: zh_Hans\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

"""


def quote(text: str) -> str:
    return (
        '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    )


def write_po(path: Path, table: dict, plurals: dict | None = None) -> None:
    parts = [HEADER]
    for msgid, msgstr in table.items():
        parts.append(f"msgid {quote(msgid)}\nmsgstr {quote(msgstr)}\n\n")
    for (singular, plural), msgstr in (plurals or {}).items():
        parts.append(
            f"msgid {quote(singular)}\nmsgid_plural {quote(plural)}\n"
            f"msgstr[0] {quote(msgstr)}\n\n"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(parts), encoding="utf-8")


if __name__ == "__main__":
    sys.exit("import write_po from the app's translations module")
