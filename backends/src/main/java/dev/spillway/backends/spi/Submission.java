package dev.spillway.backends.spi;

/** A request accepted by a replica; cancelling it frees its slot and ends its stream. */
@FunctionalInterface
public interface Submission {
  /** Stops generation; the sink receives a {@link FinishReason#CANCELLED} finish unless already done. */
  void cancel();
}
