package io.faketcp.peer.internal.timing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * While a timing fault is in force the peer thread's timed waits end when they are due: its timer
 * slack is 1 ns ({@link TimerSlice}), as Linux reports it for the thread, and its default again after.
 */
class TimerSliceTest {
  @Test
  void theThreadsTimerSlackIsOneNanosecondWhileAsked() throws Exception {
    // /proc/<tid>/timerslack_ns: the thread's own (thread-self links to <pid>/task/<tid>, which has none)
    String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    Path slack = Path.of("/proc", tid, "timerslack_ns");
    long before = Long.parseLong(Files.readString(slack).trim());
    assertThat(before).as("the thread's default timer slack").isGreaterThan(TimerSlice.SLACK_NANOS);
    TimerSlice slice = new TimerSlice();
    try {
      slice.shortSlices(true);
      assertThat(Long.parseLong(Files.readString(slack).trim())).isEqualTo(TimerSlice.SLACK_NANOS);
    } finally {
      slice.shortSlices(false);
    }
    assertThat(Long.parseLong(Files.readString(slack).trim())).as("the default again").isEqualTo(before);
  }
}
