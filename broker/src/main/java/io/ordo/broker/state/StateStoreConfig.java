package io.ordo.broker.state;

import java.nio.file.Path;

/**
 * Where the state checkpoint lives and how its Chronicle Map files are sized up front. A save that
 * outgrows a map recreates that map with room for twice the entries. Immutable, validated.
 *
 * @param dir the state directory, {@code <data dir>/state}
 * @param producerEntries entries the producer-session map is sized for
 * @param streamEntries entries the stream map is sized for
 * @param groupOffsetEntries entries the group-offset map is sized for
 * @param averageStreamNameBytes average UTF-8 length of a stream name
 * @param averageGroupKeyBytes average UTF-8 length of {@code group + '\0' + subscription}
 * @param averageSessionBytes average encoded size of a session (name and dedup window)
 */
public record StateStoreConfig(
    Path dir,
    long producerEntries,
    long streamEntries,
    long groupOffsetEntries,
    int averageStreamNameBytes,
    int averageGroupKeyBytes,
    int averageSessionBytes) {
  public StateStoreConfig {
    if (dir == null) {
      throw new IllegalArgumentException("state dir is required");
    }
    positive("producerEntries", producerEntries);
    positive("streamEntries", streamEntries);
    positive("groupOffsetEntries", groupOffsetEntries);
    positive("averageStreamNameBytes", averageStreamNameBytes);
    positive("averageGroupKeyBytes", averageGroupKeyBytes);
    positive("averageSessionBytes", averageSessionBytes);
  }

  /** Defaults for a node: {@code <dataDir>/state}, 16k producers, 128k streams, 64k offsets. */
  public static StateStoreConfig forDataDir(Path dataDir) {
    return new StateStoreConfig(dataDir.resolve("state"), 16_384, 131_072, 65_536, 24, 48, 512);
  }

  public StateStoreConfig withEntries(long producers, long streams, long groupOffsets) {
    return new StateStoreConfig(
        dir,
        producers,
        streams,
        groupOffsets,
        averageStreamNameBytes,
        averageGroupKeyBytes,
        averageSessionBytes);
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
  }
}
