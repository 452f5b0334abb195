package dev.spillway.backends.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

  private Vertx vertx;
  private Context home;
  private Context other;
  private Context third;
  private SerialExecutor executor;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(3));
    // Contexts are dealt to the pool's loops in turn: three contexts, three threads.
    home = ((VertxInternal) vertx).createEventLoopContext();
    other = ((VertxInternal) vertx).createEventLoopContext();
    third = ((VertxInternal) vertx).createEventLoopContext();
    executor = new SerialExecutor(home);
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Thread threadOf(Context context) throws Exception {
    CompletableFuture<Thread> thread = new CompletableFuture<>();
    context.runOnContext(v -> thread.complete(Thread.currentThread()));
    return thread.get(5, TimeUnit.SECONDS);
  }

  @Test
  void anIdleExecutorRunsTheTaskOnThePostingLoopBeforeReturning() throws Exception {
    Thread otherThread = threadOf(other);
    assertThat(otherThread).isNotEqualTo(threadOf(home));
    CompletableFuture<List<Object>> trace = new CompletableFuture<>();
    other.runOnContext(
        v -> {
          List<Object> steps = new ArrayList<>();
          steps.add("before");
          executor.execute(() -> steps.add(Thread.currentThread()));
          steps.add("after");
          trace.complete(steps);
        });
    assertThat(trace.get(5, TimeUnit.SECONDS)).containsExactly("before", otherThread, "after");
  }

  @Test
  void aThreadThatIsNoEventLoopHandsItsTasksToTheHomeLoop() throws Exception {
    Thread homeThread = threadOf(home);
    CompletableFuture<Thread> ranOn = new CompletableFuture<>();
    executor.execute(() -> ranOn.complete(Thread.currentThread()));
    assertThat(ranOn.get(5, TimeUnit.SECONDS)).isEqualTo(homeThread);
  }

  @Test
  void aTaskPostedFromARunningTaskRunsInline() throws Exception {
    CompletableFuture<List<String>> trace = new CompletableFuture<>();
    other.runOnContext(
        v ->
            executor.execute(
                () -> {
                  List<String> steps = new ArrayList<>();
                  steps.add("outer before");
                  executor.execute(() -> steps.add("inner"));
                  steps.add("outer after");
                  trace.complete(steps);
                }));
    assertThat(trace.get(5, TimeUnit.SECONDS))
        .containsExactly("outer before", "inner", "outer after");
  }

  @Test
  void neverRunsTwoTasksAtOnceAndKeepsEachPostersOrder() throws Exception {
    int perPoster = 20_000;
    List<Context> posters = List.of(home, other, third);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    long[] total = new long[1]; // written by the tasks only: safe if and only if they are serial
    int[][] seen = new int[posters.size()][perPoster];
    int[] count = new int[posters.size()];
    CountDownLatch done = new CountDownLatch(1);
    CountDownLatch start = new CountDownLatch(1);
    for (int p = 0; p < posters.size(); p++) {
      int poster = p;
      posters.get(p).runOnContext(
          v -> {
            try {
              start.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            for (int i = 0; i < perPoster; i++) {
              int n = i;
              executor.execute(
                  () -> {
                    if (running.incrementAndGet() != 1) {
                      overlaps.incrementAndGet();
                    }
                    seen[poster][count[poster]++] = n;
                    if (++total[0] == (long) perPoster * posters.size()) {
                      done.countDown();
                    }
                    running.decrementAndGet();
                  });
            }
          });
    }
    start.countDown();
    assertThat(done.await(20, TimeUnit.SECONDS)).as("every task ran").isTrue();
    assertThat(overlaps).as("tasks that ran while another was running").hasValue(0);
    for (int p = 0; p < posters.size(); p++) {
      for (int i = 0; i < perPoster; i++) {
        assertThat(seen[p][i]).as("poster %d, task %d", p, i).isEqualTo(i);
      }
    }
  }

  @Test
  void aLoopThatDrainedItsLimitLeavesTheRestToTheHomeLoop() throws Exception {
    Thread otherThread = threadOf(other);
    Thread homeThread = threadOf(home);
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // The other loop claims the executor and holds it while this thread queues a backlog behind it.
    other.runOnContext(
        v ->
            executor.execute(
                () -> {
                  holding.countDown();
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }));
    assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
    int backlog = SerialExecutor.DRAIN_LIMIT * 2;
    List<Thread> ranOn = new ArrayList<>(); // appended by the tasks only, one at a time
    CountDownLatch done = new CountDownLatch(backlog);
    for (int i = 0; i < backlog; i++) {
      executor.execute(
          () -> {
            ranOn.add(Thread.currentThread());
            done.countDown();
          });
    }
    release.countDown();
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<List<Thread>> copy = new CompletableFuture<>();
    executor.execute(() -> copy.complete(List.copyOf(ranOn)));
    List<Thread> threads = copy.get(5, TimeUnit.SECONDS);
    // The holding task counted as one of the other loop's drain.
    assertThat(threads.subList(0, SerialExecutor.DRAIN_LIMIT - 1)).containsOnly(otherThread);
    assertThat(threads.subList(SerialExecutor.DRAIN_LIMIT - 1, backlog)).containsOnly(homeThread);
  }

  @Test
  void aFailingTaskDoesNotStrandTheTasksBehindIt() throws Exception {
    home.exceptionHandler(e -> {});
    CompletableFuture<String> after = new CompletableFuture<>();
    other.runOnContext(
        v -> {
          executor.execute(
              () -> {
                throw new IllegalStateException("boom");
              });
          executor.execute(() -> after.complete("ran"));
        });
    assertThat(after.get(5, TimeUnit.SECONDS)).isEqualTo("ran");
  }

  @Test
  void refusesAWorkerContext() {
    Context worker = ((VertxInternal) vertx).createWorkerContext();
    assertThatThrownBy(() -> new SerialExecutor(worker))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: an event-loop context");
  }
}
