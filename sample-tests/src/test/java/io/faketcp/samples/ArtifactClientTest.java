package io.faketcp.samples;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.NetworkControl;
import io.faketcp.junit5.NetworkInfo;
import io.faketcp.junit5.SubnetLocks;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/** {@link ArtifactClient} moving a megabyte each way over a path that loses 5% of the packets. */
@ResourceLock(providers = SubnetLocks.class)
@Timeout(60)
class ArtifactClientTest {

  // tag::survives-loss[]
  static final FakeArtifactRepository repository = new FakeArtifactRepository();

  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .subnet("10.64.0.0/24")
      .mode(Mode.REJECT)
      .rule(Rule.of("10.64.0.5", "8080", repository))
      .fault(Fault.parse("loss=5%"))    // both directions
      .seed(7)                          // the same draws on every run
      .build();

  @Test
  void aMegabyteGoesUpAndComesBackIntactThroughFivePercentLoss(NetworkInfo net, NetworkControl control)
      throws Exception {
    byte[] jar = new byte[1_000_000];
    new Random(1).nextBytes(jar);
    ArtifactClient artifacts = new ArtifactClient(URI.create("http://10.64.0.5:8080/"), Duration.ofSeconds(30));

    long start = System.nanoTime();
    artifacts.upload("app-1.0.jar", jar);
    byte[] downloaded = artifacts.download("app-1.0.jar");   // checked against the repository's SHA-256
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    byte[] stored = repository.stored.get("/artifacts/app-1.0.jar");
    assertThat(Arrays.mismatch(stored, jar)).as("first wrong byte stored").isEqualTo(-1);
    assertThat(Arrays.mismatch(downloaded, jar)).as("first wrong byte downloaded").isEqualTo(-1);
    assertThat(took).as("seconds, not minutes, on a loaded machine").isLessThan(Duration.ofSeconds(30));
    assertThat(control.faultActions().get(Fault.parse("loss=5%"))).as("packets lost").isGreaterThan(20);
    assertThat(network.capture())
        .hasRetransmissionsTo(net.socketAddress(5, 8080));     // the kernel resent the upload's lost segments
    // The download's lost segments never reached the wire (the transcript lists them as dropped):
    // the fake host's retransmissions are in its counters.
    assertThat(control.counters().retransmissions()).as("segments the fake host resent").isPositive();
  }
  // end::survives-loss[]
}
