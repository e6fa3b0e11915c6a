package io.ordo.protocol.wire;

import static io.ordo.protocol.wire.WireReader.readInt;
import static io.ordo.protocol.wire.WireReader.readLong;
import static io.ordo.protocol.wire.WireReader.readShort;
import static io.ordo.protocol.wire.WireReader.readString;
import static io.ordo.protocol.wire.WireReader.requireEnd;
import static io.ordo.protocol.wire.WireReader.writeString;

import io.netty.buffer.ByteBuf;
import io.ordo.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * Encoders and decoders of the read-path messages: subscriptions, pushed deliveries, credits,
 * consumer groups and the admin listings. Same conventions as {@link Messages} (little-endian,
 * strings int16 length + UTF-8, every decoder bounds-checked and checking that nothing is left
 * over; counts are checked against the bytes present before anything is allocated). Bodies:
 *
 * <pre>
 * SUBSCRIBE                int8 filterKind (0 all, 1 stream, 2 prefix), string filter,
 *                          int8 startKind (0 earliest, 1 latest, 2 offset, 3 timestamp),
 *                          int64 startValue, int64 initialCreditBytes,
 *                          string group ("" = none), int32 generation (-1 without a group)
 * SUBSCRIBE_RESPONSE       int16 errorCode, int64 startOffset (the first offset delivered)
 * DELIVERY                 (pushed, correlationId 0) int64 nextOffset (where delivery continues;
 *                          batches skipped by the filter are behind it), then whole record
 *                          batches back to back up to the frame's end, exactly as stored
 * CREDIT                   int64 bytes (1.. ; added to the subscription's credit; no response)
 * JOIN_GROUP               string group, string subscription, string memberId,
 *                          int32 sessionTimeoutMs
 * JOIN_GROUP_RESPONSE      int16 errorCode, int32 generation, int64 committedOffset (-1 = none);
 *                          sent when the member becomes active (a standby waits for it)
 * HEARTBEAT                empty; keeps the member's session alive; no response
 * COMMIT_OFFSET            string group, string subscription, int32 generation, int64 offset
 *                          (the next offset to consume)
 * COMMIT_OFFSET_RESPONSE   int16 errorCode (after the commit is durable)
 * LIST_STREAMS             string prefix ("" = all)
 * LIST_STREAMS_RESPONSE    int64 logStartOffset, int64 logEndOffset, int32 count, then per
 *                          stream: string name, int64 records, int64 nextVersion,
 *                          int64 lastBatchOffset
 * DESCRIBE_GROUPS          string group ("" = all)
 * DESCRIBE_GROUPS_RESPONSE int64 logEndOffset, int32 count, then per (group, subscription):
 *                          string group, string subscription, int32 generation,
 *                          string activeMember ("" = none), int32 standbys,
 *                          int64 committedOffset (-1 = none)
 * </pre>
 */
public final class ReadMessages {
  public static final byte FILTER_ALL = 0;
  public static final byte FILTER_STREAM = 1;
  public static final byte FILTER_PREFIX = 2;

  public static final byte START_EARLIEST = 0;
  public static final byte START_LATEST = 1;
  public static final byte START_OFFSET = 2;
  public static final byte START_TIMESTAMP = 3;

  /** Bytes of a DELIVERY frame before its batches: frame header and next offset. */
  public static final int DELIVERY_OVERHEAD = Frame.HEADER_LENGTH + 8;

  private ReadMessages() {}

  private static byte readByte(ByteBuf in, String field) {
    WireReader.require(in, 1, field);
    return in.readByte();
  }

  /** A byte that must be 0 (false) or 1 (true). */
  private static boolean readFlag(ByteBuf in, String field) {
    byte b = readByte(in, field);
    if (b != 0 && b != 1) {
      throw WireReader.malformed(field + " must be 0 or 1, not " + b);
    }
    return b == 1;
  }

  // ---- subscriptions ----

  public record Subscribe(
      byte filterKind,
      String filter,
      byte startKind,
      long startValue,
      long initialCreditBytes,
      String group,
      int generation) {}

  public static void writeSubscribe(ByteBuf out, long correlationId, Subscribe s) {
    int start = Frame.begin(out, MessageType.SUBSCRIBE, correlationId);
    out.writeByte(s.filterKind());
    writeString(out, s.filter());
    out.writeByte(s.startKind());
    out.writeLongLE(s.startValue());
    out.writeLongLE(s.initialCreditBytes());
    writeString(out, s.group());
    out.writeIntLE(s.generation());
    Frame.end(out, start);
  }

  public static Subscribe readSubscribe(ByteBuf body) {
    Subscribe s =
        new Subscribe(
            readByte(body, "filter kind"),
            readString(body, "filter"),
            readByte(body, "start kind"),
            readLong(body, "start value"),
            readLong(body, "initial credit"),
            readString(body, "group"),
            readInt(body, "generation"));
    requireEnd(body, "subscribe");
    return s;
  }

  public record SubscribeResponse(ErrorCode error, long startOffset) {}

  public static void writeSubscribeResponse(ByteBuf out, long correlationId, SubscribeResponse r) {
    int start = Frame.begin(out, MessageType.SUBSCRIBE_RESPONSE, correlationId);
    out.writeShortLE(r.error().code());
    out.writeLongLE(r.startOffset());
    Frame.end(out, start);
  }

  public static SubscribeResponse readSubscribeResponse(ByteBuf body) {
    SubscribeResponse r =
        new SubscribeResponse(
            ErrorCode.forCode(readShort(body, "error code")), readLong(body, "start offset"));
    requireEnd(body, "subscribe response");
    return r;
  }

  /**
   * Writes the header of a DELIVERY frame whose {@code batchBytes} of batches follow separately
   * (from a file region). The frame's length covers them.
   */
  public static void writeDeliveryHeader(ByteBuf out, long nextOffset, int batchBytes) {
    int start = Frame.begin(out, MessageType.DELIVERY, 0);
    out.writeLongLE(nextOffset);
    out.setIntLE(start, out.writerIndex() - start - Frame.LENGTH_FIELD_LENGTH + batchBytes);
  }

  /** Reads the next offset of a DELIVERY body; the batches are what is left readable. */
  public static long readDeliveryNextOffset(ByteBuf body) {
    return readLong(body, "next offset");
  }

  public static void writeCredit(ByteBuf out, long bytes) {
    int start = Frame.begin(out, MessageType.CREDIT, 0);
    out.writeLongLE(bytes);
    Frame.end(out, start);
  }

  public static long readCredit(ByteBuf body) {
    long bytes = readLong(body, "credit bytes");
    requireEnd(body, "credit");
    if (bytes <= 0) {
      throw WireReader.malformed("credit of " + bytes + " bytes is not positive");
    }
    return bytes;
  }

  // ---- groups ----

  public record JoinGroup(
      String group, String subscription, String memberId, int sessionTimeoutMs) {}

  public static void writeJoinGroup(ByteBuf out, long correlationId, JoinGroup j) {
    int start = Frame.begin(out, MessageType.JOIN_GROUP, correlationId);
    writeString(out, j.group());
    writeString(out, j.subscription());
    writeString(out, j.memberId());
    out.writeIntLE(j.sessionTimeoutMs());
    Frame.end(out, start);
  }

  public static JoinGroup readJoinGroup(ByteBuf body) {
    JoinGroup j =
        new JoinGroup(
            readString(body, "group"),
            readString(body, "subscription"),
            readString(body, "member id"),
            readInt(body, "session timeout"));
    requireEnd(body, "join group");
    return j;
  }

  public record JoinGroupResponse(ErrorCode error, int generation, long committedOffset) {}

  public static void writeJoinGroupResponse(ByteBuf out, long correlationId, JoinGroupResponse r) {
    int start = Frame.begin(out, MessageType.JOIN_GROUP_RESPONSE, correlationId);
    out.writeShortLE(r.error().code());
    out.writeIntLE(r.generation());
    out.writeLongLE(r.committedOffset());
    Frame.end(out, start);
  }

  public static JoinGroupResponse readJoinGroupResponse(ByteBuf body) {
    JoinGroupResponse r =
        new JoinGroupResponse(
            ErrorCode.forCode(readShort(body, "error code")),
            readInt(body, "generation"),
            readLong(body, "committed offset"));
    requireEnd(body, "join group response");
    return r;
  }

  public static void writeHeartbeat(ByteBuf out) {
    int start = Frame.begin(out, MessageType.HEARTBEAT, 0);
    Frame.end(out, start);
  }

  public record CommitOffset(String group, String subscription, int generation, long offset) {}

  public static void writeCommitOffset(ByteBuf out, long correlationId, CommitOffset c) {
    int start = Frame.begin(out, MessageType.COMMIT_OFFSET, correlationId);
    writeString(out, c.group());
    writeString(out, c.subscription());
    out.writeIntLE(c.generation());
    out.writeLongLE(c.offset());
    Frame.end(out, start);
  }

  public static CommitOffset readCommitOffset(ByteBuf body) {
    CommitOffset c =
        new CommitOffset(
            readString(body, "group"),
            readString(body, "subscription"),
            readInt(body, "generation"),
            readLong(body, "offset"));
    requireEnd(body, "commit offset");
    return c;
  }

  public static void writeCommitOffsetResponse(ByteBuf out, long correlationId, ErrorCode error) {
    int start = Frame.begin(out, MessageType.COMMIT_OFFSET_RESPONSE, correlationId);
    out.writeShortLE(error.code());
    Frame.end(out, start);
  }

  public static ErrorCode readCommitOffsetResponse(ByteBuf body) {
    ErrorCode e = ErrorCode.forCode(readShort(body, "error code"));
    requireEnd(body, "commit offset response");
    return e;
  }

  // ---- admin listings ----

  public static void writeListStreams(ByteBuf out, long correlationId, String prefix) {
    int start = Frame.begin(out, MessageType.LIST_STREAMS, correlationId);
    writeString(out, prefix);
    Frame.end(out, start);
  }

  public static String readListStreams(ByteBuf body) {
    String prefix = readString(body, "prefix");
    requireEnd(body, "list streams");
    return prefix;
  }

  public record StreamInfo(String name, long records, long nextVersion, long lastBatchOffset) {}

  public record StreamList(long logStartOffset, long logEndOffset, List<StreamInfo> streams) {}

  public static void writeListStreamsResponse(ByteBuf out, long correlationId, StreamList l) {
    int start = Frame.begin(out, MessageType.LIST_STREAMS_RESPONSE, correlationId);
    out.writeLongLE(l.logStartOffset());
    out.writeLongLE(l.logEndOffset());
    out.writeIntLE(l.streams().size());
    for (StreamInfo s : l.streams()) {
      writeString(out, s.name());
      out.writeLongLE(s.records());
      out.writeLongLE(s.nextVersion());
      out.writeLongLE(s.lastBatchOffset());
    }
    Frame.end(out, start);
  }

  private static int readCount(ByteBuf body, int minEntryBytes, String field) {
    int count = readInt(body, field);
    if (count < 0 || (long) count * minEntryBytes > body.readableBytes()) {
      throw WireReader.malformed(field + " " + count + " does not fit the frame");
    }
    return count;
  }

  public static StreamList readListStreamsResponse(ByteBuf body) {
    long logStart = readLong(body, "log start offset");
    long logEnd = readLong(body, "log end offset");
    int count = readCount(body, 2 + 24, "stream count");
    List<StreamInfo> streams = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      streams.add(
          new StreamInfo(
              readString(body, "stream name"),
              readLong(body, "records"),
              readLong(body, "next version"),
              readLong(body, "last batch offset")));
    }
    requireEnd(body, "list streams response");
    return new StreamList(logStart, logEnd, streams);
  }

  public static void writeDescribeGroups(ByteBuf out, long correlationId, String group) {
    int start = Frame.begin(out, MessageType.DESCRIBE_GROUPS, correlationId);
    writeString(out, group);
    Frame.end(out, start);
  }

  public static String readDescribeGroups(ByteBuf body) {
    String group = readString(body, "group");
    requireEnd(body, "describe groups");
    return group;
  }

  /**
   * @param lag committed records the subscription has yet to receive after {@code committedOffset},
   *     -1 when unknown (no commit yet, a subscription the node cannot parse)
   * @param lagExact false when the node stopped counting at its budget: {@code lag} is then a lower
   *     bound
   */
  public record GroupInfo(
      String group,
      String subscription,
      int generation,
      String activeMember,
      int standbys,
      long committedOffset,
      long lag,
      boolean lagExact) {}

  public record GroupList(long logEndOffset, List<GroupInfo> groups) {}

  public static void writeDescribeGroupsResponse(ByteBuf out, long correlationId, GroupList l) {
    int start = Frame.begin(out, MessageType.DESCRIBE_GROUPS_RESPONSE, correlationId);
    out.writeLongLE(l.logEndOffset());
    out.writeIntLE(l.groups().size());
    for (GroupInfo g : l.groups()) {
      writeString(out, g.group());
      writeString(out, g.subscription());
      out.writeIntLE(g.generation());
      writeString(out, g.activeMember());
      out.writeIntLE(g.standbys());
      out.writeLongLE(g.committedOffset());
      out.writeLongLE(g.lag());
      out.writeByte(g.lagExact() ? 1 : 0);
    }
    Frame.end(out, start);
  }

  public static GroupList readDescribeGroupsResponse(ByteBuf body) {
    long logEnd = readLong(body, "log end offset");
    int count = readCount(body, 2 + 4 + 2 + 2 + 4 + 8 + 8 + 1, "group count");
    List<GroupInfo> groups = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      groups.add(
          new GroupInfo(
              readString(body, "group"),
              readString(body, "subscription"),
              readInt(body, "generation"),
              readString(body, "active member"),
              readInt(body, "standbys"),
              readLong(body, "committed offset"),
              readLong(body, "lag"),
              readFlag(body, "lag exact")));
    }
    requireEnd(body, "describe groups response");
    return new GroupList(logEnd, groups);
  }
}
