"""The legaltv service: API, database, roles, grid, CLI."""
