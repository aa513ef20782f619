"""harness: what every integration test needs.

Real processes run under the real library; servers listen on loopback
ports the kernel picks.  A "late" server binds its port at once (so a
connect is refused, not sent elsewhere) and only calls listen() later.
"""
import atexit
import os
import select
import shutil
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
# The host table of this run (KAIORETRY_TABLE): a directory of its own,
# so tests count neither into the machine's /dev/shm table nor into each
# other's runs.
TABLE_DIR = tempfile.mkdtemp(prefix="kaioretry-table-")
atexit.register(shutil.rmtree, TABLE_DIR, True)


def prog(name):
    return os.path.join(PROGS, name)


def probe_named(d, name):
    """tests/progs/probe copied into `d` under another name: the name a
    program goes by ([program:NAME], the host table's key)."""
    path = os.path.join(d, name)
    shutil.copy(prog("probe"), path)
    return path


def shim_env(extra=None, preload=True, log="stderr"):
    """A clean environment for a child: no KAIORETRY_* from our own."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KAIORETRY") and k != "LD_PRELOAD"}
    if preload:
        env["LD_PRELOAD"] = PRELOAD_FIRST + ":" + LIB if PRELOAD_FIRST else LIB
    if log is not None:
        env["KAIORETRY_LOG"] = log
    env["KAIORETRY_TABLE"] = TABLE_DIR
    env.update(extra or {})
    return env


def run(cmd, env=None, timeout=30, input=None, **kw):
    """Runs cmd to completion; returns CompletedProcess with text output."""
    return subprocess.run(cmd, env=env if env is not None else shim_env(),
                          input=input, capture_output=True, text=True,
                          timeout=timeout, **kw)


class Late:
    """Something that comes up on a loopback port after `delay` s.  The
    port is reserved at once in `sock` (bound, not listening: a connect
    is refused rather than sent elsewhere); come_up() says what then
    serves on it, polling `stopping`, and stopped() what to undo once
    the thread is done."""

    def __init__(self, delay, sock):
        self.sock = sock
        self.port = sock.getsockname()[1] if sock else None
        self.delay = delay
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self._after_delay, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self._thread.join(5)
        self.stopped()
        if self.sock:
            self.sock.close()

    def _after_delay(self):
        if not self.stopping.wait(self.delay):
            self.come_up()

    def stopped(self):
        pass


def reserved_port(family=socket.AF_INET, host=None):
    """A TCP socket bound to a loopback port the kernel picks."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host or ("127.0.0.1" if family == socket.AF_INET else "::1"), 0))
    return sock


class LateServer(Late):
    """A TCP server on 127.0.0.1 that starts listening after `delay` s.

    It accepts connections, sends `greeting`, and closes them."""

    def __init__(self, delay, greeting=b"hello\n", family=socket.AF_INET,
                 sock=None):
        super().__init__(delay, sock or reserved_port(family))
        self.greeting = greeting
        self.accepted = 0

    def come_up(self):
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        while not self.stopping.is_set():
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
        Late.__init__(self, delay, None)
        self.path = path
        self.greeting = greeting
        self.accepted = 0

    def come_up(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        super().come_up()


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


def write_ini(directory, text):
    """directory/kaioretry.ini holding text, mode 0644: an INI file the
    shim trusts (ours, not group-writable)."""
    path = os.path.join(directory, "kaioretry.ini")
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    return path


class Skip(Exception):
    """Raised by a test that cannot run here; the runner counts it."""


def needs_checkout_open_to_others():
    """Tests that run programs as another user (nobody) need the built
    library and programs reachable by them: a checkout under a 0700
    directory (mktemp -d) is not."""
    path = os.path.dirname(LIB)
    while True:
        if not os.stat(path).st_mode & 0o001:
            raise Skip(f"{path} is closed to other users, who must run "
                       "the library and programs here")
        parent = os.path.dirname(path)
        if parent == path:
            return
        path = parent
