package io.faketcp.peer.internal.timing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The bounds the arrival clock gives the timing faults, from the peer loop's calls. No tun needed. */
class ArrivalClockTest {
  @Test
  void packetsReadAfterAnEmptyReadArrivedNoEarlierThanIt() {
    ArrivalClock clock = new ArrivalClock();
    clock.enable(true);
    clock.empty(1_000);
    clock.parked();
    long read = System.nanoTime();
    clock.packetRead();
    assertThat(clock.queuedSince()).as("the link may count from the empty read").isEqualTo(1_000);
    assertThat(clock.arrivedBy()).as("after a park only its read is sure").isBetween(read, System.nanoTime());
    clock.packetRead();
    clock.packetRead();
    assertThat(clock.queuedSince()).as("a backlog read in one go: still since the empty read").isEqualTo(1_000);
  }

  @Test
  void theNextEmptyReadStartsAgainButKeepsTheBoundsOfWhatWasReadUntilTheNextPacket() {
    ArrivalClock clock = new ArrivalClock();
    clock.enable(true);
    clock.empty(1_000);
    clock.packetRead();
    clock.empty(5_000);
    assertThat(clock.queuedSince()).as("answers sent after the batch still belong to it").isEqualTo(1_000);
    clock.packetRead();
    assertThat(clock.queuedSince()).isEqualTo(5_000);
  }

  @Test
  void aWaitThatTimedOutGivesNoEarlierArrivalAndAPacketThatEndedOneAtMostTheWake() {
    ArrivalClock clock = new ArrivalClock();
    clock.enable(true);
    long before = System.nanoTime();
    clock.waiting();
    clock.woke(false, 1_000_000, false);
    long read = System.nanoTime();
    clock.packetRead();
    assertThat(clock.arrivedBy()).as("nothing was readable: only its read is sure").isBetween(read, System.nanoTime());
    assertThat(clock.queuedSince()).isBetween(before, System.nanoTime());

    clock.waiting();
    long waited = System.nanoTime();
    clock.woke(true, -1, false);
    long woke = System.nanoTime();
    clock.packetRead();
    long by = clock.arrivedBy();
    assertThat(by - waited >= 0 && System.nanoTime() - by >= 0)
        .as("the packet that ended the wait came within it, or before its read (%d, %d, %d)", waited, by, woke).isTrue();
    read = System.nanoTime();
    clock.packetRead();
    assertThat(clock.arrivedBy()).as("the next one may have come later: by its read").isBetween(read, System.nanoTime());

    clock.waiting();
    clock.woke(true, -1, true);
    read = System.nanoTime();
    clock.packetRead();
    assertThat(clock.arrivedBy()).as("a task may have ended the wait: by its read").isBetween(read, System.nanoTime());
    clock.close();
  }

  @Test
  void enablingForgetsWhatCameBefore() {
    ArrivalClock clock = new ArrivalClock();
    long before = System.nanoTime();
    clock.enable(true);
    clock.packetRead();
    assertThat(clock.queuedSince()).as("nothing before the fault was set counts").isGreaterThanOrEqualTo(before);
  }

  // ---- the wake-up estimate against what the kernel would count (a scripted thread) -------------

  @Test
  void aPreemptionBetweenTheCountersReadsBeforeAWaitNeverMovesTheArrivalBeforeThePacket() {
    // CliTest once saw ping time=99.4 ms through latency=100ms: the peer thread, preempted for 5 ms
    // between reading its run delay and its context switches, counted that wait as the wake-up's
    ScriptedThread thread = new ScriptedThread();
    ArrivalClock clock = new ArrivalClock(thread);
    clock.enable(true);
    thread.afterRead(1, () -> thread.preempted(5_000_000));
    clock.waiting();
    long arrival = thread.pollSleeps(2_000_000, 100_000);
    clock.woke(true, -1, false);
    clock.packetRead();
    assertThat(clock.arrivedBy()).as("the packet arrived at %d", arrival).isGreaterThanOrEqualTo(arrival);
  }

  @Test
  void aSleepBeforeTheWaitWhoseWakeUpAPacketOvertookNeverMovesTheArrivalBeforeThePacket() {
    // a safepoint on the way back from the second counter's read: the thread sleeps 1 ms, then waits 4 ms
    // for a core; a packet comes 2 ms into that, so that poll returns at once, having never slept
    ScriptedThread thread = new ScriptedThread();
    ArrivalClock clock = new ArrivalClock(thread);
    clock.enable(true);
    long[] arrival = new long[1];
    thread.afterRead(2, () -> arrival[0] = thread.slept(1_000_000, 4_000_000, 2_000_000));
    clock.waiting();
    thread.pollReturnsAtOnce();
    clock.woke(true, -1, false);
    clock.packetRead();
    assertThat(clock.arrivedBy()).as("the packet arrived at %d", arrival[0]).isGreaterThanOrEqualTo(arrival[0]);
  }

  @Test
  void aCleanWakeByAPacketCountsFromTheWakeUpNotFromTheRead() {
    ScriptedThread thread = new ScriptedThread();
    ArrivalClock clock = new ArrivalClock(thread);
    clock.enable(true);
    clock.waiting();
    long arrival = thread.pollSleeps(2_000_000, 3_000_000); // woken by the packet, 3 ms waiting for a core
    clock.woke(true, -1, false);
    clock.packetRead();
    assertThat(clock.arrivedBy()).as("the wake-up, not the read 3 ms later").isEqualTo(arrival);

    clock.empty(thread.now);
    clock.waiting();
    thread.preempted(1_000_000); // between the reads and the poll
    arrival = thread.pollSleeps(2_000_000, 3_000_000);
    clock.woke(true, -1, false);
    clock.packetRead();
    assertThat(clock.arrivedBy()).as("preempted meanwhile: only the read is sure").isEqualTo(thread.now);
    assertThat(clock.arrivedBy()).isGreaterThan(arrival);
  }

  /**
   * A thread's clock and counters as Linux would show them, moved by the test: a sleep counts a
   * voluntary switch and a preemption an involuntary one, and the wait for a core after either counts
   * in the run delay once the thread runs again. An event may happen right after the n-th reading
   * of a counter (not the clock) from then on.
   */
  private static final class ScriptedThread extends ThreadCounters {
    long now = 1_000_000_000L;
    private long runDelay;
    private long voluntary;
    private long involuntary;
    private long voluntaryRead;
    private long involuntaryRead;
    private int readings;
    private int eventAfter = -1;
    private Runnable event;

    void afterRead(int n, Runnable what) {
      readings = 0;
      eventAfter = n;
      event = what;
    }

    private void reading() {
      if (++readings == eventAfter) {
        event.run();
      }
    }

    /** Preempted: waits {@code nanos} for a core. */
    void preempted(long nanos) {
      involuntary++;
      now += nanos;
      runDelay += nanos;
    }

    /** Sleeps {@code sleep}, then waits {@code forCore}; a packet arrives {@code packetAfter} into that wait: its time. */
    long slept(long sleep, long forCore, long packetAfter) {
      voluntary++;
      now += sleep;
      long packet = now + packetAfter;
      now += forCore;
      runDelay += forCore;
      return packet;
    }

    /** Poll sleeps until a packet arrives {@code after} from now, then the thread waits {@code forCore}: the packet's time. */
    long pollSleeps(long after, long forCore) {
      return slept(after, forCore, 0);
    }

    /** A packet is there already: poll returns after 10 µs. */
    void pollReturnsAtOnce() {
      now += 10_000;
    }

    @Override
    long nanoTime() {
      return now;
    }

    @Override
    boolean readSwitches() {
      voluntaryRead = voluntary;
      involuntaryRead = involuntary;
      reading();
      return true;
    }

    @Override
    long voluntary() {
      return voluntaryRead;
    }

    @Override
    long involuntary() {
      return involuntaryRead;
    }

    @Override
    long runDelay() {
      long d = runDelay;
      reading();
      return d;
    }

    @Override
    void close() {}
  }
}
