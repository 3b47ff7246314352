"""WARC files written by a crawl read back with warcio and hold exactly what was served."""

from __future__ import annotations

import hashlib
import urllib.request

from warcio.archiveiterator import ArchiveIterator


def read_warc(folder):
    records = {}
    for path in sorted(folder.glob("*.warc.gz")):
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                record_id = record.rec_headers.get_header("WARC-Record-ID")
                records[(path.name, record_id)] = (
                    record.rec_type,
                    record.rec_headers.get_header("WARC-Target-URI"),
                    record.http_headers.get_statuscode() if record.rec_type == "response" else None,
                    record.content_stream().read(),
                    record.rec_headers.get_header("WARC-Concurrent-To"),
                )
    return records


def test_warc_records_match_what_the_simulator_served(sim, crawl, crawl_settings, read_events, events_of):
    result = crawl("sim-minhang")
    assert result.ok, result.error
    records = read_warc(crawl_settings.warc_dir)
    responses = {key: value for key, value in records.items() if value[0] == "response"}
    requests = [value for value in records.values() if value[0] == "request"]
    # robots.txt, list, detail, PDF, DOCX: each response with its request.
    assert len(responses) == 5 and len(requests) == 5
    assert {r[4] for r in requests} == {key[1] for key in responses}

    page = events_of(read_events(), "page.fetched")[0]
    name, record_id = page["warc_record"].split("#", 1)
    kind, uri, status, body, _ = records[(name, record_id)]
    assert (kind, uri, status) == ("response", page["url"], "200")
    with urllib.request.urlopen(page["url"]) as served:
        assert body == served.read()
    assert hashlib.sha256(body).hexdigest() == page["body_sha256"]
    for attachment in page["attachments"]:
        a_name, a_id = attachment["warc_record"].split("#", 1)
        assert hashlib.sha256(records[(a_name, a_id)][3]).hexdigest() == attachment["sha256"]


def test_warc_files_rotate_by_size(sim, crawl, crawl_settings):
    result = crawl("sim-minhang", warc_max_bytes=1024)
    files = sorted(crawl_settings.warc_dir.glob("*.warc.gz"))
    assert len(files) >= 3
    assert result.stats["warc_files"] == [f.name for f in files]
    assert len([r for r in read_warc(crawl_settings.warc_dir).values() if r[0] == "response"]) == 5


def test_failed_responses_are_archived_too(sim, crawl, crawl_settings):
    sim.inject_error("shenzhen", "500", target="detail")
    crawl("sim-shenzhen")
    statuses = [r[2] for r in read_warc(crawl_settings.warc_dir).values() if r[0] == "response"]
    # The first attempt and one retry, both answered 500.
    assert statuses.count("500") == 2


def test_crawl_without_warc_capture_still_publishes(sim, crawl, crawl_settings):
    result = crawl("sim-shenzhen", capture_warc=False)
    assert result.ok and result.stats["published"] == 1
    assert not crawl_settings.warc_dir.exists()
