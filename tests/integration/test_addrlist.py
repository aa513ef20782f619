"""Address-list fallthrough against the ways programs use and free a
getaddrinfo list: copy then free (Python's order), walk the live list,
free an older list first, and a list freed by another thread, which must
never be read once freed and must not be consulted.

FREED_FAULTS makes glibc serve every allocation with its own mmap and
unmap it on free, so any read of a freed list is a SIGSEGV, not luck."""
import re

from harness import PYTHON, dead_port, prog, series_lines, shim_env, tempdir
from test_wait import TWO_NAME, TwoAddresses, in_private_etc, two_address_order

FREED_FAULTS = {"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=0"}


def elapsed(stdout, host):
    return float(stdout.split(f"connect {host} ")[1].split("elapsed=")[1].split()[0])


def gailist(d, hosts, args, env):
    return in_private_etc(d, hosts, [prog("gailist")] + args, env, timeout=60)


def assert_fell_through(r, first, last):
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    assert f"connect {first} rc=-1 errno=ECONNREFUSED" in r.stdout, r.stdout + r.stderr
    assert f"connect {last} rc=0" in r.stdout, r.stdout
    assert elapsed(r.stdout, first) < 1.0, r.stdout
    assert series_lines(r.stderr) == [], r.stderr


def test_freed_faults_catch_a_read_after_free():
    """The tunable really turns a read of a freed list into a crash."""
    with tempdir() as d:
        r = in_private_etc(d, {}, [PYTHON, "-c", "import ctypes; "
                                   "p = ctypes.CDLL(None).malloc(48); "
                                   "ctypes.CDLL(None).free(p); "
                                   "print(ctypes.c_char.from_address(p).value)"],
                           shim_env(FREED_FAULTS, preload=False))
    assert r.returncode == -11, (r.returncode, r.stdout, r.stderr)


def test_copy_then_free_falls_through():
    """Python's create_connection order, from C: the list is freed before
    the first connect, and the refused first address is still skipped."""
    env = shim_env({"KAIORETRY_DELAY": "2", "KAIORETRY_TRIES": "2", **FREED_FAULTS})
    with tempdir() as d:
        hosts, (first, last) = two_address_order(d)
        with TwoAddresses(first, last) as srv:
            r = gailist(d, hosts, ["copyfree", TWO_NAME, str(srv.port)], env)
            py = in_private_etc(d, hosts, [PYTHON, "-c",
                                "import socket, sys; s = socket.create_connection("
                                f"('{TWO_NAME}', int(sys.argv[1]))); "
                                "print('peer', s.getpeername()[0])", str(srv.port)],
                                shim_env({"KAIORETRY_DELAY": "2"}))
    assert_fell_through(r, first, last)
    assert f"peer {last}" in py.stdout, (py.stdout, py.stderr)
    assert series_lines(py.stderr) == [], py.stderr


def test_walking_the_live_list_falls_through():
    """A C client connecting while it walks the list, freeing it after."""
    env = shim_env({"KAIORETRY_DELAY": "2", "KAIORETRY_TRIES": "2", **FREED_FAULTS})
    with tempdir() as d:
        hosts, (first, last) = two_address_order(d)
        with TwoAddresses(first, last) as srv:
            r = in_private_etc(d, hosts, [prog("nbclient"), "walk", TWO_NAME,
                                          str(srv.port)], env)
    assert_fell_through(r, first, last)


def test_freeing_an_older_list_keeps_the_newer_one():
    env = shim_env({"KAIORETRY_DELAY": "2", "KAIORETRY_TRIES": "2", **FREED_FAULTS})
    with tempdir() as d:
        hosts, (first, last) = two_address_order(d)
        with TwoAddresses(first, last) as srv:
            r = gailist(d, hosts, ["olderfree", TWO_NAME, str(srv.port)], env)
    assert_fell_through(r, first, last)


def test_list_freed_by_another_thread_is_not_consulted():
    """Another thread freed the list: reading it would crash (the pages
    are gone), and its addresses no longer count: the first address is
    retried per the policy, as it would be without any list."""
    env = shim_env({"KAIORETRY_DELAY": "0.05", "KAIORETRY_TRIES": "3",
                    **FREED_FAULTS})
    with tempdir() as d:
        hosts, (first, last) = two_address_order(d)
        with TwoAddresses(first, last) as srv:
            r = gailist(d, hosts, ["otherfree", TWO_NAME, str(srv.port)], env)
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    assert "freed by another thread" in r.stdout, r.stdout + r.stderr
    assert f"connect {first} rc=-1 errno=ECONNREFUSED" in r.stdout, r.stdout
    assert f"connect {last} rc=0" in r.stdout, r.stdout
    lines = series_lines(r.stderr)
    assert lines and all(f"connect({first}:{srv.port})" in l for l in lines), lines
    assert "failed to complete after 3 tries" in lines[-1], lines


def test_free_racing_a_failed_connect_never_reads_freed_memory():
    """Another thread frees the list at random moments while this one's
    connect fails and consults it: no crash, every round completes.  A
    smoke test: it fails at once if a freed list is consulted at all, but
    the window that the wait in freeaddrinfo closes (a walk of a few
    hundred ns) is too narrow to hit reliably; addrlist.c argues it."""
    rounds = 200
    env = shim_env({"KAIORETRY_TRIES": "1", **FREED_FAULTS})
    keep, port = dead_port()
    hosts = {"hosts": "".join(f"127.0.1.{i} many.test\n" for i in range(1, 33)),
             "nsswitch.conf": "hosts: files\n"}
    with tempdir() as d:
        r = gailist(d, hosts, ["race", "many.test", str(port), str(rounds)], env)
    keep.close()
    assert r.returncode == 0, (r.returncode, r.stdout[-500:], r.stderr[-2000:])
    assert f"rounds={rounds} refused={rounds}" in r.stdout, r.stdout


def test_threads_leave_no_held_list_behind():
    """Each thread's freed list is kept for fallthrough; thread exit must
    free it, or a program that resolves in short-lived threads grows."""
    threads = 400
    env = shim_env({"GLIBC_TUNABLES": "glibc.malloc.arena_max=1"})
    with tempdir() as d:
        hosts, _ = two_address_order(d)
        r = gailist(d, hosts, ["threads", TWO_NAME, str(threads)], env)
    m = re.search(r"heap_before=(\d+) heap_after=(\d+)", r.stdout)
    assert m, (r.stdout, r.stderr)
    grown = int(m.group(2)) - int(m.group(1))
    # A held two-address list is about 100 bytes: 400 of them, 40 KB.
    assert grown < 8 * 1024, (grown, r.stdout)
