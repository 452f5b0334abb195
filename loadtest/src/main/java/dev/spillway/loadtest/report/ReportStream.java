package dev.spillway.loadtest.report;

import static java.util.Objects.requireNonNull;

import dev.spillway.loadtest.metrics.RequestRecord;
import dev.spillway.loadtest.metrics.SloGoals;
import dev.spillway.loadtest.metrics.Summary;
import dev.spillway.loadtest.metrics.SummaryBuilder;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * A run's report files, written while the run still produces records: a thread of its own writes each
 * record's row to {@code requests.csv} and folds it into the summary, so the run keeps no records and
 * the run's thread does neither. {@link #finish} then writes {@code summary.json} and
 * {@code report.html}.
 *
 * <p>Implementation notes. Records pass to the writer thread in batches through one bounded queue
 * (the producer waits when it is full), and the writer takes them in the order they were accepted:
 * the files are the same, byte for byte, whatever the threads' timing, and the same as
 * {@link Report#write} over the same records in the same order.
 *
 * <p>{@link #accept} is for one producer thread; {@link #finish} and {@link #close} for the same thread.
 */
public final class ReportStream implements Consumer<RequestRecord>, AutoCloseable {

  private static final int BATCH = 1024;
  /** Batches in flight; with one output token array each, tens of megabytes at most. */
  private static final int QUEUE_BATCHES = 16;
  private static final RequestRecord[] END = new RequestRecord[0];

  private final Path dir;
  private final Writer csv;
  private final SummaryBuilder summary;
  private final BlockingQueue<RequestRecord[]> queue = new ArrayBlockingQueue<>(QUEUE_BATCHES);
  private final Thread writer;
  private RequestRecord[] batch = new RequestRecord[BATCH];
  private int batched;
  private boolean ended;
  /** The writer thread's failure; read after it has been joined. */
  private Throwable failure;

  private ReportStream(Path dir, SloGoals goals) throws IOException {
    this.dir = dir;
    this.summary = new SummaryBuilder(goals);
    Files.createDirectories(dir);
    this.csv =
        new BufferedWriter(
            new OutputStreamWriter(Files.newOutputStream(dir.resolve(Report.REQUESTS_CSV)), StandardCharsets.UTF_8),
            1 << 16);
    this.writer = new Thread(this::drain, "spillway-report-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Creates {@code dir} if needed and starts {@code requests.csv} there; goodput is judged by {@code goals}. */
  public static ReportStream open(Path dir, SloGoals goals) throws IOException {
    return new ReportStream(requireNonNull(dir, "dir"), requireNonNull(goals, "goals"));
  }

  /** Hands one record to the writer thread; waits while it is {@value #QUEUE_BATCHES} batches behind. */
  @Override
  public void accept(RequestRecord record) {
    requireNonNull(record, "record");
    if (ended) {
      throw new IllegalStateException("accept after finish");
    }
    batch[batched++] = record;
    if (batched == BATCH) {
      hand(batch);
      batch = new RequestRecord[BATCH];
      batched = 0;
    }
  }

  /**
   * Waits until every record is written and folded, then writes {@code summary.json} and
   * {@code report.html}; the summary spans the measured requests ({@link Summary#measuredDurationNanos}).
   *
   * @param metadata as for {@link Report#write}
   */
  public Summary finish(Map<String, ?> metadata) throws IOException {
    requireNonNull(metadata, "metadata");
    end();
    if (failure instanceof IOException) {
      throw (IOException) failure;
    }
    if (failure != null) {
      throw new IOException("writing " + dir.resolve(Report.REQUESTS_CSV) + " failed", failure);
    }
    Summary result = summary.build(summary.measuredDurationNanos());
    Report.writeSummaryAndPage(dir, result, summary.timeSeries(), summary.latencySamples(), metadata);
    return result;
  }

  /** Stops the writer thread if {@link #finish} did not; {@code requests.csv} keeps what was written. */
  @Override
  public void close() throws IOException {
    end();
  }

  private void end() throws IOException {
    if (ended) {
      return;
    }
    ended = true;
    if (batched > 0) {
      hand(Arrays.copyOf(batch, batched));
      batched = 0;
    }
    hand(END);
    boolean interrupted = false;
    while (true) {
      try {
        writer.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void hand(RequestRecord[] records) {
    try {
      queue.put(records);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while handing records to the report writer", e);
    }
  }

  /** The writer thread: rows and summary in queue order; after a failure, drains without writing. */
  private void drain() {
    StringBuilder row = new StringBuilder(256);
    try {
      csv.write(RequestsCsv.HEADER);
      csv.write('\n');
    } catch (IOException e) {
      failure = e;
    }
    while (true) {
      RequestRecord[] records;
      try {
        records = queue.take();
      } catch (InterruptedException e) {
        failure = e;
        break;
      }
      if (records == END) {
        break;
      }
      if (failure != null) {
        continue;
      }
      try {
        for (RequestRecord record : records) {
          row.setLength(0);
          csv.append(RequestsCsv.appendRow(row, record));
          summary.add(record);
        }
      } catch (IOException | RuntimeException | Error e) {
        // Keep taking batches, or the producer would wait on a full queue for ever.
        failure = e;
      }
    }
    try {
      csv.close();
    } catch (IOException e) {
      if (failure == null) {
        failure = e;
      }
    }
  }
}
