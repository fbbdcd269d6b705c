"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import gc

from eip import create_app
from eip.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    raise SystemExit(f"EIP Tracker refused to start: {exc}") from None

# The objects made at start (reportlab's fonts, zxcvbn's word lists, the models and their
# mappers: some 200,000) live as long as the process. Frozen, the garbage collector no
# longer walks them on each full collection: a document request of many objects set one off
# every few requests, at about 120 ms each on a 100k-case database, a third of the 90-day
# statement (docs/testing.md, "Garbage collection"). Here, not in create_app: the tests make
# many apps in one process, and frozen objects are never freed.
gc.collect()
gc.freeze()
