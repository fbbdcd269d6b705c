"""Personal data over its whole life: anonymisation in place (anonymise.py), the
rectification and erasure requests a manager decides (requests.py), and the retention
schedule with its review and legal holds (rules.py, retention.py, review.py)."""
