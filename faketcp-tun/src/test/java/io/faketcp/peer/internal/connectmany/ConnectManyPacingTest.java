package io.faketcp.peer.internal.connectmany;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConnectManyPacingTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void slowStartDoublesTheWindowPerRoundUntilTheFirstLoss() {
    ConnectManyPacing pacing = new ConnectManyPacing(512, 200 * MS);
    assertThat(pacing.window()).isEqualTo(64);
    for (int i = 0; i < 64; i++) {
      pacing.answered(-1);
    }
    assertThat(pacing.window()).isEqualTo(128);
    for (int i = 0; i < 1000; i++) {
      pacing.answered(-1);
    }
    assertThat(pacing.window()).isEqualTo(512);
  }

  @Test
  void afterALossTheWindowGrowsByOnePerWindowAnswered() {
    ConnectManyPacing pacing = new ConnectManyPacing(512, 200 * MS);
    pacing.lost(0, 1);
    assertThat(pacing.window()).isEqualTo(32);
    for (int i = 0; i < 31; i++) {
      pacing.answered(-1);
    }
    assertThat(pacing.window()).isEqualTo(32);
    pacing.answered(-1);
    assertThat(pacing.window()).isEqualTo(33);
  }

  @Test
  void neverGrowsBeyondTheRequestedBound() {
    ConnectManyPacing pacing = new ConnectManyPacing(10, 200 * MS);
    for (int i = 0; i < 1000; i++) {
      pacing.answered(-1);
    }
    assertThat(pacing.window()).isEqualTo(10);
  }

  @Test
  void halvesOncePerLossEventNotOncePerLostSyn() {
    ConnectManyPacing pacing = new ConnectManyPacing(512, 200 * MS);
    long sent = 1_000 * MS;
    // one overflow of the accept queue: every SYN in flight then is lost
    for (int i = 0; i < 64; i++) {
      pacing.lost(sent, sent + 10 * MS + i);
    }
    assertThat(pacing.window()).isEqualTo(32);
    // a SYN sent after the cut and lost again: a new event
    pacing.lost(sent + 20 * MS, sent + 30 * MS);
    assertThat(pacing.window()).isEqualTo(16);
    for (int i = 0; i < 10; i++) {
      pacing.lost(sent + 40 * MS + i * 20 * MS, sent + 50 * MS + i * 20 * MS);
    }
    assertThat(pacing.window()).as("never below the minimum").isEqualTo(ConnectManyPacing.MINIMUM_WINDOW);
  }

  @Test
  void timeoutIsTheInitialOneUntilARoundTripIsMeasuredThenTheMeasurementWithATenMillisecondFloor() {
    ConnectManyPacing pacing = new ConnectManyPacing(512, 200 * MS);
    assertThat(pacing.timeout(0)).isEqualTo(200 * MS);
    pacing.answered(-1); // answered after a retransmission: no sample (Karn)
    assertThat(pacing.timeout(0)).isEqualTo(200 * MS);
    pacing.answered(50_000); // 50 µs: the host's kernel answered within our write()
    assertThat(pacing.timeout(0)).isEqualTo(ConnectManyPacing.MIN_RTO);
    assertThat(pacing.timeout(1)).isEqualTo(2 * ConnectManyPacing.MIN_RTO);
    assertThat(pacing.timeout(3)).isEqualTo(8 * ConnectManyPacing.MIN_RTO);
    assertThat(pacing.timeout(40)).isEqualTo(ConnectManyPacing.MAX_RTO);
  }

  @Test
  void aSlowPathRaisesTheTimeoutAboveTheFloor() {
    ConnectManyPacing pacing = new ConnectManyPacing(512, 200 * MS);
    for (int i = 0; i < 20; i++) {
      pacing.answered(100 * MS); // e.g. a latency fault of 50 ms each way
    }
    assertThat(pacing.timeout(0)).isBetween(100 * MS, 120 * MS);
  }
}
