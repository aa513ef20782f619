"""`kaioretry fault PID list | add RULE | clear [N]`: the injection rules
of a running process change within 100 ms of the command's return (in
the client's own timestamps), only its own user (or root) may change
them, a malformed rule is refused as `--check` refuses it and the old
rules stay, each rule's lifetime is in the log and the JSON report, and
a process that did not opt in cannot be controlled and holds nothing of
ours."""
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

from harness import (LIB, PYTHON, ROOT, Skip, for_others, preload_for_others,
                     prog, run, shim_env, tempdir)

KAIORETRY = os.path.join(ROOT, "scripts", "kaioretry")
AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

# Connects every 20 ms until its stdin closes; one line per connect in
# its own clock.
CLIENT = """
import errno, os, select, socket, sys, time
port = int(sys.argv[1])
print(os.getpid(), flush=True)
while not select.select([sys.stdin], [], [], 0.02)[0]:
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", port))
        r = "ok"
    except OSError as e:
        r = errno.errorcode[e.errno]
    s.close()
    print(f"{time.time():.6f} {r}", flush=True)
"""


class Server:
    """A live loopback server that accepts and closes every connection."""

    def __enter__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        return self

    def _serve(self):
        while not self.stopping.is_set():
            try:
                self.sock.accept()[0].close()
            except OSError:
                pass

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(5)
        self.sock.close()


class Client:
    """A running client loop; `lines` collects (time, result)."""

    def __init__(self, argv, env, prefix=()):
        self.proc = subprocess.Popen([*prefix, *argv], env=env, text=True,
                                     stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.pid = self.proc.stdout.readline().strip()
        assert self.pid.isdigit(), self.proc.stderr.read()
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            when, result = line.split()
            self.lines.append((float(when), result))

    def wait_for(self, test, timeout=3):
        end = time.time() + timeout
        while time.time() < end:
            found = [l for l in list(self.lines) if test(l)]
            if found:
                return found[0]
            time.sleep(0.005)
        raise AssertionError(f"not seen in {timeout} s: {self.lines[-5:]}")

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(10)
        self.reader.join(5)
        return self.proc.stderr.read()


def python_client(port, extra, prefix=()):
    """The client, preloaded; after `prefix` (setpriv) when given, which
    is not preloaded itself: it would make the control page, as root,
    before it execs the client as another user, who could then not."""
    env = shim_env({"KAIORETRY_TRIES": "1", **extra}, preload=not prefix)
    if prefix:
        prefix = [*prefix, "env", f"LD_PRELOAD={preload_for_others()}"]
    return Client([PYTHON, "-c", CLIENT, str(port)], env, prefix)


def fault(pid, *args, prefix=(), command=KAIORETRY):
    return run([*prefix, command, "fault", str(pid), *args],
               env=shim_env(preload=False, log=None))


def settle(client, count=5):
    """The client has made `count` clean connects."""
    start = len(client.lines)
    client.wait_for(lambda l: len(client.lines) >= start + count)
    assert all(r == "ok" for _, r in client.lines), client.lines


def acts_within_100ms(client, args, result):
    """Runs `kaioretry fault PID ARGS...`; the client's first connect
    with `result` after the command returns comes within 100 ms."""
    r = fault(client.pid, *args)
    returned = time.time()
    assert r.returncode == 0, r.stderr
    when, _ = client.wait_for(lambda l: l[0] > returned and l[1] == result)
    assert when - returned < 0.1, (when - returned, client.lines[-10:])
    return r


def test_add_fails_a_running_client_within_100ms_and_clear_recovers():
    with Server() as server, tempdir() as d:
        report = os.path.join(d, "report.json")
        client = python_client(server.port, {
            "KAIORETRY_INJECT": "control",
            "KAIORETRY_INJECT_REPORT": report})
        try:
            settle(client)
            out = acts_within_100ms(client, ["add", "connect:error=ECONNREFUSED"],
                                    "ECONNREFUSED")
            assert out.stdout == "rule 1 added: connect:error=ECONNREFUSED\n"
            listed = fault(client.pid, "list")
            assert listed.returncode == 0
            assert listed.stdout == "1\tconnect:error=ECONNREFUSED\n", listed.stdout
            acts_within_100ms(client, ["clear"], "ok")
            assert fault(client.pid, "list").stdout == "no rules\n"
        finally:
            stderr = client.stop()
        with open(report) as f:
            rules = json.load(f)["rules"]
    added = re.search(r"rule 1 'connect:error=ECONNREFUSED' added at ([\d.]+) s", stderr)
    cleared = re.search(r"rule 1 'connect:error=ECONNREFUSED' cleared at ([\d.]+) s", stderr)
    summary = re.search(r"fault injection rule 1 'connect:error=ECONNREFUSED': "
                        r"matched (\d+), failed (\d+); added at ([\d.]+) s, "
                        r"cleared at ([\d.]+) s$", stderr, re.M)
    assert added and cleared and summary, stderr
    failures = sum(1 for _, r in client.lines if r == "ECONNREFUSED")
    assert int(summary.group(2)) == failures > 0
    assert summary.group(3) == added.group(1) and summary.group(4) == cleared.group(1)
    assert len(rules) == 1 and rules[0]["faults"] == failures
    assert abs(rules[0]["added_at"] - float(added.group(1))) < 0.002
    assert abs(rules[0]["cleared_at"] - float(cleared.group(1))) < 0.002
    assert 0 < rules[0]["added_at"] < rules[0]["cleared_at"]


def check_message(rule):
    """What `kaioretry --check` says of `rule`, after FILE:LINE: ."""
    with tempdir() as d:
        ini = os.path.join(d, "k.ini")
        with open(ini, "w") as f:
            f.write(f"[inject]\nrules = {rule}\n")
        r = run([KAIORETRY, "--check", ini], env=shim_env(preload=False, log=None))
    assert r.returncode == 1, r.stderr
    return r.stderr.strip().split(": ", 1)[1]


def test_list_numbers_clear_n_and_a_malformed_rule_is_refused():
    with Server() as server:
        # Any rules at all opt in: this one never matches (port 1).
        client = python_client(server.port, {
            "KAIORETRY_INJECT": "connect:port=1:error=EIO"})
        try:
            settle(client)
            assert fault(client.pid, "add", "connect:error=EIO:when=999999").returncode == 0
            acts_within_100ms(client, ["add", "connect:error=ECONNREFUSED"],
                              "ECONNREFUSED")
            before = fault(client.pid, "list").stdout
            assert before == ("1\tconnect:port=1:error=EIO\n"
                              "2\tconnect:error=EIO:when=999999\n"
                              "3\tconnect:error=ECONNREFUSED\n"), before
            bad = fault(client.pid, "add", "conect:error=EIO")
            assert bad.returncode != 0 and bad.stdout == ""
            assert check_message("conect:error=EIO") in bad.stderr, bad.stderr
            assert "unknown call 'conect'" in bad.stderr
            # The old rules stay, in the list and in force.
            assert fault(client.pid, "list").stdout == before
            seen = len(client.lines)
            client.wait_for(lambda l: len(client.lines) >= seen + 5)
            assert all(r == "ECONNREFUSED" for _, r in client.lines[seen:])
            missing = fault(client.pid, "clear", "7")
            assert missing.returncode != 0 and "no rule 7" in missing.stderr
            acts_within_100ms(client, ["clear", "3"], "ok")
            assert fault(client.pid, "list").stdout == before.rsplit("3\t", 1)[0]
            usage = fault(client.pid, "remove")
            assert usage.returncode == 64 and "usage: kaioretry fault" in usage.stderr
        finally:
            stderr = client.stop()
    assert "rule 3 'connect:error=ECONNREFUSED': matched" in stderr
    assert re.search(r"rule 1 'connect:port=1:error=EIO': matched \d+, failed 0$",
                     stderr, re.M), stderr


def test_another_user_is_refused_by_the_kernel():
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        raise Skip("needs root and setpriv to act as nobody")
    with Server() as server:
        client = python_client(server.port, {"KAIORETRY_INJECT": "control"})
        try:
            settle(client)
            r = fault(client.pid, "add", "connect:error=ECONNREFUSED",
                      prefix=AS_NOBODY, command=for_others()[1])
            assert r.returncode != 0, r.stdout
            assert "Permission denied" in r.stderr, r.stderr
            settle(client)
        finally:
            client.stop()
        # And root may change the rules of nobody's process.
        client = python_client(server.port, {"KAIORETRY_INJECT": "control"},
                               prefix=AS_NOBODY)
        try:
            settle(client)
            acts_within_100ms(client, ["add", "connect:error=ECONNREFUSED"],
                              "ECONNREFUSED")
        finally:
            client.stop()


def segments_made_by(pid):
    """The shmids of the System V segments process `pid` created."""
    with open("/proc/sysvipc/shm") as f:
        rows = [l.split() for l in f][1:]
    return [int(r[1]) for r in rows if r[4] == str(pid)]


def ours(pid):
    """What of kaioretry process `pid` has open or mapped, but the
    library: its files, and its System V segments ("SYSV shmid")."""
    fds = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    with open(f"/proc/{pid}/maps") as f:
        maps = [l.split() for l in f if "/" in l]
    lib = os.path.realpath(LIB)
    files = {m[5] for m in maps if "kaioretry" in m[5] and m[5] != lib}
    segments = {f"SYSV {m[4]}" for m in maps if m[5].startswith("/SYSV")}
    return [f for f in fds if "kaioretry" in f] + sorted(files | segments)


def test_a_process_that_did_not_opt_in_cannot_be_controlled():
    """connect_every raw and preloaded without injection: the command is
    refused on both, both connect cleanly throughout, and neither has
    anything of ours open or mapped; opted in, it has its page mapped,
    one System V segment it made (and no descriptor)."""
    results = {}
    with Server() as server:
        argv = [prog("connect_every"), str(server.port), "20"]
        for name, env in (("raw", shim_env(preload=False)),
                          ("preloaded", shim_env()),
                          ("control", shim_env({"KAIORETRY_INJECT": "control",
                                                 "KAIORETRY_TRIES": "1"}))):
            client = Client(argv, env)
            try:
                settle(client)
                held = ours(client.pid)
                made = segments_made_by(client.pid)
                r = fault(client.pid, "add", "connect:error=ECONNREFUSED")
                if name == "control":
                    client.wait_for(lambda l: l[1] == "ECONNREFUSED")
                else:
                    settle(client)
            finally:
                client.stop()
            results[name] = (held, r.returncode, r.stderr, made)
    for name in ("raw", "preloaded"):
        held, rc, stderr, _ = results[name]
        assert held == [] and rc == 1, results[name]
        assert "it takes no run-time control" in stderr, stderr
    held, rc, _, made = results["control"]
    assert len(made) == 1 and held == [f"SYSV {made[0]}"] and rc == 0, \
        results["control"]


def test_a_fork_child_has_rules_of_its_own():
    """The child of fork() gets its own control page; a rule added to it
    leaves its parent alone; neither leaves a segment behind."""
    forker = CLIENT.replace("while not", "if os.fork() == 0:\n"
                            "    print('child', os.getpid(), flush=True)\nwhile not")
    with Server() as server:
        env = shim_env({"KAIORETRY_TRIES": "1", "KAIORETRY_INJECT": "control"})
        proc = subprocess.Popen([PYTHON, "-c", forker, str(server.port)], env=env,
                                text=True, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            parent = proc.stdout.readline().strip()
            child = None
            while not child:
                line = proc.stdout.readline()
                assert line, "no child"
                if line.startswith("child "):
                    child = line.split()[1]
            added = fault(child, "add", "connect:error=ECONNREFUSED")
            assert added.returncode == 0, added.stderr
            assert fault(parent, "list").stdout == "no rules\n"
            assert fault(child, "list").stdout == "1\tconnect:error=ECONNREFUSED\n"
            time.sleep(0.3)
        finally:
            proc.stdin.close()
            out = proc.stdout.read()
            proc.wait(10)
    assert "ECONNREFUSED" in out and " ok" in out
    assert segments_made_by(parent) == segments_made_by(child) == []


LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.shmat.restype = ctypes.c_void_p
LIBC.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
LIBC.shmdt.argtypes = [ctypes.c_void_p]


def scribble(shmid, offset, data):
    """Writes `data` into segment `shmid` at `offset`, as its user may."""
    at = LIBC.shmat(shmid, None, 0)
    assert at not in (None, ctypes.c_void_p(-1).value), ctypes.get_errno()
    try:
        ctypes.memmove(at + offset, data, len(data))
    finally:
        LIBC.shmdt(at)


def test_truncation_or_garbage_cannot_crash_the_process():
    """An opted-in client with a rule in force: whatever its own user
    truncates (a control file by the pid's name, where one exists) or
    writes into its page (garbage rules under a new generation, then
    garbage over the whole page), it keeps running, keeps its rule and
    exits 0; the malformed page is refused in its log."""
    with Server() as server:
        client = python_client(server.port, {"KAIORETRY_INJECT": "control"})
        try:
            settle(client)
            acts_within_100ms(client, ["add", "connect:error=ECONNREFUSED"],
                              "ECONNREFUSED")
            for name in (f"/dev/shm/kaioretry.{client.pid}",
                         f"/run/user/{os.geteuid()}/kaioretry/{client.pid}"):
                if os.path.exists(name):
                    os.truncate(name, 0)
            for shmid in segments_made_by(client.pid):
                # Rules that are not well formed (common/control_page.h:
                # the rule list starts at 284), then a new generation
                # (at 12): the process sees a change.
                scribble(shmid, 284, b"\xff" * 64)
                scribble(shmid, 12, (1 << 30).to_bytes(4, "little"))
            seen = len(client.lines)
            client.wait_for(lambda l: len(client.lines) >= seen + 5)
            for shmid in segments_made_by(client.pid):
                scribble(shmid, 0, os.urandom(4096))
            seen = len(client.lines)
            client.wait_for(lambda l: len(client.lines) >= seen + 5)
            assert client.proc.poll() is None
            assert all(r == "ECONNREFUSED" for _, r in client.lines[seen:])
        finally:
            stderr = client.stop()
    assert client.proc.returncode == 0, (client.proc.returncode, stderr)
    assert "kaioretry fault refused, the rules stay: the control page is " \
        "malformed" in stderr, stderr


def test_no_segment_outlives_its_process():
    """Nothing of a controlled process stays once it is gone, even
    killed by SIGKILL: no segment it made, no file by its pid."""
    with Server() as server:
        client = python_client(server.port, {"KAIORETRY_INJECT": "control"})
        try:
            settle(client)
            assert len(segments_made_by(client.pid)) == 1
            client.proc.send_signal(signal.SIGKILL)
        finally:
            client.stop()
    assert client.proc.returncode == -signal.SIGKILL
    assert segments_made_by(client.pid) == []
    assert not [n for n in (f"/dev/shm/kaioretry.{client.pid}",
                            f"/run/user/{os.geteuid()}/kaioretry/{client.pid}")
                if os.path.exists(n)]


def test_a_sandbox_refusing_shmctl_leaves_no_segment_behind():
    """A seccomp filter that refuses shmctl (alone, or with shmat) but
    lets shmget through: the page could never be marked for removal, so
    the process must make none, run without control and say why; the
    segments of its private IPC namespace after it exits are none."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        raise Skip("needs root and unshare -i (a private IPC namespace)")
    env = shim_env({"KAIORETRY_INJECT": "control", "KAIORETRY_TABLE": "off"})
    del env["LD_PRELOAD"]  # only for the program, not the shell counting
    for refused in ("shmctl", "shmat,shmctl"):
        r = run(["unshare", "-i", "sh", "-c",
                 '"$1" "$2" env LD_PRELOAD="$3" /bin/true; echo "rc=$?"; '
                 'echo "segments=$(($(wc -l < /proc/sysvipc/shm) - 1))"',
                 "sh", prog("seccomp_exec"), refused, LIB], env=env, timeout=30)
        assert "rc=0" in r.stdout, (refused, r.stdout, r.stderr)
        assert "segments=0" in r.stdout, (refused, r.stdout, r.stderr)
        assert "no run-time control" in r.stderr, (refused, r.stderr)


def test_check_and_explain_know_the_opt_in():
    env = shim_env({"KAIORETRY_INJECT": "control"}, preload=False, log=None)
    r = run([KAIORETRY, "--explain"], env=env)
    assert r.returncode == 0, r.stderr
    assert "fault injection: 0 rules" in r.stdout
    assert "kaioretry fault PID list | add RULE | clear [N]" in r.stdout
    with tempdir() as d:
        ini = os.path.join(d, "k.ini")
        with open(ini, "w") as f:
            f.write("[inject]\nrules = control;connect:error=EIO\n")
        r = run([KAIORETRY, "--check", ini], env=shim_env(preload=False, log=None))
    assert r.returncode == 0, r.stderr
    help_text = run([KAIORETRY, "--help"], env=shim_env(preload=False, log=None)).stdout
    assert "fault PID list | add RULE | clear [N]" in help_text
