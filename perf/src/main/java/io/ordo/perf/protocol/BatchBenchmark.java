package io.ordo.perf.protocol;

import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordBatchBuilder;
import io.ordo.protocol.batch.RecordCursor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cost of the batch codec on 100-byte records: building a full batch (with and without zstd),
 * checking its payload CRC as the leader does on arrival, and iterating its records as a consumer
 * does. One batch per operation; divide by {@link #recordsPerBatch} for per-record figures (printed
 * at setup). Single-threaded: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BatchBenchmark {
  private static final int RECORD_BYTES = 100;
  private static final int DISTINCT_VALUES = 1024;

  @Param({"16384", "262144"})
  public int batchBytes;

  @Param({"NONE", "ZSTD"})
  public Compression compression;

  private RecordBatchBuilder builder;
  private byte[][] values;
  private byte[] key;
  private int next;
  private ByteBuffer built;
  private final RecordBatch batch = new RecordBatch();
  private RecordCursor cursor;
  int recordsPerBatch;

  @Setup(Level.Trial)
  public void setUp() {
    Random random = new Random(42);
    values = new byte[DISTINCT_VALUES][];
    for (int i = 0; i < DISTINCT_VALUES; i++) {
      values[i] = eventLike(random);
    }
    key = "customer-000042".getBytes(StandardCharsets.UTF_8);
    builder = new RecordBatchBuilder(batchBytes);
    ByteBuffer b = fillBatch();
    built = ByteBuffer.allocate(b.remaining());
    built.put(b).flip();
    batch.wrap(built, 0);
    batch.stamp(1_000_000, 3, 500, 999_000, 1_700_000_000_000L);
    batch.ensureValid();
    recordsPerBatch = batch.recordCount();
    cursor = new RecordCursor(batchBytes);
    System.out.printf(
        "%n%s batch of %d bytes max: %d records of %d bytes, %d bytes on the wire%n",
        compression, batchBytes, recordsPerBatch, RECORD_BYTES, batch.length());
  }

  /**
   * Builds one full batch: begin, tryAppend until full, build (compresses and computes the CRC).
   */
  @Benchmark
  public ByteBuffer build() {
    return fillBatch();
  }

  /** The leader's check on arrival: magic, lengths, payload CRC32C, field ranges. */
  @Benchmark
  public void validatePayload() {
    batch.validatePayload();
  }

  /** A consumer's read: decompress if needed, then parse every record and touch its value. */
  @Benchmark
  public void iterate(Blackhole bh) {
    cursor.reset(batch);
    long sum = 0;
    while (cursor.next()) {
      sum += cursor.valueLength() + cursor.keyLength() + cursor.timestamp();
    }
    bh.consume(sum);
  }

  private ByteBuffer fillBatch() {
    builder.begin("orders", 17L, (short) 1, 0, compression, false);
    long ts = 1_700_000_000_000L;
    while (builder.tryAppend(ts++, key, values[next++ & (DISTINCT_VALUES - 1)], null)) {
      // fill until full
    }
    return builder.build();
  }

  /** A 100-byte JSON-ish event: compressible like real events, not a constant. */
  private static byte[] eventLike(Random random) {
    StringBuilder sb = new StringBuilder();
    sb.append("{\"id\":").append(random.nextInt(1_000_000));
    sb.append(",\"type\":\"").append(random.nextBoolean() ? "placed" : "shipped");
    sb.append("\",\"amount\":").append(random.nextInt(100_000));
    sb.append(",\"sku\":\"");
    while (sb.length() < RECORD_BYTES - 2) {
      sb.append((char) ('A' + random.nextInt(26)));
    }
    sb.append("\"}");
    byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
    return Arrays.copyOf(b, RECORD_BYTES);
  }
}
