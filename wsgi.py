"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from eip import create_app
from eip.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    raise SystemExit(f"EIP Tracker refused to start: {exc}") from None
