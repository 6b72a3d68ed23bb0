package io.faketcp.peer.internal.tcp;

/**
 * TCP sequence numbers: 32-bit, compared modulo 2^32 (RFC 9293 §3.4). A sequence number is held as
 * an {@code int} (no object per number on the packet path); every comparison goes through here,
 * never through {@code <}.
 */
final class Seq {
  private Seq() {
  }

  /** Whether {@code a} comes before {@code b}. */
  static boolean before(int a, int b) {
    return a - b < 0;
  }

  /** Whether {@code a} comes before or is {@code b}. */
  static boolean atOrBefore(int a, int b) {
    return a - b <= 0;
  }

  /** The later of two sequence numbers. */
  static int max(int a, int b) {
    return before(a, b) ? b : a;
  }

  /** Whether {@code seq} lies in {@code [start, start + length)}. */
  static boolean inWindow(int seq, int start, int length) {
    int offset = seq - start;
    return offset >= 0 && offset < length;
  }

  /** The number as the header field holds it, 0 to 2^32 - 1. */
  static long field(int seq) {
    return seq & 0xffffffffL;
  }
}
