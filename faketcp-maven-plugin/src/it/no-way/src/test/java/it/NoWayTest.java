package it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NoWayTest {
  @Test
  void startsInTheCurrentNamespaceToldWhyAndHowToFixIt() throws Exception {
    String why = System.getProperty("faketcp.netns.error");
    assertTrue(why != null && why.startsWith("no private network namespace for the test JVM (faketcp-maven-plugin launcher)"), why);
    assertTrue(why.contains("sudo -n unshare --net: already root, sudo adds nothing"), why);
    assertEquals("kept", System.getProperty("it.argLine"));
    assertTrue(Files.readString(Path.of("target/faketcp/launcher.log")).contains("none: no private network namespace"));
  }
}
