package io.ordo.consumer;

import io.ordo.protocol.wire.ReadMessages;
import java.util.Objects;

/** Which streams a subscription receives: one stream, a name prefix, or all data streams. */
public final class StreamSelector {
  private final byte kind;
  private final String filter;

  private StreamSelector(byte kind, String filter) {
    this.kind = kind;
    this.filter = filter;
  }

  public static StreamSelector stream(String name) {
    if (Objects.requireNonNull(name, "name").isEmpty()) {
      throw new IllegalArgumentException("stream name is empty");
    }
    return new StreamSelector(ReadMessages.FILTER_STREAM, name);
  }

  public static StreamSelector prefix(String prefix) {
    return new StreamSelector(ReadMessages.FILTER_PREFIX, Objects.requireNonNull(prefix));
  }

  public static StreamSelector all() {
    return new StreamSelector(ReadMessages.FILTER_ALL, "");
  }

  byte kind() {
    return kind;
  }

  String filter() {
    return filter;
  }

  /** The subscription's name within a group: {@code stream:S}, {@code prefix:P} or {@code all}. */
  public String key() {
    switch (kind) {
      case ReadMessages.FILTER_STREAM:
        return "stream:" + filter;
      case ReadMessages.FILTER_PREFIX:
        return "prefix:" + filter;
      default:
        return "all";
    }
  }

  @Override
  public String toString() {
    return key();
  }
}
