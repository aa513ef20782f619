/* ready_key.h: the `ready` key, what "connected" must mean before a
 * program's connect goes ahead (connect only).
 *
 *   tcp          the TCP connect succeeding is enough (the default)
 *   postgres     the server answers a start-up packet with anything but
 *                57P03 (cannot connect now), as pg_isready judges it
 *   redis        the server answers PING with anything but -LOADING,
 *                -BUSY or -MASTERDOWN
 *   http[:PATH]  the server answers GET PATH (default /) with a status
 *                under 500
 *
 * The shim's side (shim/ready.c) checks a destination once per process,
 * on a socket of its own, before the program's first connect to it. */
#ifndef KAIORETRY_READY_KEY_H
#define KAIORETRY_READY_KEY_H

#include <stddef.h>

enum ready_protocol { READY_TCP, READY_POSTGRES, READY_REDIS, READY_HTTP };

/* Room for an HTTP path and its NUL. */
#define READY_PATH_MAX 96

struct ready_check {
	enum ready_protocol protocol;
	char path[READY_PATH_MAX];	/* http: "/health"; "" otherwise */
};

/* Parses a `ready` value.  NULL, or why the text was refused. */
const char *parse_ready(const char *text, size_t len, struct ready_check *out);

/* "tcp", "postgres", "redis", "http". */
const char *ready_protocol_name(enum ready_protocol protocol);

#endif
