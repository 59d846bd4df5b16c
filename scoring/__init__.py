"""Judging and tracking: programs, memberships and roles, scores, dashboards."""
