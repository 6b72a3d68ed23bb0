package io.faketcp.peer;

import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A device and a peer for one test, recording the packets the peer writes. */
final class PeerFixture implements AutoCloseable {
  final TunDevice device;
  final FakePeer peer;
  final List<byte[]> sent = new CopyOnWriteArrayList<>();
  final List<byte[]> received = new CopyOnWriteArrayList<>();

  PeerFixture(Rules rules) {
    this(rules, null);
  }

  PeerFixture(Rules rules, Responder responder) {
    device = TunDevice.builder().subnet(Subnet.DEFAULT).open();
    peer = FakePeer.builder(device).rules(rules).responder(responder).listener(this::record).start();
  }

  private void record(Direction direction, ByteBuffer packet) {
    byte[] bytes = new byte[packet.remaining()];
    packet.duplicate().get(bytes);
    (direction == Direction.FROM_PEER ? sent : received).add(bytes);
  }

  String address(int n) {
    return device.subnet().address(n).getHostAddress();
  }

  @Override
  public void close() {
    peer.close();
    device.close();
  }
}
