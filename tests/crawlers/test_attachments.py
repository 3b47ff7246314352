"""Attachment text: PDF and DOCX extracted, other kinds recorded, corrupt files reported."""

from __future__ import annotations

from crawlers.attachments import ExtractionLimits, extract_attachment, kind_of
from crawlers.simulator.attachments import make_docx, make_docx_bomb, make_pdf, make_pdf_bomb


def test_pdf_and_docx_text_is_extracted():
    pdf = extract_attachment("https://x.gov.cn/a/附件1.pdf", "附件1", make_pdf(["人工智能产业规模突破100亿元"]))
    assert pdf["status"] == "extracted" and "人工智能产业规模突破100亿元" in pdf["text"]
    docx = extract_attachment("https://x.gov.cn/a/2.docx", "附件2", make_docx("任务分工表", ["牵头单位:市工信局"]))
    assert docx["status"] == "extracted" and "牵头单位:市工信局" in docx["text"]
    assert docx["sha256"] and docx["bytes"].isdigit()


def test_other_kinds_are_recorded_with_their_link():
    record = extract_attachment("https://x.gov.cn/a/3.ofd", "附件3", b"OFD bytes")
    assert (record["kind"], record["status"], record["text"]) == ("ofd", "recorded", "")
    assert kind_of("https://x.gov.cn/a/t.html") is None
    assert kind_of("https://x.gov.cn/a/B.PDF") == "pdf"


def test_corrupt_file_is_reported_not_raised():
    record = extract_attachment("https://x.gov.cn/a/bad.pdf", "坏文件", b"%PDF-1.4 garbage")
    assert record["status"].startswith("failed: ")


def test_attachment_bombs_are_refused_by_their_caps_with_bounded_memory():
    limits = ExtractionLimits(max_decompressed_bytes=16 * 1024 * 1024, memory_mb=512)
    docx = extract_attachment("https://x.gov.cn/a/bomb.docx", "炸弹", make_docx_bomb(64 * 1024 * 1024), limits)
    assert docx["status"].startswith("failed: cap: ") and docx["caps"] == "decompressed_size"
    pdf = extract_attachment("https://x.gov.cn/a/bomb.pdf", "炸弹", make_pdf_bomb(64 * 1024 * 1024), limits)
    assert pdf["caps"] == "pdf_stream" and pdf["text"] == ""


def test_text_pages_and_time_are_capped():
    many = make_pdf(["第一页人工智能"] * 3)
    cut = extract_attachment("https://x.gov.cn/a/1.pdf", "长", many, ExtractionLimits(max_chars=3))
    assert cut["status"] == "extracted" and len(cut["text"]) == 3 and cut["caps"] == "text_chars"
    slow = extract_attachment("https://x.gov.cn/a/1.pdf", "慢", many, ExtractionLimits(timeout_s=0.01))
    assert slow["status"].startswith("failed: cap: extraction took longer") and slow["caps"] == "time"
