/* attributes.h: the compiler attributes and the one macro helper the
 * shim's generated code shares.  The library is built with
 * -fvisibility=hidden, so only what is marked EXPORT (the wrapped libc
 * functions and kaioretry_instance) is seen by the dynamic loader; COLD
 * keeps a retry path out of line, off the wrappers' success path;
 * UNPAREN opens a parenthesised column of a .def table into a list. */
#ifndef KAIORETRY_ATTRIBUTES_H
#define KAIORETRY_ATTRIBUTES_H

#define EXPORT __attribute__((visibility("default")))
#define COLD __attribute__((noinline, cold))
#define ALWAYS_INLINE __attribute__((always_inline))
#define UNPAREN(...) __VA_ARGS__

#endif
