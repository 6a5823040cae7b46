"""Reads for pages: every number a page shows comes from here (or from progress)."""

from programs.selectors.dashboards import *  # noqa: F403
from programs.selectors.dashboards import ReportState, StatusCell  # noqa: F401
