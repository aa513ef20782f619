"""The musl build: programs built with musl-gcc (build/musl/progs, `make
musl-test-programs`) run under musl's own loader, raw and with
build/musl/libkaioretry.so preloaded, and are compared.  The musl
library must never reach a glibc process: LD_PRELOAD is set for the
musl program alone."""
import os
import shutil
import subprocess
import time

from harness import (ROOT, BUILD, PYTHON, LateServer, Skip, dead_port, run,
                     series_lines, shim_env, tempdir)

MUSL = os.path.join(BUILD, "musl")
MUSL_LIB = os.path.join(MUSL, "libkaioretry.so")
MUSL_LOADER = f"/lib/ld-musl-{os.uname().machine}.so.1"
PROBE = os.path.join(MUSL, "progs", "probe")
GMTOFF = os.path.join(MUSL, "progs", "gmtoff")
SIGFLAGS = os.path.join(MUSL, "progs", "sigflags")


def needs_musl():
    if not shutil.which("musl-gcc") or not os.path.exists(MUSL_LOADER):
        raise Skip("musl-tools and musl are not installed (scripts/install-deps)")
    for path in (MUSL_LIB, PROBE, GMTOFF, SIGFLAGS):
        assert os.path.exists(path), f"{path} missing: make musl-test-programs"


def interpreter(path):
    out = subprocess.run(["readelf", "-l", path], capture_output=True,
                         text=True, check=True).stdout
    return out.split("interpreter: ", 1)[1].split("]", 1)[0]


def musl_env(extra=None, preload=True):
    env = shim_env(extra, preload=False)
    if preload:
        env["LD_PRELOAD"] = MUSL_LIB
    return env


def both(args, extra=None, timeout=20):
    """probe ARGS raw, then preloaded with `extra`."""
    return [run([PROBE] + args, env=musl_env(extra if p else None, p),
                timeout=timeout) for p in (False, True)]


def test_musl_programs_run_under_musls_loader():
    needs_musl()
    assert interpreter(PROBE) == MUSL_LOADER
    needed = subprocess.run(["readelf", "-d", MUSL_LIB], capture_output=True,
                            text=True, check=True).stdout
    assert "[libc.so]" in needed and "libc.so.6" not in needed, needed


def test_musl_connect_to_a_late_server_is_retried_and_logged():
    needs_musl()
    with LateServer(0.8) as srv:
        raw = run([PROBE, "connect", "127.0.0.1", str(srv.port)],
                  env=musl_env(preload=False))
        under = run([PROBE, "connect", "127.0.0.1", str(srv.port)],
                    env=musl_env({"KAIORETRY_DELAY": "0.2"}))
    assert raw.returncode == 1 and "errno=ECONNREFUSED" in raw.stdout, raw
    assert raw.stderr == "", raw.stderr
    assert under.returncode == 0 and "connect rc=0" in under.stdout, under
    lines = series_lines(under.stderr)
    assert f"connect(127.0.0.1:{srv.port}) failed: ECONNREFUSED" in lines[0], lines
    assert "try #2 of connect" in under.stderr, lines
    assert "succeeded after" in lines[-1], lines


def test_musl_getaddrinfo_waits_for_a_late_dns_server():
    """musl's own DNS client reads /etc/resolv.conf itself (no NSS): a
    private one in a private network namespace points at a dnsmasq on
    127.0.0.1 that starts 1 s late.  musl's UDP queries see no refusal,
    so each lookup takes the resolv.conf timeout (1 s) to fail.  The
    name has an AAAA record too: musl waits out a REFUSED answer (what
    dnsmasq without upstreams gives for a missing AAAA) as no answer."""
    needs_musl()
    dnsmasq = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
    if not os.path.exists(dnsmasq) or not shutil.which("ip"):
        raise Skip("dnsmasq (dnsmasq-base) or ip (iproute2) missing")
    if os.geteuid() != 0:
        raise Skip("needs root for unshare -mn")
    results = {}
    for label, preload in (("raw", ""), ("under", MUSL_LIB)):
        with tempdir() as d:
            with open(os.path.join(d, "resolv.conf"), "w") as f:
                f.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
            # LD_PRELOAD is set for the musl probe only, never for sh,
            # ip or dnsmasq (glibc programs).
            script = f"""
set -e
mount --bind {d}/resolv.conf /etc/resolv.conf
ip link set lo up
(sleep 1; exec {dnsmasq} -k --conf-file=/dev/null --no-resolv --no-hosts \\
    --listen-address=127.0.0.1 --bind-interfaces --port=53 -u root \\
    --host-record=late.test,127.0.0.9,::9 --pid-file= --log-facility={d}/dnsmasq.log) &
server=$!
rc=0
LD_PRELOAD="$PRELOAD" "$@" || rc=$?
kill $server 2>/dev/null || true
wait $server 2>/dev/null || true
exit $rc
"""
            env = musl_env({"KAIORETRY_GETADDRINFO_DELAY": "0.2",
                            "PRELOAD": preload}, preload=False)
            results[label] = run(["unshare", "-mn", "sh", "-c", script, "sh",
                                  PROBE, "gai", "late.test", "80"],
                                 env=env, timeout=30)
    raw, under = results["raw"], results["under"]
    assert raw.returncode == 1 and "gai rc=-3" in raw.stdout, raw  # EAI_AGAIN
    assert under.returncode == 0 and "gai rc=0 (ok)" in under.stdout, under
    lines = series_lines(under.stderr)
    assert "getaddrinfo(late.test:80) failed: EAI_AGAIN" in lines[0], lines
    assert "succeeded after" in lines[-1], lines


def test_musl_a_non_restarting_handler_ends_a_series():
    """tries=-1 against a dead port, SIGALRM (sigaction, no SA_RESTART)
    after 300 ms: the series ends within 100 ms of the handler, as a
    blocking call would; raw, the refusal comes at once."""
    needs_musl()
    keep, port = dead_port()
    try:
        raw, under = both(["signal-stop", "norestart", "127.0.0.1", str(port),
                           "300"], {"KAIORETRY_TRIES": "-1",
                                    "KAIORETRY_DELAY": "0.05"})
    finally:
        keep.close()
    assert raw.returncode == under.returncode == 0, (raw, under)
    assert "signal=0" in raw.stdout and "errno=ECONNREFUSED" in raw.stdout, raw
    assert "signal=1" in under.stdout, under.stdout
    assert ("errno=ECONNREFUSED" in under.stdout or
            "errno=EINTR" in under.stdout), under.stdout
    since = float(under.stdout.split("since_signal=")[1].split()[0])
    assert 0 <= since < 0.1, under.stdout
    lines = series_lines(under.stderr)
    assert lines and "signal" in lines[-1], lines


def test_musl_handlers_set_the_old_ways_are_as_musl_sets_them():
    """signal, bsd_signal, __sysv_signal, sigset and siginterrupt, which
    the library rebuilds on its sigaction, leave what musl's own leave:
    SA_RESTART and an empty mask for all three signal names, and a
    siginterrupt a later signal() undoes."""
    needs_musl()
    raw, under = [run([SIGFLAGS], env=musl_env(preload=p)) for p in (False, True)]
    assert raw.returncode == under.returncode == 0, (raw, under)
    assert raw.stdout == under.stdout, (raw.stdout, under.stdout)
    lines = {l[:24].strip(): l[24:] for l in under.stdout.splitlines()}
    for how in ("signal", "bsd_signal", "__sysv_signal", "then signal"):
        assert "restart=1 resethand=0 nodefer=0 self_masked=0" in lines[how], lines
    assert "restart=0" in lines["after siginterrupt(1)"], lines
    assert "returned=SIG_ERR" in lines["signal(SIGKILL)"], lines


def test_musl_bad_config_passes_through_with_one_message():
    """A malformed value and a config file that is not there: one
    message naming it and the line saying every call passes through,
    then the program is as it is raw."""
    needs_musl()
    keep, port = dead_port()
    try:
        for extra, words in (({"KAIORETRY_TRIES": "3.5"}, "KAIORETRY_TRIES"),
                             ({"KAIORETRY_CONFIG": "/nonexistent/k.ini"},
                              "cannot open: No such file or directory")):
            raw, under = both(["connect", "127.0.0.1", str(port)], extra)
            messages = [l for l in under.stderr.splitlines() if "kaioretry[" in l]
            assert len(messages) == 2, messages     # the problem, the verdict
            assert words in messages[0], messages
            assert "every call passes through untouched" in messages[1], messages
            assert raw.returncode == under.returncode == 1, (raw, under)
            assert raw.stdout.split(" elapsed=")[0] == \
                under.stdout.split(" elapsed=")[0], (raw.stdout, under.stdout)
    finally:
        keep.close()


def rfc3164(local_seconds):
    return time.strftime("%b %e %H:%M:%S", time.gmtime(local_seconds))


def test_musl_records_keep_musls_local_time():
    """Each record's time stamp is in the zone musl itself reads (the
    program prints its own localtime's offset), by musl's rules where
    they are not glibc's: a relative file is taken from the current
    directory, TZDIR is not read, "CET" is a file, "UTC+3" a string."""
    needs_musl()
    keep, port = dead_port()
    try:
        with tempdir() as d:
            shutil.copy("/usr/share/zoneinfo/Asia/Kolkata",
                        os.path.join(d, "zone"))
            cases = (({"TZ": "Europe/Paris"}, None),
                     ({"TZ": "Europe/Paris", "TZDIR": "/nonexistent"}, None),
                     ({"TZ": "./zone"}, 19800),
                     ({"TZ": ":./zone"}, 19800),
                     ({"TZ": "CET"}, None),
                     ({"TZ": "UTC+3"}, -10800),
                     ({"TZ": "<+0530>-5:30"}, 19800),
                     ({"TZ": "Nowhere/Nope"}, 0))
            for i, (zone, want) in enumerate(cases):
                path = os.path.join(d, f"{i}.log")
                t0 = int(time.time())
                r = run([GMTOFF, str(port)], cwd=d,
                        env=musl_env(dict(zone, KAIORETRY_TRIES="2",
                                          KAIORETRY_DELAY="0",
                                          KAIORETRY_LOG="file:" + path)))
                t1 = int(time.time()) + 1
                offset = int(r.stdout.split("gmtoff=")[1].split()[0])
                assert want is None or offset == want, (zone, r.stdout)
                with open(path) as f:
                    stamps = [l[:15] for l in f.read().splitlines()]
                expect = {rfc3164(t + offset) for t in range(t0 - 1, t1 + 1)}
                assert len(stamps) == 3 and set(stamps) <= expect, \
                    (zone, offset, stamps, expect)
    finally:
        keep.close()


def test_musl_success_path_within_instruction_budget():
    """scripts/bench --budget --musl: the callgrind count of the musl
    build's successful calls, under musl's loader."""
    needs_musl()
    if not shutil.which("valgrind"):
        raise Skip("valgrind is not installed (scripts/install-deps)")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KAIORETRY") and k != "LD_PRELOAD"}
    r = run([PYTHON, os.path.join(ROOT, "scripts", "bench"), "--budget",
             "--musl"], env=env, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "within the budget of 20" in r.stdout, r.stdout
    # The preloaded runs did run our wrappers: they cost something.
    rows = [l.split("|") for l in r.stdout.splitlines()
            if l.startswith("| ") and l.split("|")[1].strip() in
            ("write", "read", "sendrecv", "connect", "getaddrinfo")]
    assert len(rows) == 5, r.stdout
    assert all(float(row[5]) > 0 for row in rows), r.stdout
