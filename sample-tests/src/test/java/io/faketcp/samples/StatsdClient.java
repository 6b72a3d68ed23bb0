package io.faketcp.samples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/**
 * Application code: a StatsD client that sends each metric as one UDP datagram ({@code name:value|c},
 * {@code name:value|ms}) on a connected {@link DatagramChannel}, fire and forget. It counts what it
 * could not send: a refused datagram (ICMP port unreachable, seen by the next send on the connected
 * channel) is counted, not thrown, as StatsD clients do.
 */
final class StatsdClient implements AutoCloseable {
  private final DatagramChannel channel;
  private long refused;

  StatsdClient(InetSocketAddress server) throws IOException {
    this.channel = DatagramChannel.open();
    channel.connect(server);
  }

  void count(String name, long delta) throws IOException {
    send(name + ":" + delta + "|c");
  }

  void time(String name, long millis) throws IOException {
    send(name + ":" + millis + "|ms");
  }

  private void send(String line) throws IOException {
    try {
      channel.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
    } catch (PortUnreachableException e) {
      refused++; // an earlier datagram was refused; this one was not sent
    }
  }

  /** How many sends found the server refusing (ICMP port unreachable for an earlier datagram). */
  long refused() {
    return refused;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
