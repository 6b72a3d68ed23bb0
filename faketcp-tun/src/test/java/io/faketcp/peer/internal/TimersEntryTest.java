package io.faketcp.peer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fault deadlines share the connections' timer heap: entries of any kind fire in time order. No tun. */
class TimersEntryTest {

  private static final class Mark extends Timers.Entry {
    final String name;
    final List<String> fired;
    boolean done;

    Mark(String name, List<String> fired) {
      this.name = name;
      this.fired = fired;
    }

    @Override
    protected void timerExpired(long now) {
      fired.add(name);
    }

    @Override
    protected boolean finished() {
      return done;
    }
  }

  @Test
  void entriesFireInTimeOrderAndThoseDueTogetherInArmingOrder() {
    Timers timers = new Timers();
    List<String> fired = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      timers.arm(new Mark("same-" + i, fired), 100);
    }
    timers.arm(new Mark("early", fired), 50);
    timers.arm(new Mark("late", fired), 200);
    assertThat(timers.next()).isEqualTo(50);
    timers.fire(99);
    assertThat(fired).containsExactly("early");
    timers.fire(150);
    assertThat(fired).hasSize(21).element(1).isEqualTo("same-0");
    assertThat(fired.subList(1, 21)).as("delayed packets due together leave in order")
        .isSortedAccordingTo((a, b) -> Integer.compare(Integer.parseInt(a.substring(5)), Integer.parseInt(b.substring(5))));
    assertThat(timers.next()).isEqualTo(200);
  }

  @Test
  void aFinishedEntryIsDroppedWithoutFiringAndACancelledOneLeavesAtOnce() {
    Timers timers = new Timers();
    List<String> fired = new ArrayList<>();
    Mark finished = new Mark("finished", fired);
    Mark cancelled = new Mark("cancelled", fired);
    timers.arm(finished, 10);
    timers.arm(cancelled, 20);
    finished.done = true;
    timers.cancel(cancelled);
    assertThat(timers.size()).isEqualTo(1);
    timers.fire(100);
    assertThat(fired).isEmpty();
    assertThat(timers.size()).isZero();
    assertThat(timers.next()).isEqualTo(Long.MAX_VALUE);
  }
}
