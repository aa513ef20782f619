"""harness: what every integration test needs.

Real processes run under the real library; servers listen on loopback
ports the kernel picks.  A "late" server binds its port at once (so a
connect is refused, not sent elsewhere) and only calls listen() later.
"""
import atexit
import ctypes
import os
import re
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
LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.shmat.restype = ctypes.c_void_p
LIBC.shmat.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_int)
LIBC.shmdt.argtypes = (ctypes.c_void_p,)
IPC_RMID = 0
TABLE_RECORD = re.compile(rb"kaioretry-table shmid=(\d+)\n")


def table_segments():
    """{shmid: (key, perms, size, uid)} of every System V segment."""
    with open("/proc/sysvipc/shm") as f:
        rows = [l.split() for l in f.readlines()[1:]]
    return {int(r[1]): (int(r[0]), int(r[2], 8), int(r[3]), int(r[7])) for r in rows}


def table_segment_of(path):
    """The shmid the table file at `path` records, or None."""
    try:
        with open(path, "rb") as f:
            m = TABLE_RECORD.fullmatch(f.read(64))
    except OSError:
        return None
    return int(m.group(1)) if m else None


def remove_table_segment(shmid, segments=None):
    """Removes segment `shmid` if it is (still) like a host table's: a
    private 0600 segment of the table's size."""
    segments = table_segments() if segments is None else segments
    if shmid in segments and segments[shmid][:3] == (0, 0o600, 65536):
        LIBC.shmctl(shmid, IPC_RMID, None)


def remove_table_segments(top):
    """Removes the host-table segments the table files under `top` name
    (each a private 0600 segment of the table's size), so that test runs
    leave no System V segment behind; then `top` itself."""
    segments = table_segments()
    for d, _, files in os.walk(top):
        for name in files:
            if re.fullmatch(r"kaioretry-\d+\.table", name):
                remove_table_segment(table_segment_of(os.path.join(d, name)),
                                     segments)
    shutil.rmtree(top, True)


atexit.register(remove_table_segments, TABLE_DIR)


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


class _TestDir(tempfile.TemporaryDirectory):
    """A temporary directory whose host tables' segments go with it."""
    def cleanup(self):
        remove_table_segments(self.name)
        super().cleanup()


def tempdir():
    return _TestDir(prefix="kaioretry-test-")


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


def closed_to_others():
    """The first directory above the built library that other users
    cannot enter (a checkout under mktemp -d), or None."""
    path = os.path.dirname(LIB)
    while True:
        if not os.stat(path).st_mode & 0o001:
            return path
        parent = os.path.dirname(path)
        if parent == path:
            return None
        path = parent


_for_others = []


def for_others():
    """(library, kaioretry command) another user (nobody) can run: the
    checkout's own when it is open to others, else copies made once in
    a 0755 directory of this run's (the command finds its helper and
    the library beside it, in ../build), removed at exit."""
    command = os.path.join(ROOT, "scripts", "kaioretry")
    if not closed_to_others():
        return LIB, command
    if not _for_others:
        top = tempfile.mkdtemp(prefix="kaioretry-for-others-")
        atexit.register(shutil.rmtree, top, True)
        for sub in ("build", "scripts"):
            os.mkdir(os.path.join(top, sub))
        for source, sub in ((LIB, "build"),
                            (os.path.join(BUILD, "kaioretry-config"), "build"),
                            (command, "scripts")):
            shutil.copy2(source, os.path.join(top, sub))
        for path in (top, os.path.join(top, "build"), os.path.join(top, "scripts")):
            os.chmod(path, 0o755)
        _for_others.append(top)
    top = _for_others[0]
    return (os.path.join(top, "build", os.path.basename(LIB)),
            os.path.join(top, "scripts", "kaioretry"))


def preload_for_others():
    """LD_PRELOAD for a program another user runs: the library
    for_others gives, after the sanitizer runtime when there is one."""
    lib = for_others()[0]
    return PRELOAD_FIRST + ":" + lib if PRELOAD_FIRST else lib
