"""Alembic migrations of the web app (script location; env.py is loaded by Alembic)."""
