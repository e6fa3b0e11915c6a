package io.ordo.protocol;

import com.github.luben.zstd.Zstd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ordo.protocol.batch.Compression;
import io.ordo.protocol.batch.Header;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.batch.RecordBatchBuilder;
import io.ordo.protocol.wire.Frame;
import io.ordo.protocol.wire.MessageType;
import io.ordo.protocol.wire.Messages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes the stored seed inputs of the fuzz tests (valid frames and batches of both codecs, a huge
 * length prefix, truncated inputs) into the Jazzer inputs directories under src/test/resources. Run
 * by hand after a format change: {@code java -cp <test classpath> io.ordo.protocol.FuzzSeedFiles
 * protocol/src/test/resources}. Single-threaded.
 */
public final class FuzzSeedFiles {
  private FuzzSeedFiles() {}

  public static void main(String[] args) throws IOException {
    Path resources = Path.of(args.length > 0 ? args[0] : "protocol/src/test/resources");
    writeFrames(resources.resolve("io/ordo/protocol/wire/FrameFuzzTestInputs/decodeFrames"));
    writeBatches(resources.resolve("io/ordo/protocol/batch/RecordBatchFuzzTestInputs/decodeBatch"));
  }

  private static void writeFrames(Path dir) throws IOException {
    Files.createDirectories(dir);
    ByteBuf all = Unpooled.buffer();

    ByteBuf b = Unpooled.buffer();
    Messages.writeHello(b, 1, new Messages.Hello((short) 1, (short) 3, "client-é-1"));
    write(dir, "hello", b);
    all.writeBytes(b.duplicate());
    write(dir, "truncated-hello", b.slice(0, b.readableBytes() - 3));

    b = Unpooled.buffer();
    Messages.writeHelloOk(b, 1, new Messages.HelloOk((short) 1, 2, 16 << 20, 1 << 20));
    write(dir, "hello-ok", b);
    all.writeBytes(b.duplicate());

    b = Unpooled.buffer();
    Messages.writeError(b, 7, ErrorCode.NOT_LEADER, "not the leader: try node 2");
    write(dir, "error", b);
    all.writeBytes(b.duplicate());

    b = Unpooled.buffer();
    Messages.writeInitProducer(b, 8, "orders-writer");
    write(dir, "init-producer", b);
    all.writeBytes(b.duplicate());

    b = Unpooled.buffer();
    Messages.writeInitProducerResponse(
        b, 8, new Messages.InitProducerResponse(ErrorCode.NONE, 42L, (short) 3));
    write(dir, "init-producer-response", b);
    all.writeBytes(b.duplicate());

    b = Unpooled.buffer();
    int start = Messages.beginProduceResponse(b, 9, 2);
    Messages.writeBatchResult(b, ErrorCode.NONE, 100, 7);
    Messages.writeBatchResult(b, ErrorCode.CORRUPT_BATCH, -1, -1);
    Frame.end(b, start);
    write(dir, "produce-response", b);
    all.writeBytes(b.duplicate());

    b = Unpooled.buffer();
    start = Messages.beginProduce(b, 10, 2);
    b.writeBytes(batch(Compression.NONE, false));
    b.writeBytes(batch(Compression.ZSTD, false));
    Messages.endProduce(b, start);
    write(dir, "produce", b);
    all.writeBytes(b.duplicate());

    write(dir, "several-frames", all);

    b = Unpooled.buffer();
    b.writeIntLE(Integer.MAX_VALUE);
    b.writeShortLE(MessageType.HELLO.code());
    b.writeShortLE(0);
    b.writeLongLE(1);
    write(dir, "huge-length-prefix", b);

    b = Unpooled.buffer();
    int s = Frame.begin(b, MessageType.HELLO, 3);
    b.writeIntLE(Messages.HELLO_MAGIC);
    b.writeShortLE(1);
    b.writeShortLE(1);
    b.writeShortLE(0xFFFF);
    b.writeBytes(new byte[16]);
    Frame.end(b, s);
    write(dir, "huge-string-length", b);
  }

  private static void writeBatches(Path dir) throws IOException {
    Files.createDirectories(dir);
    write(dir, "batch-none", batch(Compression.NONE, false));
    write(dir, "batch-zstd", batch(Compression.ZSTD, false));
    write(dir, "batch-control", batch(Compression.NONE, true));
    ByteBuffer valid = batch(Compression.NONE, false);
    write(dir, "truncated-batch", valid.duplicate().limit(valid.remaining() / 2));

    ByteBuffer huge = copy(valid);
    huge.putInt(RecordBatch.LENGTH_OFFSET, Integer.MAX_VALUE);
    write(dir, "huge-length-prefix", huge);

    ByteBuffer manyRecords = copy(valid);
    manyRecords.putInt(RecordBatch.RECORD_COUNT_OFFSET, Integer.MAX_VALUE);
    reseal(manyRecords);
    write(dir, "huge-record-count", manyRecords);

    // A zstd frame that says it expands to 1 MiB (over the cursor's limit) in a few bytes.
    RecordBatch view = new RecordBatch().wrap(valid, 0);
    int recordsOffset = view.recordsOffset();
    byte[] bomb = Zstd.compress(new byte[1 << 20], 19);
    ByteBuffer bombBatch =
        ByteBuffer.allocate(recordsOffset + bomb.length).order(ByteOrder.LITTLE_ENDIAN);
    bombBatch.put(valid.duplicate().limit(recordsOffset)).put(bomb).flip();
    bombBatch.putInt(RecordBatch.LENGTH_OFFSET, bombBatch.limit());
    bombBatch.putShort(RecordBatch.ATTRIBUTES_OFFSET, (short) Compression.ZSTD.id());
    reseal(bombBatch);
    write(dir, "zstd-expands-past-limit", bombBatch);
  }

  private static ByteBuffer batch(Compression compression, boolean control) {
    RecordBatchBuilder builder = new RecordBatchBuilder(4096);
    builder.begin("orders/ß-42", 5L, (short) 1, 100, compression, control);
    for (int i = 0; i < 6; i++) {
      byte[] key = i == 2 ? null : ("key-" + i).getBytes(StandardCharsets.UTF_8);
      byte[] value = ("value value value " + i).getBytes(StandardCharsets.UTF_8);
      Header[] headers =
          i % 2 == 0
              ? new Header[] {new Header("trace", new byte[] {1, 2, 3}), new Header("n", null)}
              : null;
      builder.tryAppend(1_700_000_000_000L + i * 7 - (i == 3 ? 50 : 0), key, value, headers);
    }
    ByteBuffer built = builder.build();
    new RecordBatch().wrap(built, 0).stamp(1000, 2, 30, 900, 1_700_000_000_123L);
    return copy(built);
  }

  private static void reseal(ByteBuffer b) {
    RecordBatch batch = new RecordBatch().wrap(b, 0);
    b.putInt(RecordBatch.PAYLOAD_CRC_OFFSET, batch.computePayloadCrc());
    b.putInt(RecordBatch.HEADER_CRC_OFFSET, batch.computeHeaderCrc());
  }

  private static ByteBuffer copy(ByteBuffer b) {
    ByteBuffer c = ByteBuffer.allocate(b.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    c.put(b.duplicate()).flip();
    return c;
  }

  private static void write(Path dir, String name, ByteBuf b) throws IOException {
    byte[] bytes = new byte[b.readableBytes()];
    b.getBytes(b.readerIndex(), bytes);
    Files.write(dir.resolve(name), bytes);
  }

  private static void write(Path dir, String name, ByteBuffer b) throws IOException {
    byte[] bytes = new byte[b.remaining()];
    b.duplicate().get(bytes);
    Files.write(dir.resolve(name), bytes);
    System.out.println(dir.resolve(name) + " " + bytes.length + " bytes " + Arrays.hashCode(bytes));
  }
}
