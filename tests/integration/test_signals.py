"""A signal ends retry series the way it ends blocking calls, however the
program set its handler and whichever thread took it; and the program
sees its own handlers, whatever a vfork child did.  Each test runs the
same program raw and preloaded (tests/progs/sigways.c) and compares."""
import subprocess

from harness import PYTHON, LateServer, dead_port, prog, run, shim_env

# Ways of setting a handler without SA_RESTART.  glibc sets all but
# `sigaction` with an internal call a preload cannot see; `raw` is an
# rt_sigaction system call nobody sees.
NON_RESTARTING = ("sigaction", "c99", "sysv_signal", "sigset", "siginterrupt",
                  "siginterrupt-first", "bsd_signal-siginterrupt", "raw")


def both(args, extra=None, timeout=10):
    """The program's run raw, then preloaded with `extra`."""
    out = []
    for preload in (False, True):
        env = shim_env(extra if preload else None, preload=preload, log="none")
        try:
            out.append(run([prog("sigways")] + args, env=env, timeout=timeout))
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{args} {'preloaded' if preload else 'raw'}: "
                                 f"still running after {timeout} s") from None
    return out


def lines(r, prefix):
    return [l for l in r.stdout.splitlines() if l.startswith(prefix)]


def test_every_way_of_setting_a_handler_without_restart_ends_a_series():
    """tries=-1 against a dead port, SIGALRM after 300 ms: the series
    ends within 100 ms of the handler, asleep (delay 0.5) or spinning
    (delay 0), with the last real error or EINTR, as a blocking call
    would."""
    keep, port = dead_port()
    try:
        for how in NON_RESTARTING:
            # No trampoline for a handler we never saw: only the sleep's
            # own EINTR can tell (README, "What cannot be covered, and why").
            for delay in ("0.5",) if how == "raw" else ("0.5", "0"):
                raw, pre = both(["stop", how, str(port), "300"],
                                {"KAIORETRY_TRIES": "-1",
                                 "KAIORETRY_DELAY": delay})
                what = (how, delay, raw.stdout, pre.stdout)
                assert raw.returncode == pre.returncode == 0, what
                assert lines(raw, "connect") == ["connect rc=-1 errno=ECONNREFUSED"], what
                assert lines(pre, "connect")[0] in (
                    "connect rc=-1 errno=ECONNREFUSED",
                    "connect rc=-1 errno=EINTR"), what
                assert lines(raw, "handler") == lines(pre, "handler") == \
                    ["handler ran=1"], what
                since = float(lines(pre, "since_signal=")[0].split("=")[1])
                assert since < 0.1, what
    finally:
        keep.close()


def test_restarting_handlers_leave_the_series_alone():
    """signal() (BSD: SA_RESTART) and an SA_RESTART handler installed
    behind the library's back fire at 300 ms; the series goes on and
    connects to the server that comes up at 1 s."""
    for how in ("signal", "raw-restart"):
        with LateServer(1.0) as srv:
            r = run([prog("sigways"), "stop", how, str(srv.port), "300"],
                    env=shim_env({"KAIORETRY_DELAY": "0.2"}, log="none"),
                    timeout=10)
        assert "connect rc=0 errno=0" in r.stdout, (how, r.stdout)
        assert "handler ran=1" in r.stdout, (how, r.stdout)


def test_a_shutdown_reaches_the_series_of_every_thread():
    """The main thread takes SIGTERM (a handler without SA_RESTART, or a
    sigwait) and sets a stop flag; a worker retrying a dead port with
    tries=-1 sees it within 100 ms, asleep in a 5 s delay or spinning,
    and the process exits as it does raw."""
    keep, port = dead_port()
    try:
        for how in ("sigaction", "c99", "sigwait", "sigwaitinfo", "sigtimedwait"):
            for delay in ("5", "0"):
                raw, pre = both(["shutdown", how, str(port)],
                                {"KAIORETRY_TRIES": "-1",
                                 "KAIORETRY_DELAY": delay})
                what = (how, delay, raw.stdout, pre.stdout, pre.stderr)
                assert raw.returncode == pre.returncode == 0, what
                assert raw.stdout == pre.stdout == \
                    "worker stopped, attempts>0=1\n", what
                latency = float(pre.stderr.split("stop_latency=")[1].split()[0])
                assert latency < 0.1, what
    finally:
        keep.close()


def test_a_handler_just_before_the_failed_call_ends_its_series():
    """A program checks its stop flag, another thread's handler sets it,
    then the call fails: raw, the program sees the failure and stops.
    The series of that call ends at its first retry."""
    keep, port = dead_port()
    try:
        raw, pre = both(["just-before", str(port)],
                        {"KAIORETRY_TRIES": "-1", "KAIORETRY_DELAY": "0.5"})
    finally:
        keep.close()
    assert raw.returncode == pre.returncode == 0, (raw.stdout, pre.stdout)
    assert raw.stdout == pre.stdout == "connect rc=-1 errno=ECONNREFUSED\n", \
        (raw.stdout, pre.stdout)
    assert float(pre.stderr.split("elapsed=")[1]) < 0.1, pre.stderr


def test_signal_and_sigaction_report_the_programs_own_handlers():
    """Handlers set, read and raised every way (signal after sigaction,
    sigaction after signal, siginterrupt, one-shot System V handlers,
    sigset and SIG_HOLD, what libc refuses): every return value, errno,
    flag and mask is what glibc gives without the library."""
    raw, pre = both(["report"])
    assert raw.returncode == pre.returncode == 0, (raw.stdout, pre.stdout)
    assert raw.stdout == pre.stdout, (raw.stdout, pre.stdout)
    assert "signal(h2) after sigaction(h1)     returned h1" in raw.stdout


def test_a_vfork_child_cannot_change_the_parents_handlers():
    """A vfork child resets a handler (in memory it shares with the
    parent); the parent then saves and restores it and raises: its own
    handler runs, once."""
    raw, pre = both(["vfork"], timeout=5)
    assert raw.returncode == pre.returncode == 0, (raw.stdout, pre.stdout)
    assert raw.stdout == pre.stdout, (raw.stdout, pre.stdout)
    assert "h1 ran\ndone\n" in raw.stdout


PYTHON_VFORK = """
import faulthandler, os, signal, subprocess
got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
subprocess.run(["true"])        # vfork; the child resets SIGUSR1
faulthandler.register(signal.SIGUSR1)
faulthandler.unregister(signal.SIGUSR1)
os.kill(os.getpid(), signal.SIGUSR1)
print("handled", got)
"""


def test_python_after_a_subprocess_still_runs_its_handler():
    """The same with CPython, whose subprocess uses vfork."""
    for preload in (False, True):
        try:
            r = run([PYTHON, "-c", PYTHON_VFORK],
                    env=shim_env(preload=preload, log="none"), timeout=10)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"preload={preload}: still running") from None
        assert r.returncode == 0 and r.stdout == "handled [10]\n", \
            (preload, r.stdout, r.stderr)
