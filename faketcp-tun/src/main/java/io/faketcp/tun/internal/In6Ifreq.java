package io.faketcp.tun.internal;

/**
 * {@code struct in6_ifreq} from {@code <linux/ipv6.h>}, as the bytes {@link LibC#ioctl(int,
 * com.sun.jna.NativeLong, byte[])} passes: the address (16 bytes, network order), the prefix length
 * ({@code __u32}) and the interface index ({@code int}), both native-endian; 24 bytes.
 */
public final class In6Ifreq {
  private static final int SIZE = 24;

  private In6Ifreq() {}

  /** The structure asking for {@code address}/{@code prefixLength} on interface {@code index}. */
  public static byte[] of(byte[] address, int prefixLength, int index) {
    if (address.length != 16) {
      throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + address.length);
    }
    byte[] bytes = new byte[SIZE];
    System.arraycopy(address, 0, bytes, 0, 16);
    putNative(bytes, 16, prefixLength);
    putNative(bytes, 20, index);
    return bytes;
  }

  private static void putNative(byte[] bytes, int offset, int value) {
    boolean little = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;
    for (int i = 0; i < 4; i++) {
      bytes[offset + i] = (byte) (value >>> (little ? 8 * i : 24 - 8 * i));
    }
  }
}
