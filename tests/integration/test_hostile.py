"""Hostile but legal programs: each runs raw and preloaded
(tests/progs/hostile.c) and must behave the same, with no crash, spin,
leaked fd or lost retries because of the shim."""
import subprocess

from harness import prog, run, shim_env


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
