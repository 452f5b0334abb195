package dev.spillway.gateway.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The ledger's directory: files named {@code usage-yyyyMMdd'T'HHmmss.SSS'Z'.jsonl} after the instant
 * they were started, so that their names sort in the order they were written. A new name is always
 * later than every existing one, even when the clock stepped back.
 */
final class LedgerFiles {

  static final String SUFFIX = ".jsonl";
  private static final String PREFIX = "usage-";
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern NAME =
      Pattern.compile("usage-\\d{8}T\\d{6}\\.\\d{3}Z" + Pattern.quote(SUFFIX));

  private LedgerFiles() {}

  /** The ledger's files, oldest first; files the ledger did not name are left alone. */
  static List<Path> list(Path directory) {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
      for (Path entry : entries) {
        if (NAME.matcher(entry.getFileName().toString()).matches() && Files.isRegularFile(entry)) {
          files.add(entry);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("ledger: cannot list " + directory, e);
    }
    files.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    return files;
  }

  /** A name for a file started at {@code now}, later than {@code last} (null: no file yet). */
  static String nextName(Instant now, String last) {
    Instant at = now;
    String name = name(at);
    while (last != null && name.compareTo(last) <= 0) {
      at = at.plusMillis(1);
      name = name(at);
    }
    return name;
  }

  private static String name(Instant at) {
    return PREFIX + STAMP.format(at) + SUFFIX;
  }

  /**
   * Makes a new file's directory entry durable: without it, a crash of the machine (not of the
   * process) could lose a file whose contents were synced.
   */
  static void syncDirectory(Path directory) {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Some platforms cannot open a directory; the file's own sync still covers a process crash.
    }
  }
}
