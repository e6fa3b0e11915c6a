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
  void chunksAreSmallWhileThePreparerIsAheadAndLargeWhileItIsBehind() {
    int small = SegmentPreparer.SMALL_CHUNK_BYTES;
    int large = SegmentPreparer.LARGE_CHUNK_BYTES;
    int mib = 1 << 20;
    for (boolean overwriting : new boolean[] {false, true}) {
      String appends = overwriting ? "appends overwriting zeros" : "appends growing their file";
      assertThat(SegmentPreparer.chunkBytes(0, 0, overwriting, FILE_BYTES))
          .as("a new file, %s", appends)
          .isEqualTo(small);
      assertThat(SegmentPreparer.chunkBytes(5 * mib, 4 * mib, overwriting, FILE_BYTES))
          .as("a lead of a quarter, %s", appends)
          .isEqualTo(small);
      assertThat(SegmentPreparer.chunkBytes(4 * mib, 4 * mib + 1, overwriting, FILE_BYTES))
          .as("one byte behind, %s", appends)
          .isEqualTo(large);
      assertThat(SegmentPreparer.chunkBytes(0, FILE_BYTES, overwriting, FILE_BYTES))
          .as("after a burst, %s", appends)
          .isEqualTo(large);
      assertThat(SegmentPreparer.chunkBytes(FILE_BYTES - 100, 0, overwriting, FILE_BYTES))
          .as("the end of the file, ahead, %s", appends)
          .isEqualTo(100);
      assertThat(SegmentPreparer.chunkBytes(FILE_BYTES - 100, FILE_BYTES, overwriting, FILE_BYTES))
          .as("the end of the file, behind, %s", appends)
          .isEqualTo(100);
    }
    // keeping up without a lead of a quarter: small only beside appends that overwrite zeros
    assertThat(SegmentPreparer.chunkBytes(4 * mib, 4 * mib, true, FILE_BYTES)).isEqualTo(small);
    assertThat(SegmentPreparer.chunkBytes(5 * mib - 1, 4 * mib, true, FILE_BYTES)).isEqualTo(small);
    assertThat(SegmentPreparer.chunkBytes(4 * mib, 4 * mib, false, FILE_BYTES)).isEqualTo(large);
    assertThat(SegmentPreparer.chunkBytes(5 * mib - 1, 4 * mib, false, FILE_BYTES))
        .isEqualTo(large);
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
