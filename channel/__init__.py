"""The legaltv service: API, database, roles, grid, CLI."""

__all__: list[str] = []
