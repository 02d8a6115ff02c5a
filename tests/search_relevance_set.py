"""The project's labelled relevance set over the demo catalog, by category
(issue 13): query → the titles that are relevant. An empty list means the
query must return nothing. Used by tests/test_search_relevance.py and
bench/search_relevance.py (recall@10, MRR and empty-result rate per
category, on the database backend and both engines)."""

from __future__ import annotations

GOUGU = ["勾股定理的证明：赵爽弦图", "勾股定理的逆定理及其应用", "勾股定理分层练习"]
ERCI = [
    "二次函数的图像与性质（一）",
    "用待定系数法求二次函数解析式",
    "《二次函数》单元教学设计",
]
YIYUAN = ["一元二次方程的解法——配方法", "一元二次方程复习课件"]

# The categories of a labelled set, in the order reports list them.
CATEGORIES = (
    "exact",
    "partial",
    "knowledge_point",
    "synonym",
    "pinyin_full",
    "pinyin_initials",
    "pinyin_prefix",
    "mixed",
    "typo",
    "traditional",
    "full_width",
    "english",
    "author_school",
    "grade_words",
    "long_question",
    "nothing",
)

RELEVANCE_SET: dict[str, list[tuple[str, list[str]]]] = {
    "exact": [
        ("勾股定理", GOUGU),
        ("欧姆定律", ["欧姆定律的探究实验"]),
        ("阿基米德原理", ["阿基米德原理"]),
        ("质量守恒定律", ["质量守恒定律"]),
        ("比热容", ["比热容"]),
        ("通分", ["通分"]),
        ("自由落体运动", ["自由落体运动"]),
        ("光合作用", ["光合作用的原料和产物"]),
    ],
    "partial": [
        ("函数图像", ["二次函数的图像与性质（一）", "一次函数的图像"]),
        ("圆面积", ["圆的面积公式推导", "圆的面积 课后练习"]),
        ("折射规律", ["光的折射规律"]),
        ("三角形内角和", ["三角形的内角和"]),
        ("声音传播", ["声音的产生与传播"]),
        ("透镜", ["凸透镜成像的规律"]),
        ("内角和", ["三角形的内角和"]),
    ],
    "knowledge_point": [
        ("配方法", ["一元二次方程的解法——配方法"]),
        ("平面镜成像", ["平面镜成像特点"]),
        ("光的反射", ["平面镜成像特点"]),
        ("浮力", ["浮力产生的原因", "阿基米德原理"]),
        ("电功率", ["电功率计算专项练习"]),
    ],
    "synonym": [
        ("毕达哥拉斯定理", GOUGU),
        ("毕氏定理", GOUGU),
    ],
    "pinyin_full": [
        ("gougudingli", GOUGU),
        ("oumudinglv", ["欧姆定律的探究实验"]),
        # 浮力 in pinyin: the same two lessons as 浮力 itself (knowledge_point).
        ("fuli", ["浮力产生的原因", "阿基米德原理"]),
        ("guanghezuoyong", ["光合作用的原料和产物"]),
    ],
    "pinyin_initials": [
        ("ggdl", GOUGU),
        ("gg dl", GOUGU),
        ("ghzy", ["光合作用的原料和产物"]),
        ("yyecfc", YIYUAN),
    ],
    "pinyin_prefix": [
        ("gougu", GOUGU),
        ("ercihanshu", ERCI),
        ("guanghe", ["光合作用的原料和产物"]),
        ("yiyuanerci", YIYUAN),
        ("ggdldz", ["勾股定理的证明：赵爽弦图"]),
        ("pingmianjing", ["平面镜成像特点"]),
    ],
    "mixed": [
        ("勾gu定理", GOUGU),
        ("ou姆定律", ["欧姆定律的探究实验"]),
        ("浮li", ["浮力产生的原因", "阿基米德原理"]),
        ("Excel 透视表", ["Excel 数据透视表入门"]),
        ("Unit 5 语法", ["Unit 5 语法专项练习：过去进行时"]),
    ],
    "typo": [
        ("勾股定里", GOUGU),
        ("欧母定律", ["欧姆定律的探究实验"]),
        ("光合做用", ["光合作用的原料和产物"]),
        ("二次函树", ERCI),
        ("牛顿第一定里", ["牛顿第一定律"]),
    ],
    "traditional": [
        ("歐姆定律", ["欧姆定律的探究实验"]),
        ("二次函數", ERCI),
        ("鴉片戰爭", ["鸦片战争 课件"]),
        ("質量守恆定律", ["质量守恒定律"]),
    ],
    "full_width": [
        ("ＥＸＣＥＬ　透视表", ["Excel 数据透视表入门"]),
        ("Ｕｎｉｔ ５ 语法", ["Unit 5 语法专项练习：过去进行时"]),
        ("ｐｈｏｎｉｃｓ", ["Phonics: short vowel a"]),
    ],
    "english": [
        ("Phonics", ["Phonics: short vowel a"]),
        ("excel", ["Excel 数据透视表入门"]),
        ("What would you like", ["Unit 3 What would you like? 课件"]),
    ],
    "author_school": [
        ("王芳 分数", ["分数的基本性质", "通分"]),
        ("张丽 光学", ["光的折射规律", "平面镜成像特点"]),
    ],
    "grade_words": [
        ("勾股定理 八年级", GOUGU),
        ("初二 勾股定理", GOUGU),
        ("九年级 二次函数", ERCI),
    ],
    "long_question": [
        ("怎样用配方法解一元二次方程并检验结果", YIYUAN),
        ("如何通过实验探究电流与电压电阻的关系欧姆定律", ["欧姆定律的探究实验"]),
    ],
    "nothing": [
        ("微积分基本定理", []),
        ("薛定谔方程的推导", []),
        ("区块链智能合约实验", []),
        ("拉普拉斯变换与复变函数", []),
        ("qwertyuiop", []),
    ],
}


def evaluate(labelled: dict, search, backend: str) -> tuple[dict, list[dict]]:
    """Runs every query of `labelled` ({category: [(query, relevant titles)]})
    on `backend` (`search(params, backend)` is search_lessons). Returns the
    figures per category (queries; recall@10: share of the relevant titles in
    the first ten, averaged; MRR: reciprocal rank of the first relevant title
    in the first ten; empty: share of queries that found nothing; for
    "nothing", recall and MRR are the share that found nothing) and one row
    per query (category, query, hit: its first relevant title in the first
    ten, or nothing found for "nothing"; rank; the first titles)."""
    figures, rows = {}, []
    for category, queries in labelled.items():
        recall = rr = empty = 0.0
        for query, relevant in queries:
            titles = [hit["title"] for hit in search({"q": query}, backend).hits]
            top = titles[:10]
            empty += not titles
            if relevant:
                rank = next((i for i, t in enumerate(top, 1) if t in relevant), None)
                recall += sum(t in top for t in relevant) / min(len(relevant), 10)
                rr += 1 / rank if rank else 0
                hit = rank is not None
            else:
                rank, hit = None, not titles
                recall += hit
                rr += hit
            rows.append(
                {
                    "category": category,
                    "query": query,
                    "hit": hit,
                    "rank": rank,
                    "top": top[:5],
                }
            )
        n = len(queries)
        figures[category] = {
            "queries": n,
            "recall@10": recall / n,
            "mrr": rr / n,
            "empty": empty / n,
        }
    return figures, rows


def measure(search, backend: str) -> dict[str, dict[str, float]]:
    """The figures per category of RELEVANCE_SET (evaluate)."""
    return evaluate(RELEVANCE_SET, search, backend)[0]
