package io.faketcp.peer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link DatagramServer} that keeps every datagram it receives and never replies: the fake end of a
 * metrics or log pipe (StatsD, syslog) whose datagrams a test then asserts. Thread-safe.
 *
 * <pre>{@code
 * DatagramSink statsd = DatagramServer.sink();
 * ... .rule(Rule.udp("192.168.0.5", "8125", statsd)) ...
 * client.count("logins", 1);
 * assertThat(statsd.await(1, Duration.ofSeconds(2))).isTrue();
 * assertThat(statsd.texts()).containsExactly("logins:1|c");
 * }</pre>
 */
public final class DatagramSink implements DatagramServer {
  static final DatagramServer ECHO = new DatagramServer() {
    @Override
    public void serve(Datagram datagram) {
      datagram.reply(datagram.payload());
    }

    @Override
    public String toString() {
      return "datagram echo server";
    }
  };

  private final List<Datagram> received = new ArrayList<>();

  DatagramSink() {}

  @Override
  public void serve(Datagram datagram) {
    synchronized (received) {
      received.add(datagram);
      received.notifyAll();
    }
  }

  /** Every datagram received so far, in order of arrival. */
  public List<Datagram> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  /** The data of every datagram received so far, as UTF-8 text, in order of arrival. */
  public List<String> texts() {
    List<String> texts = new ArrayList<>();
    for (Datagram d : received()) {
      texts.add(new String(d.payload(), StandardCharsets.UTF_8));
    }
    return texts;
  }

  /** Forgets every datagram received so far. */
  public void clear() {
    synchronized (received) {
      received.clear();
    }
  }

  /**
   * Waits until at least {@code count} datagrams have arrived, at most {@code timeout}.
   *
   * @return whether they arrived
   */
  public boolean await(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (received) {
      while (received.size() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          received.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  @Override
  public String toString() {
    return "datagram sink";
  }
}
