"""Query understanding that keeps every character's evidence (no database)."""

from text_analysis.chinese import ParsedQuery


def test_separated_characters_are_rejoined():
    assert ParsedQuery("鸡 兔 同 笼").words == ParsedQuery("鸡兔同笼").words
    assert ParsedQuery("勾 股 定理").words == ParsedQuery("勾股定理").words
    # Full-width spaces separate too; real words stay apart.
    assert ParsedQuery("鸡\u3000兔\u3000同\u3000笼").words == ["鸡兔同笼"]
    assert ParsedQuery("王芳 分数").words == ["王芳", "分数"]
