package dev.spillway.gateway.ledger;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a ledger directory back, oldest file first, record by record.
 *
 * <p>A line that is not a whole record — the torn last line of a file whose process was killed in
 * the middle of a write, or anything else that does not parse — is skipped with a warning and
 * counted; reading never fails on a file's contents. A file that cannot be opened at all is skipped
 * and counted too.
 */
public final class LedgerReader {

  private static final Logger log = LoggerFactory.getLogger(LedgerReader.class);
  /** Longer lines are not records: skipped without holding them whole. */
  private static final int MAX_LINE_BYTES = 64 * 1024;

  /**
   * What a read went through.
   *
   * @param files ledger files read
   * @param records records handed on
   * @param skippedLines lines that were not records (torn or corrupt), and files that could not be read
   */
  public record Scan(int files, long records, long skippedLines) {}

  private LedgerReader() {}

  /**
   * How much earlier than a record's time its file may seem last written: a file last written before
   * a query's start, by more than this, holds no record the query wants (each record is appended
   * after its time) and is not read.
   */
  static final Duration CLOCK_SLACK = Duration.ofMinutes(5);

  /** Reads every record under {@code directory}, which no writer is appending to. */
  public static Scan read(Path directory, Consumer<UsageRecord> sink) {
    return read(directory, new LedgerWriter.Committed("\uffff", Long.MAX_VALUE), null, sink);
  }

  /**
   * Reads what {@code committed} says is durable: nothing a writer is still appending; only the files
   * that can hold records at or after {@code from}, when it is not null.
   */
  static Scan read(
      Path directory, LedgerWriter.Committed committed, Instant from, Consumer<UsageRecord> sink) {
    requireNonNull(directory, "directory");
    requireNonNull(sink, "sink");
    List<Path> files = LedgerFiles.list(directory);
    FileTime writtenSince = from == null ? null : FileTime.from(from.minus(CLOCK_SLACK));
    int read = 0;
    long records = 0;
    long skipped = 0;
    for (Path file : files) {
      int order = file.getFileName().toString().compareTo(committed.name());
      if (order > 0) {
        break; // started after the snapshot of what is durable
      }
      long limit = order == 0 ? committed.bytes() : Long.MAX_VALUE;
      if (writtenSince != null && writtenBefore(file, writtenSince)) {
        continue; // every record in it is older than the query
      }
      read++;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
        long[] counts = readFile(file, in, limit, sink);
        records += counts[0];
        skipped += counts[1];
      } catch (IOException e) {
        log.warn("ledger: cannot read {} (skipped)", file, e);
        skipped++;
      }
    }
    return new Scan(read, records, skipped);
  }

  private static boolean writtenBefore(Path file, FileTime time) {
    try {
      return Files.getLastModifiedTime(file).compareTo(time) < 0;
    } catch (IOException e) {
      return false; // read it, and let the read say what is wrong
    }
  }

  /** Returns {records, skipped lines}. */
  private static long[] readFile(Path file, InputStream in, long limit, Consumer<UsageRecord> sink)
      throws IOException {
    long records = 0;
    long skipped = 0;
    long position = 0;
    long lineNumber = 0;
    ByteArrayOutputStream line = new ByteArrayOutputStream(512);
    boolean overlong = false;
    while (position < limit) {
      int b = in.read();
      if (b == -1) {
        break;
      }
      position++;
      if (b != '\n') {
        if (line.size() < MAX_LINE_BYTES) {
          line.write(b);
        } else {
          overlong = true;
        }
        continue;
      }
      lineNumber++;
      if (overlong) {
        log.warn("ledger: {} line {}: over {} bytes, not a usage record (skipped)", file, lineNumber, MAX_LINE_BYTES);
        skipped++;
      } else if (line.size() > 0) {
        if (accept(file, lineNumber, line, sink)) {
          records++;
        } else {
          skipped++;
        }
      }
      line.reset();
      overlong = false;
    }
    if (line.size() > 0 || overlong) {
      lineNumber++;
      // No newline: the write of this line was cut short. Even if it parses it may be a record cut
      // exactly after a closing brace of a nested value, so it is never trusted.
      log.warn(
          "ledger: {} line {}: torn last line of {} bytes (skipped): {}", file, lineNumber,
          line.size(), preview(line));
      skipped++;
    }
    return new long[] {records, skipped};
  }

  private static boolean accept(
      Path file, long lineNumber, ByteArrayOutputStream line, Consumer<UsageRecord> sink) {
    UsageRecord record;
    try {
      record = UsageRecord.parse(line.toString(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      log.warn("ledger: {} line {}: not a usage record (skipped): {}", file, lineNumber, preview(line));
      return false;
    }
    sink.accept(record);
    return true;
  }

  private static String preview(ByteArrayOutputStream line) {
    String text = line.toString(StandardCharsets.UTF_8);
    return text.length() <= 120 ? text : text.substring(0, 120) + "…";
  }
}
