"""The 政府信息公开 (government information disclosure) metadata table, read from plain text.

Pages print it as ``索 引 号: …``, ``发文字号 | … |``, ``【发布部门】…`` or a label line followed by a
value line. Labels are matched with optional spaces between their characters; each canonical field keeps
the first non-empty value. Which labels name the *issuer* and which only the *publisher* matters:
发文机关 is the issuer, and so are the 发布机关 / 制定机关 (issuing organ) of law databases and Wikisource;
发布机构 / 发文单位 / 公开责任部门 / 来源 name the publishing office.
"""

from __future__ import annotations

import re

# canonical field → printed labels (Simplified; the text is matched in Simplified form)
LABELS: dict[str, tuple[str, ...]] = {
    "index_no": ("索引号", "信息索引号"),
    "doc_number": ("发文字号", "文号", "文件编号", "发文文号", "文件字号"),
    "issuer": ("发文机关", "制发机关", "成文单位", "发布机关", "制定机关"),
    "publisher": ("发布机构", "发文单位", "发布单位", "公开责任部门", "主办单位", "所属机构", "发布部门"),
    "issue_date": ("成文日期", "签署日期", "印发日期", "制发日期", "成文时间"),
    "publish_date": ("发布日期", "发布时间", "公布日期", "发文日期", "公开日期", "生成日期"),
    "effective_date": ("实施日期", "施行日期", "生效日期"),
    "expiry_date": ("失效日期", "废止日期", "有效期至"),
    "title": ("标题", "名称", "公开事项名称", "文件名称"),
    "category": ("主题分类", "分类", "信息分类", "所属主题"),
    "subject_words": ("主题词",),
    "validity": ("有效性", "时效性", "公文时效", "是否有效"),
    "source": ("来源", "信息来源"),
}
_ALL = sorted(((label, field) for field, labels in LABELS.items() for label in labels),
              key=lambda pair: -len(pair[0]))
_LABEL_RE = re.compile(
    r"(?:^|(?<=[\s|│【\]]))【?(?P<label>" + "|".join(r"\s*".join(map(re.escape, label)) for label, _ in _ALL)
    + r")】?[ \t]*(?:[:：|]\s*|(?<=】)|(?=\n))"
)


def _field_of(label: str) -> str:
    plain = re.sub(r"\s+", "", label)
    for text, field in _ALL:
        if text == plain:
            return field
    return ""


def parse_fields(text: str, limit: int = 4000) -> dict[str, str]:
    """Label/value pairs from the head of a (Simplified, NFKC) text; values end at the next label or line end."""
    head = text[:limit]
    fields: dict[str, str] = {}
    matches = list(_LABEL_RE.finditer(head))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(head)
        value = head[match.end():end]
        line_end = value.find("\n")
        first_line = value[:line_end] if line_end >= 0 else value
        if not first_line.strip(" |\t"):
            # label alone on its line: the value is the next non-empty line (if it is not a label)
            rest = value[line_end + 1:] if line_end >= 0 else ""
            first_line = next((ln for ln in rest.split("\n") if ln.strip()), "")
            if len(first_line) > 60 or first_line.rstrip().endswith((":", "：")):
                first_line = ""
        value = re.sub(r"\s*\|\s*$", "", first_line).strip(" |\t")
        value = re.split(r"\s{2,}|\s\|\s|\s+(?=[\u4e00-\u9fff]{2,6}\s*[:：])", value)[0].strip()
        field = _field_of(match["label"])
        if field and value and field not in fields:
            fields[field] = value
    return fields
