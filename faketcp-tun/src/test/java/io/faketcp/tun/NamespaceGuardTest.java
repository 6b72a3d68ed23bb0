package io.faketcp.tun;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The guard that keeps faketcp's own build from creating tun devices in the machine's main network
 * namespace. The namespace is main when {@code /proc/self/ns/net} and {@code /proc/1/ns/net} name the
 * same namespace; where pid 1's link cannot be read (hidepid, some containers), it is private only if
 * it is the one {@code bin/faketcp-netns} made and exported as {@code FAKETCP_NETNS}. The decision is
 * tested here with the links as data, so no device is ever opened outside a private namespace.
 */
class NamespaceGuardTest {
  private static final String MAIN = "net:[4026531840]";
  private static final String PRIVATE = "net:[4026532999]";

  @Test
  void theSameNamespaceAsPidOneIsTheMainOne() {
    assertThat(Prerequisites.inPrivateNamespace(MAIN, MAIN, null)).isFalse();
    assertThat(Prerequisites.inPrivateNamespace(MAIN, MAIN, MAIN)).as("the launcher's word does not override pid 1")
        .isFalse();
    assertThat(Prerequisites.inPrivateNamespace(PRIVATE, MAIN, null)).isTrue();
  }

  @Test
  void withoutPidOnesLinkOnlyTheLaunchersNamespaceCountsAsPrivate() {
    assertThat(Prerequisites.inPrivateNamespace(PRIVATE, null, PRIVATE)).isTrue();
    assertThat(Prerequisites.inPrivateNamespace(PRIVATE, null, null)).isFalse();
    assertThat(Prerequisites.inPrivateNamespace(MAIN, null, PRIVATE)).isFalse();
    assertThat(Prerequisites.inPrivateNamespace(null, null, PRIVATE)).isFalse();
  }

  @Test
  void openRefusesInTheMainNamespaceWhenAPrivateOneIsRequired() {
    assertThat(Prerequisites.namespaceRefusal(true, false)).hasValueSatisfying(why -> assertThat(why)
        .contains("main network namespace", "faketcp.privateNamespace=required", "bin/faketcp-netns"));
    assertThat(Prerequisites.namespaceRefusal(true, true)).isEmpty();
    assertThat(Prerequisites.namespaceRefusal(false, false)).as("users' builds are not guarded").isEmpty();
  }

  @Test
  void thisBuildRunsWithTheGuardOnInAPrivateNamespace() {
    assertThat(Prerequisites.privateNamespaceRequired()).as("-Dfaketcp.privateNamespace=required").isTrue();
    assertThat(Prerequisites.inPrivateNamespace()).isTrue();
    assertThat(System.getenv("FAKETCP_NETNS")).as("set by bin/faketcp-netns").isNotBlank();
  }
}
