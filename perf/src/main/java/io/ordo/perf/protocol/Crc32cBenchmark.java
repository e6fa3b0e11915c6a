package io.ordo.perf.protocol;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
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

/**
 * Speed of {@link CRC32C} (the batch checksum) over heap and direct buffers of 1 KiB, 16 KiB and 1
 * MiB: the floor under every batch validation. Single-threaded: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Crc32cBenchmark {
  @Param({"1024", "16384", "1048576"})
  public int bytes;

  @Param({"heap", "direct"})
  public String memory;

  private ByteBuffer buffer;
  private final CRC32C crc = new CRC32C();

  @Setup(Level.Trial)
  public void setUp() {
    byte[] data = new byte[bytes];
    new Random(7).nextBytes(data);
    buffer =
        "direct".equals(memory) ? ByteBuffer.allocateDirect(bytes) : ByteBuffer.allocate(bytes);
    buffer.put(data).flip();
  }

  @Benchmark
  public long crc32c() {
    buffer.clear();
    crc.reset();
    crc.update(buffer);
    return crc.getValue();
  }
}
