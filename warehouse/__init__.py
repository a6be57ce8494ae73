"""The DuckDB warehouse: schema migrations, loaders for raw pages and the registry, normalization."""
