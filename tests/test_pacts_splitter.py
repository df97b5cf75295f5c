"""The clause splitter: each numbering style, mixed styles, and text with no numbering."""

from app.pacts.splitter import detect_style, insert_after, merge, remove, split_clauses


def test_articles_are_split_at_each_article_number():
    text = "第一条 爱护环境。\n第二条 邻里和睦，\n互帮互助。\n第十二条 本公约自通过之日起施行。"
    assert split_clauses(text) == [
        "第一条 爱护环境。",
        "第二条 邻里和睦，\n互帮互助。",
        "第十二条 本公约自通过之日起施行。",
    ]


def test_chinese_enumeration_is_split():
    text = "一、垃圾分类。\n二、文明养犬。\n十一、节约用水。"
    assert split_clauses(text) == ["一、垃圾分类。", "二、文明养犬。", "十一、节约用水。"]


def test_arabic_numbers_are_split_in_every_common_form():
    assert split_clauses("1. 甲\n2. 乙\n3、丙\n4．丁\n（5）戊") == [
        "1. 甲",
        "2. 乙",
        "3、丙",
        "4．丁",
        "（5）戊",
    ]


def test_decimal_numbers_do_not_start_a_clause():
    assert split_clauses("1. 车辆限速\n1.5公里内慢行\n2. 停车入位") == [
        "1. 车辆限速\n1.5公里内慢行",
        "2. 停车入位",
    ]


def test_mixed_styles_split_at_the_outer_level_and_keep_the_inner_items():
    text = (
        "梅园居民公约\n第一章 总则\n第一条 为了和谐。\n第二条 居民应当：\n1. 爱护绿化；\n2. 不高空抛物。\n"
        "第二章 附则\n第三条 本公约由居民会议解释。"
    )
    assert detect_style(text) == "article"
    assert split_clauses(text) == [
        "梅园居民公约",
        "第一章 总则\n第一条 为了和谐。",
        "第二条 居民应当：\n1. 爱护绿化；\n2. 不高空抛物。",
        "第二章 附则\n第三条 本公约由居民会议解释。",
    ]


def test_chinese_headings_with_arabic_items_split_at_the_headings():
    text = "一、环境\n1. 分类投放\n2. 不乱扔\n二、安全\n1. 不堵通道"
    assert split_clauses(text) == ["一、环境\n1. 分类投放\n2. 不乱扔", "二、安全\n1. 不堵通道"]


def test_text_without_numbering_is_split_into_paragraphs():
    text = "大家爱护环境。\n\n邻里之间互相帮助，\n有事好商量。\n\n\n  \n遵守公约。"
    assert detect_style(text) is None
    assert split_clauses(text) == [
        "大家爱护环境。",
        "邻里之间互相帮助，\n有事好商量。",
        "遵守公约。",
    ]


def test_empty_text_gives_no_clauses():
    assert split_clauses("  \n\n ") == []


def test_windows_line_endings_and_ideographic_spaces():
    assert split_clauses("第一条\u3000甲\r\n第二条\u3000乙\r\n") == ["第一条 甲", "第二条 乙"]


def test_preview_fixes_merge_remove_and_insert():
    clauses = ["a", "b", "c"]
    assert merge(clauses, 0) == ["a\nb", "c"]
    assert merge(clauses, 2) == clauses
    assert remove(clauses, 1) == ["a", "c"]
    assert insert_after(clauses, 0, "x") == ["a", "x", "b", "c"]
    assert insert_after(clauses, 9, "x") == ["a", "b", "c", "x"]
