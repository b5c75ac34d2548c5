"""The ``autotts`` command: one click group; each subcommand lives in its own module."""

from __future__ import annotations

import importlib

import click

from autotts import __version__

# (module, attribute) of every subcommand, registered in this order.
COMMANDS = [
    ("autotts.cli.eval_cmd", "eval_command"),
    ("autotts.cli.controllers_cmd", "controllers_command"),
    ("autotts.cli.compare_cmd", "compare_command"),
    ("autotts.cli.data_cmd", "data_group"),
    ("autotts.cli.sweep_cmd", "sweep_command"),
    ("autotts.cli.reproduce_cmd", "reproduce_group"),
    ("autotts.cli.collect_cmd", "collect_command"),
    ("autotts.cli.run_cmd", "run_command"),
    ("autotts.cli.discover_cmd", "discover_group"),
    ("autotts.cli.view_cmd", "view_command"),
]


class _Group(click.Group):
    """Turns the package's input errors into one-line messages instead of tracebacks."""

    def invoke(self, ctx):
        from autotts.data.catalog import CatalogError
        from autotts.env.store import StoreError

        try:
            return super().invoke(ctx)
        except (StoreError, CatalogError) as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="autotts")
def cli() -> None:
    """AutoTTS: replay environment, controllers and discovery of test-time scaling strategies.

    Stores are found with --data DIR, else $AUTOTTS_DATA, else the user cache
    directory that `autotts data pull` fills.
    """


for _module, _attr in COMMANDS:
    cli.add_command(getattr(importlib.import_module(_module), _attr))


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
