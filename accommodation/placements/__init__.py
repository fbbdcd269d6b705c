"""Placements: the practitioner's request, the SPOC's decisions and added commitments, and
the placement pages (the list, the SPOC's home, the placement page cut to each role)."""
