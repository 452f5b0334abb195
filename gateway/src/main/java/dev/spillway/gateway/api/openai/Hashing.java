package dev.spillway.gateway.api.openai;

/**
 * 64-bit hashes of text: FNV-1a over UTF-16 code units, then MurmurHash3's finaliser so that nearby
 * inputs spread over all bits. Stable across JVMs and runs (unlike {@link String#hashCode} mixing, it
 * is fixed here), which prefix affinity and deterministic embeddings rely on.
 */
final class Hashing {

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private Hashing() {}

  static long hash(CharSequence text, int from, int to) {
    long h = FNV_OFFSET;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      h = (h ^ (c & 0xff)) * FNV_PRIME;
      h = (h ^ (c >>> 8)) * FNV_PRIME;
    }
    return mix(h);
  }

  static long hash(CharSequence text) {
    return hash(text, 0, text.length());
  }

  /** Combines two hashes, order-sensitively. */
  static long combine(long a, long b) {
    return mix(a * 31 + b);
  }

  /** MurmurHash3 fmix64. */
  static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
