"""Source definitions: the shipped files load, and a bad file is reported by file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import SourceError
from crawlers.catalog import PACKAGE_SOURCES_DIR, load_sources
from policywatch.cli.sources import list_sources_table, source_rows

GOOD = """
id = "demo-site"
name = "示例"
region = "深圳市"
layout = "static"
list_urls = ["https://www.example.gov.cn/zcwj/index.html"]
[links]
item = "ul li"
[verification]
status = "unverified"
method = "written for a test"
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_simulated_sources_load_only_with_a_simulator_url():
    without = {s.id for s in load_sources([PACKAGE_SOURCES_DIR])}
    with_sim = load_sources([PACKAGE_SOURCES_DIR], simulator_url="http://127.0.0.1:9/")
    simulated = {s.id for s in with_sim if s.simulated}
    assert simulated == {"sim-nansha", "sim-shenyang", "sim-liuzhou", "sim-minhang", "sim-shenzhen"}
    assert not simulated & without
    nansha = next(s for s in with_sim if s.id == "sim-nansha")
    assert nansha.list_urls == ("http://127.0.0.1:9/nansha/zwgk/zcwj/index.html",)
    assert nansha.allowed_domains == ("127.0.0.1",)


def test_every_shipped_source_shows_region_layout_and_verification():
    sources = load_sources([PACKAGE_SOURCES_DIR], simulator_url="http://127.0.0.1:9")
    rows = source_rows(sources)
    real = {row["id"] for row in rows if row["verification"] != "simulated"}
    assert real == {
        "gov-cn-zhengceku", "guangdong", "guangzhou", "nansha", "liaoning", "shenyang",
        "guangxi", "liuzhou", "shanghai", "minhang", "shenzhen",
    }
    for row in rows:
        assert row["region"] and row["layout"] and row["verification"]
    table = list_sources_table([PACKAGE_SOURCES_DIR], "http://127.0.0.1:9").splitlines()
    assert table[0].split() == ["id", "region", "layout", "verification", "interval_minutes", "list_url"]
    assert len(table) == 2 + len(rows)
    assert any(line.startswith("sim-nansha") and "广州市南沙区" in line for line in table)


def test_a_good_definition_loads_with_defaults(tmp_path):
    write(tmp_path, "demo.toml", GOOD)
    [source] = load_sources([tmp_path])
    assert source.id == "demo-site" and source.region == "深圳市"
    assert source.pagination.kind == "none"
    assert source.allowed_domains == ("www.example.gov.cn",)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (GOOD.replace('layout = "static"', 'layout = "frames"'), "layout"),
        (GOOD.replace('region = "深圳市"\n', ""), "region"),
        (GOOD.replace("[links]", "[links]\nselector = 'x'"), "links.selector"),
        (GOOD.replace('list_urls = ["https://www.example.gov.cn/zcwj/index.html"]', 'list_urls = ["ftp://x/"]'), "list_urls.0"),
        (GOOD + '[pagination]\nkind = "next_link"\n', "pagination.next_css"),
        (GOOD + '[pagination]\nkind = "template"\ntemplate = "index.html"\n', "pagination.template"),
        (GOOD.replace('status = "unverified"', 'status = "trust me"'), "verification.status"),
        (GOOD + '[pagination]\nkind = "template"\ntemplate = "index_{n}.html"\nmax_pages = 2\n', "pagination.complete"),
        (GOOD.replace('item = "ul li"', 'item = "ul li"\nurl_regex = "(unclosed"'), "links.url_regex"),
    ],
)
def test_bad_definition_error_names_file_and_key(tmp_path, text, key):
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(SourceError) as info:
        load_sources([tmp_path])
    assert str(path) in str(info.value)
    assert key in str(info.value)


def test_invalid_toml_and_duplicate_ids_are_reported(tmp_path):
    write(tmp_path, "a.toml", GOOD)
    write(tmp_path, "b.toml", GOOD)
    with pytest.raises(SourceError, match="already defined"):
        load_sources([tmp_path])
    broken = write(tmp_path, "b.toml", "id = ")
    with pytest.raises(SourceError, match="not valid TOML") as info:
        load_sources([tmp_path])
    assert str(broken) in str(info.value)


def test_missing_sources_folder_is_an_error(tmp_path):
    with pytest.raises(SourceError, match="does not exist"):
        load_sources([tmp_path / "nope"])


def test_spider_loader_gives_every_source_a_spider_name_and_honours_subclasses(tmp_path):
    from scrapy.settings import Settings as ScrapySettings

    from crawlers.spiderloader import SourceSpiderLoader
    from crawlers.spiders.generic import GenericSpider

    write(tmp_path, "demo.toml", GOOD.replace('layout = "static"', 'layout = "static"\nspider = "crawlers.spiders.generic:GenericSpider"'))
    settings = ScrapySettings({"SPIDER_MODULES": ["crawlers.spiders"], "POLICYWATCH_SOURCES_DIRS": [str(tmp_path)]})
    loader = SourceSpiderLoader.from_settings(settings)
    assert set(loader.list()) == {"generic", "demo-site"}
    spider_cls = loader.load("demo-site")
    assert issubclass(spider_cls, GenericSpider) and spider_cls.source_id == "demo-site"

    write(tmp_path, "demo.toml", GOOD.replace('layout = "static"', 'layout = "static"\nspider = "json:JSONDecoder"'))
    with pytest.raises(SourceError, match="not a GenericSpider subclass"):
        SourceSpiderLoader.from_settings(settings)


@pytest.mark.parametrize(
    ("pagination", "key", "message"),
    [
        ('template = "index_{pgae}.html"', "pagination.template", "unknown placeholder {pgae}"),
        ('template = "list?filter={a:1}&p={page}"', "pagination.template", "unknown placeholder {a}"),
        ('template = "list?p={page}&x={"', "pagination.template", "literal brace"),
        ('template = "index_{}.html"', "pagination.template", "unknown placeholder {}"),
        ('template = "index_{n}.html"\ntotal_regex = "createPageHTML"', "pagination.total_regex", "one capture group"),
        ('template = "index_{n}.html"\ntotal_regex = "(\\\\d+)/(\\\\d+)"', "pagination.total_regex", "one capture group"),
        ('template = "index_{n}.html"\ntotal_regex = "(unclosed"', "pagination.total_regex", "not a regular expression"),
    ],
)
def test_pagination_mistakes_are_reported_at_load_time_by_file_and_key(tmp_path, pagination, key, message):
    path = write(tmp_path, "bad.toml", GOOD + f'[pagination]\nkind = "template"\n{pagination}\n')
    with pytest.raises(SourceError) as info:
        load_sources([tmp_path])
    assert str(info.value).startswith(f"{path}: {key}: ")
    assert message in str(info.value)


def test_documented_template_placeholders_and_escaped_braces_load(tmp_path):
    write(tmp_path, "ok.toml", GOOD + '[pagination]\nkind = "template"\n'
          'template = "data.jsp?s={start}&e={end}&json={{\\"p\\":{page:02d}}}"\ntotal_regex = "total:(?:\\\\s*)(\\\\d+)"\n')
    [source] = load_sources([tmp_path])
    from crawlers.layouts import template_url

    assert template_url(source, "https://x.gov.cn/a/list.html", 3).endswith('data.jsp?s=41&e=60&json={"p":03}')


def test_unknown_charset_in_encoding_hints_names_the_key(tmp_path):
    path = write(tmp_path, "bad.toml", GOOD + '[encoding]\nfallback = "gbk2"\n')
    with pytest.raises(SourceError, match=r"encoding\.fallback: .*unknown charset 'gbk2'") as info:
        load_sources([tmp_path])
    assert str(path) in str(info.value)


def test_a_source_without_schedule_takes_the_settings_interval(tmp_path):
    write(tmp_path, "plain.toml", GOOD)
    write(tmp_path, "own.toml", GOOD.replace('"demo-site"', '"own-site"') + "[schedule]\ninterval_minutes = 240\n")
    sources = {s.id: s for s in load_sources([tmp_path])}
    assert sources["demo-site"].interval_minutes is None  # the daemon then uses crawl.interval_minutes
    assert sources["own-site"].interval_minutes == 240
    rows = {row["id"]: row["interval_minutes"] for row in source_rows(list(sources.values()))}
    assert rows == {"demo-site": "default", "own-site": "240"}
    table = list_sources_table([tmp_path], default_interval=45).splitlines()
    assert any(line.startswith("demo-site") and "45 (default)" in line for line in table)
    assert any(line.startswith("own-site") and " 240 " in line for line in table)


def _loader(tmp_path: Path, modules: list[str]):
    from scrapy.settings import Settings as ScrapySettings

    from crawlers.spiderloader import SourceSpiderLoader

    settings = ScrapySettings({"SPIDER_MODULES": modules, "POLICYWATCH_SOURCES_DIRS": [str(tmp_path / "src")]})
    return SourceSpiderLoader.from_settings(settings)


def _spider_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, body: str) -> str:
    package = tmp_path / "pkgs" / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "custom.py").write_text(
        "from crawlers.spiders.generic import GenericSpider\n\n\n" + body, encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "pkgs"))
    return name


@pytest.mark.filterwarnings("ignore:There are several spiders with the same name")
def test_spider_loader_refuses_a_subclass_that_would_replace_the_generic_spider(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    write(tmp_path / "src", "demo.toml", GOOD)
    package = _spider_package(tmp_path, monkeypatch, "pw_inherits_name", "class TokenSpider(GenericSpider):\n    pass\n")
    with pytest.raises(SourceError, match=r"TokenSpider in pw_inherits_name\.custom is named 'generic'.*name = ''"):
        _loader(tmp_path, ["crawlers.spiders", package])
    fixed = _spider_package(tmp_path, monkeypatch, "pw_no_name", "class TokenSpider(GenericSpider):\n    name = ''\n")
    assert set(_loader(tmp_path, ["crawlers.spiders", fixed]).list()) == {"generic", "demo-site"}


def test_spider_loader_refuses_a_source_id_that_is_already_a_spider_name(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    path = write(tmp_path / "src", "demo.toml", GOOD)
    package = _spider_package(
        tmp_path, monkeypatch, "pw_named_spider", "class DemoSpider(GenericSpider):\n    name = 'demo-site'\n"
    )
    with pytest.raises(SourceError) as info:
        _loader(tmp_path, ["crawlers.spiders", package])
    assert str(info.value).startswith(f"{path}: id: 'demo-site' is also the name of the spider class DemoSpider")


def test_generic_spider_refuses_a_source_whose_class_needs_its_own_settings(tmp_path, monkeypatch):
    from scrapy.utils.test import get_crawler

    from crawlers.spiders.generic import GenericSpider

    package = _spider_package(
        tmp_path, monkeypatch, "pw_own_settings",
        "class SlowSpider(GenericSpider):\n    name = ''\n    custom_settings = {'DOWNLOAD_DELAY': 5}\n",
    )
    (tmp_path / "src").mkdir()
    write(tmp_path / "src", "demo.toml", GOOD.replace('layout = "static"', f'layout = "static"\nspider = "{package}.custom:SlowSpider"'))
    crawler = get_crawler(GenericSpider, {"POLICYWATCH_SOURCES_DIRS": [str(tmp_path / "src")]})
    with pytest.raises(SourceError, match=r"uses its own spider .*: run: scrapy crawl demo-site"):
        GenericSpider.from_crawler(crawler, source="demo-site")
