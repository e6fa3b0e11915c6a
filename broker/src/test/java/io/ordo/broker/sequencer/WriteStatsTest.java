package io.ordo.broker.sequencer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The write-path report: one line per interval that saw requests, with the stages' figures. */
class WriteStatsTest {
  private static final long MS = 1_000_000L;

  private final List<String> lines = new ArrayList<>();

  @Test
  void reportsEachIntervalOnceWithTheStagesItSaw() {
    WriteStats stats = new WriteStats(1000, 0, lines::add);
    for (int i = 0; i < 100; i++) {
      stats.sequenced(i * MS, i * MS + 200_000); // 0.2 ms in the ring
      stats.groupWritten(3, 100_000, 2 * MS); // write 0.1 ms, fsync 2 ms
      stats.answered(i * MS, i * MS + 3 * MS); // 3 ms in the node
    }
    stats.answered(0, 40 * MS); // one slow request: the max, above p99
    stats.maybeReport(999 * MS);
    assertThat(lines).isEmpty();

    stats.maybeReport(1000 * MS);
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0))
        .contains("last 1 s: 101 requests answered, 100 groups")
        .contains("batches per group p50 3, max 3")
        // HdrHistogram at 2 significant digits: a bucket's upper end, within 1%
        .containsPattern("request in node p50 3\\.0\\d / p99 3\\.0\\d / max 40\\.\\d\\d ms")
        .containsPattern("waiting for the sequencer p50 0\\.20 / p99 0\\.20 / max 0\\.20 ms")
        .containsPattern("group write p50 0\\.10 / p99 0\\.10 / max 0\\.10 ms")
        .containsPattern("group fsync p50 2\\.0\\d / p99 2\\.0\\d / max 2\\.0\\d ms");

    // the next interval starts empty: an idle one says nothing
    stats.maybeReport(2500 * MS);
    assertThat(lines).hasSize(1);
    stats.answered(2600 * MS, 2601 * MS);
    stats.maybeReport(3000 * MS);
    assertThat(lines).hasSize(1);
    stats.maybeReport(3500 * MS);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).contains("1 requests answered, 0 groups").contains("group fsync -");
  }

  @Test
  void anIntervalOfZeroRecordsAndReportsNothing() {
    WriteStats stats = new WriteStats(0, 0, lines::add);
    assertThat(stats.enabled()).isFalse();
    stats.answered(0, MS);
    stats.groupWritten(1, 1, 1);
    stats.maybeReport(Long.MAX_VALUE / 2);
    assertThat(lines).isEmpty();
  }

  @Test
  void aClockGoingBackOrAnHourLongStallDoesNotThrow() {
    WriteStats stats = new WriteStats(1000, 0, lines::add);
    stats.answered(10 * MS, 5 * MS);
    stats.answered(0, 5L * 3600 * 1000 * MS);
    stats.maybeReport(1000 * MS);
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).contains("2 requests answered");
  }
}
