package io.faketcp.junit5.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The record-keeping both captures share: the limit, the counts, and waits that end when they should. */
class KeptPacketsTest {
  private static final byte[] PACKET = {0x45, 0, 0, 20};

  @Test
  void keepsUpToTheLimitAndCountsTheRest() {
    KeptPackets kept = new KeptPackets(() -> true);
    kept.limit(2);
    kept.add(PACKET, 1, true);
    kept.add(PACKET, 2, false);
    kept.add(PACKET, 3, true);

    assertThat(kept.total()).isEqualTo(3);
    assertThat(kept.overLimit()).isEqualTo(1);
    assertThat(kept.records()).extracting(CaptureRecord::epochNanos).containsExactly(1L, 2L);
    assertThat(kept.records()).extracting(CaptureRecord::toSubnet).containsExactly(true, false);

    kept.records().clear();
    assertThat(kept.records()).as("records() is a copy").hasSize(2);

    kept.clear();
    assertThat(kept.records()).isEmpty();
    assertThat(kept.overLimit()).isZero();
    assertThat(kept.total()).as("the total survives a clear").isEqualTo(3);
    kept.add(PACKET, 4, true);
    assertThat(kept.records()).hasSize(1);
  }

  @Test
  void aWaitEndsWhenAnotherThreadAddsEnough() throws InterruptedException {
    KeptPackets kept = new KeptPackets(() -> true);
    kept.limit(10);
    assertThat(waitWhile(kept, 2, () -> {
      kept.add(PACKET, 1, true);
      kept.add(PACKET, 2, true);
    })).isTrue();
  }

  @Test
  void aWaitEndsAtTheDeadlineOrAtOnceWhenTheSourceIsNotLive() {
    KeptPackets live = new KeptPackets(() -> true);
    long start = System.nanoTime();
    assertThat(live.awaitTotal(1, TimeUnit.MILLISECONDS.toNanos(100))).isFalse();
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));

    KeptPackets dead = new KeptPackets(() -> false);
    dead.limit(1);
    start = System.nanoTime();
    assertThat(dead.awaitTotal(1, TimeUnit.SECONDS.toNanos(10))).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    dead.add(PACKET, 1, true);
    assertThat(dead.awaitTotal(1, 0)).as("what was added counts even once the source stopped").isTrue();
  }

  @Test
  void wakingTheWaitersEndsAWaitOnASourceThatJustStopped() throws InterruptedException {
    AtomicBoolean live = new AtomicBoolean(true);
    KeptPackets kept = new KeptPackets(live::get);
    assertThat(waitWhile(kept, 1, () -> {
      live.set(false);
      kept.wakeWaiters();
    })).isFalse();
  }

  /**
   * Waits (10 s at most) for {@code count} packets while another thread runs {@code action} 50 ms
   * later; the wait must end well before its timeout, by a wake-up rather than the deadline.
   */
  private static boolean waitWhile(KeptPackets kept, long count, Runnable action) throws InterruptedException {
    Thread other = new Thread(() -> {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      action.run();
    });
    other.start();
    long start = System.nanoTime();
    boolean reached;
    try {
      reached = kept.awaitTotal(count, TimeUnit.SECONDS.toNanos(10));
    } finally {
      other.join();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    return reached;
  }
}
