package dev.spillway.gateway.core;

import java.util.Locale;

/** What a model's response cache did for one request. */
public enum CacheLookup {
  /** Not looked up: the model has no cache, or the request is not deterministic. */
  NONE,
  /** Looked up and not found: a replica answers, and a complete answer is stored. */
  MISS,
  /** Answered from the cache: no replica, no cost. */
  HIT;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  /** {@code none}, {@code miss} or {@code hit}: the {@code x-spillway-cache} header's value. */
  public String wireName() {
    return wireName;
  }
}
