"""The built-in policy never spins, never retries what cannot work, and
never hides what the program must see.  Every test runs the same
program raw and preloaded, with nothing configured, and compares.

The built-in policy: delay 0.1 s, backoff 2, max_delay 2 s, tries=-1
within a 10 s deadline (config/policy.c says why)."""
import os
import shutil
import subprocess
import time

from harness import PYTHON, ROOT, Skip, dead_port, prog, shim_env, tempdir

DEADLINE = 10
MARGIN = 3
KAIORETRY = os.path.join(ROOT, "scripts", "kaioretry")


def cpu_so_far(pid):
    """User + system CPU seconds of a running process (proc(5))."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(cmd, env, timeout, sample_at=None, wrap=None):
    """Runs cmd to its end; returns (stdout, stderr, status, wall seconds,
    CPU seconds (user + system) of the child, and its CPU seconds at
    `sample_at` s, None if it had ended).  Kills it after `timeout` s:
    that fails."""
    out_path = err_path = None
    with tempdir() as d:
        out_path, err_path = os.path.join(d, "out"), os.path.join(d, "err")
        with open(out_path, "w") as out, open(err_path, "w") as err:
            started = time.monotonic()
            p = subprocess.Popen((wrap or []) + cmd, env=env, stdout=out,
                                 stderr=err, stdin=subprocess.DEVNULL)
            running_at_sample = None
            while True:
                pid, status, usage = os.wait4(p.pid, os.WNOHANG)
                elapsed = time.monotonic() - started
                if pid:
                    break
                if sample_at is not None and running_at_sample is None \
                        and elapsed >= sample_at:
                    running_at_sample = cpu_so_far(p.pid)
                if elapsed > timeout:
                    p.kill()
                    os.wait4(p.pid, 0)
                    p.returncode = -9
                    raise AssertionError(f"{cmd} still running after "
                                         f"{timeout} s: a hang or a spin")
                time.sleep(0.02)
            p.returncode = os.waitstatus_to_exitcode(status)
        with open(out_path) as f:
            stdout = f.read()
        with open(err_path) as f:
            stderr = f.read()
    cpu = usage.ru_utime + usage.ru_stime
    return stdout, stderr, p.returncode, elapsed, cpu, running_at_sample


def raw_and_preloaded(cmd, timeout, sample_at=None, wrap=None, extra=None):
    raw = measured(cmd, shim_env(extra, preload=False), timeout, wrap=wrap)
    shim = measured(cmd, shim_env(extra), timeout, sample_at, wrap=wrap)
    assert shim[0] == raw[0], (raw, shim)
    assert shim[2] == raw[2], (raw, shim)
    return raw, shim


def test_dead_port_is_retried_for_the_deadline_with_almost_no_cpu():
    sock, port = dead_port()
    with sock:
        raw, shim = raw_and_preloaded([prog("hopeless"), "connect", str(port)],
                                      DEADLINE + MARGIN, sample_at=3)
    assert "errno=ECONNREFUSED" in raw[0], raw
    _, stderr, _, wall, cpu, cpu_at_3 = shim
    assert cpu_at_3 is not None, shim	# it was still retrying at 3 s
    assert cpu_at_3 < 0.03, f"{cpu_at_3:.3f} s of CPU in its first 3 s"
    assert "deadline of 10 s reached" in stderr, stderr
    assert DEADLINE - 1.5 < wall < DEADLINE + MARGIN, shim
    # Under 1% of a core over 3 s, although it ran three times longer.
    assert cpu < 0.03, f"{cpu:.3f} s of CPU in {wall:.1f} s"


def test_accept_on_a_udp_socket_returns_at_once():
    raw, shim = raw_and_preloaded([prog("hopeless"), "udp-accept"], 5)
    assert "errno=EOPNOTSUPP" in raw[0], raw
    assert shim[3] < 1 and shim[4] < 0.05, shim
    assert "kaioretry[" not in shim[1], shim	# no series at all


def test_sendmsg_with_an_oversized_control_buffer_returns_at_once():
    raw, shim = raw_and_preloaded([prog("hopeless"), "big-cmsg"], 5)
    assert "errno=ENOBUFS" in raw[0], raw
    assert shim[3] < 1 and shim[4] < 0.05, shim
    assert "kaioretry[" not in shim[1], shim


def test_single_threaded_server_at_emfile_sleeps_and_ends():
    raw, shim = raw_and_preloaded([prog("hopeless"), "emfile"],
                                  DEADLINE + MARGIN)
    assert "errno=EMFILE" in raw[0], raw
    _, stderr, _, wall, cpu, _ = shim
    assert "deadline of 10 s reached" in stderr, stderr
    assert wall < DEADLINE + MARGIN and cpu < 0.05, shim


def test_syslog_handler_without_a_log_socket_carries_on():
    # python tries the socket as a datagram, then as a stream, and at
    # every message again; none is there (as /dev/log in a container).
    with tempdir() as d:
        script = ("import logging, logging.handlers\n"
                  f"h = logging.handlers.SysLogHandler({d + '/log'!r})\n"
                  "logging.getLogger().addHandler(h)\n"
                  "for i in range(3): logging.warning('message %d', i)\n"
                  "print('carried on')\n")
        raw, shim = raw_and_preloaded([PYTHON, "-c", script],
                                      DEADLINE + MARGIN)
    assert "carried on" in raw[0], raw
    assert shim[3] < raw[3] + 2, (raw, shim)


def namespace_or_skip():
    if not shutil.which("unshare"):
        raise Skip("needs unshare")
    probe = subprocess.run(["unshare", "-n", "-m", "true"],
                           capture_output=True)
    if probe.returncode != 0:
        raise Skip("unshare -n -m not permitted here")


def test_getaddrinfo_with_no_network_ends_within_the_deadline():
    namespace_or_skip()
    with tempdir() as d:
        resolv = os.path.join(d, "resolv.conf")
        with open(resolv, "w") as f:
            f.write("nameserver 192.0.2.53\noptions timeout:1 attempts:1\n")
        # A namespace with only lo, down; the resolver's server is
        # unreachable, so libc says EAI_AGAIN at once.
        wrap = ["unshare", "-n", "-m", "sh", "-c",
                'mount --bind "$0" /etc/resolv.conf && exec "$@"', resolv]
        script = ("import socket\n"
                  "try:\n"
                  "    socket.getaddrinfo('kaioretry-test.example', 80)\n"
                  "except socket.gaierror as e:\n"
                  "    print('gaierror', e.errno == socket.EAI_AGAIN)\n")
        raw, shim = raw_and_preloaded([PYTHON, "-c", script],
                                      DEADLINE + MARGIN, wrap=wrap)
    assert raw[0] == "gaierror True\n", raw
    assert shim[3] < DEADLINE + MARGIN and shim[4] < 0.2, shim


def test_netlink_overrun_reaches_the_program():
    namespace_or_skip()
    # A private namespace, so flapping its lo disturbs nothing else.
    raw, shim = raw_and_preloaded([prog("hopeless"), "netlink-overrun"], 5,
                                  wrap=["unshare", "-n"])
    assert "recv rc=-1 errno=ENOBUFS" in raw[0], raw
    assert "kaioretry[" not in shim[1], shim


def test_off_is_silent_whatever_else_is_set():
    extra = {"KAIORETRY": "off", "KAIORETRY_STRICT": "maybe",
             "KAIORETRY_TRIES": "0", "KAIORETRY_TYPO": "1"}
    raw, shim = raw_and_preloaded([prog("hopeless"), "udp-accept"], 5,
                                  extra=extra)
    assert shim[1] == raw[1] == "", (raw, shim)


def test_errno_at_main_is_the_programs():
    # No /etc/kaioretry.ini here: the constructor's look for it fails.
    raw, shim = raw_and_preloaded([prog("hopeless"), "errno-at-main"], 5)
    assert raw[0].startswith("errno at main="), raw


def test_explain_shows_the_built_in_policy_and_its_bound():
    r = subprocess.run([KAIORETRY, "--explain"], capture_output=True,
                       text=True, timeout=10,
                       env=shim_env(preload=False, log=None))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    connect = next(l for l in lines if l.startswith("connect:"))
    assert connect.startswith("connect: tries=-1 delay=0.1 backoff=2 "
                              "max_delay=2 deadline=10 -> sleeps 0.1 0.2 "
                              "0.4 0.8 1.6 2 2 2"), connect
    assert any("not kaioretry's tries=-1 delay=0" in l for l in lines), lines
    deadline = next(l for l in lines if l.split()[:1] == ["deadline"])
    assert deadline.split()[1] == "10", deadline
    assert "built-in bound; setting tries or deadline replaces it" in deadline
    # Asking for tries=-1 means until it works: no bound is left.
    r = subprocess.run([KAIORETRY, "--tries", "-1", "--explain"],
                       capture_output=True, text=True, timeout=10,
                       env=shim_env(preload=False, log=None))
    connect = next(l for l in r.stdout.splitlines()
                   if l.startswith("connect:"))
    assert "deadline" not in connect, connect
    assert "until the call succeeds" in connect, connect
