"""Scrapy project: a generic spider driven by source definition files, and the simulated sites.

- ``catalog``      source definitions (TOML under ``sources/``), validated
- ``listpage``     what a list page yields (links with title and date, pagination facts)
- ``layouts``      list-page parsers per layout (static, json_api, inline_json, hanweb_jpage, auto)
- ``autolist``     the selector-free extractor behind ``layout = "auto"``
- ``spiders``      ``GenericSpider``; ``spiderloader`` gives every source its own spider name
- ``middlewares``  decoding by the bytes (``zhtext.decoding``); retry with backoff; offsite redirects
- ``incremental``  conditional GET + content hash: a recrawl publishes only what changed
- ``warc``         every response with its request in rotating WARC files
- ``attachments``  PDF/DOCX text, other attachments recorded by link
- ``publishing``   the item pipeline publishing to the bus, counted only once acknowledged
- ``config``       what a crawl process gets of the typed settings (one file)
- ``runner``       one crawl per subprocess for the daemon (``run_crawl``)
- ``simulator``    the simulated government sites for the demo and the tests
"""
