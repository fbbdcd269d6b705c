"""Templates' globals (`eip.templating.TemplateGlobals`): the cheaper `keys()` that Jinja's
imports use still names every global, its own and the environment's, when it is asked."""

from __future__ import annotations


def test_a_templates_globals_name_the_environments_added_after_loading_and_its_own(app):
    env = app.jinja_env
    macros = env.from_string("{% macro shout() %}{{ volume }}!{% endmacro %}")
    env.globals["volume"] = "loud"
    try:
        assert "volume" in set(macros.globals.keys())
        page = env.from_string("{{ shout() }}", globals={"shout": macros.module.shout})
        assert {"shout", "volume"} <= set(page.globals.keys())
        with app.test_request_context("/"):
            assert page.render() == "loud!"
            imports = "{% from 'macros/tables.html' import govuk_table %}{{ volume }}"
            assert env.from_string(imports).render() == "loud"
    finally:
        del env.globals["volume"]
