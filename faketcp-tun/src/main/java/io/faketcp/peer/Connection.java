package io.faketcp.peer;

/**
 * One TCP connection between the host and a fake host, from the fake host's side. Sequence numbers
 * are 32-bit and wrap: compare them with {@link #before(int, int)}, never with {@code <}.
 */
final class Connection {
  static final int SYN_RECEIVED = 1;
  static final int SYN_SENT = 2;
  static final int ESTABLISHED = 3;
  /** A FIN was sent or received; waiting for the rest of the close. */
  static final int CLOSING = 4;
  static final int CLOSED = 5;

  final int hostAddress;
  final int hostPort;
  final int peerAddress;
  final int peerPort;
  final Mode mode;
  /** Non-null for connections the peer opened as a client (connect-many). */
  final ConnectManyRun run;

  int state;
  /** Our initial sequence number. */
  int iss;
  /** The host's initial sequence number (its SYN's). */
  int irs;
  int sndUna;
  int sndNxt;
  int rcvNxt;
  /** The host's receive window in bytes (window scaling is never negotiated). */
  long hostWindow = 65535;
  int hostMss = 536;
  boolean finReceived;
  boolean finSent;
  /** An ACK is owed at the end of the current batch of packets. */
  boolean ackPending;

  /** Connection faults ({@link Fault}): null when none applies, the usual case. */
  ConnectionFaults faults;

  /** Bytes received in ECHO mode and not yet sent back. */
  EchoBuffer echo;

  /** Connect-many: SYN retransmissions so far, and when the next one is due (nanoTime). */
  int retransmissions;
  long deadline;

  Connection(int hostAddress, int hostPort, int peerAddress, int peerPort, Mode mode, ConnectManyRun run) {
    this.hostAddress = hostAddress;
    this.hostPort = hostPort;
    this.peerAddress = peerAddress;
    this.peerPort = peerPort;
    this.mode = mode;
    this.run = run;
  }

  /** Whether sequence number {@code a} comes before {@code b}, modulo 2^32. */
  static boolean before(int a, int b) {
    return a - b < 0;
  }

  /** The window we advertise, as it goes in the 16-bit field. */
  int advertisedWindow() {
    int window = echo != null ? Math.min(0xffff, echo.free()) : 0xffff;
    return faults == null ? window : (int) Math.min(window, faults.room(received()));
  }

  /** In-order bytes received from the host so far (its SYN and FIN not counted). */
  long received() {
    return (rcvNxt - irs - 1) & 0xffffffffL;
  }

  @Override
  public String toString() {
    return ConnectionTable.format(hostAddress, hostPort) + " <-> " + ConnectionTable.format(peerAddress, peerPort)
        + " state " + state;
  }
}
