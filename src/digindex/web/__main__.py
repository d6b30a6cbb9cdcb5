"""``python -m digindex.web [serve|create-user|seed-demo] ...`` (the same as ``digindex serve/admin``)."""
import typer

from .cli import admin_app, serve_command

app = typer.Typer(no_args_is_help=True, add_completion=False)
app.command("serve")(serve_command)
app.add_typer(admin_app, name="admin")

if __name__ == "__main__":
    app()
