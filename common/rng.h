/* rng.h: kaioretry's one pseudo-random generator, for the jitter and
 * spread of each sleep, fault injection's decisions and the identity of
 * a series when getrandom has nothing to give.  Two halves of one
 * family: splitmix64 derives and hashes (any 64-bit input, 0 included,
 * gives a well-mixed output), xorshift64* draws a stream from a state
 * that must never be 0.  Header-only and free of state of its own: the
 * caller owns every state, so a seed gives the same draws on every run,
 * and the program's rand()/random() are never touched. */
#ifndef KAIORETRY_RNG_H
#define KAIORETRY_RNG_H

#include <stdint.h>

/* splitmix64: its increment (2^64 over the golden ratio) and the two
 * multipliers of its finaliser. */
#define SPLITMIX64_GAMMA 0x9e3779b97f4a7c15ULL
#define SPLITMIX64_MUL1 0xbf58476d1ce4e5b9ULL
#define SPLITMIX64_MUL2 0x94d049bb133111ebULL

/* xorshift64*: its shifts and output multiplier. */
#define XORSHIFT64_A 12
#define XORSHIFT64_B 25
#define XORSHIFT64_C 27
#define XORSHIFT64_STAR_MUL 0x2545f4914f6cdd1dULL

/* A double holds 53 bits of mantissa: the top 53 bits of a draw, times
 * 2^-53, are exactly representable and uniform in [0, 1). */
#define RNG_UNIT_BITS 53

/* splitmix64's output for state `z`: a hash of z, and the way to derive
 * one value (a seed, a decision) from others. */
static inline uint64_t rng_hash(uint64_t z)
{
	z += SPLITMIX64_GAMMA;
	z = (z ^ (z >> 30)) * SPLITMIX64_MUL1;
	z = (z ^ (z >> 27)) * SPLITMIX64_MUL2;
	return z ^ (z >> 31);
}

/* The next splitmix64 draw from *state (any value). */
static inline uint64_t rng_splitmix(uint64_t *state)
{
	uint64_t z = *state;
	*state += SPLITMIX64_GAMMA;
	return rng_hash(z);
}

/* An xorshift64* state from any 64 bits: it must not be 0. */
static inline uint64_t rng_state(uint64_t bits)
{
	return bits | 1;
}

/* The next xorshift64* draw from *state. */
static inline uint64_t rng_next(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> XORSHIFT64_A;
	x ^= x << XORSHIFT64_B;
	x ^= x >> XORSHIFT64_C;
	*state = x;
	return x * XORSHIFT64_STAR_MUL;
}

/* 64 random bits as a uniform double in [0, 1). */
static inline double rng_bits_unit(uint64_t bits)
{
	return (double)(bits >> (64 - RNG_UNIT_BITS)) *
	       (1.0 / (double)((uint64_t)1 << RNG_UNIT_BITS));
}

/* A uniform draw in [0, 1) from an xorshift64* state. */
static inline double rng_unit(uint64_t *state)
{
	return rng_bits_unit(rng_next(state));
}

#endif
