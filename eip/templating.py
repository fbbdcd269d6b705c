"""What every template can use: the service name, the layout's facts (eip/layout.py), and the
formats of `eip.formatting` as filters."""

from __future__ import annotations

from collections import ChainMap
from typing import Any

from flask import Flask, current_app, has_request_context, request, url_for

from eip import formatting, layout


def summary_item(message: str) -> dict[str, str]:
    """A form-level error for the error summary; it links to the top of the form."""
    return {"text": message, "href": "#main-content"}


def layout_url(endpoint: str, **values: str) -> str:
    """`url_for` for the layout's fixed links and assets (template global), built once per
    process: the same on every page, they were a tenth of an empty page's rendering. Only
    for URLs without anyone's data in them; the key is all they depend on."""
    if not has_request_context():
        return url_for(endpoint, **values)
    # url_for's paths start with the prefix the app is served under.
    key = (request.script_root, endpoint, *sorted(values.items()))
    cache = current_app.extensions.setdefault("eip.layout_urls", {})
    url = cache.get(key)
    if url is None:
        url = cache[key] = url_for(endpoint, **values)
    return url


class TemplateGlobals(ChainMap):
    """A template's globals (Jinja's ChainMap of its own over the environment's), whose
    `keys()` is a plain dict's: Jinja subtracts it from a set on every `{% from ... import %}`
    a render runs, and the set difference against a ChainMap's generic keys view asks every
    map for every key (57 µs an import; the case page runs 35 imports, about 2 ms). A dict's
    keys view does the same difference in C (2 µs). The keys are read when asked, as before."""

    def keys(self):  # type: ignore[override]
        own, *rest = self.maps
        if not own and len(rest) == 1 and type(rest[0]) is dict:
            return rest[0].keys()  # the usual case: only the environment's
        merged: dict[str, Any] = {}
        for mapping in reversed(self.maps):
            merged.update(dict.fromkeys(mapping))
        return merged.keys()


def init_app(app: Flask) -> None:
    environment = app.jinja_env

    def make_globals(own: Any = None) -> TemplateGlobals:
        return TemplateGlobals({} if own is None else own, environment.globals)

    # Jinja's own `make_globals`, with the cheaper mapping (an instance attribute: Flask made
    # the environment already).
    environment.make_globals = make_globals  # type: ignore[method-assign]
    from eip.cases import markup as case_markup
    from eip.html.summary_list import summary_list
    from eip.navigation import service_navigation
    from eip.policy import can

    app.jinja_env.globals.update(
        service_name=formatting.SERVICE_NAME,
        layout_url=layout_url,
        demo_data_loaded=layout.demo_data_loaded,
        unread_notifications=layout.unread_notifications,
        service_navigation=service_navigation,
        can=can,
        case_link=case_markup.case_link,
        due_tag=case_markup.due_tag,
        summary_list=summary_list,
        case_rows=case_markup.case_rows,
    )
    from eip.audit.labels import action_label, actor_name, audit_detail
    from eip.cases.rules import status_label

    app.jinja_env.filters.update(
        london_date_text=formatting.london_date_text,
        count_text=formatting.count_text,
        more_text=formatting.more_text,
        total_text=formatting.total_text,
        status_label=status_label,
        action_label=action_label,
        audit_detail=audit_detail,
        actor_name=actor_name,
        london_datetime=formatting.london_datetime,
        long_date=formatting.long_date,
        month_year=formatting.month_year,
        pence=formatting.format_pence,
        summary_item=summary_item,
    )
    from eip.table_labels import label_cells

    app.jinja_env.filters["label_cells"] = label_cells
