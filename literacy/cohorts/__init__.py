"""Cohorts: rosters (pure), assignments (pure), status rules (pure), the dashboard, queries and services."""
