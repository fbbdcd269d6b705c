"""GOV.UK Frontend components written in Python, for the pages whose macros cost most of a
request (issue 16): each writes the same bytes as its govuk_frontend_jinja macro for the
parameters this service passes, which tests/unit prove against the macro itself."""
