"""Scrapy project settings (``scrapy.cfg`` → ``crawlers.scrapy_settings``): polite defaults.

Values that policywatch's typed settings decide (User-Agent, robots.txt, timeouts, size limits, retries,
per-domain concurrency) are overridden per crawl by the runner with ``-s``; everything else a crawl needs
from policywatch (the bus, the state and WARC folders, the page cap …) arrives as one ``CrawlConfig``
(``crawlers.config``), never as a default written here.
"""

BOT_NAME = "policywatch"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"
SPIDER_LOADER_CLASS = "crawlers.spiderloader.SourceSpiderLoader"

USER_AGENT = "policywatch/0.1 (+https://github.com/policywatch; policy monitoring)"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"

DOWNLOADER_MIDDLEWARES = {
    # Replaced by the backoff variant below.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
    # process_response runs from high to low: decompression (590) → conditional GET → decoding.
    "crawlers.incremental.ConditionalGetMiddleware": 586,
    "crawlers.middlewares.EncodingMiddleware": 584,
    # After decoding: a WAF/captcha page is refused before any spider parses it.
    "crawlers.block_pages.BlockPageMiddleware": 582,
    # Above RedirectMiddleware (600): sees a 3xx before it is followed; refuses other hosts.
    "crawlers.middlewares.OffsiteRedirectMiddleware": 610,
    "crawlers.middlewares.RedirectedRequestMiddleware": 40,
    # Closest to the network: sees every response as served.
    "crawlers.warc.WarcCaptureMiddleware": 950,
}
ITEM_PIPELINES = {"crawlers.publishing.PublishingPipeline": 300}
EXTENSIONS = {"crawlers.extensions.StatsDump": 900}
