package io.ordo.broker.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log's background checkpoints ({@link RecoveryCheckpointer}): the writer never waits for one
 * unless it asks to, a newer periodic checkpoint replaces one not started but never a roll's job,
 * and a failure reaches the writer and fails the log, losing nothing durable.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RecoveryCheckpointerTest {
  @TempDir Path dir;

  @Test
  void submitDoesNotWaitAndOnlyAReplaceableJobNotStartedIsReplaced() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<String> ran = new CopyOnWriteArrayList<>();
    RecoveryCheckpointer c = new RecoveryCheckpointer("test-checkpointer");
    try {
      startHeldJob(c, release, ran);
      c.submit(() -> ran.add("periodic 1"), true); // waits behind the running one
      c.submit(() -> ran.add("periodic 2"), true); // replaces it
      c.submit(() -> ran.add("roll"), false);
      c.submit(() -> ran.add("periodic 3"), true); // does not replace the roll's
      c.submit(() -> ran.add("periodic 4"), true); // replaces periodic 3
      c.submit(() -> ran.add("roll 2"), false);
      c.submit(() -> ran.add("roll 3"), false); // not replaced by another non-replaceable one
      assertThat(ran).as("nothing finished while the first job is held").isEmpty();
      release.countDown();
      c.awaitIdle();
      assertThat(ran)
          .containsExactly("running", "periodic 2", "roll", "periodic 4", "roll 2", "roll 3");
    } finally {
      release.countDown();
      c.close();
    }
  }

  @Test
  void aFailedJobIsReportedOnceToTheWriter() throws Exception {
    RecoveryCheckpointer c = new RecoveryCheckpointer("test-checkpointer");
    try {
      c.submit(
          () -> {
            throw new IOException("disk full");
          },
          false);
      assertThatThrownBy(c::awaitIdle)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("recovery checkpoint")
          .hasMessageContaining("disk full");
      c.throwIfFailed(); // reported once
      c.submit(() -> {}, true);
      c.awaitIdle();
    } finally {
      c.close();
    }
  }

  @Test
  void closeDropsWaitingJobsAndWaitsForTheRunningOne() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<String> ran = new CopyOnWriteArrayList<>();
    RecoveryCheckpointer c = new RecoveryCheckpointer("test-checkpointer");
    startHeldJob(c, release, ran);
    c.submit(() -> ran.add("waiting"), false);
    Thread closer = Thread.currentThread();
    Thread releaser =
        new Thread(
            () -> {
              // once close() waits for the held job (bounded by the test's timeout)
              while (closer.getState() != Thread.State.TIMED_WAITING) {
                Thread.yield();
              }
              release.countDown();
            });
    releaser.start();
    c.close();
    releaser.join();
    assertThat(ran).containsExactly("running");
    assertThatThrownBy(() -> c.submit(() -> {}, true)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aCheckpointThatCannotBeWrittenFailsTheLogAndLosesNothingDurable() throws Exception {
    ManualClock clock = new ManualClock(1_000_000);
    TestBatches batches = new TestBatches(TestBatches.seed("RecoveryCheckpointerTest"), 3, 40);
    LogConfig cfg = LogConfig.builder(dir).segmentBytes(1 << 20).checkpointIntervalMs(0).build();
    Path blocker = dir.resolve(RecoveryCheckpoint.TEMP_FILE_NAME);
    Log log = Log.open(cfg, clock);
    byte[] stored;
    try {
      stored = LogTesting.appendNext(log, batches, 1, clock.advance(1));
      // the checkpoint's temporary file cannot be created where a non-empty directory stands
      Files.createDirectories(blocker.resolve("x"));
      log.onGroupEnd(clock.nowMs()); // durable; the checkpoint goes to the background
      assertThat(log.durableOffset()).isEqualTo(log.nextOffset());
      log.awaitCheckpointAttempted();
      assertThatThrownBy(() -> log.onGroupEnd(clock.nowMs()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("recovery checkpoint");
      assertThatThrownBy(() -> LogTesting.appendNext(log, batches, 1, clock.advance(1)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("failed after an earlier I/O error");
    } finally {
      log.close(); // a failed log closes without a checkpoint
    }
    Files.delete(blocker.resolve("x"));
    Files.delete(blocker);
    try (Log reopened = Log.open(cfg, clock)) {
      assertThat(LogTesting.visitAll(reopened, 0)).containsExactly(stored);
    }
  }

  /**
   * Submits a job that adds "running" to {@code ran} once {@code release} opens, and returns when
   * it has started.
   */
  private static void startHeldJob(RecoveryCheckpointer c, CountDownLatch release, List<String> ran)
      throws InterruptedException {
    CountDownLatch started = new CountDownLatch(1);
    c.submit(
        () -> {
          started.countDown();
          awaitUninterruptibly(release);
          ran.add("running");
        },
        false);
    assertThat(started.await(10, TimeUnit.SECONDS)).as("the held job started").isTrue();
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    while (true) {
      try {
        latch.await();
        return;
      } catch (InterruptedException e) {
        // keep waiting: the test releases it
      }
    }
  }
}
