"""Bash completion for kaioretry (scripts/kaioretry.bash-completion),
run in a real bash with bash-completion loaded, words split as readline
splits them.  Every value it offers must be one the command accepts
(`--explain` exits 0), and its lists must hold every name config/
knows."""
import os
import re
import shutil
import subprocess

from harness import ROOT, Skip, run

COMPLETION = os.path.join(ROOT, "scripts", "kaioretry.bash-completion")
BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"
KAIORETRY = os.path.join(ROOT, "scripts", "kaioretry")

DRIVER = r"""
source "$BASH_COMPLETION"
source "$COMPLETION"
compopt() { :; }        # outside a real completion it has nothing to set
line=$1
COMP_LINE=$line COMP_POINT=${#line}
# readline's words: blanks separate them; = and : are words of their own.
s=${line//=/ = } s=${s//:/ : }
read -ra COMP_WORDS <<<"$s"
[[ $line == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMPREPLY=()
_kaioretry kaioretry "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""


def needs_bash_completion():
    if not os.path.exists(BASH_COMPLETION):
        raise Skip("bash-completion is not installed (scripts/install-deps)")


def complete(line, cwd=None):
    """What bash offers at the end of `line`."""
    env = {"PATH": os.path.dirname(KAIORETRY) + ":/usr/sbin:/usr/bin:/sbin:/bin",
           "HOME": os.environ.get("HOME", "/root"),
           "BASH_COMPLETION": BASH_COMPLETION, "COMPLETION": COMPLETION}
    r = run(["bash", "--norc", "--noprofile", "-c", DRIVER, "bash", line],
            env=env, timeout=30, cwd=cwd)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return [w for w in r.stdout.split("\n") if w]


def accepted(*options):
    r = run([KAIORETRY, *options, "--explain"], env={"PATH": "/usr/bin:/bin"})
    return r.returncode == 0


def c_names(path, pattern):
    with open(os.path.join(ROOT, path)) as f:
        return re.findall(pattern, f.read(), re.M)


def test_options_are_the_commands_own():
    needs_bash_completion()
    help_text = run([KAIORETRY, "--help"], env={"PATH": "/usr/bin:/bin"}).stdout
    listed = set(re.findall(r"^\s+(?:-\w, )?(--[a-z-]+)", help_text, re.M))
    offered = set(complete("kaioretry --"))
    assert listed <= offered and len(listed) > 20, (listed - offered)
    assert complete("kaioretry --max-d") == ["--max-delay"]
    assert complete("kaioretry --tries 3 --dea") == ["--deadline"]


def test_families_for_on():
    needs_bash_completion()
    families = c_names("config/policy.h", r"^\s*X\([A-Z]+, (\w+)\)")
    assert {"connect", "getaddrinfo", "resolver", "bind"} <= set(families), families
    # disk is never retried: `on` refuses it, so it is not offered.
    assert "disk" in families and not accepted("--on", "disk")
    families.remove("disk")
    assert set(complete("kaioretry --on ")) == set(families) | {"all"}
    assert complete("kaioretry --on get") == ["getaddrinfo"]
    # The last item of a list, with the others kept, in both forms.
    assert sorted(complete("kaioretry --on connect,re")) == \
        ["connect,read", "connect,recv", "connect,resolver"]
    assert complete("kaioretry --on=connect,getaddr") == ["connect,getaddrinfo"]
    for family in families:
        assert accepted("--on", family), family


def test_error_names_for_errors():
    needs_bash_completion()
    names = c_names("config/errnames.c", r"^\s*[EDH]\(([A-Z][A-Z0-9_]+)")
    offered = complete("kaioretry --errors ")
    assert set(offered) == set(names) | {"all"}, set(names) ^ set(offered)
    assert sorted(complete("kaioretry -e ECONNRE")) == ["ECONNREFUSED", "ECONNRESET"]
    assert complete("kaioretry --errors=ETIMEDOUT,EAI_AG") == ["ETIMEDOUT,EAI_AGAIN"]
    # Each is a name the configuration takes.
    assert accepted("--errors", ",".join(names))
    assert not accepted("--errors", "ECONNREFUSD")


def test_spreads_sinks_facilities_levels():
    needs_bash_completion()
    spreads = complete("kaioretry --spread ")
    assert spreads == ["none", "full", "equal", "decorrelated"], spreads
    for value in spreads:
        assert accepted("--spread", value), value
    assert sorted(complete("kaioretry --log s")) == ["stderr", "syslog", "syslog:/"]
    for value in ("syslog", "stderr", "none", "syslog:/dev/log", "file:/tmp/k.log"):
        assert accepted("--log", value), value
    # A path after file: completes as a path (readline replaces what
    # follows the colon).
    assert "/etc" in complete("kaioretry --log file:/et")
    facilities = complete("kaioretry --log-facility ")
    assert len(facilities) == 10 and all(accepted("--log-facility", f)
                                         for f in facilities), facilities
    levels = complete("kaioretry --log-level ")
    assert len(levels) == 4 and all(accepted("--log-level", l) for l in levels)
    assert complete("kaioretry --nonblocking w") == ["wait"]


def test_the_program_and_its_arguments_complete_as_its_own():
    needs_bash_completion()
    assert "python3" in complete("kaioretry pyth")
    assert "python3" in complete("kaioretry --tries 3 -d 0.5 pyth")
    assert "python3" in complete("kaioretry -v -- pyth")
    # Past the program the words are its own: not kaioretry's options.
    after = complete("kaioretry -t 3 ls --al")
    assert "--all" in after and "--tries" not in after, after
    assert "--all" in complete("kaioretry --on=connect -- ls --al")
    assert "--all" in complete("kaioretry --log=syslog:/dev/log ls --color=auto --al")
    if shutil.which("git") and os.path.exists(
            "/usr/share/bash-completion/completions/git"):
        assert "checkout" in [w.strip() for w in complete("kaioretry -- git chec")]


def test_make_install_puts_it_where_bash_completion_looks():
    """Under share/bash-completion/completions/, named as the command
    (bash-completion loads a command's file on first use)."""
    needs_bash_completion()
    from test_command import files_under, make  # noqa: E402
    from harness import tempdir
    with tempdir() as d:
        make("install", "DESTDIR=" + d, "PREFIX=/usr")
        path = os.path.join(d, "usr/share/bash-completion/completions/kaioretry")
        with open(path) as f, open(COMPLETION) as g:
            assert f.read() == g.read()
        assert "usr/share/bash-completion/completions/kaioretry" in files_under(d)
        make("uninstall", "DESTDIR=" + d, "PREFIX=/usr")
        assert files_under(d) == []
    assert subprocess.run(["bash", "-n", COMPLETION]).returncode == 0


def test_completion_and_deb_script_pass_shellcheck():
    if not shutil.which("shellcheck"):
        raise Skip("shellcheck is not installed (scripts/install-deps)")
    for shell, path in (("bash", COMPLETION),
                        ("sh", os.path.join(ROOT, "scripts", "deb"))):
        r = run(["shellcheck", "-s", shell, path], env={"PATH": "/usr/bin:/bin"})
        assert r.returncode == 0, r.stdout


def test_fault_subcommand_completes_pids_and_actions():
    """`kaioretry fault` is offered; then the pids of processes with a
    control page (a System V segment they made), then its actions; not
    a process without one."""
    needs_bash_completion()
    from harness import shim_env
    assert "fault" in complete("kaioretry fau")
    p = subprocess.Popen(["/usr/bin/python3", "-c", "import sys; sys.stdin.read()"],
                         env=shim_env({"KAIORETRY_INJECT": "control"}),
                         stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(200):
            with open("/proc/sysvipc/shm") as f:
                if any(l.split()[4] == str(p.pid) for l in f):
                    break
            subprocess.run(["sleep", "0.01"])
        offered = complete("kaioretry fault ")
        assert str(p.pid) in offered and str(os.getpid()) not in offered
    finally:
        p.stdin.close()
        p.wait(10)
    assert complete(f"kaioretry fault {p.pid} ") == ["list", "add", "clear"]
    assert complete(f"kaioretry fault {p.pid} cl") == ["clear"]
