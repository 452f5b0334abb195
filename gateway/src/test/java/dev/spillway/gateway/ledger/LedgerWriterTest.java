package dev.spillway.gateway.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.gateway.config.LedgerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The writer's group commit, its durability ordering and rotation, and reading back with recovery. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class LedgerWriterTest {

  private static final Clock CLOCK = Clock.fixed(Records.T0, ZoneOffset.UTC);

  @TempDir Path dir;

  private static List<UsageRecord> readAll(Path dir) {
    List<UsageRecord> out = new ArrayList<>();
    LedgerReader.read(dir, out::add);
    return out;
  }

  @Test
  void aRecordIsCompletedOnlyAfterItsLineIsSyncedAndRecordsArrivingDuringASyncShareTheNext()
      throws Exception {
    CountDownLatch syncing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<Long> syncedSizes = new CopyOnWriteArrayList<>();
    Ledger.Sync held =
        channel -> {
          syncedSizes.add(channel.size());
          if (syncedSizes.size() == 1) {
            syncing.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
          }
          channel.force(false);
        };
    try (Ledger ledger = Ledger.open(LedgerConfig.at(dir), CLOCK, held)) {
      CompletableFuture<Void> first = ledger.append(Records.record("r-0"));
      syncing.await();
      // The first record's sync is in progress: it is written but not yet acknowledged.
      assertThat(first).isNotDone();
      List<CompletableFuture<Void>> waiting = new ArrayList<>();
      for (int i = 1; i <= 10; i++) {
        waiting.add(ledger.append(Records.record("r-" + i)));
      }
      assertThat(waiting).noneMatch(CompletableFuture::isDone);
      release.countDown();
      CompletableFuture.allOf(waiting.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
      assertThat(first).isCompleted();
      // Two syncs for eleven records: the ten that arrived during the first went as one batch.
      assertThat(syncedSizes).hasSize(2);
      long oneLine = Records.record("r-0").toJsonLine().getBytes(StandardCharsets.UTF_8).length;
      assertThat(syncedSizes.get(0)).isEqualTo(oneLine);
      assertThat(syncedSizes.get(1)).isEqualTo(oneLine * 11 + 1); // "r-10" is one byte longer
    }
    assertThat(readAll(dir))
        .extracting(UsageRecord::requestId)
        .containsExactly("r-0", "r-1", "r-2", "r-3", "r-4", "r-5", "r-6", "r-7", "r-8", "r-9", "r-10");
  }

  @Test
  void aRecordReadBackEqualsTheOneWritten() throws Exception {
    UsageRecord unusual =
        new UsageRecord(
            "id \"quoted\" ✓", "tenant\nwith newline", null, "m", null, null, "batch", 3, 0,
            java.util.OptionalDouble.empty(), 1.5, 0, 0, UsageRecord.Outcome.CANCELLED, 499,
            Records.T0);
    try (Ledger ledger = Ledger.open(LedgerConfig.at(dir))) {
      ledger.append(Records.record("plain")).get(5, TimeUnit.SECONDS);
      ledger.append(unusual).get(5, TimeUnit.SECONDS);
    }
    assertThat(readAll(dir)).containsExactly(Records.record("plain"), unusual);
  }

  @Test
  void filesRotateBeforeTheyWouldPassTheirMaximumSizeAndSortInTheOrderWritten() throws Exception {
    long max = 2048;
    try (Ledger ledger =
        Ledger.open(
            new LedgerConfig(true, dir, max, 1024), CLOCK, Ledger.FDATASYNC)) {
      for (int i = 0; i < 40; i++) {
        ledger.append(Records.record(String.format("r-%02d", i))).get(5, TimeUnit.SECONDS);
      }
    }
    List<Path> files = LedgerFiles.list(dir);
    assertThat(files.size()).isGreaterThan(5);
    for (Path file : files) {
      assertThat(Files.size(file)).isLessThanOrEqualTo(max);
    }
    // A fixed clock: every name is still later than the one before.
    assertThat(files.get(0).getFileName().toString()).isEqualTo("usage-20250131T235900.000Z.jsonl");
    assertThat(files.get(1).getFileName().toString()).isEqualTo("usage-20250131T235900.001Z.jsonl");
    List<String> ids = readAll(dir).stream().map(UsageRecord::requestId).toList();
    assertThat(ids).hasSize(40).isSorted();
  }

  @Test
  void aQueryFromAnInstantSkipsTheFilesLastWrittenWellBeforeIt() throws Exception {
    try (Ledger ledger =
        Ledger.open(new LedgerConfig(true, dir, 2048, 1024), CLOCK, Ledger.FDATASYNC)) {
      for (int i = 0; i < 40; i++) {
        ledger.append(Records.record(String.format("r-%02d", i))).get(5, TimeUnit.SECONDS);
      }
    }
    List<Path> files = LedgerFiles.list(dir);
    java.time.Instant now = java.time.Instant.now();
    // All but the last file were last written a day ago.
    for (Path file : files.subList(0, files.size() - 1)) {
      Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(now.minusSeconds(86_400)));
    }
    LedgerWriter.Committed everything = new LedgerWriter.Committed("\uffff", Long.MAX_VALUE);

    LedgerReader.Scan recent = LedgerReader.read(dir, everything, now.minusSeconds(3_600), r -> {});
    LedgerReader.Scan all = LedgerReader.read(dir, everything, null, r -> {});

    assertThat(recent.files()).isEqualTo(1);
    assertThat(all.files()).isEqualTo(files.size());
    assertThat(all.records()).isEqualTo(40);
  }

  @Test
  void aTornLastLineIsSkippedWithTheRestReadAndAppendsContinueInANewFile() throws Exception {
    try (Ledger ledger = Ledger.open(LedgerConfig.at(dir))) {
      for (int i = 0; i < 3; i++) {
        ledger.append(Records.record("r-" + i)).get(5, TimeUnit.SECONDS);
      }
    }
    Path torn = LedgerFiles.list(dir).get(0);
    String whole = Records.record("r-3").toJsonLine();
    Files.writeString(torn, whole.substring(0, whole.length() / 2), StandardOpenOption.APPEND);
    long tornSize = Files.size(torn);

    try (Ledger reopened = Ledger.open(LedgerConfig.at(dir))) {
      assertThat(reopened.recovered().get(5, TimeUnit.SECONDS)).isEqualTo(new LedgerReader.Scan(1, 3, 1));
      reopened.append(Records.record("r-4")).get(5, TimeUnit.SECONDS);
      assertThat(reopened.usage(UsageQuery.all(UsageQuery.GroupBy.TENANT)).total().requests())
          .isEqualTo(4);
    }
    assertThat(Files.size(torn)).isEqualTo(tornSize);
    assertThat(LedgerFiles.list(dir)).hasSize(2);
    assertThat(readAll(dir)).extracting(UsageRecord::requestId).containsExactly("r-0", "r-1", "r-2", "r-4");
  }

  @Test
  void corruptLinesAnywhereAreSkippedAndCounted() throws Exception {
    Path file = dir.resolve("usage-20250101T000000.000Z.jsonl");
    Files.writeString(
        file,
        Records.record("a").toJsonLine() + "not json\n" + "{\"request_id\":\"no other fields\"}\n"
            + "\0\0\0\0\n" + Records.record("b").toJsonLine());
    List<UsageRecord> out = new ArrayList<>();
    LedgerReader.Scan scan = LedgerReader.read(dir, out::add);
    assertThat(scan).isEqualTo(new LedgerReader.Scan(1, 2, 3));
    assertThat(out).extracting(UsageRecord::requestId).containsExactly("a", "b");
  }

  @Test
  void aFailedSyncFailsTheBatchAndTheNextBatchStartsANewFile() throws Exception {
    List<Integer> calls = new CopyOnWriteArrayList<>();
    Ledger.Sync failingOnce =
        channel -> {
          calls.add(1);
          if (calls.size() == 1) {
            throw new java.io.IOException("disk gone");
          }
          channel.force(false);
        };
    try (Ledger ledger = Ledger.open(LedgerConfig.at(dir), Clock.systemUTC(), failingOnce)) {
      CompletableFuture<Void> failed = ledger.append(Records.record("lost"));
      assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasRootCauseMessage("disk gone");
      ledger.append(Records.record("kept")).get(5, TimeUnit.SECONDS);
    }
    assertThat(LedgerFiles.list(dir)).hasSize(2);
  }

  @Test
  void aFullQueueRefusesTheRecordAtOnceAndCountsIt() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch syncing = new CountDownLatch(1);
    Ledger.Sync held =
        channel -> {
          syncing.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        };
    try (Ledger ledger = Ledger.open(new LedgerConfig(true, dir, 1 << 20, 2), CLOCK, held)) {
      ledger.append(Records.record("in the sync"));
      syncing.await();
      ledger.append(Records.record("queued 1"));
      ledger.append(Records.record("queued 2"));
      CompletableFuture<Void> refused = ledger.append(Records.record("refused"));
      assertThat(refused).isCompletedExceptionally();
      assertThat(ledger.rejected()).isEqualTo(1);
      release.countDown();
    }
  }

  @Test
  void closingMakesEveryQueuedRecordDurableAndLaterAppendsFail() throws Exception {
    Ledger ledger = Ledger.open(LedgerConfig.at(dir));
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      all.add(ledger.append(Records.record("r-" + i)));
    }
    ledger.close();
    assertThat(all).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    assertThat(ledger.append(Records.record("late"))).isCompletedExceptionally();
    assertThat(readAll(dir)).hasSize(100);
  }

  @Test
  void aDisabledLedgerCompletesAtOnceAndWritesNothing() {
    Ledger ledger = Ledger.open(LedgerConfig.disabled());
    assertThat(ledger.enabled()).isFalse();
    assertThat(ledger.append(Records.record("r"))).isCompleted();
    assertThat(ledger.spentUsd("acme", Records.T0)).isZero();
  }

  @Test
  void spentUsdSumsOneTenantsPriceSinceAnInstant() throws Exception {
    try (Ledger ledger = Ledger.open(LedgerConfig.at(dir))) {
      ledger.append(Records.record("old", "acme", null, "m", Records.T0.minusSeconds(60),
          UsageRecord.Outcome.SUCCESS, 1.0));
      ledger.append(Records.record("new", "acme", null, "m", Records.T0, UsageRecord.Outcome.SUCCESS, 0.5));
      ledger.append(Records.record("err", "acme", null, "m", Records.T0, UsageRecord.Outcome.ERROR, 0.25));
      ledger.append(Records.record("other", "globex", null, "m", Records.T0,
          UsageRecord.Outcome.SUCCESS, 8.0)).get(5, TimeUnit.SECONDS);
      assertThat(ledger.spentUsd("acme", Records.T0)).isEqualTo(0.75);
      assertThat(ledger.spentUsd("acme", Records.T0.minusSeconds(60))).isEqualTo(1.75);
      assertThat(ledger.spentUsd("nobody", Records.T0)).isZero();
    }
    // A later process reads the same spend from the files.
    try (Ledger reopened = Ledger.open(LedgerConfig.at(dir))) {
      assertThat(reopened.spentUsd("acme", Records.T0)).isEqualTo(0.75);
    }
  }

}
