"""A representative subset of runs under valgrind memcheck: a retry
series to each sink, getaddrinfo, threads, a bad config and an INI
file, handler installs and a chroot, with zero memcheck errors."""
import os
import shutil

from harness import PRELOAD_FIRST, LateServer, Skip, dead_port, prog, run, shim_env, tempdir


def _memcheck(args, extra, log="stderr"):
    if PRELOAD_FIRST:
        raise Skip("memcheck does not run under the ASan runtime")
    if not shutil.which("valgrind"):
        raise Skip("valgrind not installed")
    r = run(["valgrind", "--tool=memcheck", "--error-exitcode=99",
             "--track-fds=yes", "--errors-for-leak-kinds=definite",
             "--leak-check=full", "-q"] + args,
            env=shim_env(extra, log=log), timeout=120)
    assert r.returncode != 99 and "Invalid" not in r.stderr and \
        "uninitialised" not in r.stderr, r.stderr[-2000:]
    return r


def test_series_under_memcheck():
    keep, port = dead_port()
    with tempdir() as d:
        cases = [("stderr", {}), ("file:" + os.path.join(d, "k.log"), {}),
                 ("syslog:" + os.path.join(d, "nobody-listens"), {}),
                 ("stderr", {"KAIORETRY_TRIES": "0"}),
                 ("stderr", {"KAIORETRY_JITTER": "0..0.01"})]
        for log, extra in cases:
            env = {"KAIORETRY_TRIES": "3", "KAIORETRY_DELAY": "0.01"}
            env.update(extra)
            r = _memcheck([prog("probe"), "connect", "127.0.0.1", str(port)],
                          env, log=log)
            assert "rc=-1 errno=ECONNREFUSED" in r.stdout, r.stdout
        ini = os.path.join(d, "k.ini")
        with open(ini, "w") as f:
            f.write("[default]\ntries = 2\n[getaddrinfo]\nerrors = EAI_NONAME\n")
        os.chmod(ini, 0o644)
        r = _memcheck([prog("probe"), "gai", "no-such-host.invalid"],
                      {"KAIORETRY_CONFIG": ini})
        assert "after 2 tries" in r.stderr, r.stderr[-500:]
    keep.close()


def test_threads_under_memcheck():
    with LateServer(0.5) as srv:
        r = _memcheck([prog("probe"), "threads", "4", "127.0.0.1", str(srv.port)],
                      {"KAIORETRY_DELAY": "0.05"})
    assert "threads=4 failures=0" in r.stdout, r.stdout + r.stderr[-500:]


def test_first_need_under_memcheck():
    """The lookups and the zone read that a handler's installation and a
    chroot set off, under memcheck."""
    for how in ("sigaction", "signal", "sigset"):
        r = _memcheck([prog("handlers"), "install", how], {"TZ": "Europe/Paris"})
        assert "handler wrote" in r.stdout, r.stdout + r.stderr[-500:]
    if os.geteuid() == 0:
        keep, port = dead_port()
        with tempdir() as d:
            r = _memcheck([prog("handlers"), "chroot", d, str(port)],
                          {"TZ": "Europe/Paris", "KAIORETRY_TRIES": "2"},
                          log="file:/k.log")
            assert "refused" in r.stdout and os.path.exists(
                os.path.join(d, "k.log")), r.stdout + r.stderr[-500:]
        keep.close()
