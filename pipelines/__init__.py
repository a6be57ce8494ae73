"""Dagster wiring and the command line: assets by stage, jobs, schedules, resources, the CLI."""
