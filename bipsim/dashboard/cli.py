"""``bipsim dashboard [SCENARIO] [--port N] [--host H]``: start the trainer's dashboard.

Everything is checked before anything starts: the scenario (exit 2 with the
loader's message), the levers against the parameter schema, the seed, and that the
port is free. Then the Solara server runs in a child process until Ctrl-C, with
the scenario passed through the environment (:mod:`.settings`).

Solara is imported only by the child process, so ``bipsim run`` does not pay for it.
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import socket
import subprocess
import sys

from bipsim import options

from .settings import DEFAULT_SCENARIO, load_settings

#: The Solara page the server shows.
APP = "bipsim.dashboard.app:Page"
DEFAULT_PORT = 8765
DEFAULT_HOST = "127.0.0.1"  # this machine only; --host 0.0.0.0 to show it on a network
#: Keep the server offline: no usage statistics sent (a training room may have no network,
#: and what a trainer does is nobody else's business).
SERVER_ENVIRONMENT = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``bipsim dashboard`` with the CLI's subparsers."""
    dash = subparsers.add_parser(
        "dashboard", help="start the trainer's dashboard in the browser",
        description="Show one jobcentre live in the browser: the chosen practice next to "
                    "today's practice, same citizens, same seed. Open the printed address.")
    dash.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                      help=f"scenario file or name (default: {DEFAULT_SCENARIO})")
    dash.add_argument("--port", type=_port, default=DEFAULT_PORT,
                      help=f"port to serve on (default: {DEFAULT_PORT})")
    dash.add_argument("--host", default=DEFAULT_HOST,
                      help=f"address to listen on (default: {DEFAULT_HOST}, this machine only)")
    options.add_seed(dash, "seed of the first run (default: the scenario's run.seed)")
    dash.add_argument("--check", action="store_true",
                      help="check the scenario, levers and port, print the server command, "
                           "and exit without starting it")
    dash.set_defaults(func=cmd_dashboard)


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Check everything, then run the Solara server until it stops (or Ctrl-C).

    Raises:
        ScenarioError: A scenario that does not load or does not fit the dashboard.
        LeverError: Lever definitions that do not match the parameter schema.
    """
    from .levers import check_levers  # numpy and the model: not for ``bipsim --help``

    settings = load_settings(args.scenario, args.seed)
    check_levers()
    problem = _port_problem(args.host, args.port)
    if problem:
        print(f"bipsim: error: {problem}", file=sys.stderr)
        return 2
    command = server_command(args.port, args.host)
    url = f"http://{args.host}:{args.port}/"
    if args.check:
        print(" ".join(command))
        return 0
    print(f"bipsim dashboard: {settings.scenario.name}, seed {settings.seed}: open {url} "
          "(Ctrl-C stops the server)", flush=True)
    return _serve(command, {**os.environ, **SERVER_ENVIRONMENT, **settings.environment()})


def _serve(command: list[str], env: dict[str, str]) -> int:
    """Run the server until it exits; stop it if this process is interrupted or terminated."""
    def terminated(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminated)
    server = subprocess.Popen(command, env=env)
    try:
        return server.wait()
    except KeyboardInterrupt:  # Ctrl-C reached the server too; it stops by itself
        return 0
    finally:
        if server.poll() is None:  # never leave an orphaned server behind
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        signal.signal(signal.SIGTERM, previous)


def server_command(port: int, host: str) -> list[str]:
    """The command that runs the Solara server for the dashboard."""
    return [sys.executable, "-m", "solara", "run", APP, "--port", str(port), "--host", host,
            "--production", "--no-open", "--no-check-version", "--log-level", "warning"]


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is not between 1 and 65535")
    return port


def _port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host:port``, or None if it can."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror as err:
        return f"--host {host!r}: not an address of this machine ({err.strerror})"
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind((host, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is in use; choose another with --port"
            return f"cannot listen on {host}:{port} ({err.strerror})"
    return None
