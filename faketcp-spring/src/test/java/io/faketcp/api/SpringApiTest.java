package io.faketcp.api;

import io.faketcp.spring.ContextFakeNetwork;
import org.junit.jupiter.api.Test;

/**
 * faketcp-spring's public API, as committed in {@code api/faketcp-spring.api}; after a meant change:
 * {@code ./mvnw -B -ntp -pl faketcp-spring -am verify -Dtest=SpringApiTest -Dsurefire.failIfNoSpecifiedTests=false -Dfaketcp.api.update=true}.
 */
class SpringApiTest {
  @Test
  void faketcpSpringsPublicApiIsTheCommittedOne() {
    PublicApiTest.checkListing("faketcp-spring.api", PublicApiTest.classesOf(ContextFakeNetwork.class));
  }
}
