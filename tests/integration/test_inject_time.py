"""Fault injection in time: at=START..END outages counted from the
program's start, and hang= (a call held, then failed).  Each runs a real
client against a live loopback server, raw and preloaded."""
import errno
import socket
import threading

from harness import PYTHON, prog, run, series_lines, shim_env


class Acceptor:
    """A loopback server that accepts and closes until stopped."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)

    def serve(self):
        while not self.stopping.is_set():
            try:
                self.sock.accept()[0].close()
            except socket.timeout:
                pass

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()
        self.sock.close()


# Times are counted from the process's start (the kernel's starttime),
# not from the script's, which python's own start-up delays.
PY_CLIENT = """
import os, socket, sys, time
ticks = int(open("/proc/self/stat").read().rsplit(")", 1)[1].split()[19])
age = time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
t0 = time.monotonic() - age
port = int(sys.argv[1])
for i in range(30):
    start = time.monotonic() - t0
    try:
        socket.create_connection(("127.0.0.1", port)).close()
        print(f"{start:.3f} ok", flush=True)
    except OSError as e:
        print(f"{start:.3f} {e.errno}", flush=True)
    time.sleep(max(0, t0 + (i + 1) * 0.1 - time.monotonic()))
"""


def outcomes(stdout):
    return [(float(t), r) for t, r in (l.split() for l in stdout.splitlines())]


def env_for(spec, extra=None, preload=True):
    env = {"KAIORETRY_INJECT": spec, "KAIORETRY_SEED": "1"}
    env.update(extra or {})
    return shim_env(env, preload=preload)


def test_outage_window_fails_connects_only_inside_it():
    spec = "connect:error=ECONNREFUSED:at=1s..2s"
    with Acceptor() as server:
        raw = run([PYTHON, "-c", PY_CLIENT, str(server.port)],
                  env=env_for(spec, preload=False))
        hit = run([PYTHON, "-c", PY_CLIENT, str(server.port)],
                  env=env_for(spec, {"KAIORETRY_TRIES": "1"}))
        hidden = run([PYTHON, "-c", PY_CLIENT, str(server.port)],
                     env=env_for(spec, {"KAIORETRY_TRIES": "-1",
                                        "KAIORETRY_DELAY": "0.1"}))
    assert [r for _, r in outcomes(raw.stdout)] == ["ok"] * 30, raw.stdout
    got = outcomes(hit.stdout)
    assert len(got) == 30, hit.stdout + hit.stderr
    refused = str(errno.ECONNREFUSED)
    for t, r in got:
        if 1.1 <= t <= 1.9:
            assert r == refused, (t, r, hit.stdout)
        elif t < 0.9 or t > 2.1:
            assert r == "ok", (t, r, hit.stdout)
    assert sum(r == refused for _, r in got) >= 8, hit.stdout
    # Retried through the window, every connect succeeds; the log shows
    # the faults the policy hid.
    got = outcomes(hidden.stdout)
    assert [r for _, r in got] == ["ok"] * len(got) and len(got) >= 20, hidden.stdout
    summary = [l for l in series_lines(hidden.stderr) if "fault injection rule 1" in l]
    failed = int(summary[0].rsplit("failed ", 1)[1])
    assert failed >= 2, summary


def client(server, args, spec, extra=None, preload=True):
    r = run([prog("toxic_client"), "connects", str(server.port)] + args,
            env=env_for(spec, extra, preload))
    assert r.returncode == 0, r.stdout + r.stderr
    return [tuple(int(x) for x in l.split()) for l in r.stdout.splitlines()], r


def test_at_combines_with_when_and_addr():
    # Of the connects at or after 500 ms, only the first (when=1) fails;
    # a rule aimed at another port never fires.
    with Acceptor() as server, Acceptor() as other:
        spec = (f"connect:error=ECONNREFUSED:at=500ms..:when=1;"
                f"connect:error=EHOSTUNREACH:addr=127.0.0.1:{other.port}:at=0s..")
        raw, _ = client(server, ["10", "100"], spec, preload=False)
        got, r = client(server, ["10", "100"], spec, {"KAIORETRY_TRIES": "1"})
    assert [e for _, _, e in raw] == [0] * 10
    failed = [(t, e) for t, _, e in got if e]
    assert len(failed) == 1 and failed[0][1] == errno.ECONNREFUSED, got
    assert 450 <= failed[0][0] <= 650, got
    assert all(e == 0 for t, _, e in got if t < 450), got
    assert "rule 2 'connect:error=EHOSTUNREACH" in r.stderr and "matched 0" in r.stderr


def test_hang_holds_the_first_connect_then_fails_it():
    spec = "connect:hang=1s:error=ETIMEDOUT:when=1"
    with Acceptor() as server:
        raw, _ = client(server, ["2", "0"], spec, preload=False)
        got, r = client(server, ["2", "0"], spec, {"KAIORETRY_TRIES": "1"})
    assert [e for _, _, e in raw] == [0, 0] and raw[0][1] < 100, raw
    (_, took1, e1), (_, took2, e2) = got
    assert e1 == errno.ETIMEDOUT and 950 <= took1 <= 1050, got
    assert e2 == 0 and took2 < 100, got
    assert "matched 2, failed 1" in r.stderr, r.stderr


def test_check_and_explain_know_the_new_items():
    from harness import ROOT, tempdir
    import os
    kaioretry = os.path.join(ROOT, "scripts", "kaioretry")
    spec = ("connect:addr=10.0.0.5:5432:error=ECONNREFUSED:at=2s..5s;"
            "recv:limit=1k:rate=50k;connect:hang=1s:when=1;"
            "write:delay=1ms..5ms:at=500ms..")
    r = run([kaioretry, "--explain"], env=shim_env(
        {"KAIORETRY_INJECT": spec, "KAIORETRY_SEED": "3"}, preload=False, log=None))
    assert r.returncode == 0, r.stderr
    assert "fault injection: 4 rules, seed 3" in r.stdout, r.stdout
    for words in ("fail with ECONNREFUSED; from 2 s to 5 s after start; only to 10.0.0.5",
                  "after 1000 bytes through a descriptor, fail its calls with "
                  "ECONNRESET; pace each descriptor to 50000 bytes/s",
                  "hang 1 s, then fail with ETIMEDOUT; matching calls 1",
                  "delay 0.001..0.005 s; from 0.5 s after start on"):
        assert words in r.stdout, (words, r.stdout)
    bad = {
        "connect:error=EIO:at=5s..2s": "needs START < END",
        "connect:error=EIO:at=2..5": "at='2..5' needs a unit",
        "connect:hang=1": "hang='1' needs a unit",
        "connect:limit=10": "limit= applies to read, write, recv and send",
        "recv:rate=fast": "rate='fast': expected bytes per second",
        "recv:limit=10:when=2": "when= and p= do not apply",
    }
    with tempdir() as d:
        for text, message in bad.items():
            path = os.path.join(d, "k.ini")
            with open(path, "w") as f:
                f.write(f"[inject]\nrules = {text}\n")
            r = run([kaioretry, "--check", path],
                    env=shim_env(preload=False, log=None))
            assert r.returncode == 1 and f"{path}:2: rule 1" in r.stderr, r.stderr
            assert message in r.stderr, (message, r.stderr)
