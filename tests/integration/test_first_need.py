"""What start-up leaves for later, and the moments it must be done by.

Start-up looks up no libc function and reads no time zone (a fresh
process pays tens of microseconds for each).  Both must still be done
before a signal handler can run a wrapped call (dlsym and localtime_r
take locks a handler may interrupt), and the zone before the program
chroots away from /etc/localtime."""
import os
import re
import subprocess
import time

from harness import LIB, PRELOAD_FIRST, Skip, dead_port, prog, shim_env, tempdir

HOW = ("sigaction", "signal", "bsd_signal", "ssignal", "sysv_signal",
       "__sysv_signal", "sigset")


def run_merged(cmd, env):
    """stdout and stderr in one pipe, so their lines keep their order."""
    return subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=30)


def our_bindings(output, symbol):
    """Lines of the loader's log (LD_DEBUG=bindings) where our library
    got `symbol` from libc: its dlsym, as the loader reports it."""
    ours = re.escape(os.path.basename(LIB))
    pattern = (r"binding file \S*/" + ours + r" \[0\] to \S*libc\.so\.6 \[0\]: "
               r"normal symbol `" + symbol + "'")
    return [i for i, l in enumerate(output.splitlines()) if re.search(pattern, l)]


def no_handlers_of_their_own():
    if PRELOAD_FIRST:
        raise Skip("a sanitizer runtime preloaded first installs handlers "
                   "of its own at start-up")


def test_every_way_of_installing_a_handler_looks_everything_up_first():
    """The handler's write() is the program's first wrapped call.  The
    loader's own log (with the program bound at start) shows our dlsym
    of write in libc after "installing", before "raising", and never
    from inside the handler."""
    no_handlers_of_their_own()
    for how in HOW:
        env = shim_env({"LD_DEBUG": "bindings", "LD_BIND_NOW": "1"})
        r = run_merged([prog("handlers"), "install", how], env)
        lines = r.stdout.splitlines()
        mark = {m: lines.index(m) for m in ("installing", "raising", "done")}
        ours = our_bindings(r.stdout, "write")
        assert r.returncode == 0 and "handler wrote" in lines, (how, r.stdout[-2000:])
        assert ours, (how, "no lookup of write in libc at all")
        assert all(mark["installing"] < i < mark["raising"] for i in ours), \
            (how, ours, mark)


def test_start_up_looks_nothing_up():
    """The same log for a program that installs no handler and makes no
    wrapped call: our library asks libc for nothing."""
    no_handlers_of_their_own()
    env = shim_env({"LD_DEBUG": "bindings", "LD_BIND_NOW": "1"})
    r = run_merged(["/bin/true"], env)
    assert r.returncode == 0, r.stdout[-2000:]
    for symbol in ("write", "read", "connect", "getaddrinfo", "sigaction"):
        assert not our_bindings(r.stdout, symbol), (symbol, r.stdout[-2000:])
    # The log is not empty: the loader did bind our own imports.
    assert our_bindings(r.stdout, "access"), r.stdout[-2000:]


def local_stamp(seconds, tz):
    """RFC 3164's "Mmm dd hh:mm:ss" for `seconds` in zone `tz`."""
    os.environ["TZ"] = tz
    time.tzset()
    try:
        return time.strftime("%b %e %H:%M:%S", time.localtime(seconds))
    finally:
        del os.environ["TZ"]
        time.tzset()


def test_chroot_reads_the_zone_while_it_is_there():
    """A program that chroots before its first failure still stamps its
    records in its own zone: the zone file is not inside the new root,
    so it must have been read on the way in."""
    if os.geteuid() != 0:
        raise Skip("chroot needs root")
    if not os.path.exists("/usr/share/zoneinfo/Asia/Tokyo"):
        raise Skip("tzdata is not installed")
    keep, port = dead_port()
    with tempdir() as d:
        t0 = int(time.time())
        # The log path is opened inside the new root: d/k.log.
        r = run_merged([prog("handlers"), "chroot", d, str(port)],
                       shim_env({"TZ": "Asia/Tokyo", "KAIORETRY_TRIES": "2",
                                 "KAIORETRY_DELAY": "0"},
                                log="file:/k.log"))
        t1 = int(time.time()) + 1
        with open(os.path.join(d, "k.log")) as f:
            stamps = [l[:15] for l in f.read().splitlines()]
    keep.close()
    assert r.returncode == 0 and "refused" in r.stdout, r.stdout
    tokyo = {local_stamp(t, "Asia/Tokyo") for t in range(t0 - 1, t1 + 1)}
    utc = {local_stamp(t, "UTC") for t in range(t0 - 1, t1 + 1)}
    assert len(stamps) == 3 and set(stamps) <= tokyo, (stamps, tokyo, utc)
