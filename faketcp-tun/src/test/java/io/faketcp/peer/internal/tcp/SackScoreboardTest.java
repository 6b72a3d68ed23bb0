package io.faketcp.peer.internal.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The scoreboard alone: ranges merged, bounded, advanced past by the cumulative ACK, across the wrap. */
class SackScoreboardTest {
  private static final int MSS = 1000;

  @Test
  void rangesMergeAndOnlyNewBytesCountAsNews() {
    SackScoreboard board = new SackScoreboard();
    assertThat(board.add(2000, 3000)).isTrue();
    assertThat(board.add(2000, 3000)).as("the same block again").isFalse();
    assertThat(board.add(2500, 2800)).as("inside what is known").isFalse();
    assertThat(board.add(5000, 6000)).isTrue();
    assertThat(board.add(3000, 5000)).as("fills the gap between two ranges").isTrue();
    assertThat(board.skip(2000)).isEqualTo(6000);
    assertThat(board.unsackedFrom(1000)).isEqualTo(1000);
    assertThat(board.unsackedFrom(6000)).isEqualTo(Integer.MAX_VALUE);
    assertThat(board.highest()).isEqualTo(6000);
  }

  @Test
  void sackedBelowCountsTheSackedBytesUnderASequenceNumberAcrossTheWrap() {
    SackScoreboard board = new SackScoreboard();
    board.add(-1500, -500);
    board.add(500, 1500);
    assertThat(board.sackedBelow(-1500)).isZero();
    assertThat(board.sackedBelow(-1000)).as("inside the first range").isEqualTo(500);
    assertThat(board.sackedBelow(0)).as("past it, across the wrap").isEqualTo(1000);
    assertThat(board.sackedBelow(1000)).isEqualTo(1500);
    assertThat(board.sackedBelow(5000)).isEqualTo(2000);
  }

  @Test
  void isLostNeedsMoreThanTwoSegmentsOrThreeRangesAbove() {
    SackScoreboard board = new SackScoreboard();
    board.add(1000, 3000);
    assertThat(board.isLost(0, MSS)).as("two segments above").isFalse();
    board.add(3000, 3001);
    assertThat(board.isLost(0, MSS)).as("a byte more than two segments").isTrue();
    assertThat(board.isLost(3001, MSS)).as("nothing above").isFalse();

    SackScoreboard small = new SackScoreboard();
    small.add(100, 200);
    small.add(300, 400);
    assertThat(small.isLost(0, MSS)).isFalse();
    small.add(500, 600);
    assertThat(small.isLost(0, MSS)).as("three discontiguous ranges above").isTrue();
  }

  @Test
  void theCumulativeAckDropsAndTrimsRanges() {
    SackScoreboard board = new SackScoreboard();
    board.add(1000, 2000);
    board.add(3000, 4000);
    board.advance(1500);
    assertThat(board.sacked(1400)).isFalse();
    assertThat(board.sacked(1500)).isTrue();
    board.advance(2500);
    assertThat(board.skip(2500)).isEqualTo(2500);
    assertThat(board.unsackedFrom(2500)).isEqualTo(500);
    board.advance(4000);
    assertThat(board.isEmpty()).isTrue();
  }

  @Test
  void itStaysBoundedKeepingTheLowestRanges() {
    SackScoreboard board = new SackScoreboard();
    for (int i = 0; i < SackScoreboard.RANGES; i++) {
      assertThat(board.add(1000 + 200 * i, 1100 + 200 * i)).isTrue();
    }
    int above = 1000 + 200 * SackScoreboard.RANGES;
    assertThat(board.add(above, above + 100)).as("full: a range above all is not kept").isFalse();
    assertThat(board.add(500, 600)).as("a lower one replaces the highest").isTrue();
    assertThat(board.sacked(500)).isTrue();
    assertThat(board.highest()).isEqualTo(1100 + 200 * (SackScoreboard.RANGES - 2));
  }

  @Test
  void sequenceNumbersWrap() {
    SackScoreboard board = new SackScoreboard();
    board.add(-1000, 1000);
    assertThat(board.sacked(-1)).isTrue();
    assertThat(board.sacked(0)).isTrue();
    assertThat(board.unsackedFrom(-3000)).isEqualTo(2000);
    assertThat(board.isLost(-4000, MSS)).isFalse();
    assertThat(board.isLost(-3000, 600)).isTrue();
    board.advance(500);
    assertThat(board.skip(500)).isEqualTo(1000);
  }
}
