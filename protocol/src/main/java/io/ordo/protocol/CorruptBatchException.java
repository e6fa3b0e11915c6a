package io.ordo.protocol;

/** A record batch failed a CRC, length or structure check. Such a batch is never served. */
public final class CorruptBatchException extends OrdoException {
  public CorruptBatchException(String detail) {
    super(ErrorCode.CORRUPT_BATCH, detail);
  }

  public CorruptBatchException(String detail, Throwable cause) {
    super(ErrorCode.CORRUPT_BATCH, detail, cause);
  }
}
