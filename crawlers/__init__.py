"""Scrapy project: a generic spider driven by source definition files, and the simulated sites.

- ``catalog``      source definitions (TOML under ``sources/``), ``sources list``/``check`` helpers
- ``layouts``      list-page parsers per layout (static, json_api, inline_json, hanweb_jpage)
- ``spiders``      ``GenericSpider``; ``spiderloader`` gives every source its own spider name
- ``encoding``, ``middlewares``  decoding by the bytes; retry with backoff
- ``incremental``  conditional GET + content hash: a recrawl publishes only what changed
- ``warc``         every response with its request in rotating WARC files
- ``attachments``  PDF/DOCX text, other attachments recorded by link
- ``pipelines``    publishing to the bus, counted only once acknowledged
- ``runner``       one crawl per subprocess for the daemon (``run_crawl``)
- ``check``        the live ``sources check``
- ``simulator``    the simulated government sites for the demo and the tests
"""
