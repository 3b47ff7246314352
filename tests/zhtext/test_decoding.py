"""Decoding real bytes: GBK, header/meta disagreements, BOMs — never mojibake."""

from __future__ import annotations

import codecs

import pytest

from zhtext.decoding import sniff_encoding

TEXT = "沈阳市人民政府办公厅关于印发新一代人工智能发展规划的通知 沈政办发〔2018〕144号"


def page(charset: str | None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return f"<html><head>{meta}<title>t</title></head><body><p>{TEXT}</p></body></html>"


@pytest.mark.parametrize(
    ("body_encoding", "meta", "header"),
    [
        ("gbk", "gbk", ""),
        ("gbk", None, ""),
        ("gbk", "gb2312", "text/html; charset=utf-8"),  # header lies
        ("gbk", "gbk", "text/html; charset=ISO-8859-1"),  # server default latin-1
        ("utf-8", "utf-8", "text/html; charset=gbk"),  # header lies the other way
        ("utf-8", "gbk", ""),  # meta lies
        ("utf-8", None, "text/html"),
        ("gb18030", None, "text/html; charset=gb18030"),
    ],
)
def test_body_decodes_to_the_original_text(body_encoding, meta, header):
    body = page(meta).encode(body_encoding)
    encoding = sniff_encoding(body, header)
    assert TEXT in body.decode(encoding)


def test_utf8_bom_is_honoured_and_stripped():
    body = codecs.BOM_UTF8 + page("gbk").encode("utf-8")
    encoding = sniff_encoding(body, "text/html; charset=gbk")
    decoded = body.decode(encoding)
    assert decoded.startswith("<html>") and TEXT in decoded


def test_rare_characters_outside_gbk_decode_via_gb18030():
    rare = "䶮"  # in GB18030, not in GBK
    body = f'<meta charset="gbk"><p>{TEXT}{rare}</p>'.encode("gb18030")
    assert rare in body.decode(sniff_encoding(body, ""))


BIG5_TEXT = "臺北市政府關於推動人工智慧產業發展計畫之公告"


def test_declared_charset_wins_over_a_lying_meta_and_header():
    # Big5 bytes whose page claims gbk: they also "decode" as gbk, into mojibake.
    body = f'<meta charset="gbk"><p>{BIG5_TEXT}</p>'.encode("big5")
    assert BIG5_TEXT not in body.decode(sniff_encoding(body, "text/html; charset=gbk"))
    encoding = sniff_encoding(body, "text/html; charset=gbk", declared="big5")
    assert encoding == "big5" and BIG5_TEXT in body.decode(encoding)


def test_declared_charset_does_not_turn_a_utf8_page_into_mojibake():
    body = page(None).encode("utf-8")  # the site says gbk, this page is UTF-8
    assert TEXT in body.decode(sniff_encoding(body, "", declared="gbk"))


def test_declared_charset_that_does_not_fit_the_bytes_is_not_trusted():
    body = page("gbk").encode("gbk")
    encoding = sniff_encoding(body, "", declared="ascii")
    assert TEXT in body.decode(encoding)


def test_fallback_is_the_last_resort_for_undeclared_bytes():
    big5 = f"<p>{BIG5_TEXT}</p>".encode("big5")  # no meta, no header charset
    assert sniff_encoding(big5) == "gb18030"  # the default fallback: wrong for this site
    assert BIG5_TEXT in big5.decode(sniff_encoding(big5, "text/html", fallback="big5"))
    gbk = page(None).encode("gbk")
    assert TEXT in gbk.decode(sniff_encoding(gbk, "text/html", fallback="gbk"))
