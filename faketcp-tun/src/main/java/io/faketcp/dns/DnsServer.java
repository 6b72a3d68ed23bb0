package io.faketcp.dns;

import io.faketcp.packet.DnsMessage;
import io.faketcp.packet.Ipv6Packet;
import io.faketcp.packet.MalformedPacketException;
import io.faketcp.peer.DatagramServer;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import io.faketcp.peer.Server;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A DNS server for a fake host, over UDP and TCP port 53, answering from a {@link Zone} under the DNS
 * faults in force ({@code dns=}, {@code dns-delay=}; see {@link Fault}). Authoritative for every name:
 * a name nobody declared is NXDOMAIN at once; {@code localhost} is 127.0.0.1; a declared name asked for
 * a type it has no records of (AAAA, say) gets an empty answer. An answer larger than 512 bytes goes
 * out over UDP truncated (TC), as RFC 1035 says, and whole over TCP.
 *
 * <pre>{@code
 * Zone zone = new Zone().host("db.test", "192.168.0.5");
 * DnsServer dns = new DnsServer(zone, () -> peer.rules().faults());
 * peer.rules(dns.addTo(Rules.of(Mode.REJECT), subnet.address(254)));
 * }</pre>
 */
public final class DnsServer {
  /** The DNS port. */
  public static final int PORT = 53;
  /** The largest answer sent over UDP (RFC 1035); a larger one goes out truncated, and the client asks over TCP. */
  static final int MAX_UDP_ANSWER = 512;
  private static final System.Logger LOG = System.getLogger(DnsServer.class.getName());

  private final Zone zone;
  private final Supplier<List<Fault>> faults;
  private final java.util.function.Consumer<Fault> acted;
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong queries = new AtomicLong();
  /** See {@link #scheduler()}. */
  private static ScheduledExecutorService later;

  /**
   * A server answering from {@code zone} (read at each query) under the DNS faults of {@code faults}
   * (asked at each query).
   */
  public DnsServer(Zone zone, Supplier<List<Fault>> faults) {
    this(zone, faults, fault -> { });
  }

  /**
   * As {@link #DnsServer(Zone, Supplier)}, and tells {@code acted} each time a DNS fault changed an answer
   * (any thread), for counting as {@link io.faketcp.peer.FakePeer#faultActions()} counts packet faults.
   */
  public DnsServer(Zone zone, Supplier<List<Fault>> faults, java.util.function.Consumer<Fault> acted) {
    if (zone == null || faults == null || acted == null) {
      throw new IllegalArgumentException("the zone, the fault supplier and the listener must not be null");
    }
    this.zone = zone;
    this.faults = faults;
    this.acted = acted;
  }

  /** The zone answered from. */
  public Zone zone() {
    return zone;
  }

  /**
   * {@code rules} with this server on {@code address}, UDP and TCP port 53, before every other rule. An
   * IPv6 address (the prefix's {@code ::ff}, {@link io.faketcp.tun.Subnet#dnsAddress()}) serves the same
   * names to clients that ask over IPv6; add both addresses on a dual-stack network.
   *
   * @throws IllegalArgumentException if {@code address} is null
   */
  public Rules addTo(Rules rules, InetAddress address) {
    if (address == null) {
      throw new IllegalArgumentException("the DNS server's address is null");
    }
    String a = address instanceof java.net.Inet6Address ? Ipv6Packet.toText((java.net.Inet6Address) address)
        : address.getHostAddress();
    return rules.withFirst(Rule.of(a, Integer.toString(PORT), tcp())).withFirst(Rule.udp(a, Integer.toString(PORT), udp()));
  }

  /** How many queries arrived (UDP and TCP). */
  public long queries() {
    return queries.get();
  }

  /** How many queries were answered (an answer withheld by {@code dns=timeout} is not). */
  public long answered() {
    return answered.get();
  }

  /** The server for UDP port 53. */
  public DatagramServer udp() {
    return new DatagramServer() {
      @Override
      public void serve(Datagram datagram) {
        Reply reply = reply(datagram.payload(), false);
        if (reply == null) {
          return;
        }
        if (reply.delay.isZero()) {
          datagram.reply(reply.bytes);
        } else {
          scheduler().schedule(() -> datagram.reply(reply.bytes), reply.delay.toNanos(), TimeUnit.NANOSECONDS);
        }
      }

      @Override
      public String toString() {
        return "DNS server (udp)";
      }
    };
  }

  /** The server for TCP port 53: queries framed by their 2-byte length, as many as the client sends. */
  public Server tcp() {
    return new Server() {
      @Override
      public void serve(Connection connection) throws Exception {
        DataInputStream in = new DataInputStream(connection.input());
        OutputStream out = connection.output();
        while (true) {
          int length;
          try {
            length = in.readUnsignedShort();
          } catch (EOFException e) {
            break;
          }
          byte[] query = new byte[length];
          in.readFully(query);
          Reply reply = reply(query, true);
          if (reply == null) {
            continue;
          }
          if (!reply.delay.isZero()) {
            Thread.sleep(reply.delay.toMillis(), (int) (reply.delay.toNanos() % 1_000_000));
          }
          byte[] framed = ByteBuffer.allocate(2 + reply.bytes.length).putShort((short) reply.bytes.length)
              .put(reply.bytes).array();
          out.write(framed);
        }
        connection.close();
      }

      @Override
      public String toString() {
        return "DNS server (tcp)";
      }
    };
  }

  /** The one thread that sends the delayed answers of every fake DNS server in this JVM, made at the first. */
  private static ScheduledExecutorService scheduler() {
    synchronized (DnsServer.class) {
      if (later == null) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
          Thread t = new Thread(r, "faketcp-dns-delay");
          t.setDaemon(true);
          return t;
        });
        executor.setKeepAliveTime(30, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        executor.setRemoveOnCancelPolicy(true);
        later = executor;
      }
      return later;
    }
  }

  /** An answer and how late it goes. */
  private static final class Reply {
    final byte[] bytes;
    final Duration delay;

    Reply(byte[] bytes, Duration delay) {
      this.bytes = bytes;
      this.delay = delay;
    }
  }

  /** The answer to {@code query}, or null for none (unreadable, or {@code dns=timeout}). */
  private Reply reply(byte[] query, boolean overTcp) {
    queries.incrementAndGet();
    DnsMessage q;
    try {
      q = DnsMessage.parse(ByteBuffer.wrap(query));
    } catch (MalformedPacketException e) {
      LOG.log(System.Logger.Level.DEBUG, "DNS query not answered: {0}", e.reason());
      return null;
    }
    if (q.isResponse()) {
      return null;
    }
    byte[] answer = answer(q, overTcp);
    if (answer == null) {
      return null;
    }
    if (!overTcp && answer.length > MAX_UDP_ANSWER) {
      answer = DnsMessage.answer(q).authoritative(true).truncated(true).build(); // ask again over TCP
    }
    Duration delay = Duration.ZERO;
    for (Fault f : faults.get()) {
      if (f instanceof Fault.DnsDelay && ((Fault.DnsDelay) f).appliesTo(q.questionName())
          && !((Fault.DnsDelay) f).delay().isZero()) {
        delay = delay.plus(((Fault.DnsDelay) f).delay());
        acted.accept(f);
      }
    }
    answered.incrementAndGet();
    return new Reply(answer, delay);
  }

  /** The answer's bytes; null when a fault withholds it. */
  byte[] answer(DnsMessage q, boolean overTcp) {
    DnsMessage.Builder answer = DnsMessage.answer(q).authoritative(true);
    Fault.DnsAnswer fault = null;
    Fault deciding = null;
    for (Fault f : faults.get()) {
      if (f instanceof Fault.Dns && ((Fault.Dns) f).appliesTo(q.questionName())) {
        deciding = f; // the last one given wins
        fault = ((Fault.Dns) f).answer();
      }
    }
    if (deciding != null && (fault != Fault.DnsAnswer.TRUNCATED || !overTcp)) {
      acted.accept(deciding);
    }
    if (fault == Fault.DnsAnswer.TIMEOUT) {
      return null;
    }
    if (fault == Fault.DnsAnswer.NXDOMAIN) {
      return answer.rcode(DnsMessage.NXDOMAIN).build();
    }
    if (fault == Fault.DnsAnswer.SERVFAIL) {
      return answer.authoritative(false).rcode(DnsMessage.SERVFAIL).build();
    }
    if (fault == Fault.DnsAnswer.REFUSED) {
      return answer.authoritative(false).rcode(DnsMessage.REFUSED).build();
    }
    if (fault == Fault.DnsAnswer.TRUNCATED && !overTcp) {
      return answer.truncated(true).build();
    }
    if (q.opcode() != 0) {
      return answer.rcode(DnsMessage.NOTIMP).build();
    }
    if (DnsMessage.canonical(q.questionName()).equals("localhost")) {
      if (q.questionType() == DnsMessage.A || q.questionType() == DnsMessage.ANY) {
        answer.a(q.questionName(), 0, io.faketcp.packet.Ipv4Packet.toInet4Address(0x7F00_0001));
      }
      return answer.build();
    }
    if (!zone.answer(q.questionName(), q.questionType(), answer)) {
      return answer.rcode(DnsMessage.NXDOMAIN).build();
    }
    return answer.build();
  }

  @Override
  public String toString() {
    return "DNS server for " + zone;
  }
}
