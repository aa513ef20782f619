"""The resolver older than getaddrinfo (gethostbyname, its _r forms,
res_query and the __res_* names): waits for a DNS server that starts
late, leaves ERANGE to the program, and takes injected faults."""
import os
import shutil

from harness import Skip, prog, run, series_lines, shim_env, tempdir

PERL = shutil.which("perl") or "/usr/bin/perl"


def late_dns(argv, env, delay=1.0):
    """Runs argv in a private network and mount namespace whose
    resolv.conf points at a dnsmasq that starts `delay` s late and
    answers late.example with 127.0.0.9."""
    dnsmasq = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
    if not os.path.exists(dnsmasq) or not shutil.which("ip"):
        raise Skip("dnsmasq (dnsmasq-base) or ip (iproute2) missing")
    if os.geteuid() != 0:
        raise Skip("needs root for unshare -mn")
    with tempdir() as d:
        for name, text in (("resolv.conf", "nameserver 127.0.0.1\n"
                            "options timeout:1 attempts:1\n"),
                           ("nsswitch.conf", "hosts: dns\n")):
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        script = f"""
set -e
mount --bind {d}/resolv.conf /etc/resolv.conf
mount --bind {d}/nsswitch.conf /etc/nsswitch.conf
ip link set lo up
(sleep {delay}; exec {dnsmasq} -k --conf-file=/dev/null --no-resolv --no-hosts \\
    --listen-address=127.0.0.1 --bind-interfaces --port=53 -u root \\
    --host-record=late.example,127.0.0.9 --pid-file= \\
    --log-facility={d}/dnsmasq.log) &
server=$!
rc=0
"$@" || rc=$?
kill $server 2>/dev/null || true
wait $server 2>/dev/null || true
exit $rc
"""
        return run(["unshare", "-mn", "sh", "-c", script, "sh"] + argv,
                   env=env, timeout=30)


def took(stdout):
    return float(stdout.split("took ")[1].split()[0])


# What each call says without the shim when nothing answers yet.
TRY_AGAIN = {
    "gethostbyname": "failed h_errno=2 (Host name lookup failure)",
    "gethostbyname_r": "failed rc=11 (EAGAIN) h_errno=2",
    "res_query": "failed h_errno=2 (Host name lookup failure)",
    "old_res_query": "failed h_errno=2 (Host name lookup failure)",
}


def test_resolver_calls_wait_for_a_late_dns_server():
    env = shim_env({"KAIORETRY_RESOLVER_DELAY": "0.2"})
    for api, failure in TRY_AGAIN.items():
        argv = [prog("oldresolver"), api, "late.example"]
        without = late_dns(argv, shim_env(preload=False))
        assert without.returncode == 1, (api, without)
        assert failure in without.stdout, (api, without.stdout)
        assert took(without.stdout) < 0.5, (api, without.stdout)
        under = late_dns(argv, env)
        assert under.returncode == 0, (api, under)
        if api.endswith("res_query"):
            assert "answered" in under.stdout, (api, under.stdout)
        else:
            assert "answered late.example 127.0.0.9" in under.stdout, \
                (api, under.stdout)
        assert took(under.stdout) > 0.8, (api, under.stdout)
        lines = series_lines(under.stderr)
        call = "__res_query" if api == "old_res_query" else api
        assert f"{call}(late.example) failed: TRY_AGAIN" in lines[0], lines
        assert "succeeded after" in lines[-1], lines


def test_perl_gethostbyname_waits_for_a_late_dns_server():
    script = ('my @h = gethostbyname("late.example") or die "no answer\\n";'
              ' print join(".", unpack("C4", $h[4])), "\\n";')
    without = late_dns([PERL, "-e", script], shim_env(preload=False))
    assert without.returncode != 0, without
    assert "no answer" in without.stderr, without.stderr
    under = late_dns([PERL, "-e", script], shim_env())
    assert under.returncode == 0, under
    assert under.stdout.strip() == "127.0.0.9", under.stdout
    lines = series_lines(under.stderr)
    assert "gethostbyname_r(late.example) failed: TRY_AGAIN" in lines[0], lines


def test_erange_goes_to_the_program_at_once():
    """A buffer too small for the answer is the program's to grow: the
    shim returns ERANGE as it came, with no series."""
    if os.geteuid() != 0:
        raise Skip("needs root for unshare -m")
    with tempdir() as d:
        with open(os.path.join(d, "hosts"), "w") as f:
            f.write("127.0.0.9 late.example\n")
        with open(os.path.join(d, "nsswitch.conf"), "w") as f:
            f.write("hosts: files\n")
        script = (f"mount --bind {d}/hosts /etc/hosts && "
                  f"mount --bind {d}/nsswitch.conf /etc/nsswitch.conf && "
                  'exec "$@"')
        argv = ["unshare", "-m", "sh", "-c", script, "sh",
                prog("oldresolver"), "gethostbyname_r", "late.example", "8"]
        for env in (shim_env(preload=False),
                    shim_env({"KAIORETRY_RESOLVER_ERRORS": "all"})):
            r = run(argv, env=env)
            assert r.returncode == 1, r
            assert "failed rc=34 (ERANGE)" in r.stdout, r.stdout
            assert took(r.stdout) < 0.5, r.stdout
            assert series_lines(r.stderr) == [], r.stderr


def test_injected_try_again_is_retried():
    env = shim_env({"KAIORETRY_INJECT":
                    "gethostbyname:error=TRY_AGAIN:when=1..2",
                    "KAIORETRY_RESOLVER_DELAY": "0.01"})
    r = run([prog("oldresolver"), "gethostbyname", "localhost"], env=env)
    assert r.returncode == 0, r
    assert "answered localhost" in r.stdout, r.stdout
    lines = series_lines(r.stderr)
    assert any("gethostbyname(localhost) failed: TRY_AGAIN" in l
               for l in lines), lines
    assert any("succeeded after 3 tries" in l for l in lines), lines
    raw = run([prog("oldresolver"), "gethostbyname", "localhost"],
              env=shim_env({"KAIORETRY_INJECT":
                            "gethostbyname:error=TRY_AGAIN:when=1..2",
                            "KAIORETRY_ON": "connect"}))
    assert raw.returncode == 1, raw
    assert "failed h_errno=2" in raw.stdout, raw.stdout
