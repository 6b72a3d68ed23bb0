package io.faketcp.peer;

/** Which way a packet crossed the tun device. */
public enum Direction {
  /** Sent by the host's kernel to the fake subnet; read by the peer. */
  TO_PEER,
  /** Written by the peer; received by the host's kernel as if from the subnet. */
  FROM_PEER
}
