"""Live event tests share the grid tests' app, users and future local times."""

from tests.channel.grid.conftest import at, future_day, grid, grid_app, slug

__all__ = ["at", "future_day", "grid", "grid_app", "slug"]
