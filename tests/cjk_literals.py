"""Finds Chinese string literals in the project's Python sources.

User-facing text is English in the code (the gettext msgid) with its Chinese
in the app's .po file; a Chinese literal in a module is a translation kept in
the wrong place. Allowed: docstrings and comments (documentation), migrations,
and data: demo and curriculum data, the names of groups and languages, the
site's name, word lists of the Chinese text analysis — listed below with why.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "alliance",
    "catalog",
    "dashboard",
    "exchange",
    "demo",
    "ingest",
    "media_pipeline",
    "portal",
    "search",
    "text_analysis",
    "tools",
    "weike",
)
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Folders of data (any file under them).
DATA_FOLDERS = {"migrations", "demo_data"}

# Files that are data as a whole, with why.
DATA_FILES = {
    # The demo's own content: the slides, narration and PDFs seed_demo draws.
    "demo/media.py",
    "demo/media_seeding.py",
    # The Chinese column names a bureau's metadata sheet may have (input, not UI).
    "ingest/library_sheet.py",
    # The CELTS-42 vocabulary (resource types, taxon source names) written into
    # LOM records for other platforms: exchange data, the same in every UI.
    "exchange/records.py",
}

# (path, literal) pairs that are data, not interface text.
ALLOWED = {
    # Group names: rows in the database, created by a data migration.
    ("alliance/roles.py", "教师"),
    ("alliance/roles.py", "学科编辑"),
    ("alliance/roles.py", "教育局"),
    ("alliance/roles.py", "管理员"),
    ("dashboard/permissions.py", "教育局"),
    ("dashboard/permissions.py", "管理员"),
    # Languages are named in their own language; the site's own name.
    ("weike/settings/base.py", "简体中文"),
    ("weike/settings/base.py", "微课联盟资源库"),
    ("catalog/seeding.py", "微课联盟资源库"),
    ("catalog/seeding.py", "全市中小学微课与同步教学资源的汇聚、评选与共享平台。"),
    # Examples in English help texts are Chinese data.
    (
        "catalog/models/taxonomy.py",
        "Other names searchers use, separated by spaces (e.g. 思品 政治).",
    ),
    ("catalog/models/taxonomy.py", "e.g. 八年级下册"),
    # Parsing Chinese input: a volume name ends with 册; chapter numerals.
    ("catalog/knowledge_import.py", "册"),
    ("portal/selectors.py", "第([零一二三四五六七八九十百\\d]+)[章单元节课]"),
    ("portal/selectors.py", "零一二三四五六七八九"),
    ("portal/selectors.py", "百"),
    ("portal/selectors.py", "十"),
    # Stop words of the Chinese analysis.
    ("text_analysis/chinese.py", "的 了 和 与 及 在 是 之 或 等 中 课 一个"),
    # Question words, no evidence of a topic in the relaxed pass.
    ("text_analysis/chinese.py", "为什么 为何 怎么 怎样 怎么样 如何 什么 哪些"),
    ("text_analysis/chinese.py", "哪个 哪里 多少 是否 能否 吗 呢 吧 看起来 一下"),
    # Quota labels in the bureau's own words, like the taxonomy's names.
    ("dashboard/models.py", "微课"),
    ("dashboard/models.py", "同步教学资源"),
    ("dashboard/models.py", "课件"),
    ("dashboard/models.py", "教案"),
    ("dashboard/models.py", "学案"),
    ("dashboard/models.py", "习题"),
    ("dashboard/models.py", "经典游戏范例"),
    ("dashboard/models.py", "初高中"),
    ("dashboard/models.py", "精品"),
    # A sheet row without a resource type is a micro-lesson (the type's name).
    ("ingest/library_import.py", "微课"),
    # Examples in English help texts and messages are Chinese data.
    (
        "ingest/management/commands/import_library.py",
        "The sheet cannot be read (XLSX or CSV with a 标题 column).",
    ),
    (
        "search/models.py",
        "Words or phrases that mean the same, one per line (or separated by "
        "commas or slashes), e.g. 勾股定理 and 毕达哥拉斯定理.",
    ),
}


def _docstrings(tree) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(
            node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
        ):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                found.add(id(body[0].value))
    return found


def _allowed(relative: str, value: str) -> bool:
    return (relative, value) in ALLOWED


def cjk_literals(root: Path = ROOT, apps=APPS) -> list[str]:
    """ "path:line: 'literal'" for each Chinese string literal not allowed."""
    found = []
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if DATA_FOLDERS & set(path.relative_to(root).parts):
                continue
            if relative in DATA_FILES:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docstrings = _docstrings(tree)
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in docstrings
                    and CJK.search(node.value)
                    and not _allowed(relative, node.value)
                ):
                    found.append(f"{relative}:{node.lineno}: {node.value!r}")
    return sorted(found)
