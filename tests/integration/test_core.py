"""The core promise: blocking calls of unmodified programs are retried
per the policy, and the program sees exactly what libc said."""
import os
import re
import socket
import time

from harness import (PYTHON, LateServer, LateUnixServer, dead_port, prog,
                     run, series_lines, shim_env, tempdir)

CREATE_CONNECTION = """
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print("got", s.recv(100).decode().strip())
"""


def test_late_tcp_server_blocking_python_client():
    with LateServer(1.0) as srv:
        r = run([PYTHON, "-c", CREATE_CONNECTION, str(srv.port)],
                env=shim_env({"KAIORETRY_DELAY": "0.1"}))
    assert r.returncode == 0, r.stderr
    assert "got hello" in r.stdout
    lines = series_lines(r.stderr)
    assert any("failed: ECONNREFUSED" in l for l in lines), lines
    assert any("succeeded after" in l for l in lines), lines
    uuids = {re.search(r"[0-9a-f-]{36}", l).group(0) for l in lines}
    assert len(uuids) == 1, uuids


def test_late_tcp_server_fails_without_shim():
    with LateServer(1.0) as srv:
        r = run([PYTHON, "-c", CREATE_CONNECTION, str(srv.port)],
                env=shim_env(preload=False))
    assert r.returncode != 0
    assert "ConnectionRefusedError" in r.stderr


def test_late_unix_socket():
    with tempdir() as d:
        path = os.path.join(d, "app.sock")
        with LateUnixServer(path, 0.8):
            # A path that is not there yet is retried only when named.
            r = run([prog("probe"), "connect-unix", path],
                    env=shim_env({"KAIORETRY_DELAY": "0.1",
                                  "KAIORETRY_CONNECT_ERRORS":
                                  "ECONNREFUSED,ENOENT"}))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "read=6 hello" in r.stdout
    assert any("connect(unix:" in l and "ENOENT" in l
               for l in series_lines(r.stderr)), r.stderr


def test_tries_and_delays_follow_the_policy():
    keep, port = dead_port()
    r = run([prog("probe"), "connect", "127.0.0.1", str(port)],
            env=shim_env({"KAIORETRY_TRIES": "4", "KAIORETRY_DELAY": "0.1",
                          "KAIORETRY_BACKOFF": "2"}))
    keep.close()
    assert "rc=-1 errno=ECONNREFUSED" in r.stdout
    lines = series_lines(r.stderr)
    sleeps = [l.split("sleeping ")[1].split()[0] for l in lines if "sleeping" in l]
    assert sleeps == ["0.1", "0.2", "0.4"], sleeps
    assert [l for l in lines if "tries remaining" in l][0].split(": ")[-1].startswith("3 tries")
    assert "failed to complete after 4 tries" in lines[-1]
    elapsed = float(r.stdout.split("elapsed=")[1])
    assert 0.65 < elapsed < 2.0, elapsed


def test_getaddrinfo_through_the_shim():
    r = run([prog("probe"), "gai", "localhost", "80"])
    assert "gai rc=0" in r.stdout, r.stdout + r.stderr
    assert series_lines(r.stderr) == []
    # A name that does not exist is not a transient error: no series.
    r = run([prog("probe"), "gai", "no-such-host.invalid"],
            env=shim_env({"KAIORETRY_GETADDRINFO_DELAY": "1"}))
    assert "gai rc=-2" in r.stdout or "gai rc=-3" in r.stdout, r.stdout
    # ...unless the policy names it.
    r = run([prog("probe"), "gai", "no-such-host.invalid"],
            env=shim_env({"KAIORETRY_GETADDRINFO_ERRORS": "EAI_NONAME,EAI_AGAIN",
                          "KAIORETRY_GETADDRINFO_TRIES": "3"}))
    lines = series_lines(r.stderr)
    assert any("getaddrinfo(no-such-host.invalid:*) failed" in l for l in lines), lines
    assert "after 3 tries" in lines[-1]


def test_errno_is_what_libc_said():
    keep, port = dead_port()
    r = run([prog("probe"), "connect", "127.0.0.1", str(port)],
            env=shim_env({"KAIORETRY_TRIES": "3"}))
    keep.close()
    assert "rc=-1 errno=ECONNREFUSED" in r.stdout
    r = run([prog("probe"), "errno-bad-read"],
            env=shim_env({"KAIORETRY_ERRORS": "all, EBADF", "KAIORETRY_TRIES": "3",
                          "KAIORETRY_DELAY": "0.5"}))
    assert "read rc=-1 errno=EBADF" in r.stdout
    assert "errno-after-success=12345" in r.stdout
    # EBADF named retries it (`all` alone leaves it out), yet errno is
    # still EBADF at the end.
    assert "failed to complete after 3 tries" in r.stderr
    r = run([prog("probe"), "errno-bad-read"],
            env=shim_env({"KAIORETRY_ERRORS": "all", "KAIORETRY_TRIES": "3",
                          "KAIORETRY_DELAY": "0.5"}))
    assert "read rc=-1 errno=EBADF" in r.stdout
    assert series_lines(r.stderr) == [], r.stderr


def test_nonblocking_calls_pass_through_instantly():
    with tempdir() as d:
        r = run([prog("probe"), "connect-nb-unix", os.path.join(d, "none")],
                env=shim_env({"KAIORETRY_DELAY": "1", "KAIORETRY_TRIES": "5"}))
    assert "rc=-1 errno=ENOENT" in r.stdout
    assert float(r.stdout.split("elapsed=")[1]) < 0.2
    assert series_lines(r.stderr) == []
    r = run([prog("probe"), "recv-dontwait"],
            env=shim_env({"KAIORETRY_ERRORS": "all", "KAIORETRY_DELAY": "1"}))
    assert "recv rc=-1 errno=EAGAIN" in r.stdout
    assert series_lines(r.stderr) == []


def test_short_write_is_not_repeated():
    with tempdir() as d:
        path = os.path.join(d, "out")
        r = run([prog("probe"), "short-write", path],
                env=shim_env({"KAIORETRY_ERRORS": "all", "KAIORETRY_TRIES": "3"}))
        size = os.path.getsize(path)
    assert "first=100" in r.stdout, r.stdout
    assert "second=-1 errno=EFBIG" in r.stdout
    assert size == 100
    # Only the failed write made a series; the short one was a success.
    assert sum("failed: EFBIG" in l for l in series_lines(r.stderr)) == 1


def test_sixteen_threads_retry_at_once():
    with LateServer(1.0) as srv:
        r = run([prog("probe"), "threads", "16", "127.0.0.1", str(srv.port)],
                env=shim_env({"KAIORETRY_DELAY": "0.05"}))
        for _ in range(50):  # the server may still be draining its backlog
            if srv.accepted == 16:
                break
            time.sleep(0.05)
        accepted = srv.accepted
    assert "threads=16 failures=0" in r.stdout, r.stdout + r.stderr
    assert accepted == 16
    lines = series_lines(r.stderr)
    ok = {re.search(r"[0-9a-f-]{36}", l).group(0) for l in lines if "succeeded" in l}
    assert len(ok) == 16


def test_fork_of_threaded_program_keeps_a_working_shim():
    with LateServer(0.8) as srv:
        r = run([prog("probe"), "fork", "127.0.0.1", str(srv.port)],
                env=shim_env({"KAIORETRY_DELAY": "0.05"}))
    assert "child connect rc=0" in r.stdout, r.stdout + r.stderr
    assert "child exit=0" in r.stdout


def test_signal_without_sa_restart_ends_the_series_promptly():
    keep, port = dead_port()
    for delay in ("0.3", "0"):
        r = run([prog("probe"), "signal-stop", "norestart", "127.0.0.1",
                 str(port), "500"],
                env=shim_env({"KAIORETRY_DELAY": delay, "KAIORETRY_LOG": "none"}),
                timeout=10)
        assert "signal=1" in r.stdout, r.stdout
        since = float(r.stdout.split("since_signal=")[1].split()[0])
        assert since < 0.1, (delay, since)
        # The last real error, or EINTR when the signal hit the call itself.
        assert re.search(r"rc=-1 errno=(ECONNREFUSED|EINTR)", r.stdout), r.stdout
    keep.close()


def test_signal_with_sa_restart_does_not_cut_the_series():
    with LateServer(1.0) as srv:
        r = run([prog("probe"), "signal-stop", "restart", "127.0.0.1",
                 str(srv.port), "300"],
                env=shim_env({"KAIORETRY_DELAY": "0.25"}))
    assert "signal=1" in r.stdout
    assert "connect rc=0" in r.stdout, r.stdout + r.stderr


def test_bad_config_passes_through_with_one_message():
    keep, port = dead_port()
    r = run([prog("probe"), "connect", "127.0.0.1", str(port)],
            env=shim_env({"KAIORETRY_TRIES": "0", "KAIORETRY_DELAY": "1"}))
    assert "KAIORETRY_TRIES" in r.stderr and "tries=0" in r.stderr
    assert "passes through untouched" in r.stderr
    assert "rc=-1 errno=ECONNREFUSED" in r.stdout
    assert float(r.stdout.split("elapsed=")[1]) < 0.5
    r = run([prog("probe"), "connect", "127.0.0.1", str(port)],
            env=shim_env({"KAIORETRY_TRIE": "3", "KAIORETRY_STRICT": "1"}))
    keep.close()
    assert r.returncode == 78
    assert "KAIORETRY_TRIE" in r.stderr
    assert r.stdout == ""


def test_ini_file_and_precedence():
    keep, port = dead_port()
    with tempdir() as d:
        ini = os.path.join(d, "k.ini")
        with open(ini, "w") as f:
            f.write("[default]\ntries = 5  # five\ndelay = 0.05\n"
                    "[connect]\ntries = 3 ; three\n")
        os.chmod(ini, 0o644)
        r = run([prog("probe"), "connect", "127.0.0.1", str(port)],
                env=shim_env({"KAIORETRY_CONFIG": ini}))
        assert "after 3 tries" in r.stderr, r.stderr
        r = run([prog("probe"), "connect", "127.0.0.1", str(port)],
                env=shim_env({"KAIORETRY_CONFIG": ini, "KAIORETRY_TRIES": "2"}))
        assert "after 2 tries" in r.stderr, r.stderr
        r = run([prog("probe"), "connect", "127.0.0.1", str(port)],
                env=shim_env({"KAIORETRY_CONFIG": ini, "KAIORETRY_TRIES": "2",
                              "KAIORETRY_CONNECT_TRIES": "4"}))
        assert "after 4 tries" in r.stderr, r.stderr
    keep.close()


def test_syslog_socket_receives_the_series():
    keep, port = dead_port()
    with tempdir() as d:
        path = os.path.join(d, "log")
        rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        rx.bind(path)
        rx.settimeout(2)
        r = run([prog("probe"), "connect", "127.0.0.1", str(port)],
                env=shim_env({"KAIORETRY_TRIES": "2", "KAIORETRY_DELAY": "0"},
                             log="syslog:" + path))
        records = [rx.recv(2048).decode() for _ in range(3)]
        rx.close()
    keep.close()
    assert r.stderr == ""
    assert re.match(r"<12>\w{3} [ \d]\d \d\d:\d\d:\d\d kaioretry\[\d+\]: probe: ", records[0]), records
    assert "failed to complete after 2 tries" in records[-1]


def test_longjmp_out_of_a_series_leaves_a_working_shim():
    """wget-style timeouts siglongjmp out of a handler mid-series; the
    next failing call must start a series of its own, not pass through."""
    keep, port = dead_port()
    r = run([prog("probe"), "longjmp", "127.0.0.1", str(port)],
            env=shim_env({"KAIORETRY_TRIES": "3", "KAIORETRY_DELAY": "0.2"}))
    keep.close()
    assert "first connect timed out" in r.stdout, r.stdout
    assert "second connect rc=-1 errno=ECONNREFUSED" in r.stdout
    lines = series_lines(r.stderr)
    uuids = []
    for l in lines:
        u = re.search(r"[0-9a-f-]{36}", l).group(0)
        if u not in uuids:
            uuids.append(u)
    assert len(uuids) == 2, lines
    assert "failed to complete after 3 tries" in lines[-1] and uuids[1] in lines[-1]


def test_bad_bytes_in_a_value_are_shown_escaped_once():
    r = run([prog("probe"), "errno-bad-read"],
            env=shim_env({"KAIORETRY_TRIES": "\udcff\n"}))
    assert r"KAIORETRY_TRIES: '\xff\x0a': not a plain decimal" in r.stderr, r.stderr
    assert r"\x5c" not in r.stderr
