package io.ordo.broker.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The {@code recovery-checkpoint} file: an offset below which every batch is on disk (fsynced) and
 * indexed (index files written and fsynced), with where it lies (segment and file position) and the
 * term of the batch before it. Recovery trusts everything below it and scans only what follows.
 *
 * <p>Format, little-endian, 40 bytes: magic int32 "OCPT", version int32 (1), offset int64, segment
 * base offset int64, position int32, term int64, CRC32C int32 of the 36 bytes before it. Written to
 * a temporary file, forced, renamed over the old one, then the directory is forced: a crash leaves
 * either the old or the new checkpoint, never a torn one. Immutable.
 */
record RecoveryCheckpoint(long offset, long segmentBaseOffset, int position, long term) {
  static final String FILE_NAME = "recovery-checkpoint";
  static final String TEMP_FILE_NAME = FILE_NAME + ".tmp";
  private static final int MAGIC = 0x5450434F; // "OCPT" little-endian
  private static final int VERSION = 1;
  private static final int SIZE = 40;
  private static final int CRC_COVERED = SIZE - 4;

  RecoveryCheckpoint {
    if (offset < segmentBaseOffset || position < 0 || term < 0) {
      throw new IllegalArgumentException(
          "inconsistent checkpoint: offset "
              + offset
              + ", segment "
              + segmentBaseOffset
              + ", position "
              + position
              + ", term "
              + term);
    }
  }

  /**
   * The checkpoint in {@code dir}, or empty when there is none.
   *
   * @throws CheckpointException when the file exists but is not a valid checkpoint
   */
  static Optional<RecoveryCheckpoint> read(Path dir) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(dir.resolve(FILE_NAME));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (bytes.length != SIZE) {
      throw new CheckpointException("checkpoint is " + bytes.length + " bytes, expected " + SIZE);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, CRC_COVERED);
    if ((int) crc.getValue() != b.getInt(CRC_COVERED)) {
      throw new CheckpointException("checkpoint CRC mismatch");
    }
    if (b.getInt(0) != MAGIC || b.getInt(4) != VERSION) {
      throw new CheckpointException(
          "unknown checkpoint magic/version " + b.getInt(0) + "/" + b.getInt(4));
    }
    try {
      return Optional.of(
          new RecoveryCheckpoint(b.getLong(8), b.getLong(16), b.getInt(24), b.getLong(28)));
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(e.getMessage());
    }
  }

  /** Replaces the checkpoint in {@code dir} atomically and durably. */
  void write(Path dir) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, MAGIC)
        .putInt(4, VERSION)
        .putLong(8, offset)
        .putLong(16, segmentBaseOffset)
        .putInt(24, position)
        .putLong(28, term);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, CRC_COVERED);
    b.putInt(CRC_COVERED, (int) crc.getValue());
    Path tmp = dir.resolve(TEMP_FILE_NAME);
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(
        tmp,
        dir.resolve(FILE_NAME),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(dir);
  }

  /** Makes file creations, renames and deletions in {@code dir} durable. */
  static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** The checkpoint file exists but cannot be trusted. */
  static final class CheckpointException extends IOException {
    CheckpointException(String message) {
      super(message);
    }
  }
}
