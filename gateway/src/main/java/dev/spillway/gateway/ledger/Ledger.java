package dev.spillway.gateway.ledger;

import static java.util.Objects.requireNonNull;

import dev.spillway.gateway.config.LedgerConfig;
import dev.spillway.gateway.tenancy.SpendHistory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage ledger of one gateway process: appends records durably ({@link #append}) and reads the
 * directory back for {@code /admin/usage} ({@link #usage}) and budgets ({@link #spentUsd}).
 *
 * <p>Opening it reads every file already there, so that a ledger a killed process left behind is
 * checked (torn lines are logged and skipped) before any request is served, and starts a writer that
 * appends to new files only. The reading methods block on file I/O: call them off the event loops.
 * They see every record whose {@link #append} has completed, and none still being written.
 */
public final class Ledger implements AutoCloseable, SpendHistory {

  /** How appended bytes are made durable before a record is acknowledged. */
  public interface Sync {
    void force(FileChannel channel) throws IOException;
  }

  /** fdatasync: the data and the file's size, not its other metadata. */
  public static final Sync FDATASYNC = channel -> channel.force(false);

  private static final Logger log = LoggerFactory.getLogger(Ledger.class);
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
  private static final Ledger DISABLED =
      new Ledger(null, null, CompletableFuture.completedFuture(new LedgerReader.Scan(0, 0, 0)));

  private final Path directory;
  private final LedgerWriter writer;
  private final CompletableFuture<LedgerReader.Scan> recovered;

  private Ledger(
      Path directory, LedgerWriter writer, CompletableFuture<LedgerReader.Scan> recovered) {
    this.directory = directory;
    this.writer = writer;
    this.recovered = recovered;
  }

  /** No ledger: {@link #append} completes at once and records nothing. */
  public static Ledger disabled() {
    return DISABLED;
  }

  /**
   * Creates the directory if missing and starts the writer; blocks only for that. What the directory
   * already holds is read in the background and logged ({@link #recovered()}). A disabled config
   * gives {@link #disabled()}.
   *
   * @throws UncheckedIOException when the directory cannot be created or written
   */
  public static Ledger open(LedgerConfig config) {
    return open(config, Clock.systemUTC(), FDATASYNC);
  }

  /**
   * As {@link #open(LedgerConfig)}, with the clock that names new files and the way appends are
   * synced (tests hold a sync to observe what waits for it).
   */
  public static Ledger open(LedgerConfig config, Clock clock, Sync sync) {
    requireNonNull(config, "config");
    if (!config.enabled()) {
      return DISABLED;
    }
    Path directory = config.path().toAbsolutePath();
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("ledger.path: " + directory + ": cannot create (" + e + ")", e);
    }
    if (!Files.isWritable(directory)) {
      throw new UncheckedIOException(
          new IOException("ledger.path: " + directory + " (expected: a writable directory)"));
    }
    List<Path> files = LedgerFiles.list(directory);
    String last = files.isEmpty() ? null : files.get(files.size() - 1).getFileName().toString();
    LedgerWriter writer =
        new LedgerWriter(
            directory, config.maxFileBytes(), config.queueCapacity(), clock, sync, last);
    // The files already there are checked in the background: a large ledger must not hold the start.
    CompletableFuture<LedgerReader.Scan> recovered = new CompletableFuture<>();
    Thread check =
        new Thread(
            () -> {
              try {
                LedgerReader.Scan scan =
                    last == null
                        ? new LedgerReader.Scan(0, 0, 0)
                        : LedgerReader.read(
                            directory, new LedgerWriter.Committed(last, Long.MAX_VALUE), null, r -> {});
                if (scan.skippedLines() > 0) {
                  log.warn(
                      "ledger: {}: {} records in {} files, {} unreadable lines skipped", directory,
                      scan.records(), scan.files(), scan.skippedLines());
                } else {
                  log.info("ledger: {}: {} records in {} files", directory, scan.records(), scan.files());
                }
                recovered.complete(scan);
              } catch (RuntimeException e) {
                recovered.completeExceptionally(e);
              }
            },
            "spillway-ledger-check");
    check.setDaemon(true);
    check.start();
    return new Ledger(directory, writer, recovered);
  }

  public boolean enabled() {
    return writer != null;
  }

  /** The absolute directory; null when disabled. */
  public Path directory() {
    return directory;
  }

  /** What reading the files already there when the ledger opened found; read in the background. */
  public CompletableFuture<LedgerReader.Scan> recovered() {
    return recovered;
  }

  /**
   * Appends {@code record}. The future completes once the record is synced to disk, on the ledger's
   * thread, or fails (the ledger closed, its queue full, a write failed); when disabled, at once.
   */
  public CompletableFuture<Void> append(UsageRecord record) {
    return writer == null ? DONE : writer.append(record);
  }

  /** Sums the records {@code query} matches; reads the whole ledger, so it blocks. */
  public UsageReport usage(UsageQuery query) {
    UsageReport.Aggregator aggregator = new UsageReport.Aggregator(query);
    if (writer == null) {
      return aggregator.report(0);
    }
    LedgerReader.Scan scan =
        LedgerReader.read(directory, writer.committed(), query.from().orElse(null), aggregator);
    return aggregator.report(scan.skippedLines());
  }

  /**
   * What {@code tenant} was billed ({@code price_usd}) for requests that ended at or after
   * {@code since}, from every record in the ledger; blocks. 0 when disabled.
   */
  @Override
  public double spentUsd(String tenant, Instant since) {
    requireNonNull(tenant, "tenant");
    requireNonNull(since, "since");
    UsageQuery query =
        new UsageQuery(
            Optional.of(tenant), Optional.empty(), Optional.of(since),
            Optional.empty(), UsageQuery.GroupBy.TENANT);
    return usage(query).total().priceUsd();
  }

  /** Records refused because the writer's queue was full. */
  public long rejected() {
    return writer == null ? 0 : writer.rejected();
  }

  /** Makes every queued record durable and stops the writer; blocks. Idempotent. */
  @Override
  public void close() {
    if (writer != null) {
      writer.close();
    }
  }
}
