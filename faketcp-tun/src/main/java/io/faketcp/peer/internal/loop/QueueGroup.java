package io.faketcp.peer.internal.loop;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The fake peers on the queues of one multi-queue tun device (each by its {@link PacketDispatch}), in the
 * order they joined, handing each other the segments the kernel steered to a queue whose peer does not
 * know their connection.
 *
 * <p>Each peer keeps the connections it opened. The kernel sends a flow's packets to the queue
 * that last wrote for the flow (its flow table, {@code tun_flow_update}), else to a queue chosen by
 * the flow's hash. A connection the host opens goes to the hashed queue, whose peer answers and so
 * keeps it there. A connection a peer opens (connect-many) does not: the host's SYN+ACK is sent
 * while the kernel is still handling our SYN, before the flow table learns the queue, so it goes to
 * the hashed queue; and a flow entry expires after 3 s in which the peer wrote nothing for the flow.
 * Such a segment goes round the other queues' peers; the first that knows the connection handles it
 * (its answer moves the flow to its queue), and when none does, the last answers as a host with no
 * such connection (RST).
 */
final class QueueGroup {
  private final List<PacketDispatch> peers = new CopyOnWriteArrayList<>();

  void join(PacketDispatch peer) {
    peers.add(peer);
  }

  /**
   * Hands the packet in {@code packet[offset, offset + length)} (copied) to the peer after
   * {@code from}; {@code missedBy} peers, {@code from} the last, did not know its connection.
   *
   * @return false when every peer has had it already, or the next one is not running
   */
  boolean handOver(PacketDispatch from, ByteBuffer packet, int offset, int length, int missedBy) {
    int size = peers.size();
    if (missedBy >= size) {
      return false;
    }
    byte[] copy = new byte[length];
    packet.get(offset, copy);
    PacketDispatch next = peers.get((peers.indexOf(from) + 1) % size);
    return next.handedOver(copy, missedBy);
  }
}
