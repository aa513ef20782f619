"""The failure path fits a small signal stack.  A handler on an
alternate signal stack (sigaltstack) makes a failing connect: the stack
the shim adds to it, with logging on and a series that logs every kind
of record, is measured against the same program without the shim, and
bounded; and a 7 KiB alternate stack that is enough without the shim is
enough with it."""
import os
import socket
import threading
import time

from harness import Skip, dead_port, prog, run, series_lines, shim_env, tempdir

# Bytes of stack the shim may add to a failing connect, deepest point of
# its whole series (sleeps, every record, the sink) against libc's own.
STACK_ADDED_MAX = 1024

# A series of every record kind: first failure, tries remaining,
# sleeping, a new failure (ENOENT becomes ECONNREFUSED), the outcome;
# deadline and attempt_timeout lengthen the policy text and bound the
# TCP attempts.
SERIES = {"KAIORETRY_TRIES": "8", "KAIORETRY_DELAY": "0.01",
          "KAIORETRY_ERRORS": "ENOENT,ECONNREFUSED",
          "KAIORETRY_DEADLINE": "30", "KAIORETRY_ATTEMPT_TIMEOUT": "5"}


def used(target, env):
    r = run([prog("altstack"), "measure", target], env=env, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    return int(r.stdout.split("used ")[1]), r


class Daemon:
    """A syslog datagram socket drained by a thread, so no record is
    dropped for a full queue."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.1)
        self.got = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._drain, daemon=True)

    def _drain(self):
        while not self.stopping.is_set():
            try:
                self.got.append(self.sock.recv(4096).decode())
            except socket.timeout:
                pass

    def records(self, _):
        time.sleep(0.2)
        got, self.got = self.got, []
        return "\n".join(got)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(5)
        self.sock.close()


def sinks(d):
    """The syslog daemon, and (KAIORETRY_LOG value, function returning
    what the sink got, more settings) for each sink; the journal's and
    RFC 5424's datagrams go to the same drained socket."""
    path = os.path.join(d, "retry.log")
    daemon = Daemon(os.path.join(d, "log.sock"))

    def from_file(_):
        with open(path) as f:
            return f.read()

    return daemon, [("stderr", lambda r: "\n".join(series_lines(r.stderr)), {}),
                    ("file:" + path, from_file, {}),
                    ("syslog:" + daemon.path, daemon.records, {}),
                    ("syslog:" + daemon.path, daemon.records,
                     {"KAIORETRY_LOG_FORMAT": "rfc5424"}),
                    ("journal:" + daemon.path, daemon.records, {})]


def test_failure_path_stack_is_bounded_against_libc():
    keep, port = dead_port()
    with keep, tempdir() as d:
        daemon, logs = sinks(d)
        with daemon:
            for n, (log, records, more) in enumerate(logs):
                for target in (str(port), os.path.join(d, f"{n}.sock")):
                    raw, _ = used(target, shim_env(SERIES, preload=False))
                    if os.path.exists(target):
                        os.unlink(target)  # bound in the raw run
                    pre, r = used(target, shim_env({**SERIES, **more},
                                                   log=log))
                    assert pre - raw <= STACK_ADDED_MAX, (log, target, raw, pre)
                    got = records(r)
                    assert "failed: " in got and "tries remaining" in got, got
                    assert "sleeping 0.01 seconds" in got, got
                    assert "failed to complete after 8 tries" in got, got
                    if target.startswith("/"):
                        assert "failed on try #" in got, got


def test_a_handler_on_a_7_kib_alternate_stack_survives():
    keep, port = dead_port()
    with keep, tempdir() as d:
        daemon, logs = sinks(d)
        with daemon:
            cmd = [prog("altstack"), "small", str(7 * 1024), str(port)]
            raw = run(cmd, env=shim_env(preload=False))
            if raw.returncode != 0:
                raise Skip("7 KiB is too small here even without the shim: "
                           f"{raw.returncode} {raw.stderr}")
            assert raw.stdout == "connect -1 ECONNREFUSED\n", raw.stdout
            for log, _, more in logs:
                pre = run(cmd, env=shim_env({**SERIES, **more,
                                             "KAIORETRY_TRIES": "3"}, log=log))
                assert (pre.returncode, pre.stdout) == (0, raw.stdout), \
                    (log, pre.returncode, pre.stdout, pre.stderr[-300:])
