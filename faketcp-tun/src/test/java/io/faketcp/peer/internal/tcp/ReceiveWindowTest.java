package io.faketcp.peer.internal.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link ReceiveWindow}: growth with use, scaling, and the receiver's silly-window avoidance. */
class ReceiveWindowTest {
  private final ReceiveWindow window = new ReceiveWindow();

  @Test
  void unscaledItStaysWithin16BitsWhateverTheRoom() {
    window.taken(10 << 20);
    assertThat(window.shift()).isZero();
    assertThat(window.available(8 << 20)).isEqualTo(0xffff);
    assertThat(window.field(0xffff)).isEqualTo(0xffff);
  }

  @Test
  void scaledItGrowsWithWhatIsTakenUpToTheMaximum() {
    window.scale(true);
    assertThat(window.shift()).isEqualTo(ReceiveWindow.SHIFT);
    assertThat(window.available(8 << 20)).as("at first").isEqualTo(ReceiveWindow.INITIAL);
    window.taken(ReceiveWindow.INITIAL);
    assertThat(window.available(8 << 20)).as("after one window's worth").isEqualTo(2 * ReceiveWindow.INITIAL);
    window.taken(100 << 20);
    assertThat(window.available(8 << 20)).isEqualTo(ReceiveWindow.MAX);
    assertThat(window.available(1000)).as("never more than the application takes").isEqualTo(1000);
    assertThat(window.field(ReceiveWindow.MAX)).isEqualTo(ReceiveWindow.MAX >> ReceiveWindow.SHIFT);
  }

  @Test
  void theRightEdgeMovesOnlyByAtLeastOneSegmentOrHalfTheBuffer() {
    assertThat(window.offer(0, 500, 1460)).as("a closed window does not open by 500 bytes").isZero();
    assertThat(window.opens(0, 500, 1460)).isFalse();
    assertThat(window.offer(0, 1460, 1460)).isEqualTo(1460);
    assertThat(window.opens(0, 1460, 1460)).isTrue();
    assertThat(window.offer(3000, 1000, 1460)).as("never pulled back").isEqualTo(3000);
    assertThat(window.offer(1000, 40000, 65495)).as("half the buffer when the MSS is larger").isEqualTo(40000);
  }

  @Test
  void aScaledOfferIsTruncatedToAMultipleOfTheScale() {
    window.scale(true);
    assertThat(window.offer(1000, 1100, 1460)).isEqualTo(896);
    assertThat(window.offer(100, 100, 1460)).as("closes rather than invite a sliver").isZero();
    assertThat(window.offer(1000, 10_000, 1460)).isEqualTo(9984);
  }
}
