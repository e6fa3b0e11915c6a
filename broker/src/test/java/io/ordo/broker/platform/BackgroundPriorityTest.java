package io.ordo.broker.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BackgroundPriorityTest {

  @Test
  void lowersOnlyTheCallingThreadOnLinux() throws Exception {
    assumeTrue(ThreadNice.available(), "Linux only");
    int before = ThreadNice.ofCurrentThread();
    CompletableFuture<int[]> seen = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                int was = ThreadNice.ofCurrentThread();
                boolean lowered = BackgroundPriority.lowerCurrentThread();
                seen.complete(new int[] {was, lowered ? 1 : 0, ThreadNice.ofCurrentThread()});
              } catch (Exception e) {
                seen.completeExceptionally(e);
              }
            },
            "background-priority-test");
    t.start();
    int[] r = seen.get(10, TimeUnit.SECONDS);
    t.join(10_000);
    assertThat(r[1]).as("lowered").isEqualTo(1);
    assertThat(r[0]).as("nice before").isEqualTo(before);
    assertThat(r[2]).as("nice after").isEqualTo(BackgroundPriority.NICE);
    assertThat(ThreadNice.ofCurrentThread())
        .as("the calling test thread is untouched")
        .isEqualTo(before);
  }
}
