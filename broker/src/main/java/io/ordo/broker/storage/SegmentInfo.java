package io.ordo.broker.storage;

import java.nio.file.Path;

/**
 * A snapshot of one segment for {@code ordo log dump}, monitoring and tests. Immutable.
 *
 * @param baseOffset offset of the segment's first batch (also its file name)
 * @param nextOffset offset after the segment's last batch ({@code baseOffset} when empty)
 * @param sizeBytes bytes in the log file
 * @param maxTimestampMs largest batch append timestamp, or {@link Long#MIN_VALUE} when empty
 * @param offsetIndexEntries entries in the sparse offset index
 * @param timeIndexEntries entries in the time index
 * @param active true for the segment appends go to
 * @param logFile the segment's {@code .log} file
 */
public record SegmentInfo(
    long baseOffset,
    long nextOffset,
    long sizeBytes,
    long maxTimestampMs,
    int offsetIndexEntries,
    int timeIndexEntries,
    boolean active,
    Path logFile) {}
