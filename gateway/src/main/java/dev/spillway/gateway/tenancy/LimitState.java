package dev.spillway.gateway.tenancy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Where one windowed limit stands after a decision, for the {@code x-ratelimit-*} headers.
 *
 * @param max the limit ({@code rpm} or {@code tpm})
 * @param remaining what is left in the window now, never below 0
 * @param reset when {@code remaining} next grows: the oldest admission still in the window leaves it
 *     (zero when nothing is in the window)
 */
public record LimitState(Limit limit, long max, long remaining, Duration reset) {

  public LimitState {
    requireNonNull(limit, "limit");
    requireNonNull(reset, "reset");
    remaining = Math.max(0, Math.min(max, remaining));
    reset = reset.isNegative() ? Duration.ZERO : reset;
  }
}
