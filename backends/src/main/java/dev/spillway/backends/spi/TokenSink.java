package dev.spillway.backends.spi;

/**
 * Receives the events of one request. Called on the replica's thread (the event loop, or the virtual
 * clock's loop); implementations must not block.
 */
@FunctionalInterface
public interface TokenSink {
  void accept(TokenEvent event);
}
