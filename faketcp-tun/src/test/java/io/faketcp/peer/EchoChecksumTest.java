package io.faketcp.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.tun.RequiresTun;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Without checksum offload, ECHO's segments get their checksums from the host's verified ones (the
 * payload's sum follows from the check), not from summing their bytes again: the kernel must find
 * every one right. The host writes odd-sized pieces, so segments of odd lengths are echoed and
 * combined; the namespace's TCP counts no checksum error and every byte comes back. The same through
 * {@link Server#echo()}, whose bytes pass through a server's array and are summed when they leave; a
 * bulk connection's segments leave by gather writes, their payload written from the send queue.
 */
@ExtendWith(RequiresTun.class)
class EchoChecksumTest {

  @ParameterizedTest(name = "MTU {0}")
  @ValueSource(ints = {1500, 65535})
  void theKernelFindsEveryEchoedSegmentsChecksumRight(int mtu) throws Exception {
    echoChecked(mtu == 1500 ? "192.168.91.0/24" : "192.168.92.0/24", mtu, Rules.of(Mode.ECHO));
  }

  @ParameterizedTest(name = "MTU {0}")
  @ValueSource(ints = {1500, 65535})
  void theKernelFindsEverySegmentOfAnEchoServerRight(int mtu) throws Exception {
    echoChecked(mtu == 1500 ? "192.168.93.0/24" : "192.168.94.0/24", mtu,
        Rules.of(Mode.REJECT).with(Rule.of("*", "7", Server.echo())));
  }

  /** 4 MiB in odd-sized pieces to fake host .5's port 7, read back whole, with no checksum error counted. */
  private static void echoChecked(String subnetText, int mtu, Rules rules) throws Exception {
    Subnet subnet = Subnet.parse(subnetText);
    long errorsBefore = tcpCounter("InCsumErrors");
    try (TunDevice tun = TunDevice.builder().subnet(subnet).mtu(mtu).open();
        FakePeer peer = FakePeer.builder(tun).rules(rules).start();
        Socket socket = new Socket(tun.subnet().address(5), 7)) {
      socket.setSoTimeout(10_000);
      socket.setTcpNoDelay(true);
      byte[] data = new byte[4 << 20];
      for (int i = 0; i < data.length; i++) {
        data[i] = (byte) (i * 131 + i / 4093);
      }
      OutputStream out = socket.getOutputStream();
      var written = ServerTest.inThread("writer", () -> {
        for (int i = 0, piece = 1; i < data.length; i += piece, piece = piece % 70_001 + 2_999) {
          out.write(data, i, Math.min(piece, data.length - i)); // odd and even sizes, 1 to about 70,000 bytes
        }
      });
      InputStream in = socket.getInputStream();
      byte[] back = in.readNBytes(data.length);
      written.get(10, TimeUnit.SECONDS);

      assertThat(java.util.Arrays.mismatch(back, data)).as("first byte that differs").isEqualTo(-1);
      assertThat(tcpCounter("InCsumErrors") - errorsBefore).as("segments the kernel found a bad checksum in").isZero();
      assertThat(peer.failure()).isEmpty();
    }
  }

  /** A counter of the {@code Tcp:} lines of this namespace's /proc/net/snmp. */
  static long tcpCounter(String name) throws Exception {
    List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
    for (int i = 0; i + 1 < lines.size(); i++) {
      if (lines.get(i).startsWith("Tcp:") && lines.get(i + 1).startsWith("Tcp:")) {
        List<String> names = List.of(lines.get(i).split(" "));
        return Long.parseLong(lines.get(i + 1).split(" ")[names.indexOf(name)]);
      }
    }
    throw new AssertionError("no Tcp: lines in /proc/net/snmp");
  }
}
