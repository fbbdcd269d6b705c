"""Where one signed-in request's time goes: `bench/profile_page.py DATABASE PATH EMAIL [N]`.

Requests PATH N times (default 200) through Flask's test client, signed in as EMAIL (a
`seed-synthetic` user, e.g. synthetic.manager1@example.org) on a seeded SQLite file (copied
first: the file given is never written to), under cProfile, and prints the CPU time of one
request by group (session check, CSRF, layout, SQL, ...) and the top functions. The test client
skips gunicorn and HTTP, which `make bench` includes; what is left is the app's own work.

The groups are by the outermost function of ours (or of a library) on the call stack that
marks the group, so each microsecond is counted once (docs/testing.md, "Benchmarks").
"""

from __future__ import annotations

import cProfile
import os
import pstats
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# What one request's time is spent on: (label, "file:function" of the function whose cumulative
# time measures it). Some nest (the layout is part of rendering; SQL is part of everything).
POINTS: list[tuple[str, str]] = [
    ("whole request (Flask wsgi_app)", "flask/app.py:wsgi_app"),
    ("  session check: load_user", "eip/auth/sessions.py:load_user"),
    ("  flask-login: current_user", "flask_login/utils.py:_get_user"),
    ("  CSRF token in the page", "flask_wtf/csrf.py:generate_csrf"),
    ("  security headers", "eip/security.py:set_security_headers"),
    ("  request log", "eip/requestlog.py:_finish"),
    ("  access policy", "eip/access.py:wrapper"),
    ("  view function", "views.py:"),
    ("    render_template", "flask/templating.py:render_template"),
    ("      layout header block", "templates/base.html:block_header"),
    ("      navigation", "eip/navigation.py:"),
    ("      layout footer block", "templates/base.html:block_footer"),
    ("      flash messages", "templates/macros/flash.html:macro"),
    ("  url_for (all)", "flask/helpers.py:url_for"),
    ("  SQL: Session.execute (all)", "sqlalchemy/orm/session.py:execute"),
    ("  SQL: cursor execute (driver)", "sqlalchemy/engine/default.py:do_execute"),
    ("  Jinja escape (markupsafe)", "markupsafe/__init__.py:escape"),
]


def main() -> None:
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    source, path, email = sys.argv[1], sys.argv[2], sys.argv[3]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 200
    folder = tempfile.mkdtemp()
    copy = Path(folder) / "profile.sqlite3"
    shutil.copyfile(source, copy)
    os.environ.update({"EIP_ENV": "development", "DATABASE_URL": f"sqlite:///{copy}"})

    from bench.floor import FLOOR_PATH, add_floor
    from eip import create_app
    from eip.demo.synthetic import SYNTHETIC_PASSWORD

    app = create_app({"INSTANCE_PATH": folder})
    if path == FLOOR_PATH:
        add_floor(app)
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = {"email": email, "password": SYNTHETIC_PASSWORD, "csrf_token": token}
    assert client.post("/sign-in", data=form).status_code == 302
    for _ in range(5):  # templates compiled, caches filled
        assert client.get(path).status_code == 200
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        client.get(path)
    wall = (time.perf_counter() - started) / n
    cpu = (time.process_time() - cpu) / n
    # On a shared machine the wall time is mostly waiting for a core; this process's CPU
    # time, and the function calls below, are the steadier figures.
    print(f"{path}: {wall * 1000:.2f} ms per request ({cpu * 1000:.2f} ms CPU), no profiler")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(n):
        client.get(path)
    profile.disable()
    shutil.rmtree(folder)
    if os.environ.get("PROFILE_OUT"):  # for pstats or snakeviz
        profile.dump_stats(os.environ["PROFILE_OUT"])
    _report(pstats.Stats(profile), n)


def _name(func: tuple) -> str:
    filename, _line, function = func
    for prefix in (str(ROOT) + "/", "site-packages/"):
        if prefix in filename:
            filename = filename.split(prefix, 1)[1]
    return f"{filename}:{function}"


def _report(stats: pstats.Stats, n: int) -> None:
    raw = stats.stats  # func -> (primitive calls, calls, tottime, cumtime, callers)
    total = sum(entry[2] for entry in raw.values())
    calls = sum(entry[1] for entry in raw.values())
    print(
        f"{n} requests, {total / n * 1000:.2f} ms of CPU and {calls / n:.0f} function calls "
        "per request (under cProfile)"
    )
    print("\nwhere (cumulative ms per request, % of the request):")
    for label, marker in POINTS:
        # A marker may match several functions (every view); count only the outermost ones'
        # time by summing primitive calls' cumulative time, which excludes recursion.
        cum = sum(e[3] for f, e in raw.items() if marker in _name(f) and _outermost(f, marker, raw))
        print(f"  {label:<34}{cum / n * 1000:>7.2f}{cum / total * 100:>6.0f}%")
    print("\ntop functions by cumulative time (ms per request, own ms):")
    for func, entry in sorted(raw.items(), key=lambda item: -item[1][3])[:50]:
        print(f"  {entry[3] / n * 1000:>7.2f} {entry[2] / n * 1000:>6.2f}  {_name(func)}")
    print("\ntop functions by own time (ms per request, calls per request):")
    for func, entry in sorted(raw.items(), key=lambda item: -item[1][2])[:35]:
        print(f"  {entry[2] / n * 1000:>6.2f} {entry[1] / n:>6.0f} calls  {_name(func)}")


def _outermost(func: tuple, marker: str, raw: dict) -> bool:
    """Whether no caller of `func` also matches `marker` (a view calling another view's
    helper in views.py would otherwise count twice)."""
    return not any(marker in _name(caller) for caller in raw[func][4])


if __name__ == "__main__":
    main()
