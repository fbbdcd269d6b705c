"""Personal data over its whole life (UK GDPR): anonymisation in place (anonymise.py), the
rectification and erasure requests a manager decides (requests.py), subject access
(subject_access*.py), and the retention schedule with its review and legal holds (rules.py,
retention.py, review.py). Each right is its own module here."""
