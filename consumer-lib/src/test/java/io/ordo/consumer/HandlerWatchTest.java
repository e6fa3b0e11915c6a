package io.ordo.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HandlerWatchTest {
  private static final long MS = 1_000_000;

  @Test
  void aCallIsOverdueOnlyPastTheLimitAndOnlyWhileItRuns() {
    HandlerWatch w = new HandlerWatch(500);
    assertThat(w.overdueOffset(0)).isEqualTo(-1);
    w.begin(42, 1_000 * MS);
    assertThat(w.overdueOffset(1_400 * MS)).isEqualTo(-1);
    assertThat(w.overdueOffset(1_500 * MS)).isEqualTo(-1);
    assertThat(w.overdueOffset(1_501 * MS)).isEqualTo(42);
    assertThat(w.elapsedMs(1_750 * MS)).isEqualTo(750);
    w.end();
    assertThat(w.overdueOffset(9_000 * MS)).isEqualTo(-1);
    assertThat(w.elapsedMs(9_000 * MS)).isZero();
    w.begin(43, 9_000 * MS);
    assertThat(w.overdueOffset(9_100 * MS)).isEqualTo(-1);
  }

  @Test
  void nanoTimeWrapsAroundWithoutFalseAlarms() {
    HandlerWatch w = new HandlerWatch(500);
    long start = Long.MAX_VALUE - 100 * MS;
    w.begin(7, start);
    assertThat(w.overdueOffset(start + 200 * MS)).isEqualTo(-1);
    assertThat(w.overdueOffset(start + 600 * MS)).isEqualTo(7);
  }

  @Test
  void maxHandlerMsIsValidatedAndDefaultsToFiveMinutes() {
    try (Consumer c = Consumer.builder().bootstrapServers("127.0.0.1:1").build()) {
      assertThat(c.config().maxHandlerMs()).isEqualTo(300_000);
    }
    assertThatThrownBy(
            () -> Consumer.builder().bootstrapServers("127.0.0.1:1").maxHandlerMs(9).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxHandlerMs");
    assertThatThrownBy(
            () ->
                Consumer.builder()
                    .bootstrapServers("127.0.0.1:1")
                    .maxHandlerMs(Integer.MAX_VALUE + 1L)
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
    try (Consumer c = Consumer.builder().bootstrapServers("127.0.0.1:1").maxHandlerMs(10).build()) {
      assertThat(c.config().maxHandlerMs()).isEqualTo(10);
    }
  }
}
