"""backup_site / restore_site refuse what they must before touching anything
(the drill itself runs on the production stack: tests/test_prod_stack.py)."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation


def write_backup(folder, files: dict[str, bytes], **manifest) -> None:
    (folder / "files").mkdir(parents=True)
    entries = []
    for name, data in files.items():
        (folder / "files" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "files" / name).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        entries.append({"name": name, "size": len(data), "sha256": digest})
    (folder / "database.pgc").write_bytes(b"PGDMP")
    body = {"format": 1, "database": "database.pgc", "files": entries, **manifest}
    (folder / "manifest.json").write_text(json.dumps(body))


def refusal(*args, language="en") -> str:
    with translation.override(language), pytest.raises(CommandError) as refused:
        call_command(*args)
    return str(refused.value)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "originals/../../../root/.ssh/id_rsa",
        "renditions\\..\\..\\x",
        "a\x00b",
        "./manifest.json",
        "",
    ],
)
def test_restore_refuses_a_manifest_naming_files_outside_the_backup(tmp_path, name):
    write_backup(tmp_path, {})
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["files"] = [{"name": name, "size": 1, "sha256": "0" * 64}]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert "Refused the unsafe file name" in refusal("restore_site", str(tmp_path))


def test_restore_refuses_a_dump_outside_the_backup(tmp_path):
    write_backup(tmp_path, {}, database="../other/database.pgc")
    assert "unsafe file name" in refusal("restore_site", str(tmp_path))


def test_restore_refuses_a_damaged_backup_in_the_users_language(tmp_path):
    write_backup(tmp_path, {"originals/2026/a.mp4": b"x" * 100})
    (tmp_path / "files" / "originals/2026/a.mp4").write_bytes(b"y" * 100)
    assert refusal("restore_site", str(tmp_path)) == (
        "The backup is damaged: originals/2026/a.mp4."
    )
    message = refusal("restore_site", str(tmp_path), language="zh-hans")
    assert message == "备份已损坏：originals/2026/a.mp4。"


@pytest.mark.parametrize("manifest", [None, "not json", '{"files": [{"name": 1}]}'])
def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path, manifest):
    if manifest is not None:
        (tmp_path / "manifest.json").write_text(manifest)
    assert "is not a Weike backup" in refusal("restore_site", str(tmp_path))


def test_backup_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    assert refusal("backup_site", str(tmp_path)) == (
        f"The folder {tmp_path} is not empty."
    )
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
