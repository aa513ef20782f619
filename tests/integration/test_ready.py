"""The readiness check (key `ready`) against real servers that listen
before they serve: a PostgreSQL standby (57P03 until promoted), a
redis-server loading its dataset (-LOADING), and an HTTP stand-in
answering 503 while it warms up (real_servers.py).  Each client runs
raw and under the shim without `ready` (it fails on the server's
answer) and with it (it succeeds once the server serves)."""
import os
import re
import socket
import time

from harness import PYTHON, Skip, prog, run, series_lines, shim_env, tempdir, write_ini
from real_servers import LoadingRedis, PostgresStandby, WarmingHTTP

PSQL = "/usr/bin/psql"
REDIS_CLI = "/usr/bin/redis-cli"
CURL = "/usr/bin/curl"


def binary(path):
    if not os.path.exists(path):
        raise Skip(f"{path} not installed (scripts/install-deps)")
    return path




def shim(d, ini, **extra):
    return shim_env({"KAIORETRY_CONFIG": write_ini(d, ini), **extra})


def psql(port, host="127.0.0.1"):
    return [binary(PSQL), "-h", host, "-p", str(port), "-U", "postgres",
            "-w", "-X", "-A", "-t", "-c", "select 40+2"]


def test_psql_waits_for_a_standby_to_be_promoted():
    with tempdir() as d, PostgresStandby(promote_after=None) as pg:
        raw = run(psql(pg.port), env=shim_env(preload=False))
        without = run(psql(pg.port), env=shim(d, "[connect]\nnonblocking = wait\n"))
        for r in (raw, without):
            assert r.returncode == 2, r
            assert "not accepting connections" in r.stderr, r.stderr
        ini = (f"[connect]\nnonblocking = wait\ndelay = 0.1\n"
               f"[connect 127.0.0.1:{pg.port}]\nready = postgres\n")
        pg.promote_later(1.5)
        t0 = time.monotonic()
        r = run(psql(pg.port), env=shim(d, ini), timeout=60)
        took = time.monotonic() - t0
    assert r.returncode == 0 and r.stdout.strip() == "42", r
    assert took >= 1.0, took
    lines = series_lines(r.stderr)
    assert any(re.search(rf"connect\(127\.0\.0\.1:{pg.port}\) not ready: postgres "
                         r"57P03 the database system is not accepting", l)
               for l in lines), lines
    assert any("succeeded after" in l for l in lines), lines


def test_psql_over_a_unix_socket_waits_too():
    """[connect unix:DIR/*]: the check speaks to the socket file."""
    with tempdir() as d, PostgresStandby(promote_after=None) as pg:
        without = run(psql(pg.port, host=pg.top),
                      env=shim(d, "[connect]\nnonblocking = wait\n"))
        assert without.returncode == 2, without
        assert "not accepting connections" in without.stderr
        ini = (f"[connect]\nnonblocking = wait\ndelay = 0.1\n"
               f"[connect unix:{pg.top}/*]\nready = postgres\n")
        pg.promote_later(1.5)
        r = run(psql(pg.port, host=pg.top), env=shim(d, ini), timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "42", r
    assert any(f"connect(unix:{pg.top}/.s.PGSQL.{pg.port}) not ready: postgres 57P03"
               in l for l in series_lines(r.stderr)), r.stderr


# A blocking client with no timeout: connects, sends a start-up packet,
# prints the type of the first message back (R: authentication, E: error).
BLOCKING_PG = r"""
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
params = b"user\0postgres\0\0"
s.sendall(struct.pack("!II", 8 + len(params), 196608) + params)
answer = s.recv(4096)
print(chr(answer[0]), b"57P03" in answer)
"""


def test_blocking_python_client_is_held_until_ready():
    with tempdir() as d, PostgresStandby(promote_after=None) as pg:
        argv = [PYTHON, "-c", BLOCKING_PG, str(pg.port)]
        raw = run(argv, env=shim_env(preload=False))
        assert raw.stdout.split() == ["E", "True"], raw
        pg.promote_later(1.5)
        t0 = time.monotonic()
        # Blocking sockets are checked in the default (pass) mode.
        r = run(argv, env=shim(d, f"[connect *:{pg.port}]\nready = postgres\n"
                                  "delay = 0.1\n"), timeout=60)
        took = time.monotonic() - t0
    assert r.stdout.split() == ["R", "False"], r
    assert took >= 1.0, took


def test_redis_cli_waits_for_the_dataset_to_load():
    cli = binary(REDIS_CLI)
    with tempdir() as d, LoadingRedis(load_seconds=2.0) as redis:
        argv = [cli, "-p", str(redis.port), "ping"]
        raw = run(argv, env=shim_env(preload=False))
        without = run(argv, env=shim(d, "[connect]\nnonblocking = wait\n"))
        for res in (raw, without):
            assert "LOADING" in res.stdout + res.stderr, res
        r = run(argv, env=shim(d, "[connect]\nnonblocking = wait\ndelay = 0.1\n"
                                  f"[connect 127.0.0.1:{redis.port}]\n"
                                  "ready = redis\n"), timeout=60)
    assert r.stdout.strip() == "PONG", r
    assert any("not ready: redis LOADING Redis is loading the dataset" in l
               for l in series_lines(r.stderr)), r.stderr


def curl(port, path="/health"):
    return [binary(CURL), "-sSf", "--max-time", "30",
            f"http://127.0.0.1:{port}{path}"]


def test_curl_waits_for_http_health():
    with tempdir() as d, WarmingHTTP(warm=1.0) as http:
        raw = run(curl(http.port), env=shim_env(preload=False))
        assert raw.returncode == 22 and "503" in raw.stderr, raw
        r = run(curl(http.port), env=shim(
            d, "[connect]\nnonblocking = wait\ndelay = 0.1\n"
               "ready = http:/health\n"), timeout=60)
    assert r.returncode == 0 and r.stdout == "healthy\n", r
    assert any("not ready: http 503 Service Unavailable" in l
               for l in series_lines(r.stderr)), r.stderr


# Five blocking connects to one address, one request each.
FIVE_GETS = r"""
import socket, sys
for i in range(5):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"GET /work HTTP/1.0\r\n\r\n")
    print(s.recv(64).split()[1].decode())
    s.close()
"""


def connects_to(trace, port):
    return len(re.findall(rf"connect\(\d+, .*sin_port=htons\({port}\)", trace))


def test_one_check_per_destination_for_the_life_of_the_process():
    strace = "/usr/bin/strace"
    if not os.path.exists(strace):
        raise Skip("strace not installed")
    counts = {}
    for ready in ("tcp", "http:/health"):
        with tempdir() as d, WarmingHTTP(warm=0) as http:
            trace = os.path.join(d, "trace")
            r = run([strace, "-f", "-qq", "-o", trace, "-e", "trace=connect",
                     PYTHON, "-c", FIVE_GETS, str(http.port)],
                    env=shim(d, f"[connect]\nready = {ready}\n"))
            assert r.stdout.split() == ["200"] * 5, r
            counts[ready] = (connects_to(open(trace).read(), http.port),
                             [p for p, _ in http.requests])
    # ready = tcp: today's path, the program's five connects only.
    assert counts["tcp"] == (5, ["/work"] * 5), counts
    # One check, before the first connect; none after.
    assert counts["http:/health"] == (6, ["/health"] + ["/work"] * 5), counts


def test_a_series_that_gives_up_lets_the_program_hear_the_server():
    """Never ready: after the tries the program's own connect goes ahead
    and curl reports the 503 itself (22), not a refusal (7)."""
    with tempdir() as d, WarmingHTTP(warm=None) as http:
        r = run(curl(http.port), env=shim(
            d, "[connect]\nnonblocking = wait\ndelay = 0.05\ntries = 3\n"
               "ready = http:/health\n"))
    assert r.returncode == 22 and "503" in r.stderr, r
    assert [p for p, _ in http.requests] == ["/health"] * 3 + ["/health"], http.requests
    assert any(re.search(r"failed to complete after 3 tries in [\d.]+ s: "
                         r"not ready: http 503", l)
               for l in series_lines(r.stderr)), r.stderr


def test_nonblocking_sockets_in_pass_mode_are_never_checked():
    with tempdir() as d, WarmingHTTP(warm=None) as http:
        r = run(curl(http.port), env=shim(d, "[connect]\nready = http:/health\n"))
    assert r.returncode == 22, r
    assert len(http.requests) == 1 and series_lines(r.stderr) == [], (http.requests, r.stderr)


def test_explain_and_check_show_the_ready_key():
    kaioretry = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), "scripts", "kaioretry")
    with tempdir() as d:
        ini = write_ini(d, "[connect *:5432]\nready = postgres\n"
                        "[connect unix:/run/redis/*]\nready = redis\n")
        r = run([kaioretry, "--config", ini, "--explain", "--target",
                 "10.0.0.1:5432"], env=shim_env(preload=False))
        assert r.returncode == 0, r
        assert "ready=postgres" in r.stdout, r.stdout
        assert "57P03 (cannot connect now) is not ready" in r.stdout, r.stdout
        bad = write_ini(d, "[connect *:6379]\nready = redsi\n"
                        "[getaddrinfo db]\nready = redis\n"
                        "[connect]\nready = http:/a b\n")
        r = run([kaioretry, "--check", bad], env=shim_env(preload=False))
        assert r.returncode != 0, r
        out = r.stdout + r.stderr
        assert "expected tcp, postgres, redis, http or http:/PATH" in out, out
        assert "ready applies to connect only" in out, out
        assert "only URL characters" in out, out


def test_the_check_socket_is_never_the_programs():
    """ready_fds: the connect's result, the next socket's number and the
    open descriptors are the same raw and preloaded, with the check made
    and, by the fault injector, failed twice first (`ready` rules)."""
    with tempdir() as d, WarmingHTTP(warm=0) as http:
        argv = [prog("ready_fds"), str(http.port)]
        raw = run(argv, env=shim_env(preload=False))
        r = run(argv, env=shim(d, "[connect]\nready = http:/health\ndelay = 0.05\n",
                               KAIORETRY_INJECT="ready:error=ECONNREFUSED:when=1..2"))
    assert raw.returncode == 0 and raw.stdout.startswith("socket 3 connect 0 ok next 4"), raw
    assert r.stdout == raw.stdout, (raw.stdout, r.stdout)
    lines = series_lines(r.stderr)
    assert any("not ready: http injected by rule 1 'ready:error=ECONNREFUSED:when=1..2', "
               "check #1" in l for l in lines), lines
    assert any("succeeded after 3 tries" in l for l in lines), lines
    # Two injected failures, then one real check.
    assert [p for p, _ in http.requests] == ["/health"], http.requests


def silent_server():
    """A loopback port whose connects complete (backlog) and whose
    server never says a word."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    return s, s.getsockname()[1]


def test_a_signal_lets_the_connect_go_ahead():
    srv, port = silent_server()
    with srv, tempdir() as d:
        argv = [prog("ready_signal"), "interrupt", str(port)]
        raw = run(argv, env=shim_env(preload=False))
        t0 = time.monotonic()
        r = run(argv, env=shim(d, "[connect]\nready = redis\n"))
        took = time.monotonic() - t0
    assert raw.stdout == "connect 0\nsockets left open 1\n", raw
    assert r.stdout == raw.stdout, r
    assert took < 2, took    # not the 3 s the check may take


def test_a_jump_out_of_a_check_leaves_no_socket_behind():
    srv, port = silent_server()
    with srv, tempdir() as d:
        r = run([prog("ready_signal"), "jump", str(port)], env=shim(
            d, "[connect]\nready = redis\nattempt_timeout = 0.3\ntries = 2\n"
               "delay = 0.05\n"))
    assert r.stdout == "jumped\nconnect again 0\nsockets left open 2\n", r
    assert any("not ready: redis no answer within 0.3 s" in l
               for l in series_lines(r.stderr)), r.stderr
