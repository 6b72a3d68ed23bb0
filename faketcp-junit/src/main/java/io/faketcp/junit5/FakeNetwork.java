package io.faketcp.junit5;

import io.faketcp.peer.Mode;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.springframework.core.annotation.AliasFor;

/**
 * Gives each test a fake IPv4 subnet: before each test a tun device holds the subnet's first address,
 * a fake peer plays every other address according to {@link #mode()}, and pcap captures the traffic;
 * after each test (passed, failed or timed out) all of it is removed.
 *
 * <pre>{@code
 * @FakeNetwork(mode = Mode.REJECT)
 * class ClientTest {
 *   @Test
 *   void reportsRefusedConnections(NetworkInfo net, Capture capture) {
 *     assertThatThrownBy(() -> new Socket(net.address(5), 80)).isInstanceOf(ConnectException.class);
 *     FakeNetworkAssertions.assertThat(capture).hasResetFrom(net.address(5));
 *   }
 * }
 * }</pre>
 *
 * <p>On a class it applies to every test, on a method to that test; the method's annotation wins.
 * Test and lifecycle methods may declare parameters of type {@link NetworkInfo},
 * {@link NetworkControl} and {@link Capture}. For anything the annotation cannot say (rules per
 * address, a responder, a capture filter, one network for a whole class) register a
 * {@link FakeNetworkExtension} instead — not both on one class.
 *
 * <p>Tests on the same (or an overlapping) subnet or IPv6 prefix never run at the same time, also with
 * parallel execution: the annotation declares a {@link ResourceLock} per subnet and prefix (JUnit 5.12
 * or later). Give tests distinct subnets (and prefixes) to let them run in parallel. JUnit 5.10 and
 * 5.11 ignore the per-subnet locks: there, parallel tests on overlapping subnets wait for each other
 * inside faketcp.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(FakeNetworkExtension.class)
// value and mode: JUnit before 5.12 has no providers and requires a value; the READ lock on the key
// every subnet's locks share adds nothing on 5.12+, where the provider's locks do the work.
@ResourceLock(value = SubnetLocks.EVERY_SUBNET, mode = ResourceAccessMode.READ, providers = SubnetLocks.class)
@PeerModeAlias
public @interface FakeNetwork {
  /** How the fake hosts answer TCP (ICMP echo is answered in every mode). Default {@link Mode#ACCEPT}. */
  // For Spring only (see PeerModeAlias): not @ResourceLock's mode. Absent at run time without Spring.
  @AliasFor(annotation = PeerModeAlias.class)
  Mode mode() default Mode.ACCEPT;

  /**
   * Faults between the host and the fake hosts, one spec each ({@code "latency=50ms"},
   * {@code "loss=1%"}, {@code "reset-after=1000@192.168.0.5:80"}...; see {@link io.faketcp.peer.Fault}).
   * Random ones take their seed from {@link #seed()}; a {@code "seed=N"} among the specs is still
   * read, for compatibility, and wins.
   */
  String[] faults() default {};

  /**
   * The seed of the random faults ({@code loss}, {@code duplicate}, {@code reorder}, jitter):
   * {@code @FakeNetwork(seed = 42)} drops the same packets for the same traffic on every run. At most
   * one value; without it {@code -Dfaketcp.seed}, else a random seed. A failing test's message and
   * transcript name the seed used, and {@link NetworkControl#seed()} gives it.
   */
  long[] seed() default {};

  /**
   * Names for fake hosts, served by a fake DNS server on the subnet's last address (192.168.0.254 in a
   * /24), UDP and TCP port 53: {@code "db.test=192.168.0.5"}, several addresses in order
   * ({@code "api.test=192.168.0.6,192.168.0.7"}), {@code "www.test=CNAME api.test"},
   * {@code "_pg._tcp.test=SRV 0 5 5432 db.test"}, {@code "db.test=TXT role=primary"}, each optionally
   * ending in {@code ";ttl=5"} (seconds; 30 by default). Names nobody declared are NXDOMAIN at once;
   * {@code localhost} resolves as always. The JDK's resolver asks this server on JDK 18 and later (and
   * everywhere under faketcp's launcher); see the README's "Names and DNS". With no names, no DNS server runs.
   */
  String[] hosts() default {};

  /**
   * The fake subnet in CIDR notation; the host (this machine) gets its first address. Empty, with a
   * {@link #subnet6()}, for an IPv6-only network.
   */
  String subnet() default "192.168.0.0/24";

  /**
   * An IPv6 prefix beside the IPv4 {@link #subnet()} (dual stack), /64 to /120, e.g.
   * {@code "fd00:fa:ce::/64"}; empty (the default) for IPv4 only. The host gets its {@code ::1}, the
   * fake hosts its other addresses, with the same modes, rules and faults ({@code @ipv6} scopes a fault
   * to them); a name declared in {@link #hosts()} also gets the AAAA record of the same host number.
   * With {@code subnet = ""} the network is IPv6 only: the device has no IPv4 address (then no names
   * can be declared).
   */
  String subnet6() default "";

  /**
   * Whether to capture the traffic with pcap (needs libpcap), for {@link Capture} and failure artefacts;
   * with the default limits (100,000 packets, 64 MiB: whole packets, then headers only), which
   * {@link FakeNetworkExtension.Builder} can change.
   */
  boolean capture() default true;

  /**
   * The tun device's name, or a pattern with {@code %d} for the kernel to number. ASCII letters,
   * digits, '-', '_', '.', shorter than 16 characters.
   */
  String deviceName() default "tun%d";

  /**
   * When tun devices cannot be created here (not Linux, no /dev/net/tun, no CAP_NET_ADMIN, no libpcap):
   * {@code false} (default) fails the test with a line saying what is missing and how to fix it;
   * {@code true} skips it instead — unless the build sets {@code -Dfaketcp.require=true}, which always fails.
   */
  boolean skipIfUnavailable() default false;
}
