package io.faketcp.peer;

/**
 * A snapshot of what a {@link FakePeer} has done so far.
 *
 * <pre>{@code
 * PeerCounters c = peer.counters();
 * assertThat(c.established()).isEqualTo(3);
 * }</pre>
 */
public final class PeerCounters {
  private final long packetsIn;
  private final long packetsOut;
  private final long bytesIn;
  private final long bytesOut;
  private final long badPackets;
  private final long ignoredPackets;
  private final long echoReplies;
  private final long resetsSent;
  private final long connectionsOpened;
  private final long synReceived;
  private final long synSent;
  private final long established;
  private final long closing;
  private final long failures;
  private final long writeErrors;
  private final long retransmissions;
  private final long aborted;
  private final long faultActions;
  private final long faultDrops;

  PeerCounters(long packetsIn, long packetsOut, long bytesIn, long bytesOut, long badPackets, long ignoredPackets,
      long echoReplies, long resetsSent, long connectionsOpened, long synReceived, long synSent, long established,
      long closing, long failures, long writeErrors, long retransmissions, long aborted, long faultActions,
      long faultDrops) {
    this.packetsIn = packetsIn;
    this.packetsOut = packetsOut;
    this.bytesIn = bytesIn;
    this.bytesOut = bytesOut;
    this.badPackets = badPackets;
    this.ignoredPackets = ignoredPackets;
    this.echoReplies = echoReplies;
    this.resetsSent = resetsSent;
    this.connectionsOpened = connectionsOpened;
    this.synReceived = synReceived;
    this.synSent = synSent;
    this.established = established;
    this.closing = closing;
    this.failures = failures;
    this.writeErrors = writeErrors;
    this.retransmissions = retransmissions;
    this.aborted = aborted;
    this.faultActions = faultActions;
    this.faultDrops = faultDrops;
  }

  /** Packets read from the device (every one: valid, bad or ignored). */
  public long packetsIn() {
    return packetsIn;
  }

  /** Packets written to the device. */
  public long packetsOut() {
    return packetsOut;
  }

  /** Bytes read from the device. */
  public long bytesIn() {
    return bytesIn;
  }

  /** Bytes written to the device. */
  public long bytesOut() {
    return bytesOut;
  }

  /** Packets rejected as malformed (bad version, length, checksum, options...). */
  public long badPackets() {
    return badPackets;
  }

  /** Well-formed packets the peer does not answer: IPv6, UDP, fragments, other protocols. */
  public long ignoredPackets() {
    return ignoredPackets;
  }

  /** ICMP echo replies sent. */
  public long echoReplies() {
    return echoReplies;
  }

  /** RST segments sent. */
  public long resetsSent() {
    return resetsSent;
  }

  /** Connections ever entered into the connection table (accepted and connect-many). */
  public long connectionsOpened() {
    return connectionsOpened;
  }

  /** Connections now half-open on the peer's side (SYN received, SYN+ACK sent). */
  public long synReceived() {
    return synReceived;
  }

  /** Connect-many connections now waiting for the host's SYN+ACK. */
  public long synSent() {
    return synSent;
  }

  /** Connections now established. */
  public long established() {
    return established;
  }

  /** Connections now closing (a FIN sent or received, not yet done). */
  public long closing() {
    return closing;
  }

  /** Failures recorded (exceptions from a responder or from the peer itself). */
  public long failures() {
    return failures;
  }

  /** Writes the kernel refused. */
  public long writeErrors() {
    return writeErrors;
  }

  /** Segments the fake hosts sent again: after a timeout, three duplicate ACKs, or a lost SYN+ACK. */
  public long retransmissions() {
    return retransmissions;
  }

  /**
   * Connections the fake hosts gave up on: data, FIN or SYN+ACK unanswered after every
   * retransmission, or zero-window probes unanswered (the connection is reset).
   */
  public long aborted() {
    return aborted;
  }

  /** Everything the faults did: packets dropped, delayed, duplicated, forged; connections reset, stalled... */
  public long faultActions() {
    return faultActions;
  }

  /** Packets a fault dropped (either direction). */
  public long faultDrops() {
    return faultDrops;
  }

  @Override
  public String toString() {
    return "packets in " + packetsIn + " (" + bytesIn + " bytes), out " + packetsOut + " (" + bytesOut
        + " bytes), bad " + badPackets + ", ignored " + ignoredPackets + ", echo replies " + echoReplies
        + ", resets " + resetsSent + ", connections opened " + connectionsOpened + ", syn-received "
        + synReceived + ", syn-sent " + synSent + ", established " + established + ", closing " + closing
        + ", failures " + failures + ", write errors " + writeErrors + ", retransmissions " + retransmissions
        + ", aborted " + aborted
        + (faultActions == 0 ? "" : ", fault actions " + faultActions + " (drops " + faultDrops + ")");
  }
}
