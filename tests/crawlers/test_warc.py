"""WARC files written by a crawl read back with warcio and hold exactly what was served — from the local
folder, or from S3-compatible object storage (a real moto server) on any node."""

from __future__ import annotations

import hashlib
import urllib.request

import pytest
from warcio.archiveiterator import ArchiveIterator

from core.captures import CaptureConfig, s3_client
from core.embedded_broker import free_port
from core.settings import CaptureSettings, load_settings
from crawlers.runner import run_crawl
from crawlers.warc_reader import read_captured
from tests.crawl_fixtures import FAST


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


def crawl_to_s3(source_id, crawl_settings, bus_config, s3_captures, **crawl):
    settings = crawl_settings.model_copy(update={
        "captures": CaptureSettings.model_validate(s3_captures),
        "crawl": crawl_settings.crawl.model_copy(update=crawl),
    })
    return run_crawl(source_id, settings=settings, bus=bus_config, timeout_s=60, extra_settings=FAST)


def test_captures_go_to_object_storage_and_any_node_reads_them_byte_exact(
    sim, crawl_settings, bus_config, s3_captures, read_events, events_of, tmp_path
):
    result = crawl_to_s3("sim-minhang", crawl_settings, bus_config, s3_captures, warc_max_bytes=1024)
    assert result.ok, result.error
    assert len(result.stats["warc_files"]) >= 3  # rotated, and every closed file handed over
    assert list(crawl_settings.warc_dir.glob("*.warc.gz")) == []  # nothing left on the crawling node
    bucket = s3_captures["s3"]["bucket"]
    keys = {o["Key"] for o in s3_client(CaptureSettings.model_validate(s3_captures).s3)
            .list_objects_v2(Bucket=bucket)["Contents"]}
    assert keys == {f"warc/{name}" for name in result.stats["warc_files"]}

    # Another node: its own (empty) folder, the same storage settings loaded afresh.
    other = CaptureConfig.from_settings(load_settings(None, var_dir=tmp_path / "other-node", captures=s3_captures))
    page = events_of(read_events(), "page.fetched")[0]
    assert page["warc_record"].startswith(f"s3://{bucket}/warc/pw-sim-minhang-")
    captured = read_captured(other, page["warc_record"])
    with urllib.request.urlopen(page["url"]) as served:
        assert captured.body == served.read()
    assert captured.url == page["url"] and captured.status_line == "200 OK"
    for attachment in page["attachments"]:
        body = read_captured(other, attachment["warc_record"]).body
        assert hashlib.sha256(body).hexdigest() == attachment["sha256"]


def test_captures_wait_locally_while_object_storage_is_down(
    sim, crawl_settings, bus_config, s3_captures, read_events, events_of
):
    down = {**s3_captures, "s3": {**s3_captures["s3"], "endpoint_url": f"http://127.0.0.1:{free_port()}"}}
    result = crawl_to_s3("sim-shenzhen", crawl_settings, bus_config, down)
    assert result.stats["published"] == 1  # the page is not lost with its archive copy
    waiting = sorted(crawl_settings.warc_dir.glob("pw-sim-shenzhen-*.warc.gz"))
    assert len(waiting) == 1
    reference = events_of(read_events(), "page.fetched")[0]["warc_record"]
    storage = CaptureConfig(CaptureSettings.model_validate(s3_captures), crawl_settings.warc_dir)
    with pytest.raises(LookupError):
        read_captured(storage, reference)

    # The next crawl of the source, with the storage back, hands the waiting file over first.
    assert crawl_to_s3("sim-shenzhen", crawl_settings, bus_config, s3_captures).ok
    assert not waiting[0].exists()
    assert read_captured(storage, reference).status_line == "200 OK"
