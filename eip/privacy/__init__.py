"""Personal data over its whole life (UK GDPR): anonymisation in place (anonymise.py), the
rectification and erasure requests a manager decides (requests.py), and subject access
(subject_access*.py). Each right is its own module here."""
