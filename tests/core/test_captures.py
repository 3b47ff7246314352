"""The capture storage settings: validated at load, carried whole into a crawl's process, the secret key
never shown."""

from __future__ import annotations

import logging

import pytest

from core.captures import CaptureConfig, capture_store
from core.errors import SettingsError, StartupError
from core.settings import load_settings
from crawlers.config import CrawlConfig

S3 = {"backend": "s3", "s3": {"endpoint_url": "http://127.0.0.1:9", "bucket": "archive",
                              "access_key_id": "AKIDEXAMPLE", "secret_access_key": "s3cr3t-value"}}


def test_s3_backend_without_a_bucket_names_the_setting() -> None:
    with pytest.raises(SettingsError, match=r"captures\.s3\.bucket"):
        load_settings(None, captures={"backend": "s3"})


def test_secret_key_reaches_the_crawl_process_but_is_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    settings = load_settings(None, captures=S3)
    assert "s3cr3t-value" not in repr(settings) and "s3cr3t-value" not in str(settings.captures)
    carried = CrawlConfig.from_json(CrawlConfig(captures=CaptureConfig.from_settings(settings)).to_json())
    assert carried.captures is not None
    assert carried.captures.settings.s3.secret_access_key.get_secret_value() == "s3cr3t-value"
    with caplog.at_level(logging.DEBUG):
        store = capture_store(carried.captures)
        described = store.describe()
    assert described == "s3://archive/warc/ at http://127.0.0.1:9"
    assert "s3cr3t-value" not in caplog.text + described


def test_local_backend_keeps_captures_under_var_dir_by_default(tmp_path) -> None:
    settings = load_settings(None, var_dir=tmp_path)
    store = capture_store(CaptureConfig.from_settings(settings))
    assert store.folder == (tmp_path / "warc").resolve()
    assert store.reference("pw-x-1.warc.gz", "<urn:uuid:1>") == "pw-x-1.warc.gz#<urn:uuid:1>"
    store.check()  # not there yet, but its parent is writable: a crawl creates it
    (tmp_path / "a-file").write_text("")
    folder = tmp_path / "a-file" / "warc"
    blocked = capture_store(CaptureConfig.from_settings(load_settings(None, captures={"folder": folder})))
    with pytest.raises(StartupError, match=r"captures\.folder"):
        blocked.check()
