package io.faketcp.peer;

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
}
