"""Personal data over its whole life: retention, legal holds, anonymisation."""
