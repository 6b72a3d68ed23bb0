package io.faketcp.peer.internal.tcp;

import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.FIN;
import static io.faketcp.peer.internal.tcp.TcpRig.bytes;
import static io.faketcp.peer.internal.tcp.TcpRig.payload;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.packet.TcpSegment;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rules;
import io.faketcp.peer.internal.Counters;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** {@code slow-close} on the endpoint, without a tun: which FIN waits, how long, and what does not wait. */
class SlowCloseTest {
  private static final int WINDOW = 65535;

  @Test
  void theFakeHostsOwnFinLeavesTheDelayLaterWhileItsDataFlowsAtOnce() {
    TcpRig rig = new TcpRig(Mode.DISCARD).faults("slow-close=2s");
    long[] seq = rig.open(40100, WINDOW);
    TcpEndpoint c = rig.endpoint(40100);
    c.send(ByteBuffer.wrap(bytes(100, 1)));
    c.shutdownOutput();
    TcpSegment data = rig.next();
    assertThat(payload(data)).isEqualTo(bytes(100, 1));
    assertThat(data.fin()).as("the data goes at once, without the FIN").isFalse();
    assertThat(rig.sent).isEmpty();

    rig.deliver(rig.from(40100, ACK, seq[0], seq[1] + 100, WINDOW, new byte[0]));
    rig.advance(1990);
    assertThat(rig.sent).as("no FIN before the slow close's 2 s").isEmpty();
    rig.advance(20);
    TcpSegment fin = rig.next();
    assertThat(fin.fin()).isTrue();
    assertThat(fin.sequenceNumber()).as("right after the data").isEqualTo(seq[1] + 100);
    assertThat(rig.sent).isEmpty();

    rig.deliver(rig.from(40100, ACK, seq[0], seq[1] + 101, WINDOW, new byte[0]));
    assertThat(c.state()).isEqualTo(TcpState.FIN_WAIT_2);
    assertThat(rig.faultActions()).containsEntry(Fault.parse("slow-close=2s"), 1L);
  }

  @Test
  void aRetransmissionWhileTheFinWaitsCarriesNoFin() {
    TcpRig rig = new TcpRig(Mode.DISCARD).faults("slow-close=2s");
    long[] seq = rig.open(40101, WINDOW);
    TcpEndpoint c = rig.endpoint(40101);
    c.send(ByteBuffer.wrap(bytes(10, 2)));
    c.shutdownOutput();
    assertThat(rig.next().fin()).isFalse();

    rig.advance(210); // the data is not acknowledged: the RTO (200 ms minimum) resends it
    TcpSegment again = rig.next();
    assertThat(payload(again)).isEqualTo(bytes(10, 2));
    assertThat(again.fin()).as("the held FIN is not sent with the retransmission").isFalse();

    rig.advance(1780);
    assertThat(rig.drain()).as("more retransmissions, none with a FIN").isNotEmpty().noneMatch(TcpSegment::fin);
    rig.advance(20);
    assertThat(rig.drain()).as("at 2 s the FIN goes, with the data still unacknowledged").anyMatch(TcpSegment::fin);
  }

  @Test
  void aPassiveCloseWaitsOnceNotTwice() {
    TcpRig rig = new TcpRig(Mode.ECHO).faults("slow-close=2s");
    long[] seq = rig.open(40102, WINDOW);
    rig.deliver(rig.from(40102, FIN | ACK, seq[0], seq[1], WINDOW, new byte[0]));
    assertThat(rig.drain()).as("nothing acknowledges the host's FIN yet").noneMatch(
        s -> s.fin() || s.acknowledgmentNumber() == seq[0] + 1);
    rig.advance(1990);
    assertThat(rig.drain()).noneMatch(s -> s.fin() || s.acknowledgmentNumber() == seq[0] + 1);
    rig.advance(20);
    TcpSegment fin = rig.next();
    assertThat(fin.fin()).as("the echo's FIN answers at once once the host's FIN is taken").isTrue();
    assertThat(fin.acknowledgmentNumber()).isEqualTo(seq[0] + 1);
  }

  @Test
  void clearingTheFaultSendsAHeldFinAtOnce() {
    TcpRig rig = new TcpRig(Mode.DISCARD).faults("slow-close=10s");
    long[] seq = rig.open(40103, WINDOW);
    TcpEndpoint c = rig.endpoint(40103);
    c.shutdownOutput();
    assertThat(rig.sent).isEmpty();
    rig.advance(100);
    assertThat(rig.sent).isEmpty();

    rig.changeFaults(Rules.of(Mode.DISCARD));
    TcpSegment fin = rig.drain().stream().filter(TcpSegment::fin).findFirst().orElseThrow();
    assertThat(fin.sequenceNumber()).isEqualTo(seq[1]);
  }

  @Test
  void changingTheFaultsKeepsAHeldFinsTime() {
    TcpRig rig = new TcpRig(Mode.DISCARD).faults("slow-close=2s");
    rig.open(40104, WINDOW);
    rig.endpoint(40104).shutdownOutput();
    rig.advance(1000);
    rig.changeFaults(Rules.of(Mode.DISCARD).withFaults("slow-close=2s", "latency=1ms"));
    rig.drain(); // the window update faultsChanged sends
    rig.advance(990);
    assertThat(rig.sent).noneMatch(TcpSegment::fin);
    rig.advance(20);
    assertThat(rig.drain()).anyMatch(TcpSegment::fin);
  }
}
