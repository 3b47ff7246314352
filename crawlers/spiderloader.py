"""A spider loader with one spider name per source definition, plus ``generic``.

So ``scrapy list`` shows every source and ``scrapy crawl <source-id>`` works as Scrapy users
expect, while all sources share the one ``GenericSpider`` class.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader

from crawlers.catalog import PACKAGE_SOURCES_DIR, SourceError, load_sources
from crawlers.spiders.generic import GenericSpider


class SourceSpiderLoader(SpiderLoader):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        dirs = [Path(d) for d in settings.getlist("POLICYWATCH_SOURCES_DIRS")] or [PACKAGE_SOURCES_DIR]
        for source in load_sources(dirs, settings.get("POLICYWATCH_SIMULATOR_URL", "")):
            if source.id in self._spiders:
                continue
            base = _spider_base(source.spider) if source.spider else GenericSpider
            class_name = "".join(part.capitalize() for part in source.id.replace("_", "-").split("-")) + "Spider"
            self._spiders[source.id] = type(
                class_name, (base,), {"name": source.id, "source_id": source.id, "__module__": base.__module__}
            )


def _spider_base(reference: str) -> type[GenericSpider]:
    """The ``spider = "module:Class"`` of a definition: must extend GenericSpider."""
    module_name, _, class_name = reference.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, GenericSpider)):
        raise SourceError(f"spider {reference!r} is not a GenericSpider subclass")
    return cls

