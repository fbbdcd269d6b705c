"""Notifications: which reminders are due (`reminders`), what each kind is called
(`kinds`), the notifications themselves and the user's centre (`centre`), their
e-mails (`mail`) and pages (`views`)."""
