"""Sign-in, server-side sessions, lockout, two-factor and account tokens."""
