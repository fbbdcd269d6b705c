"""Evaluation: anonymised extracts for SCIE and programme figures."""
