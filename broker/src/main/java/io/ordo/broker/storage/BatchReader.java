package io.ordo.broker.storage;

import io.ordo.protocol.CorruptBatchException;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.RecordBatch;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Reads stored batches out of a segment file through a {@link FileWindow}: either the header only
 * (length prefix and header CRC checked, for walking and zero-copy reads), or the whole batch with
 * both CRCs checked (for recovery and {@link Log#forEachBatch}). Anything that fails a check raises
 * {@link CorruptBatchException}, so a damaged batch is never handed on. Not thread-safe: one
 * instance per thread.
 */
final class BatchReader {
  /** Bytes of a batch that hold every field the log needs (up to and including recordCount). */
  static final int HEADER_BYTES = RecordBatch.FIXED_HEADER_LENGTH;

  private final FileWindow window;
  private final RecordBatch view = new RecordBatch();

  BatchReader(int windowBytes) {
    this.window = new FileWindow(windowBytes);
  }

  BatchReader on(FileChannel channel) {
    window.reset(channel);
    return this;
  }

  /**
   * The header of the batch at {@code position}, its length prefix and header CRC checked, or null
   * when {@code position == limit}. The returned flyweight is valid until the next call.
   *
   * @param limit end of the readable bytes of the segment (its published size)
   */
  RecordBatch header(long position, long limit) throws IOException {
    return read(position, limit, false);
  }

  /**
   * The whole batch at {@code position}, with its header CRC, magic, field ranges and payload CRC
   * checked, or null when {@code position == limit}.
   */
  RecordBatch batch(long position, long limit) throws IOException {
    return read(position, limit, true);
  }

  private RecordBatch read(long position, long limit, boolean whole) throws IOException {
    if (position == limit) {
      return null;
    }
    long available = limit - position;
    if (available < HEADER_BYTES) {
      throw new CorruptBatchException(
          "torn batch at position " + position + ": only " + available + " bytes left");
    }
    int at = window.ensure(position, HEADER_BYTES, limit);
    if (at < 0) {
      throw new CorruptBatchException(
          "segment file ends before the batch header at position " + position);
    }
    int length;
    try {
      length =
          RecordBatch.checkedLength(
              window.buffer(),
              at,
              (int) Math.min(available, Integer.MAX_VALUE),
              RecordBatch.MAX_BATCH_LENGTH);
    } catch (OrdoException e) {
      throw new CorruptBatchException("at position " + position + ": " + detail(e), e);
    }
    if (whole) {
      at = window.ensure(position, length, limit);
      if (at < 0) {
        throw new CorruptBatchException(
            "segment file ends inside the batch at position " + position);
      }
    }
    view.wrap(window.buffer(), at);
    try {
      view.validateHeader();
      if (view.magic() != RecordBatch.MAGIC) {
        throw new CorruptBatchException("unknown batch magic " + view.magic());
      }
      if (view.recordCount() < 1) {
        throw new CorruptBatchException("record count " + view.recordCount() + " is below 1");
      }
      if (whole) {
        view.validatePayload();
      }
    } catch (OrdoException e) {
      throw new CorruptBatchException("batch at position " + position + ": " + detail(e), e);
    }
    return view;
  }

  /** The detail of an error, without the code and the advice around it. */
  static String detail(OrdoException e) {
    String m = e.getMessage();
    String prefix = e.errorCode() + ": ";
    String suffix = " (" + e.errorCode().message() + ")";
    if (m.startsWith(prefix)) {
      m = m.substring(prefix.length());
    }
    if (m.endsWith(suffix)) {
      m = m.substring(0, m.length() - suffix.length());
    }
    return m;
  }
}
