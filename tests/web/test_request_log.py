"""Request logs are structured and never carry personal data."""

import json
import logging


def request_entries(records):
    return [r.fields for r in records if getattr(r, "fields", {}).get("event") == "request"]


def test_each_request_is_logged_as_one_structured_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="eip.request"):
        response = client.get("/accessibility")
    [entry] = request_entries(caplog.records)
    assert entry["endpoint"] == "main.accessibility"
    assert entry["status"] == 200
    assert entry["method"] == "GET"
    assert entry["duration_ms"] >= 0
    assert entry["request_id"] == response.headers["X-Request-ID"]
    assert "user_id" in entry


def test_logs_hold_no_query_strings_form_values_or_paths(client, caplog):
    with caplog.at_level(logging.DEBUG):
        client.get("/?client=Jane+Doe&dob=1990-01-01")
        client.post("/nowhere/Jane-Doe", data={"partner": "John Smith", "code_word": "bluebell"})
    text = caplog.text + json.dumps([getattr(r, "fields", {}) for r in caplog.records])
    for secret in ("Jane", "Doe", "1990-01-01", "John Smith", "bluebell", "/nowhere"):
        assert secret not in text


def test_a_crash_is_logged_with_its_request_id_but_not_its_path(make_app, app, caplog):
    crashing = make_app(PROPAGATE_EXCEPTIONS=False)

    @crashing.get("/crash/<name>")
    def crash(name):
        raise RuntimeError("boom")

    with caplog.at_level(logging.INFO):
        response = crashing.test_client().get("/crash/Jane-Doe")
    assert response.status_code == 500
    errors = [r for r in caplog.records if r.name == "eip.error"]
    assert errors and errors[0].fields["request_id"] == response.headers["X-Request-ID"]
    assert "Jane-Doe" not in caplog.text


def test_the_json_formatter_writes_one_json_object_per_line():
    from eip.requestlog import JsonFormatter

    record = logging.LogRecord("eip.request", logging.INFO, __file__, 1, "request", None, None)
    record.fields = {"event": "request", "status": 200}
    parsed = json.loads(JsonFormatter().format(record))
    assert parsed["status"] == 200
    assert parsed["level"] == "info"


def test_a_client_supplied_request_id_is_kept_only_when_it_is_safe(client):
    assert (
        client.get("/", headers={"X-Request-ID": "abcdef12-3456"}).headers["X-Request-ID"]
        == "abcdef12-3456"
    )
    assert (
        client.get("/", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"] != "<script>"
    )


def test_the_logged_user_is_the_account_id_never_the_session_token(signed_in, caplog):
    client, user = signed_in("practitioner")
    with caplog.at_level(logging.INFO, logger="eip.request"):
        client.get("/cases/")
    [entry] = [e for e in request_entries(caplog.records) if e["endpoint"] == "cases.index"]
    assert entry["user_id"] == user.id
    cookie = client.get_cookie("eip_session").value
    assert cookie not in caplog.text
