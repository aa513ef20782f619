"""real_servers: real servers that listen before they serve, for the
readiness tests (test_ready.py).  Each is started as the test's own
process, in a temporary directory, on a loopback port the kernel picks;
never the system's services.

- PostgresStandby: a real PostgreSQL cluster started as a standby with
  hot_standby = off, so it answers every connection with 57P03 ("the
  database system is not accepting connections") until `pg_ctl promote`
  runs, `promote_after` seconds in.  Runs as the postgres user (runuser)
  when the tests run as root.
- LatePostgres: a real PostgreSQL primary started `delay` s late.
- LoadingRedis: a real redis-server loading a dump of 3000 keys slowed
  with its key-load-delay setting, answering -LOADING for about
  `load_seconds`, started at once or `start_after` s late.
- WarmingHTTP: a stand-in (python's http.server), not a real service: it
  answers 503 for `warm` seconds, then 200.
"""
import atexit
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import http.server

from harness import Skip

PG_BIN = "/usr/lib/postgresql/15/bin"
REDIS = "/usr/bin/redis-server"


def free_port():
    """A loopback port the kernel picked and released at once (for
    servers that bind it themselves)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, seconds=20):
    """Until a TCP connect to the port succeeds (plain python, no shim)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


# --- PostgreSQL -----------------------------------------------------------

def _as_postgres(argv):
    """argv as the postgres user when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--"] + argv


_pg_template = None


def _postgres_template():
    """One initdb per test run; each server starts from a copy."""
    global _pg_template
    if _pg_template:
        return _pg_template
    if not os.path.exists(os.path.join(PG_BIN, "initdb")):
        raise Skip("postgresql not installed (scripts/install-deps)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise Skip("no postgres user")
    top = tempfile.mkdtemp(prefix="kaioretry-pg-")
    atexit.register(shutil.rmtree, top, True)
    if os.geteuid() == 0:
        shutil.chown(top, "postgres")
    data = os.path.join(top, "data")
    subprocess.run(_as_postgres([os.path.join(PG_BIN, "initdb"), "-D", data,
                                 "-A", "trust", "-U", "postgres",
                                 "--no-sync"]),
                   check=True, capture_output=True, timeout=120)
    with open(os.path.join(data, "postgresql.conf"), "a") as conf:
        conf.write("hot_standby = off\nlisten_addresses = '127.0.0.1'\n"
                   "fsync = off\nmax_connections = 20\n"
                   "shared_buffers = 16MB\n")
    _pg_template = data
    return data


class PostgresStandby:
    """A standby refusing with 57P03 until promoted `promote_after` s
    after start (None: never)."""

    def __init__(self, promote_after=1.5):
        self.promote_after = promote_after
        self.port = free_port()

    def __enter__(self):
        template = _postgres_template()
        self.top = tempfile.mkdtemp(prefix="kaioretry-pg-")
        if os.geteuid() == 0:
            shutil.chown(self.top, "postgres")
        self.data = os.path.join(self.top, "data")
        subprocess.run(_as_postgres(["cp", "-a", template, self.data]),
                       check=True, timeout=60)
        with open(os.path.join(self.data, "postgresql.conf"), "a") as conf:
            conf.write(f"port = {self.port}\n"
                       f"unix_socket_directories = '{self.top}'\n")
        signal_file = os.path.join(self.data, "standby.signal")
        open(signal_file, "w").close()
        if os.geteuid() == 0:
            shutil.chown(signal_file, "postgres")
        self._pg_ctl("start", "-w", "-t", "60", "-l",
                     os.path.join(self.top, "log"))
        self._timer = None
        if self.promote_after is not None:
            self.promote_later(self.promote_after)
        return self

    def _pg_ctl(self, *args):
        return subprocess.run(_as_postgres([os.path.join(PG_BIN, "pg_ctl"),
                                            "-D", self.data] + list(args)),
                              capture_output=True, text=True, timeout=60)

    def promote(self):
        self._pg_ctl("promote", "-w")

    def promote_later(self, seconds):
        """Promotes `seconds` from now, in a thread."""
        self._timer = threading.Timer(seconds, self.promote)
        self._timer.start()

    def __exit__(self, *exc):
        if self._timer:
            self._timer.cancel()
            self._timer.join()
        self._pg_ctl("stop", "-m", "immediate", "-w")
        shutil.rmtree(self.top, ignore_errors=True)


class LatePostgres(PostgresStandby):
    """A real PostgreSQL (a primary) that starts `delay` s late: refused
    until its postmaster listens, then 57P03 "the database system is
    starting up" until it serves."""

    def __init__(self, delay=1.0):
        super().__init__(promote_after=None)
        self.delay = delay

    def __enter__(self):
        template = _postgres_template()
        self.top = tempfile.mkdtemp(prefix="kaioretry-pg-")
        if os.geteuid() == 0:
            shutil.chown(self.top, "postgres")
        self.data = os.path.join(self.top, "data")
        subprocess.run(_as_postgres(["cp", "-a", template, self.data]),
                       check=True, timeout=60)
        with open(os.path.join(self.data, "postgresql.conf"), "a") as conf:
            conf.write(f"port = {self.port}\n"
                       f"unix_socket_directories = '{self.top}'\n")
        self._timer = threading.Timer(self.delay, self._pg_ctl, (
            "start", "-l", os.path.join(self.top, "log")))
        self._timer.start()
        return self


# --- Redis ----------------------------------------------------------------

_redis_dump = None


def _redis_dump_file():
    """A dump.rdb of 3000 keys, made once by a real redis-server."""
    global _redis_dump
    if _redis_dump:
        return _redis_dump
    if not os.path.exists(REDIS):
        raise Skip("redis-server not installed (scripts/install-deps)")
    top = tempfile.mkdtemp(prefix="kaioretry-redis-")
    atexit.register(shutil.rmtree, top, True)
    port = free_port()
    proc = subprocess.Popen([REDIS, "--port", str(port), "--bind", "127.0.0.1",
                             "--dir", top, "--save", "", "--appendonly", "no",
                             "--enable-debug-command", "yes"],
                            stdout=subprocess.DEVNULL)
    try:
        wait_listening(port)
        cli = ["redis-cli", "-p", str(port)]
        subprocess.run(cli + ["debug", "populate", "3000"], check=True,
                       capture_output=True, timeout=30)
        subprocess.run(cli + ["save"], check=True, capture_output=True,
                       timeout=30)
    finally:
        proc.terminate()
        proc.wait(10)
    _redis_dump = os.path.join(top, "dump.rdb")
    return _redis_dump


class LoadingRedis:
    """redis-server loading the dump: -LOADING for `load_seconds`, about
    (3000 keys at key-load-delay microseconds each, plus overhead)."""

    def __init__(self, load_seconds=1.5, start_after=0):
        self.key_delay_us = int(load_seconds * 1e6 / 3000)
        self.start_after = start_after
        self.port = free_port()
        self.proc = None

    def __enter__(self):
        dump = _redis_dump_file()
        self.top = tempfile.mkdtemp(prefix="kaioretry-redis-")
        shutil.copy(dump, os.path.join(self.top, "dump.rdb"))
        if self.start_after:
            self._timer = threading.Timer(self.start_after, self._start)
            self._timer.start()
        else:
            self._start()
            wait_listening(self.port)
        return self

    def _start(self):
        self.proc = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", self.top, "--save", "", "--appendonly", "no",
             "--key-load-delay", str(self.key_delay_us),
             "--loading-process-events-interval-bytes", "1024"],
            stdout=subprocess.DEVNULL)

    def __exit__(self, *exc):
        if self.start_after:
            self._timer.cancel()
            self._timer.join()
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)
        shutil.rmtree(self.top, ignore_errors=True)


# --- HTTP (a stand-in) ------------------------------------------------------

class WarmingHTTP:
    """A stand-in HTTP service (python's http.server, not a real one):
    503 for `warm` seconds (None: for ever), then 200; counts requests."""

    def __init__(self, warm=1.0):
        self.warm = warm
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                up = outer.warm is not None and \
                    time.monotonic() - outer.started >= outer.warm
                outer.requests.append((self.path, 200 if up else 503))
                body = b"healthy\n" if up else b"warming up\n"
                self.send_response(200 if up else 503)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A check that has read the status line closes without reading
        # the body; the write that then fails is no news.
        self.server.handle_error = lambda *args: None
        self.port = self.server.server_address[1]

    def __enter__(self):
        self.started = time.monotonic()
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
