"""Backup and restore of the database and the instance's extract files (docs/operations.md)."""
