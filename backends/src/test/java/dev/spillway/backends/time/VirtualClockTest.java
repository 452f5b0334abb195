package dev.spillway.backends.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VirtualClockTest {

  @Test
  void runsEventsInTimeOrderAndJumpsBetweenThem() {
    VirtualClock clock = new VirtualClock();
    List<String> log = new ArrayList<>();
    clock.schedule(300, () -> log.add("c@" + clock.nanoTime()));
    clock.schedule(100, () -> log.add("a@" + clock.nanoTime()));
    clock.schedule(200, () -> log.add("b@" + clock.nanoTime()));
    clock.run();
    assertThat(log).containsExactly("a@100", "b@200", "c@300");
    assertThat(clock.nanoTime()).isEqualTo(300);
  }

  @Test
  void sameInstantEventsRunInSchedulingOrder() {
    VirtualClock clock = new VirtualClock();
    List<Integer> log = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      clock.schedule(50, () -> log.add(n));
    }
    clock.run();
    assertThat(log).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void cancelledEventsDoNotRunAndPastTimesRunNow() {
    VirtualClock clock = new VirtualClock(1_000);
    List<String> log = new ArrayList<>();
    Clock.Timer timer = clock.schedule(2_000, () -> log.add("cancelled"));
    clock.schedule(10, () -> log.add("late@" + clock.nanoTime()));
    timer.cancel();
    clock.run();
    assertThat(log).containsExactly("late@1000");
  }

  @Test
  void eventsScheduledWhileRunningAreRunToo() {
    VirtualClock clock = new VirtualClock();
    List<Long> log = new ArrayList<>();
    clock.schedule(10, () -> clock.scheduleAfter(5, () -> log.add(clock.nanoTime())));
    clock.run();
    assertThat(log).containsExactly(15L);
  }

  @Test
  void runUntilStopsAtTheHorizonAndAdvancesTime() {
    VirtualClock clock = new VirtualClock();
    List<Long> log = new ArrayList<>();
    clock.schedule(10, () -> log.add(10L));
    clock.schedule(30, () -> log.add(30L));
    clock.runUntil(20);
    assertThat(log).containsExactly(10L);
    assertThat(clock.nanoTime()).isEqualTo(20);
    assertThat(clock.pending()).isEqualTo(1);
  }

  @Test
  void eventsForTheCurrentInstantRunAfterThoseAlreadyDueThenAndBeforeLaterOnes() {
    VirtualClock clock = new VirtualClock();
    List<String> log = new ArrayList<>();
    clock.schedule(100, () -> {
      log.add("a");
      clock.schedule(100, () -> log.add("d"));
      clock.schedule(0, () -> {
        log.add("e");
        clock.schedule(100, () -> log.add("g"));
      });
    });
    clock.schedule(100, () -> log.add("b"));
    clock.schedule(100, () -> {
      log.add("c");
      clock.schedule(150, () -> log.add("h"));
      clock.schedule(100, () -> log.add("f"));
    });
    clock.schedule(200, () -> log.add("i"));

    clock.run();

    assertThat(log).containsExactly("a", "b", "c", "d", "e", "f", "g", "h", "i");
  }

  @Test
  void runNextRunsOneEventAtATime() {
    VirtualClock clock = new VirtualClock();
    List<Long> log = new ArrayList<>();
    clock.schedule(30, () -> log.add(clock.nanoTime()));
    clock.schedule(10, () -> log.add(clock.nanoTime()));

    assertThat(clock.runNext()).isTrue();
    assertThat(log).containsExactly(10L);
    assertThat(clock.runNext()).isTrue();
    assertThat(clock.runNext()).isFalse();
    assertThat(log).containsExactly(10L, 30L);
  }

  @Test
  void manyEventsRunInTimeThenSchedulingOrderWhateverOrderTheyCameIn() {
    VirtualClock clock = new VirtualClock();
    SplittableRandom random = new java.util.SplittableRandom(3);
    List<long[]> expected = new ArrayList<>();
    List<long[]> ran = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      long at = random.nextLong(200);
      long[] event = {at, i};
      expected.add(event);
      clock.schedule(at, () -> ran.add(event));
    }
    expected.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));

    clock.run();

    assertThat(ran).containsExactlyElementsOf(expected);
  }
}
