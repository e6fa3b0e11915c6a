package io.ordo.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class BufferMemoryTest {
  @Test
  void failsAtOnceWhenNotBlocking() {
    BufferMemory m = new BufferMemory(100);
    m.acquire(60, false, 0);
    assertThatThrownBy(() -> m.acquire(41, false, 0)).isInstanceOf(BufferFullException.class);
    m.acquire(40, false, 0);
    assertThat(m.usedBytes()).isEqualTo(100);
    m.release(100);
    assertThat(m.usedBytes()).isZero();
  }

  @Test
  void blocksUntilReleased() throws Exception {
    BufferMemory m = new BufferMemory(100);
    m.acquire(100, true, 0);
    CompletableFuture<Void> blocked =
        CompletableFuture.runAsync(() -> m.acquire(50, true, TimeUnit.SECONDS.toNanos(20)));
    TestSupport.await("a sender waits", Duration.ofSeconds(10), () -> m.waiterCount() == 1);
    assertThat(blocked).isNotDone();
    m.release(50);
    blocked.get(10, TimeUnit.SECONDS);
    assertThat(m.usedBytes()).isEqualTo(100);
  }

  @Test
  void blockingGivesUpAfterMaxBlock() {
    BufferMemory m = new BufferMemory(100);
    m.acquire(100, true, 0);
    long start = System.nanoTime();
    assertThatThrownBy(() -> m.acquire(1, true, TimeUnit.MILLISECONDS.toNanos(50)))
        .isInstanceOf(BufferFullException.class);
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
  }

  @Test
  void closeWakesWaiters() throws Exception {
    BufferMemory m = new BufferMemory(100);
    m.acquire(100, true, 0);
    CompletableFuture<Void> blocked =
        CompletableFuture.runAsync(() -> m.acquire(50, true, TimeUnit.SECONDS.toNanos(20)));
    TestSupport.await("a sender waits", Duration.ofSeconds(10), () -> m.waiterCount() == 1);
    m.close();
    assertThat(blocked)
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(IllegalStateException.class);
  }
}
