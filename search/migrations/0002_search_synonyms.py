"""The curriculum synonym table, seeded with subject synonyms, colloquial
names and grade aliases teachers type (administrators edit it in the admin)."""

from django.db import migrations, models

SEED = [
    # mathematics
    ("勾股定理 / 毕达哥拉斯定理 / 毕氏定理 / 商高定理", "数学"),
    ("百分数 / 百分比 / 百分率", "数学"),
    ("乘法口诀 / 乘法表 / 九九乘法表 / 九九表", "数学"),
    ("一元二次方程 / 二次方程", "数学"),
    ("平行四边形 / 平四", "数学"),
    ("三角函数 / 正弦余弦正切", "数学"),
    ("鸡兔同笼 / 龟鹤问题", "数学"),
    ("因数分解 / 因式分解", "数学"),
    ("数轴 / 数线", "数学"),
    ("概率 / 几率", "数学"),
    ("统计图 / 统计图表", "数学"),
    ("等腰三角形 / 等腰三角", "数学"),
    ("圆周率 / π / pi", "数学"),
    # physics
    ("欧姆定律 / 欧姆定理", "物理"),
    ("牛顿第一定律 / 惯性定律", "物理"),
    ("阿基米德原理 / 浮力原理", "物理"),
    ("杠杆原理 / 杠杆的平衡条件 / 杠杆平衡条件", "物理"),
    ("电磁感应 / 磁生电", "物理"),
    ("凸透镜 / 会聚透镜", "物理"),
    ("凹透镜 / 发散透镜", "物理"),
    ("自由落体 / 自由下落", "物理"),
    # chemistry, biology, geography, history
    ("质量守恒定律 / 物质不灭定律", "化学"),
    ("酸碱中和 / 中和反应", "化学"),
    ("元素周期表 / 周期表", "化学"),
    ("光合作用 / 光合", "生物"),
    ("细胞呼吸 / 呼吸作用", "生物"),
    ("DNA / 脱氧核糖核酸", "生物"),
    ("地球自转 / 自转", "地理"),
    ("经纬网 / 经纬线", "地理"),
    ("鸦片战争 / 第一次鸦片战争", "历史"),
    ("辛亥革命 / 1911年革命", "历史"),
    # Chinese
    ("比喻 / 打比方", "语文"),
    ("拟人 / 拟人化", "语文"),
    ("文言文 / 古文", "语文"),
    ("古诗 / 古诗词 / 古代诗歌", "语文"),
    # English
    ("一般现在时 / Present Simple / simple present", "英语"),
    ("一般过去时 / Past Simple / simple past", "英语"),
    ("现在进行时 / Present Continuous / present progressive", "英语"),
    ("过去进行时 / Past Continuous / past progressive", "英语"),
    ("现在完成时 / Present Perfect", "英语"),
    ("自然拼读 / Phonics", "英语"),
    # information technology
    ("数据透视表 / 透视表", "信息技术"),
    ("电子表格 / Excel", "信息技术"),
    # grade aliases (the grade names are 一年级 … 九年级, 高一 … 高三)
    ("初一 / 七年级 / 初中一年级", "年级"),
    ("初二 / 八年级 / 初中二年级", "年级"),
    ("初三 / 九年级 / 初中三年级", "年级"),
    ("高一 / 高中一年级 / 十年级", "年级"),
    ("高二 / 高中二年级 / 十一年级", "年级"),
    ("高三 / 高中三年级 / 十二年级", "年级"),
    ("小学一年级 / 一年级", "年级"),
    ("小学六年级 / 六年级", "年级"),
    ("幼儿园大班 / 大班", "年级"),
    # stages
    ("初中 / 初级中学", "学段"),
    ("高中 / 高级中学", "学段"),
    ("幼儿园 / 学前", "学段"),
]


def seed(apps, schema_editor):
    SearchSynonym = apps.get_model("search", "SearchSynonym")
    SearchSynonym.objects.bulk_create(
        SearchSynonym(terms="\n".join(t.strip() for t in terms.split("/")), note=note)
        for terms, note in SEED
    )


def unseed(apps, schema_editor):
    apps.get_model("search", "SearchSynonym").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0001_indexentry_all_text_gin")]
    operations = [
        migrations.CreateModel(
            name="SearchSynonym",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("terms", models.TextField(help_text="Words or phrases that mean the same, one per line (or separated by commas or slashes), e.g. 勾股定理 and 毕达哥拉斯定理.", verbose_name="terms")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
            ],
            options={
                "verbose_name": "search synonym",
                "verbose_name_plural": "search synonyms",
                "ordering": ["pk"],
            },
        ),
        migrations.RunPython(seed, unseed),
    ]
