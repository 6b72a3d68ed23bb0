/**
 * faketcp's tun device ({@code io.faketcp.tun}), its packets ({@code io.faketcp.packet}), the fake
 * peer that plays every other address of the subnet ({@code io.faketcp.peer}), the fake DNS server
 * ({@code io.faketcp.dns}) and the command line ({@code io.faketcp.cli}).
 *
 * <p>Only these packages are exported. The {@code internal} packages are not API: faketcp-junit alone
 * reads the two it needs (the device pool's door and the peer thread's), and JNA alone reflects over
 * the native structures.
 */
@SuppressWarnings("module") // io.faketcp.junit is built after this module
module io.faketcp.tun {
  requires com.sun.jna;

  exports io.faketcp.cli;
  exports io.faketcp.dns;
  exports io.faketcp.packet;
  exports io.faketcp.peer;
  exports io.faketcp.tun;

  exports io.faketcp.peer.internal to io.faketcp.junit;
  exports io.faketcp.tun.internal to io.faketcp.junit;
  opens io.faketcp.tun.internal to com.sun.jna;
}
