"""Personal data over its whole life (UK GDPR): subject access, and (from other branches)
retention, anonymisation and erasure. Each right is its own module here."""
