"""nonblocking=wait, address-list fallthrough, getaddrinfo through a DNS
server that starts late, and the default mode leaving event loops alone."""
import os
import re
import shutil
import socket
import subprocess

from harness import (LIB, PYTHON, LateServer, LateUnixServer, Skip, dead_port,
                     prog, reserved_port, run, series_lines, shim_env, tempdir)

WAIT = {"KAIORETRY_CONNECT_NONBLOCKING": "wait"}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_wait_mode_reuses_the_programs_socket():
    """bind(), socket options and fd flags survive the retries, and the
    program's own poll/SO_ERROR path sees a connected socket: the connect
    the shim waited out answers EINPROGRESS, as libc answered it."""
    bind_port = free_port()
    with LateServer(0.8) as srv:
        r = run([prog("nbclient"), "tcp", "127.0.0.1", str(srv.port), str(bind_port)],
                env=shim_env({"KAIORETRY_DELAY": "0.1", **WAIT}))
    assert "connect rc=-1 errno=EINPROGRESS" in r.stdout, r.stdout + r.stderr
    assert "poll=1 so_error=0" in r.stdout, r.stdout
    assert "nonblock=1 cloexec=1 keepalive=1" in r.stdout
    assert f"local port={bind_port}" in r.stdout
    assert "read=6 hello" in r.stdout
    lines = series_lines(r.stderr)
    assert "failed: ECONNREFUSED" in lines[0], lines
    assert re.search(r"succeeded after \d+ tries", lines[-1]), lines


def test_pass_mode_never_sleeps_on_a_nonblocking_connect():
    keep, port = dead_port()
    r = run([prog("nbclient"), "tcp", "127.0.0.1", str(port)],
            env=shim_env({"KAIORETRY_DELAY": "1", "KAIORETRY_TRIES": "5"}))
    keep.close()
    assert "connect rc=-1 errno=EINPROGRESS" in r.stdout, r.stdout
    assert "so_error=ECONNREFUSED" in r.stdout
    assert float(r.stdout.split("elapsed=")[1].split()[0]) < 0.5
    assert series_lines(r.stderr) == []


def test_wait_mode_gives_up_with_the_last_real_error():
    keep, port = dead_port()
    r = run([prog("nbclient"), "tcp", "127.0.0.1", str(port)],
            env=shim_env({"KAIORETRY_DELAY": "0.1", "KAIORETRY_BACKOFF": "2",
                          "KAIORETRY_TRIES": "3", **WAIT}))
    keep.close()
    # An immediate failure, as a non-blocking connect may report it.
    assert "connect rc=-1 errno=ECONNREFUSED" in r.stdout, r.stdout
    elapsed = float(r.stdout.split("elapsed=")[1].split()[0])
    assert 0.25 < elapsed < 2.0, elapsed
    assert "failed to complete after 3 tries" in series_lines(r.stderr)[-1]


def test_wait_mode_nonblocking_unix_socket():
    with tempdir() as d:
        path = os.path.join(d, "app.sock")
        with LateUnixServer(path, 0.5):
            r = run([prog("nbclient"), "unix", path],
                    env=shim_env({"KAIORETRY_DELAY": "0.1", **WAIT,
                                  "KAIORETRY_CONNECT_ERRORS":
                                  "ECONNREFUSED,ENOENT"}))
        assert "connect rc=0" in r.stdout, r.stdout + r.stderr
        assert "read=6 hello" in r.stdout
        assert any("ENOENT" in l for l in series_lines(r.stderr))
        # Without wait: the ENOENT at once, untouched.
        r = run([prog("nbclient"), "unix", os.path.join(d, "none")],
                env=shim_env({"KAIORETRY_DELAY": "1"}))
        assert "connect rc=-1 errno=ENOENT" in r.stdout
        assert series_lines(r.stderr) == []


# --- address-list fallthrough ------------------------------------------

TWO_NAME = "twoaddr.test"


def in_private_etc(d, files, argv, env, timeout=30):
    """Runs argv in a private mount namespace where each /etc/NAME in
    `files` is bind-mounted from a file with that text in d."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        raise Skip("needs root and unshare for a private /etc")
    script = ["set -e"]
    for name, text in files.items():
        path = os.path.join(d, name)
        with open(path, "w") as f:
            f.write(text)
        script.append(f"mount --bind {path} /etc/{name}")
    script.append('exec "$@"')
    return run(["unshare", "-m", "sh", "-c", "\n".join(script), "sh"] + argv,
               env=env, timeout=timeout)


def two_address_order(d):
    hosts = {"hosts": f"127.0.0.2 {TWO_NAME}\n127.0.0.1 {TWO_NAME}\n",
             "nsswitch.conf": "hosts: files\n"}
    r = in_private_etc(d, hosts, [PYTHON, "-c",
                       "import socket; print(' '.join(a[4][0] for a in "
                       f"socket.getaddrinfo('{TWO_NAME}', 1, type=socket.SOCK_STREAM)))"],
                       env=shim_env(preload=False))
    order = r.stdout.split()
    assert sorted(order) == ["127.0.0.1", "127.0.0.2"], (r.stdout, r.stderr)
    return hosts, order


class TwoAddresses(LateServer):
    """The first address of the name refuses; the last one listens
    (after `delay` s) on the same port."""

    def __init__(self, first, last, delay=0.0):
        for _ in range(20):
            listener = reserved_port(host=last)
            self.refuser = socket.socket()
            try:
                self.refuser.bind((first, listener.getsockname()[1]))
                break   # bound, never listening
            except OSError:
                listener.close()
                self.refuser.close()
        super().__init__(delay, sock=listener)

    def stopped(self):
        self.refuser.close()


PY_CONNECT = """
import socket, sys, time
t0 = time.monotonic()
timeout = float(sys.argv[2]) if len(sys.argv) > 2 else None
s = socket.create_connection(("%s", int(sys.argv[1])), timeout=timeout)
print("peer", s.getpeername()[0], "elapsed %%.3f" %% (time.monotonic() - t0))
""" % TWO_NAME


def test_fallthrough_to_the_next_address_at_once():
    """tries=-1 and a long delay: the refused first address is not
    retried, the program moves on to the second at once."""
    env = shim_env({"KAIORETRY_DELAY": "2"})
    with tempdir() as d:
        hosts, (first, last) = two_address_order(d)
        with TwoAddresses(first, last) as srv:
            py = in_private_etc(d, hosts, [PYTHON, "-c", PY_CONNECT, str(srv.port)], env)
            pyt = in_private_etc(d, hosts, [PYTHON, "-c", PY_CONNECT, str(srv.port), "5"],
                                 shim_env({"KAIORETRY_DELAY": "2", **WAIT}))
            c = in_private_etc(d, hosts, [prog("nbclient"), "walk", TWO_NAME, str(srv.port)], env)
    for r in (py, pyt):
        assert f"peer {last}" in r.stdout, (r.stdout, r.stderr)
        assert float(r.stdout.split("elapsed ")[1]) < 1.0, r.stdout
        assert series_lines(r.stderr) == [], r.stderr
    # The C walk connects while the list is still live.
    assert f"connect {first} rc=-1 errno=ECONNREFUSED" in c.stdout, c.stdout + c.stderr
    assert f"connect {last} rc=0" in c.stdout
    assert float(c.stdout.split(f"connect {first} ")[1].split("elapsed=")[1].split()[0]) < 1.0
    assert series_lines(c.stderr) == [], c.stderr


def test_last_address_is_retried_per_the_policy():
    env = shim_env({"KAIORETRY_DELAY": "0.1"})
    with tempdir() as d:
        hosts, (first, last) = two_address_order(d)
        with TwoAddresses(first, last, delay=0.8) as srv:
            r = in_private_etc(d, hosts, [PYTHON, "-c", PY_CONNECT, str(srv.port)], env)
    assert f"peer {last}" in r.stdout, (r.stdout, r.stderr)
    lines = series_lines(r.stderr)
    assert all(f"connect({last}:{srv.port})" in l for l in lines), lines
    assert "succeeded after" in lines[-1], lines


# --- DNS ---------------------------------------------------------------

def test_getaddrinfo_waits_for_a_late_dns_server():
    """glibc's own DNS client, a resolv.conf pointing at 127.0.0.1 in a
    private network namespace, and dnsmasq starting 1 s late."""
    dnsmasq = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
    if not os.path.exists(dnsmasq) or not shutil.which("ip"):
        raise Skip("dnsmasq (dnsmasq-base) or ip (iproute2) missing")
    if os.geteuid() != 0:
        raise Skip("needs root for unshare -mn")
    resolve = ("import socket; print('resolved', "
               "socket.getaddrinfo('late.test', 80, type=socket.SOCK_STREAM)[0][4][0])")
    results = {}
    for label, env in (("without", shim_env(preload=False)),
                       ("under", shim_env({"KAIORETRY_GETADDRINFO_DELAY": "0.2"}))):
        with tempdir() as d:
            for name, text in (("resolv.conf", "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n"),
                               ("nsswitch.conf", "hosts: dns\n")):
                with open(os.path.join(d, name), "w") as f:
                    f.write(text)
            script = f"""
set -e
mount --bind {d}/resolv.conf /etc/resolv.conf
mount --bind {d}/nsswitch.conf /etc/nsswitch.conf
ip link set lo up
(sleep 1; exec {dnsmasq} -k --conf-file=/dev/null --no-resolv --no-hosts \\
    --listen-address=127.0.0.1 --bind-interfaces --port=53 -u root \\
    --host-record=late.test,127.0.0.9 --pid-file= --log-facility={d}/dnsmasq.log) &
server=$!
rc=0
"$@" || rc=$?
kill $server 2>/dev/null || true
wait $server 2>/dev/null || true
exit $rc
"""
            results[label] = run(["unshare", "-mn", "sh", "-c", script, "sh",
                                  PYTHON, "-c", resolve], env=env, timeout=30)
    without, under = results["without"], results["under"]
    assert without.returncode != 0, without
    assert "Temporary failure in name resolution" in without.stderr, without.stderr
    assert "resolved 127.0.0.9" in under.stdout, (under.stdout, under.stderr)
    lines = series_lines(under.stderr)
    assert "getaddrinfo(late.test:80) failed: EAI_AGAIN" in lines[0], lines
    assert "succeeded after" in lines[-1], lines


# --- event loops -------------------------------------------------------

TICKER = """
import asyncio, socket, sys, time

async def ticker(gaps):
    last = time.monotonic()
    while True:
        await asyncio.sleep(0.01)
        now = time.monotonic()
        gaps.append(now - last)
        last = now

async def main(port):
    gaps = []
    tick = asyncio.create_task(ticker(gaps))
    loop = asyncio.get_running_loop()
    refused = 0
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        await asyncio.sleep(0.05)
        s = socket.socket()
        s.setblocking(False)
        try:
            await loop.sock_connect(s, ("127.0.0.1", port))
        except ConnectionRefusedError:
            refused += 1
        s.close()
    await asyncio.sleep(0.05)  # let the ticker record the last gap
    tick.cancel()
    print("refused", refused, "ticks", len(gaps), "max_gap %.3f" % max(gaps))

asyncio.run(main(int(sys.argv[1])))
"""


def test_asyncio_is_never_frozen_by_default():
    keep, port = dead_port()
    r = run([PYTHON, "-c", TICKER, str(port)],
            env=shim_env({"KAIORETRY_DELAY": "0.5", "KAIORETRY_TRIES": "3"}))
    frozen = run([PYTHON, "-c", TICKER, str(port)],
                 env=shim_env({"KAIORETRY_DELAY": "0.5", "KAIORETRY_TRIES": "3", **WAIT}))
    keep.close()
    refused, ticks, gap = r.stdout.split()[1::2]
    assert int(refused) >= 5, r.stdout
    assert int(ticks) >= 30, r.stdout
    assert float(gap) < 0.3, r.stdout
    assert series_lines(r.stderr) == []
    # The test can tell: under wait, each connect sleeps and the loop stalls.
    assert float(frozen.stdout.split("max_gap ")[1]) >= 0.9, frozen.stdout


TIMEOUT_CLIENT = """
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
print("got", s.recv(100).decode().strip())
"""


def test_destination_section_turns_wait_mode_on():
    """nonblocking=wait set only in a [connect 127.0.0.1:PORT] section
    applies to that destination, and not to others."""
    with tempdir() as d, LateServer(0.6) as srv:
        ini = os.path.join(d, "k.ini")
        with open(ini, "w") as f:
            f.write(f"[connect]\ndelay = 0.1\n"
                    f"[connect 127.0.0.1:{srv.port}]\nnonblocking = wait\n")
        os.chmod(ini, 0o644)
        r = run([PYTHON, "-c", TIMEOUT_CLIENT, str(srv.port)],
                env=shim_env({"KAIORETRY_CONFIG": ini}))
        assert r.returncode == 0, r.stderr
        assert "got hello" in r.stdout
        keep, port = dead_port()
        r = run([PYTHON, "-c", TIMEOUT_CLIENT, str(port)],
                env=shim_env({"KAIORETRY_CONFIG": ini}))
        keep.close()
        assert "ConnectionRefusedError" in r.stderr
        assert series_lines(r.stderr) == []
