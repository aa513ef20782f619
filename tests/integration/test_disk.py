"""Disk faults: the disk family (close, fsync, fdatasync, ftruncate), the
open family and path=, on real programs.  Each rule fails exactly the
calls it names, once as asked, never retried; a real daemon and a real
database react as they do to a full or failing disk."""
import os
import re
import shutil
import subprocess
import time

from harness import Skip, prog, run, shim_env, tempdir

REDIS = "/usr/bin/redis-server"
REDIS_CLI = "/usr/bin/redis-cli"
SQLITE = "/usr/bin/sqlite3"
RAW = shim_env(preload=False)


def diskfiles(d, spec=None, extra=None, n=3):
    env = shim_env(dict({"KAIORETRY_INJECT": spec} if spec else {},
                        **(extra or {})), log="stderr")
    r = run([prog("diskfiles"), d, str(n)], env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def outcomes(stdout):
    """{(file, call): "ok" or the errno name} and the write counts."""
    calls, writes = {}, {}
    for line in stdout.splitlines():
        m = re.match(r"(\S+) write ok=(\d+) failed=(\d+) errors=(\S*)$", line)
        if m:
            writes[m.group(1)] = (int(m.group(2)), int(m.group(3)), m.group(4))
            continue
        f, call, rest = line.split(" ", 2)
        calls[(f, call)] = rest.replace("failed ", "")
    return calls, writes


def test_path_fails_only_the_writes_to_the_file_it_names():
    with tempdir() as d:
        raw = run([prog("diskfiles"), d, "3"], env=RAW)
        _, writes = outcomes(raw.stdout)
        assert writes == {"a.txt": (3, 0, ""), "b.txt": (3, 0, "")}, raw.stdout
        r = diskfiles(d, "write:path=*/b.txt:error=ENOSPC")
        _, writes = outcomes(r.stdout)
        assert writes == {"a.txt": (3, 0, ""),
                          "b.txt": (0, 3, "ENOSPC,ENOSPC,ENOSPC")}, r.stdout
        # The rest of the run is the raw one's.
        assert r.stdout.splitlines()[2:] == raw.stdout.splitlines()[2:]
        assert "matched 3, failed 3" in r.stderr, r.stderr
        # The file's whole path, so a glob on the directory works too.
        r = diskfiles(d, f"write:path={d}/a.*:error=EIO:when=2")
        assert outcomes(r.stdout)[1]["a.txt"] == (2, 1, "EIO"), r.stdout


def readlinks(d, spec):
    """The readlink calls diskfiles makes under `spec` (None: no rules)."""
    log = os.path.join(d, "strace.log")
    env = shim_env({"KAIORETRY_INJECT": spec} if spec else {}, log="none")
    r = run(["strace", "-f", "-qq", "-o", log, "-e",
             "trace=readlink,readlinkat", prog("diskfiles"), d, "3"],
            env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    with open(log) as f:
        return [l for l in f if "/proc/self/fd/" in l]


def test_descriptor_path_is_read_only_while_a_path_rule_is_on():
    if not shutil.which("strace"):
        raise Skip("strace not installed (scripts/install-deps)")
    with tempdir() as d:
        # A path= rule on write looks at each write's descriptor ...
        assert len(readlinks(d, "write:path=*/b.txt:error=ENOSPC")) == 6
        # ... and no call without one: no rules, a rule without path=,
        # a path= rule on calls the program does not make here.
        assert readlinks(d, None) == []
        assert readlinks(d, "write:error=EIO:when=100") == []
        assert readlinks(d, "read:path=*:error=EIO") == []


def test_disk_calls_fail_once_as_asked_and_are_never_retried():
    spec = ("fsync:error=EIO:when=1;fdatasync:error=EIO:when=2;"
            "ftruncate:error=EFBIG:when=1;close:error=EIO:when=2")
    # Even with every error retryable and tries to spare.
    extra = {"KAIORETRY_ERRORS": "all", "KAIORETRY_TRIES": "5",
             "KAIORETRY_DELAY": "0.2"}
    with tempdir() as d:
        raw = outcomes(run([prog("diskfiles"), d, "1"], env=RAW).stdout)[0]
        assert set(raw.values()) == {"ok", "yes", "2"}, raw
        t0 = time.monotonic()
        r = diskfiles(d, spec, extra, n=1)
        took = time.monotonic() - t0
        calls, _ = outcomes(r.stdout)
        failed = {k: v for k, v in calls.items() if v not in raw.values()}
        assert failed == {("a.txt", "fsync"): "EIO",
                          ("b.txt", "fdatasync"): "EIO",
                          ("a.txt", "ftruncate"): "EFBIG",
                          ("b.txt", "close"): "EIO",
                          ("a.txt", "size"): "5"}, r.stdout
        # A failed close has let go of its descriptor, as Linux's does.
        assert calls[("b.txt", "released")] == "yes", r.stdout
        lines = r.stderr
        for call in ("fsync", "fdatasync", "ftruncate", "close"):
            assert re.search(rf"{call}\(fd \d+\) failed: E\w+ .*injected by "
                             rf"rule \d '{call}:.*; not retried", lines), lines
            assert re.search(rf"rule \d '{call}:[^']*': matched 2, failed 1",
                             lines), lines
        assert "try #2" not in lines and "sleeping" not in lines, lines
        assert took < 1.5, took


def wait_for(check, seconds=10):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def redis_bgsave(d, spec):
    """Starts redis-server in d (a unix socket, no TCP), sets a key, runs
    BGSAVE; returns (last bgsave status, the reply to a write after it,
    redis's log, our log, whether dump.rdb exists)."""
    sock = os.path.join(d, "redis.sock")
    ours = os.path.join(d, "kaioretry.log")
    env = shim_env({"KAIORETRY_INJECT": spec} if spec else {},
                   log=f"file:{ours}")
    server = subprocess.Popen(
        [REDIS, "--port", "0", "--unixsocket", sock, "--dir", d,
         "--save", "3600 1", "--appendonly", "no", "--daemonize", "no",
         "--logfile", os.path.join(d, "redis.log")], env=env)

    def cli(*args):
        r = run([REDIS_CLI, "-s", sock] + list(args), env=RAW, timeout=10)
        return r.stdout.strip()

    def info():
        return dict(l.split(":", 1) for l in cli("info", "persistence")
                    .splitlines() if ":" in l)
    try:
        wait_for(lambda: os.path.exists(sock) and cli("ping") == "PONG")
        assert cli("set", "k", "v") == "OK"
        assert cli("bgsave") == "Background saving started"
        state = wait_for(lambda: (lambda i: i if i.get("rdb_bgsave_in_progress")
                                  == "0" else None)(info()))
        after = cli("set", "k2", "v2")
        cli("shutdown", "nosave")
        server.wait(10)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    with open(os.path.join(d, "redis.log")) as f:
        redis_log = f.read()
    logged = open(ours).read() if os.path.exists(ours) else ""
    return (state["rdb_last_bgsave_status"], after, redis_log, logged,
            os.path.exists(os.path.join(d, "dump.rdb")))


def test_redis_bgsave_on_a_full_disk_stops_writes():
    if not (os.path.exists(REDIS) and os.path.exists(REDIS_CLI)):
        raise Skip("redis-server not installed (scripts/install-deps)")
    # redis writes the RDB through stdio, whose writes never reach a
    # preload; its fsync of the temp file does, and fails as a full disk
    # can (delayed allocation reports ENOSPC there).
    spec = "fsync:path=*/temp-*.rdb:error=ENOSPC"
    with tempdir() as d:
        status, after, redis_log, _, dumped = redis_bgsave(d, None)
        assert (status, after, dumped) == ("ok", "OK", True), redis_log
    with tempdir() as d:
        status, after, redis_log, logged, dumped = redis_bgsave(d, spec)
        assert status == "err", redis_log
        assert re.search(r"Write error saving DB on disk.*: No space left "
                         r"on device", redis_log), redis_log
        assert "Background saving error" in redis_log, redis_log
        assert after.startswith("MISCONF"), after
        assert not dumped and not [f for f in os.listdir(d)
                                   if f.startswith("temp-")]
        assert re.search(r"fsync\(fd \d+\) failed: ENOSPC .*injected by rule 1",
                         logged), logged


def sqlite(db, sql, env=RAW):
    return run([SQLITE, db, sql], env=env)


def test_sqlite_reports_fdatasync_eio_and_keeps_its_database_whole():
    if not os.path.exists(SQLITE):
        raise Skip("sqlite3 not installed (scripts/install-deps)")
    with tempdir() as d:
        db = os.path.join(d, "t.db")
        assert sqlite(db, "create table t(x); insert into t values('old');") \
            .returncode == 0
        # sqlite syncs its journal and database with fdatasync on Linux.
        env = shim_env({"KAIORETRY_INJECT": "fdatasync:error=EIO"})
        r = sqlite(db, "insert into t values('new');", env)
        assert r.returncode != 0 and "disk I/O error" in r.stderr, r.stderr
        assert "fdatasync(fd" in r.stderr and "not retried" in r.stderr
        check = sqlite(db, "pragma integrity_check; select x from t;")
        assert check.stdout.split() == ["ok", "old"], check.stdout + check.stderr
        # Raw, the same insert commits.
        assert sqlite(db, "insert into t values('new');").returncode == 0
        check = sqlite(db, "pragma integrity_check; select x from t;")
        assert check.stdout.split() == ["ok", "old", "new"], check.stdout


def test_open_rule_with_path_fails_only_matching_opens():
    if not os.path.exists(SQLITE):
        raise Skip("sqlite3 not installed (scripts/install-deps)")
    with tempdir() as d:
        db = os.path.join(d, "t.db")
        assert sqlite(db, "create table t(x);").returncode == 0
        env = shim_env({"KAIORETRY_INJECT": "open:path=*.db:error=EMFILE"})
        r = sqlite(db, "select count(*) from t;", env)
        assert r.returncode != 0 and "unable to open database" in r.stderr, \
            r.stderr
        assert re.search(r"open64\(\S+/t\.db\) failed: EMFILE", r.stderr), r.stderr
        env = shim_env({"KAIORETRY_INJECT": "open:path=*.txt:error=EMFILE"})
        r = sqlite(db, "select count(*) from t;", env)
        assert r.returncode == 0 and r.stdout.strip() == "0", r.stderr
        assert "matched 0, failed 0" in r.stderr, r.stderr
