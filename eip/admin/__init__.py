"""Administration: users, boroughs, role approvals, programme settings."""
