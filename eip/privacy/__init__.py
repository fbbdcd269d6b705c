"""Personal data over its whole life: anonymisation in place (anonymise.py) and the
rectification and erasure requests a manager decides (requests.py)."""
