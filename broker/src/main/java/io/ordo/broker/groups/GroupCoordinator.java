package io.ordo.broker.groups;

import io.ordo.broker.sequencer.GroupRequest;
import io.ordo.protocol.ErrorCode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Membership of consumer groups: per (group, subscription) one active member, the others standing
 * by in join order. Making a member active goes through the sequencer (a new generation, stored as
 * a control batch on {@code $groups}), so the generation that fences stale members is in the log. A
 * member leaves when its connection closes or its session times out (no frame for its session
 * timeout); the next standby is then made active.
 *
 * <p>Thread-safe: a monitor guards the membership (joins and leaves are rare); links are called
 * outside it.
 */
public final class GroupCoordinator {
  /** The connection of a member: how the coordinator talks back to it. */
  public interface Link {
    /** The member is now active with {@code generation}; resume after {@code committedOffset}. */
    void onActive(Member member, int generation, long committedOffset);

    /** The member could not be made active, or was evicted (session timeout). */
    void onRemoved(Member member, ErrorCode code, String message);
  }

  /** One member: a connection in a (group, subscription). */
  public static final class Member {
    final GroupControl.Key key;
    final String memberId;
    final long sessionTimeoutMs;
    final Link link;
    volatile long lastSeenMs;
    volatile int generation = -1;
    boolean gone;

    Member(GroupControl.Key key, String memberId, long sessionTimeoutMs, Link link, long nowMs) {
      this.key = key;
      this.memberId = memberId;
      this.sessionTimeoutMs = sessionTimeoutMs;
      this.link = link;
      this.lastSeenMs = nowMs;
    }

    public String group() {
      return key.group();
    }

    public String subscription() {
      return key.subscription();
    }

    public String memberId() {
      return memberId;
    }

    /** The generation it was made active with, or -1 while standing by. */
    public int generation() {
      return generation;
    }
  }

  private static final class Slot {
    Member active;
    Member activating;
    final ArrayDeque<Member> standbys = new ArrayDeque<>();
  }

  public static final int MIN_SESSION_TIMEOUT_MS = 100;
  public static final int MAX_SESSION_TIMEOUT_MS = 300_000;

  private final Predicate<GroupRequest> sequencer;
  private final GroupOffsets offsets;
  private final LongSupplier clockMs;
  private final Map<GroupControl.Key, Slot> slots = new HashMap<>();

  /**
   * @param sequencer publishes a request into the sequencer's ring; false when the node is closing
   */
  public GroupCoordinator(
      Predicate<GroupRequest> sequencer, GroupOffsets offsets, LongSupplier clockMs) {
    this.sequencer = sequencer;
    this.offsets = offsets;
    this.clockMs = clockMs;
  }

  /** Adds a member; it becomes active now (if the slot is free) or later. */
  public Member join(String group, String subscription, String memberId, int timeoutMs, Link link) {
    GroupControl.Key key = new GroupControl.Key(group, subscription);
    Member m = new Member(key, memberId, timeoutMs, link, clockMs.getAsLong());
    boolean activate;
    synchronized (this) {
      Slot slot = slots.computeIfAbsent(key, k -> new Slot());
      activate = slot.active == null && slot.activating == null;
      if (activate) {
        slot.activating = m;
      } else {
        slot.standbys.add(m);
      }
    }
    if (activate) {
      activate(m);
    }
    return m;
  }

  /** Any frame from the member's connection keeps its session alive. */
  public void touch(Member m) {
    m.lastSeenMs = clockMs.getAsLong();
  }

  /** The member's connection closed. */
  public void leave(Member m) {
    Member next;
    synchronized (this) {
      next = removeLocked(m);
    }
    if (next != null) {
      activate(next);
    }
  }

  /** Whether {@code m} is the active member with {@code generation}. */
  public synchronized boolean isActive(Member m, int generation) {
    Slot slot = slots.get(m.key);
    return slot != null && slot.active == m && m.generation == generation;
  }

  /** Evicts members whose session timed out; call periodically. */
  public void expireSessions() {
    long now = clockMs.getAsLong();
    List<Member> expired = new ArrayList<>();
    List<Member> promoted = new ArrayList<>();
    synchronized (this) {
      for (Slot slot : slots.values()) {
        if (slot.active != null && now - slot.active.lastSeenMs > slot.active.sessionTimeoutMs) {
          expired.add(slot.active);
        }
        for (Member s : slot.standbys) {
          if (now - s.lastSeenMs > s.sessionTimeoutMs) {
            expired.add(s);
          }
        }
      }
      for (Member m : expired) {
        Member next = removeLocked(m);
        if (next != null) {
          promoted.add(next);
        }
      }
    }
    for (Member m : expired) {
      m.link.onRemoved(
          m,
          ErrorCode.STALE_GENERATION,
          "member "
              + m.memberId
              + " sent nothing for its session timeout of "
              + m.sessionTimeoutMs
              + " ms and was removed from group "
              + m.group());
    }
    for (Member m : promoted) {
      activate(m);
    }
  }

  /** Removes a member; returns the standby to make active now, if any. */
  private Member removeLocked(Member m) {
    if (m.gone) {
      return null;
    }
    m.gone = true;
    Slot slot = slots.get(m.key);
    if (slot == null) {
      return null;
    }
    if (slot.active == m) {
      slot.active = null;
      return nextLocked(slot);
    }
    if (slot.activating != m) {
      slot.standbys.remove(m);
    }
    // An activating member that left is dropped when its activation completes.
    return null;
  }

  private Member nextLocked(Slot slot) {
    Member next = slot.standbys.poll();
    slot.activating = next;
    return next;
  }

  private void activate(Member m) {
    GroupRequest r =
        GroupRequest.activate(m.group(), m.subscription(), m.memberId, done -> activated(m, done));
    if (!sequencer.test(r)) {
      synchronized (this) {
        Slot slot = slots.get(m.key);
        if (slot != null && slot.activating == m) {
          slot.activating = null;
        }
        m.gone = true;
      }
      m.link.onRemoved(m, ErrorCode.BROKER_UNAVAILABLE, "the node is shutting down");
    }
  }

  /** On the sequencer thread, once the new generation is durable (or failed). */
  private void activated(Member m, GroupRequest done) {
    Member next = null;
    boolean active = false;
    synchronized (this) {
      Slot slot = slots.get(m.key);
      slot.activating = null;
      if (done.error() != ErrorCode.NONE) {
        m.gone = true;
        next = nextLocked(slot);
      } else if (m.gone) {
        next = nextLocked(slot);
      } else {
        m.generation = done.generation();
        m.lastSeenMs = clockMs.getAsLong();
        slot.active = m;
        active = true;
      }
    }
    if (active) {
      m.link.onActive(m, done.generation(), done.committedOffset());
    } else if (done.error() != ErrorCode.NONE) {
      m.link.onRemoved(m, done.error(), "could not make the member active");
    }
    if (next != null) {
      activate(next);
    }
  }

  /** Membership and offsets of a group ("" = every group), for DESCRIBE_GROUPS. */
  public List<Description> describe(String group) {
    List<Description> out = new ArrayList<>();
    for (GroupOffsets.Entry e : offsets.entries()) {
      if (!group.isEmpty() && !group.equals(e.group())) {
        continue;
      }
      String active = "";
      int standbys = 0;
      synchronized (this) {
        Slot slot = slots.get(new GroupControl.Key(e.group(), e.subscription()));
        if (slot != null) {
          active = slot.active == null ? "" : slot.active.memberId;
          standbys = slot.standbys.size();
        }
      }
      out.add(
          new Description(
              e.group(), e.subscription(), e.generation(), active, standbys, e.committedOffset()));
    }
    return out;
  }

  /** One (group, subscription) as DESCRIBE_GROUPS reports it. */
  public record Description(
      String group,
      String subscription,
      int generation,
      String activeMember,
      int standbys,
      long committedOffset) {}
}
