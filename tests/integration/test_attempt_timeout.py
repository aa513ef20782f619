"""attempt_timeout: a connect to a blackholed address is cut off per
attempt.  The blackhole lives in a private network namespace (unshare
-n): loopback brought up there, and a netfilter rule that drops SYNs to
one port, so nothing outside the namespace is touched."""
import shutil
import subprocess

from harness import PYTHON, Skip, prog, run, series_lines, shim_env

PORT = "9"  # in a private namespace nothing else can hold it


def blackholed(cmd):
    """cmd run in a fresh network namespace where 127.0.0.1:9 drops SYNs."""
    if not shutil.which("unshare") or not shutil.which("iptables"):
        raise Skip("needs unshare and iptables")
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        raise Skip("cannot create a network namespace: " + probe.stderr.decode())
    script = ('ip link set lo up && '
              f'iptables -A INPUT -p tcp --dport {PORT} --syn -j DROP && exec "$@"')
    return ["unshare", "-n", "sh", "-c", script, "sh"] + cmd


def test_without_attempt_timeout_a_blackholed_connect_hangs():
    try:
        run(blackholed([prog("probe"), "connect", "127.0.0.1", PORT]),
            env=shim_env({"KAIORETRY_TRIES": "1"}), timeout=2)
    except subprocess.TimeoutExpired:
        return
    raise AssertionError("the blackhole did not hold the connect")


def test_attempt_timeout_cuts_each_attempt_and_retries():
    r = run(blackholed([prog("probe"), "connect", "127.0.0.1", PORT]),
            env=shim_env({"KAIORETRY_CONNECT_ATTEMPT_TIMEOUT": "0.4",
                          "KAIORETRY_TRIES": "3", "KAIORETRY_DELAY": "0.1"}),
            timeout=20)
    assert "rc=-1 errno=ETIMEDOUT" in r.stdout, r.stdout + r.stderr
    elapsed = float(r.stdout.split("elapsed=")[1])
    # Three attempts of 0.4 s and two sleeps of 0.1 s: 1.4 s.
    assert 1.35 <= elapsed < 3.0, elapsed
    lines = series_lines(r.stderr)
    assert "failed: ETIMEDOUT" in lines[0], lines
    assert "attempt_timeout=0.4" in lines[0], lines
    assert "failed to complete after 3 tries" in lines[-1], lines


def test_deadline_shortens_the_last_attempt():
    r = run(blackholed([prog("probe"), "connect", "127.0.0.1", PORT]),
            env=shim_env({"KAIORETRY_ATTEMPT_TIMEOUT": "0.6",
                          "KAIORETRY_DEADLINE": "1", "KAIORETRY_TRIES": "-1"}),
            timeout=20)
    assert "rc=-1 errno=ETIMEDOUT" in r.stdout, r.stdout + r.stderr
    elapsed = float(r.stdout.split("elapsed=")[1])
    # 0.6 s, then the rest of the deadline (0.4 s), then stop: 1.6 s.
    assert 1.5 <= elapsed < 2.5, elapsed


FLAGS = """
import fcntl, os, socket
s = socket.socket()
try:
    s.connect(("127.0.0.1", 9))
except OSError as e:
    print("errno", e.errno)
print("nonblock", bool(fcntl.fcntl(s, fcntl.F_GETFL) & os.O_NONBLOCK))
print("timeout", s.gettimeout())
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen()
s.connect(srv.getsockname())   # the same socket connects again
print("reconnected", s.getpeername()[1] == srv.getsockname()[1])
"""


def test_attempt_timeout_restores_the_program_fd_flags():
    r = run(blackholed([PYTHON, "-c", FLAGS]),
            env=shim_env({"KAIORETRY_ATTEMPT_TIMEOUT": "0.3", "KAIORETRY_TRIES": "2",
                          "KAIORETRY_LOG": "none"}), timeout=20)
    assert "errno 110" in r.stdout, r.stdout + r.stderr  # ETIMEDOUT
    assert "nonblock False" in r.stdout
    assert "timeout None" in r.stdout
    assert "reconnected True" in r.stdout, r.stdout + r.stderr


def test_injected_faults_land_beneath_the_bound():
    """With both attempt_timeout and fault injection on connect, the
    injector still fails the first attempt and the retries, and the
    bound still applies: the series succeeds on the third try."""
    from harness import LateServer
    with LateServer(0) as srv:
        r = run([prog("probe"), "connect", "127.0.0.1", str(srv.port)],
                env=shim_env({"KAIORETRY_CONNECT_ATTEMPT_TIMEOUT": "2",
                              "KAIORETRY_INJECT": "connect:error=ECONNREFUSED:when=1..2",
                              "KAIORETRY_SEED": "1", "KAIORETRY_TRIES": "5"}))
    assert "connect rc=0" in r.stdout, r.stdout + r.stderr
    lines = series_lines(r.stderr)
    assert sum("injected" in l for l in lines) >= 2, lines
    assert any("succeeded after 3 tries" in l for l in lines), lines
