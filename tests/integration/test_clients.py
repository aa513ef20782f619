"""Real clients, each the unmodified Debian binary, against a server on
loopback that starts late: each fails without kaioretry and succeeds
under it, in the mode the client table of docs/clients.md gives."""
import os
import re
import shutil

from harness import (PYTHON, LateServer, Skip, dead_port, run, series_lines,
                     shim_env, tempdir)
from late_servers import LateHTTPServer, LatePostgresGreeter, late_redis

DELAY = 1.0
WAIT = {"KAIORETRY_CONNECT_NONBLOCKING": "wait"}
PY = ("import socket,sys; s=socket.create_connection(('127.0.0.1', "
      "int(sys.argv[1])){}); print(s.recv(64).decode().strip())")


def binary(path):
    if not os.path.exists(path):
        raise Skip(f"{path} not installed (scripts/install-deps)")
    return path


def late_start(server, argv, proof, settings):
    """Runs argv(port) against a fresh late server without the shim, then
    under it with `settings`; returns both results."""
    results = []
    for env in (shim_env(preload=False),
                shim_env({"KAIORETRY_DELAY": "0.1", **settings})):
        with tempdir() as d:
            with server(d) as srv:
                r = run(argv(srv.port), env=env, timeout=30,
                        stdin=open(os.devnull))
                r.port = srv.port
        results.append(r)
    without, under = results
    assert proof not in without.stdout + without.stderr, without
    assert without.returncode != 0, without
    assert proof in under.stdout + under.stderr, (under.stdout, under.stderr)
    lines = series_lines(under.stderr)
    assert any(re.search(rf"connect\(127\.0\.0\.1:{under.port}\) succeeded after \d+ tries", l)
               for l in lines), lines
    return without, under


def test_curl_needs_wait():
    curl = binary("/usr/bin/curl")
    argv = lambda p: [curl, "-sS", f"http://127.0.0.1:{p}/"]
    without, under = late_start(lambda d: LateHTTPServer(DELAY), argv,
                                "hello from late http", WAIT)
    assert without.returncode == 7 and "Failed to connect" in without.stderr
    assert under.returncode == 0
    # In the default mode curl's non-blocking connect passes through.
    with LateHTTPServer(DELAY) as srv:
        r = run(argv(srv.port), env=shim_env({"KAIORETRY_DELAY": "0.1"}))
    assert r.returncode == 7 and series_lines(r.stderr) == [], r.stderr


def test_python_with_timeout_needs_wait():
    argv = lambda p: [PYTHON, "-c", PY.format(", timeout=5"), str(p)]
    without, under = late_start(lambda d: LateServer(DELAY), argv, "hello", WAIT)
    assert "ConnectionRefusedError" in without.stderr
    assert under.stdout.strip() == "hello"


def test_python_without_timeout_default_mode():
    argv = lambda p: [PYTHON, "-c", PY.format(""), str(p)]
    without, under = late_start(lambda d: LateServer(DELAY), argv, "hello", {})
    assert "ConnectionRefusedError" in without.stderr
    assert under.stdout.strip() == "hello"


def test_redis_cli_needs_wait():
    cli = binary("/usr/bin/redis-cli")
    binary("/usr/bin/redis-server")
    without, under = late_start(lambda d: late_redis(DELAY, d),
                                lambda p: [cli, "-p", str(p), "ping"], "PONG", WAIT)
    assert "Connection refused" in without.stdout + without.stderr
    assert under.stdout.strip() == "PONG"


def test_redis_cli_unix_socket_needs_wait():
    """redis-cli -s: a non-blocking AF_UNIX connect, ENOENT until the
    server creates its socket."""
    cli = binary("/usr/bin/redis-cli")
    server = binary("/usr/bin/redis-server")
    from late_servers import LateProcess
    for env, ok in ((shim_env(preload=False), False),
                    (shim_env({"KAIORETRY_DELAY": "0.1", **WAIT,
                               # the socket file is not there yet
                               "KAIORETRY_CONNECT_ERRORS": "ECONNREFUSED,ENOENT"}),
                     True)):
        with tempdir() as d:
            path = os.path.join(d, "redis.sock")
            with LateProcess(DELAY, lambda port: [
                    server, "--port", "0", "--unixsocket", path, "--save", "",
                    "--appendonly", "no", "--dir", d]):
                r = run([cli, "-s", path, "ping"], env=env, timeout=30)
        assert (r.stdout.strip() == "PONG") == ok, (r.stdout, r.stderr)
        if ok:
            assert any("connect(unix:" in l and "ENOENT" in l
                       for l in series_lines(r.stderr)), r.stderr


def test_nc_needs_wait():
    nc = binary("/usr/bin/nc.openbsd")
    without, under = late_start(lambda d: LateServer(DELAY),
                                lambda p: [nc, "-d", "127.0.0.1", str(p)], "hello", WAIT)
    assert without.returncode == 1 and without.stdout == ""
    assert under.stdout.strip() == "hello"


def test_wget_default_mode():
    wget = binary("/usr/bin/wget")
    without, under = late_start(lambda d: LateHTTPServer(DELAY),
                                lambda p: [wget, "-q", "-O-", "--tries=1",
                                           f"http://127.0.0.1:{p}/"],
                                "hello from late http", {})
    assert without.returncode == 4
    assert under.returncode == 0


def test_psql_libpq_needs_wait():
    psql = binary("/usr/bin/psql")
    argv = lambda p: [psql, "-h", "127.0.0.1", "-p", str(p), "-U", "x", "-w",
                      "-c", "select 1"]
    without, under = late_start(lambda d: LatePostgresGreeter(DELAY), argv,
                                LatePostgresGreeter.MESSAGE.decode(), WAIT)
    assert "Connection refused" in without.stderr


def test_kaioretry_command_nonblocking_option():
    """`kaioretry --nonblocking wait` is what curl needs; --explain shows it."""
    curl = binary("/usr/bin/curl")
    from harness import ROOT
    command = os.path.join(ROOT, "scripts", "kaioretry")
    env = shim_env(preload=False, log=None)
    # pass: curl's non-blocking connect goes through, refused at once.
    keep, port = dead_port()
    r = run([command, "--nonblocking", "pass", "-d", "0.1", "-v", "--",
             curl, "-sS", f"http://127.0.0.1:{port}/"], env=env)
    keep.close()
    assert r.returncode == 7 and series_lines(r.stderr) == [], r
    # wait: the command itself takes a moment to start; the server is
    # late enough that curl still meets a refusal first.
    with LateHTTPServer(2.0) as srv:
        r = run([command, "--nonblocking", "wait", "-d", "0.1", "-v", "--",
                 curl, "-sS", f"http://127.0.0.1:{srv.port}/"], env=env)
    assert r.stdout == "hello from late http\n", r
    assert "succeeded after" in series_lines(r.stderr)[-1], r.stderr
    r = run([command, "--nonblocking=wait", "--explain"], env=env)
    connect = [l for l in r.stdout.splitlines() if l.startswith("connect:")]
    assert connect and "nonblocking=wait" in connect[0], r.stdout
    r = run([command, "--nonblocking", "block", "--explain"], env=env)
    assert "expected pass or wait" in r.stdout + r.stderr, (r.stdout, r.stderr)
