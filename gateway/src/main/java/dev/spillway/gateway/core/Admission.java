package dev.spillway.gateway.core;

/** The handle of a submitted request: cancelling it (client gone) frees its place or its replica slot. */
@FunctionalInterface
public interface Admission {
  void cancel();
}
