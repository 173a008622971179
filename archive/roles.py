"""The account roles (no database import, so the command line can name them at start-up)."""

ROLES = ("admin", "arsiparis", "auditor", "staf")
