package io.faketcp.peer.internal.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link ReceiveWindow}: growth with use, scaling, and the receiver's silly-window avoidance. */
class ReceiveWindowTest {
  /** The layer alone, as an endpoint's lowest layer is. */
  private final ReceiveWindow window = new ReceiveWindow() {
    @Override
    protected void timerExpired(long now) {
    }
  };

  @Test
  void unscaledItStaysWithin16BitsWhateverTheRoom() {
    window.windowTaken(10 << 20);
    assertThat(window.windowShift()).isZero();
    assertThat(window.windowAvailable(8 << 20)).isEqualTo(0xffff);
    assertThat(window.windowField(0xffff)).isEqualTo(0xffff);
  }

  @Test
  void scaledItGrowsWithWhatIsTakenUpToTheMaximum() {
    window.scaleWindow(true);
    assertThat(window.windowShift()).isEqualTo(ReceiveWindow.SHIFT);
    assertThat(window.windowAvailable(8 << 20)).as("at first").isEqualTo(ReceiveWindow.INITIAL);
    window.windowTaken(ReceiveWindow.INITIAL);
    assertThat(window.windowAvailable(8 << 20)).as("after one window's worth").isEqualTo(2 * ReceiveWindow.INITIAL);
    window.windowTaken(100 << 20);
    assertThat(window.windowAvailable(8 << 20)).isEqualTo(ReceiveWindow.MAX);
    assertThat(window.windowAvailable(1000)).as("never more than the application takes").isEqualTo(1000);
    assertThat(window.windowField(ReceiveWindow.MAX)).isEqualTo(ReceiveWindow.MAX >> ReceiveWindow.SHIFT);
  }

  @Test
  void theRightEdgeMovesOnlyByAtLeastOneSegmentOrHalfTheBuffer() {
    assertThat(window.offerWindow(0, 500, 1460)).as("a closed window does not open by 500 bytes").isZero();
    assertThat(window.windowOpens(0, 500, 1460)).isFalse();
    assertThat(window.offerWindow(0, 1460, 1460)).isEqualTo(1460);
    assertThat(window.windowOpens(0, 1460, 1460)).isTrue();
    assertThat(window.offerWindow(3000, 1000, 1460)).as("never pulled back").isEqualTo(3000);
    assertThat(window.offerWindow(1000, 40000, 65495)).as("half the buffer when the MSS is larger").isEqualTo(40000);
  }

  @Test
  void aScaledOfferIsTruncatedToAMultipleOfTheScale() {
    window.scaleWindow(true);
    assertThat(window.offerWindow(1000, 1100, 1460)).isEqualTo(896);
    assertThat(window.offerWindow(100, 100, 1460)).as("closes rather than invite a sliver").isZero();
    assertThat(window.offerWindow(1000, 10_000, 1460)).isEqualTo(9984);
  }
}
