package io.ordo.protocol;

/** An error with an {@link ErrorCode}, raised by codecs, the broker and the client libraries. */
public class OrdoException extends RuntimeException {
  private final ErrorCode errorCode;
  private final String detail;

  public OrdoException(ErrorCode errorCode, String detail) {
    super(errorCode + ": " + detail + " (" + errorCode.message() + ")");
    this.errorCode = errorCode;
    this.detail = detail;
  }

  public OrdoException(ErrorCode errorCode, String detail, Throwable cause) {
    super(errorCode + ": " + detail + " (" + errorCode.message() + ")", cause);
    this.errorCode = errorCode;
    this.detail = detail;
  }

  public ErrorCode errorCode() {
    return errorCode;
  }

  /**
   * What happened in this case, without the code and its general advice (which {@link #getMessage}
   * adds); what an ERROR frame carries, since the receiver adds them again.
   */
  public String detail() {
    return detail;
  }
}
