package io.faketcp.spring;

import io.faketcp.peer.Mode;
import io.faketcp.peer.Rules;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a Spring test's application context a fake IPv4 subnet that lives as long as the context: it
 * is up before the context refreshes (so beans may connect while they start: a pool, a schema
 * initialisation), its addresses are properties of the context's environment, and it closes when
 * the context is closed or evicted from Spring's context cache.
 *
 * <pre>{@code
 * @SpringBootTest(properties = "spring.datasource.url=jdbc:postgresql://${faketcp.address.7}:5432/app")
 * @ContextFakeNetwork(subnet = "10.20.0.0/24", rules = Database.class)
 * class RepositoryTest {
 *   @Test
 *   void readsThroughTheBlackhole(NetworkControl peer, Capture capture) { ... }
 * }
 * }</pre>
 *
 * <p>The annotation is part of the context's cache key: test classes with equal annotations (and
 * otherwise equal configuration) share one context and its network, a class with a different one gets a
 * context of its own. Should two contexts' subnets overlap, the network of the context in use takes the
 * subnet over and the other context's network is opened again when one of its tests runs.
 *
 * <p>Properties: {@code faketcp.subnet} (e.g. {@code 10.20.0.0/24}), {@code faketcp.host} (this
 * machine's address on it) and {@code faketcp.address.N}, the subnet's Nth address ({@code faketcp.address.7}
 * is {@code 10.20.0.7}) and, for each name of {@link #hosts()} with addresses, {@code faketcp.name.NAME}
 * (lower case: {@code faketcp.name.db.test} is {@code 192.168.0.5}; several addresses comma-separated,
 * in order). The names are listed (an enumerable property source), so Spring Boot's binder also
 * finds them: {@code @ConfigurationProperties("faketcp")} binds them to a {@code Map<String, String> name}.
 *
 * <p>Per test: test and lifecycle methods may declare parameters of type
 * {@link io.faketcp.junit5.NetworkInfo}, {@link io.faketcp.junit5.NetworkControl},
 * {@link io.faketcp.junit5.Capture} and {@link TestCapture}. Each test starts with the configured mode,
 * rules and faults (whatever an earlier test changed is undone) and a capture of its own, which leaves
 * out the {@link #background()} traffic. Tests sharing a network do not run in parallel with each other.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ContextNetworkExtension.class)
public @interface ContextFakeNetwork {
  /** How the fake hosts answer TCP unless {@link #rules()} says otherwise. Default {@link Mode#ACCEPT}. */
  Mode mode() default Mode.ACCEPT;

  /**
   * A class (with a constructor without parameters) whose {@code get()} returns the network's rules,
   * for what an annotation cannot hold: a {@link io.faketcp.peer.Server} on a fake host, a rule per
   * address. Its rules replace {@link #mode()}: give the default mode in the {@link Rules}.
   */
  Class<? extends Supplier<Rules>> rules() default NoRules.class;

  /** Faults in force in every test, one spec each ({@code "latency=50ms"}...; see {@link io.faketcp.peer.Fault}). */
  String[] faults() default {};

  /**
   * The seed of the random faults, as {@link io.faketcp.junit5.FakeNetwork#seed()}: at most one value;
   * without it {@code -Dfaketcp.seed}, else a random seed.
   */
  long[] seed() default {};

  /**
   * Names for fake hosts, in the notation of {@link io.faketcp.junit5.FakeNetwork#hosts()}
   * ({@code "db.test=192.168.0.5"}, {@code "api.test=192.168.0.6,192.168.0.7"}, {@code "www.test=CNAME api.test"}...),
   * served by a fake DNS server on the subnet's last address while the context lives. Each name with
   * addresses is a property before the refresh: {@code faketcp.name.db.test} is {@code 192.168.0.5}
   * (several addresses comma-separated, in order; a CNAME's are its target's). Each test starts with these
   * names again, whatever an earlier test changed through {@link io.faketcp.junit5.NetworkControl#names()}.
   */
  String[] hosts() default {};

  /**
   * The fake subnet in CIDR notation; the host (this machine) gets its first address. Empty, with a
   * {@link #subnet6()}, for an IPv6-only network ({@code faketcp.subnet} is then the prefix).
   */
  String subnet() default "192.168.0.0/24";

  /**
   * An IPv6 prefix beside the IPv4 subnet (dual stack), e.g. {@code "fd00:fa:ce::/64"}; empty (the
   * default) for IPv4 only. Adds the properties {@code faketcp.subnet6}, {@code faketcp.host6} and
   * {@code faketcp.address6.N}; names get AAAA records of the same host numbers.
   */
  String subnet6() default "";

  /** Whether to capture the traffic (for {@link io.faketcp.junit5.Capture}). */
  boolean capture() default true;

  /** The tun device's name, or a pattern with {@code %d} for the kernel to number. */
  String deviceName() default "tun%d";

  /**
   * Traffic of the context itself that no test's {@link io.faketcp.junit5.Capture} shows (a pool's
   * connections, a scheduler's calls): endpoints {@code "ADDRESS"}, {@code "ADDRESS:PORT"} or
   * {@code "*:PORT"}; a packet from or to one of them is left out. {@link TestCapture#everything()}
   * still has it.
   */
  String[] background() default {};

  /**
   * When tun devices cannot be created here: {@code false} (default) fails the context with a line
   * saying what is missing; {@code true} skips the tests instead, unless the build sets
   * {@code -Dfaketcp.require=true}.
   */
  boolean skipIfUnavailable() default false;

  /** The default of {@link #rules()}: none, {@link #mode()} decides. */
  final class NoRules implements Supplier<Rules> {
    private NoRules() {}

    /** Never called. */
    @Override
    public Rules get() {
      throw new UnsupportedOperationException("NoRules stands for 'no rules given'");
    }
  }
}
