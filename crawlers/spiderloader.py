"""A spider loader with one spider name per source definition, plus ``generic``.

So ``scrapy list`` shows every source and ``scrapy crawl <source-id>`` works as Scrapy users
expect, while all sources share the one ``GenericSpider`` class.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader

from crawlers.catalog import PACKAGE_SOURCES_DIR, load_sources
from crawlers.spiders.generic import GenericSpider


class SourceSpiderLoader(SpiderLoader):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        dirs = [Path(d) for d in settings.getlist("POLICYWATCH_SOURCES_DIRS")] or [PACKAGE_SOURCES_DIR]
        for source in load_sources(dirs, settings.get("POLICYWATCH_SIMULATOR_URL", "")):
            if source.id in self._spiders:
                continue
            class_name = "".join(part.capitalize() for part in source.id.replace("_", "-").split("-")) + "Spider"
            self._spiders[source.id] = type(
                class_name,
                (GenericSpider,),
                {"name": source.id, "source_id": source.id, "__module__": GenericSpider.__module__},
            )

