package io.ordo.it;

import io.ordo.protocol.batch.RecordBatch;
import io.ordo.protocol.wire.MessageType;
import io.ordo.protocol.wire.ReadMessages;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link FrameProxy} rule that flips one bit inside one batch of the {@code n}th DELIVERY frame,
 * as a faulty link between broker and client would: a random batch of the frame, a random byte of
 * it in {@code [fromByte, toByte)} (clipped to the batch; the whole batch by default: length,
 * header, CRCs, payload), a random bit. Remembers what it damaged. Thread-safe.
 */
final class DeliveryBitFlip implements FrameProxy.Rule {
  /** The damaged batch as the broker sent it, and where in it the bit was flipped. */
  record Damage(long baseOffset, int recordCount, int byteInBatch, int bit) {}

  private final Random rnd;
  private final AtomicInteger untilFlip;
  private final int fromByte;
  private final int toByte;
  private volatile Damage damage;

  DeliveryBitFlip(int n, Random rnd, int fromByte, int toByte) {
    this.untilFlip = new AtomicInteger(n);
    this.rnd = rnd;
    this.fromByte = fromByte;
    this.toByte = toByte;
  }

  /** The damage done, or null before the frame came by. */
  Damage damage() {
    return damage;
  }

  @Override
  public synchronized boolean forward(byte[] frame) {
    if (FrameProxy.type(frame) != MessageType.DELIVERY.code() || untilFlip.decrementAndGet() != 0) {
      return true;
    }
    ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
    List<Integer> starts = new ArrayList<>();
    for (int pos = ReadMessages.DELIVERY_OVERHEAD;
        pos < frame.length;
        pos += b.getInt(pos + RecordBatch.LENGTH_OFFSET)) {
      starts.add(pos);
    }
    int start = starts.get(rnd.nextInt(starts.size()));
    int length = b.getInt(start + RecordBatch.LENGTH_OFFSET);
    int to = Math.min(toByte, length);
    int at = fromByte + rnd.nextInt(to - fromByte);
    int bit = rnd.nextInt(8);
    damage =
        new Damage(
            b.getLong(start + RecordBatch.BASE_OFFSET_OFFSET),
            b.getInt(start + RecordBatch.RECORD_COUNT_OFFSET),
            at,
            bit);
    frame[start + at] ^= (byte) (1 << bit);
    return true;
  }
}
