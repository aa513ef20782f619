/* empty.c: a preload library with nothing in it.  Loading any library
 * with LD_PRELOAD costs the loader some work; this is that floor, so the
 * start-up table can tell it apart from what kaioretry itself adds. */
int kaioretry_bench_empty;
