"""The DuckDB warehouse: migrations, loaders for raw pages and the registry, normalization."""
