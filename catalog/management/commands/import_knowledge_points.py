from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.knowledge_import import ImportRefused, import_knowledge_points


class Command(BaseCommand):
    help = (
        "导入知识点（CSV、XLSX、JSON），按编码更新 / "
        "Import knowledge points, upserting by code."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="检查并报告，不写入 / check and report without writing",
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"找不到文件 {file} (file not found)")
        try:
            result = import_knowledge_points(
                file.name, file.read_bytes(), dry_run=dry_run
            )
        except ImportRefused as refused:
            for error in refused.result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"文件被拒绝，共 {len(refused.result.errors)} 处错误，未写入任何数据 "
                f"(file refused: {len(refused.result.errors)} errors, nothing written)"
            ) from None
        prefix = "[试运行 dry run] " if dry_run else ""
        self.stdout.write(
            f"{prefix}新增 {len(result.created)}，更新 {len(result.updated)}，"
            f"未变 {len(result.unchanged)}，教材位置新增 {result.placements_created} "
            f"(created {len(result.created)}, updated {len(result.updated)}, "
            f"unchanged {len(result.unchanged)}, "
            f"placements created {result.placements_created})"
        )
