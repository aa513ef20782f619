"""harness: what every integration test needs.

Real processes run under the real library; servers listen on loopback
ports the kernel picks.  A "late" server binds its port at once (so a
connect is refused, not sent elsewhere) and only calls listen() later.
"""
import os
import select
import socket
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
# make check-sanitize runs the suite against an ASan build of the
# library, with the ASan runtime preloaded in front of it.
LIB = os.environ.get("KAIORETRY_TEST_LIB") or os.path.join(BUILD, "libkaioretry.so")
PRELOAD_FIRST = os.environ.get("KAIORETRY_TEST_PRELOAD_FIRST", "")
PROGS = os.path.join(BUILD, "progs")
PYTHON = "/usr/bin/python3"


def prog(name):
    return os.path.join(PROGS, name)


def shim_env(extra=None, preload=True, log="stderr"):
    """A clean environment for a child: no KAIORETRY_* from our own."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KAIORETRY") and k != "LD_PRELOAD"}
    if preload:
        env["LD_PRELOAD"] = PRELOAD_FIRST + ":" + LIB if PRELOAD_FIRST else LIB
    if log is not None:
        env["KAIORETRY_LOG"] = log
    env.update(extra or {})
    return env


def run(cmd, env=None, timeout=30, input=None, **kw):
    """Runs cmd to completion; returns CompletedProcess with text output."""
    return subprocess.run(cmd, env=env if env is not None else shim_env(),
                          input=input, capture_output=True, text=True,
                          timeout=timeout, **kw)


class LateServer:
    """A TCP server on 127.0.0.1 that starts listening after `delay` s.

    It accepts connections, sends `greeting`, and closes them."""

    def __init__(self, delay, greeting=b"hello\n", family=socket.AF_INET):
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0) if family == socket.AF_INET else ("::1", 0))
        self.port = self.sock.getsockname()[1]
        self.delay = delay
        self.greeting = greeting
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        self.sock.close()

    def _serve(self):
        if self._stop.wait(self.delay):
            return
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.accepted += 1
            try:
                self.handle(conn)
            except OSError:
                pass
            conn.close()

    def handle(self, conn):
        """What the server does with one connection; subclasses speak
        other protocols."""
        conn.sendall(self.greeting)


class LateUnixServer(LateServer):
    """An AF_UNIX stream server whose socket file appears after `delay` s."""

    def __init__(self, path, delay, greeting=b"hello\n"):
        self.path = path
        self.delay = delay
        self.greeting = greeting
        self.accepted = 0
        self.sock = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve_unix, daemon=True)

    def _serve_unix(self):
        if self._stop.wait(self.delay):
            return
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self._serve()

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        if self.sock:
            self.sock.close()


def dead_port():
    """A loopback port that refuses: bound, never listening.  Keep the
    returned socket alive for as long as the port must stay dead."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s, s.getsockname()[1]


def series_lines(stderr):
    return [l for l in stderr.splitlines() if l.startswith("kaioretry[")]


def tempdir():
    return tempfile.TemporaryDirectory(prefix="kaioretry-test-")


class Skip(Exception):
    """Raised by a test that cannot run here; the runner counts it."""
