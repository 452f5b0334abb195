package dev.spillway.gateway.ledger;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends usage records to the ledger's files on a thread of its own, with group commit.
 *
 * <p>Implementation notes. Invariant: the future {@link #append} returns completes normally only after
 * the record's line was written and synced to the storage device (fdatasync), so whatever waits for it
 * holds a record that survives the process being killed or the machine crashing. Records that arrive
 * while a write and sync are in progress wait in the queue and go out together in the next one: one
 * sync per batch, however many records it holds, so the sync's latency is shared rather than queued
 * behind. The writer only ever appends to files it started itself; a previous process's files, maybe
 * ending in a torn line, are left as they are.
 *
 * <p>The queue is bounded ({@code queueCapacity}); a record it cannot take fails at once and is
 * counted ({@link #rejected()}). Futures complete on the writer's thread: callers hop back to their own.
 */
final class LedgerWriter implements AutoCloseable {

  /**
   * What a reader may read while the writer runs: files named before {@code name} whole, the file
   * {@code name} up to {@code bytes}, and nothing named after it (being written).
   */
  record Committed(String name, long bytes) {}

  private static final Logger log = LoggerFactory.getLogger(LedgerWriter.class);
  private static final int MAX_BATCH = 4096;
  private static final Entry CLOSE = new Entry(null, null);

  private final Path directory;
  private final long maxFileBytes;
  private final Clock clock;
  private final Ledger.Sync sync;
  private final ArrayBlockingQueue<Entry> queue;
  private final Thread thread;
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong commits = new AtomicLong();
  private volatile Committed committed;
  /** Guarded by {@code this}: no record is queued after the close marker. */
  private boolean closed;

  // Confined to the writer's thread.
  private FileChannel channel;
  private String fileName;
  private long size;
  private ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);

  private record Entry(UsageRecord record, CompletableFuture<Void> durable) {}

  /**
   * Starts the writer's thread; the first file is started with the first record.
   *
   * @param lastName the latest existing ledger file's name, or null: new files are named after it
   */
  LedgerWriter(
      Path directory, long maxFileBytes, int queueCapacity, Clock clock, Ledger.Sync sync,
      String lastName) {
    this.directory = requireNonNull(directory, "directory");
    this.clock = requireNonNull(clock, "clock");
    this.sync = requireNonNull(sync, "sync");
    this.maxFileBytes = maxFileBytes;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.fileName = lastName;
    this.committed = new Committed(lastName == null ? "" : lastName, Long.MAX_VALUE);
    this.thread = new Thread(this::run, "spillway-ledger");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues {@code record}; the future completes once it is durable, or fails if the ledger is closed,
   * its queue full, or the write or sync failed.
   */
  CompletableFuture<Void> append(UsageRecord record) {
    requireNonNull(record, "record");
    CompletableFuture<Void> durable = new CompletableFuture<>();
    boolean queued;
    synchronized (this) {
      if (closed) {
        durable.completeExceptionally(new IllegalStateException("ledger: closed"));
        return durable;
      }
      queued = queue.offer(new Entry(record, durable));
    }
    if (!queued) {
      long n = rejected.incrementAndGet();
      if (Long.bitCount(n) == 1) { // the 1st, 2nd, 4th, 8th...: visible, never a flood
        log.warn("ledger: queue full, {} records refused so far (their requests fail)", n);
      }
      durable.completeExceptionally(
          new IllegalStateException(
              "ledger: queue full at " + queue.size() + " records (expected: the disk to keep up)"));
    }
    return durable;
  }

  Committed committed() {
    return committed;
  }

  /** Records refused because the queue was full. */
  long rejected() {
    return rejected.get();
  }

  /** Writes followed by a sync so far: batches. */
  long commits() {
    return commits.get();
  }

  /** Stops taking records, makes the queued ones durable and closes the file. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      queue.put(CLOSE);
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    List<Entry> batch = new ArrayList<>();
    boolean closing = false;
    while (!closing) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        continue; // only close() ends the writer: it owes every queued record its sync
      }
      queue.drainTo(batch, MAX_BATCH);
      if (batch.get(batch.size() - 1) == CLOSE) {
        batch.remove(batch.size() - 1); // the marker is the last thing ever queued
        closing = true;
      }
      if (!batch.isEmpty()) {
        commit(batch);
      }
      batch.clear();
    }
    closeFile();
  }

  /** Appends the batch, rotating by size, syncs, then completes every record's future. */
  private void commit(List<Entry> batch) {
    try {
      for (Entry entry : batch) {
        byte[] line = entry.record().toJsonLine().getBytes(StandardCharsets.UTF_8);
        if (channel == null) {
          open();
        } else if (size + buffer.position() > 0 && size + buffer.position() + line.length > maxFileBytes) {
          writeBuffer();
          sync.force(channel);
          committed = new Committed(fileName, size);
          closeFile();
          open();
        }
        put(line);
      }
      writeBuffer();
      sync.force(channel);
      committed = new Committed(fileName, size);
      commits.incrementAndGet();
    } catch (IOException | RuntimeException e) {
      log.warn("ledger: writing {} records to {} failed; their requests fail", batch.size(), fileName, e);
      // Whatever of the batch reached the file stays there, maybe torn; the next batch starts a new
      // file, and readers skip what does not parse.
      buffer.clear();
      closeFile();
      for (Entry entry : batch) {
        entry.durable().completeExceptionally(e);
      }
      return;
    }
    for (Entry entry : batch) {
      entry.durable().complete(null);
    }
  }

  private void open() throws IOException {
    String name = LedgerFiles.nextName(clock.instant(), fileName);
    channel =
        FileChannel.open(
            directory.resolve(name), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    fileName = name;
    size = 0;
    LedgerFiles.syncDirectory(directory);
  }

  private void put(byte[] line) {
    if (buffer.remaining() < line.length) {
      ByteBuffer larger =
          ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + line.length));
      buffer.flip();
      larger.put(buffer);
      buffer = larger;
    }
    buffer.put(line);
  }

  private void writeBuffer() throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      size += channel.write(buffer);
    }
    buffer.clear();
  }

  private void closeFile() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        log.warn("ledger: closing {} failed", fileName, e);
      }
      channel = null;
    }
  }
}
