package io.ordo.broker.delivery;

import io.ordo.protocol.ErrorCode;
import io.ordo.protocol.OrdoException;
import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.wire.ReadMessages;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Which batches a subscription receives: one stream, a stream-name prefix, or every data stream.
 * Control batches (streams whose name starts with '$') are delivered only to a subscription that
 * names their stream exactly. Immutable.
 */
final class StreamFilter {
  private final byte kind;
  private final byte[] name;

  private StreamFilter(byte kind, byte[] name) {
    this.kind = kind;
    this.name = name;
  }

  static StreamFilter of(byte kind, String filter) {
    byte[] b = filter.getBytes(StandardCharsets.UTF_8);
    switch (kind) {
      case ReadMessages.FILTER_ALL:
        return new StreamFilter(kind, new byte[0]);
      case ReadMessages.FILTER_STREAM:
        if (b.length < 1 || b.length > RecordBatch.MAX_STREAM_NAME_LENGTH) {
          throw new OrdoException(ErrorCode.INVALID_REQUEST, "stream name must be 1..255 bytes");
        }
        return new StreamFilter(kind, b);
      case ReadMessages.FILTER_PREFIX:
        if (b.length > RecordBatch.MAX_STREAM_NAME_LENGTH) {
          throw new OrdoException(ErrorCode.INVALID_REQUEST, "prefix longer than 255 bytes");
        }
        return new StreamFilter(kind, b);
      default:
        throw new OrdoException(ErrorCode.INVALID_REQUEST, "unknown filter kind " + kind);
    }
  }

  /**
   * The filter a group's subscription key names ({@code stream:S}, {@code prefix:P}, {@code all}:
   * the consumer library's {@code StreamSelector.key()}), or null for a key of another form.
   */
  static StreamFilter ofKey(String key) {
    try {
      if (key.equals("all")) {
        return of(ReadMessages.FILTER_ALL, "");
      } else if (key.startsWith("stream:")) {
        return of(ReadMessages.FILTER_STREAM, key.substring("stream:".length()));
      } else if (key.startsWith("prefix:")) {
        return of(ReadMessages.FILTER_PREFIX, key.substring("prefix:".length()));
      }
    } catch (OrdoException e) {
      return null; // a name no subscription could have
    }
    return null;
  }

  /** Whether the batch whose header starts at {@code buf}'s position 0 matches. */
  boolean matches(ByteBuffer header) {
    int len = header.getShort(RecordBatch.STREAM_NAME_LENGTH_OFFSET) & 0xFFFF;
    if (len > header.limit() - RecordBatch.STREAM_NAME_OFFSET) {
      return false; // a damaged name: the consumer's CRC check would refuse the batch anyway
    }
    byte first = len > 0 ? header.get(RecordBatch.STREAM_NAME_OFFSET) : 0;
    switch (kind) {
      case ReadMessages.FILTER_STREAM:
        return len == name.length && equalAt(header, name);
      case ReadMessages.FILTER_PREFIX:
        return first != '$' && len >= name.length && equalAt(header, name);
      default:
        return first != '$';
    }
  }

  private static boolean equalAt(ByteBuffer header, byte[] b) {
    for (int i = 0; i < b.length; i++) {
      if (header.get(RecordBatch.STREAM_NAME_OFFSET + i) != b[i]) {
        return false;
      }
    }
    return true;
  }
}
