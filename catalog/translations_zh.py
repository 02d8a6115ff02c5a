"""Chinese catalogue for the catalog app (source of locale/zh_Hans/.../django.po).

Regenerate the .po with `python catalog/translations_zh.py`.
"""

ZH = {
    "Catalog": "资源目录",
    "Taxonomy": "分类体系",
    "code": "编码",
    "name": "名称",
    "English name": "英文名称",
    "parent": "上级",
    "stage": "学段",
    "stages": "学段",
    "subject": "学科",
    "subjects": "学科",
    "grade": "年级",
    "grades": "年级",
    "sort order": "排序",
    "knowledge point": "知识点",
    "knowledge points": "知识点",
    "A knowledge point cannot be its own ancestor.": "知识点不能成为自己的上级。",
    "edition": "教材版本",
    "textbook edition": "教材版本",
    "textbook editions": "教材版本",
    "unit": "单元",
    "units": "单元",
    "parent unit": "所属单元",
    "title": "标题",
    "volume": "册",
    "e.g. 八年级下册": "例如 八年级下册",
    "textbook": "教材",
    "textbooks": "教材",
    "placement in a textbook": "教材位置",
    "placements in textbooks": "教材位置",
    "district": "区县",
    "districts": "区县",
    "school": "学校",
    "schools": "学校",
    "synonyms": "同义词",
    "Other names searchers use, separated by spaces (e.g. 思品 政治).": (
        "检索时常用的其他名称，用空格分隔（如 思品 政治）。"
    ),
    "Micro-lesson": "微课",
    "Courseware": "课件",
    "Lesson plan": "教案",
    "Study guide": "学案",
    "Exercises": "习题",
    "Game example": "经典游戏范例",
    "CC BY 4.0": "知识共享 署名 4.0",
    "CC BY-NC 4.0": "知识共享 署名-非商业性使用 4.0",
    "CC BY-NC-SA 4.0": "知识共享 署名-非商业性使用-相同方式共享 4.0",
    "Alliance members only": "仅限联盟成员使用",
    "All rights reserved": "保留所有权利",
    "introduction": "简介",
    "home page": "首页",
    "stage page": "学段页",
    "subject page": "学科页",
    "%(subject)s is not taught in %(stage)s.": "%(stage)s不开设%(subject)s。",
    "summary": "内容简介",
    "resource type": "资源类型",
    "author": "作者",
    "Filled from the school when left empty.": "留空时按学校自动填写。",
    "academic year": "学年",
    "The year the academic year starts, e.g. 2025 for 2025–2026.": (
        "学年开始的年份，例如 2025 表示 2025–2026 学年。"
    ),
    "licence": "授权方式",
    "quality pick": "精品微课",
    "Quality pick": "精品微课",
    "quality pick designated by": "精品评定人",
    "quality pick designated at": "精品评定时间",
    "Attachments": "附件",
    "attachment": "附件",
    "attachments": "附件",
    "document": "文档",
    "catalog entry": "资源",
    "catalog entries": "资源",
    "This resource type is not allowed here.": "此处不允许该资源类型。",
    "The grade does not belong to the page's stage.": "所选年级不属于该学段。",
    "video": "视频",
    "micro-lesson": "微课",
    "micro-lessons": "微课",
    "teaching resource": "教学资源",
    "teaching resources": "教学资源",
    "Knowledge-point file": "知识点文件",
    "CSV, XLSX or JSON; see docs/knowledge-import.md for the columns.": (
        "CSV、XLSX 或 JSON 文件；列说明见 docs/knowledge-import.md。"
    ),
    "Import knowledge points": "导入知识点",
    "The previewed file has expired; upload it again.": "预览的文件已过期，请重新上传。",
    "Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.": (
        "导入完成：新增 %(created)d 个，更新 %(updated)d 个，未变 %(unchanged)d 个。"
    ),
    "Columns: code, name, parent_code, stage, subject, grade, edition, unit. The "
    "whole file is refused when any row is bad; nothing is written until you "
    "confirm.": (
        "列：code、name、parent_code、stage、subject、grade、edition、unit。"
        "任何一行有误，整个文件都会被拒绝；确认之前不会写入任何数据。"
    ),
    "The file was refused": "文件被拒绝",
    "Line": "行号",
    "Reason": "原因",
    "Preview": "预览",
    "%(created)s to create, %(updated)s to update, %(unchanged)s unchanged.": (
        "将新增 %(created)s 个，更新 %(updated)s 个，%(unchanged)s 个不变。"
    ),
    "Confirm import": "确认导入",
    "Upload a file": "上传文件",
}

if __name__ == "__main__":
    import sys
    from pathlib import Path

    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent / "scripts"))
    from write_po import write_po

    write_po(here / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po", ZH)
