package io.faketcp.tun;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For tests that create real tun devices: skips them with the one-line reason when the machine
 * cannot, or fails them when the build demands the network ({@code -Dfaketcp.require=true}, set on CI).
 * After the class, ends every connection the host still has to a fake network ({@link HostSockets}):
 * the classes of a test JVM share its namespace, and none may see another's traffic.
 */
public final class RequiresTun implements BeforeAllCallback, AfterAllCallback {
  @Override
  public void beforeAll(ExtensionContext context) {
    if (Prerequisites.privateNamespaceRequired() && !Prerequisites.inPrivateNamespace()) {
      // Never a skip: a build that would create tun devices in the machine's own namespace is broken.
      throw new IllegalStateException("faketcp's tun tests must run in a private network namespace, but this JVM is"
          + " in the machine's main one: Surefire's <jvm> must be bin/jvm/bin/java (bin/faketcp-netns)");
    }
    Optional<String> missing = Prerequisites.missing();
    if (missing.isPresent() && Boolean.getBoolean("faketcp.require")) {
      throw new IllegalStateException("faketcp.require=true but tun tests cannot run: " + missing.get());
    }
    assumeTrue(missing.isEmpty(), () -> "skipped: " + missing.orElse(""));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (Prerequisites.missing().isEmpty()) {
      HostSockets.endAllButLoopback();
    }
  }
}
