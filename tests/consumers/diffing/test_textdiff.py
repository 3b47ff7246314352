"""Version diff behaviour: trivial edits stay quiet, real edits are reported precisely."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consumers.diffing import diff_versions

TARGET_SENTENCE = "人工智能核心产业规模突破300亿元"


@pytest.fixture(scope="module")
def shenzhen(shared_dir: Path) -> str:
    return next((shared_dir / "seeds").glob("004_*.txt")).read_text(encoding="utf-8")


def _to_fullwidth(text: str) -> str:
    """ASCII punctuation and digits to their full-width forms (what some portals serve)."""
    table = {c: chr(c + 0xFEE0) for c in range(0x21, 0x7F) if not chr(c).isalpha()}
    return text.translate(table)


def test_whitespace_only_change_is_trivial(shenzhen: str) -> None:
    reflowed = "\n\n".join("\u3000\u3000" + line.strip() + "  " for line in shenzhen.splitlines())
    summary = diff_versions(shenzhen, reflowed)
    assert summary.is_trivial
    assert summary.to_dict()["added"] == summary.to_dict()["changed"] == []
    assert "无实质性变化" in summary.headline


def test_punctuation_width_only_change_is_trivial(shenzhen: str) -> None:
    widened = _to_fullwidth(shenzhen)
    assert widened != shenzhen
    summary = diff_versions(shenzhen, widened)
    assert summary.is_trivial
    assert summary.similarity == 1.0


def test_width_changes_inside_an_edited_paragraph_are_not_spans(shenzhen: str) -> None:
    edited = _to_fullwidth(shenzhen).replace("加强人脸识别", "加强人脸和指纹识别")
    summary = diff_versions(shenzhen, edited)
    assert len(summary.changed) == 1
    spans = summary.changed[0].spans
    assert [(s.op, s.before, s.after) for s in spans] == [("insert", "", "和指纹")]
    assert not summary.added and not summary.removed


def test_number_change_is_reported_with_context(shenzhen: str) -> None:
    revised = shenzhen.replace(TARGET_SENTENCE, "人工智能核心产业规模突破500亿元")
    summary = diff_versions(shenzhen, revised)
    assert [(n.before, n.after) for n in summary.numbers] == [("300亿元", "500亿元")]
    assert "核心产业规模突破" in summary.numbers[0].context
    assert summary.changed[0].clause == "二、发展目标"
    assert "300亿元→500亿元" in summary.headline


def test_target_raise_is_reported_with_before_and_after(shenzhen: str) -> None:
    revised = shenzhen.replace(TARGET_SENTENCE, "人工智能核心产业规模突破500亿元")

    def analysis(value: float, extra: list[dict[str, object]]) -> dict[str, object]:
        target = {
            "text": "…",
            "metric": "产业规模",
            "comparator": "突破",
            "value": value,
            "unit": "亿元",
            "year": 2023,
        }
        return {"targets": [target, *extra]}

    talent = {
        "text": "…",
        "metric": "创新载体",
        "comparator": "以上",
        "value": 20,
        "unit": "家",
        "year": 2023,
    }
    summary = diff_versions(shenzhen, revised, analysis(300.0, [talent]), analysis(500.0, []))
    kinds = {(t.metric, t.kind): (t.before, t.after) for t in summary.targets}
    assert kinds[("产业规模", "changed")] == ("300亿元", "500亿元")
    assert kinds[("创新载体", "removed")] == ("20家", None)
    assert summary.headline.startswith("修订：修改1段；目标变化：产业规模 300亿元→500亿元")


def test_added_removed_and_moved_paragraphs_are_told_apart() -> None:
    old = "一、总体要求\n坚持创新驱动。\n支持企业建设开放平台,推动数据共享。\n二、保障措施\n加强组织领导。\n强化资金保障。\n"
    new = (
        "一、总体要求\n坚持创新驱动。\n二、保障措施\n加强组织领导。\n支持企业建设开放平台,推动数据共享。\n"
        "完善人才政策,引进高端人才团队。\n"
    )
    summary = diff_versions(old, new)
    assert [p.text for p in summary.added] == ["完善人才政策,引进高端人才团队。"]
    assert [p.text for p in summary.removed] == ["强化资金保障。"]
    assert summary.moved == 1
    assert summary.added[0].clause == "二、保障措施"
    assert summary.headline == "修订：新增1段，删除1段，移动1段"


def test_outline_clause_ids_label_changes_after_renumbering() -> None:
    old = "一、智能制造\n支持企业开展智能制造应用示范,到2020年建成10个示范项目。\n二、智能医疗\n支持医院开展智能医疗应用示范。\n"
    new = (
        "一、智能制造\n支持企业开展智能制造应用示范,到2020年建成10个示范项目。\n二、智能交通\n建设车路协同示范道路。\n"
        "三、智能医疗\n支持医院和企业开展智能医疗应用示范。\n"
    )

    def outline(nodes: list[tuple[str, str, str, str]]) -> dict[str, object]:
        return {
            "outline": [
                {"id": i, "number": n, "heading": h, "text": t, "children": []} for i, n, h, t in nodes
            ]
        }

    old_outline = outline(
        [
            ("c1", "一、", "智能制造", "支持企业开展智能制造应用示范,到2020年建成10个示范项目。"),
            ("c2", "二、", "智能医疗", "支持医院开展智能医疗应用示范。"),
        ]
    )
    new_outline = outline(
        [
            ("c1", "一、", "智能制造", "支持企业开展智能制造应用示范,到2020年建成10个示范项目。"),
            ("c3", "二、", "智能交通", "建设车路协同示范道路。"),
            ("c2", "三、", "智能医疗", "支持医院和企业开展智能医疗应用示范。"),
        ]
    )
    summary = diff_versions(old, new, old_outline, new_outline)
    changed = {c.before: (c.after, c.clause) for c in summary.changed}
    assert changed["支持医院开展智能医疗应用示范。"] == (
        "支持医院和企业开展智能医疗应用示范。",
        "三、智能医疗",
    )
    assert {p.text for p in summary.added} == {"二、智能交通", "建设车路协同示范道路。"}
    assert not summary.removed
    assert len(summary.changed) == 1, "a heading that was only renumbered is not an edit"
    assert summary.stats["renumbered"] == 1


def test_summary_dict_is_json_ready(shenzhen: str) -> None:
    revised = shenzhen.replace(TARGET_SENTENCE, "人工智能核心产业规模突破500亿元") + "\n附件:重点项目清单"
    data = json.loads(json.dumps(diff_versions(shenzhen, revised).to_dict(), ensure_ascii=False))
    assert {"headline", "added", "removed", "changed", "numbers", "targets", "similarity", "stats"} <= set(
        data
    )
    assert set(data["changed"][0]) == {"clause", "before", "after", "spans"}
    assert set(data["numbers"][0]) == {"before", "after", "context"}
    assert 0.95 < data["similarity"] < 1.0
    assert data["stats"]["added"] == 1


def test_rewritten_document_has_low_similarity(shared_dir: Path, shenzhen: str) -> None:
    other = next((shared_dir / "seeds").glob("001_*.txt")).read_text(encoding="utf-8")
    summary = diff_versions(shenzhen, other)
    assert summary.similarity < 0.5
    assert len(summary.added) + len(summary.changed) > 20


def test_numbers_pair_within_the_same_unit() -> None:
    old = "到2020年,新建10家以上创新载体,核心产业规模突破300亿元。"
    new = "到2022年,新建15家以上创新载体,培育5个产业集群,核心产业规模突破500亿元。"
    pairs = [(n.before, n.after) for n in diff_versions(old, new).numbers]
    assert pairs == [("2020年", "2022年"), ("10家", "15家"), ("300亿元", "500亿元"), (None, "5个")]


def test_outline_on_one_side_only_does_not_invent_moves(shenzhen: str) -> None:
    revised = shenzhen.replace("加强人脸识别", "加强人脸和指纹识别")
    outline = [
        {"id": "c1", "number": "一、", "heading": "指导思想", "text": "", "children": []},
        {"id": "c2", "number": "二、", "heading": "发展目标", "text": "", "children": []},
    ]
    summary = diff_versions(shenzhen, revised, {"outline": outline}, None)
    assert summary.moved == 0 and not summary.added and not summary.removed
    assert len(summary.changed) == 1


def test_unstable_clause_ids_do_not_turn_unchanged_text_into_moves(shenzhen: str) -> None:
    revised = shenzhen.replace("加强人脸识别", "加强人脸和指纹识别")

    def outline(prefix: str) -> list[dict[str, object]]:
        return [
            {"id": f"{prefix}{i}", "number": n, "heading": h, "text": "", "children": []}
            for i, (n, h) in enumerate([("一、", "指导思想"), ("二、", "发展目标"), ("三、", "主要任务")])
        ]

    summary = diff_versions(shenzhen, revised, {"outline": outline("a")}, {"outline": outline("b")})
    assert summary.moved == 0 and not summary.added and not summary.removed
    assert [c.clause for c in summary.changed] == ["三、主要任务"]


def test_sentence_inserted_into_a_single_line_page_is_one_addition(shenzhen: str) -> None:
    one_line = "".join(line.strip() for line in shenzhen.splitlines())
    anchor = "人工智能核心产业规模突破100亿元,带动相关产业规模达到3000亿元。"
    revised = one_line.replace(anchor, anchor + "支持建设大模型公共算力平台。")
    summary = diff_versions(one_line, revised)
    assert [p.text for p in summary.added] == ["支持建设大模型公共算力平台。"]
    assert not summary.changed and not summary.removed


def _analysis_outline(clauses: list[tuple[str, str, str]]) -> dict[str, object]:
    """Outline in the shape consumers.analysis emits: numbering-path ids, printed label, own text."""
    return {
        "outline": [
            {
                "id": str(i + 1),
                "kind": "section",
                "label": label,
                "heading": heading,
                "text": f"{heading}\n{body}",
                "children": [],
            }
            for i, (label, heading, body) in enumerate(clauses)
        ]
    }


def test_clause_ids_shifted_by_an_inserted_clause_align_by_heading() -> None:
    bodies = {
        "总体要求": "坚持创新驱动,推动人工智能与实体经济深度融合。",
        "主要任务": "建设人工智能创新平台,培育龙头企业,打造产业集群。",
        "保障措施": "加强组织领导,强化资金保障,完善人才政策。",
    }
    old_clauses = [(f"{n}、", h, b) for n, (h, b) in zip("一二三", bodies.items(), strict=True)]
    new_bodies = {"发展目标": "到2025年,人工智能核心产业规模超过500亿元。", **bodies}
    new_bodies["保障措施"] = "加强组织领导,强化资金保障,完善人才引进政策。"
    new_clauses = [(f"{n}、", h, b) for n, (h, b) in zip("一二三四", new_bodies.items(), strict=True)]

    def text(clauses: list[tuple[str, str, str]]) -> str:
        return "\n".join(f"{label}{heading}\n{body}" for label, heading, body in clauses)

    summary = diff_versions(
        text(old_clauses), text(new_clauses), _analysis_outline(old_clauses), _analysis_outline(new_clauses)
    )
    assert summary.moved == 0
    assert [p.text for p in summary.added] == ["一、发展目标", "到2025年,人工智能核心产业规模超过500亿元。"]
    assert [(c.clause, c.after) for c in summary.changed] == [("四、保障措施", new_bodies["保障措施"])]
    assert summary.stats["renumbered"] == 3


def test_reworded_metric_for_the_same_year_is_one_changed_target() -> None:
    def target(metric: str, value: int, year: int) -> dict[str, object]:
        return {
            "text": "…",
            "metric": metric,
            "comparator": ">",
            "value": value,
            "unit": "亿元",
            "year": year,
        }

    old = {"targets": [target("核心产业产值", 100, 2020), target("相关产业规模", 3000, 2023)]}
    new = {"targets": [target("核心产业规模", 150, 2020), target("相关产业规模", 3000, 2025)]}
    summary = diff_versions(
        "到2020年核心产业产值突破100亿元。", "到2020年核心产业规模突破150亿元。", old, new
    )
    kinds = sorted((t.kind, t.metric, t.year, t.before, t.after) for t in summary.targets)
    assert kinds == [
        ("added", "相关产业规模", 2025, None, "3000亿元"),
        ("changed", "核心产业规模", 2020, "100亿元", "150亿元"),
        ("removed", "相关产业规模", 2023, "3000亿元", None),
    ]
