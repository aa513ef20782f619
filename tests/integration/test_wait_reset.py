"""wait mode leaves a socket the way libc would: after the shim reports a
refused connect, the program's next connect on that socket starts
afresh, as after a connect that fails in the call; after it reports a
connect done, the next one answers EISCONN.  CPython's
test_sock_client_connect_racing does this."""
from harness import prog, run, shim_env

WAIT = {"KAIORETRY_CONNECT_NONBLOCKING": "wait", "KAIORETRY_DELAY": "0.01"}


def test_after_a_wait_mode_series_gives_up_the_socket_connects_afresh():
    raw = run([prog("racing")], env=shim_env(preload=False))
    assert raw.stdout == ("not listening: ECONNREFUSED\nlistening: connected\n"
                          "listening again: connected (EISCONN)\n"), raw.stdout
    # tries=1 never waits; 2 and 3 give up after one and two retries.
    for tries in ("2", "3"):
        pre = run([prog("racing")],
                  env=shim_env({**WAIT, "KAIORETRY_TRIES": tries}))
        assert pre.stdout == raw.stdout, (tries, pre.stdout + pre.stderr)
        assert pre.returncode == raw.returncode == 0
    # Not retried at all (the error is not in the set): still reset.
    pre = run([prog("racing")],
              env=shim_env({**WAIT, "KAIORETRY_ERRORS": "ETIMEDOUT"}))
    assert pre.stdout == raw.stdout, pre.stdout + pre.stderr
