"""Settings load from defaults, TOML and environment, and bad values name their key."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import SettingsError
from core.settings import describe_settings, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_defaults_are_embedded_sqlite_broker_and_loopback() -> None:
    settings = load_settings()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.kafka.bootstrap_servers == []
    assert settings.web.host == "127.0.0.1"


def test_toml_file_and_environment_are_layered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "policywatch.toml"
    config.write_text('[kafka]\nbootstrap_servers = ["kafka1:9092"]\npartitions = 6\n', encoding="utf-8")
    monkeypatch.setenv("POLICYWATCH_KAFKA__PARTITIONS", "12")
    settings = load_settings(config)
    assert settings.kafka.bootstrap_servers == ["kafka1:9092"]
    assert settings.kafka.partitions == 12


def test_invalid_value_error_names_key_and_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYWATCH_WEB__PORT", "http")
    with pytest.raises(SettingsError, match=r"web\.port: .*'http'"):
        load_settings()


def test_bad_bootstrap_server_is_explained(tmp_path: Path) -> None:
    config = tmp_path / "policywatch.toml"
    config.write_text('[kafka]\nbootstrap_servers = ["localhost"]\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"kafka\.bootstrap_servers: .*'localhost' is not host:port"):
        load_settings(config)


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "policywatch.toml"
    config.write_text("[database]\nurll = 'sqlite://'\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"database\.urll"):
        load_settings(config)


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [key for key, _, _ in describe_settings() if f"`{key}`" not in readme]
    assert missing == []
