package io.ordo.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OfferedRateTest {
  @Test
  void neverReleasesARecordBeforeItIsDue() {
    long rate = 20_000;
    long start = System.nanoTime();
    OfferedRate r = new OfferedRate(rate, start);
    for (long i = 0; i < 2_000; i++) {
      long due = start + i * 1_000_000_000L / rate;
      assertThat(r.awaitRecord(i)).as("record %d", i).isGreaterThanOrEqualTo(due);
    }
  }

  @Test
  void aRecordAlreadyDueIsReleasedAtOnceAndZeroMeansUnthrottled() {
    long start = System.nanoTime();
    OfferedRate past = new OfferedRate(1, start - TimeUnit.SECONDS.toNanos(10));
    // records 0..9 fell due over the last ten seconds: none waits
    for (long i = 0; i < 10; i++) {
      assertThat(past.awaitRecord(i)).isLessThan(start + TimeUnit.SECONDS.toNanos(1));
    }
    OfferedRate unthrottled = new OfferedRate(0, start);
    assertThat(unthrottled.awaitRecord(1_000_000)).isLessThan(start + TimeUnit.SECONDS.toNanos(1));
  }
}
