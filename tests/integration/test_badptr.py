"""A bad pointer gets what libc gives it (EFAULT, EINVAL, EBADF), never a
crash: tests/progs/badptr.c makes the calls, raw and preloaded, under
each configuration that makes the shim read what the program pointed it
at (a getaddrinfo result to fall through, destination sections,
errors=all, attempt_timeout, wait mode, fault injection's filters and
short=).  Both runs must print the same and exit the same."""
import os

from harness import dead_port, prog, run, shim_env, tempdir


def differential(args, extra, config=None):
    with tempdir() as d:
        env_extra = dict(extra)
        if config is not None:
            path = os.path.join(d, "kaioretry.ini")
            with open(path, "w") as f:
                f.write(config)
            os.chmod(path, 0o600)
            env_extra["KAIORETRY_CONFIG"] = path
        raw = run([prog("badptr")] + args, env=shim_env(preload=False, log=None))
        shim = run([prog("badptr")] + args, env=shim_env(env_extra))
    assert raw.returncode == 0, (raw.returncode, raw.stdout, raw.stderr)
    assert "EFAULT" in raw.stdout, raw.stdout
    assert shim.returncode == raw.returncode, (shim.returncode, shim.stdout[-800:],
                                               shim.stderr[-2000:])
    assert shim.stdout == raw.stdout, (raw.stdout, shim.stdout)
    return shim


# Every connect policy here gives up after two tries, quickly.
QUICK = {"KAIORETRY_TRIES": "2", "KAIORETRY_DELAY": "0.01"}


def bad_connects(extra, config=None):
    keep, port = dead_port()
    try:
        return differential(["connect", str(port)], {**QUICK, **extra}, config)
    finally:
        keep.close()


def test_bad_address_after_a_getaddrinfo():
    """A failed connect consults the recent getaddrinfo results, which
    needs the address."""
    bad_connects({})


def test_bad_address_with_a_destination_section():
    bad_connects({}, "[connect 10.0.0.0/8]\ntries = 3\n[connect *:5432]\ndelay = 1\n")


def test_bad_address_with_errors_all():
    """errors=all leaves out EFAULT, EBADF, EINVAL: the bad calls start no
    series, and the refused one is still retried and logged."""
    r = bad_connects({"KAIORETRY_ERRORS": "all"})
    lines = [l for l in r.stderr.splitlines() if l.startswith("kaioretry[")]
    assert lines and all("connect(127.0.0.1:" in l for l in lines), lines
    assert "failed to complete after 2 tries" in lines[-1], lines
    assert not any("EFAULT" in l or "EBADF" in l or "EINVAL" in l for l in lines), lines


def test_bad_address_with_attempt_timeout():
    """attempt_timeout reads the address before the call."""
    bad_connects({"KAIORETRY_ATTEMPT_TIMEOUT": "1"})


def test_bad_address_in_wait_mode():
    bad_connects({"KAIORETRY_NONBLOCKING": "wait"})


def test_bad_address_under_an_addr_rule():
    """An injection rule's addr= filter reads the address before the call
    (the rule names an address the program never uses, so it injects
    nothing)."""
    bad_connects({"KAIORETRY_INJECT": "connect:error=ECONNREFUSED:addr=127.0.0.9",
                  "KAIORETRY_SEED": "1"})


INJECT = {"KAIORETRY_SEED": "1", "KAIORETRY_TRIES": "1"}


def test_bad_msghdr_under_injection():
    """sendmsg's rules read msg_name, short= reads the vector."""
    for rules in ("send:delay=1us;recv:delay=1us;send:error=ENOBUFS:addr=127.0.0.9",
                  "recv:short=1;send:short=1"):
        differential(["msg"], {**INJECT, "KAIORETRY_INJECT": rules})


def test_refused_vectors_under_short():
    """readv/writev with 1025 vectors (EINVAL), a count running off a
    mapped page (EFAULT), a bad array: short= leaves them to the kernel."""
    for rules in ("read:short=1;write:short=1", "readv:short=2000;writev:short=3"):
        differential(["readv"], {**INJECT, "KAIORETRY_INJECT": rules})
