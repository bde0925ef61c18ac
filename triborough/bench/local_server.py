"""The app served on this machine for a browser: what the browser tests and the benchmark share.

Chromium's flags, a free loopback port, and ``streamlit run`` (or ``triborough serve``) in a
process group of its own, waited for until its health check answers and stopped whole after.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

# The flags the project launches Chromium with: headless, no sandbox (CI runs as root), and
# every background service that would phone home (updates, sync, safe-browsing lists) off.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class ServerFailed(RuntimeError):
    """Streamlit exited or never answered its health check; the message holds its log."""


def free_port() -> int:
    """A TCP port free on the loopback address."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(url: str) -> bool:
    """True when ``url`` (on this machine) answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # loopback only
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def stop(proc: subprocess.Popen) -> None:
    """Terminate a server's whole process group (ours only), then kill it if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass


def streamlit_command(python: str, app: str, port: int) -> list[str]:
    """``streamlit run`` of the app on a loopback port, headless, no usage statistics."""
    return [
        python, "-m", "streamlit", "run", app,
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip


@contextlib.contextmanager
def serving(
    cmd: Sequence[str],
    *,
    port: int,
    cwd: Path,
    env: Mapping[str, str],
    log_path: Path,
    timeout_s: float,
) -> Iterator[subprocess.Popen]:
    """Run ``cmd`` (a server on ``port``) in its own process group, logging to ``log_path``;
    yields the process once ``/_stcore/health`` answers, and stops the group after.

    Raises ServerFailed, with the end of the log, when it exits or does not answer in time.
    """
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            list(cmd), cwd=cwd, env=dict(env), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so teardown reaches every child
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while not healthy(f"{url}/_stcore/health"):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-3000:]
                raise ServerFailed(f"Streamlit did not become healthy at {url}; its log:\n{tail}")
            time.sleep(0.2)
        yield proc
    finally:
        stop(proc)
