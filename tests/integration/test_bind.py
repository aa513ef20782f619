"""bind: retried on EADDRINUSE and EADDRNOTAVAIL when the configuration
asks for it (on = all, bind, or a [bind ADDR:PORT] section), never by
default, so programs that probe for a free port lose no time."""
import os
import shutil
import socket
import subprocess
import time

from harness import PYTHON, Skip, prog, run, series_lines, shim_env, tempdir

BIND_ON = {"KAIORETRY_ON": "all, bind", "KAIORETRY_BIND_DELAY": "0.1"}

HOLDER = """
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
time.sleep(1)
"""

# A stock socketserver.TCPServer: no SO_REUSEADDR (allow_reuse_address
# is False), one request, then exit.
SERVER = """
import socketserver, sys
class Hello(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"hello from the new instance\\n")
with socketserver.TCPServer(("127.0.0.1", int(sys.argv[1])), Hello) as server:
    print("serving", flush=True)
    server.handle_request()
"""


def took(stdout):
    return float(stdout.split("took ")[1].split()[0])


def ask(port, deadline):
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as c:
                return c.makefile().readline()
        except (ConnectionRefusedError, ConnectionResetError):
            time.sleep(0.05)
    return None


def restart(env):
    """The old instance holds its port for 1 s; the new one starts at
    once.  Returns the new one's result and what a client got."""
    holder = subprocess.Popen([PYTHON, "-c", HOLDER], stdout=subprocess.PIPE,
                              text=True, env=shim_env(preload=False))
    try:
        port = int(holder.stdout.readline())
        server = subprocess.Popen([PYTHON, "-c", SERVER, str(port)],
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=env)
        answer = None
        deadline = time.monotonic() + 10
        while server.poll() is None and time.monotonic() < deadline:
            if holder.poll() is not None:
                answer = ask(port, deadline)
                break
            time.sleep(0.05)
        out, err = server.communicate(timeout=15)
        return server.returncode, out, err, answer, port
    finally:
        holder.kill()
        holder.wait()


def test_new_instance_waits_for_the_old_one_to_let_go_of_its_port():
    rc, out, err, answer, port = restart(shim_env(BIND_ON))
    assert rc == 0, (rc, out, err)
    assert answer == "hello from the new instance\n", (answer, err)
    lines = series_lines(err)
    assert f"bind(127.0.0.1:{port}) failed: EADDRINUSE" in lines[0], lines
    assert "succeeded after" in lines[-1], lines

    rc, out, err, answer, port = restart(shim_env(preload=False))
    assert rc != 0 and "Address already in use" in err, (rc, err)
    assert answer is None


def test_off_by_default():
    """The default configuration passes an EADDRINUSE straight through;
    so does bind when asked for, for a port of the kernel's choice."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    try:
        r = run([prog("binder"), "listen", "127.0.0.1", str(port)],
                env=shim_env())
        assert r.returncode == 1 and "failed EADDRINUSE" in r.stdout, r
        assert took(r.stdout) < 0.1 and series_lines(r.stderr) == [], r
    finally:
        holder.close()


def test_port_zero_is_never_retried():
    """Port 0 asks the kernel for any port: when none is left (a network
    namespace whose whole ephemeral range is taken) the failure is
    returned at once, even with bind asked for."""
    if os.geteuid() != 0 or not shutil.which("ip"):
        raise Skip("needs root and ip (iproute2) for unshare -n")
    holder = ("import socket, time\n"
              "held = []\n"
              "for p in (40000, 40001):\n"
              "    s = socket.socket(); s.bind(('127.0.0.1', p)); s.listen(1)\n"
              "    held.append(s)\n"
              "print('held', flush=True)\n"
              "time.sleep(1.5)\n")
    script = f"""
ip link set lo up
echo '40000 40001' > /proc/sys/net/ipv4/ip_local_port_range
{PYTHON} -c "$0" | (read line; "$@"; echo rc=$?)
"""
    argv = ["unshare", "-n", "sh", "-c", script, holder, prog("binder"),
            "listen", "127.0.0.1", "0"]
    r = run(argv, env=shim_env(BIND_ON))
    assert "failed EADDRINUSE" in r.stdout and "rc=1" in r.stdout, r
    assert took(r.stdout) < 0.1, r.stdout
    assert series_lines(r.stderr) == [], r.stderr


def test_late_address_in_a_network_namespace():
    """The address comes up 1 s after the daemon starts: a [bind
    ADDR:*] section covers it."""
    if os.geteuid() != 0 or not shutil.which("ip"):
        raise Skip("needs root and ip (iproute2) for unshare -n")
    script = """
ip link set lo up
(sleep 1; ip addr add 10.9.8.7/32 dev lo) &
"$@"; rc=$?
wait
exit $rc
"""
    argv = ["unshare", "-n", "sh", "-c", script, "sh", prog("binder"),
            "listen", "10.9.8.7", "8089"]
    without = run(argv, env=shim_env(preload=False))
    assert without.returncode == 1, without
    assert "failed EADDRNOTAVAIL" in without.stdout, without.stdout
    assert took(without.stdout) < 0.5, without.stdout
    with tempdir() as d:
        ini = os.path.join(d, "k.ini")
        with open(ini, "w") as f:
            f.write("[bind 10.9.8.7:*]\ndelay = 0.1\n")
        os.chmod(ini, 0o644)
        under = run(argv, env=shim_env({"KAIORETRY_CONFIG": ini}))
    assert under.returncode == 0, under
    assert "bound" in under.stdout and took(under.stdout) > 0.8, under.stdout
    lines = series_lines(under.stderr)
    assert "bind(10.9.8.7:8089) failed: EADDRNOTAVAIL" in lines[0], lines
    assert "succeeded after" in lines[-1], lines


def busy_ports(count):
    """`count` consecutive loopback ports, each held by a listener."""
    for _ in range(50):
        first = socket.socket()
        first.bind(("127.0.0.1", 0))
        base = first.getsockname()[1]
        if base + count > 65535:
            first.close()
            continue
        held = [first]
        try:
            for p in range(base + 1, base + count):
                s = socket.socket()
                held.append(s)
                s.bind(("127.0.0.1", p))
            for s in held:
                s.listen(1)
            return base, held
        except OSError:
            for s in held:
                s.close()
    raise Skip("no run of free consecutive ports")


def test_port_probing_takes_no_longer_by_default():
    base, held = busy_ports(5)
    try:
        argv = [prog("binder"), "probe", "127.0.0.1", str(base), "10"]
        raw = run(argv, env=shim_env(preload=False))
        under = run(argv, env=shim_env())
        expect = f"port {base + 5} after 6 tries"
        assert expect in raw.stdout and expect in under.stdout, (raw, under)
        assert took(under.stdout) < 0.1, under.stdout
        assert series_lines(under.stderr) == [], under.stderr
        # The same binds do reach the shim: asked for, each taken port
        # costs its series.
        asked = run(argv, env=shim_env({"KAIORETRY_ON": "all, bind",
                                        "KAIORETRY_BIND_TRIES": "2",
                                        "KAIORETRY_BIND_DELAY": "0.1"}))
        assert expect in asked.stdout, asked
        assert took(asked.stdout) >= 0.45, asked.stdout
    finally:
        for s in held:
            s.close()


def test_injected_eaddrinuse():
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    number = port.getsockname()[1]
    port.close()
    argv = [prog("binder"), "listen", "127.0.0.1", str(number)]
    inject = {"KAIORETRY_INJECT": "bind:error=EADDRINUSE:when=1"}
    r = run(argv, env=shim_env(dict(inject, **BIND_ON)))
    assert r.returncode == 0, r
    lines = series_lines(r.stderr)
    assert any(f"bind(127.0.0.1:{number}) failed: EADDRINUSE" in l
               for l in lines), lines
    r = run(argv, env=shim_env(inject))
    assert r.returncode == 1 and "failed EADDRINUSE" in r.stdout, r
