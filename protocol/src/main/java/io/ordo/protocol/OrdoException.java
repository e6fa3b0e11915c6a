package io.ordo.protocol;

/** An error with an {@link ErrorCode}, raised by codecs, the broker and the client libraries. */
public class OrdoException extends RuntimeException {
  private final ErrorCode errorCode;

  public OrdoException(ErrorCode errorCode, String detail) {
    super(errorCode + ": " + detail + " (" + errorCode.message() + ")");
    this.errorCode = errorCode;
  }

  public OrdoException(ErrorCode errorCode, String detail, Throwable cause) {
    super(errorCode + ": " + detail + " (" + errorCode.message() + ")", cause);
    this.errorCode = errorCode;
  }

  public ErrorCode errorCode() {
    return errorCode;
  }
}
