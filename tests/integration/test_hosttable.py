"""The host table: Prometheus metrics through a real node_exporter,
`kaioretry top --once`, the host-wide retry budget, and that a table
that is full, read-only, corrupted, truncated or another user's never
changes a program's retries."""
import os
import atexit
import ctypes
import random
import re
import socket
import struct
import subprocess
import threading
import time
import urllib.request

from harness import (LIBC, PYTHON, ROOT, Skip, dead_port, for_others, preload_for_others,
                     probe_named, prog, remove_table_segment, run, series_lines, shim_env,
                     table_segment_of,
                     table_segments, tempdir)
from real_servers import free_port

KAIORETRY = os.path.join(ROOT, "scripts", "kaioretry")
NODE_EXPORTER = "/usr/bin/prometheus-node-exporter"

# common/hosttable.h
MAGIC = 0x656c626174726b6b
HEADER_SIZE, SLOTS, SLOT_SIZE = 4096, 240, 256
READY = 0x7265616479736c74
SLOT = struct.Struct("<8QII32s16s136s")
HEADER = struct.Struct("<QIIII")
SIZE = HEADER_SIZE + SLOTS * SLOT_SIZE
IPC_CREAT = 0o1000


def table_path(d):
    return os.path.join(d, f"kaioretry-{os.geteuid()}.table")


def stats(table_dir, *args, user=None):
    env = shim_env({"KAIORETRY_TABLE": table_dir}, preload=False, log=None)
    command = for_others()[1] if user else KAIORETRY
    cmd = [command, "stats", "--prometheus"] if not args else [command, *args]
    if user:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] + cmd
    return run(cmd, env=env, timeout=20)


METRIC = re.compile(r'^(kaioretry_\w+)\{(.*)\} (\S+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def metrics(text):
    """{(name, program, target): value} from the text format, ours or
    node_exporter's (which sorts the labels)."""
    out = {}
    for line in text.splitlines():
        m = METRIC.match(line)
        if m:
            labels = dict(LABEL.findall(m.group(2)))
            out[(m.group(1), labels["program"], labels["target"])] = float(m.group(3))
    return out


def tries_of(stderr):
    """(tries, outcome) of each series a log shows."""
    got = []
    for line in series_lines(stderr):
        m = re.search(r"(succeeded|failed to complete) after (\d+) tr", line)
        if m:
            got.append((int(m.group(2)), m.group(1)))
    return got


def scrape(textfile_dir):
    """Starts node_exporter on a free loopback port with only the
    textfile collector, and returns its /metrics."""
    for _ in range(5):
        port = free_port()
        p = subprocess.Popen([NODE_EXPORTER, f"--web.listen-address=127.0.0.1:{port}",
                              "--collector.disable-defaults", "--collector.textfile",
                              f"--collector.textfile.directory={textfile_dir}"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and p.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics",
                                                timeout=2) as r:
                        return r.read().decode()
                except OSError:
                    time.sleep(0.1)
        finally:
            p.kill()
            p.wait(5)
    raise AssertionError("node_exporter did not serve /metrics")


def test_prometheus_node_exporter_shows_each_program_and_destination():
    if not os.path.exists(NODE_EXPORTER):
        raise AssertionError(f"{NODE_EXPORTER} missing: run scripts/install-deps")
    keep, port = dead_port()
    with tempdir() as d:
        table, textfiles = os.path.join(d, "table"), os.path.join(d, "textfiles")
        os.mkdir(table)
        os.mkdir(textfiles)
        logs = {}
        for name, tries, runs in (("alpha", 3, 1), ("bravo", 4, 2), ("charlie", 6, 1)):
            for _ in range(runs):
                r = run([probe_named(d, name), "connect", "127.0.0.1", str(port)],
                        env=shim_env({"KAIORETRY_TABLE": table, "KAIORETRY_TRIES": str(tries),
                                      "KAIORETRY_DELAY": "0.01", "KAIORETRY_BACKOFF": "1"}))
                assert "errno=ECONNREFUSED" in r.stdout, r.stdout + r.stderr
                logs.setdefault(name, []).extend(tries_of(r.stderr))
        keep.close()
        r = stats(table)
        assert r.returncode == 0, r.stderr
        with open(os.path.join(textfiles, "kaioretry.prom"), "w") as f:
            f.write(r.stdout)
        scraped = scrape(textfiles)
    assert "node_textfile_scrape_error 0" in scraped, scraped[-2000:]
    got = metrics(scraped)
    target = f"127.0.0.1:{port}"
    for name, series in logs.items():
        assert series, name
        assert got[("kaioretry_series_total", name, target)] == len(series), (name, got)
        assert got[("kaioretry_retries_total", name, target)] == \
            sum(n - 1 for n, _ in series), (name, got)
        assert got[("kaioretry_giveups_total", name, target)] == len(series)
        assert got[("kaioretry_recoveries_total", name, target)] == 0
        assert got[("kaioretry_injected_total", name, target)] == 0
        last = got[("kaioretry_last_event_timestamp_seconds", name, target)]
        assert abs(last - time.time()) < 60, last
    assert '# TYPE kaioretry_retries_total counter' in scraped
    assert re.search(r'kaioretry_series_total\{family="connect",program="alpha",'
                     r'target="127\.0\.0\.1:\d+",user="root"\} 1', scraped) or \
        os.geteuid() != 0, scraped[-3000:]


def test_prometheus_counts_recoveries_and_injected_faults():
    keep, port = dead_port()
    keep.close()
    with tempdir() as d:
        env = shim_env({"KAIORETRY_TABLE": d, "KAIORETRY_TRIES": "5", "KAIORETRY_DELAY": "0.01",
                        "KAIORETRY_INJECT": "connect:error=ECONNREFUSED:when=1..2"})
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        port = srv.getsockname()[1]
        r = run([probe_named(d, "delta"), "connect", "127.0.0.1", str(port)], env=env)
        srv.close()
        assert "connect rc=0" in r.stdout, r.stdout + r.stderr
        got = metrics(stats(d).stdout)
    target = f"127.0.0.1:{port}"
    assert got[("kaioretry_series_total", "delta", target)] == 1, got
    assert got[("kaioretry_retries_total", "delta", target)] == 2, got
    assert got[("kaioretry_recoveries_total", "delta", target)] == 1, got
    assert got[("kaioretry_injected_total", "delta", target)] == 2, got
    assert got[("kaioretry_giveups_total", "delta", target)] == 0, got


def test_top_once_lists_a_program_retrying_now_and_its_destination():
    keep, port = dead_port()
    with tempdir() as d:
        p = subprocess.Popen([probe_named(d, "echo-client"), "connect", "127.0.0.1", str(port)],
                             env=shim_env({"KAIORETRY_TABLE": d, "KAIORETRY_TRIES": "-1",
                                           "KAIORETRY_DELAY": "0.05", "KAIORETRY_BACKOFF": "1",
                                           "KAIORETRY_DEADLINE": "20"}, log="none"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            row = None
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not row:
                r = stats(d, "top", "--once")
                assert r.returncode == 0, r.stderr
                row = [l for l in r.stdout.splitlines() if "echo-client" in l]
                time.sleep(0.1)
            assert row, r.stdout
            fields = row[0].split()
            assert str(p.pid) in fields and "retrying" in fields, r.stdout
            assert f"127.0.0.1:{port}" in fields and "connect" in fields, r.stdout
            assert r.stdout.startswith("kaioretry top"), r.stdout
            assert "\033" not in r.stdout
        finally:
            p.kill()
            p.wait(5)
            keep.close()
        # Once it has gone, the row stays, marked so.
        r = stats(d, "top", "--once")
        assert re.search(rf"{p.pid}\s+exited\s+echo-client", r.stdout), r.stdout


def storm_of(n, scope, table, port):
    """n processes connect at once to a dead port, each retrying with
    tries=-1 until the budget refuses; returns the retries they made."""
    env = shim_env({"KAIORETRY_TABLE": table, "KAIORETRY_TRIES": "-1",
                    "KAIORETRY_DELAY": "0.01", "KAIORETRY_BACKOFF": "1",
                    "KAIORETRY_BUDGET": "0.1", "KAIORETRY_BUDGET_MIN": "5/s",
                    "KAIORETRY_BUDGET_SCOPE": scope})
    start = threading.Barrier(n)
    results = [None] * n

    def one(i):
        start.wait(10)
        results[i] = run([prog("probe"), "connect", "127.0.0.1", str(port)],
                         env=env, timeout=60)

    began = time.monotonic()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    elapsed = time.monotonic() - began
    retries = 0
    for r in results:
        assert "errno=ECONNREFUSED" in r.stdout, r.stdout + r.stderr
        retries += sum(tries - 1 for tries, _ in tries_of(r.stderr))
    return retries, elapsed


def test_host_budget_holds_twenty_processes_to_one_budget():
    keep, port = dead_port()
    try:
        with tempdir() as d:
            host, elapsed = storm_of(20, "host", d, port)
        with tempdir() as d:
            alone, _ = storm_of(20, "process", d, port)
    finally:
        keep.close()
    # Every process is done well within one 10 s budget window, over
    # which the host budget allows budget_min * 10 s + budget * series
    # = 5/s * 10 s + 0.1 * 20 = 52 retries, the same 5.2/s every
    # process of the user shares.
    assert elapsed < 10, elapsed
    allowed = 5 * 10 + 0.1 * 20
    assert 0.8 * allowed <= host <= 1.2 * allowed, (host, allowed)
    # Each process its own budget: twenty times as many.
    assert alone >= 15 * host, (alone, host)
    assert 0.8 * 20 * (50 + 0.1) <= alone <= 1.2 * 20 * (50 + 0.1), alone


# --- safety --------------------------------------------------------------

def retries_seen(table_value, extra=None, cmd=None, wrap=None):
    """What probe saw, and the tries of each series its log shows."""
    keep, port = dead_port()
    env = shim_env({"KAIORETRY_TRIES": "5", "KAIORETRY_DELAY": "0.01",
                    "KAIORETRY_BACKOFF": "1", **(extra or {})})
    if table_value is None:
        del env["KAIORETRY_TABLE"]
    else:
        env["KAIORETRY_TABLE"] = table_value
    argv = (wrap or []) + (cmd or [prog("probe"), "threads", "4", "127.0.0.1", str(port)])
    r = run(argv, env=env, timeout=30)
    keep.close()
    return (r.returncode, sorted(re.sub(r"elapsed=\S+", "", r.stdout).splitlines()),
            sorted(tries_of(r.stderr))), r


def baseline():
    got, r = retries_seen("off")
    assert "failures=4" in r.stdout and len(got[2]) == 4, r.stdout + r.stderr
    return got


# Segments a test made, or whose name file it cut short: removed at exit.
made = []


@atexit.register
def remove_made():
    for shmid in made:
        remove_table_segment(shmid)


def write_record(path, shmid, mode=0o600):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.write(fd, f"kaioretry-table shmid={shmid}\n".encode())
    os.close(fd)
    os.chmod(path, mode)


def poke(shmid, at, data):
    """Writes `data` at offset `at` of segment `shmid`."""
    addr = LIBC.shmat(shmid, None, 0)
    assert addr not in (None, 2**64 - 1), os.strerror(ctypes.get_errno())
    ctypes.memmove(addr + at, data, len(data))
    LIBC.shmdt(addr)


def peek(shmid):
    """The bytes of segment `shmid`."""
    addr = LIBC.shmat(shmid, None, 0o10000)  # SHM_RDONLY
    assert addr not in (None, 2**64 - 1), os.strerror(ctypes.get_errno())
    data = ctypes.string_at(addr, SIZE)
    LIBC.shmdt(addr)
    return data


def write_table(path, slots=(), header=True, mode=0o600, image=None):
    """A table as the shim makes one: a private segment holding `image`
    (else the header and `slots`), named by a record at `path`; its id."""
    if image is None:
        image = bytearray(SIZE)
        if header:
            HEADER.pack_into(image, 0, MAGIC, 1, HEADER_SIZE, SLOT_SIZE, SLOTS)
        for i, slot in enumerate(slots):
            image[HEADER_SIZE + i * SLOT_SIZE:HEADER_SIZE + (i + 1) * SLOT_SIZE] = slot
    shmid = LIBC.shmget(0, SIZE, IPC_CREAT | 0o600)
    assert shmid >= 0, os.strerror(ctypes.get_errno())
    made.append(shmid)
    poke(shmid, 0, bytes(image))
    write_record(path, shmid, mode)
    return shmid


def test_full_table_leaves_retries_as_they_were():
    want = baseline()
    now_ms = int(time.time() * 1000)
    with tempdir() as d:
        filler = [SLOT.pack(READY, i + 1, 1, 1, 0, 1, 0, now_ms, 1, 0, b"filler",
                            b"connect", f"10.0.0.{i}:1".encode()) for i in range(SLOTS)]
        write_table(table_path(d), filler)
        got, r = retries_seen(d)
        assert got == want, (got, want, r.stderr[-2000:])
        rows = metrics(stats(d).stdout)
    assert len({k[2] for k in rows}) == SLOTS, len(rows)
    assert not [k for k in rows if k[1] == "probe"], "a full table took a new key"


def test_read_only_dev_shm_leaves_retries_as_they_were():
    if os.geteuid() != 0:
        raise Skip("needs root for unshare -m and a read-only /dev/shm")
    want = baseline()
    ro = ["unshare", "-m", "sh", "-c",
          'mount --make-rprivate / && mount -t tmpfs -o ro tmpfs /dev/shm && '
          'mount -t tmpfs -o ro tmpfs /run/user 2>/dev/null; exec "$@"', "sh"]
    with tempdir() as d:
        trace = os.path.join(d, "trace")
        got, r = retries_seen(None, wrap=ro + ["strace", "-f", "-qq", "-e",
                                               "trace=openat,shmget", "-o", trace])
        with open(trace) as f:
            lines = f.readlines()
        tried = [l for l in lines if "/dev/shm/kaioretry-0.table" in l]
        assert not [l for l in lines if "shmget" in l], lines
    assert got == want, (got, want, r.stderr[-2000:])
    # The table was looked for, once, and could not be made: the
    # system said no before any segment was.
    looked = [l for l in tried if "O_RDONLY" in l]
    made = [l for l in tried if "O_CREAT" in l]
    assert len(looked) == 1 and "ENOENT" in looked[0], tried
    assert len(made) == 1 and "EROFS" in made[0], tried


def garbage_slots(rng, n):
    return [bytes(rng.getrandbits(8) for _ in range(SLOT_SIZE)) for _ in range(n)]


def tables_made():
    """The segments on the machine that look like host tables."""
    return {k for k, v in table_segments().items() if v[1:3] == (0o600, SIZE)}


def test_corrupted_table_never_crashes_or_changes_retries():
    want = baseline()
    rng = random.Random(17)
    with tempdir() as d:
        path = table_path(d)
        # Garbage everywhere in the segment, the header included: no table.
        write_table(path, image=bytes(rng.getrandbits(8) for _ in range(SIZE)))
        got, r = retries_seen(d)
        assert got == want, (got, want, r.stderr[-2000:])
        # A good header over garbage slots, some claiming to be ready,
        # with keys lacking their NUL.
        slots = garbage_slots(rng, SLOTS)
        for i in range(0, SLOTS, 3):
            slots[i] = struct.pack("<Q", READY) + slots[i][8:]
        shmid = write_table(path, slots)
        got, r = retries_seen(d)
        assert got == want, (got, want, r.stderr[-2000:])
        # Garbage written into the segment while the processes retry.
        stop = threading.Event()

        def scribble():
            addr = LIBC.shmat(shmid, None, 0)
            while not stop.is_set():
                at = HEADER_SIZE + rng.randrange(SLOTS * SLOT_SIZE - 64)
                ctypes.memmove(addr + at, bytes(rng.getrandbits(8) for _ in range(64)), 64)
            LIBC.shmdt(addr)

        t = threading.Thread(target=scribble)
        t.start()
        try:
            for _ in range(3):
                got, r = retries_seen(d)
                assert got == want, (got, want, r.stderr[-2000:])
        finally:
            stop.set()
            t.join(5)
        # The reader copes too: every row printable, nothing crashed.
        r = stats(d)
        assert r.returncode == 0, r.stderr
        assert all(0x20 <= ord(c) < 0x7f for c in r.stdout.replace("\n", "")), r.stdout
        r = stats(d, "top", "--once")
        assert r.returncode == 0 and "\033" not in r.stdout, r.stderr
        # A name file that is garbage, cut short, empty, too long, or
        # names a segment that is gone or not a table's: no table, and
        # no new one made in its place.
        odd = LIBC.shmget(0, 4096, IPC_CREAT | 0o600)
        gone = LIBC.shmget(0, SIZE, IPC_CREAT | 0o600)
        LIBC.shmctl(gone, 0, None)
        good = f"kaioretry-table shmid={shmid}\n".encode()
        try:
            for record in (bytes(rng.getrandbits(8) for _ in range(64)), good[:-1],
                           good[:10], b"", good + b"x" * 64, good * 2,
                           f"kaioretry-table shmid={odd}\n".encode(),
                           f"kaioretry-table shmid={gone}\n".encode(),
                           b"kaioretry-table shmid=99999999999999999999\n"):
                with open(path, "wb") as f:
                    f.write(record)
                before = tables_made()
                got, r = retries_seen(d)
                assert got == want, (record, got, want, r.stderr[-2000:])
                assert tables_made() == before, record
                with open(path, "rb") as f:
                    assert f.read() == record
                r = stats(d)
                assert r.returncode == 0 and not metrics(r.stdout), (record, r.stdout)
        finally:
            LIBC.shmctl(odd, 0, None)


def test_a_record_naming_a_segment_that_is_not_a_table_never_writes_it():
    """A record left from another IPC namespace or boot may name a
    segment of the program's own that passes every IPC_STAT check (the
    user's, private, 0600, the table's size) and holds zeros: the shim
    must not take it for a new table and write a header into it."""
    want = baseline()
    with tempdir() as d:
        victim = write_table(table_path(d), header=False)
        got, r = retries_seen(d)
        after = peek(victim)
    assert got == want, (got, want, r.stderr[-2000:])
    assert after == bytes(SIZE), "the program's segment was written: %r" % (
        after[:32],)


def test_truncating_the_table_file_while_4_threads_retry_never_crashes():
    keep, port = dead_port()
    env = shim_env({"KAIORETRY_TRIES": "60", "KAIORETRY_DELAY": "0.01",
                    "KAIORETRY_BACKOFF": "1"})
    cmd = [prog("probe"), "threads", "4", "127.0.0.1", str(port)]
    try:
        env["KAIORETRY_TABLE"] = "off"
        raw = run(cmd, env=env, timeout=30)
        with tempdir() as d:
            env["KAIORETRY_TABLE"] = d
            path = table_path(d)
            p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
            # Once the table is in use, cut its file short, again and again.
            deadline = time.monotonic() + 10
            while not os.path.exists(path) and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(0.05)
            made.append(table_segment_of(path))
            cuts = 0
            while p.poll() is None:
                os.truncate(path, 0)
                cuts += 1
                time.sleep(0.01)
            out, err = p.communicate(30)
    finally:
        keep.close()
    assert p.returncode == raw.returncode == 1, (p.returncode, err[-2000:])
    assert cuts > 5, cuts
    assert sorted(tries_of(err)) == sorted(tries_of(raw.stderr)) == [(60, "failed to complete")] * 4
    assert re.sub(r"elapsed=\S+", "", out) == re.sub(r"elapsed=\S+", "", raw.stdout)


def test_a_table_of_the_wrong_owner_mode_or_a_symlink_is_refused():
    want = baseline()
    with tempdir() as d:
        path = table_path(d)
        # A symlink planted where the table goes: never followed.
        decoy = os.path.join(d, "decoy")
        with open(decoy, "wb") as f:
            f.write(b"x")
        os.symlink(decoy, path)
        got, r = retries_seen(d)
        assert got == want, (got, want, r.stderr[-2000:])
        with open(decoy, "rb") as f:
            assert f.read() == b"x"
        os.unlink(path)
        # A table others may write is not ours.
        shmid = write_table(path, mode=0o666)
        got, r = retries_seen(d)
        assert got == want
        assert not metrics(stats(d).stdout)
        assert not any(peek(shmid)[HEADER_SIZE:]), "a table named by a 0666 file was written"
        # A segment others may write is not ours either.
        os.chmod(path, 0o600)
        open_to_all = LIBC.shmget(0, SIZE, IPC_CREAT | 0o666)
        made.append(open_to_all)
        image = bytearray(SIZE)
        HEADER.pack_into(image, 0, MAGIC, 1, HEADER_SIZE, SLOT_SIZE, SLOTS)
        poke(open_to_all, 0, bytes(image))
        write_record(path, open_to_all)
        got, r = retries_seen(d)
        assert got == want
        assert not any(peek(open_to_all)[HEADER_SIZE:]), "a 0666 segment was written"
        LIBC.shmctl(open_to_all, 0, None)
        os.unlink(path)
        # The same run with a table of its own counts all four series.
        got, r = retries_seen(d)
        assert got == want
        rows = metrics(stats(d).stdout)
    series = [v for k, v in rows.items() if k[0] == "kaioretry_series_total"]
    assert series == [4], rows


def test_another_users_table_can_be_neither_read_nor_written():
    if os.geteuid() != 0:
        raise Skip("needs root to run programs as nobody")
    nobody = 65534
    with tempdir() as d:
        os.chmod(d, 0o1777)
        keep, port = dead_port()
        # root's series, then nobody's, into one directory.
        env = shim_env({"KAIORETRY_TABLE": d, "KAIORETRY_TRIES": "3", "KAIORETRY_DELAY": "0.01"})
        run([prog("probe"), "connect", "127.0.0.1", str(port)], env=env)
        as_nobody = ["setpriv", f"--reuid={nobody}", f"--regid={nobody}", "--clear-groups"]
        r = run(as_nobody + [probe_named(d, "nobodys"), "connect", "127.0.0.1", str(port)],
                env={**env, "LD_PRELOAD": preload_for_others()})
        assert "errno=ECONNREFUSED" in r.stdout, r.stdout + r.stderr
        keep.close()
        root_table = os.path.join(d, "kaioretry-0.table")
        assert os.stat(root_table).st_mode & 0o777 == 0o600
        theirs = os.path.join(d, f"kaioretry-{nobody}.table")
        assert os.stat(theirs).st_uid == nobody and os.stat(theirs).st_mode & 0o777 == 0o600
        # nobody can open root's table neither to read nor to write,
        # neither its file nor its segment.
        for mode in ("rb", "r+b"):
            r = run(as_nobody + [PYTHON, "-c",
                                 f"open({root_table!r}, {mode!r})"], env=shim_env(preload=False))
            assert "PermissionError" in r.stderr, r.stderr
        root_segment = table_segment_of(root_table)
        assert table_segments()[root_segment][3] == 0
        for flags in (0, 0o10000):
            r = run(as_nobody + [PYTHON, "-c", f"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
print(libc.shmat({root_segment}, None, {flags}), os.strerror(ctypes.get_errno()))
"""], env=shim_env(preload=False))
            assert "Permission denied" in r.stdout, r.stdout + r.stderr
        # nobody's stats show nobody's rows only; root's show both.
        mine = metrics(stats(d, user=nobody).stdout)
        assert {k[1] for k in mine} == {"nobodys"}, mine
        every = metrics(stats(d).stdout)
        assert {k[1] for k in every} == {"nobodys", "probe"}, every
        # A table planted for root by nobody is not root's: refused.
        made.append(root_segment)
        os.unlink(root_table)
        r = run(as_nobody + [PYTHON, "-c", f"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
shmid = libc.shmget(0, {SIZE}, 0o1600)
fd = os.open({root_table!r}, os.O_CREAT | os.O_WRONLY, 0o600)
os.write(fd, b"kaioretry-table shmid=%d\\n" % shmid)
print(shmid)
"""], env=shim_env(preload=False))
        planted = int(r.stdout)
        made.append(planted)
        keep, port = dead_port()
        run([prog("probe"), "connect", "127.0.0.1", str(port)], env=env)
        keep.close()
        assert os.stat(root_table).st_uid == nobody
        assert not any(peek(planted)), "root wrote into a table nobody planted"
        assert not metrics(stats(d).stdout).keys() - every.keys()
