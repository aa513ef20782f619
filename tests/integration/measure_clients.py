"""measure_clients: how real Debian clients fare against a server on
loopback that starts 1 s late, without kaioretry, in its default mode
(nonblocking=pass) and with nonblocking=wait.  Prints the table the
docs/clients.md quotes.  Not a test (test_clients.py asserts the same outcomes);
run it with /usr/bin/python3 tests/integration/measure_clients.py.
Extra arguments are prepended to LD_PRELOAD (to try variants)."""
import os
import sys
import time

from harness import PYTHON, LateServer, run, shim_env, tempdir
from late_servers import LateHTTPServer, LatePostgresGreeter, late_redis

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
    ("redis-cli", lambda d: late_redis(DELAY, d),
     lambda p: ["redis-cli", "-p", str(p), "ping"], "PONG"),
    ("psql (libpq)", lambda d: LatePostgresGreeter(DELAY),
     lambda p: ["psql", "-h", "127.0.0.1", "-p", str(p), "-U", "x", "-w", "-c", "select 1"],
     LatePostgresGreeter.MESSAGE.decode()),
    ("ssh -o ConnectTimeout=5", lambda d: LateServer(DELAY, b"SSH-2.0-late\r\n"),
     lambda p: ["ssh", "-o", "ConnectTimeout=5", "-o", "BatchMode=yes", "-p", str(p), "127.0.0.1", "true"],
     "Connection to 127.0.0.1 port|by 127.0.0.1 port|kex_exchange_identification"),
]

MODES = [("without kaioretry", None),
         ("nonblocking=pass (default)", {}),
         ("nonblocking=wait", {"KAIORETRY_CONNECT_NONBLOCKING": "wait"})]


def outcome(name, server, argv, proof, env):
    with tempdir() as d:
        with server(d) as srv:
            t0 = time.monotonic()
            r = run(argv(srv.port), env=env, timeout=40, stdin=open(os.devnull))
            took = time.monotonic() - t0
    ok = any(p in r.stdout + r.stderr for p in proof.split("|"))
    first = (r.stderr.strip().splitlines() or [""])[-1][:60]
    return ("connects" if ok else "fails") + f" ({took:.1f} s, exit {r.returncode})", ok, first


def main():
    extra = sys.argv[1:]
    print("| client | " + " | ".join(m for m, _ in MODES) + " |")
    print("|---" * (len(MODES) + 1) + "|")
    for name, server, argv, proof in CLIENTS:
        cells = []
        for _, settings in MODES:
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
