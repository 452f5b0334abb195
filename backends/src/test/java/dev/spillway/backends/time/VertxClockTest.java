package dev.spillway.backends.time;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VertxClockTest {

  private Vertx vertx;
  private Context home;
  private Context other;
  private VertxClock clock;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    home = ((VertxInternal) vertx).createEventLoopContext();
    other = ((VertxInternal) vertx).createEventLoopContext();
    clock = new VertxClock(home);
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aTimerThatFiresWhileAnotherLoopRunsTheClocksTasksWaitsItsTurn() throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> order = new ArrayList<>(); // written by the clock's tasks only
    CompletableFuture<List<String>> done = new CompletableFuture<>();
    other.runOnContext(
        v ->
            clock.execute(
                () -> {
                  holding.countDown();
                  try {
                    release.await(); // the timer falls due meanwhile, on the home loop
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  order.add("task");
                }));
    assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
    // Set from this thread, which is no event loop, the timer fires on the clock's home loop.
    clock.schedule(clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1), () -> {
      order.add("timer");
      done.complete(List.copyOf(order));
    });
    try {
      Thread.sleep(50);
      assertThat(done).as("the timer ran while the task was running").isNotDone();
    } finally {
      release.countDown();
    }
    assertThat(done.get(5, TimeUnit.SECONDS)).containsExactly("task", "timer");
  }

  @Test
  void aTimerSetOnALoopFiresThereAndOneSetElsewhereOnTheClocksContext() throws Exception {
    Thread otherThread = threadOf(other);
    Thread homeThread = threadOf(home);
    assertThat(otherThread).isNotEqualTo(homeThread);
    CompletableFuture<Thread> onLoop = new CompletableFuture<>();
    other.runOnContext(
        v ->
            clock.schedule(
                clock.nanoTime() + 1_000_000, () -> onLoop.complete(Thread.currentThread())));
    assertThat(onLoop.get(5, TimeUnit.SECONDS)).isEqualTo(otherThread);
    CompletableFuture<Thread> offLoop = new CompletableFuture<>();
    clock.schedule(clock.nanoTime() + 1_000_000, () -> offLoop.complete(Thread.currentThread()));
    assertThat(offLoop.get(5, TimeUnit.SECONDS)).isEqualTo(homeThread);
  }

  private static Thread threadOf(Context context) throws Exception {
    CompletableFuture<Thread> thread = new CompletableFuture<>();
    context.runOnContext(v -> thread.complete(Thread.currentThread()));
    return thread.get(5, TimeUnit.SECONDS);
  }

  @Test
  void aTimerDueNowStillRunsAfterTheCallThatScheduledIt() throws Exception {
    CompletableFuture<List<String>> trace = new CompletableFuture<>();
    other.runOnContext(
        v ->
            clock.execute(
                () -> {
                  List<String> steps = new ArrayList<>();
                  clock.schedule(clock.nanoTime() - 1, () -> {
                    steps.add("timer");
                    trace.complete(steps);
                  });
                  steps.add("caller");
                }));
    assertThat(trace.get(5, TimeUnit.SECONDS)).containsExactly("caller", "timer");
  }
}
