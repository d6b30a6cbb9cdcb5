"""Typer commands for ``digindex serve`` and ``digindex admin ...`` (registered by digindex.cli).

::

    # in digindex/cli.py
    from .web.cli import admin_app, serve_command
    app.command("serve")(serve_command)
    app.add_typer(admin_app, name="admin")
"""
from __future__ import annotations

import os
from typing import Optional

import typer

admin_app = typer.Typer(no_args_is_help=True, help="Administration of the web app's database.")


def serve_command(
    db: Optional[str] = typer.Option(None, "--db", help="Database URL (default sqlite:///digindex_web.db "
                                                        "or $DIGINDEX_DB_URL); postgresql://... for PostgreSQL."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", help="Worker processes."),
):
    """Run the web dashboard, reporting workflow and JSON API."""
    from . import serve

    serve(db, host=host, port=port, workers=workers)


@admin_app.command("create-user")
def create_user_command(
    username: str = typer.Argument(..., help="Login name."),
    role: str = typer.Option("admin", "--role", help="admin, reviewer (a city) or reporter (a county)."),
    region: Optional[str] = typer.Option(None, "--region", help="City code (reviewer) or county code (reporter)."),
    db: Optional[str] = typer.Option(None, "--db", help="Database URL."),
    password: Optional[str] = typer.Option(None, "--password", help="Password (else $DIGINDEX_PASSWORD or a prompt)."),
):
    """Create a user; the first one is the province admin."""
    from . import create_user
    from .errors import WebError

    pw = password or os.environ.get("DIGINDEX_PASSWORD") or typer.prompt("Password", hide_input=True,
                                                                          confirmation_prompt=True)
    try:
        user = create_user(db, username, pw, role=role, region=region)
    except WebError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2)
    typer.echo(f"created {user['role']} {user['username']}" + (f" ({user['region']})" if user["region"] else ""))


@admin_app.command("seed-demo")
def seed_demo_command(db: Optional[str] = typer.Option(None, "--db", help="Database URL.")):
    """Load SYNTHETIC demo data for 2017-2022 and publish results for every year."""
    from . import seed_demo

    out = seed_demo(db)
    typer.echo(f"seeded: {out}")
