package dev.spillway.gateway.tenancy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A store's answer to a reservation: admitted with its {@link Reservation}, or denied by one limit
 * with when to try again. Either way, where the windowed limits stand.
 *
 * @param reservation present when admitted
 * @param denied the limit that refused the request, when denied
 * @param retryAfter when the refusing limit would admit the request (for {@link Limit#BUDGET}: the
 *     period's end)
 * @param message why it was denied, for the error body; empty when admitted
 */
public record Decision(
    Optional<Reservation> reservation,
    List<LimitState> states,
    Optional<Limit> denied,
    Duration retryAfter,
    String message) {

  public Decision {
    requireNonNull(reservation, "reservation");
    states = List.copyOf(states);
    requireNonNull(denied, "denied");
    requireNonNull(retryAfter, "retryAfter");
    requireNonNull(message, "message");
    if (reservation.isPresent() == denied.isPresent()) {
      throw new IllegalArgumentException(
          "decision: reservation " + reservation + ", denied " + denied + " (expected: exactly one)");
    }
  }

  public static Decision admitted(Reservation reservation, List<LimitState> states) {
    return new Decision(Optional.of(reservation), states, Optional.empty(), Duration.ZERO, "");
  }

  public static Decision denied(Limit limit, Duration retryAfter, List<LimitState> states, String message) {
    return new Decision(Optional.empty(), states, Optional.of(limit), retryAfter, message);
  }

  public boolean admitted() {
    return reservation.isPresent();
  }
}
