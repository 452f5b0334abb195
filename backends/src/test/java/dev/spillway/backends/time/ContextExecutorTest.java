package dev.spillway.backends.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
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

class ContextExecutorTest {

  private Vertx vertx;
  private Context loop;
  private ContextExecutor executor;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    loop = ((VertxInternal) vertx).createEventLoopContext();
    executor = new ContextExecutor(loop);
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private Thread loopThread() throws Exception {
    CompletableFuture<Thread> thread = new CompletableFuture<>();
    loop.runOnContext(v -> thread.complete(Thread.currentThread()));
    return thread.get(5, TimeUnit.SECONDS);
  }

  @Test
  void runsTasksFromAnotherThreadOnTheLoopInTheOrderPosted() throws Exception {
    Thread expected = loopThread();
    List<Integer> seen = new ArrayList<>(); // written on the loop only
    AtomicInteger offLoop = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(1);
    for (int i = 0; i < 10_000; i++) {
      int n = i;
      executor.execute(
          () -> {
            if (Thread.currentThread() != expected) {
              offLoop.incrementAndGet();
            }
            seen.add(n);
            if (n == 9_999) {
              done.countDown();
            }
          });
    }
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(offLoop).hasValue(0);
    CompletableFuture<List<Integer>> copy = new CompletableFuture<>();
    loop.runOnContext(v -> copy.complete(List.copyOf(seen)));
    List<Integer> order = copy.get(5, TimeUnit.SECONDS);
    assertThat(order).hasSize(10_000);
    for (int i = 0; i < order.size(); i++) {
      assertThat(order.get(i)).isEqualTo(i);
    }
  }

  @Test
  void runsInlineWhenCalledOnItsOwnLoop() throws Exception {
    CompletableFuture<List<String>> trace = new CompletableFuture<>();
    loop.runOnContext(
        v -> {
          List<String> steps = new ArrayList<>();
          steps.add("before");
          executor.execute(() -> steps.add("task"));
          steps.add("after");
          trace.complete(steps);
        });
    assertThat(trace.get(5, TimeUnit.SECONDS)).containsExactly("before", "task", "after");
    assertThat(executor.inLoop()).isFalse();
  }

  @Test
  void aFailingTaskDoesNotStrandTheTasksBehindIt() throws Exception {
    loop.exceptionHandler(e -> {});
    CompletableFuture<String> after = new CompletableFuture<>();
    executor.execute(
        () -> {
          throw new IllegalStateException("boom");
        });
    executor.execute(() -> after.complete("ran"));
    assertThat(after.get(5, TimeUnit.SECONDS)).isEqualTo("ran");
  }

  @Test
  void refusesAWorkerContext() {
    Context worker = ((VertxInternal) vertx).createWorkerContext();
    assertThatThrownBy(() -> new ContextExecutor(worker))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: an event-loop context");
  }
}
