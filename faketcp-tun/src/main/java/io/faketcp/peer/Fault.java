package io.faketcp.peer;

import java.time.Duration;
import java.util.Locale;

/**
 * Something going wrong between the host and the fake hosts: latency, loss, a reset after some
 * bytes, ICMP unreachable... Each kind is a small record ({@link Latency}, {@link Loss},
 * {@link ResetAfter}...) that checks its values; one grammar, read by {@link #parse} and given back
 * by {@link #toString()}, serves the annotation, the builder, {@link Rules}, mid-test changes and the
 * command line:
 *
 * <pre>{@code
 * Fault.parse("latency=100ms±20ms");                  // also written 100ms+-20ms
 * Fault.parse("loss=5%@192.168.0.5:80");              // only for that fake host and port
 * Rules.of(Mode.ECHO).withFault(Fault.latency(Duration.ofMillis(50)));
 * Rule.of("192.168.0.6", "*", Mode.ECHO).withFaults(Fault.parse("reset-after=1000"));
 * if (fault instanceof Fault.Loss loss) { double percent = loss.percent(); }
 * }</pre>
 *
 * <table>
 *   <caption>The specs ("in": packets the host sends to a fake host; "out": packets a fake host sends)</caption>
 *   <tr><th>spec</th><th>record</th><th>effect</th></tr>
 *   <tr><td>{@code latency=100ms}, {@code latency=100ms±20ms}</td><td>{@link Latency}</td><td>every packet a
 *       fake host sends leaves that much later (jitter uniform in ±20ms; order kept)</td></tr>
 *   <tr><td>{@code latency-in=100ms}</td><td>{@link Latency}</td><td>the host's packets reach the fake host
 *       that much later</td></tr>
 *   <tr><td>{@code loss=5%}, {@code loss-in=}, {@code loss-out=}</td><td>{@link Loss}</td><td>random loss,
 *       both directions unless a direction is given</td></tr>
 *   <tr><td>{@code duplicate=1%}</td><td>{@link Duplicate}</td><td>a fake host's packet is sent twice</td></tr>
 *   <tr><td>{@code reorder=10%}</td><td>{@link Reorder}</td><td>a fake host's packet is held back 10 ms, so later
 *       ones overtake it</td></tr>
 *   <tr><td>{@code bandwidth=1MB/s}, {@code bandwidth-in=}, {@code bandwidth-out=}</td><td>{@link Bandwidth}</td>
 *       <td>each direction at most that rate (units B, KB, MB, GB, KiB, MiB, GiB, bit, kbit, Mbit, Gbit per
 *       second)</td></tr>
 *   <tr><td>{@code reset-after=1000}, {@code reset-after=2s}</td><td>{@link ResetAfter}</td><td>a connection is
 *       reset (RST) once the fake host has taken that many bytes of it, or that long after it was
 *       established</td></tr>
 *   <tr><td>{@code stall-after=1000}</td><td>{@link StallAfter}</td><td>the fake host stops reading: zero window,
 *       probes answered</td></tr>
 *   <tr><td>{@code blackhole-after=1000}, {@code blackhole-after=2s}</td><td>{@link BlackholeAfter}</td><td>the
 *       connection goes silent</td></tr>
 *   <tr><td>{@code slow-close=2s}</td><td>{@link SlowClose}</td><td>the fake host's FIN, and its ACK of the host's
 *       FIN, come that much later</td></tr>
 *   <tr><td>{@code unreachable=host|net|port|admin}</td><td>{@link Unreachable}</td><td>a SYN, or a UDP
 *       datagram, is answered with ICMP destination unreachable: EHOSTUNREACH, ENETUNREACH, ECONNREFUSED,
 *       EHOSTUNREACH</td></tr>
 *   <tr><td>{@code mtu=1280}</td><td>{@link Mtu}</td><td>the host's larger packets with DF set get ICMP
 *       fragmentation-needed</td></tr>
 *   <tr><td>{@code drop-first=3}, {@code drop-nth=10}</td><td>{@link DropFirst}, {@link DropNth}</td><td>the
 *       host's first 3 packets, or every 10th, are lost</td></tr>
 *   <tr><td>{@code dns=nxdomain|servfail|refused|timeout|truncated}</td><td>{@link Dns}</td><td>the fake DNS
 *       server answers so: the name does not exist, the server failed, refuses, says nothing, or sends a
 *       truncated answer over UDP (the client asks again over TCP)</td></tr>
 *   <tr><td>{@code dns-delay=2s}</td><td>{@link DnsDelay}</td><td>the fake DNS server answers that much
 *       later</td></tr>
 * </table>
 *
 * <p>Durations are written {@code 2s}, {@code 1.5s}, {@code 100ms}, {@code 250us}, {@code 10ns} or
 * {@code 1m}; byte counts {@code 1000}, {@code 64KiB} or {@code 1MB}. Any spec but a DNS one may end in
 * {@code @ADDRESSES:PORTS}, a {@link Scope} ({@code @192.168.0.5:80}, {@code @192.168.0.10-192.168.0.20:*},
 * {@code @192.168.0.128/25:8000-8999}, {@code @ipv6}) to apply only to those fake hosts; a DNS fault may
 * end in {@code @NAME} ({@code dns=servfail@db.test}, {@code dns-delay=2s@*.test}) to apply to that name
 * only.
 *
 * <p>The seed of the random faults is no fault but the network's: {@code @FakeNetwork(seed = 42)},
 * {@code FakePeer.Builder.seed}, {@code -Dfaketcp.seed=42} or the command line's {@code --seed 42}.
 * For compatibility a list of specs ({@code @FakeNetwork(faults = ...)}, {@link Rules#withFaults(String...)},
 * {@code --fault}) still reads {@code seed=42}; {@code Fault.parse("seed=42")} says where it belongs.
 *
 * <p><b>Connection faults added mid-test.</b> A byte count ({@code reset-after=N},
 * {@code stall-after=N}, {@code blackhole-after=N}) counts the bytes the fake host has taken since the
 * connection was established, whether the fault was there from the start or added later by
 * {@code NetworkControl.fault} or {@link FakePeer#fault}: a connection that has carried N bytes
 * already acts at once. A time ({@code reset-after=2s}) counts from the connection's establishment
 * for a connection opened while the fault is in force, and from the moment the fault is added for one
 * already open. The count is at the TCP level: a {@link Server} behind a {@code reset-after=N} may have
 * read fewer than N bytes when the reset lands (the bytes taken but not yet read are lost with the
 * connection; 66,995 of 100,000 were seen), so assert on what the client sees.
 *
 * <p>Every record is immutable and compares by value; {@code Fault.parse(f.toString())} equals
 * {@code f}.
 */
public sealed interface Fault permits Fault.Latency, Fault.Loss, Fault.Duplicate, Fault.Reorder, Fault.Bandwidth,
    Fault.ResetAfter, Fault.StallAfter, Fault.BlackholeAfter, Fault.SlowClose, Fault.Unreachable, Fault.Mtu,
    Fault.DropFirst, Fault.DropNth, Fault.Dns, Fault.DnsDelay {

  /** Which packets a packet-level fault acts on. */
  enum Flow {
    /** The packets the host sends to the fake hosts. */
    IN,
    /** The packets the fake hosts send to the host. */
    OUT,
    /** Both. */
    BOTH;

    boolean in() {
      return this != OUT;
    }

    boolean out() {
      return this != IN;
    }
  }

  /** What the fake DNS server answers under a {@code dns=} fault. */
  enum DnsAnswer {
    /** Response code 3: the name does not exist ({@code UnknownHostException} at once). */
    NXDOMAIN,
    /** Response code 2: the server failed (glibc says "Temporary failure in name resolution"). */
    SERVFAIL,
    /** Response code 5: the server refuses to answer. */
    REFUSED,
    /** No answer at all: the client's own timeout fires. */
    TIMEOUT,
    /** Over UDP an empty answer with the truncation flag (the client asks again over TCP), over TCP the answer. */
    TRUNCATED
  }

  /** When a connection fault acts: after a byte count or a time. */
  sealed interface After permits After.Bytes, After.Time {
    /** Once the fake host has taken {@code count} bytes of the connection (0 or more). */
    record Bytes(long count) implements After {
      /** @throws IllegalArgumentException if {@code count} is negative */
      public Bytes {
        if (count < 0) {
          throw new IllegalArgumentException("byte count " + count + " is negative: give 0 or more (0 acts at the"
              + " first data)");
        }
      }

      /** The count, as the grammar writes it. */
      @Override
      public String toString() {
        return Long.toString(count);
      }
    }

    /** {@code time} after the connection was established. */
    record Time(Duration time) implements After {
      /** @throws IllegalArgumentException if {@code time} is null or negative */
      public Time {
        FaultSpec.nanos("time", time);
      }

      /** The time, as the grammar writes it. */
      @Override
      public String toString() {
        return FaultSpec.format(time);
      }
    }
  }

  // ---- the kinds -------------------------------------------------------------------------------

  /**
   * Packets leave {@code delay ± jitter} later (uniform; packets keep their order): a fake host's
   * ({@link Flow#OUT}, {@code latency=}) or the host's ({@link Flow#IN}, {@code latency-in=}).
   */
  record Latency(Duration delay, Duration jitter, Flow flow, Scope scope) implements Fault {
    /** @throws IllegalArgumentException for a null or negative value, a jitter above the delay, or {@link Flow#BOTH} */
    public Latency {
      long d = FaultSpec.nanos("latency", delay);
      long j = FaultSpec.nanos("latency jitter", jitter);
      if (j > d) {
        throw new IllegalArgumentException("fault 'latency': the jitter " + FaultSpec.format(jitter)
            + " is larger than the latency " + FaultSpec.format(delay) + ": a packet cannot leave before it was"
            + " sent; give a jitter up to the latency");
      }
      if (flow == null || flow == Flow.BOTH) {
        throw new IllegalArgumentException("fault 'latency': the flow is " + flow + ": give OUT (latency=) or IN"
            + " (latency-in=), or one fault of each");
      }
      FaultSpec.scope("latency", scope);
    }

    @Override
    public Latency at(Scope scope) {
      return new Latency(delay, jitter, flow, scope);
    }

    @Override
    public String toString() {
      return FaultSpec.spec(flow == Flow.IN ? "latency-in" : "latency",
          FaultSpec.format(delay) + (jitter.isZero() ? "" : "±" + FaultSpec.format(jitter)), scope);
    }
  }

  /** {@code percent} % of the packets are lost at random ({@code loss=}, {@code loss-in=}, {@code loss-out=}). */
  record Loss(double percent, Flow flow, Scope scope) implements Fault {
    /** @throws IllegalArgumentException for a percentage outside 0 to 100, or a null flow or scope */
    public Loss {
      percent = FaultSpec.percent("loss", percent);
      FaultSpec.flow("loss", flow);
      FaultSpec.scope("loss", scope);
    }

    @Override
    public Loss at(Scope scope) {
      return new Loss(percent, flow, scope);
    }

    @Override
    public String toString() {
      return FaultSpec.spec(FaultSpec.named("loss", flow), FaultSpec.format(percent), scope);
    }
  }

  /** {@code percent} % of a fake host's packets are sent twice ({@code duplicate=}). */
  record Duplicate(double percent, Scope scope) implements Fault {
    /** @throws IllegalArgumentException for a percentage outside 0 to 100, or a null scope */
    public Duplicate {
      percent = FaultSpec.percent("duplicate", percent);
      FaultSpec.scope("duplicate", scope);
    }

    @Override
    public Duplicate at(Scope scope) {
      return new Duplicate(percent, scope);
    }

    @Override
    public String toString() {
      return FaultSpec.spec("duplicate", FaultSpec.format(percent), scope);
    }
  }

  /** {@code percent} % of a fake host's packets are held back 10 ms, so that later ones overtake them. */
  record Reorder(double percent, Scope scope) implements Fault {
    /** @throws IllegalArgumentException for a percentage outside 0 to 100, or a null scope */
    public Reorder {
      percent = FaultSpec.percent("reorder", percent);
      FaultSpec.scope("reorder", scope);
    }

    @Override
    public Reorder at(Scope scope) {
      return new Reorder(percent, scope);
    }

    @Override
    public String toString() {
      return FaultSpec.spec("reorder", FaultSpec.format(percent), scope);
    }
  }

  /**
   * At most {@code bytesPerSecond} (a TCP segment's data, any other packet whole) in the given flow;
   * {@link Flow#BOTH} limits each direction to it.
   */
  record Bandwidth(long bytesPerSecond, Flow flow, Scope scope) implements Fault {
    /** @throws IllegalArgumentException for a rate below 1 B/s, or a null flow or scope */
    public Bandwidth {
      if (bytesPerSecond < 1) {
        throw new IllegalArgumentException("fault 'bandwidth=" + bytesPerSecond + "B/s': the rate must be 1 B/s or"
            + " more");
      }
      FaultSpec.flow("bandwidth", flow);
      FaultSpec.scope("bandwidth", scope);
    }

    @Override
    public Bandwidth at(Scope scope) {
      return new Bandwidth(bytesPerSecond, flow, scope);
    }

    @Override
    public String toString() {
      return FaultSpec.spec(FaultSpec.named("bandwidth", flow), bytesPerSecond + "B/s", scope);
    }
  }

  /** A connection is reset (RST) {@code after} a byte count or a time (see the class comment on mid-test faults). */
  record ResetAfter(After after, Scope scope) implements Fault {
    /** @throws IllegalArgumentException for a null value */
    public ResetAfter {
      FaultSpec.after("reset-after", after, scope);
    }

    @Override
    public ResetAfter at(Scope scope) {
      return new ResetAfter(after, scope);
    }

    @Override
    public String toString() {
      return FaultSpec.spec("reset-after", after.toString(), scope);
    }
  }

  /** The fake host stops reading {@code after} a byte count or a time: zero window, the host's writes block. */
  record StallAfter(After after, Scope scope) implements Fault {
    /** @throws IllegalArgumentException for a null value */
    public StallAfter {
      FaultSpec.after("stall-after", after, scope);
    }

    @Override
    public StallAfter at(Scope scope) {
      return new StallAfter(after, scope);
    }

    @Override
    public String toString() {
      return FaultSpec.spec("stall-after", after.toString(), scope);
    }
  }

  /** The connection goes silent (no ACK, no RST) {@code after} a byte count or a time. */
  record BlackholeAfter(After after, Scope scope) implements Fault {
    /** @throws IllegalArgumentException for a null value */
    public BlackholeAfter {
      FaultSpec.after("blackhole-after", after, scope);
    }

    @Override
    public BlackholeAfter at(Scope scope) {
      return new BlackholeAfter(after, scope);
    }

    @Override
    public String toString() {
      return FaultSpec.spec("blackhole-after", after.toString(), scope);
    }
  }

  /** The fake host's FIN, and its acknowledgment of the host's FIN, come {@code delay} later. */
  record SlowClose(Duration delay, Scope scope) implements Fault {
    /** @throws IllegalArgumentException for a null or negative delay, or a null scope */
    public SlowClose {
      FaultSpec.nanos("slow-close", delay);
      FaultSpec.scope("slow-close", scope);
    }

    @Override
    public SlowClose at(Scope scope) {
      return new SlowClose(delay, scope);
    }

    @Override
    public String toString() {
      return FaultSpec.spec("slow-close", FaultSpec.format(delay), scope);
    }
  }

  /** New connections (SYN), and UDP datagrams, are answered with ICMP destination unreachable of that code. */
  record Unreachable(Code code, Scope scope) implements Fault {
    /** The ICMP destination-unreachable code, and what a Linux client sees. */
    public enum Code {
      /** Code 0, network unreachable: {@code ENETUNREACH} ("Network is unreachable"). */
      NET(0),
      /** Code 1, host unreachable: {@code EHOSTUNREACH} ("No route to host"). */
      HOST(1),
      /** Code 3, port unreachable: {@code ECONNREFUSED} ("Connection refused"). */
      PORT(3),
      /** Code 13, communication administratively prohibited: {@code EHOSTUNREACH} ("No route to host"). */
      ADMIN(13);

      final int icmp;

      Code(int icmp) {
        this.icmp = icmp;
      }
    }

    /** @throws IllegalArgumentException for a null code or scope */
    public Unreachable {
      if (code == null) {
        throw new IllegalArgumentException("fault 'unreachable': the code is null: give HOST, NET, PORT or ADMIN");
      }
      FaultSpec.scope("unreachable", scope);
    }

    @Override
    public Unreachable at(Scope scope) {
      return new Unreachable(code, scope);
    }

    @Override
    public String toString() {
      return FaultSpec.spec("unreachable", code.name().toLowerCase(Locale.ROOT), scope);
    }
  }

  /** The host's packets larger than {@code mtu} with DF set are answered with ICMP fragmentation-needed. */
  record Mtu(int mtu, Scope scope) implements Fault {
    /** @throws IllegalArgumentException for an MTU outside 68 to 65535, or a null scope */
    public Mtu {
      if (mtu < 68 || mtu > 65535) {
        throw new IllegalArgumentException("fault 'mtu=" + mtu + "': an IPv4 MTU is from 68 to 65535 bytes");
      }
      FaultSpec.scope("mtu", scope);
    }

    @Override
    public Mtu at(Scope scope) {
      return new Mtu(mtu, scope);
    }

    @Override
    public String toString() {
      return FaultSpec.spec("mtu", Integer.toString(mtu), scope);
    }
  }

  /** The first {@code packets} packets the host sends are lost. */
  record DropFirst(int packets, Scope scope) implements Fault {
    /** @throws IllegalArgumentException for a negative count, or a null scope */
    public DropFirst {
      if (packets < 0) {
        throw new IllegalArgumentException("fault 'drop-first=" + packets + "': the count must be 0 or more");
      }
      FaultSpec.scope("drop-first", scope);
    }

    @Override
    public DropFirst at(Scope scope) {
      return new DropFirst(packets, scope);
    }

    @Override
    public String toString() {
      return FaultSpec.spec("drop-first", Integer.toString(packets), scope);
    }
  }

  /** Every {@code n}th packet the host sends is lost (the nth, the 2nth, ...). */
  record DropNth(int n, Scope scope) implements Fault {
    /** @throws IllegalArgumentException for n below 1, or a null scope */
    public DropNth {
      if (n < 1) {
        throw new IllegalArgumentException("fault 'drop-nth=" + n + "': n must be 1 or more (1 drops every packet)");
      }
      FaultSpec.scope("drop-nth", scope);
    }

    @Override
    public DropNth at(Scope scope) {
      return new DropNth(n, scope);
    }

    @Override
    public String toString() {
      return FaultSpec.spec("drop-nth", Integer.toString(n), scope);
    }
  }

  /**
   * The fake DNS server answers queries of {@code name} ({@code *}: every name; {@code *.test}: every
   * name below) with {@code answer}.
   *
   * <pre>{@code
   * control.fault(Fault.dns(Fault.DnsAnswer.SERVFAIL).forName("db.test"));   // as Fault.parse("dns=servfail@db.test")
   * }</pre>
   */
  record Dns(DnsAnswer answer, String name) implements Fault {
    /** @throws IllegalArgumentException for a null answer, or a name that is not a host name */
    public Dns {
      if (answer == null) {
        throw new IllegalArgumentException("fault 'dns': the answer is null: give NXDOMAIN, SERVFAIL, REFUSED,"
            + " TIMEOUT or TRUNCATED");
      }
      name = FaultSpec.name("dns=" + answer.name().toLowerCase(Locale.ROOT), name);
    }

    /** This fault for queries of {@code name} only (any case; {@code *.test}: every name below). */
    public Dns forName(String name) {
      return new Dns(answer, name);
    }

    /** Whether this fault applies to queries of {@code queryName}. */
    public boolean appliesTo(String queryName) {
      return FaultSpec.nameMatches(name, queryName);
    }

    /** Every DNS fault applies to every address: its scope is {@link Scope#everywhere()}. */
    @Override
    public Scope scope() {
      return Scope.everywhere();
    }

    /**
     * This fault for every name when {@code scope} is everywhere.
     *
     * @throws IllegalArgumentException for any other scope: a DNS fault applies to names ({@link #forName})
     */
    @Override
    public Dns at(Scope scope) {
      FaultSpec.dnsScope(this, scope);
      return new Dns(answer, "*");
    }

    @Override
    public String toString() {
      return "dns=" + answer.name().toLowerCase(Locale.ROOT) + (name.equals("*") ? "" : "@" + name);
    }
  }

  /** The fake DNS server answers queries of {@code name} ({@code *}: every name) {@code delay} late. */
  record DnsDelay(Duration delay, String name) implements Fault {
    /** @throws IllegalArgumentException for a null or negative delay, or a name that is not a host name */
    public DnsDelay {
      FaultSpec.nanos("dns-delay", delay);
      name = FaultSpec.name("dns-delay=" + FaultSpec.format(delay), name);
    }

    /** This fault for queries of {@code name} only (any case; {@code *.test}: every name below). */
    public DnsDelay forName(String name) {
      return new DnsDelay(delay, name);
    }

    /** Whether this fault applies to queries of {@code queryName}. */
    public boolean appliesTo(String queryName) {
      return FaultSpec.nameMatches(name, queryName);
    }

    /** Every DNS fault applies to every address: its scope is {@link Scope#everywhere()}. */
    @Override
    public Scope scope() {
      return Scope.everywhere();
    }

    /**
     * This fault for every name when {@code scope} is everywhere.
     *
     * @throws IllegalArgumentException for any other scope: a DNS fault applies to names ({@link #forName})
     */
    @Override
    public DnsDelay at(Scope scope) {
      FaultSpec.dnsScope(this, scope);
      return new DnsDelay(delay, "*");
    }

    @Override
    public String toString() {
      return "dns-delay=" + FaultSpec.format(delay) + (name.equals("*") ? "" : "@" + name);
    }
  }

  // ---- what every fault has --------------------------------------------------------------------

  /** The fake hosts and ports this fault applies to; {@link Scope#everywhere()} unless given. */
  Scope scope();

  /** This fault for the fake hosts and ports of {@code scope} instead. */
  Fault at(Scope scope);

  /**
   * This fault for the fake hosts {@code addresses} on {@code ports} only, in {@link Scope}'s notation
   * ({@code *}, an address, a range, a CIDR block, {@code ipv4}, {@code ipv6}; {@code *}, a port, a range).
   */
  default Fault at(String addresses, String ports) {
    return at(Scope.of(addresses, ports));
  }

  /** The spec, as {@link #parse} reads it: {@code loss=5%@192.168.0.5:80}. */
  @Override
  String toString();

  // ---- the grammar and the factories ----------------------------------------------------------

  /**
   * Parses one spec: {@code NAME=VALUE[@SCOPE]}, as in the table above.
   *
   * @throws IllegalArgumentException naming the part that cannot be parsed and what was expected
   */
  static Fault parse(String spec) {
    return FaultSpec.parse(spec);
  }

  /** Every packet a fake host sends leaves {@code delay} later. */
  static Latency latency(Duration delay) {
    return new Latency(delay, Duration.ZERO, Flow.OUT, Scope.everywhere());
  }

  /** Every packet a fake host sends leaves {@code delay ± jitter} later (uniform; packets keep their order). */
  static Latency latency(Duration delay, Duration jitter) {
    return new Latency(delay, jitter, Flow.OUT, Scope.everywhere());
  }

  /** Every packet the host sends reaches the fake host {@code delay} later. */
  static Latency latencyIn(Duration delay) {
    return new Latency(delay, Duration.ZERO, Flow.IN, Scope.everywhere());
  }

  /** Random loss of {@code percent} % of the packets, both directions. */
  static Loss loss(double percent) {
    return new Loss(percent, Flow.BOTH, Scope.everywhere());
  }

  /** Random loss of {@code percent} % of the packets the host sends. */
  static Loss lossIn(double percent) {
    return new Loss(percent, Flow.IN, Scope.everywhere());
  }

  /** Random loss of {@code percent} % of the packets a fake host sends. */
  static Loss lossOut(double percent) {
    return new Loss(percent, Flow.OUT, Scope.everywhere());
  }

  /** {@code percent} % of a fake host's packets are sent twice. */
  static Duplicate duplicate(double percent) {
    return new Duplicate(percent, Scope.everywhere());
  }

  /** {@code percent} % of a fake host's packets are held back 10 ms, so that the next ones overtake them. */
  static Reorder reorder(double percent) {
    return new Reorder(percent, Scope.everywhere());
  }

  /** Each direction carries at most {@code bytesPerSecond}. */
  static Bandwidth bandwidth(long bytesPerSecond) {
    return new Bandwidth(bytesPerSecond, Flow.BOTH, Scope.everywhere());
  }

  /** What the host sends reaches the fake hosts at most at {@code bytesPerSecond}. */
  static Bandwidth bandwidthIn(long bytesPerSecond) {
    return new Bandwidth(bytesPerSecond, Flow.IN, Scope.everywhere());
  }

  /** What the fake hosts send reaches the host at most at {@code bytesPerSecond}. */
  static Bandwidth bandwidthOut(long bytesPerSecond) {
    return new Bandwidth(bytesPerSecond, Flow.OUT, Scope.everywhere());
  }

  /** A connection is reset (RST) once the fake host has taken {@code bytes} bytes of the host's data. */
  static ResetAfter resetAfterBytes(long bytes) {
    return new ResetAfter(new After.Bytes(bytes), Scope.everywhere());
  }

  /** A connection is reset (RST) {@code time} after it was established. */
  static ResetAfter resetAfter(Duration time) {
    return new ResetAfter(new After.Time(time), Scope.everywhere());
  }

  /** The fake host stops reading after {@code bytes} bytes: zero window, the host's writes block. */
  static StallAfter stallAfterBytes(long bytes) {
    return new StallAfter(new After.Bytes(bytes), Scope.everywhere());
  }

  /** The fake host stops reading {@code time} after the connection was established. */
  static StallAfter stallAfter(Duration time) {
    return new StallAfter(new After.Time(time), Scope.everywhere());
  }

  /** The connection goes silent (no ACK, no RST) once the fake host has taken {@code bytes} bytes. */
  static BlackholeAfter blackholeAfterBytes(long bytes) {
    return new BlackholeAfter(new After.Bytes(bytes), Scope.everywhere());
  }

  /** The connection goes silent {@code time} after it was established. */
  static BlackholeAfter blackholeAfter(Duration time) {
    return new BlackholeAfter(new After.Time(time), Scope.everywhere());
  }

  /** The fake host's FIN, and its acknowledgment of the host's FIN, come {@code delay} later. */
  static SlowClose slowClose(Duration delay) {
    return new SlowClose(delay, Scope.everywhere());
  }

  /** New connections (SYN) are answered with ICMP destination unreachable of that code. */
  static Unreachable unreachable(Unreachable.Code code) {
    return new Unreachable(code, Scope.everywhere());
  }

  /** The host's packets larger than {@code mtu} with DF set are answered with ICMP fragmentation-needed. */
  static Mtu mtu(int mtu) {
    return new Mtu(mtu, Scope.everywhere());
  }

  /** The first {@code packets} packets the host sends are lost. */
  static DropFirst dropFirst(int packets) {
    return new DropFirst(packets, Scope.everywhere());
  }

  /** Every {@code n}th packet the host sends is lost (the nth, the 2nth, ...). */
  static DropNth dropNth(int n) {
    return new DropNth(n, Scope.everywhere());
  }

  /** The fake DNS server answers every query with {@code answer}; {@link Dns#forName} narrows it to one name. */
  static Dns dns(DnsAnswer answer) {
    return new Dns(answer, "*");
  }

  /** The fake DNS server answers {@code delay} late (each answer; queries are not held up behind one another). */
  static DnsDelay dnsDelay(Duration delay) {
    return new DnsDelay(delay, "*");
  }
}
