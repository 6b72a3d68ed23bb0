package io.faketcp.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.peer.FakePeer;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rules;
import io.faketcp.tun.TunDevice;
import java.net.Socket;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The guide's checksum offload example (docs/performance.md), run: 64 KiB echoed through an offloading device. */
class ChecksumOffloadEchoTest {

  @Test
  void aDeviceWithChecksumOffloadEchoesEveryByte() throws Exception {
    byte[] sent = new byte[64 * 1024];
    new Random(1).nextBytes(sent);
    // tag::checksum-offload[]
    try (TunDevice tun = TunDevice.builder().mtu(65535).checksumOffload(true).open();
         FakePeer peer = FakePeer.builder(tun).rules(Rules.of(Mode.ECHO)).start();
         Socket socket = new Socket(tun.subnet().address(5), 7)) {   // 192.168.0.5:7 echoes
      assertThat(tun.checksumOffload()).isTrue();
      socket.getOutputStream().write(sent);                          // no checksum summed on either side
      assertThat(socket.getInputStream().readNBytes(sent.length)).isEqualTo(sent);
    }
    // end::checksum-offload[]
  }
}
