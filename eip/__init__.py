"""EIP Tracker: the application factory.

`create_app` wires configuration, extensions, blueprints, CLI and error pages.
It does no I/O beyond reading settings: no migrations, no scheduler.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from eip.config import PROJECT_ROOT, engine_options, load_settings


class EIPFlask(Flask):
    def log_exception(self, exc_info) -> None:  # type: ignore[override]
        from eip.errors import log_exception

        log_exception(exc_info)


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    overrides = dict(overrides or {})
    settings = load_settings(os.environ, instance_path=overrides.pop("INSTANCE_PATH", None))
    app = EIPFlask(
        __name__,
        instance_path=settings["INSTANCE_PATH"],
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        static_url_path="/assets",
    )
    app.config.update(settings)
    app.config.update(overrides)
    # The options follow the URL in force, an override's included.
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    )

    register_proxies(app)
    register_templates(app)
    register_extensions(app)
    register_security(app)
    register_request_log(app)
    register_blueprints(app)
    register_error_pages(app)
    register_cli(app)
    return app


# Some systems' MIME tables lack .mjs; a module script served with the wrong type
# (and nosniff) would not run.
mimetypes.add_type("text/javascript", ".mjs")


def register_proxies(app: Flask) -> None:
    """Behind the TLS proxy every request comes from the proxy's address. Trust its
    X-Forwarded-For and X-Forwarded-Proto, and only from as many hops as configured,
    so that the sign-in rate limit (eip.auth.throttle) counts each real client."""
    hops = app.config.get("EIP_TRUSTED_PROXIES", 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def register_templates(app: Flask) -> None:
    # The GOV.UK macros import each other by these prefixes.
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from govuk_frontend_wtf.main import WTFormsHelpers

    from eip import templating

    WTFormsHelpers(app)
    templating.init_app(app)


def register_extensions(app: Flask) -> None:
    # Importing the models registers their tables with the metadata.
    import accommodation.models  # noqa: F401
    import eip.admin.models
    import eip.audit
    import eip.auth.models
    import eip.cases.due_store  # its session listener keeps each case's due items stored
    import eip.cases.models
    import eip.cases.records
    import eip.job_claims
    import eip.models
    import eip.notifications.centre
    import eip.privacy.retention_models
    import eip.privacy.subject_access  # noqa: F401
    import evaluation.models  # noqa: F401
    from eip.auth.sessions import login_manager
    from eip.db import configure_postgresql, configure_sqlite, end_read_transaction
    from eip.extensions import csrf, db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine, app.config["EIP_SQLITE_BUSY_TIMEOUT_MS"])
        configure_postgresql(db.engine)

    # Registered after db.init_app, so it runs before Flask-SQLAlchemy's own teardown (Flask
    # runs them in reverse), which then closes the session.
    @app.teardown_appcontext
    def _end_read_transaction(error: BaseException | None) -> None:
        if error is None and db.session.registry.has():
            end_read_transaction(db.session())


def register_security(app: Flask) -> None:
    from eip import inputs, security

    security.init_app(app)
    inputs.init_app(app)


def register_request_log(app: Flask) -> None:
    from eip import requestlog

    requestlog.init_app(app)


def register_blueprints(app: Flask) -> None:
    from accommodation import case_hooks
    from accommodation.views import bp as accommodation_bp
    from eip.admin.views import bp as admin_bp
    from eip.audit.views import bp as audit_bp
    from eip.auth.views import bp as auth_bp
    from eip.cases.views import bp as cases_bp
    from eip.main.views import bp as main_bp
    from eip.notifications.views import bp as notifications_bp
    from eip.privacy.retention_views import bp as retention_bp
    from eip.privacy.subject_access_views import bp as subject_access_bp
    from eip.privacy.views import bp as privacy_bp  # its import arms the anonymised-case guard
    from eip.reports.dashboard_views import bp as dashboard_bp
    from eip.reports.views import bp as reports_bp
    from evaluation.views import bp as evaluation_bp

    case_hooks.register()  # accommodation plugs into cases; eip.cases imports none of it
    for blueprint in (
        main_bp,
        auth_bp,
        cases_bp,
        accommodation_bp,
        admin_bp,
        audit_bp,
        notifications_bp,
        reports_bp,
        dashboard_bp,
        evaluation_bp,
        retention_bp,
        privacy_bp,
        subject_access_bp,
    ):
        app.register_blueprint(blueprint)


def register_error_pages(app: Flask) -> None:
    from eip import errors

    errors.init_app(app)


def register_cli(app: Flask) -> None:
    from eip.cli import eip_cli

    app.cli.add_command(eip_cli)
