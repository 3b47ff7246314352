"""A generated archive for the search benchmarks: documents derived from ../shared/seeds and
../shared/labeled, deterministically (one seeded RNG), with a realistic length mix.

Every document is the paragraphs of real texts, shuffled and mutated: paragraphs picked from other plans,
place names swapped for another region's, numbers changed; titles are real titles with the region
swapped. Lengths: 82% short notices (150–800 characters), 15% medium (1,200–3,500), 3% long plans
(6,000–16,000) — about 1,100 characters on average. Regions, levels, issuers, types, topics, AI labels and
dates (2001–2026, more of them recent) spread like a national archive's; documents arrive in issue-date
order, as a crawl of a growing archive stores them (version ids follow time).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from zhtext.regions import RegionRef, all_regions

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SEED = 2026
PLACES = ("广州市南沙区", "南沙区", "南沙", "沈阳市", "沈阳", "柳州市", "柳州", "闵行区", "闵行", "深圳市", "深圳")
DOC_TYPES = ("通知", "通知", "通知", "实施意见", "行动计划", "若干措施", "规划", "实施方案", "指导意见", "办法", "公告")
TOPICS = ("算力", "大模型", "智能制造", "数据要素", "机器人", "智能网联汽车", "人才", "资金", "医疗", "教育")
TITLE_TEMPLATES = ("{place}关于印发{title}的通知", "{place}{title}", "{place}关于{title}的实施意见",
                   "关于做好{place}{title}工作的通知", "{place}办公室关于{title}的通知")
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Material:
    paragraphs: tuple[str, ...]
    titles: tuple[str, ...]
    regions: tuple[RegionRef, ...]


@lru_cache(maxsize=1)
def material() -> Material:
    texts = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").glob("*.txt"))]
    titles = [t.splitlines()[0].strip() for t in texts]
    for path in sorted((SHARED / "labeled").glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        texts.append(case["text"])
        titles.append(case["gold"]["title"] or "")
    paragraphs = tuple(dict.fromkeys(
        line.strip() for text in texts for line in text.splitlines() if len(line.strip()) >= 12))
    bare = tuple(dict.fromkeys(t for t in (re.sub(r"^.*?(关于印发|关于)", "", t).removesuffix("的通知")
                                            for t in titles) if len(t) >= 4))
    return Material(paragraphs, bare, tuple(r for r in all_regions() if r.level != "provincial" or r.code[:2] != "00"))


def _length(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.82:
        return rng.randint(150, 800)
    if roll < 0.97:
        return rng.randint(1200, 3500)
    return rng.randint(6000, 16000)


def _mutate(paragraph: str, place: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.25:
        paragraph = _NUMBER.sub(lambda m: str(rng.randint(1, 10 ** len(m.group()) - 1)), paragraph)
    elif roll < 0.45:
        for name in PLACES:
            if name in paragraph:
                paragraph = paragraph.replace(name, place)
                break
    return paragraph


def _body(m: Material, place: str, rng: random.Random) -> str:
    target, lines, size = _length(rng), [], 0
    start = rng.randrange(len(m.paragraphs))
    while size < target:
        # Mostly consecutive paragraphs of one text (a plan reads in order), sometimes a jump elsewhere.
        index = start + len(lines) if rng.random() < 0.7 else rng.randrange(len(m.paragraphs))
        line = _mutate(m.paragraphs[index % len(m.paragraphs)], place, rng)
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)


def _date(rng: random.Random) -> date:
    year = min(2026, 2001 + int(25 * rng.random() ** 0.6))
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def documents(count: int) -> Iterator[tuple[dict[str, object], dict[str, object]]]:
    """(documents row, document_versions row) pairs, ids 1..count in issue-date order; same every run."""
    m, rng = material(), random.Random(SEED)
    dates = sorted(_date(rng) for _ in range(count))
    fetched = datetime(2026, 12, 1, tzinfo=UTC)
    for i, issued in enumerate(dates, start=1):
        region = rng.choice(m.regions)
        place = region.name
        title = rng.choice(TITLE_TEMPLATES).format(place=place, title=rng.choice(m.titles))
        body = title + "\n" + _body(m, place, rng)
        issuer = place + rng.choice(("人民政府", "人民政府办公室", "工业和信息化局", "科学技术局", "发展和改革委员会"))
        label = rng.choices(("yes", "borderline", "no"), (6, 2, 2))[0]
        yield (
            {"id": i, "key": f"bench{i}", "source_id": "bench", "url": f"https://gov.example.cn/{i}.html",
             "title": title, "issuers": [issuer], "topics": rng.sample(TOPICS, rng.randint(0, 3)),
             "province": region.province, "city": region.city, "district": region.district,
             "region_code": region.code, "admin_level": region.level, "doc_type": rng.choice(DOC_TYPES),
             "ai_label": label, "issue_date": issued, "publish_date": issued, "status": "active",
             "missing_count": 0, "last_missing_crawl": "", "first_seen": fetched, "last_seen": fetched,
             "latest_version_id": i},
            {"id": i, "document_id": i, "seq": 1, "content_hash": f"{i:064x}", "body_sha256": "",
             "fetched_at": fetched, "title": title, "text": body, "analysis": {}, "warc_record": "",
             "created_at": fetched},
        )
