"""Fault injection (KAIORETRY_INJECT): faults land on exactly the calls
the rules select, beneath the retry loop, reproducibly, and are logged."""
import hashlib
import os
import random
import re
import socket
import threading

from harness import PYTHON, ROOT, LateServer, prog, run, series_lines, shim_env, tempdir

CREATE_CONNECTION = """
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print("got", s.recv(100).decode().strip())
"""


def inject_env(spec, extra=None, log="stderr"):
    env = {"KAIORETRY_INJECT": spec}
    env.update(extra or {})
    return shim_env(env, log=log)


def fails_of(stdout, label="main"):
    """The call numbers inject_probe reports as failed, and their errnos."""
    m = re.search(rf"^{label} fails=(\S*) errors=(\S*)$", stdout, re.M)
    assert m, stdout
    nums = [int(x) for x in m.group(1).split(",") if x]
    return nums, [x for x in m.group(2).split(",") if x]


def writes(spec, n, extra=None, log="none"):
    r = run([prog("inject_probe"), "writes", str(n)], env=inject_env(spec, extra, log))
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def test_every_when_form_hits_exactly_its_calls():
    cases = {
        "3": [3],
        "2..4": [2, 3, 4],
        "18+": [18, 19, 20],
        "2+7": [2, 9, 16],
        "3..12+4": [3, 7, 11],
        "1..1+5": [1],
    }
    for when, expected in cases.items():
        r = writes(f"write:error=EIO:when={when}", 20, log="stderr")
        nums, errs = fails_of(r.stdout)
        assert nums == expected, (when, nums)
        assert set(errs) == {"EIO"}, errs
        summary = [l for l in series_lines(r.stderr) if "fault injection rule 1" in l]
        assert summary and summary[0].endswith(f"matched 20, failed {len(expected)}"), summary
    # Without when=, every call.
    nums, _ = fails_of(writes("write:error=EIO", 5).stdout)
    assert nums == [1, 2, 3, 4, 5]


def test_probability_is_reproducible_and_near_p():
    spec = "write:error=EIO,ENOSPC:p=0.3"
    first = fails_of(writes(spec, 10000, {"KAIORETRY_SEED": "42"}).stdout)
    again = fails_of(writes(spec, 10000, {"KAIORETRY_SEED": "42"}).stdout)
    other = fails_of(writes(spec, 10000, {"KAIORETRY_SEED": "43"}).stdout)
    assert first == again
    assert first[0] != other[0]
    rate = len(first[0]) / 10000
    assert 0.28 < rate < 0.32, rate
    # The errno is drawn from the list, also reproducibly.
    share = first[1].count("EIO") / len(first[1])
    assert 0.4 < share < 0.6, share


def test_chosen_seed_is_logged_and_replays_the_run():
    spec = "write:error=EIO:p=0.5"
    r = writes(spec, 200, log="stderr")
    m = re.search(r"KAIORETRY_SEED=(\d+) replays this run", r.stderr)
    assert m, r.stderr
    replay = writes(spec, 200, {"KAIORETRY_SEED": m.group(1)})
    assert fails_of(replay.stdout) == fails_of(r.stdout)


def test_python_client_retries_hide_injected_refusals():
    spec = "connect:error=ECONNREFUSED:when=1..2"
    with LateServer(0) as srv:
        r = run([PYTHON, "-c", CREATE_CONNECTION, str(srv.port)],
                env=inject_env(spec, {"KAIORETRY_TRIES": "3"}))
    assert r.returncode == 0, r.stderr
    assert "got hello" in r.stdout
    lines = series_lines(r.stderr)
    assert any("failed: ECONNREFUSED" in l and "(injected by rule 1 " in l
               and "call #1)" in l for l in lines), lines
    assert any("failed on try #2: ECONNREFUSED" in l and "call #2)" in l
               for l in lines), lines
    assert any("succeeded after 3 tries" in l for l in lines), lines
    assert any(l.endswith("matched 3, failed 2") for l in lines), lines


def test_python_client_sees_injected_refusal_with_one_try():
    spec = "connect:error=ECONNREFUSED:when=1..2"
    with LateServer(0) as srv:
        r = run([PYTHON, "-c", CREATE_CONNECTION, str(srv.port)],
                env=inject_env(spec, {"KAIORETRY_TRIES": "1"}))
        assert srv.accepted == 0
    assert r.returncode != 0
    assert "ConnectionRefusedError" in r.stderr
    lines = series_lines(r.stderr)
    assert any(f"connect(127.0.0.1:{srv.port}) failed: ECONNREFUSED" in l
               and "(injected by rule 1" in l and "not retried" in l
               for l in lines), lines
    assert any(l.endswith("matched 1, failed 1") for l in lines), lines


GAI = """
import socket
try:
    print("ok", len(socket.getaddrinfo("localhost", 80)) > 0)
except socket.gaierror as e:
    print("gaierror", e.errno)
"""


def test_getaddrinfo_eai_again_injected_then_retried():
    spec = "getaddrinfo:error=EAI_AGAIN:when=1..2"
    r = run([PYTHON, "-c", GAI], env=inject_env(spec))
    assert "ok True" in r.stdout, r.stdout + r.stderr
    lines = series_lines(r.stderr)
    assert any("getaddrinfo(localhost:80) failed: EAI_AGAIN" in l and "injected" in l
               for l in lines), lines
    assert any("succeeded after 3 tries" in l for l in lines), lines
    r = run([PYTHON, "-c", GAI], env=inject_env(spec, {"KAIORETRY_TRIES": "1"}))
    assert f"gaierror {socket.EAI_AGAIN}" in r.stdout, r.stdout + r.stderr


class Sink:
    """A loopback server that reads everything one client sends."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(20)
        self.port = self.sock.getsockname()[1]
        self.data = bytearray()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.sock.accept()
        conn.settimeout(20)
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            self.data += chunk
        conn.close()

    def wait(self):
        self.thread.join(30)
        self.sock.close()


SENDER = """
import random, socket, sys
data = random.Random(7).randbytes(300000)
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
n = s.send(data[:5000])
print("first", n)
s.sendall(data[n:])
s.close()
"""


def test_short_sends_are_real_partial_writes_and_lose_nothing():
    sink = Sink()
    r = run([PYTHON, "-c", SENDER, str(sink.port)],
            env=inject_env("send:short=1000"))
    sink.wait()
    assert r.returncode == 0, r.stderr
    assert "first 1000" in r.stdout, r.stdout
    expected = random.Random(7).randbytes(300000)
    assert len(sink.data) == len(expected)
    assert hashlib.sha256(sink.data).digest() == hashlib.sha256(expected).digest()
    m = re.search(r"send:short=1000': matched (\d+), failed 0, shortened (\d+)", r.stderr)
    assert m and (m.group(1), m.group(2)) == ("300", "299"), r.stderr


VECTORS = """
import os, socket
r, w = os.pipe()
print("writev", os.writev(w, [b"abc", b"defgh", b"ij"]))
print("readv", os.readv(r, [bytearray(3), bytearray(3)]))
a, b = socket.socketpair()
print("sendmsg", a.sendmsg([b"0123", b"4567"]))
data, anc, flags, addr = b.recvmsg(100)
print("recvmsg", data, flags)
a.sendall(b"rest")
print("recv", b.recv(100))
print("read", os.read(r, 100))
"""


def test_short_vector_and_message_forms():
    spec = "writev:short=4;readv:short=2;sendmsg:short=3;recvmsg:short=2;recv:short=1"
    r = run([PYTHON, "-c", VECTORS], env=inject_env(spec))
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert out[0] == "writev 4", out
    assert out[1] == "readv 2", out              # of the 4 bytes in the pipe
    assert out[2] == "sendmsg 3", out
    assert out[3] == "recvmsg b'01' 0", out      # MSG_TRUNC not set: data stays
    assert out[4] == "recv b'2'", out
    assert out[5] == "read b'cd'", out


def test_delay_delays_the_real_call():
    with LateServer(0) as srv:
        slow = run([prog("probe"), "connect", "127.0.0.1", str(srv.port)],
                   env=inject_env("connect:delay=400ms"))
        fast = run([prog("probe"), "connect", "127.0.0.1", str(srv.port)],
                   env=inject_env("connect:delay=400ms:when=2"))
    assert "rc=0" in slow.stdout and "rc=0" in fast.stdout
    assert float(slow.stdout.split("elapsed=")[1]) >= 0.4, slow.stdout
    assert float(fast.stdout.split("elapsed=")[1]) < 0.35, fast.stdout
    assert "matched 1, failed 0, delayed 1" in slow.stderr, slow.stderr


def test_filters_only_hit_their_target():
    with LateServer(0) as a, LateServer(0) as b:
        env = inject_env(f"connect:addr=127.0.0.1:{a.port}:error=ECONNREFUSED",
                         {"KAIORETRY_TRIES": "1"})
        ra = run([prog("probe"), "connect", "127.0.0.1", str(a.port)], env=env)
        rb = run([prog("probe"), "connect", "127.0.0.1", str(b.port)], env=env)
    assert "rc=-1 errno=ECONNREFUSED" in ra.stdout, ra.stdout
    assert "rc=0" in rb.stdout, rb.stdout
    assert "matched 0, failed 0" in rb.stderr, rb.stderr

    ua = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ub = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ua.bind(("127.0.0.1", 0))
    ub.bind(("127.0.0.1", 0))
    pa, pb = ua.getsockname()[1], ub.getsockname()[1]
    r = run([prog("inject_probe"), "sendto", "6", str(pa), str(pb)],
            env=inject_env(f"sendto:port={pa}:error=ENETUNREACH"))
    ua.close()
    ub.close()
    assert r.stdout.split() == ["fails=a:ENETUNREACH", "a:ENETUNREACH", "a:ENETUNREACH"], r.stdout

    r = run([prog("inject_probe"), "gai", "localhost", "db.EXAMPLE", "example.org.evil"],
            env=inject_env("getaddrinfo:host=*.example:error=EAI_AGAIN",
                           {"KAIORETRY_TRIES": "1"}))
    assert "localhost rc=0" in r.stdout, r.stdout
    assert f"db.EXAMPLE rc={socket.EAI_AGAIN}" in r.stdout, r.stdout
    assert f"example.org.evil rc={socket.EAI_AGAIN}" not in r.stdout, r.stdout

    # The shim's own log is never a target: every write fails, yet the
    # log (raw system calls) still reaches stderr and the file.
    with tempdir() as d:
        path = os.path.join(d, "log")
        r = writes("write:error=EIO", 3, log=f"file:{path}")
        with open(path) as f:
            logged = f.read()
    assert fails_of(r.stdout)[0] == [1, 2, 3]
    assert logged.count("(injected by rule 1") == 3, logged
    assert "matched 3, failed 3" in logged, logged


def test_forked_child_counts_from_zero():
    r = run([prog("inject_probe"), "fork", "3"],
            env=inject_env("write:error=EIO:when=2"))
    assert fails_of(r.stdout, "parent")[0] == [2]
    assert fails_of(r.stdout, "child")[0] == [2]
    assert fails_of(r.stdout, "parent-after")[0] == []


BAD_SPECS = {
    "conect:error=EIO": "unknown call 'conect'",
    "connect:error=ECONNREFUZED": "unknown error name 'ECONNREFUZED'",
    "connect:error=EAI_AGAIN": "EAI_AGAIN is a getaddrinfo code",
    "getaddrinfo:error=EIO": "getaddrinfo fails with EAI_* codes",
    "write:error=EIO:when=0": "when='0': expected N, N..M, N+, N+S or N..M+S",
    "write:error=EIO:when=5..2": "needs N <= M",
    "write:error=EIO:when=2..x": "when='2..x'",
    "write:error=EIO:p=1.5": "p='1.5': expected a probability from 0 to 1",
    "write:error=EIO:p=-0.1": "p='-0.1'",
    "connect:delay=5": "delay='5' needs a unit",
    "connect:delay=5m": "delay='5m' needs a unit",
    "connect:when=2": "no action",
    "connect:short=10": "short= applies to read, write, recv and send",
    "write:short=0": "short='0'",
    "write:error=EIO:short=5": "error= and short= contradict",
    "read:error=EIO:addr=1.2.3.4": "addr= filters connect",
    "connect:error=EIO:addr=::1": "IPv6 goes in brackets: addr=[::1]",
    "connect:error=EIO:addr=[::1": "missing ']'",
    "connect:error=EIO:addr=10.0.0.256": "'10.0.0.256' is not an IPv4 address",
    "connect:error=EIO:port=70000": "port='70000'",
    "connect:error=EIO:host=x": "host= filters getaddrinfo",
    "write:error=EIO:colour=red": "unknown item 'colour=red'",
    "write:error=EIO:when=1:when=2": "when= given twice",
    "send:error=EIO:path=/tmp/*": "path= filters the files of open, read, write and disk",
    "fsync:error=EAI_AGAIN": "EAI_AGAIN is a getaddrinfo code; disk fails",
    "close:limit=10": "limit= applies to read, write, recv and send",
    "fdatasync:error=EIO:path=*:path=*": "path= given twice",
}


def test_every_bad_spec_is_rejected_with_a_clear_message():
    for spec, message in BAD_SPECS.items():
        r = run([prog("inject_probe"), "writes", "3"], env=inject_env(spec))
        assert r.returncode == 0, (spec, r.stderr)
        assert f"KAIORETRY_INJECT: rule 1 '{spec[:32]}" in r.stderr, (spec, r.stderr)
        assert message in r.stderr, (spec, message, r.stderr)
        assert "every call passes through untouched" in r.stderr
        assert fails_of(r.stdout)[0] == [], (spec, r.stdout)
        strict = run([prog("inject_probe"), "writes", "3"],
                     env=inject_env(spec, {"KAIORETRY_STRICT": "1"}))
        assert strict.returncode == 78, (spec, strict.returncode)
        assert strict.stdout == ""
    r = run([prog("inject_probe"), "writes", "3"],
            env=inject_env("write:error=EIO", {"KAIORETRY_SEED": "-1"}))
    assert "KAIORETRY_SEED: seed: expected a whole number" in r.stderr, r.stderr


def test_inject_section_in_the_ini_file():
    with tempdir() as d:
        path = os.path.join(d, "k.ini")
        with open(path, "w") as f:
            f.write("[inject]\nrules = write:error=EIO:when=2;"
                    " write:error=ENOSPC:when=3\nseed = 5\n")
        r = run([prog("inject_probe"), "writes", "4"],
                env=shim_env({"KAIORETRY_CONFIG": path}))
        assert fails_of(r.stdout) == ([2, 3], ["EIO", "ENOSPC"]), r.stdout + r.stderr
        assert "seed 5 (given)" in r.stderr
        # Both rules count every write; only the first that selects a call acts.
        assert "rule 2 'write:error=ENOSPC:when=3': matched 4, failed 1" in r.stderr
        # The environment wins over the file.
        r = run([prog("inject_probe"), "writes", "4"],
                env=inject_env("write:error=EIO:when=4", {"KAIORETRY_CONFIG": path}))
        assert fails_of(r.stdout)[0] == [4], r.stdout
        with open(path, "w") as f:
            f.write("[inject]\nrules = write:error=EIO:when=x\n")
        r = run([prog("inject_probe"), "writes", "2"],
                env=shim_env({"KAIORETRY_CONFIG": path}))
        assert f"{path}:2: rule 1 'write:error=EIO:when=x': when='x'" in r.stderr, r.stderr


def test_kaioretry_command_inject_and_seed_options():
    cmd = os.path.join(ROOT, "scripts", "kaioretry")
    env = shim_env(preload=False, log=None)
    args = [cmd, "-v", "--seed", "11", "--inject", "write:error=EIO,ENOSPC:p=0.5",
            "--", prog("inject_probe"), "writes", "100"]
    r = run(args, env=env)
    again = run(args, env=env)
    assert r.returncode == 0, r.stderr
    assert "seed 11 (given)" in r.stderr, r.stderr
    nums, errs = fails_of(r.stdout)
    assert 25 < len(nums) < 75 and set(errs) == {"EIO", "ENOSPC"}, r.stdout
    assert fails_of(again.stdout) == (nums, errs)
    bad = run([cmd, "--strict", "--inject", "write:error=EIO:when=0", "--",
               prog("inject_probe"), "writes", "1"], env=env)
    assert bad.returncode == 78 and "when='0'" in bad.stderr, bad.stderr
    with tempdir() as d:
        path = os.path.join(d, "k.ini")
        with open(path, "w") as f:
            f.write("[inject]\nrules = write:p=2:error=EIO\n")
        check = run([cmd, "--check", path], env=env)
    assert check.returncode == 1 and f"{path}:2: rule 1" in check.stderr, check.stderr
