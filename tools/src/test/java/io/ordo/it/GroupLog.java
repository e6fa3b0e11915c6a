package io.ordo.it;

import io.ordo.consumer.ConsumerListener;
import io.ordo.consumer.ConsumerRecord;
import io.ordo.consumer.RecordHandler;
import java.util.ArrayList;
import java.util.List;

/**
 * What one consumer group has processed, as an application that keeps its state with its offsets
 * would: when a member becomes active at resume offset R, everything processed at or above R is
 * dropped (it was never committed) and delivery continues from R. Records the offsets of every
 * acknowledged commit so a test can check resumption never goes below one. Thread-safe.
 */
final class GroupLog implements RecordHandler, ConsumerListener {
  private final List<Long> offsets = new ArrayList<>();
  private final List<byte[]> values = new ArrayList<>();
  private long maxAckedCommit = -1;
  private long minResumeAfterCommit = Long.MAX_VALUE;
  private int activations;
  private String violation;

  @Override
  public synchronized void handle(ConsumerRecord r) {
    if (!offsets.isEmpty() && r.offset() <= offsets.get(offsets.size() - 1)) {
      violation = "offset " + r.offset() + " after " + offsets.get(offsets.size() - 1);
    }
    offsets.add(r.offset());
    values.add(r.value());
  }

  @Override
  public synchronized void onActive(int generation, long resumeOffset) {
    activations++;
    if (resumeOffset < maxAckedCommit) {
      violation = "resumed at " + resumeOffset + " below acknowledged commit " + maxAckedCommit;
    }
    while (!offsets.isEmpty() && offsets.get(offsets.size() - 1) >= resumeOffset) {
      offsets.remove(offsets.size() - 1);
      values.remove(values.size() - 1);
    }
  }

  @Override
  public synchronized void onCommitted(long offset) {
    maxAckedCommit = Math.max(maxAckedCommit, offset);
  }

  synchronized int size() {
    return offsets.size();
  }

  synchronized List<Long> offsets() {
    return new ArrayList<>(offsets);
  }

  synchronized List<byte[]> values() {
    return new ArrayList<>(values);
  }

  synchronized int activations() {
    return activations;
  }

  synchronized String violation() {
    return violation;
  }

  synchronized long maxAckedCommit() {
    return maxAckedCommit;
  }
}
