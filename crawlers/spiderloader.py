"""A spider loader with one spider name per source definition, plus ``generic``.

So ``scrapy list`` shows every source and ``scrapy crawl <source-id>`` works as Scrapy users
expect, while all sources share the one ``GenericSpider`` class (or a subclass named in their
definition). Name clashes are refused, not resolved silently: Scrapy itself only warns and lets
the last class loaded win, which could replace the generic spider or hide a source.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader

from core.errors import SourceError
from crawlers.catalog import load_sources
from crawlers.config import CrawlConfig
from crawlers.spiders.generic import GenericSpider, spider_class


class SourceSpiderLoader(SpiderLoader):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self._refuse_a_replaced_generic_spider()
        crawl = CrawlConfig.from_scrapy_settings(settings).crawl
        for source in load_sources(crawl.sources_dirs, crawl.simulator_url):
            if source.id in self._spiders:
                module, class_name = self._found[source.id][0]
                raise SourceError(
                    f"{source.path}: id: {source.id!r} is also the name of the spider class {class_name} "
                    f"in {module}; rename the source or give the class another name (name = '' for a "
                    "GenericSpider subclass named in a definition)"
                )
            self._spiders[source.id] = spider_class(source)

    def _refuse_a_replaced_generic_spider(self) -> None:
        """A GenericSpider subclass in SPIDER_MODULES inherits ``name = "generic"`` unless it sets
        its own; Scrapy would then let it replace the generic spider."""
        others = [
            f"{class_name} in {module}"
            for module, class_name in self._found.get(GenericSpider.name, [])
            if (module, class_name) != (GenericSpider.__module__, GenericSpider.__name__)
        ]
        if others or self._spiders.get(GenericSpider.name, GenericSpider) is not GenericSpider:
            raise SourceError(
                f"spider class {', '.join(others) or self._spiders[GenericSpider.name].__name__} is named "
                f"{GenericSpider.name!r} and would replace the generic spider: set name = '' in it "
                "(the loader makes one spider per source that names it)"
            )
