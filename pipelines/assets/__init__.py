"""Dagster assets, one module per stage: registry, ingest, core, publish."""
