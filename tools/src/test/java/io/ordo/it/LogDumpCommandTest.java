package io.ordo.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ordo.broker.storage.Log;
import io.ordo.broker.storage.LogClock;
import io.ordo.broker.storage.LogConfig;
import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordBatchBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ordo log dump} over a log written through the broker's storage, then damaged. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogDumpCommandTest {
  private static final int BATCHES = 12;
  private static final int RECORDS_PER_BATCH = 3;

  @TempDir Path dir;
  private Path logDir;
  private long seed;

  @BeforeEach
  void writeLog() throws IOException {
    seed = System.nanoTime();
    System.out.println("LogDumpCommandTest seed " + seed);
    logDir = dir.resolve("log");
    Random random = new Random(seed);
    RecordBatchBuilder builder = new RecordBatchBuilder(64 * 1024);
    LogConfig config = LogConfig.builder(logDir).segmentBytes(2048).build();
    try (Log log = Log.open(config, LogClock.SYSTEM)) {
      for (int b = 0; b < BATCHES; b++) {
        builder.begin(
            "orders-" + (b % 3), 7, (short) 0, b * RECORDS_PER_BATCH, Compression.NONE, false);
        for (int r = 0; r < RECORDS_PER_BATCH; r++) {
          byte[] value = new byte[20 + random.nextInt(60)];
          random.nextBytes(value);
          builder.tryAppend(1_000L + b, "k".getBytes(StandardCharsets.UTF_8), value, null);
        }
        ByteBuffer built = builder.build();
        ByteBuffer batch = ByteBuffer.allocate(built.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        batch.put(built).flip();
        new RecordBatch().wrap(batch, 0).stamp(log.nextOffset(), 1, 0, -1, 1_000L + b);
        log.append(batch);
        log.onGroupEnd(System.currentTimeMillis());
      }
    }
  }

  private static OrdoCli.Result dump(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "log";
    all[1] = "dump";
    System.arraycopy(args, 0, all, 2, args.length);
    return OrdoCli.execute(all);
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(logDir)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".log"))
          .sorted(Comparator.naturalOrder())
          .toList();
    }
  }

  private Path firstSegment() throws IOException {
    return segments().get(0);
  }

  private Path lastSegment() throws IOException {
    List<Path> all = segments();
    return all.get(all.size() - 1);
  }

  @Test
  void listsEveryBatchOfEverySegmentAndTheTotals() {
    OrdoCli.Result run = dump(dir.toString());
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out().lines().filter(l -> l.startsWith("  offsets ")))
        .hasSize(BATCHES)
        .allMatch(l -> l.endsWith("crc ok"));
    assertThat(run.out().lines().filter(l -> l.startsWith("segment ")).count()).isGreaterThan(1);
    assertThat(run.out())
        .contains("offsets 0..2 stream orders-0 producer 7")
        .contains("batches, " + BATCHES * RECORDS_PER_BATCH + " records")
        .contains("0 damaged batches, offsets 0.." + (BATCHES * RECORDS_PER_BATCH - 1));
  }

  @Test
  void aZeroFilledTailIsPreparedSpaceNotDamage() throws IOException {
    Path last = lastSegment();
    long end = Files.size(last);
    Files.write(last, new byte[4096], StandardOpenOption.APPEND);
    OrdoCli.Result run = dump(logDir.toString());
    assertThat(run.code()).as(run.out()).isZero();
    assertThat(run.out())
        .contains("4096 zero bytes from position " + end + ": space prepared for appends")
        .contains(", 0 damaged batches");
  }

  @Test
  void aFlippedBitIsReportedWithExitStatus2() throws IOException {
    Path first = firstSegment();
    byte[] bytes = Files.readAllBytes(first);
    bytes[RecordBatch.FIXED_HEADER_LENGTH + 20] ^= 0x10; // inside the first batch's payload
    Files.write(first, bytes);
    OrdoCli.Result run = dump(dir.toString());
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.out()).contains("DAMAGED").contains(", 1 damaged batches");
  }

  @Test
  void garbageAfterTheLastBatchIsReportedWithExitStatus2() throws IOException {
    byte[] garbage = new byte[300];
    new Random(seed).nextBytes(garbage);
    garbage[0] = 1; // never a zero length prefix
    Files.write(lastSegment(), garbage, StandardOpenOption.APPEND);
    OrdoCli.Result run = dump(dir.toString());
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.out()).contains("torn or corrupt tail").contains(", 1 damaged batches");
  }

  @Test
  void aDirectoryThatIsNotThereIsAClearError() {
    OrdoCli.Result run = dump(dir.resolve("missing").toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("is not a directory");
  }
}
