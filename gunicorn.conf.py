"""gunicorn's settings for EIP Tracker: `gunicorn -c gunicorn.conf.py wsgi:app`.

gunicorn also reads this file by itself when started from this folder. Settings given on the
command line win over these.
"""

# No path, query string or referrer in any of gunicorn's own log lines (eip/serverlog.py).
logger_class = "eip.serverlog.PrivateLogger"
# If the access log is turned on (--access-logfile -): address, status and duration only; the
# app writes its own request line with the request id, user id and endpoint.
access_log_format = "%(h)s %(m)s %(s)s %(M)sms"
# A worker silent for longer than this is killed as hung, and its request answered 502. The
# default, 30 s, is too close to the longest requests of a large programme: at 100,000 cases,
# preparing an evaluation extract took 16 s and the managers' live figures 10 s on a 2-core
# machine (docs/operations.md, "Long requests").
timeout = 120
