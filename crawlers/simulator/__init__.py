"""Simulated government sites (模拟政府网站) for the demo and the tests: see ``server.SimulatedSites``."""

from crawlers.simulator.fixtures import (
    DEMO_REVISION_DOC,
    DEMO_REVISION_SITE,
    NEW_PLAN,
    NEW_PLAN_TEXT,
    PlanFixture,
    demo_revision_text,
)
from crawlers.simulator.server import ERROR_MODES, ServedRequest, SimulatedSites
from crawlers.simulator.sites import SITES, seed_documents, seed_text

__all__ = [
    "DEMO_REVISION_DOC",
    "DEMO_REVISION_SITE",
    "ERROR_MODES",
    "NEW_PLAN",
    "NEW_PLAN_TEXT",
    "SITES",
    "PlanFixture",
    "ServedRequest",
    "SimulatedSites",
    "demo_revision_text",
    "seed_documents",
    "seed_text",
]
