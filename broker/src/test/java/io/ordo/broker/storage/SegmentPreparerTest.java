package io.ordo.broker.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The preparer's chunk sizes, and its hand-over of an unfinished file: a roll takes a file at least
 * half prepared as it is, and the preparer thread writes no more into it; a file less than half
 * prepared stays for the roll after. No randomness here (nothing to seed); waits are for
 * conditions, bounded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SegmentPreparerTest {
  private static final int FILE_BYTES = 8 << 20;

  @TempDir Path dir;

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  @Test
  void chunksAreLargeOnlyWhileThePreparerIsBehindAndInAHurry() {
    int mib = 1 << 20;
    long cap = 64L * mib;
    long fast = 100L * mib; // appends a second: behind them, the preparer is in a hurry
    SegmentPreparer.Pace smallAtCap =
        new SegmentPreparer.Pace(SegmentPreparer.SMALL_CHUNK_BYTES, cap);
    SegmentPreparer.Pace largeAtCap =
        new SegmentPreparer.Pace(SegmentPreparer.LARGE_CHUNK_BYTES, cap);
    for (boolean overwriting : new boolean[] {false, true}) {
      String appends = overwriting ? "appends overwriting zeros" : "appends growing their file";
      assertThat(SegmentPreparer.pace(0, 0, overwriting, FILE_BYTES, fast))
          .as("a new file, %s", appends)
          .isEqualTo(smallAtCap);
      assertThat(SegmentPreparer.pace(5 * mib, 4 * mib, overwriting, FILE_BYTES, fast))
          .as("a lead of a quarter, %s", appends)
          .isEqualTo(smallAtCap);
      assertThat(SegmentPreparer.pace(4 * mib, 4 * mib + 1, overwriting, FILE_BYTES, fast))
          .as("one byte behind, %s", appends)
          .isEqualTo(largeAtCap);
      assertThat(SegmentPreparer.pace(0, FILE_BYTES, overwriting, FILE_BYTES, 1))
          .as("the active segment full already: always in a hurry, %s", appends)
          .isEqualTo(largeAtCap);
      assertThat(SegmentPreparer.pace(FILE_BYTES - 100, 0, overwriting, FILE_BYTES, fast))
          .as("the end of the file, ahead, %s", appends)
          .isEqualTo(new SegmentPreparer.Pace(100, cap));
      assertThat(SegmentPreparer.pace(FILE_BYTES - 100, FILE_BYTES, overwriting, FILE_BYTES, fast))
          .as("the end of the file, behind, %s", appends)
          .isEqualTo(new SegmentPreparer.Pace(100, cap));
    }
    // keeping up without a lead of a quarter: ahead only beside appends that overwrite zeros
    assertThat(SegmentPreparer.pace(4 * mib, 4 * mib, true, FILE_BYTES, fast))
        .isEqualTo(smallAtCap);
    assertThat(SegmentPreparer.pace(5 * mib - 1, 4 * mib, true, FILE_BYTES, fast))
        .isEqualTo(smallAtCap);
    assertThat(SegmentPreparer.pace(4 * mib, 4 * mib, false, FILE_BYTES, fast))
        .isEqualTo(largeAtCap);
    assertThat(SegmentPreparer.pace(5 * mib - 1, 4 * mib, false, FILE_BYTES, fast))
        .isEqualTo(largeAtCap);

    // Behind, but the rest of the file is due only when the active segment is full: small chunks,
    // paced at 1.25 times the rate needed (at least the unhurried minimum), while that rate is at
    // most the unhurried one. Here 6 MiB are left to write while the segment grows by 4 MiB.
    long unhurried = SegmentPreparer.UNHURRIED_BYTES_PER_SECOND;
    long min = SegmentPreparer.MIN_UNHURRIED_BYTES_PER_SECOND;
    for (boolean overwriting : new boolean[] {false, true}) {
      assertThat(SegmentPreparer.pace(2 * mib, 4 * mib, overwriting, FILE_BYTES, 0))
          .as("behind appends that stopped")
          .isEqualTo(new SegmentPreparer.Pace(SegmentPreparer.SMALL_CHUNK_BYTES, min));
      assertThat(SegmentPreparer.pace(2 * mib, 4 * mib, overwriting, FILE_BYTES, 2L * mib))
          .as("behind slow appends (3 MiB/s needed)")
          .isEqualTo(new SegmentPreparer.Pace(SegmentPreparer.SMALL_CHUNK_BYTES, min));
      assertThat(SegmentPreparer.pace(2 * mib, 4 * mib, overwriting, FILE_BYTES, 16L * mib))
          .as("behind appends of 16 MiB/s (24 MiB/s needed)")
          .isEqualTo(new SegmentPreparer.Pace(SegmentPreparer.SMALL_CHUNK_BYTES, 30L * mib));
      long slow = unhurried * 4 / 6;
      assertThat(SegmentPreparer.pace(2 * mib, 4 * mib, overwriting, FILE_BYTES, slow).chunkBytes())
          .as("behind appends just slow enough")
          .isEqualTo(SegmentPreparer.SMALL_CHUNK_BYTES);
      assertThat(SegmentPreparer.pace(2 * mib, 4 * mib, overwriting, FILE_BYTES, slow + mib))
          .as("behind appends a little faster")
          .isEqualTo(largeAtCap);
    }
  }

  @Test
  void aRollTakesAFileAtLeastHalfPreparedAndThePreparerWritesNoMoreOfIt() throws Exception {
    try (SegmentPreparer preparer = new SegmentPreparer(dir, FILE_BYTES)) {
      // The zeros follow the appends: up to 1.5 times the active segment's bytes.
      preparer.activeBytes(1 << 20);
      preparer.request();
      await("zeros up to the allowance", () -> preparer.preparedBytes() >= 3 << 19);
      assertThat(preparer.take()).as("a file less than half prepared stays").isNull();
      preparer.activeBytes(3 << 20);
      await("half the file", () -> preparer.preparedBytes() >= FILE_BYTES / 2);

      FileChannel taken = preparer.take();
      assertThat(taken).as("a file at least half prepared is taken").isNotNull();
      Path segment = dir.resolve("taken.log");
      Files.move(preparer.file(), segment); // as a roll renames it
      long size = taken.size();
      assertThat(size).isBetween((long) FILE_BYTES / 2, (long) FILE_BYTES - 1);
      assertThat(ZeroFill.isZeroFilled(taken, 0, size)).isTrue();
      ByteBuffer marker = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
      taken.write(marker, size - 8); // the appends' bytes, where the zeros end

      // Appends that would allow more zeros, and the next file: the preparer moves on to it.
      preparer.activeBytes(FILE_BYTES);
      preparer.request();
      await("the next file", preparer::isReady);
      assertThat(taken.size()).as("no zeros after the hand-over").isEqualTo(size);
      ByteBuffer read = ByteBuffer.allocate(8);
      taken.read(read, size - 8);
      assertThat(read.array()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
      assertThat(taken.isOpen()).as("the preparer did not close the roll's file").isTrue();
      FileChannel next = preparer.take();
      assertThat(next.size()).isEqualTo(FILE_BYTES);
      assertThat(ZeroFill.isZeroFilled(next, 0, FILE_BYTES)).isTrue();
      next.close();
      taken.close();
    }
  }
}
