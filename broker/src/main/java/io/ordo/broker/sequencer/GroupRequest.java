package io.ordo.broker.sequencer;

import io.ordo.protocol.ErrorCode;
import java.util.List;
import java.util.function.Consumer;

/**
 * A read-path request that the sequencer must order with the appends: make a member active with a
 * new generation (a control batch on {@code $groups}), commit an offset (a control batch on {@code
 * $offsets}, refused from a stale generation), or list the streams it knows. The outcome goes to
 * {@link #onComplete} on the sequencer thread once the control batch is durable.
 *
 * <p>Built on an I/O thread, handed over through the ring; then the sequencer's alone.
 */
public final class GroupRequest {
  public enum Kind {
    ACTIVATE,
    COMMIT,
    LIST_STREAMS
  }

  /** A stream as the sequencer knows it. */
  public record StreamState(String name, long records, long nextVersion, long lastBatchOffset) {}

  final Kind kind;
  final String group;
  final String subscription;
  final String member;
  final int requestGeneration;
  final long offset;
  final String prefix;
  final Consumer<GroupRequest> onComplete;

  long ackOffset = -1;
  ErrorCode error = ErrorCode.NONE;
  int generation = -1;
  long committedOffset = -1;
  List<StreamState> streams = List.of();
  long logNextOffset = -1;

  private GroupRequest(
      Kind kind,
      String group,
      String subscription,
      String member,
      int requestGeneration,
      long offset,
      String prefix,
      Consumer<GroupRequest> onComplete) {
    this.kind = kind;
    this.group = group;
    this.subscription = subscription;
    this.member = member;
    this.requestGeneration = requestGeneration;
    this.offset = offset;
    this.prefix = prefix;
    this.onComplete = onComplete;
  }

  public static GroupRequest activate(
      String group, String subscription, String member, Consumer<GroupRequest> onComplete) {
    return new GroupRequest(Kind.ACTIVATE, group, subscription, member, -1, -1, null, onComplete);
  }

  public static GroupRequest commit(
      String group,
      String subscription,
      int generation,
      long offset,
      Consumer<GroupRequest> onComplete) {
    return new GroupRequest(
        Kind.COMMIT, group, subscription, "", generation, offset, null, onComplete);
  }

  public static GroupRequest listStreams(String prefix, Consumer<GroupRequest> onComplete) {
    return new GroupRequest(Kind.LIST_STREAMS, null, null, null, -1, -1, prefix, onComplete);
  }

  public Kind kind() {
    return kind;
  }

  public ErrorCode error() {
    return error;
  }

  /** The new generation (ACTIVATE). */
  public int generation() {
    return generation;
  }

  /** The committed offset when the member became active (ACTIVATE), -1 for none. */
  public long committedOffset() {
    return committedOffset;
  }

  public List<StreamState> streams() {
    return streams;
  }

  /** The log end when the listing was taken (LIST_STREAMS). */
  public long logNextOffset() {
    return logNextOffset;
  }
}
