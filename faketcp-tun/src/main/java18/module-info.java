/**
 * faketcp's tun device ({@code io.faketcp.tun}), its packets ({@code io.faketcp.packet}), the fake
 * peer that plays every other address of the subnet ({@code io.faketcp.peer}), the fake DNS server
 * ({@code io.faketcp.dns}) and the command line ({@code io.faketcp.cli}).
 *
 * <p>This is the descriptor of JDK 18 and later (a multi-release jar's {@code META-INF/versions/18}):
 * the one of {@code src/main/java} plus the JDK resolver provider, whose service type JDK 17 lacks.
 * ModuleFenceTest checks that the two say the same otherwise.
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

  provides java.net.spi.InetAddressResolverProvider with io.faketcp.dns.internal.JdkResolverProvider;
}
