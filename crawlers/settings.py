"""Scrapy project settings (``scrapy.cfg`` → ``crawlers.settings``): polite defaults.

The daemon's crawl runner overrides these per crawl with ``-s`` values taken from the policywatch
``Settings.crawl`` section; ``POLICYWATCH_*`` names are ours:

- POLICYWATCH_SOURCES_DIRS  folders of source definitions (default: the shipped ``crawlers/sources``)
- POLICYWATCH_SIMULATOR_URL base URL for ``{simulator}`` sources (empty: they are skipped)
- POLICYWATCH_BOOTSTRAP / POLICYWATCH_TOPIC_PREFIX  the bus (unset: nothing is published)
- POLICYWATCH_STATE_DIR     incremental recrawl state (unset: every crawl fetches everything)
- POLICYWATCH_WARC_DIR / POLICYWATCH_WARC_MAX_BYTES  WARC capture (unset: no capture)
- POLICYWATCH_STATS_FILE    JSON stats written at close (the runner reads it)
- POLICYWATCH_PAGE_CAP      most list pages per source and crawl
- POLICYWATCH_WINDOW_PROBES most probes per crawl of URLs that left a newest-pages-only window
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
    # Above RedirectMiddleware (600): sees a 3xx before it is followed; refuses other hosts.
    "crawlers.middlewares.OffsiteRedirectMiddleware": 610,
    "crawlers.middlewares.RedirectedRequestMiddleware": 40,
    # Closest to the network: sees every response as served.
    "crawlers.warc.WarcCaptureMiddleware": 950,
}
ITEM_PIPELINES = {"crawlers.pipelines.BusPipeline": 300}
EXTENSIONS = {"crawlers.extensions.StatsDump": 900}

POLICYWATCH_PAGE_CAP = 50
POLICYWATCH_WINDOW_PROBES = 20
POLICYWATCH_RETRY_BACKOFF_BASE = 1.0
POLICYWATCH_RETRY_BACKOFF_MAX = 30.0
POLICYWATCH_WARC_MAX_BYTES = 100 * 1024 * 1024
