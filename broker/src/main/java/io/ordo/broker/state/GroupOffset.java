package io.ordo.broker.state;

/**
 * A consumer group's committed position on one subscription: the next offset to deliver, and the
 * generation of the member that committed it (stale members are fenced by generation). Immutable.
 */
public record GroupOffset(String group, String subscription, long nextOffset, int generation) {
  public GroupOffset {
    if (group.indexOf('\u0000') >= 0) {
      throw new IllegalArgumentException("group name contains NUL: " + group);
    }
  }

  /** The key a group offset is kept under: {@code group + '\0' + subscription}. */
  public static String key(String group, String subscription) {
    return group + '\u0000' + subscription;
  }

  public String key() {
    return key(group, subscription);
  }
}
