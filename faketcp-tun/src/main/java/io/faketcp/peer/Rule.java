package io.faketcp.peer;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;

/**
 * Gives a {@link Mode}, or a {@link Server}, to the fake hosts whose address and port fall in a
 * range.
 *
 * <pre>{@code
 * Rule.of("192.168.0.5", "*", Mode.REJECT);           // one host, every port
 * Rule.of("192.168.0.10-192.168.0.20", "80", Mode.DROP);
 * Rule.of("192.168.0.128/25", "8000-8999", Mode.ECHO);
 * Rule.of("192.168.0.7", "25", Server.greeting("220 mail.example ESMTP\r\n"));
 * }</pre>
 */
public final class Rule {
  private final Scope scope;
  private final Mode mode;
  private final Server server;
  private final DatagramServer datagramServer;
  private final String text;
  private final Fault[] faults;

  private Rule(Scope scope, Mode mode, Server server, DatagramServer datagramServer, String text, Fault[] faults) {
    this.scope = scope;
    this.mode = mode;
    this.faults = faults;
    this.server = server;
    this.datagramServer = datagramServer;
    this.text = text;
  }

  /**
   * A rule from text.
   *
   * @param addresses {@code *}, one address, a range {@code a.b.c.d-a.b.c.e}, or a CIDR block
   * @param ports {@code *}, one port, or a range {@code 8000-8999}
   * @param mode what the matching hosts do
   * @throws IllegalArgumentException naming the value that cannot be parsed
   */
  public static Rule of(String addresses, String ports, Mode mode) {
    if (mode == null) {
      throw new IllegalArgumentException("rule for " + addresses + ":" + ports + " has no mode");
    }
    return new Rule(scope(addresses, ports), mode, null, null, addresses.trim() + ":" + ports.trim() + " -> " + mode,
        new Fault[0]);
  }

  /**
   * This rule with {@code faults} added: they apply to every fake host and port in the rule's range,
   * so that .5 can be slow while .6 is fine.
   *
   * <pre>{@code
   * Rule.of("192.168.0.5", "*", Mode.ECHO).withFaults(Fault.parse("latency=200ms"), Fault.parse("loss=5%"));
   * }</pre>
   *
   * @throws IllegalArgumentException for a fault with its own {@code @ADDRESSES:PORTS}, or a DNS fault
   *     in a rule narrower than every fake host
   */
  public Rule withFaults(Fault... more) {
    Fault[] all = Arrays.copyOf(faults, faults.length + more.length);
    for (int i = 0; i < more.length; i++) {
      Fault f = more[i];
      if (f == null) {
        throw new IllegalArgumentException("rule " + this + ": fault " + i + " is null");
      }
      if (!f.scope().isEverywhere()) {
        throw new IllegalArgumentException("rule " + this + ": fault '" + f + "' has its own @ADDRESSES:PORTS;"
            + " a rule's faults apply to the rule's addresses and ports: drop the @ part");
      }
      all[faults.length + i] = f.at(scope);
    }
    return new Rule(scope, mode, server, datagramServer, text, all);
  }

  /** This rule without its faults (a server stays the rule's server). */
  Rule withoutFaults() {
    return faults.length == 0 ? this : new Rule(scope, mode, server, datagramServer, text, new Fault[0]);
  }

  /** The faults of this rule, each applying to the rule's addresses and ports. */
  public List<Fault> faults() {
    return List.of(faults);
  }

      /**
   * A rule giving matching hosts a {@link Server}: they accept connections (answering the
   * handshake as {@link Mode#ACCEPT} would) and {@code server} serves each one on its own thread.
   *
   * <pre>{@code
   * Rule.of("192.168.0.5", "5432", connection -> {
   *   connection.input().readNBytes(8);          // PostgreSQL's SSLRequest
   *   connection.output().write('N');            // no TLS here
   *   connection.close();
   * });
   * }</pre>
   *
   * @param addresses {@code *}, one address, a range {@code a.b.c.d-a.b.c.e}, or a CIDR block
   * @param ports {@code *}, one port, or a range {@code 8000-8999}
   * @param server serves every connection accepted by a matching host
   * @throws IllegalArgumentException naming the value that cannot be parsed, or if {@code server} is null
   */
  public static Rule of(String addresses, String ports, Server server) {
    if (server == null) {
      throw new IllegalArgumentException("rule for " + addresses + ":" + ports + " has no server");
    }
    return new Rule(scope(addresses, ports), Mode.ACCEPT, server, null,
        addresses.trim() + ":" + ports.trim() + " -> " + describe(server), new Fault[0]);
  }

  /**
   * A rule giving matching hosts a {@link DatagramServer} for the UDP datagrams sent to them. It is
   * about UDP only: TCP to the same addresses and ports goes by the rules after it (and a TCP
   * {@link Server} rule is about TCP only), so one port can have a server of each kind.
   *
   * <pre>{@code
   * Rule.udp("192.168.0.5", "8125", DatagramServer.sink());
   * Rule.udp("192.168.0.6", "7", DatagramServer.echo());
   * Rule.udp("192.168.0.7", "9999", datagram -> datagram.reply(datagram.payload()));
   * }</pre>
   *
   * @param addresses {@code *}, one address, a range {@code a.b.c.d-a.b.c.e}, or a CIDR block
   * @param ports {@code *}, one port, or a range {@code 8000-8999}
   * @param server serves every datagram a matching host receives
   * @throws IllegalArgumentException naming the value that cannot be parsed, or if {@code server} is null
   */
  public static Rule udp(String addresses, String ports, DatagramServer server) {
    if (server == null) {
      throw new IllegalArgumentException("rule for " + addresses + ":" + ports + " has no datagram server");
    }
    return new Rule(scope(addresses, ports), Mode.DISCARD, null, server,
        addresses.trim() + ":" + ports.trim() + " -> udp " + describe(server), new Fault[0]);
  }

  /** The server's own {@code toString}, or, for a lambda or a class without one, where it was written. */
  private static String describe(Object server) {
    try {
      if (server.getClass().getMethod("toString").getDeclaringClass() != Object.class) {
        return server.toString();
      }
    } catch (NoSuchMethodException e) {
      throw new AssertionError("every object has toString", e);
    }
    String name = server.getClass().getName();
    int lambda = name.indexOf("$$Lambda");
    return "server from " + (lambda >= 0 ? name.substring(0, lambda) : name);
  }

  /** Every port of one address. */
  public static Rule forAddress(InetAddress address, Mode mode) {
    return of(address.getHostAddress(), "*", mode);
  }

  /** One port on every address. */
  public static Rule forPort(int port, Mode mode) {
    return of("*", Integer.toString(port), mode);
  }

  /** The fake hosts and ports this rule is for. */
  public Scope scope() {
    return scope;
  }

  /** The mode of matching hosts; {@link Mode#ACCEPT} for a rule with a {@link #server()}. */
  public Mode mode() {
    return mode;
  }

  /** The server of matching hosts, or null if this rule gives a mode only. */
  public Server server() {
    return server;
  }

  /** The datagram server of matching hosts, or null if this rule is not about datagrams only. */
  public DatagramServer datagramServer() {
    return datagramServer;
  }

  /** Whether this rule decides for TCP: not a {@link DatagramServer} rule. */
  boolean forTcp() {
    return datagramServer == null;
  }

  /** Whether this rule decides for UDP: not a TCP {@link Server} rule. */
  boolean forUdp() {
    return server == null;
  }

  /** Whether the fake host {@code address} (32-bit) on {@code port} matches. */
  boolean matches(int address, int port) {
    return scope.matches(address, port);
  }

  /** The scope of a rule from text, or an error naming the rule. */
  private static Scope scope(String addresses, String ports) {
    try {
      return Scope.of(addresses, ports);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("rule " + e.getMessage(), e); // "rule addresses '...': ..."
    }
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder(this.text);
    for (Fault f : faults) {
      text.append(' ').append(f.at(Scope.everywhere()));
    }
    return text.toString();
  }

}
