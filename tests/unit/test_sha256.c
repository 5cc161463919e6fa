/* SHA-256 against the FIPS 180-4 examples and a million 'a's, one shot and in pieces. */
#include <string.h>

#include "core/sha256.h"
#include "tap.h"

static void hex_of(struct sha256 *hash, char hex[SHA256_HEX_SIZE]) {
  unsigned char digest[SHA256_DIGEST_SIZE];
  sha256_final(hash, digest);
  for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
    hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
    hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 15];
  }
  hex[64] = '\0';
}

int main(void) {
  char hex[SHA256_HEX_SIZE];
  sha256_hex("", 0, hex);
  tap_is_string(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty");
  sha256_hex("abc", 3, hex);
  tap_is_string(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "abc");
  const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  sha256_hex(two_blocks, strlen(two_blocks), hex);
  tap_is_string(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                "448-bit message (padding spills into a second block)");
  struct sha256 hash;
  sha256_init(&hash);
  char chunk[1000];
  memset(chunk, 'a', sizeof chunk);
  for (int i = 0; i < 1000; i++)
    sha256_update(&hash, chunk, sizeof chunk);
  hex_of(&hash, hex);
  tap_is_string(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
                "one million 'a' in 1000-byte pieces");
  /* Pieces of every size give the same digest as one shot. */
  char one_shot[SHA256_HEX_SIZE];
  sha256_hex(two_blocks, strlen(two_blocks), one_shot);
  bool same = true;
  for (size_t piece = 1; piece <= 57; piece++) {
    sha256_init(&hash);
    for (size_t at = 0; at < strlen(two_blocks); at += piece) {
      size_t left = strlen(two_blocks) - at;
      sha256_update(&hash, two_blocks + at, left < piece ? left : piece);
    }
    hex_of(&hash, hex);
    same &= strcmp(hex, one_shot) == 0;
  }
  tap_ok(same, "incremental updates of 1..57 bytes match the one-shot digest");
  /* 55, 56 and 64 bytes: the padding boundaries. */
  char fifty_five[64];
  memset(fifty_five, 'a', sizeof fifty_five);
  sha256_hex(fifty_five, 55, hex);
  tap_is_string(hex, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
                "55 bytes");
  sha256_hex(fifty_five, 56, hex);
  tap_is_string(hex, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
                "56 bytes");
  sha256_hex(fifty_five, 64, hex);
  tap_is_string(hex, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
                "64 bytes");
  return tap_finish();
}
