/*
 * sha256.h: SHA-256 (FIPS 180-4), incremental and one-shot, with a lower-case hex digest.
 *
 * Used to record the digest of every spooled letter. Pure, no global state: each hash lives in
 * a caller-owned `struct sha256`, so any number of threads may hash at once.
 */
#ifndef DUNGHEN_SHA256_H
#define DUNGHEN_SHA256_H

#include <stddef.h>
#include <stdint.h>

enum {
  SHA256_DIGEST_SIZE = 32,
  SHA256_HEX_SIZE = 2 * SHA256_DIGEST_SIZE + 1, /* with the terminating NUL */
};

struct sha256 {
  uint32_t state[8];
  uint64_t length; /* bytes hashed so far */
  unsigned char block[64];
  size_t filled; /* bytes waiting in `block` */
};

void sha256_init(struct sha256 *hash);
void sha256_update(struct sha256 *hash, const void *data, size_t size);
void sha256_final(struct sha256 *hash, unsigned char digest[SHA256_DIGEST_SIZE]);
/* One shot: the digest of `data` as 64 lower-case hex digits and a NUL. */
void sha256_hex(const void *data, size_t size, char hex[SHA256_HEX_SIZE]);

#endif
