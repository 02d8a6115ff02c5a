"""The labelled relevance set over the relevance catalog (issue 13):
queries by category, written as teachers type them, each with every catalog
title a teacher typing it would want (tests/relevance_catalog.py).

One query a line, `query => title | title | $GROUP`; nothing after `=>`
means the query must return nothing. `$NAME` stands for GROUPS[NAME], the
lessons of one topic several queries share. Labels say what is relevant, not
what a backend returns: a query a backend gets wrong stays, and is either
fixed in search/ or text_analysis/ or listed in KNOWN_MISSES with the reason.
"""

from __future__ import annotations

from tests.search_relevance_set import CATEGORIES
from tests.search_relevance_set import evaluate as evaluate_set

GROUPS = {
    "GOUGU": ["勾股定理在生活中的应用", "勾股定理的证明方法"],
    "OHM": [
        "欧姆定律计算专项练习",
        "探究电流与电压、电阻的关系",
        "伏安法测电阻",
        "闭合电路的欧姆定律",
    ],
    "OHM_JUNIOR": [
        "欧姆定律计算专项练习",
        "探究电流与电压、电阻的关系",
        "伏安法测电阻",
    ],
    "FULI": ["浮力的大小：阿基米德原理", "物体的浮沉条件"],
    "GUANGHE": [
        "绿叶在光下制造有机物",
        "光合作用的原料和产物",
        "光合作用的光反应与暗反应",
    ],
    "YAPIAN": ["第一次鸦片战争与《南京条约》", "第二次鸦片战争", "两次鸦片战争"],
    "ERCI": [
        "二次函数的图像与性质",
        "二次函数与一元二次方程的关系",
        "中考数学压轴题：二次函数综合",
    ],
    "YIYUAN": [
        "一元二次方程根的判别式",
        "公式法解一元二次方程",
        "配方法解一元二次方程",
        "二次函数与一元二次方程的关系",
    ],
    "DIANCI": [
        "电磁感应现象与发电机",
        "法拉第电磁感应定律",
        "楞次定律：感应电流的方向",
    ],
    "HUXI": ["呼吸作用释放能量", "有氧呼吸的三个阶段"],
    "DNA": [
        "基因控制生物的性状",
        "DNA 分子的双螺旋结构",
        "DNA 的半保留复制",
        "基因的表达：转录和翻译",
    ],
    "PYTHON": [
        "Python 编程入门：变量与输入输出",
        "Python 的 for 循环",
        "Python 中的列表与字典",
        "用 Python 处理 Excel 数据",
        "二分查找算法",
        "冒泡排序算法的实现",
    ],
    "SCRATCH": ["Scratch 编程：让小猫动起来", "Scratch 循环积木画正多边形"],
    "SANJIAO": [
        "三角函数的诱导公式",
        "正弦函数的图像与性质",
        "锐角三角函数：正弦与余弦",
    ],
    "WENYAN": [
        "《司马光》小古文初读",
        "小升初文言文阅读专项练习",
        "《论语》十二章",
        "《桃花源记》翻译与理解",
        "《岳阳楼记》",
        "《劝学》中的比喻论证",
        "《赤壁赋》的主客问答",
        "《归去来兮辞》",
        "高考文言文断句专项训练",
    ],
    "XIUCI": [
        "比喻句的认识与仿写",
        "拟人句：让事物活起来",
        "排比句的妙用",
        "夸张手法的运用",
    ],
    "JINDAI": [
        "第一次鸦片战争与《南京条约》",
        "第二次鸦片战争",
        "洋务运动：自强与求富",
        "辛亥革命与中华民国的建立",
        "五四运动",
        "全民族抗战与抗日战争的胜利",
        "两次鸦片战争",
        "新文化运动",
    ],
    "GUSHI_PRIMARY": [
        "《咏鹅》朗读与背诵",
        "《登鹳雀楼》古诗赏析",
        "《西江月·夜行黄沙道中》",
    ],
    "EXCEL": [
        "Excel 公式与函数：求和与平均值",
        "Excel 图表的制作",
        "用 Python 处理 Excel 数据",
    ],
}

QUERIES = {
    "exact": """
勾股定理 => $GOUGU
欧姆定律 => $OHM
阿基米德原理 => 浮力的大小：阿基米德原理
质量守恒定律 => 质量守恒定律的探究
光合作用 => $GUANGHE
鸦片战争 => $YAPIAN
鸡兔同笼 => 鸡兔同笼问题的列表法与假设法
比热容 => 比热容的理解与应用
凸透镜成像 => 凸透镜成像规律的实验探究
中和反应 => 酸和碱的中和反应
电磁感应 => $DIANCI
二次函数 => $ERCI
一元二次方程 => $YIYUAN
桃花源记 => 《桃花源记》翻译与理解
岳阳楼记 => 《岳阳楼记》
红楼梦 => 《红楼梦》人物关系梳理
有丝分裂 => 有丝分裂各时期的特点
减数分裂 => 减数分裂与受精作用
洋流 => 洋流的分布与影响
冒泡排序 => 冒泡排序算法的实现
二分查找 => 二分查找算法
辛亥革命 => 辛亥革命与中华民国的建立
五四运动 => 五四运动
植树问题 => 植树问题：两端都栽
蚕的一生 => 蚕的一生
垂径定理 => 垂径定理
动量守恒定律 => 动量守恒定律
楞次定律 => 楞次定律：感应电流的方向
喀斯特地貌 => 喀斯特地貌
宪法 => 宪法是根本法 | 宪法是国家的根本大法
等差数列 => 等差数列的前n项和
""",
    "partial": """
函数图像 => 二次函数的图像与性质 | 正比例函数的图像 | 一次函数的图像与性质 | 反比例函数的图像与性质 | 指数函数的图像与性质 | 正弦函数的图像与性质
三角形面积 => 三角形的面积
平行四边形面积 => 平行四边形面积公式推导
折射现象 => 光的折射现象
反射定律 => 光的反射定律
浮沉条件 => 物体的浮沉条件
液体压强 => 液体压强的特点
化学方程式书写 => 如何正确书写化学方程式
氧气制取 => 实验室制取氧气
二氧化碳制取 => 二氧化碳的实验室制取
水的净化 => 水的净化：过滤与蒸馏
细胞结构 => 植物细胞的结构
种子萌发 => 种子萌发的环境条件
血液循环 => 血液循环：体循环与肺循环
食物链 => 生态系统中的食物链和食物网
能量流动 => 生态系统的能量流动
气候类型 => 世界主要气候类型
等高线 => 等高线地形图的判读 | 高考地理等值线判读专项
工业革命 => 第一次工业革命
科举 => 隋唐时期的科举制
丝绸之路 => 张骞通西域与丝绸之路
运算定律 => 乘法运算定律：交换律与结合律 | 加法交换律和加法结合律
乘法交换律 => 乘法运算定律：交换律与结合律
统计图 => 条形统计图的绘制 | 折线统计图 | 扇形统计图
诱导公式 => 三角函数的诱导公式
标准方程 => 椭圆及其标准方程 | 抛物线及其标准方程
排列组合 => 排列与组合
""",
    "knowledge_point": """
简单机械 => 杠杆的平衡条件 | 滑轮组的绕线与省力
浮力 => $FULI
压强 => 液体压强的特点 | 大气压强与托里拆利实验
声现象 => 声音的特性：音调、响度和音色 | 声音的产生与传播
透镜及其应用 => 凸透镜成像规律的实验探究
物态变化 => 熔化和凝固：晶体与非晶体
功和机械能 => 功率的计算 | 动能和势能的相互转化
运动和力 => 牛顿第一定律与惯性 | 二力平衡的条件
电功率 => 测量小灯泡的电功率 | 焦耳定律与电热
内能 => 分子热运动与扩散现象 | 比热容的理解与应用
圆锥曲线 => 椭圆及其标准方程 | 双曲线的几何性质 | 抛物线及其标准方程
数列 => 等差数列的前n项和 | 等比数列的通项公式
稳态与调节 => 体液免疫与细胞免疫 | 血糖平衡的调节
化学反应原理 => 影响化学反应速率的因素 | 化学平衡的移动：勒夏特列原理 | 原电池的工作原理 | 电解池与电镀 | 盐类的水解
有机化学 => 乙醇的结构与性质 | 苯的结构与性质
中国近代史 => $JINDAI
人文地理 => 人口迁移的影响因素 | 城镇化的进程与问题 | 农业区位因素
修辞手法 => $XIUCI
汉语拼音 => 单韵母 a o e 的发音 | 声母 b p m f 的认读
法治教育 => 宪法是根本法 | 未成年人受特殊保护 | 宪法是国家的根本大法 | 公民的基本权利和义务 | 预防违法犯罪
常见的量 => 认识钟表：整时与半时 | 认识人民币 课件 | 克和千克的认识
编程启蒙 => $SCRATCH
整本书阅读 => 《乡土中国》整本书阅读 | 《红楼梦》人物关系梳理
名著导读 => 《朝花夕拾》名著导读 | 《红星照耀中国》名著导读
电与磁 => 电磁铁的磁性强弱 | 电磁感应现象与发电机
消元 => 代入消元法解二元一次方程组
""",
    "synonym": """
毕达哥拉斯定理 => $GOUGU
毕氏定理 => $GOUGU
商高定理 => $GOUGU
百分比 => 百分数的意义和写法 | 百分数应用题专项练习
九九乘法表 => 7的乘法口诀
乘法表 => 7的乘法口诀
龟鹤问题 => 鸡兔同笼问题的列表法与假设法
惯性定律 => 牛顿第一定律与惯性
浮力原理 => 浮力的大小：阿基米德原理
杠杆原理 => 杠杆的平衡条件
磁生电 => $DIANCI
会聚透镜 => 凸透镜成像规律的实验探究
物质不灭定律 => 质量守恒定律的探究
酸碱中和 => 酸和碱的中和反应
周期表 => 元素与元素周期表 课件 | 元素周期律与元素周期表
呼吸作用 => $HUXI
细胞呼吸 => $HUXI
脱氧核糖核酸 => $DNA
经纬线 => 经纬网定位
第一次鸦片战争 => 第一次鸦片战争与《南京条约》 | 两次鸦片战争
打比方 => 比喻句的认识与仿写 | 说明文的说明方法
古文 => $WENYAN
Present Simple => 一般现在时的第三人称单数 | Unit 4 I have a pen pal 课件 | 一般现在时与频度副词
simple past => 一般过去时：规则动词的过去式 | 一般过去时的不规则动词
Present Perfect => 现在完成时 have done
电子表格 => $EXCEL
二次方程 => $YIYUAN
几率 => 用列举法求概率 | 可能性的大小
""",
    "pinyin_full": """
gougudingli => $GOUGU
oumudinglv => $OHM
fuli => $FULI
guanghezuoyong => $GUANGHE
jitutonglong => 鸡兔同笼问题的列表法与假设法
birerong => 比热容的理解与应用
yapianzhanzheng => $YAPIAN
zhiliangshouhengdinglv => 质量守恒定律的探究
ercihanshu => $ERCI
yiyuanercifangcheng => $YIYUAN
taohuayuanji => 《桃花源记》翻译与理解
yueyanglouji => 《岳阳楼记》
hongloumeng => 《红楼梦》人物关系梳理
zhonghefanying => 酸和碱的中和反应
dianciganying => $DIANCI
yousifenlie => 有丝分裂各时期的特点
xinhaigeming => 辛亥革命与中华民国的建立
shuixunhuan => 水循环的过程和意义
maopaopaixu => 冒泡排序算法的实现
""",
    "pinyin_initials": """
ggdl => $GOUGU
gg dl => $GOUGU
ghzy => $GUANGHE
yyecfc => $YIYUAN
omdl => $OHM
jttl => 鸡兔同笼问题的列表法与假设法
ypzz => $YAPIAN
zlshdl => 质量守恒定律的探究
echs => $ERCI
thyj => 《桃花源记》翻译与理解
hlm => 《红楼梦》人物关系梳理
dcgy => $DIANCI
ysfl => 有丝分裂各时期的特点
xhgm => 辛亥革命与中华民国的建立
mppx => 冒泡排序算法的实现
brr => 比热容的理解与应用
zhfy => 酸和碱的中和反应
pmjcx => 平面镜成像的特点
ttjcx => 凸透镜成像规律的实验探究
sjhs => $SANJIAO
""",
    "pinyin_prefix": """
gougu => $GOUGU
guanghe => $GUANGHE
yiyuanerci => $YIYUAN
pingmianjing => 平面镜成像的特点
jitu => 鸡兔同笼问题的列表法与假设法
yapian => $YAPIAN
zhiliangshou => 质量守恒定律的探究
taohua => 《桃花源记》翻译与理解
dianci => 电磁铁的磁性强弱 | $DIANCI
ggdldzm => 勾股定理的证明方法
yousi => 有丝分裂各时期的特点
xinhai => 辛亥革命与中华民国的建立
maopao => 冒泡排序算法的实现
erfen => 二分查找算法
shuixun => 水循环的过程和意义
kasite => 喀斯特地貌
oumu => $OHM
fuchen => 物体的浮沉条件
ganggan => 杠杆的平衡条件
jtt => 鸡兔同笼问题的列表法与假设法
ypz => $YAPIAN
""",
}

# Queries a backend gets wrong because of a known search defect, with why
# (query → reason). Listed, not relabelled: the figures count them as misses,
# and the test fails when one is found again (take it out then).
_NO_IDF = (
    "the relaxed pass keeps an entry with a third of the query's pieces; an "
    "out-of-catalog word ({rare}) cannot be told from a question's words that "
    "no lesson has, so a lesson with the common ones ({common}) reaches the "
    "third. Weighing pieces by how many lessons have them (BM25 IDF) was "
    "measured on this set and missed more (docs/search.md)"
)
KNOWN_MISSES: dict[str, str] = {
    "薛定谔方程的推导": _NO_IDF.format(rare="薛定谔", common="方程, 推导")
    + " (公式法解一元二次方程: 求根公式的推导)",
    "量子纠缠与贝尔不等式": _NO_IDF.format(rare="量子, 纠缠, 贝尔", common="不等式")
    + "; 不等式 counts as two bigrams (一元一次不等式的解法)",
    "围棋定式大全": _NO_IDF.format(rare="围棋, 大全", common="定式")
    + "; one piece of three is a third (不定式 in 非谓语动词)",
}

# Per category: (minimum recall@10, minimum MRR, maximum empty-result rate).
# For "nothing" the recall and MRR count the queries that return nothing.
THRESHOLDS = {
    category: (0.9, 0.9, 0.07) for category in CATEGORIES if category != "nothing"
}
# The engines rank one long question's lesson second (MRR 0.96 there; 1.00
# on the database).
THRESHOLDS["long_question"] = (0.9, 0.9, 0.07)
# Of 18, three return a lesson (KNOWN_MISSES); a fourth fails the category.
THRESHOLDS["nothing"] = (0.83, 0.83, 1.0)


def _parse(text: str) -> list[tuple[str, list[str]]]:
    rows = []
    for line in text.strip("\n").splitlines():
        query, sep, labels = line.partition(" =>")
        assert sep, line
        titles = []
        for label in (t.strip() for t in labels.split("|")):
            if label.startswith("$"):
                titles.extend(GROUPS[label[1:]])
            elif label:
                titles.append(label)
        rows.append((query.strip(" "), list(dict.fromkeys(titles))))
    return rows


def _labelled() -> dict[str, list[tuple[str, list[str]]]]:
    from tests.relevance_queries_more import QUERIES_MORE

    return {
        category: _parse(text) for category, text in {**QUERIES, **QUERIES_MORE}.items()
    }


LABELLED = _labelled()


def evaluate(search, backend: str) -> tuple[dict, list[dict]]:
    """The figures per category and one row per query of LABELLED
    (tests/search_relevance_set.py, evaluate)."""
    return evaluate_set(LABELLED, search, backend)


def overall(figures: dict) -> dict:
    """The figures of the whole set (queries weighted equally)."""
    n = sum(f["queries"] for f in figures.values())
    return {
        "queries": n,
        **{
            key: sum(f[key] * f["queries"] for f in figures.values()) / n
            for key in ("recall@10", "mrr", "empty")
        },
    }
