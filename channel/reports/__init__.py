"""Reports (issue 14): audience and airtime per period, as JSON, CSV and XLSX, for the ministry and the
national legal portal (docs/audience.md)."""

from channel.reports.campaign_routes import router as campaign_router
from channel.reports.routes import READERS, router

__all__ = ["READERS", "campaign_router", "router"]
