"""The real server with its database gone (issue 14, item 8): gunicorn, run as the operations
guide says, answers with the app's own 503 page, and neither gunicorn's logs nor the app's
hold the path, the query string or the referrer.

The app runs in its test settings, where an exception that escaped the app would reach
gunicorn (which then logged "Error handling request POST /sign-in?next=…" and sent its bare
page); the access log is turned on with a format that asks for the whole request line.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "EIP-2026-8812"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "gunicorn stopped"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start")


def _send(opener, url: str, data: dict | None = None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(  # noqa: S310 (http on loopback only)
        url, data=body, headers={"Referer": f"http://127.0.0.1/cases/{SECRET}?q=private"}
    )
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_gunicorn_answers_503_with_the_app_page_and_logs_no_address(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("EIP_", "SMTP_", "DATABASE_URL", "SECRET_KEY"))
    }
    env.update(
        {
            "EIP_ENV": "test",
            "EIP_INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'removed-folder' / 'eip.sqlite3'}",
        }
    )
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        status, headers, page = _run(env, log)
    logged = log_path.read_text()
    assert status == 503, logged
    assert "try again in a few minutes" in page
    assert headers["X-Frame-Options"] == "DENY"
    assert "script-src 'nonce-" in headers["Content-Security-Policy"]
    assert "database_unavailable" in logged
    assert "Invalid request from ip=127.0.0.1 (details withheld)" in logged
    for leak in (SECRET, "/sign-in", "next=", "/cases", "q=private", "someone@example.org"):
        assert leak not in logged, leak


def _run(env, log):
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--workers",
            "1",
            "--no-control-socket",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
            "--access-logformat",
            "%(r)s %(U)s %(q)s %(f)s %({referer}i)s %({raw_uri}e)s",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(port, proc)
        # A malformed request line: gunicorn's "Invalid request" warning quoted it.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(f"GET /cases/?reference={SECRET} HTTP/1.1 extra\r\n\r\n".encode())
            assert raw.recv(1024).startswith(b"HTTP/1.1 400")
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        base = f"http://127.0.0.1:{port}"
        status, _headers, page = _send(opener, f"{base}/sign-in?next=/cases/{SECRET}")
        assert status == 200
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
        status, headers, page = _send(
            opener,
            f"{base}/sign-in?next=/cases/{SECRET}",
            {"csrf_token": token, "email": "someone@example.org", "password": "x" * 12},
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    return status, headers, page
