"""``autotts view``: watch a discovery run in the browser."""

from __future__ import annotations

import click

DEFAULT_PORT = 8765


@click.command("view")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port on 127.0.0.1 (0 = any free port; the address is printed).")
@click.option("--open", "open_browser", is_flag=True, help="Also open the page in a browser.")
def view_command(run_dir, port, open_browser) -> None:
    """Serve the page of discovery run RUN_DIR on http://127.0.0.1:PORT/.

    The same page as RUN_DIR/report.html (curves, rounds, source, diffs,
    contract checks, traces; held-out numbers after selection), refreshed
    while the run is going: new rounds appear within about two seconds.
    Only this machine can reach it. Stop with Ctrl-C. Needs the [viewer]
    extra (pip install 'autotts-scaling[viewer]').
    """
    from autotts.discovery.run.config import ConfigError
    from autotts.discovery.run.files import RunError
    from autotts.viewer.deps import ViewerDependencyError, require

    try:
        require()
        from autotts.viewer.server import make_server

        server = make_server(run_dir, port)
    except (ViewerDependencyError, RunError, ConfigError) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}; "
                                   "choose another --port (0 = any free one)") from None
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    click.echo(f"serving {run_dir} at {url} (Ctrl-C to stop)", err=False)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
