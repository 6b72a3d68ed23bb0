package io.faketcp.tun.internal;

import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import java.nio.charset.StandardCharsets;

/**
 * {@code struct ifreq} from {@code <net/if.h>}: the interface name followed by a 24-byte union, of
 * which faketcp uses the flags ({@code short}), the MTU ({@code int}) and an IPv4 {@code sockaddr_in}.
 * The union is kept as raw bytes and written through the typed setters below.
 */
@FieldOrder({"ifr_name", "ifr_ifru"})
public final class Ifreq extends Structure {
  /** {@code IFNAMSIZ}: interface names are shorter than this, NUL included. */
  public static final int IFNAMSIZ = 16;

  /** {@code char ifr_name[IFNAMSIZ]}. */
  public byte[] ifr_name = new byte[IFNAMSIZ];
  /** The union: {@code ifr_addr}, {@code ifr_flags}, {@code ifr_mtu}, ... (24 bytes on Linux). */
  public byte[] ifr_ifru = new byte[24];

  /** An ifreq naming {@code name}, which must be ASCII and shorter than {@link #IFNAMSIZ}. */
  public Ifreq(String name) {
    byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, ifr_name, 0, Math.min(bytes.length, IFNAMSIZ - 1));
  }

  /** The interface name the kernel wrote back (e.g. {@code tun3} for {@code tun%d}). */
  public String name() {
    int n = 0;
    while (n < IFNAMSIZ && ifr_name[n] != 0) {
      n++;
    }
    return new String(ifr_name, 0, n, StandardCharsets.US_ASCII);
  }

  /** Sets {@code ifr_flags} (native-endian short). */
  public Ifreq flags(int flags) {
    ifr_ifru[0] = (byte) flags;
    ifr_ifru[1] = (byte) (flags >>> 8);
    return this;
  }

  /** Reads {@code ifr_flags} after a {@code SIOCGIFFLAGS}. */
  public int flags() {
    return (ifr_ifru[0] & 0xff) | (ifr_ifru[1] & 0xff) << 8;
  }

  /** Sets {@code ifr_mtu} (native-endian int). */
  public Ifreq mtu(int mtu) {
    for (int i = 0; i < 4; i++) {
      ifr_ifru[i] = (byte) (mtu >>> (8 * i));
    }
    return this;
  }

  /** Reads {@code ifr_ifindex} after a {@code SIOCGIFINDEX} (native-endian int, the MTU's slot). */
  public int index() {
    int index = 0;
    for (int i = 0; i < 4; i++) {
      index |= (ifr_ifru[i] & 0xff) << (8 * i);
    }
    return index;
  }

  /** Sets {@code ifr_qlen} (native-endian int, the same union slot as the MTU). */
  public Ifreq queueLength(int length) {
    return mtu(length);
  }

  /** Sets {@code ifr_addr} to an AF_INET {@code sockaddr_in} holding {@code address} (network order). */
  public Ifreq inetAddress(byte[] address) {
    ifr_ifru[0] = (byte) LibC.AF_INET; // sa_family, little-endian short on x86/arm
    ifr_ifru[1] = 0;
    ifr_ifru[2] = 0; // sin_port
    ifr_ifru[3] = 0;
    System.arraycopy(address, 0, ifr_ifru, 4, 4);
    return this;
  }
}
