"""The relevance catalog (issue 13): about 350 hand-written lessons across
小学/初中/高中 and eleven subjects, with their knowledge points, authors and
schools, over which tests/relevance_queries.py labels its queries.

Plain data: one lesson a line in tests/relevance_catalog_{primary,junior,
senior}.py (`subject|grade|type|title|knowledge points|author|tags|summary`, the
author without TEACHERS' `rc_`;
lists separated by `;`), knowledge points here as "parent: child, child"
under a "stage subject" line. `load_relevance_catalog()` loads it through the
demo's own code (knowledge-point import, `demo.seeding.seed_entries`: each
lesson added, revised and published like a demo lesson) inside
`index_updates_deferred`, so every index is rebuilt once at the end, not per
page. It is loaded instead of the demo: the labels name this catalog's titles
only.
"""

from __future__ import annotations

import csv
import io

from tests.relevance_catalog_junior import JUNIOR
from tests.relevance_catalog_primary import PRIMARY
from tests.relevance_catalog_senior import SENIOR

STAGE_NAMES = {"primary": "小学", "junior": "初中", "senior": "高中"}
SUBJECT_NAMES = {
    "chinese": "语文",
    "maths": "数学",
    "english": "英语",
    "physics": "物理",
    "chemistry": "化学",
    "biology": "生物",
    "history": "历史",
    "geography": "地理",
    "morality": "道德与法治",
    "politics": "思想政治",
    "science": "科学",
    "it": "信息技术",
}
TYPES = {
    "L": "micro_lesson",
    "CW": "courseware",
    "LP": "lesson_plan",
    "SG": "study_guide",
    "EX": "exercises",
}

# Rows of demo.USERS' shape: (username, full name, group, school, scopes).
TEACHERS = [
    ("rc_wang", "王芳", "教师", "东湖区实验小学", []),
    ("rc_chen", "陈静", "教师", "东湖区实验小学", []),
    ("rc_liu", "刘洋", "教师", "西山县城关小学", []),
    ("rc_li", "李强", "教师", "东湖区第一中学", []),
    ("rc_zhou", "周敏", "教师", "东湖区第一中学", []),
    ("rc_zhang", "张丽", "教师", "西山县第三初级中学", []),
    ("rc_zhao", "赵磊", "教师", "西山县第三初级中学", []),
    ("rc_sun", "孙伟", "教师", "西山县高级中学", []),
    ("rc_zheng", "郑雪", "教师", "西山县高级中学", []),
    ("rc_wu", "吴桐", "教师", "东湖区第一中学", []),
]

# Knowledge points beyond the demo's file (catalog/demo_data/knowledge_points.csv,
# primary and junior mathematics, junior physics), which is loaded first; a
# parent named here that the demo file has is the demo's point.
KNOWLEDGE_POINTS = """
primary chinese
  汉语拼音: 声母, 韵母
  识字与写字: 偏旁部首
  阅读: 古诗词, 寓言故事, 现代文阅读, 文言文, 名著阅读, 小说阅读
  习作: 看图写话, 写人作文, 状物作文, 缩写
  修辞手法: 比喻, 拟人, 排比, 夸张
primary maths
  数与代数: 常见的量
  常见的量: 认识钟表, 认识人民币, 克和千克
primary english
  语音: 自然拼读
  词汇: 颜色, 动物, 数字, 学习用品
  语法: 一般现在时, 现在进行时, 一般过去时
  交际用语: 问候, 问路, 购物
primary morality
  个人成长: 自我保护, 交通安全
  家庭生活: 孝敬父母, 家务劳动
  社会生活: 公共秩序, 网络安全, 热爱祖国
  法治教育: 宪法, 未成年人保护法
primary it
  计算机基础: 键盘与指法, 鼠标操作, 文字录入
  文字处理: 图文混排
  编程启蒙: Scratch编程, 算法初步
  网络应用: 浏览器与搜索
primary science
  物质科学: 水的三态变化, 磁铁, 简单电路, 声音
  生命科学: 植物的生长, 动物的一生
  地球与宇宙: 天气, 月相
junior chinese
  阅读: 散文阅读, 说明文阅读, 议论文阅读, 文言文阅读, 古诗词鉴赏, 名著导读
  写作: 记叙文写作, 议论文写作
  语言运用: 病句修改
junior english
  语法: 一般现在时, 现在进行时, 一般过去时, 一般将来时, 现在完成时, 被动语态, 宾语从句, 定语从句, 形容词比较级, There be句型
  阅读与写作: 阅读理解, 书面表达
  听说: 听力, 日常交际
junior physics
  电与磁: 电磁感应
junior chemistry
  物质的变化: 物理变化和化学变化
  空气和氧气: 空气的组成, 氧气的实验室制取
  水: 水的组成, 水的净化
  物质构成的奥秘: 分子和原子, 元素, 化学式与化合价
  化学方程式: 质量守恒定律, 化学方程式的书写
  碳和碳的氧化物: 二氧化碳的制取
  金属和金属材料: 金属的化学性质, 金属的锈蚀
  溶液: 溶解度
  酸和碱: 常见的酸, 中和反应
junior biology
  细胞: 显微镜的使用, 细胞的结构
  绿色植物: 种子的萌发, 光合作用, 呼吸作用, 蒸腾作用
  人体生理: 消化和吸收, 血液循环, 神经调节
  遗传与进化: 基因和DNA, 生物的进化
  生态: 食物链
junior history
  中国古代史: 秦统一中国, 丝绸之路, 三国鼎立, 科举制
  中国近代史: 鸦片战争, 洋务运动, 辛亥革命, 五四运动, 抗日战争
  世界史: 文艺复兴, 工业革命, 美国独立战争, 第二次世界大战
junior geography
  地球和地图: 地球的运动, 经纬网, 地图三要素, 等高线地形图
  世界地理: 七大洲四大洋, 世界气候类型, 板块构造
  中国地理: 中国的地形, 中国的气候, 中国的河流, 四大地理区域
junior morality
  成长的节拍: 青春期, 情绪管理, 友谊
  法治教育: 宪法, 权利和义务, 违法犯罪
  国情教育: 改革开放
junior it
  数据处理: 电子表格, 演示文稿
  程序设计: Python编程
  信息社会: 网络安全, 人工智能初步
senior chinese
  古代诗文: 先秦散文, 唐诗, 宋词, 文言文阅读, 诗歌鉴赏
  现代文: 小说阅读
  写作: 议论文写作
  整本书阅读: 红楼梦, 乡土中国
senior maths
  集合与函数: 集合, 函数的概念, 函数的单调性, 指数函数, 对数函数, 三角函数, 导数
  向量与复数: 平面向量, 空间向量, 复数
  数列: 等差数列, 等比数列
  解析几何: 直线与圆, 圆锥曲线
  圆锥曲线: 椭圆, 双曲线, 抛物线
  计数原理与概率: 排列组合, 二项式定理, 正态分布
senior english
  语法: 非谓语动词, 定语从句, 名词性从句, 虚拟语气, 倒装句
  写作: 读后续写, 应用文写作
  阅读: 阅读理解, 完形填空
senior physics
  运动与相互作用: 匀变速直线运动, 自由落体运动, 牛顿运动定律, 摩擦力
  曲线运动与万有引力: 平抛运动, 圆周运动, 万有引力定律
  机械能与动量: 动能定理, 机械能守恒定律, 动量守恒定律
  电场与电路: 库仑定律, 电场强度, 闭合电路欧姆定律
  电磁学: 洛伦兹力, 法拉第电磁感应定律, 楞次定律
senior chemistry
  化学基本概念: 物质的量, 离子方程式, 氧化还原反应
  物质结构: 元素周期律
  元素化合物: 钠及其化合物
  化学反应原理: 化学反应速率, 化学平衡, 原电池, 电解池, 盐类的水解
  有机化学: 乙醇, 苯
senior biology
  分子与细胞: 酶, ATP, 光合作用, 细胞呼吸, 有丝分裂, 减数分裂
  遗传与进化: 孟德尔遗传定律, 伴性遗传, DNA的结构, DNA的复制, 基因的表达
  稳态与调节: 激素调节, 免疫调节
  生物与环境: 种群, 生态系统的能量流动
senior history
  中国古代史: 先秦, 魏晋南北朝, 宋元, 明清
  中国近现代史: 鸦片战争, 新文化运动, 改革开放
  世界史: 新航路开辟, 启蒙运动, 十月革命, 冷战
senior geography
  自然地理: 地球的运动, 大气受热过程, 热力环流, 气压带和风带, 水循环, 洋流, 喀斯特地貌
  人文地理: 人口迁移, 城镇化, 农业区位
  地理技能: 地图判读
senior politics
  经济与社会: 社会主义市场经济
  政治与法治: 人民代表大会制度, 中国特色社会主义
  哲学与文化: 唯物辩证法, 认识论
senior it
  数据与计算: Python编程, 算法, 数据处理
  信息系统与社会: 信息系统, 人工智能
"""


def _lessons(stage: str, text: str) -> list[tuple]:
    """Rows of demo ENTRIES' shape from one stage's lines."""
    rows = []
    for line in text.strip().splitlines():
        subject, grade, rtype, title, points, author, tags, summary = (
            part.strip() for part in line.split("|")
        )
        rows.append(
            (
                stage,
                subject,
                grade,
                TYPES[rtype],
                title,
                [p for p in points.split(";") if p],
                2025,
                False,
                f"rc_{author}",
                [t for t in tags.split(";") if t],
                summary,
            )
        )
    return rows


LESSONS = (
    _lessons("primary", PRIMARY)
    + _lessons("junior", JUNIOR)
    + _lessons("senior", SENIOR)
)


def knowledge_point_rows(existing: dict[tuple[str, str, str], str]) -> list[dict]:
    """CSV rows (catalog.knowledge_import's columns) for KNOWLEDGE_POINTS;
    `existing` maps (stage, subject, name) to the code of a point already
    in the database."""
    rows, codes = [], dict(existing)
    stage = subject = ""
    for line in KNOWLEDGE_POINTS.strip().splitlines():
        if not line.startswith(" "):
            stage, subject = line.split()
            continue
        parent, children = line.strip().split(":")
        for name in [parent] + [c.strip() for c in children.split(",")]:
            key = (stage, subject, name)
            if key in codes:
                continue
            codes[key] = f"RC-{stage[0].upper()}-{subject}-{len(codes):03d}"
            rows.append(
                {
                    "code": codes[key],
                    "name": name,
                    "parent_code": ""
                    if name == parent
                    else codes[(stage, subject, parent)],
                    "stage": STAGE_NAMES[stage],
                    "subject": SUBJECT_NAMES[subject],
                }
            )
    return rows


def load_relevance_catalog() -> dict:
    """Taxonomy, the demo's and the catalog's knowledge points, the teachers
    and every lesson, published; the indexes rebuilt once at the end. Returns
    the teachers by username."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from wagtail.signal_handlers import disable_reference_index_auto_update

    from catalog.demo_data import KNOWLEDGE_POINTS_CSV
    from catalog.knowledge_import import import_knowledge_points
    from catalog.models import KnowledgePoint
    from catalog.seeding import seed_page_tree, seed_taxonomy
    from demo.seeding import seed_entries
    from search.services import index_updates_deferred

    codes = {v: k for k, v in STAGE_NAMES.items()}
    subjects = {v: k for k, v in SUBJECT_NAMES.items()}
    # Wagtail's reference index (the admin's "usage" counts) is no part of
    # search; keeping it up to date took a third of the load.
    with (
        transaction.atomic(),
        index_updates_deferred(),
        disable_reference_index_auto_update(),
    ):
        seed_taxonomy()
        seed_page_tree()
        import_knowledge_points(
            KNOWLEDGE_POINTS_CSV.name, KNOWLEDGE_POINTS_CSV.read_bytes()
        )
        existing = {
            (codes[stage], subjects[subject], name): code
            for code, name, stage, subject in KnowledgePoint.objects.values_list(
                "code", "name", "stage__name", "subject__name"
            )
            if stage in codes and subject in subjects
        }
        out = io.StringIO()
        writer = csv.DictWriter(
            out, ["code", "name", "parent_code", "stage", "subject"]
        )
        writer.writeheader()
        writer.writerows(knowledge_point_rows(existing))
        import_knowledge_points("relevance.csv", out.getvalue().encode())
        users = {}
        for username, name, _group, _school, _scopes in TEACHERS:
            user = get_user_model()(username=username, first_name=name)
            user.set_unusable_password()
            user.save()
            users[username] = user
        seed_entries(users, entries=LESSONS, people=TEACHERS, slug_prefix="rel")
    return users
