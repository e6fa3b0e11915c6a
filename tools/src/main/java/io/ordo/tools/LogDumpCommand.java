package io.ordo.tools;

import io.ordo.broker.storage.ZeroFill;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.RecordBatch;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ordo log dump DIR}: lists segments and batches with their CRC status, reading the files
 * directly. It never opens the log for writing, so it changes nothing (recovery would truncate a
 * torn tail; the dump only reports it).
 */
@Command(
    name = "dump",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the segments and batches of a data dir: offset range, stream, producer,",
      "record count and CRC status, then totals. Exit status 2 if any batch is damaged."
    })
public final class LogDumpCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", description = "A node's data dir or its log dir.")
  Path dir;

  @Option(
      names = "--batches",
      negatable = true,
      defaultValue = "true",
      description = "Print one line per batch (default: ${DEFAULT-VALUE}).")
  boolean batches;

  @Spec picocli.CommandLine.Model.CommandSpec spec;
  private PrintWriter out;

  @Override
  public Integer call() throws IOException {
    out = spec.commandLine().getOut();
    Path logDir = Files.isDirectory(dir.resolve("log")) ? dir.resolve("log") : dir;
    if (!Files.isDirectory(logDir)) {
      spec.commandLine().getErr().println("ordo log dump: " + dir + " is not a directory");
      return 1;
    }
    List<Path> segments;
    try (Stream<Path> s = Files.list(logDir)) {
      segments =
          s.filter(p -> p.getFileName().toString().matches("\\d{20}\\.log"))
              .sorted()
              .collect(Collectors.toList());
    }
    Totals totals = new Totals();
    for (Path segment : segments) {
      dumpSegment(segment, totals);
    }
    out.printf(
        "total: %d segments, %d batches, %d records, %d bytes, %d damaged batches%s%n",
        segments.size(),
        totals.batches,
        totals.records,
        totals.bytes,
        totals.damaged,
        totals.batches == 0 ? "" : ", offsets " + totals.firstOffset + ".." + totals.lastOffset);
    return totals.damaged > 0 ? 2 : 0;
  }

  private void dumpSegment(Path file, Totals totals) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      out.printf("segment %s: %d bytes%n", file.getFileName(), size);
      ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      RecordBatch batch = new RecordBatch();
      long pos = 0;
      while (pos < size) {
        header.clear();
        if (ch.read(header, pos) < 4) {
          report(pos, "torn length field at the end of the segment", totals);
          return;
        }
        int length = header.getInt(0);
        if (length == 0 && ZeroFill.isZeroFilled(ch, pos, size)) {
          out.printf(
              "  %d zero bytes from position %d: space prepared for appends%n", size - pos, pos);
          return;
        }
        if (length < RecordBatch.FIXED_HEADER_LENGTH || length > size - pos) {
          report(
              pos, "batch length " + length + " is impossible here (torn or corrupt tail)", totals);
          return;
        }
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining() && ch.read(buf, pos + buf.position()) > 0) {
          // read fully
        }
        batch.wrap(buf, 0);
        String status = "ok";
        try {
          batch.ensureValid();
        } catch (OrdoException e) {
          status = "DAMAGED (" + e.getMessage() + ")";
          totals.damaged++;
        }
        if (batches) {
          out.printf(
              "  offsets %d..%d stream %s producer %d epoch %d seq %d records %d bytes %d"
                  + " term %d%s crc %s%n",
              batch.baseOffset(),
              batch.lastOffset(),
              safeStream(batch),
              batch.producerId(),
              batch.producerEpoch(),
              batch.baseSequence(),
              batch.recordCount(),
              length,
              batch.term(),
              batch.isControl() ? " control" : "",
              status);
        }
        if (totals.batches == 0) {
          totals.firstOffset = batch.baseOffset();
        }
        totals.batches++;
        totals.records += batch.recordCount();
        totals.bytes += length;
        totals.lastOffset = batch.lastOffset();
        pos += length;
      }
    }
  }

  private static String safeStream(RecordBatch batch) {
    int n = batch.streamNameLength();
    if (n < 1 || n > RecordBatch.MAX_STREAM_NAME_LENGTH || batch.recordsOffset() > batch.length()) {
      return "?";
    }
    return batch.streamName();
  }

  private void report(long pos, String what, Totals totals) {
    out.printf("  at position %d: %s%n", pos, what);
    totals.damaged++;
  }

  private static final class Totals {
    long batches;
    long records;
    long bytes;
    long damaged;
    long firstOffset;
    long lastOffset;
  }
}
