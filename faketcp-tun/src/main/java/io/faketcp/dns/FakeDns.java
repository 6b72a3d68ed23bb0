package io.faketcp.dns;

import io.faketcp.packet.DnsMessage;
import io.faketcp.packet.MalformedPacketException;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where this JVM's fake DNS server is, and a stub resolver that asks it as glibc would: an A query over
 * UDP, {@code faketcp.dns.timeout} (default 5 s, like resolv.conf's {@code timeout:5}) per attempt,
 * {@code faketcp.dns.attempts} attempts (default 2), over TCP when the answer comes truncated. Used by
 * faketcp's {@code InetAddressResolverProvider} (JDK 18 and later), so that {@code InetAddress}, and with
 * it {@code HttpClient}, JDBC drivers and most clients, resolve through the fake DNS.
 *
 * <pre>{@code
 * try (AutoCloseable active = FakeDns.activate(subnet.address(254))) {
 *   InetAddress.getByName("db.test");    // asks 192.168.0.254:53 through the tun device
 * }
 * }</pre>
 *
 * <p>While several are active (parallel tests), the one activated last answers.
 */
public final class FakeDns {
  /** The system property with the time one attempt waits for an answer, e.g. {@code 1s} or {@code 500ms}. */
  public static final String TIMEOUT_PROPERTY = "faketcp.dns.timeout";
  /** The system property with the number of attempts before a lookup fails. */
  public static final String ATTEMPTS_PROPERTY = "faketcp.dns.attempts";

  /** The active servers, in order of activation. */
  private static final List<Active> ACTIVE = new CopyOnWriteArrayList<>();

  private FakeDns() {}

  /**
   * Makes the DNS server at {@code server} (port 53) this JVM's, until the returned handle is closed.
   *
   * @throws IllegalArgumentException if {@code server} is null
   */
  public static AutoCloseable activate(Inet4Address server) {
    return activate(server, null);
  }

  /**
   * As {@link #activate(Inet4Address)}, for a server that declares the names {@code declares} accepts
   * (e.g. {@code zone::declares}): while several are active (parallel tests on their own subnets), a
   * name goes to the last activated server that declares it, else to the last activated one.
   *
   * @throws IllegalArgumentException if {@code server} is null
   */
  public static AutoCloseable activate(Inet4Address server, java.util.function.Predicate<String> declares) {
    if (server == null) {
      throw new IllegalArgumentException("the DNS server's address is null");
    }
    Active entry = new Active(server, declares);
    ACTIVE.add(entry);
    return () -> ACTIVE.remove(entry);
  }

  /** The DNS server this JVM's lookups go to, if one is active: the last activated. */
  public static Optional<Inet4Address> active() {
    Object[] now = ACTIVE.toArray();
    return now.length == 0 ? Optional.empty() : Optional.of(((Active) now[now.length - 1]).server);
  }

  /**
   * The DNS server a lookup of {@code name} goes to, if one is active: the last activated that declares
   * the name, else the last activated.
   */
  public static Optional<Inet4Address> active(String name) {
    Object[] now = ACTIVE.toArray();
    for (int i = now.length - 1; i >= 0; i--) {
      Active a = (Active) now[i];
      if (a.declares != null && a.declares.test(name)) {
        return Optional.of(a.server);
      }
    }
    return now.length == 0 ? Optional.empty() : Optional.of(((Active) now[now.length - 1]).server);
  }

  /** One active server. */
  private static final class Active {
    final Inet4Address server;
    /** The names it declares; null: unknown. */
    final java.util.function.Predicate<String> declares;

    Active(Inet4Address server, java.util.function.Predicate<String> declares) {
      this.server = server;
      this.declares = declares;
    }
  }

  /** The time one attempt waits: {@code -Dfaketcp.dns.timeout}, else 5 s. */
  static Duration timeout() {
    String value = System.getProperty(TIMEOUT_PROPERTY);
    if (value == null || value.isBlank()) {
      return Duration.ofSeconds(5);
    }
    try {
      return ((io.faketcp.peer.Fault.DnsDelay) io.faketcp.peer.Fault.parse("dns-delay=" + value.trim())).delay();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("-D" + TIMEOUT_PROPERTY + "=" + value + " is not a duration: write e.g. 5s or"
          + " 500ms", e);
    }
  }

  /** The attempts per lookup: {@code -Dfaketcp.dns.attempts}, else 2. */
  static int attempts() {
    String value = System.getProperty(ATTEMPTS_PROPERTY);
    try {
      int n = value == null || value.isBlank() ? 2 : Integer.parseInt(value.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException("-D" + ATTEMPTS_PROPERTY + "=" + value + " is not a whole number 1 or more");
  }

  /**
   * The IPv4 addresses of {@code name}, asked of {@code server}, in the order answered.
   *
   * @throws UnknownHostException with glibc's words: "Name or service not known" (NXDOMAIN),
   *     "No address associated with hostname" (no A record), "Temporary failure in name resolution"
   *     (SERVFAIL, REFUSED, no answer)
   */
  public static List<Inet4Address> lookup(Inet4Address server, String name) throws UnknownHostException {
    List<Inet4Address> addresses = ask(server, name, DnsMessage.A).addresses();
    if (addresses.isEmpty()) {
      throw new UnknownHostException(name + ": No address associated with hostname");
    }
    return addresses;
  }

  /**
   * The IPv6 addresses of {@code name} (its AAAA records), asked of {@code server}, in the order
   * answered; empty when it has none (an IPv4-only network, or a name with A records only).
   *
   * @throws UnknownHostException as {@link #lookup} does, but for a name without addresses
   */
  public static List<java.net.Inet6Address> lookup6(Inet4Address server, String name) throws UnknownHostException {
    return ask(server, name, DnsMessage.AAAA).addresses6();
  }

  /** The answer of {@code server} to a question of {@code type}; NXDOMAIN and failures thrown. */
  private static DnsMessage ask(Inet4Address server, String name, int type) throws UnknownHostException {
    Duration timeout = timeout();
    int attempts = attempts();
    int id = ThreadLocalRandom.current().nextInt(0x10000);
    byte[] query = DnsMessage.query(id, name, type).build();
    InetSocketAddress to = new InetSocketAddress(server, DnsServer.PORT);
    DnsMessage answer = null;
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.connect(to);
      for (int i = 0; i < attempts && answer == null; i++) {
        socket.send(new DatagramPacket(query, query.length));
        answer = receive(socket, id, timeout);
      }
      if (answer != null && answer.truncated()) {
        answer = overTcp(to, query, id, timeout);
      }
    } catch (IOException e) {
      UnknownHostException failure = new UnknownHostException(name + ": Temporary failure in name resolution ("
          + e.getMessage() + ")");
      failure.initCause(e);
      throw failure;
    }
    if (answer == null) {
      throw new UnknownHostException(name + ": Temporary failure in name resolution (no answer from "
          + server.getHostAddress() + " in " + attempts + " x " + timeout.toMillis() + " ms)");
    }
    switch (answer.rcode()) {
      case DnsMessage.NOERROR:
        return answer;
      case DnsMessage.NXDOMAIN:
        throw new UnknownHostException(name + ": Name or service not known");
      default:
        throw new UnknownHostException(name + ": Temporary failure in name resolution (" + answer + ")");
    }
  }

  /** The answer with {@code id}, or null when none came in time; other datagrams are skipped. */
  private static DnsMessage receive(DatagramSocket socket, int id, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] buffer = new byte[65535];
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return null;
      }
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
      } catch (SocketTimeoutException e) {
        return null;
      }
      try {
        DnsMessage m = DnsMessage.parse(ByteBuffer.wrap(buffer, 0, packet.getLength()));
        if (m.isResponse() && m.id() == id) {
          return m;
        }
      } catch (MalformedPacketException e) {
        // not an answer: wait for one
      }
    }
  }

  private static DnsMessage overTcp(InetSocketAddress to, byte[] query, int id, Duration timeout) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(to, (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(ByteBuffer.allocate(2 + query.length).putShort((short) query.length).put(query).array());
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] answer = new byte[in.readUnsignedShort()];
      in.readFully(answer);
      DnsMessage m = DnsMessage.parse(ByteBuffer.wrap(answer));
      return m.id() == id ? m : null;
    } catch (SocketTimeoutException e) {
      return null;
    } catch (MalformedPacketException e) {
      throw new IOException("bad DNS answer over TCP: " + e.reason(), e);
    }
  }
}
