"""The ``autotts`` command: one click group; each subcommand lives in its own module.

Subcommand modules are imported only when their command runs, so ``autotts
--help`` and light commands start without numpy, scipy or numba. The group's
help lists each command with the short help kept in :data:`COMMANDS`
(tests/cli/test_startup.py checks it against the command's own docstring).
Expected errors become one line and an exit code (see :mod:`autotts.cli.errors`).
"""

from __future__ import annotations

import importlib
import os

import click

from autotts import __version__
from autotts.cli.errors import DEBUG_ENV, handle_errors

# name -> (module, attribute, short help), listed in this order.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "eval": ("autotts.cli.eval_cmd", "eval_command",
             "Evaluate a controller on replay stores: accuracy (%) and average tokens per "
             "question."),
    "controllers": ("autotts.cli.controllers_cmd", "controllers_command",
                    "List registered controllers with their parameters and one line of doc."),
    "compare": ("autotts.cli.compare_cmd", "compare_command",
                "Compare controllers A and B on the same stores, with 95% bootstrap intervals."),
    "data": ("autotts.cli.data_cmd", "data_group",
             "Download, list and locate the replay stores."),
    "sweep": ("autotts.cli.sweep_cmd", "sweep_command",
              "Run every (store, controller, parameter set) cell of a sweep FILE."),
    "reproduce": ("autotts.cli.reproduce_cmd", "reproduce_group",
                  "Reproduce the AutoTTS paper's results from the replay stores."),
    "collect": ("autotts.cli.collect_cmd", "collect_command",
                "Decode N branches per question in \u0394-token intervals, probe after each "
                "interval, and write OUT (.json or .json.gz, the replay store format) plus OUT's "
                ".manifest.json and .raw.jsonl (one row per question x branch)."),
    "run": ("autotts.cli.run_cmd", "run_command",
            "Answer questions live with a controller; prints answer, tokens and wall time."),
    "discover": ("autotts.cli.discover_cmd", "discover_group",
                 "Discover test-time scaling controllers with a coding agent (or the built-in "
                 "search)."),
    "verdict": ("autotts.cli.verdict_cmd", "verdict_command",
                "The pre-registered verdict of finished discovery run RUN_DIR, per pick."),
    "view": ("autotts.cli.view_cmd", "view_command",
             "Serve the page of discovery run RUN_DIR on http://127.0.0.1:PORT/."),
}


def load_command(name: str) -> click.Command:
    """Import the module of subcommand ``name`` and return its click command."""
    module, attr, _ = COMMANDS[name]
    return getattr(importlib.import_module(module), attr)


class _LazyGroup(click.Group):
    """A group whose subcommands are imported on use, and whose errors are one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS) + [n for n in super().list_commands(ctx) if n not in COMMANDS]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS:
            return load_command(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The listing from COMMANDS, so --help imports no subcommand module; commands
        # added with add_command (already imported) speak for themselves.
        extra = {n: c for n, c in self.commands.items() if n not in COMMANDS and not c.hidden}
        limit = formatter.width - 6 - max(len(n) for n in [*COMMANDS, *extra])
        rows = [(name, click.Command(name, help=short).get_short_help_str(limit))
                for name, (_, _, short) in COMMANDS.items()]
        rows += [(name, cmd.get_short_help_str(limit)) for name, cmd in extra.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        with handle_errors(debug=ctx.params.get("debug", False)):
            return super().invoke(ctx)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"],
                                                "max_content_width": 100})
@click.version_option(__version__, prog_name="autotts")
@click.option("--debug", is_flag=True, envvar=DEBUG_ENV,
              help=f"Show the full traceback of an error (also ${DEBUG_ENV}=1).")
def cli(debug: bool) -> None:
    """AutoTTS: replay environment, controllers and discovery of test-time scaling strategies.

    Stores are found with --data DIR, else $AUTOTTS_DATA, else the user cache
    directory that `autotts data pull` fills.
    """


def main() -> None:
    # The command line compiles only autotts's kernels, which use no linear algebra:
    # numba may start without scipy's BLAS (autotts.evaluation.fast.jit, ~0.3 s).
    """Run the ``autotts`` command line; returns when the command is done."""
    os.environ.setdefault("AUTOTTS_LEAN_NUMBA", "1")
    cli()


if __name__ == "__main__":
    main()
