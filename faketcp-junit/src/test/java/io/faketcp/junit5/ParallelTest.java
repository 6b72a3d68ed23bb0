package io.faketcp.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * With parallel execution, tests on one subnet are serialized by the subnet resource lock; tests on
 * disjoint subnets run at the same time.
 */
class ParallelTest {
  private static final Map<String, String> PARALLEL = Map.of(
      "junit.jupiter.execution.parallel.enabled", "true",
      "junit.jupiter.execution.parallel.mode.default", "concurrent",
      "junit.jupiter.execution.parallel.mode.classes.default", "concurrent",
      "junit.jupiter.execution.parallel.config.strategy", "fixed",
      "junit.jupiter.execution.parallel.config.fixed.parallelism", "4");
  static final List<Interval> intervals = new CopyOnWriteArrayList<>();

  @BeforeEach
  void reset() {
    intervals.clear();
  }

  @Test
  void testsOnTheSameSubnetNeverOverlap() {
    Kit.run(PARALLEL, SameSubnetATestCases.class, SameSubnetBTestCases.class)
        .testEvents().assertStatistics(s -> s.succeeded(6));
    assertThat(intervals).hasSize(6);
    assertThat(overlapping("192.168.0.0/24", "192.168.0.0/24")).as("overlapping intervals on one subnet").isZero();
    Kit.assertCleanedUp();
  }

  @Test
  void testsOnDisjointSubnetsRunAtTheSameTime() {
    Kit.run(PARALLEL, DisjointATestCases.class, DisjointBTestCases.class)
        .testEvents().assertStatistics(s -> s.succeeded(6));
    assertThat(overlapping("10.40.0.0/24", "10.41.0.0/24")).as("overlapping intervals on disjoint subnets")
        .isPositive();
    Kit.assertCleanedUp();
  }

  @Test
  void nestedSubnetsAreSerializedToo() {
    Kit.run(PARALLEL, WideTestCases.class, DisjointATestCases.class)
        .testEvents().assertStatistics(s -> s.succeeded(6));
    assertThat(overlapping("10.0.0.0/8", "10.40.0.0/24")).isZero();
    Kit.assertCleanedUp();
  }

  @Test
  void programmaticRegistrationWithTheDeclaredLockIsSerializedByItsStaticSubnet() {
    assumeTrue(lockProvidersSupported(), "@ResourceLock(providers = ...) needs JUnit 5.12 or later");
    Kit.run(PARALLEL, ProgrammaticTestCases.class, SameSubnetATestCases.class)
        .testEvents().assertStatistics(s -> s.succeeded(6));
    assertThat(overlapping("192.168.0.0/24", "192.168.0.0/24")).isZero();
    Kit.assertCleanedUp();
  }

  @Test
  void programmaticRegistrationWithoutTheLockWaitsForTheSubnetInsteadOfSharingIt() {
    Kit.run(PARALLEL, ProgrammaticWithoutLockTestCases.class, SameSubnetATestCases.class)
        .testEvents().assertStatistics(s -> s.succeeded(6));
    assertThat(overlapping("192.168.0.0/24", "192.168.0.0/24")).isZero();
    Kit.assertCleanedUp();
  }

  @Test
  void dualStackNetworksOnOnePrefixNeverOverlapThoughTheirSubnetsDiffer() {
    Kit.run(PARALLEL, DualStackATestCases.class, DualStackBTestCases.class, Ipv6OnlyTestCases.class)
        .testEvents().assertStatistics(s -> s.succeeded(9));
    assertThat(intervals).hasSize(9);
    assertThat(overlapping("fd00:42::/64", "fd00:42::/64")).as("overlapping intervals on one prefix").isZero();
    Kit.assertCleanedUp();
  }

  @Test
  void networksOnDisjointPrefixesRunAtTheSameTime() {
    Kit.run(PARALLEL, DualStackATestCases.class, DualStackCTestCases.class)
        .testEvents().assertStatistics(s -> s.succeeded(6));
    assertThat(overlapping("fd00:42::/64", "fd00:45::/64")).as("overlapping intervals on disjoint prefixes")
        .isPositive();
    Kit.assertCleanedUp();
  }

  @Test
  void programmaticRegistrationWithoutTheLockWaitsForThePrefixInsteadOfSharingIt() {
    Kit.run(PARALLEL, ProgrammaticDualStackTestCases.class, DualStackATestCases.class)
        .testEvents().assertStatistics(s -> s.succeeded(6));
    assertThat(overlapping("fd00:42::/64", "fd00:42::/64")).isZero();
    Kit.assertCleanedUp();
  }

  private static boolean lockProvidersSupported() {
    try {
      Class.forName("org.junit.jupiter.api.parallel.ResourceLocksProvider");
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static long overlapping(String a, String b) {
    long count = 0;
    List<Interval> all = new ArrayList<>(intervals);
    for (int i = 0; i < all.size(); i++) {
      for (int j = i + 1; j < all.size(); j++) {
        Interval x = all.get(i);
        Interval y = all.get(j);
        boolean pair = x.subnet.equals(a) && y.subnet.equals(b) || x.subnet.equals(b) && y.subnet.equals(a);
        if (pair && x.start < y.end && y.start < x.end) {
          count++;
        }
      }
    }
    return count;
  }

  static final class Interval {
    final String subnet;
    final long start;
    final long end;

    Interval(String subnet, long start, long end) {
      this.subnet = subnet;
      this.start = start;
      this.end = end;
    }
  }

  static void work(NetworkInfo net) throws InterruptedException {
    work(net.subnet().toString());
  }

  /** Recorded by the network's IPv6 prefix. */
  static void work6(NetworkInfo net) throws InterruptedException {
    work(net.subnet6().orElseThrow().toString());
  }

  private static void work(String subnet) throws InterruptedException {
    long start = System.nanoTime();
    Thread.sleep(150);
    intervals.add(new Interval(subnet, start, System.nanoTime()));
  }

  @FakeNetwork(capture = false)
  static class SameSubnetATestCases {
    @Test
    void a1(NetworkInfo net) throws InterruptedException {
      work(net);
    }

    @Test
    void a2(NetworkInfo net) throws InterruptedException {
      work(net);
    }

    @Test
    void a3(NetworkInfo net) throws InterruptedException {
      work(net);
    }
  }

  static class SameSubnetBTestCases {
    @Test
    @FakeNetwork(capture = false)
    void b1(NetworkInfo net) throws InterruptedException {
      work(net);
    }

    @Test
    @FakeNetwork(capture = false)
    void b2(NetworkInfo net) throws InterruptedException {
      work(net);
    }

    @Test
    @FakeNetwork(capture = false)
    void b3(NetworkInfo net) throws InterruptedException {
      work(net);
    }
  }

  @FakeNetwork(subnet = "10.40.0.0/24")
  static class DisjointATestCases {
    @Test
    void a1(NetworkInfo net) throws InterruptedException {
      work(net);
    }

    @Test
    void a2(NetworkInfo net) throws InterruptedException {
      work(net);
    }

    @Test
    void a3(NetworkInfo net) throws InterruptedException {
      work(net);
    }
  }

  @FakeNetwork(subnet = "10.41.0.0/24")
  static class DisjointBTestCases {
    @Test
    void b1(NetworkInfo net) throws InterruptedException {
      work(net);
    }

    @Test
    void b2(NetworkInfo net) throws InterruptedException {
      work(net);
    }

    @Test
    void b3(NetworkInfo net) throws InterruptedException {
      work(net);
    }
  }

  @FakeNetwork(subnet = "10.0.0.0/8", capture = false)
  static class WideTestCases {
    @Test
    void w1(NetworkInfo net) throws InterruptedException {
      work(net);
    }

    @Test
    void w2(NetworkInfo net) throws InterruptedException {
      work(net);
    }

    @Test
    void w3(NetworkInfo net) throws InterruptedException {
      work(net);
    }
  }

  /** Three tests that record their network's prefix; the subclasses say which network (@FakeNetwork is inherited). */
  abstract static class PrefixWork {
    @Test
    void t1(NetworkInfo net) throws InterruptedException {
      work6(net);
    }

    @Test
    void t2(NetworkInfo net) throws InterruptedException {
      work6(net);
    }

    @Test
    void t3(NetworkInfo net) throws InterruptedException {
      work6(net);
    }
  }

  @FakeNetwork(subnet = "10.42.0.0/24", subnet6 = "fd00:42::/64", capture = false)
  static class DualStackATestCases extends PrefixWork {}

  @FakeNetwork(subnet = "10.43.0.0/24", subnet6 = "fd00:42::/64", capture = false)
  static class DualStackBTestCases extends PrefixWork {}

  @FakeNetwork(subnet = "", subnet6 = "fd00:42::/64", capture = false)
  static class Ipv6OnlyTestCases extends PrefixWork {}

  @FakeNetwork(subnet = "10.45.0.0/24", subnet6 = "fd00:45::/64", capture = false)
  static class DualStackCTestCases extends PrefixWork {}

  // Without @ResourceLock: only the pool keeps it apart from DualStackATestCases (distinct IPv4 subnets).
  @Execution(ExecutionMode.SAME_THREAD)
  static class ProgrammaticDualStackTestCases {
    @RegisterExtension
    static FakeNetworkExtension net = FakeNetworkExtension.newInstance().subnet("10.44.0.0/24").subnet6("fd00:42::/64")
        .capture(false).build();

    @Test
    void p1() throws InterruptedException {
      work6(net.info());
    }

    @Test
    void p2() throws InterruptedException {
      work6(net.info());
    }

    @Test
    void p3() throws InterruptedException {
      work6(net.info());
    }
  }

  @ResourceLock(providers = SubnetLocks.class)
  static class ProgrammaticTestCases extends ProgrammaticWithoutLockTestCases {}

  // Its tests share one network (a static field): they run one after another; the class as a whole runs
  // in parallel with the others.
  @Execution(ExecutionMode.SAME_THREAD)
  static class ProgrammaticWithoutLockTestCases {
    @RegisterExtension
    static FakeNetworkExtension net = FakeNetworkExtension.newInstance().capture(false).build();

    @Test
    void p1() throws InterruptedException {
      work(net.info());
    }

    @Test
    void p2() throws InterruptedException {
      work(net.info());
    }

    @Test
    void p3() throws InterruptedException {
      work(net.info());
    }
  }
}
