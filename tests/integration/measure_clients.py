"""measure_clients: how real Debian clients fare against a server on
loopback that starts 1 s late, without kaioretry, in its default mode
(nonblocking=pass), with nonblocking=wait, and with wait and a readiness
check where the server is a real one that listens before it serves
(PostgreSQL 15, redis-server 7.0 loading a dataset; real_servers.py).  Prints the table the
docs/clients.md quotes.  Not a test (test_clients.py asserts the same outcomes);
run it with /usr/bin/python3 tests/integration/measure_clients.py.
Extra arguments are prepended to LD_PRELOAD (to try variants)."""
import os
import sys
import time

from harness import PYTHON, LateServer, run, shim_env, tempdir
from late_servers import LateHTTPServer, late_redis
from real_servers import LatePostgres, LoadingRedis, PostgresStandby

DELAY = 1.0
PY = "import socket,sys; s=socket.create_connection(('127.0.0.1', int(sys.argv[1])){}); print(s.recv(64).decode().strip())"


CLIENTS = [
    # name, server factory, argv(port), proof of success in stdout+stderr
    # ("a|b": either)
    ("curl", lambda d: LateHTTPServer(DELAY),
     lambda p: ["curl", "-sS", "--max-time", "20", f"http://127.0.0.1:{p}/"],
     "hello from late http"),
    ("wget", lambda d: LateHTTPServer(DELAY),
     lambda p: ["wget", "-q", "-O-", "--tries=1", f"http://127.0.0.1:{p}/"],
     "hello from late http"),
    ("python3, no timeout", lambda d: LateServer(DELAY),
     lambda p: [PYTHON, "-c", PY.format(""), str(p)], "hello"),
    ("python3, timeout=5", lambda d: LateServer(DELAY),
     lambda p: [PYTHON, "-c", PY.format(", timeout=5"), str(p)], "hello"),
    ("nc (netcat-openbsd)", lambda d: LateServer(DELAY),
     lambda p: ["nc", "-d", "127.0.0.1", str(p)], "hello"),
    ("redis-cli, empty dataset", lambda d: late_redis(DELAY, d),
     lambda p: ["redis-cli", "-p", str(p), "ping"], "PONG"),
    ("redis-cli, loading 3000 keys (~1.5 s)",
     lambda d: LoadingRedis(load_seconds=1.5, start_after=DELAY),
     lambda p: ["redis-cli", "-p", str(p), "ping"], "PONG", "redis"),
    ("psql (libpq), PostgreSQL 15", lambda d: LatePostgres(DELAY),
     lambda p: ["psql", "-h", "127.0.0.1", "-p", str(p), "-U", "postgres", "-w",
                "-X", "-A", "-t", "-c", "select 40+2"], "42", "postgres"),
    ("psql (libpq), PostgreSQL 15 standby promoted 1.5 s in",
     lambda d: PostgresStandby(promote_after=1.5),
     lambda p: ["psql", "-h", "127.0.0.1", "-p", str(p), "-U", "postgres", "-w",
                "-X", "-A", "-t", "-c", "select 40+2"], "42", "postgres"),
    ("ssh -o ConnectTimeout=5", lambda d: LateServer(DELAY, b"SSH-2.0-late\r\n"),
     lambda p: ["ssh", "-o", "ConnectTimeout=5", "-o", "BatchMode=yes", "-p", str(p), "127.0.0.1", "true"],
     "Connection to 127.0.0.1 port|by 127.0.0.1 port|kex_exchange_identification"),
]

WAIT = {"KAIORETRY_CONNECT_NONBLOCKING": "wait"}
MODES = [("without kaioretry", None),
         ("nonblocking=pass (default)", {}),
         ("nonblocking=wait", WAIT),
         ("wait, ready=PROTOCOL", "ready")]


def outcome(name, server, argv, proof, env):
    with tempdir() as d:
        with server(d) as srv:
            t0 = time.monotonic()
            r = run(argv(srv.port), env=env, timeout=40, stdin=open(os.devnull))
            took = time.monotonic() - t0
    out = r.stdout + r.stderr
    ok = any(p in out for p in proof.split("|"))
    first = (r.stderr.strip().splitlines() or [""])[-1][:60]
    why = ""
    for words, said in (("starting up", "57P03 starting up"), ("LOADING", "LOADING"),
                        ("not accepting", "57P03 not accepting"),
                        ("efused", "refused")):
        if not ok and words in out:
            why = f"{said}, "
            break
    return ("connects" if ok else "fails") + f" ({why}{took:.1f} s, exit {r.returncode})", ok, first


def main():
    extra = sys.argv[1:]
    print("| client | " + " | ".join(m for m, _ in MODES) + " |")
    print("|---" * (len(MODES) + 1) + "|")
    for name, server, argv, proof, *ready in CLIENTS:
        cells = []
        for _, settings in MODES:
            if settings == "ready":
                if not ready:
                    cells.append("(no check)")
                    continue
                settings = {**WAIT, "KAIORETRY_CONNECT_READY": ready[0]}
            if settings is None:
                env = shim_env(preload=False)
            else:
                env = shim_env({"KAIORETRY_DELAY": "0.1", **settings}, log="none")
                if extra:
                    env["LD_PRELOAD"] = ":".join(extra + [env["LD_PRELOAD"]])
            cell, ok, why = outcome(name, server, argv, proof, env)
            cells.append(cell)
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
