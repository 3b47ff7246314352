"""Scrapy project: a generic spider driven by source definition files, and the simulated sites."""
