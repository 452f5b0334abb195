package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * The usage ledger: one JSON line per finished request, in files under {@code path}.
 *
 * @param enabled false turns the ledger off: no records, responses are not held for one
 * @param path the ledger's directory, created if missing; relative paths resolve against the working
 *     directory
 * @param maxFileBytes a file is closed and a new one started before it would grow past this size
 * @param queueCapacity records waiting for the writer at most; a record beyond them fails its request
 *     rather than go unrecorded
 */
public record LedgerConfig(boolean enabled, Path path, long maxFileBytes, int queueCapacity) {

  public static final Path DEFAULT_PATH = Path.of("spillway-ledger");
  public static final long DEFAULT_MAX_FILE_BYTES = 64L * 1024 * 1024;
  public static final long MIN_FILE_BYTES = 1024;
  public static final int DEFAULT_QUEUE_CAPACITY = 65_536;
  public static final int MAX_QUEUE_CAPACITY = 10_000_000;

  /** On, in {@code spillway-ledger} in the working directory. */
  public static final LedgerConfig DEFAULT =
      new LedgerConfig(true, DEFAULT_PATH, DEFAULT_MAX_FILE_BYTES, DEFAULT_QUEUE_CAPACITY);

  public LedgerConfig {
    requireNonNull(path, "ledger.path");
    if (maxFileBytes < MIN_FILE_BYTES) {
      throw new IllegalArgumentException(
          "ledger.maxFileBytes: " + maxFileBytes + " (expected: >= " + MIN_FILE_BYTES + ")");
    }
    if (queueCapacity < 1 || queueCapacity > MAX_QUEUE_CAPACITY) {
      throw new IllegalArgumentException(
          "ledger.queueCapacity: " + queueCapacity + " (expected: 1 to " + MAX_QUEUE_CAPACITY + ")");
    }
  }

  /** On, in {@code directory}, with the default sizes. */
  public static LedgerConfig at(Path directory) {
    return new LedgerConfig(true, directory, DEFAULT_MAX_FILE_BYTES, DEFAULT_QUEUE_CAPACITY);
  }

  /** Off. */
  public static LedgerConfig disabled() {
    return new LedgerConfig(false, DEFAULT_PATH, DEFAULT_MAX_FILE_BYTES, DEFAULT_QUEUE_CAPACITY);
  }
}
