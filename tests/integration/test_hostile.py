"""Hostile but legal programs: each runs raw and preloaded
(tests/progs/hostile.c) and must behave the same, with no crash, spin,
leaked fd or lost retries because of the shim."""
import os
import socket
import subprocess
import threading
import time

from harness import LateServer, dead_port, prog, run, shim_env, tempdir


def both(args, extra=None, timeout=20, log="none"):
    """The program's run raw, then preloaded with `extra`."""
    out = []
    for preload in (False, True):
        env = shim_env(extra if preload else None, preload=preload, log=log)
        try:
            out.append(run([prog("hostile")] + args, env=env, timeout=timeout))
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{args} {'preloaded' if preload else 'raw'}: "
                                 f"still running after {timeout} s") from None
    return out


def test_a_plain_handler_still_gets_the_kernels_context():
    """x86-64 passes a handler set without SA_SIGINFO the siginfo and
    ucontext pointers too; one that reads them works as it does raw."""
    raw, pre = both(["plain3arg"])
    assert raw.returncode == pre.returncode == 0, (raw, pre)
    assert raw.stdout == pre.stdout == \
        "context ip known=1 info near context=1\n", (raw.stdout, pre.stdout)


def test_children_sharing_memory_keep_the_parents_handlers():
    """vfork and CLONE_VM children set handlers in memory they share
    with the parent; fork children set their own; each process runs and
    is told of its own handler, in every order."""
    raw, pre = both(["handlers"])
    assert raw.returncode == pre.returncode == 0, (raw, pre)
    assert raw.stdout == pre.stdout, (raw.stdout, pre.stdout)
    assert "vfork child set B, then fork:\n  child: ran A reported A" in raw.stdout


def test_errno_after_a_retried_success_is_what_libc_left():
    """errno = 0, then a connect refused at first, served 0.3 s later:
    raw it fails with ECONNREFUSED; retried to success it returns 0 and
    errno is what libc's calls left (the first one's ECONNREFUSED; the
    successful one leaves errno alone), nothing of the shim's sleeps."""
    with LateServer(0.3) as srv:
        raw, pre = both(["errno", str(srv.port)],
                        {"KAIORETRY_DELAY": "0.1", "KAIORETRY_BACKOFF": "1",
                         "KAIORETRY_TRIES": "30"})
    assert raw.stdout == "rc=-1 errno=ECONNREFUSED\n", raw.stdout
    assert pre.stdout == "rc=0 errno=ECONNREFUSED\n", pre.stdout


# System calls a seccomp filter refuses: the clock's, the waits', both.
REFUSED = (["clock_gettime"], ["futex"], ["futex", "clock_nanosleep"],
           ["clock_gettime", "futex", "clock_nanosleep"])


def test_a_sandbox_that_refuses_sleeping_never_makes_a_spin():
    """tries=-1, delay 0.1, deadline 1 s, against a dead port, under a
    seccomp filter: the program gets the refusal as it does raw, and
    the shim either sleeps (the vDSO clock, or clock_nanosleep for the
    futex) or ends the series at once; it never burns the CPU."""
    keep, port = dead_port()
    try:
        for names in REFUSED:
            raw, pre = both(["seccomp", str(port)] + names,
                            {"KAIORETRY_TRIES": "-1", "KAIORETRY_DELAY": "0.1",
                             "KAIORETRY_BACKOFF": "1",
                             "KAIORETRY_DEADLINE": "1"})
            what = (names, raw.stdout, pre.stdout, pre.stderr[-300:])
            assert raw.returncode == pre.returncode == 0, what
            assert raw.stdout.splitlines()[0] == pre.stdout.splitlines()[0] == \
                "rc=-1 errno=ECONNREFUSED", what
            wall, cpu = (float(f.split("=")[1])
                         for f in pre.stdout.splitlines()[1].split())
            assert cpu < 0.3 and wall < 1.5, what
            if "clock_nanosleep" in names:   # no way to sleep: ends at once
                assert wall < 0.3, what
    finally:
        keep.close()


def test_a_config_path_that_is_a_fifo_is_never_opened():
    """KAIORETRY_CONFIG names a FIFO whose writer waits in open() for a
    reader.  Raw, nothing opens it; preloaded, the shim refuses it by
    its type before opening it, so the writer is still waiting (opening
    a device or a FIFO can act: a watchdog arms, a writer wakes)."""
    keep, port = dead_port()
    try:
        with tempdir() as d:
            fifo = os.path.join(d, "fifo")
            os.mkfifo(fifo)
            woke = []
            writer = threading.Thread(
                target=lambda: woke.append(os.open(fifo, os.O_WRONLY)),
                daemon=True)
            writer.start()
            raw, pre = both(["errno", str(port)],
                            {"KAIORETRY_CONFIG": fifo}, log="stderr")
            time.sleep(0.2)
            still_waiting = writer.is_alive()
            reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # free it
            writer.join(5)
            os.close(reader)
            for fd in woke:
                os.close(fd)
    finally:
        keep.close()
    assert raw.stdout == pre.stdout == "rc=-1 errno=ECONNREFUSED\n", \
        (raw.stdout, pre.stdout)
    assert "not a regular file" in pre.stderr, pre.stderr
    assert still_waiting, "the shim opened the FIFO"


def test_fork_children_never_inherit_a_log_records_fd():
    """One thread's connects to a dead port are retried and logged (a
    file, then a syslog socket, then the journal's: an fd opened per
    record) while another
    thread forks 400 children that never exec.  Raw, no child holds an
    fd its parent's program did not open; preloaded, none either."""
    keep, port = dead_port()
    try:
        with tempdir() as d:
            rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            rx.bind(os.path.join(d, "log"))
            for sink in ("file:" + os.path.join(d, "k.log"),
                         "syslog:" + os.path.join(d, "log"),
                         "journal:" + os.path.join(d, "log")):
                raw, pre = both(["forks", str(port), "400"],
                                {"KAIORETRY_TRIES": "2", "KAIORETRY_DELAY": "0"},
                                timeout=60, log=sink)
                assert raw.returncode == pre.returncode == 0, (sink, raw, pre)
                assert raw.stdout == pre.stdout == \
                    "forks=400 children holding a stranger fd=0\n", \
                    (sink, raw.stdout, pre.stdout)
            rx.close()
            assert os.path.getsize(os.path.join(d, "k.log")) > 0
    finally:
        keep.close()


def test_a_jump_out_of_a_series_leaves_retries_on_for_the_thread():
    """wget's way: a signal() handler (SA_RESTART, so no trampoline)
    jumps out of a connect being retried, with each of libc's longjmp
    calls; the next connect, from deeper frames, is refused at once raw
    and is retried preloaded (4 tries, 0.1 s apart), as any other."""
    keep, port = dead_port()
    try:
        for how in ("siglongjmp", "longjmp", "_longjmp", "__longjmp_chk"):
            raw, pre = both(["jumpout", str(port), how],
                            {"KAIORETRY_TRIES": "4", "KAIORETRY_DELAY": "0.1",
                             "KAIORETRY_BACKOFF": "1"})
            what = (how, raw.stdout, pre.stdout, pre.stderr)
            assert raw.returncode == pre.returncode == 0, what
            assert raw.stdout == pre.stdout == \
                "deeper connect rc=-1 errno=ECONNREFUSED\n", what
            assert "first connect timed out" in pre.stderr, what
            took = float(pre.stderr.split("deeper connect took ")[1].split()[0])
            assert took >= 0.25, what
    finally:
        keep.close()
