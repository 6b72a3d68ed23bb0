package io.faketcp.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.faketcp.junit5.FakeNetwork;
import io.faketcp.junit5.SubnetLocks;
import io.faketcp.peer.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.platform.commons.support.AnnotationSupport;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;

/**
 * {@code @FakeNetwork} seen by Spring's annotation model (as Spring's test framework scans a test
 * class): its {@code mode} is not taken for {@code @ResourceLock}'s (no deprecation warning, the lock's
 * mode stays READ), and JUnit still finds the lock with its provider.
 */
class FakeNetworkAnnotationTest {
  @FakeNetwork(mode = Mode.REJECT, subnet = "10.75.0.0/24")
  static class Annotated {}

  @Test
  void springDoesNotTakeFakeNetworksModeForTheResourceLocks() {
    List<LogRecord> warnings = new ArrayList<>();
    Logger logger = Logger.getLogger("org.springframework.core.annotation.AnnotationTypeMapping");
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        warnings.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    logger.addHandler(handler);
    try {
      MergedAnnotations annotations = MergedAnnotations.from(Annotated.class, MergedAnnotations.SearchStrategy.TYPE_HIERARCHY);
      MergedAnnotation<ResourceLock> lock = annotations.get(ResourceLock.class);
      assertThat(lock.isPresent()).isTrue();
      assertThat(lock.getEnum("mode", ResourceAccessMode.class)).isEqualTo(ResourceAccessMode.READ);
      assertThat(annotations.get(FakeNetwork.class).getEnum("mode", Mode.class)).isEqualTo(Mode.REJECT);
    } finally {
      logger.removeHandler(handler);
    }
    assertThat(warnings).extracting(LogRecord::getMessage).noneMatch(m -> m.contains("convention-based"));
  }

  @Test
  void junitStillFindsTheSubnetLock() {
    List<ResourceLock> locks = AnnotationSupport.findRepeatableAnnotations(Annotated.class, ResourceLock.class);
    assertThat(locks).singleElement().satisfies(lock -> {
      assertThat(lock.mode()).isEqualTo(ResourceAccessMode.READ);
      assertThat(lock.providers()).containsExactly(SubnetLocks.class);
    });
  }
}
