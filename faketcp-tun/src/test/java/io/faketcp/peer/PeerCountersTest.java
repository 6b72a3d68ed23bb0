package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.peer.internal.Counters;
import java.lang.reflect.RecordComponent;
import org.junit.jupiter.api.Test;

/** The snapshot record: every counter lands in its own component, and snapshots are values. No tun. */
class PeerCountersTest {

  @Test
  void eachCounterLandsInItsOwnComponentInOrder() throws Exception {
    Counters counters = new Counters();
    RecordComponent[] components = PeerCounters.class.getRecordComponents();
    for (int i = 0; i < components.length; i++) {
      counters.add(i, 100 + i);
    }
    PeerCounters c = FakePeer.snapshot(counters);
    for (int i = 0; i < components.length; i++) {
      assertThat(components[i].getAccessor().invoke(c)).as(components[i].getName()).isEqualTo(100L + i);
    }
    assertThat(c.packetsIn()).isEqualTo(100 + Counters.PACKETS_IN);
    assertThat(c.synReceived()).isEqualTo(100 + Counters.SYN_RECEIVED);
    assertThat(c.writeErrors()).isEqualTo(100 + Counters.WRITE_ERRORS);
    assertThat(c.retransmissions()).isEqualTo(100 + Counters.RETRANSMISSIONS);
    assertThat(c.aborted()).isEqualTo(100 + Counters.ABORTED);
    assertThat(c.faultActions()).isEqualTo(100 + Counters.FAULT_ACTIONS);
    assertThat(c.faultDrops()).isEqualTo(100 + Counters.FAULT_DROPS);
    assertThat(c.toString()).startsWith("packets in 100 (102 bytes), out 101 (103 bytes), bad 104,")
        .endsWith("retransmissions 115, aborted 116, fault actions 117 (drops 118)");
    assertThat(FakePeer.snapshot(new Counters()).toString()).as("no faults, no fault part").endsWith("aborted 0");
  }

  @Test
  void snapshotsWithTheSameCountsAreEqual() {
    Counters counters = new Counters();
    counters.increment(Counters.ESTABLISHED);
    PeerCounters first = FakePeer.snapshot(counters);
    assertThat(FakePeer.snapshot(counters)).isEqualTo(first).hasSameHashCodeAs(first);
    counters.increment(Counters.ESTABLISHED);
    assertThat(FakePeer.snapshot(counters)).isNotEqualTo(first);
    assertThat(first.established()).as("a snapshot does not move").isEqualTo(1);
  }
}
