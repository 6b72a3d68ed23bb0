package io.faketcp.spring;

import io.faketcp.junit5.CapturedPacket;
import io.faketcp.packet.Ipv4Packet;
import io.faketcp.packet.TcpSegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** The endpoints of {@link ContextFakeNetwork#background()}: a packet from or to one of them is background. */
final class Background implements Predicate<CapturedPacket> {
  private static final long ANY = -1;
  private final List<long[]> endpoints; // {address (unsigned) or ANY, port or ANY}
  private final String text;

  private Background(List<long[]> endpoints, String text) {
    this.endpoints = endpoints;
    this.text = text;
  }

  /**
   * Parses {@code "ADDRESS"}, {@code "ADDRESS:PORT"} and {@code "*:PORT"}.
   *
   * @throws IllegalArgumentException naming the spec that is not one of them
   */
  static Background parse(String... specs) {
    List<long[]> endpoints = new ArrayList<>();
    for (String spec : specs) {
      String s = spec.trim();
      int colon = s.lastIndexOf(':');
      String address = colon < 0 ? s : s.substring(0, colon);
      long port = ANY;
      try {
        if (colon >= 0) {
          port = Integer.parseInt(s.substring(colon + 1));
          if (port < 1 || port > 65535) {
            throw new NumberFormatException("port out of range");
          }
        }
        long addr = address.equals("*") ? ANY : dottedQuad(address);
        if (addr == ANY && port == ANY) {
          throw new IllegalArgumentException("'*' alone would leave out everything");
        }
        endpoints.add(new long[] {addr, port});
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("@ContextFakeNetwork(background = \"" + spec + "\") is not an endpoint:"
            + " write \"ADDRESS\", \"ADDRESS:PORT\" or \"*:PORT\" (e.g. \"10.20.0.7:5432\") (" + e.getMessage() + ")", e);
      }
    }
    return new Background(List.copyOf(endpoints), String.join(", ", specs));
  }

  private static long dottedQuad(String address) {
    String[] parts = address.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: '" + address + "'");
    }
    long value = 0;
    for (String part : parts) {
      int b = Integer.parseInt(part);
      if (b < 0 || b > 255 || part.isEmpty()) {
        throw new IllegalArgumentException("not an IPv4 address: '" + address + "'");
      }
      value = value << 8 | b;
    }
    return value;
  }

  boolean isEmpty() {
    return endpoints.isEmpty();
  }

  @Override
  public boolean test(CapturedPacket packet) {
    Optional<Ipv4Packet> ip = packet.ip();
    if (ip.isEmpty()) {
      return false;
    }
    Optional<TcpSegment> tcp = packet.tcp();
    long sourcePort = tcp.isPresent() ? tcp.get().sourcePort() : ANY;
    long destinationPort = tcp.isPresent() ? tcp.get().destinationPort() : ANY;
    long source = Integer.toUnsignedLong(ip.get().sourceInt());
    long destination = Integer.toUnsignedLong(ip.get().destinationInt());
    for (long[] e : endpoints) {
      if (matches(e, source, sourcePort) || matches(e, destination, destinationPort)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(long[] endpoint, long address, long port) {
    return (endpoint[0] == ANY || endpoint[0] == address) && (endpoint[1] == ANY || endpoint[1] == port);
  }

  @Override
  public String toString() {
    return "background " + text;
  }
}
