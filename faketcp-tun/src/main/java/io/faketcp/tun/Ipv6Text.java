package io.faketcp.tun;

/**
 * The text forms of an IPv6 address (RFC 4291 §2.2): eight groups of one to four hex digits, one
 * {@code ::} for a run of zero groups, and an IPv4 dotted quad as the last 32 bits. No zone
 * ({@code %eth0}), no brackets, no name lookup: {@link #parse} fails with the reason instead.
 */
final class Ipv6Text {

  private Ipv6Text() {
  }

  /**
   * The address as its two halves, first byte in the high bits of {@code [0]}.
   *
   * @param text e.g. {@code fd00:fa:ce::1} or {@code ::ffff:192.168.0.5}
   * @param what how to name the input in an error, e.g. {@code "IPv6 subnet 'x/64'"}
   * @throws IllegalArgumentException naming the input and what is wrong with it
   */
  static long[] parse(String text, String what) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException(what + " has no address before the '/'");
    }
    if (text.indexOf('%') >= 0 || text.indexOf('[') >= 0) {
      throw new IllegalArgumentException(what + " has a zone or brackets: write the bare address, e.g. fd00:fa:ce::");
    }
    int[] groups = new int[8];
    int doubleColon = text.indexOf("::");
    if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
      throw new IllegalArgumentException(what + " has '::' twice: it may stand for one run of zero groups only");
    }
    String head = doubleColon >= 0 ? text.substring(0, doubleColon) : text;
    String tail = doubleColon >= 0 ? text.substring(doubleColon + 2) : "";
    int[] first = groups(head, what, doubleColon < 0);
    int[] last = groups(tail, what, true);
    int count = first.length + last.length;
    if (doubleColon < 0 && count != 8) {
      throw new IllegalArgumentException(what + " has " + count + " groups of hex digits: expected 8, or '::' for"
          + " the zero groups left out");
    }
    if (doubleColon >= 0 && count > 7) {
      throw new IllegalArgumentException(what + " has " + count + " groups and '::': at most 7 groups fit beside '::'");
    }
    System.arraycopy(first, 0, groups, 0, first.length);
    System.arraycopy(last, 0, groups, 8 - last.length, last.length);
    long high = 0;
    long low = 0;
    for (int i = 0; i < 4; i++) {
      high = high << 16 | groups[i];
      low = low << 16 | groups[i + 4];
    }
    return new long[] {high, low};
  }

  /** The 16-bit groups of a colon-separated part; a dotted quad at its end (if allowed) counts as two. */
  private static int[] groups(String part, String what, boolean quadAllowed) {
    if (part.isEmpty()) {
      return new int[0];
    }
    String[] texts = part.split(":", -1);
    boolean quad = texts[texts.length - 1].indexOf('.') >= 0;
    int[] groups = new int[texts.length + (quad ? 1 : 0)];
    for (int i = 0; i < texts.length; i++) {
      String t = texts[i];
      if (quad && i == texts.length - 1) {
        if (!quadAllowed) {
          throw new IllegalArgumentException(what + " has a dotted quad '" + t + "' before '::': it may only end"
              + " the address");
        }
        int v4 = dottedQuad(t, what);
        groups[i] = v4 >>> 16;
        groups[i + 1] = v4 & 0xFFFF;
        continue;
      }
      if (t.isEmpty() || t.length() > 4) {
        throw new IllegalArgumentException(what + " has a group '" + t + "': expected 1 to 4 hex digits between"
            + " colons");
      }
      int v = 0;
      for (int j = 0; j < t.length(); j++) {
        int d = Character.digit(t.charAt(j), 16);
        if (d < 0) {
          throw new IllegalArgumentException(what + " has a group '" + t + "' that is not hex digits");
        }
        v = v << 4 | d;
      }
      groups[i] = v;
    }
    return groups;
  }

  private static int dottedQuad(String t, String what) {
    String[] octets = t.split("\\.", -1);
    if (octets.length != 4) {
      throw new IllegalArgumentException(what + " ends in '" + t + "', not a dotted quad a.b.c.d");
    }
    int v = 0;
    for (String o : octets) {
      int n = -1;
      if (!o.isEmpty() && o.length() <= 3 && o.chars().allMatch(c -> c >= '0' && c <= '9')) {
        n = Integer.parseInt(o);
      }
      if (n < 0 || n > 255) {
        throw new IllegalArgumentException(what + " has an octet '" + o + "' that is not 0 to 255");
      }
      v = v << 8 | n;
    }
    return v;
  }
}
