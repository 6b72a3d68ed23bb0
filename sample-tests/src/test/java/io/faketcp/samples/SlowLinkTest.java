package io.faketcp.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.SubnetLocks;
import io.faketcp.peer.Fault;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import java.net.URI;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/** {@link ArtifactClient} on a slow link: each transfer takes its size over the link's rate, both ways. */
@ResourceLock(providers = SubnetLocks.class)
@Timeout(30)
class SlowLinkTest {

  // tag::slow-link[]
  static final FakeArtifactRepository repository = new FakeArtifactRepository();

  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .subnet("10.68.0.0/24")
      .mode(Mode.REJECT)
      .rule(Rule.of("10.68.0.5", "8080", repository))
      .fault(Fault.parse("bandwidth=256KB/s"))   // each direction: 256,000 bytes a second
      .build();

  @Test
  void eachTransferTakesItsSizeOverTheRate() throws Exception {
    byte[] jar = new byte[256_000];
    new Random(2).nextBytes(jar);
    ArtifactClient artifacts = new ArtifactClient(URI.create("http://10.68.0.5:8080/"), Duration.ofSeconds(20));

    long start = System.nanoTime();
    artifacts.upload("lib-2.0.jar", jar);
    Duration up = Duration.ofNanos(System.nanoTime() - start);
    start = System.nanoTime();
    byte[] downloaded = artifacts.download("lib-2.0.jar");
    Duration down = Duration.ofNanos(System.nanoTime() - start);

    assertThat(downloaded).isEqualTo(jar);
    assertThat(up).as("256 KB up at 256 KB/s").isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));
    assertThat(down).as("256 KB down at 256 KB/s").isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));
  }
  // end::slow-link[]
}
