package io.faketcp.peer.internal.tcp;

import static io.faketcp.packet.TcpSegment.ACK;
import static io.faketcp.packet.TcpSegment.RST;
import static io.faketcp.peer.internal.tcp.TcpRig.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.peer.Mode;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A recycled endpoint (connect-many reuses closed ones instead of allocating) must be exactly a new
 * one: every field of the endpoint and of its halves, as the constructor leaves it. No tun.
 */
class TcpEndpointRecycleTest {
  /** The layers of an endpoint, and the estimator it owns: its state, compared field by field. */
  private static final Set<Class<?>> PARTS = Set.of(TcpEndpoint.class, TcpSender.class, TcpReceiver.class,
      RttEstimator.class, ReceiveWindow.class, Timestamps.class, LossRecovery.class, LossWindow.class,
      ResentHoles.class);

  @Test
  void aRecycledEndpointIsFieldForFieldANewOne() throws Exception {
    TcpRig rig = new TcpRig(Mode.ECHO);
    long[] seq = rig.open(40200, 65535);
    rig.deliver(rig.from(40200, ACK, seq[0], seq[1], 65535, bytes(3000, 1))); // echoed: queue, RTT, SND.* move
    rig.deliver(rig.from(40200, ACK, seq[0] + 4000, seq[1], 65535, bytes(500, 2))); // after a gap: reassembly
    rig.deliver(rig.sacking(40200, ACK, seq[0] + 3000, seq[1] + 1460, 65535, new byte[0], seq[1] + 2920,
        seq[1] + 3000)); // a SACK block: the scoreboard
    rig.advance(300); // a timeout: the loss window opens
    TcpEndpoint used = rig.endpoint(40200);
    rig.deliver(rig.from(40200, RST, seq[0] + 3000, 0, 0, new byte[0]));
    assertThat(used.state()).isEqualTo(TcpState.CLOSED);
    assertThat(used.recyclable()).isTrue();

    used.begin(TcpRig.HOST, 9, TcpRig.FAKE_HOST, 10);
    TcpEndpoint fresh = new TcpEndpoint(rig.tcp, TcpRig.HOST, 9, TcpRig.FAKE_HOST, 10);
    assertSameState(used, fresh, "endpoint");
    assertThat(used.queued()).isFalse();
  }

  private static void assertSameState(Object used, Object fresh, String path) throws IllegalAccessException {
    for (Class<?> layer = used.getClass(); PARTS.contains(layer); layer = layer.getSuperclass()) {
      compareFields(layer, used, fresh, path);
    }
  }

  private static void compareFields(Class<?> layer, Object used, Object fresh, String path)
      throws IllegalAccessException {
    for (Field f : layer.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) || f.getName().equals("context") || f.getName().equals("sender")) {
        continue; // constants, the context an endpoint keeps for life, the endpoint a part belongs to
      }
      f.setAccessible(true);
      Object a = f.get(used);
      Object b = f.get(fresh);
      if (a != null && PARTS.contains(a.getClass())) {
        assertThat(a).as("%s.%s is the endpoint's own", path, f.getName()).isNotSameAs(b);
        assertSameState(a, b, path + "." + f.getName());
      } else {
        assertThat(a).as("%s.%s after recycling", path, f.getName()).isEqualTo(b);
      }
    }
  }
}
