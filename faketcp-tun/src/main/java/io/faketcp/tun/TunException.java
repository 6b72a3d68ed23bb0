package io.faketcp.tun;

/**
 * A tun device could not be created, configured, read or written. The message names the system
 * call, the error text from {@code strerror}, and, where there is one, the fix.
 */
public final class TunException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int errno;

  /** An error with no errno behind it. */
  TunException(String message) {
    this(message, 0, null);
  }

  TunException(String message, int errno, Throwable cause) {
    super(message, cause);
    this.errno = errno;
  }

  /** The errno of the failed call, or 0 when the error did not come from a system call. */
  public int errno() {
    return errno;
  }
}
