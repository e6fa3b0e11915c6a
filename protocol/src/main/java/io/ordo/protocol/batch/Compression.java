package io.ordo.protocol.batch;

/** Compression codec of a batch's records section, stored in the low attribute bits. */
public enum Compression {
  NONE(0),
  ZSTD(1);

  private final int id;

  Compression(int id) {
    this.id = id;
  }

  public int id() {
    return id;
  }

  public static boolean isKnown(int id) {
    return id == 0 || id == 1;
  }

  public static Compression forId(int id) {
    switch (id) {
      case 0:
        return NONE;
      case 1:
        return ZSTD;
      default:
        throw new IllegalArgumentException("unknown compression codec " + id);
    }
  }
}
