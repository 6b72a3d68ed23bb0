package io.faketcp.peer;

/**
 * A snapshot of what a {@link FakePeer} has done so far: a value, equal to another snapshot with the
 * same counts.
 *
 * <pre>{@code
 * PeerCounters c = peer.counters();
 * assertThat(c.established()).isEqualTo(3);
 * }</pre>
 *
 * @param packetsIn packets read from the device (every one: valid, bad or ignored)
 * @param packetsOut packets written to the device
 * @param bytesIn bytes read from the device
 * @param bytesOut bytes written to the device
 * @param badPackets packets rejected as malformed (bad version, length, checksum, options...), and IP
 *     fragments dropped with their datagram (overlapping, misaligned, over 64 KiB)
 * @param ignoredPackets well-formed packets the peer does not answer: IPv6, UDP, other
 *     protocols (a fragmented datagram counts once it is whole; its fragments are counted in
 *     {@code packetsIn})
 * @param echoReplies ICMP echo replies sent
 * @param resetsSent RST segments sent
 * @param connectionsOpened connections ever entered into the connection table (accepted and connect-many)
 * @param synReceived connections now half-open on the peer's side (SYN received, SYN+ACK sent)
 * @param synSent connect-many connections now waiting for the host's SYN+ACK
 * @param established connections now established
 * @param closing connections now closing (a FIN sent or received, not yet done)
 * @param failures failures recorded (exceptions from a responder or from the peer itself)
 * @param writeErrors writes the kernel refused
 * @param retransmissions segments the fake hosts sent again: after a timeout, three duplicate ACKs, or a lost
 *     SYN+ACK
 * @param aborted connections the fake hosts gave up on: data, FIN or SYN+ACK unanswered after every
 *     retransmission, or zero-window probes unanswered (the connection is reset)
 * @param faultActions everything the faults did: packets dropped, delayed, duplicated, forged; connections
 *     reset, stalled, silenced
 * @param faultDrops packets a fault dropped (either direction)
 */
public record PeerCounters(long packetsIn, long packetsOut, long bytesIn, long bytesOut, long badPackets,
    long ignoredPackets, long echoReplies, long resetsSent, long connectionsOpened, long synReceived, long synSent,
    long established, long closing, long failures, long writeErrors, long retransmissions, long aborted,
    long faultActions, long faultDrops) {

  /** One line for logs and failure messages: {@code packets in 12 (840 bytes), out 10 (...), ...}. */
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
