"""Demo data: a realistic city alliance (taxonomy, places, people, lessons)."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
KNOWLEDGE_POINTS_CSV = DATA_DIR / "knowledge_points.csv"

# (code, name, English name)
STAGES = [
    ("preschool", "学前", "Preschool"),
    ("primary", "小学", "Primary"),
    ("junior", "初中", "Junior secondary"),
    ("senior", "高中", "Senior secondary"),
    ("vocational", "中职", "Vocational"),
]

# (code, name, English name, stage codes, synonyms)
SUBJECTS = [
    ("chinese", "语文", "Chinese", "primary junior senior vocational", "国文"),
    ("maths", "数学", "Mathematics", "primary junior senior vocational", "算术 奥数"),
    ("english", "英语", "English", "primary junior senior vocational", "外语"),
    ("physics", "物理", "Physics", "junior senior", ""),
    ("chemistry", "化学", "Chemistry", "junior senior", ""),
    ("biology", "生物", "Biology", "junior senior", "生物学"),
    ("history", "历史", "History", "junior senior", ""),
    ("geography", "地理", "Geography", "junior senior", ""),
    ("morality", "道德与法治", "Morality and Law", "primary junior", "思品 品德"),
    ("politics", "思想政治", "Ideology and Politics", "senior vocational", "政治"),
    ("science", "科学", "Science", "preschool primary", ""),
    (
        "it",
        "信息技术",
        "Information Technology",
        "primary junior senior vocational",
        "信息科技 计算机",
    ),
    ("tech", "通用技术", "General Technology", "senior", ""),
    ("music", "音乐", "Music", "primary junior senior", ""),
    ("art", "美术", "Art", "primary junior senior", ""),
    ("pe", "体育与健康", "PE and Health", "primary junior senior vocational", "体育"),
    ("health", "健康", "Health", "preschool", ""),
    ("language", "语言", "Language", "preschool", ""),
    ("society", "社会", "Society", "preschool", ""),
    ("arts", "艺术", "Arts", "preschool", ""),
    ("vocational-skills", "专业技能", "Vocational skills", "vocational", "专业课"),
]

# (code, name, English name, stage code)
GRADES = [
    ("k1", "小班", "Nursery", "preschool"),
    ("k2", "中班", "Lower kindergarten", "preschool"),
    ("k3", "大班", "Upper kindergarten", "preschool"),
    ("g1", "一年级", "Grade 1", "primary"),
    ("g2", "二年级", "Grade 2", "primary"),
    ("g3", "三年级", "Grade 3", "primary"),
    ("g4", "四年级", "Grade 4", "primary"),
    ("g5", "五年级", "Grade 5", "primary"),
    ("g6", "六年级", "Grade 6", "primary"),
    ("g7", "七年级", "Grade 7", "junior"),
    ("g8", "八年级", "Grade 8", "junior"),
    ("g9", "九年级", "Grade 9", "junior"),
    ("g10", "高一", "Grade 10", "senior"),
    ("g11", "高二", "Grade 11", "senior"),
    ("g12", "高三", "Grade 12", "senior"),
    ("v1", "中职一年级", "Vocational year 1", "vocational"),
    ("v2", "中职二年级", "Vocational year 2", "vocational"),
    ("v3", "中职三年级", "Vocational year 3", "vocational"),
]

EDITIONS = [
    ("pep", "人教版", "People's Education Press"),
    ("bnu", "北师大版", "Beijing Normal University Press"),
    ("su", "苏教版", "Jiangsu Education Press"),
    ("tongbian", "统编版", "Unified national edition"),
    ("fltrp", "外研版", "FLTRP"),
]

# (code, name, [(school name, stage codes)])
DISTRICTS = [
    (
        "donghu",
        "东湖区",
        [
            ("东湖区实验小学", "primary"),
            ("东湖区第一中学", "junior senior"),
            ("东湖区第二幼儿园", "preschool"),
        ],
    ),
    (
        "xishan",
        "西山县",
        [
            ("西山县城关小学", "primary"),
            ("西山县高级中学", "senior"),
            ("西山县职业技术学校", "vocational"),
            ("西山县第三初级中学", "junior"),
        ],
    ),
]

# (username, full name, group, school, scopes as "stage:subject")
USERS = [
    ("admin", "系统管理员", "管理员", None, []),
    ("bureau", "电教馆 陈主任", "教育局", None, []),
    (
        "editor_math",
        "赵敏（数学学科负责人）",
        "学科编辑",
        "东湖区第一中学",
        ["primary:maths", "junior:maths"],
    ),
    (
        "editor_physics",
        "孙伟（物理学科负责人）",
        "学科编辑",
        "西山县高级中学",
        ["junior:physics", "senior:physics"],
    ),
    ("teacher_wang", "王芳", "教师", "东湖区实验小学", []),
    ("teacher_li", "李强", "教师", "东湖区第一中学", []),
    ("teacher_zhang", "张丽", "教师", "西山县第三初级中学", []),
]
DEMO_PASSWORD = "weike-demo"
