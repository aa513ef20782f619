"""The kaioretry command: every option on a real program, LD_PRELOAD
handling, pass-through of exit status and signals, --check, --explain,
--dry-run, warnings for programs the loader will not preload into,
make install/uninstall and the man pages."""
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import threading

from harness import (LIB, PYTHON, ROOT, Skip, dead_port, prog, run,
                     series_lines, shim_env, tempdir)

KAIORETRY = os.path.join(ROOT, "scripts", "kaioretry")


def plain_env(extra=None):
    """Our environment without LD_PRELOAD or KAIORETRY_*: the command
    must add what it needs."""
    return shim_env(extra, preload=False, log=None)


def kaioretry(*args, env=None, **kw):
    return run([KAIORETRY, *args], env=env if env is not None else plain_env(), **kw)


def sleeps(stderr):
    return [l.split("sleeping ")[1].split()[0]
            for l in series_lines(stderr) if "sleeping" in l]


def connect_dead(*options, env=None):
    """probe connects to a refusing port under `kaioretry OPTIONS`."""
    keep, port = dead_port()
    try:
        return kaioretry(*options, "--", prog("probe"), "connect",
                         "127.0.0.1", str(port), env=env)
    finally:
        keep.close()


def write_file(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


# --- each option on a real program ---------------------------------------

def test_tries_delay_backoff_verbose():
    r = connect_dead("-t", "4", "--delay=0.05", "-b", "2", "-v")
    assert "rc=-1 errno=ECONNREFUSED" in r.stdout, r.stdout + r.stderr
    assert sleeps(r.stderr) == ["0.05", "0.1", "0.2"], r.stderr
    assert "failed to complete after 4 tries" in series_lines(r.stderr)[-1]
    # Short options with attached values and bundled flags.
    r = connect_dead("-t3", "-d0.01", "-v")
    assert "failed to complete after 3 tries" in r.stderr, r.stderr
    # Without -v (and no --log) nothing goes to stderr.
    r = connect_dead("-t", "2", "--log", "none")
    assert series_lines(r.stderr) == [], r.stderr


def test_jitter_min_delay_max_delay():
    r = connect_dead("-t", "4", "-d", "0.05", "-b", "1", "-j", "0.05", "-v")
    assert sleeps(r.stderr) == ["0.05", "0.1", "0.15"], r.stderr
    r = connect_dead("-t", "4", "-d", "0.1", "-b", "0.1", "--min-delay", "0.04", "-v")
    assert sleeps(r.stderr) == ["0.1", "0.04", "0.04"], r.stderr
    r = connect_dead("-t", "5", "-d", "0.05", "-b", "3", "--max-delay=0.1", "-v")
    assert sleeps(r.stderr) == ["0.05", "0.1", "0.1", "0.1"], r.stderr


def test_errors_and_on_choose_what_is_retried():
    r = connect_dead("-t", "3", "-e", "ETIMEDOUT", "-v")
    assert "rc=-1 errno=ECONNREFUSED" in r.stdout
    assert series_lines(r.stderr) == [], r.stderr
    r = connect_dead("-t", "3", "-e", "ECONNREFUSED", "-v")
    assert "after 3 tries" in r.stderr, r.stderr
    r = connect_dead("-t", "3", "--on", "getaddrinfo", "-v")
    assert series_lines(r.stderr) == [], r.stderr
    r = connect_dead("-t", "3", "--on=connect,getaddrinfo", "-v")
    assert "after 3 tries" in r.stderr, r.stderr


def test_config_file_and_strict():
    with tempdir() as d:
        ini = write_file(os.path.join(d, "k.ini"),
                         "[connect]\ntries = 2\ndelay = 0.01\n")
        r = connect_dead("-c", ini, "-v")
        assert "failed to complete after 2 tries" in r.stderr, r.stderr
        r = connect_dead("--config", ini, "--tries", "3", "-v")
        assert "failed to complete after 3 tries" in r.stderr, r.stderr
    # A bad value: one message, then the program runs untouched...
    r = connect_dead("-t", "0", "-v")
    assert "KAIORETRY_TRIES" in r.stderr and "rc=-1" in r.stdout, r.stderr
    # ...or, with --strict, exit 78 before main.
    r = connect_dead("-t", "0", "--strict", "-v")
    assert r.returncode == 78, (r.returncode, r.stderr)
    assert r.stdout == ""


def test_log_file_level_and_facility():
    with tempdir() as d:
        path = os.path.join(d, "retries.log")
        r = connect_dead("-t", "3", "--log", "file:" + path)
        with open(path) as f:
            logged = f.read()
        assert "failed to complete after 3 tries" in logged, logged
        assert series_lines(r.stderr) == []
        # warning keeps the first failure and the outcome, not each try.
        r = connect_dead("-t", "3", "-v", "--log-level", "warning")
        lines = series_lines(r.stderr)
        assert len(lines) == 2 and "after 3 tries" in lines[-1], lines
        # The facility is in the syslog priority: local3 (19) * 8 + severity.
        sock_path = os.path.join(d, "log.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(sock_path)
        sock.settimeout(5)
        try:
            connect_dead("-t", "2", "--log", "syslog:" + sock_path,
                         "--log-facility", "local3")
            first = sock.recv(2048).decode()
        finally:
            sock.close()
    assert first.startswith("<156>"), first  # local3 | LOG_WARNING


# --- how it runs the program --------------------------------------------

def build_preload_lib(d):
    src = os.path.join(d, "other.c")
    write_file(src, '#include <stdio.h>\n#include <unistd.h>\n'
               '__attribute__((constructor)) static void hello(void)\n'
               '{ char exe[256] = ""; readlink("/proc/self/exe", exe, 255);\n'
               '  fprintf(stderr, "other-loaded in %s\\n", exe); }\n')
    so = os.path.join(d, "libother.so")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", so, src], check=True)
    return so


def test_existing_preload_is_kept_once():
    show = "import os; print(os.environ['LD_PRELOAD'])"
    with tempdir() as d:
        other = build_preload_lib(d)
        for before in (other, f"{other}:{LIB}", f"{LIB} {other}", f"{LIB}:{other}:{LIB}"):
            r = kaioretry("-v", PYTHON, "-c", show,
                          env=plain_env({"LD_PRELOAD": before}))
            assert r.returncode == 0, r.stderr
            assert r.stdout.strip() == f"{other}:{LIB}", (before, r.stdout)
            loaded = re.findall(r"other-loaded in (\S+)", r.stderr)
            # In the program, once; in the command's own shell too, but
            # in none of the tools it runs before the program.
            assert loaded.count(os.path.realpath(PYTHON)) == 1, loaded
            assert set(loaded) == {os.path.realpath(PYTHON), os.path.realpath("/bin/sh")}, loaded
        # Both really are loaded: the other library's constructor ran and
        # kaioretry retries.
        keep, port = dead_port()
        r = kaioretry("-t", "2", "-v", prog("probe"), "connect", "127.0.0.1",
                      str(port), env=plain_env({"LD_PRELOAD": other}))
        keep.close()
        assert "other-loaded" in r.stderr and "after 2 tries" in r.stderr, r.stderr


def test_exit_status_signals_stdin_and_pid_pass_through():
    assert kaioretry("sh", "-c", "exit 7").returncode == 7
    r = kaioretry(PYTHON, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)")
    assert r.returncode == -signal.SIGTERM, r.returncode
    r = kaioretry("cat", input="through stdin\n")
    assert r.stdout == "through stdin\n"
    # The program replaces the command (exec): same pid, so a signal sent
    # to what was started reaches the program itself.
    p = subprocess.Popen([KAIORETRY, PYTHON, "-c",
                          "import os, sys, time; print(os.getpid(), flush=True); time.sleep(30)"],
                         env=plain_env(), stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    try:
        assert int(p.stdout.readline()) == p.pid
        p.send_signal(signal.SIGINT)
        assert p.wait(10) != 0
    finally:
        p.kill()
        p.wait()
    assert kaioretry("no-such-program-here").returncode == 127


def test_usage_errors():
    for args in (["--no-such-option", "true"], ["--tries"], ["-q"], [],
                 ["--verbose=yes", "true"]):
        r = kaioretry(*args)
        assert r.returncode == 125, (args, r.returncode)
        assert "kaioretry:" in r.stderr and "--help" in r.stderr, r.stderr
    r = kaioretry("--help")
    assert r.returncode == 0 and "--dry-run" in r.stdout
    assert re.fullmatch(r"kaioretry \d+\.\d+\.\d+\n", kaioretry("--version").stdout)


def test_dry_run_runs_nothing():
    with tempdir() as d:
        marker = os.path.join(d, "ran")
        r = kaioretry("-n", "-t", "5", "--log=file:/x y", "sh", "-c", f"touch {marker}")
        assert r.returncode == 0, r.stderr
        assert not os.path.exists(marker)
    out = r.stdout
    assert "KAIORETRY_TRIES=5 \\\n" in out, out
    assert "KAIORETRY_LOG='file:/x y' \\\n" in out, out
    assert f"LD_PRELOAD={LIB} \\\n" in out, out
    assert out.endswith(f"sh -c 'touch {marker}'\n"), out
    # What it prints is a command a shell runs as is.
    with tempdir() as d:
        marker = os.path.join(d, "ran")
        r = kaioretry("--dry-run", "sh", "-c", f"touch {marker}; echo \"$LD_PRELOAD\"")
        s = run(["sh", "-c", r.stdout], env=plain_env())
        assert os.path.exists(marker) and s.stdout.strip() == LIB, s


# --- --check ---------------------------------------------------------------

BAD_INI = """\
[default]
tries = 0
delay = fast
[nosuch]
x = 1
[connect]
colour = red
log = stderr
min_delay = 5
max_delay = 1
garbage line
errors = ECONNREFUSED, EWHAT
"""


def test_check_good_and_bad_files():
    r = kaioretry("--check", os.path.join(ROOT, "config", "kaioretry.ini"))
    assert r.returncode == 0, r.stderr
    with tempdir() as d:
        good = write_file(os.path.join(d, "good.ini"), "; fine\n[read]\ntries=3\n")
        r = kaioretry("--check", good)
        assert r.returncode == 0 and r.stderr == "", r.stderr
        bad = write_file(os.path.join(d, "bad.ini"), BAD_INI)
        r = kaioretry("--check=" + bad)
        assert r.returncode == 1
        problems = r.stderr.splitlines()
        lines = [int(re.match(re.escape(bad) + r":(\d+): ", p).group(1)) for p in problems]
        assert sorted(lines) == [2, 3, 4, 7, 8, 9, 11, 12], problems
        assert any(p.startswith(f"{bad}:4: unknown section [nosuch]") for p in problems)
        assert any(p.startswith(f"{bad}:9: ") and "above max_delay" in p for p in problems)
        # The shim itself reports the very same problems.
        keep, port = dead_port()
        shim = run([prog("probe"), "connect", "127.0.0.1", str(port)],
                   env=shim_env({"KAIORETRY_CONFIG": bad}))
        keep.close()
        for p in problems:
            assert p in shim.stderr, (p, shim.stderr)
        # A long path keeps its line numbers.
        deep = os.path.join(d, "a-directory-with-a-rather-long-name", "and-one-more-level")
        os.makedirs(deep)
        long_bad = write_file(os.path.join(deep, "kaioretry.ini"), "[default]\n\ntries = 0\n")
        r = kaioretry("--check", long_bad)
        assert r.stderr.startswith(f"{long_bad}:3: '0': tries=0"), r.stderr
        # An untrusted file is refused the way the shim refuses it.
        os.chmod(bad, 0o666)
        r = kaioretry("--check", bad)
        assert r.returncode == 1 and "writable by group or others" in r.stderr
        r = kaioretry("--check", os.path.join(d, "missing.ini"))
        assert r.returncode == 1 and "missing.ini: cannot open" in r.stderr


# --- --explain --------------------------------------------------------------

def explain_lines(*args, env=None):
    r = kaioretry(*args, "--explain", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    return {l.split(":")[0]: l for l in r.stdout.splitlines() if " -> " in l}, r.stdout


def test_explain_schedules():
    fams, _ = explain_lines("-t", "6", "-d", "0.5", "-b", "2", "--max-delay", "4")
    assert fams["connect"] == ("connect: tries=6 delay=0.5 backoff=2 max_delay=4 "
                               "-> sleeps 0.5 1 2 4 4 (total 11.5 s)"), fams
    fams, _ = explain_lines("-t", "4", "-d", "1", "-b", "1", "-j", "0..0.5")
    assert fams["read"].endswith("-> sleeps 1 1..1.5 1..2 (total 3..4.5 s)"), fams
    fams, _ = explain_lines("-t", "-1", "-d", "1", "-b", "2", "--min-delay", "0.5",
                            "--max-delay", "none")
    assert fams["send"].endswith("-> sleeps 1 2 4 8 16 32 64 128 ... until the call "
                                 "succeeds (255 s after 8 sleeps)"), fams
    fams, _ = explain_lines("-t", "100", "-d", "1", "-b", "2", "--max-delay", "60")
    assert fams["recv"].endswith("sleeps 1 2 4 8 16 32 60 60 ... (99 sleeps, total 5643 s)"), fams
    fams, out = explain_lines("-t", "1", "--on", "connect,recv")
    assert fams["connect"].endswith("-> no retry (tries=1)")
    assert "accept: off" in out and "getaddrinfo: off" in out


def test_explain_sees_what_the_shim_sees():
    with tempdir() as d:
        ini = write_file(os.path.join(d, "k.ini"),
                         "[default]\ndelay = 0.05\n\n[connect]\nbackoff = 2\n")
        env = plain_env({"KAIORETRY_CONFIG": ini, "KAIORETRY_CONNECT_TRIES": "4"})
        fams, out = explain_lines(env=env)
        assert f"file: {ini}" in out
        assert fams["connect"].endswith("-> sleeps 0.05 0.1 0.2 (total 0.35 s)"), out
        block = out.split("connect:")[1].split("accept:")[0]
        origins = dict(re.findall(r"^\s+(\w+)\s+\S+\s+from (\S+)$", block, re.M))
        assert origins["tries"] == "KAIORETRY_CONNECT_TRIES", origins
        assert origins["delay"] == f"{ini}:2", origins
        assert origins["backoff"] == f"{ini}:5", origins
        assert origins["jitter"] == "built-in", origins
        # The shim, given the same environment, sleeps exactly that.
        r = connect_dead("-v", env=env)
        assert sleeps(r.stderr) == ["0.05", "0.1", "0.2"], r.stderr
        # A command-line option beats the file, as the variable does.
        fams, _ = explain_lines("-b", "3", env=env)
        assert fams["connect"].endswith("sleeps 0.05 0.15 0.45 (total 0.65 s)"), fams
    r = kaioretry("-t", "0", "--explain")
    assert r.returncode == 1 and "KAIORETRY_TRIES" in r.stdout, r.stdout
    r = kaioretry("--explain", env=plain_env({"KAIORETRY": "off"}))
    assert "passes through" in r.stdout


# --- warnings ---------------------------------------------------------------

def test_warnings_for_static_setuid_and_capabilities():
    with tempdir() as d:
        src = write_file(os.path.join(d, "s.c"), "int main(void) { return 3; }\n")
        static = os.path.join(d, "static-prog")
        subprocess.run(["cc", "-static", "-o", static, src], check=True)
        r = kaioretry(static)
        assert r.returncode == 3
        assert "warning:" in r.stderr and "statically linked" in r.stderr, r.stderr

        setuid = os.path.join(d, "setuid-true")
        shutil.copy("/bin/true", setuid)
        os.chmod(setuid, 0o4755)
        r = kaioretry(setuid)
        assert r.returncode == 0
        assert "setuid" in r.stderr and "warning:" in r.stderr, r.stderr
        r = kaioretry("--explain", setuid)
        assert "setuid" in r.stderr

        # A script runs under its interpreter: the interpreter is checked.
        script = write_file(os.path.join(d, "script"), f"#!{static}\n", 0o755)
        assert "statically linked" in kaioretry("-n", script).stderr

        capped = os.path.join(d, "capped-true")
        shutil.copy("/bin/true", capped)
        if subprocess.run(["setcap", "cap_net_bind_service+ep", capped],
                          capture_output=True).returncode == 0:
            r = kaioretry(capped)
            assert r.returncode == 0 and "file capabilities" in r.stderr, r.stderr

    # An ordinary dynamic program gets no warning.
    r = kaioretry("/bin/true")
    assert r.returncode == 0 and r.stderr == "", r.stderr


# --- install ------------------------------------------------------------------

def make(*args):
    r = subprocess.run(["make", "-s", "-C", ROOT, *args], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def files_under(top):
    return sorted(os.path.relpath(os.path.join(dp, f), top)
                  for dp, _, fs in os.walk(top) for f in fs)


def test_install_destdir_uninstall_leaves_nothing():
    with tempdir() as d:
        dest = os.path.join(d, "dest")
        make("install", "DESTDIR=" + dest)
        installed = files_under(dest)
        assert installed == sorted([
            "usr/local/bin/kaioretry",
            "usr/local/lib/kaioretry/kaioretry-config",
            "usr/local/lib/kaioretry/libkaioretry.so",
            "usr/local/share/bash-completion/completions/kaioretry",
            "usr/local/share/doc/kaioretry/kaioretry.ini",
            "usr/local/share/man/man1/kaioretry.1",
            "usr/local/share/man/man5/kaioretry.ini.5",
        ]), installed
        # The command knows where the library will live, without DESTDIR.
        r = run([os.path.join(dest, "usr/local/bin/kaioretry"), "-n", "true"],
                env=plain_env())
        assert "LD_PRELOAD=/usr/local/lib/kaioretry/libkaioretry.so" in r.stdout, r.stdout
        make("uninstall", "DESTDIR=" + dest)
        assert files_under(dest) == []
        leftovers = [p for p, _, _ in os.walk(dest)
                     if "kaioretry" in os.path.relpath(p, dest)]
        assert leftovers == [], leftovers


def test_install_into_a_prefix_works_from_there():
    with tempdir() as d:
        prefix = os.path.join(d, "prefix")
        libdir = os.path.join(prefix, "lib64")
        make("install", "PREFIX=" + prefix, "LIBDIR=" + libdir)
        cmd = os.path.join(prefix, "bin", "kaioretry")
        lib = os.path.join(libdir, "kaioretry", "libkaioretry.so")
        assert stat.S_IMODE(os.stat(cmd).st_mode) == 0o755
        # Run from elsewhere, with the source tree out of reach of PATH.
        keep, port = dead_port()
        r = run([cmd, "-t", "2", "-v", prog("probe"), "connect", "127.0.0.1", str(port)],
                env=plain_env(), cwd=d)
        keep.close()
        assert "after 2 tries" in r.stderr, r.stderr
        r = run([cmd, "-n", "true"], env=plain_env(), cwd=d)
        assert f"LD_PRELOAD={lib}" in r.stdout, r.stdout
        r = run([cmd, "--check", os.path.join(prefix, "share/doc/kaioretry/kaioretry.ini")],
                env=plain_env(), cwd=d)
        assert r.returncode == 0, r.stderr
        r = run([cmd, "-t", "3", "--explain"], env=plain_env(), cwd=d)
        assert "connect: tries=3" in r.stdout, r.stdout
        r = run(["man", "--warnings", "-M", os.path.join(prefix, "share/man"), "kaioretry.ini"],
                env=plain_env({"MANPAGER": "cat", "MANWIDTH": "80"}))
        assert r.returncode == 0 and "min_delay" in r.stdout, r.stderr
        make("uninstall", "PREFIX=" + prefix, "LIBDIR=" + libdir)
        assert files_under(prefix) == []


# --- man pages ------------------------------------------------------------------

MAN_PAGES = [os.path.join(ROOT, "scripts", "kaioretry.1"),
             os.path.join(ROOT, "config", "kaioretry.ini.5")]


def test_man_pages_render_without_warnings():
    for page in MAN_PAGES:
        r = run(["groff", "-ww", "-man", "-z", page], env=plain_env())
        assert r.returncode == 0 and r.stderr == "", (page, r.stderr)
        r = run(["man", "--warnings", "-l", page],
                env=plain_env({"MANPAGER": "cat", "MANWIDTH": "80"}))
        assert r.returncode == 0 and r.stderr == "", (page, r.stderr)
        assert len(r.stdout.splitlines()) > 40, r.stdout


def test_man_pages_cover_every_option_and_key():
    page1 = run(["man", "-l", MAN_PAGES[0]], env=plain_env({"MANPAGER": "cat", "MANWIDTH": "200"})).stdout
    help_text = kaioretry("--help").stdout
    for opt in set(re.findall(r"(--[a-z-]+)", help_text)):
        assert opt in page1, opt
    page5 = run(["man", "-l", MAN_PAGES[1]], env=plain_env({"MANPAGER": "cat", "MANWIDTH": "200"})).stdout
    for key in ("tries", "delay", "backoff", "jitter", "min_delay", "max_delay",
                "errors", "on", "log", "log_facility", "log_level", "log_format",
                "KAIORETRY_CONFIG", "KAIORETRY_STRICT", "EAI_AGAIN", "ECONNREFUSED"):
        assert re.search(r"\b" + key + r"\b", page5), key


def test_scripts_pass_shellcheck():
    r = run(["shellcheck", "-s", "sh", KAIORETRY, os.path.join(ROOT, "scripts", "demo")],
            env=plain_env())
    assert r.returncode == 0, r.stdout


def test_finding_the_library():
    with tempdir() as d:
        # Through a symlink, the command still finds the tree it lives in.
        link = os.path.join(d, "kaioretry")
        os.symlink(KAIORETRY, link)
        r = run([link, "-n", "true"], env=plain_env(), cwd=d)
        assert f"LD_PRELOAD={LIB} " in r.stdout, r.stdout
        # KAIORETRY_LIBRARY overrides, and the copy really is preloaded.
        copy = os.path.join(d, "copy", "libkaioretry.so")
        os.makedirs(os.path.dirname(copy))
        shutil.copy(LIB, copy)
        keep, port = dead_port()
        r = run([KAIORETRY, "-t", "2", "-v", PYTHON, "-c",
                 "import os, socket\nprint(os.environ['LD_PRELOAD'])\n"
                 f"socket.create_connection(('127.0.0.1', {port}))"],
                env=plain_env({"KAIORETRY_LIBRARY": copy}))
        keep.close()
        assert r.stdout.strip() == copy and "after 2 tries" in r.stderr, r
        # A copy of the command with no library beside it never takes one
        # from the current directory.
        os.makedirs(os.path.join(d, "bin"))
        os.makedirs(os.path.join(d, "build"))
        shutil.copy(LIB, os.path.join(d, "build", "libkaioretry.so"))
        lone = os.path.join(d, "elsewhere", "bin", "kaioretry")
        os.makedirs(os.path.dirname(lone))
        shutil.copy(KAIORETRY, lone)
        r = run([lone, "true"], env=plain_env(), cwd=d)
        assert r.returncode == 125 and "library not found" in r.stderr, r.stderr
        assert run([lone, "-n", "true"], env=plain_env(), cwd=os.path.join(d, "bin")).stdout \
            .startswith(f"LD_PRELOAD={d}/elsewhere/build/libkaioretry.so"), "dry run"
