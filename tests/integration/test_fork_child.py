"""Nothing the shim adds to sigaction or signal can hang a process: not
the child of a multithreaded parent that forked while another thread
held one of glibc's locks, not a TZ naming a FIFO.

The zone is read on behalf of the first handler a process installs
(see test_first_need.py); that read takes no lock (no localtime_r,
which once hung such children on glibc's tz lock) and never blocks.
The libc lookups it needs are done before a process gets its second
thread, so a _Fork() child (glibc resets no lock there) never waits
for the loader's lock either.  Each test runs the same program raw and
preloaded: forkzone forks 200 children in batches, each installs a
handler and exits, and any child not done 2 s after its batch began is
killed and counted."""
import os
import shutil
import subprocess

from harness import PRELOAD_FIRST, Skip, for_others, dead_port, prog, shim_env, tempdir

RAW_OUTPUT = "children 200 hung 0 failed 0\n"


def both(args, env_extra, runner=()):
    """forkzone's output raw and preloaded, as (raw, preloaded)."""
    outs = []
    for preload in (False, True):
        env = shim_env(env_extra, preload=preload, log="stderr")
        r = subprocess.run(list(runner) + [prog("forkzone")] + args, env=env,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0 and r.stderr == "", (preload, r)
        outs.append(r.stdout)
    return outs


def test_fork_children_of_threads_in_localtime_install_handlers():
    """Threads in localtime_r while the parent forks: glibc's tz lock is
    inherited held by many children.  A TZ string glibc completes from
    posixrules, and a zone with leap seconds (which we do not follow,
    so records fall back to UTC): no child may touch that lock."""
    zones = ["FOO5BAR"]
    if os.path.exists("/usr/share/zoneinfo/right/Europe/Paris"):
        zones.append("right/Europe/Paris")
    for tz in zones:
        raw, preloaded = both(["localtime"], {"TZ": tz})
        assert raw == RAW_OUTPUT, (tz, raw)
        assert preloaded == raw, (tz, preloaded)


def test_fork_children_of_threads_in_dlsym_install_handlers():
    """Threads in dlsym (the loader's lock) while the parent calls
    _Fork(), after which a child may only make async-signal-safe calls
    such as sigaction: the shim's lookups were done before the threads
    existed, so no child waits for that lock."""
    raw, preloaded = both(["dlsym"], {})
    assert raw == RAW_OUTPUT, raw
    assert preloaded == raw, preloaded


def test_at_secure_fork_children_install_handlers():
    """An AT_SECURE program (file capabilities, run as nobody) that
    dlopens the library and installs handlers through it, in the same
    fork children: glibc restricts TZ there, and we read it as glibc
    does rather than asking localtime_r."""
    if PRELOAD_FIRST:
        raise Skip("the ASan runtime cannot be loaded into AT_SECURE programs")
    if os.geteuid() != 0 or not shutil.which("setcap") or not shutil.which("setpriv"):
        raise Skip("needs root, setcap (libcap2-bin) and setpriv")
    with tempdir() as d:
        os.chmod(d, 0o755)
        capped = os.path.join(d, "forkzone")
        shutil.copy(prog("forkzone"), capped)
        subprocess.run(["setcap", "cap_net_bind_service+ep", capped], check=True)
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        outs = []
        for args in ([], [for_others()[0]]):
            r = subprocess.run(as_nobody + [capped, "localtime"] + args,
                               env=shim_env({"TZ": "FOO5BAR"}, preload=False),
                               capture_output=True, text=True, timeout=120)
            assert r.returncode == 0 and r.stderr == "", (args, r)
            outs.append(r.stdout)
    assert outs[0] == RAW_OUTPUT, outs
    assert outs[1] == outs[0], outs


def test_tz_naming_a_fifo_neither_blocks_nor_hides_the_time():
    """TZ=/path/to/fifo or TZ=:/path: glibc would block opening it when
    the program asks for local time; a program that never does must not
    block in its first signal().  The records are stamped in UTC and
    say so."""
    keep, port = dead_port()
    with tempdir() as d:
        fifo = os.path.join(d, "zone")
        os.mkfifo(fifo)
        for tz in (fifo, ":" + fifo):
            log = os.path.join(d, "k.log")
            outs = []
            for preload in (False, True):
                env = shim_env({"TZ": tz, "KAIORETRY_TRIES": "2",
                                "KAIORETRY_DELAY": "0"},
                               preload=preload, log="file:" + log)
                try:
                    r = subprocess.run([prog("forkzone"), "signal", str(port)],
                                       env=env, capture_output=True, text=True,
                                       timeout=10)
                except subprocess.TimeoutExpired:
                    raise AssertionError(f"TZ={tz} preload={preload}: hung")
                assert r.returncode == 0 and r.stderr == "", (tz, preload, r)
                outs.append(r.stdout)
            assert outs[0].startswith("handled\nconnect -1 "), outs
            assert outs[1] == outs[0], (tz, outs)
            with open(log) as f:
                records = f.read().splitlines()
            os.unlink(log)
            assert len(records) == 3, records
            assert all(" kaioretry[" in l and "(time in UTC: zone not read) " in l
                       for l in records), records
    keep.close()
