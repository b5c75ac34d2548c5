"""``autotts controllers``: list the registry."""

from __future__ import annotations

import click

from autotts.controllers.base import first_doc_line, param_fields
from autotts.controllers.registry import available


@click.command("controllers")
def controllers_command():
    """List registered controllers with their parameters and one line of doc."""
    from dataclasses import MISSING

    for cid, cls in available().items():
        fields = param_fields(cls)
        params = ", ".join(f"{n}={f.default}" if f.default is not MISSING else n
                           for n, f in fields.items())
        click.echo(f"{cid:<20} {first_doc_line(cls)}")
        click.echo(f"{'':<20} params: {params or '(none)'}")
