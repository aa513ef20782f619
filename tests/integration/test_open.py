"""open: open, openat, creat, fopen (and their 64-bit and fortify names)
retried on ENOENT, ENXIO, ENODEV and ESTALE only when the configuration
asks for it (on = open, or an [open GLOB] section), never by default:
programs probe for optional files and must lose no time.  Each test
runs tests/progs/opener raw and preloaded."""
import os
import re
import shutil
import subprocess
import threading
import time

from harness import LIB, Skip, prog, run, series_lines, shim_env, tempdir, write_ini

LATE = 0.5


def took(stdout):
    return float(stdout.split("took ")[1].split()[0])




def appearing(make, delay=LATE):
    """Runs make() after `delay` s on a thread; join the result."""
    t = threading.Timer(delay, make)
    t.start()
    return t


def touch(path):
    with open(path, "w") as f:
        f.write("late\n")


def opener(args, env, binary=None, make=None):
    t = appearing(make) if make else None
    try:
        return run([binary or prog("opener")] + args, env=env, timeout=30)
    finally:
        if t:
            t.cancel()
            t.join()


def section_env(d, pattern):
    return shim_env({"KAIORETRY_CONFIG": write_ini(d, f"[open {pattern}]\n"
                                                   "delay = 0.05\n")})


def differential(call, name="late.sock", binary=None, logged=None):
    """The path appears after LATE s: raw and preloaded without a
    section fail at once; with [open PATH] the preloaded call waits and
    succeeds, and its series names the path.  openat is given a name
    relative to a directory fd, which a section matches as written."""
    with tempdir() as d:
        path = os.path.join(d, name)
        raw = opener([call, path], shim_env(preload=False), binary)
        default = opener([call, path], shim_env(), binary)
        pattern = name if call == "openat" else path
        late = opener([call, path], section_env(d, pattern), binary,
                      make=lambda: touch(path))
    assert raw.returncode == 1 and "No such file" in raw.stdout, raw
    assert default.returncode == 1 and took(default.stdout) < 0.1, default
    assert series_lines(default.stderr) == [], default.stderr
    assert late.returncode == 0, (late.stdout, late.stderr)
    assert LATE * 0.8 < took(late.stdout) < LATE + 3, late.stdout
    lines = series_lines(late.stderr)
    shown = path if call != "openat" else name
    assert f"{logged or call}({shown}) failed: ENOENT" in lines[0], lines
    assert "succeeded after" in lines[-1], lines
    return late


def test_open_waits_for_a_late_path_under_its_section():
    differential("open")


def test_openat_fopen_and_the_64_bit_names_wait_too():
    for call in ("openat", "fopen", "open64", "fopen64"):
        differential(call)


def test_a_glob_section_covers_the_path_and_another_does_not():
    with tempdir() as d:
        path = os.path.join(d, "app.sock")
        covered = opener(["open", path], section_env(d, d + "/*.sock"),
                         make=lambda: touch(path))
        os.unlink(path)
        other = opener(["open", path], section_env(d, d + "/*.pid"))
    assert covered.returncode == 0, (covered.stdout, covered.stderr)
    assert other.returncode == 1 and took(other.stdout) < 0.1, other


def test_on_open_asks_for_the_family_and_on_all_does_not():
    with tempdir() as d:
        path = os.path.join(d, "late")
        on_open = opener(["open", path], shim_env(
            {"KAIORETRY_ON": "open", "KAIORETRY_OPEN_DELAY": "0.05"}),
            make=lambda: touch(path))
        os.unlink(path)
        on_all = opener(["open", path], shim_env({"KAIORETRY_ON": "all"}))
    assert on_open.returncode == 0, (on_open.stdout, on_open.stderr)
    assert on_all.returncode == 1 and took(on_all.stdout) < 0.1, on_all


def test_default_configuration_returns_enoent_at_once():
    """Timing, raw against preloaded: 20 runs each, every preloaded one
    as fast as a raw one could be (no sleep of 0.1 s hides in them)."""
    with tempdir() as d:
        path = os.path.join(d, "optional.conf")
        for call in ("open", "openat", "fopen", "creat"):
            args = [call, os.path.join(d, "missing", "x")] \
                if call == "creat" else [call, path]
            if call == "creat":
                args.append("644")
            for env in (shim_env(preload=False), shim_env()):
                for _ in range(5):
                    r = opener(args, env)
                    assert r.returncode == 1, r
                    assert took(r.stdout) < 0.05, (call, r.stdout)
                    assert series_lines(r.stderr) == [], r.stderr


def strace_opens(env):
    """curl's open-family system calls, one line each, less the process
    id; the loader's open of our library is left out.  strace sees every
    open that reaches the kernel, libc's own included, so a retried
    ENOENT would show as a second line for the same path."""
    with tempdir() as d:
        out = os.path.join(d, "trace")
        cmd = ["strace", "-f", "-qq", "-o", out,
               "-e", "trace=open,openat,creat",
               "curl", "-s", "file:///dev/null"]
        r = run(cmd, env=env, timeout=60)
        assert r.returncode == 0, r.stderr
        with open(out) as f:
            lines = [re.sub(r"^\d+ +", "", l.rstrip()) for l in f]
    return [l for l in lines if LIB not in l and "resumed>" not in l]


def test_curl_start_up_makes_the_same_opens_raw_and_preloaded():
    if not shutil.which("strace") or not shutil.which("curl"):
        raise Skip("strace or curl not installed")
    home = {"HOME": "/nonexistent-home", "CURL_HOME": "/nonexistent-home"}
    raw = strace_opens(shim_env(home, preload=False))
    default = strace_opens(shim_env(home))
    assert sum("ENOENT" in l for l in raw) >= 2, raw
    assert default == raw, "\n".join(default + ["---"] + raw)
    # The same count under `on = open` shows more: the method sees a
    # retry when there is one (and curl's optional files reach the shim).
    asked = strace_opens(shim_env(dict(home, KAIORETRY_ON="open",
                                       KAIORETRY_OPEN_TRIES="2",
                                       KAIORETRY_OPEN_DELAY="0.01")))
    assert len(asked) > len(raw), "\n".join(asked)


def test_open_with_o_creat_passes_its_mode():
    """O_CREAT in a directory that appears late: the mode the variadic
    open was given reaches the file, as raw (umask 0)."""
    with tempdir() as d:
        for call, mode in (("open-creat", "640"), ("creat", "611")):
            sub = os.path.join(d, call)
            path = os.path.join(sub, "new")
            os.mkdir(sub)
            raw = opener([call, path, mode], shim_env(preload=False))
            os.unlink(path)
            os.rmdir(sub)
            late = opener([call, path, mode], section_env(d, d + "/*"),
                          make=lambda: os.mkdir(sub))
            assert raw.returncode == 0, raw
            assert late.returncode == 0, (late.stdout, late.stderr)
            assert f"mode {mode}" in raw.stdout, raw.stdout
            assert f"mode {mode}" in late.stdout, late.stdout
            assert took(late.stdout) > LATE * 0.8, late.stdout
        # openat's mode, and O_TMPFILE's (which needs one too), as raw
        for args in (["openat-creat", os.path.join(d, "at"), "604"],
                     ["tmpfile", d, "600"]):
            raw = opener(args, shim_env(preload=False))
            if args[0] == "openat-creat":
                os.unlink(args[1])
            pre = opener(args, shim_env())
            assert raw.returncode == 0 and f"mode {args[2]}" in raw.stdout, \
                raw
            assert pre.stdout.split(", took")[0] == \
                raw.stdout.split(", took")[0], (pre.stdout, raw.stdout)


def test_fortified_open_reaches_the_shim_through___open_2():
    with tempdir() as d:
        binary = os.path.join(d, "opener-fortified")
        src = os.path.join(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))), "progs", "opener.c")
        subprocess.run(["gcc", "-O2", "-D_FORTIFY_SOURCE=2", "-o", binary,
                        src], check=True)
        imports = subprocess.run(["nm", "-D", binary], capture_output=True,
                                 text=True, check=True).stdout
        assert "__open_2" in imports, imports
        differential("open", binary=binary, logged="__open_2")


def test_eexist_and_a_bad_path_pointer_pass_through():
    """O_CREAT | O_EXCL on a file that exists is the program's answer,
    not a late file, even with `errors = all`; a path the kernel cannot
    read is EFAULT, at once, as raw."""
    with tempdir() as d:
        path = os.path.join(d, "lock")
        touch(path)
        env = shim_env({"KAIORETRY_CONFIG": write_ini(
            d, "[open *]\nerrors = all\ntries = 5\n")})
        for args, answer in ((["open-excl", path, "600"], "File exists"),
                             (["badptr", path], "Bad address")):
            raw = opener(args, shim_env(preload=False))
            pre = opener(args, env)
            assert answer in raw.stdout, raw
            assert pre.returncode == 1 and answer in pre.stdout, pre
            assert took(pre.stdout) < 0.05, pre.stdout
            assert series_lines(pre.stderr) == [], pre.stderr


def test_a_non_blocking_open_is_never_slept_on():
    """A FIFO without a reader answers open(O_WRONLY | O_NONBLOCK) with
    ENXIO, one of the family's errors: under a section that covers it
    the shim still returns at once, as raw (an event loop must not
    sleep), while a blocking open of a late path under the same section
    waits."""
    with tempdir() as d:
        fifo = os.path.join(d, "app.fifo")
        os.mkfifo(fifo)
        env = shim_env({"KAIORETRY_CONFIG": write_ini(
            d, f"[open {d}/*]\ndelay = 0.05\n")})
        raw = opener(["fifo-nonblock", fifo], shim_env(preload=False))
        pre = opener(["fifo-nonblock", fifo], env)
        late = os.path.join(d, "late")
        waited = opener(["open", late], env, make=lambda: touch(late))
    assert raw.returncode == 1 and "No such device or address" in raw.stdout, raw
    assert pre.returncode == 1 and "No such device or address" in pre.stdout, pre
    assert took(pre.stdout) < 0.05, pre.stdout
    assert series_lines(pre.stderr) == [], pre.stderr
    assert waited.returncode == 0, (waited.stdout, waited.stderr)
