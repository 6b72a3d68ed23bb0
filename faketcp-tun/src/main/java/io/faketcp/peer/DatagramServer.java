package io.faketcp.peer;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * User code that serves the UDP datagrams a fake host receives, the datagram counterpart of
 * {@link Server}: look at the datagram, reply (or not).
 *
 * <pre>{@code
 * Rule.udp("192.168.0.5", "9999", datagram -> datagram.reply(("pong " + datagram.text()).getBytes()));
 * Rule.udp("192.168.0.6", "8125", DatagramServer.echo());
 * DatagramSink statsd = DatagramServer.sink();   // keeps what arrives, for assertions
 * Rule.udp("192.168.0.7", "8125", statsd);
 * }</pre>
 *
 * <p>Datagrams are served off the peer's thread, one after another in the order they arrived, on one
 * daemon thread per peer (made at the first datagram for a server): a slow server delays the datagrams
 * after it, never the peer. An exception thrown by {@link #serve} is recorded as the peer's
 * {@linkplain FakePeer#failure() failure} (a test using the JUnit extension fails with it); the next
 * datagram is served as usual. Replies go through the faults in force, like every packet of a fake host.
 */
@FunctionalInterface
public interface DatagramServer {
  /**
   * Serves one datagram; called on the peer's datagram thread.
   *
   * @throws Exception recorded as the peer's failure
   */
  void serve(Datagram datagram) throws Exception;

  /** Sends every datagram back to where it came from, unchanged. */
  static DatagramServer echo() {
    return DatagramSink.ECHO;
  }

  /** A server that keeps every datagram it receives and never replies: see {@link DatagramSink}. */
  static DatagramSink sink() {
    return new DatagramSink();
  }

  /** One datagram a fake host received, and the way to answer it. Usable from any thread. */
  interface Datagram {
    /** The host's address and port: where the datagram came from, and where a reply goes. */
    InetSocketAddress source();

    /** The fake host's address and port: where the host sent it. */
    InetSocketAddress destination();

    /** The data (a copy: the caller may keep or change it). */
    byte[] payload();

    /** The data as UTF-8 text. */
    default String text() {
      return new String(payload(), StandardCharsets.UTF_8);
    }

    /**
     * Sends {@code payload} from {@link #destination()} back to {@link #source()}. Returns once the
     * datagram is queued for the peer; like any UDP datagram it may be lost (a fault, the peer stopped).
     *
     * @throws IllegalArgumentException if the datagram would not fit the device's MTU (fake hosts do
     *     not fragment)
     */
    void reply(byte[] payload);
  }
}
