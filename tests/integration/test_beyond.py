"""Beyond kaioretry: deadline, spread, budget and the reset after
success, with real clients under the real library."""
import re
import socket
import threading
import time

from harness import dead_port, prog, run, series_lines, shim_env

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f-]{27}")


def elapsed_of(stdout):
    return float(stdout.split("elapsed=")[1].split()[0])


def sleeps_by_series(stderr):
    """{uuid: [sleep, ...]} from the "sleeping S seconds" lines."""
    out = {}
    for line in series_lines(stderr):
        m = re.search(r"sleeping ([0-9.]+) seconds", line)
        if m:
            out.setdefault(UUID.search(line).group(0), []).append(float(m.group(1)))
    return out


def retries_made(stderr):
    """Real calls after the first, summed over every logged series."""
    return sum(int(n) - 1 for n in
               re.findall(r"(?:failed to complete|succeeded) after (\d+) tr", stderr))


def test_deadline_bounds_an_endless_series():
    keep, port = dead_port()
    r = run([prog("probe"), "connect", "127.0.0.1", str(port)],
            env=shim_env({"KAIORETRY_TRIES": "-1", "KAIORETRY_DELAY": "0.02",
                          "KAIORETRY_BACKOFF": "1", "KAIORETRY_DEADLINE": "1"}),
            timeout=20)
    keep.close()
    assert "rc=-1 errno=ECONNREFUSED" in r.stdout, r.stdout + r.stderr
    elapsed = elapsed_of(r.stdout)
    # Stop before: the last try starts less than one delay (0.02 s) before
    # the deadline, and no sleep runs past it.
    assert 0.95 <= elapsed <= 1.05, elapsed
    last = series_lines(r.stderr)[-1]
    assert "deadline of 1 s reached" in last, last


def test_deadline_never_starts_a_sleep_that_would_end_past_it():
    keep, port = dead_port()
    r = run([prog("probe"), "connect", "127.0.0.1", str(port)],
            env=shim_env({"KAIORETRY_TRIES": "-1", "KAIORETRY_DELAY": "0.1",
                          "KAIORETRY_BACKOFF": "2", "KAIORETRY_CONNECT_DEADLINE": "1"}))
    keep.close()
    # Sleeps 0.1, 0.2, 0.4 end at 0.7 s; the next (0.8) would end at 1.5.
    assert list(sleeps_by_series(r.stderr).values()) == [[0.1, 0.2, 0.4]], r.stderr
    assert 0.65 <= elapsed_of(r.stdout) < 0.95, r.stdout


def ks_uniform(xs, lo, hi):
    """Kolmogorov-Smirnov distance of xs from uniform(lo, hi)."""
    xs = sorted(xs)
    n = len(xs)
    return max(max((i + 1) / n - (x - lo) / (hi - lo),
                   (x - lo) / (hi - lo) - i / n) for i, x in enumerate(xs))


def spread_run(spread, delay, extra=None):
    keep, port = dead_port()
    # Around kaioretry's constant delay unless `extra` says otherwise.
    env = {"KAIORETRY_TRIES": "6", "KAIORETRY_DELAY": str(delay),
           "KAIORETRY_BACKOFF": "1", "KAIORETRY_SPREAD": spread}
    env.update(extra or {})
    r = run([prog("probe"), "threads", "32", "127.0.0.1", str(port)],
            env=shim_env(env), timeout=30)
    keep.close()
    assert "threads=32 failures=32" in r.stdout, r.stdout
    series = sleeps_by_series(r.stderr)
    assert len(series) == 32 and all(len(s) == 5 for s in series.values()), series
    return series


def test_spread_full_and_equal_sleeps_in_range_and_uniform():
    # 32 series x 5 sleeps = 160 draws; KS critical value at p=0.001 is
    # 1.95/sqrt(160) = 0.154.
    for spread, lo, hi in (("full", 0.0, 0.04), ("equal", 0.02, 0.04)):
        draws = [x for s in spread_run(spread, 0.04).values() for x in s]
        assert all(lo <= x <= hi for x in draws), (spread, draws)
        assert len(set(draws)) > 150, (spread, draws)  # no lockstep
        assert ks_uniform(draws, lo, hi) < 0.154, (spread, sorted(draws))


def test_spread_decorrelated_follows_the_previous_sleep():
    series = spread_run("decorrelated", 0.01, {"KAIORETRY_MAX_DELAY": "0.05"})
    for sleeps in series.values():
        previous = 0.01
        for x in sleeps:
            assert 0.01 <= x <= min(0.05, 3 * previous) + 1e-6, sleeps
            previous = x
    # The first sleep is uniform on [0.01, 0.03].
    first = [s[0] for s in series.values()]
    assert ks_uniform(first, 0.01, 0.03) < 0.34, first  # p=0.001, n=32


def test_spread_none_keeps_kaioretry_delays():
    series = spread_run("none", 0.01, {"KAIORETRY_BACKOFF": "2"})
    assert all(s == [0.01, 0.02, 0.04, 0.08, 0.16] for s in series.values())


def storm(env):
    keep, port = dead_port()
    base = {"KAIORETRY_TRIES": "3", "KAIORETRY_DELAY": "0"}
    base.update(env)
    r = run([prog("storm"), "8", "50", "127.0.0.1", str(port)],
            env=shim_env(base), timeout=60)
    keep.close()
    assert "calls=400 failed=400" in r.stdout, r.stdout + r.stderr[-2000:]
    return r


def test_budget_caps_retries_in_a_storm_from_8_threads():
    unlimited = storm({})
    assert retries_made(unlimited.stderr) == 800
    # 400 series starts in one 10 s window: 0.2 * 400 + 1/s * 10 s = 90
    # retries, plus at most one per thread at a second boundary.
    r = storm({"KAIORETRY_BUDGET": "0.2", "KAIORETRY_BUDGET_MIN": "1/s"})
    retries = retries_made(r.stderr)
    assert 60 <= retries <= 98, retries
    refused = [l for l in series_lines(r.stderr) if "not retried: retry budget exhausted" in l]
    assert refused, r.stderr[-2000:]
    # Refusals are reported at most once a second, with a count.
    assert len(refused) <= 10, refused
    # Without the floor, only the fraction is left.
    r = storm({"KAIORETRY_CONNECT_BUDGET": "20%", "KAIORETRY_BUDGET_MIN": "0"})
    assert 50 <= retries_made(r.stderr) <= 88, retries_made(r.stderr)


class FlappingServer:
    """Refuses until `up`, serves one connection, refuses for `down`
    seconds, then serves one more: a database restarting under a daemon."""

    def __init__(self, up, down):
        self.up, self.down = up, down
        self.sock = self._bound(0)
        self.port = self.sock.getsockname()[1]
        self.served = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _bound(self, port):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        return s

    def _serve_one(self):
        self.sock.listen(8)
        self.sock.settimeout(10)
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        conn.sendall(b"hello\n")
        conn.close()
        self.served += 1

    def _serve(self):
        time.sleep(self.up)
        self._serve_one()
        self.sock.close()
        self.sock = self._bound(self.port)
        time.sleep(self.down)
        self._serve_one()
        self.sock.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.thread.join(15)


def test_each_call_starts_a_new_series_after_success():
    with FlappingServer(up=0.5, down=0.6) as srv:
        r = run([prog("reconnect"), "127.0.0.1", str(srv.port), "2", "300"],
                env=shim_env({"KAIORETRY_DELAY": "0.05", "KAIORETRY_BACKOFF": "2"}),
                timeout=20)
    assert r.stdout.count("rc=0 errno=0 hello") == 2, r.stdout + r.stderr
    lines = series_lines(r.stderr)
    uuids = list(dict.fromkeys(UUID.search(l).group(0) for l in lines))
    assert len(uuids) == 2, lines
    series = sleeps_by_series(r.stderr)
    first, second = series[uuids[0]], series[uuids[1]]
    assert first[:4] == [0.05, 0.1, 0.2, 0.4], first
    # The second series starts from the configured delay again, not
    # from where the first one left off.
    assert second[0] == 0.05, second
    assert second == [0.05, 0.1, 0.2, 0.4, 0.8][:len(second)], second
