package io.faketcp.junit5;

import static io.faketcp.assertj.FakeNetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.peer.Behaviour;
import java.net.ConnectException;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void rejectModeRefusesAConnectionAndTheCaptureShowsTheReset() {
    var results = Kit.run(RejectTestCases.class);
    results.allEvents().debug();
    results.testEvents().assertStatistics(s -> s.succeeded(1));
    Kit.assertCleanedUp();
  }

  @FakeNetwork(mode = Behaviour.REJECT)
  static class RejectTestCases {
    @Test
    void refused(NetworkInfo net, Capture capture) {
      assertThatThrownBy(() -> new Socket(net.address(5), 80).close()).isInstanceOf(ConnectException.class);
      System.out.println(capture.packets().transcript());
      assertThat(capture).hasResetFrom(net.address(5)).hasSize(2);
    }
  }
}
