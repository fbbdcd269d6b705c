"""The case pathway."""
