package io.faketcp.peer.internal.faults;

/**
 * Internal, not API: one fault in force as the engine applies it. The public package turns each of
 * its {@code Fault}s into one of these in one place; the engine keeps {@link #fault()} only to count
 * and report what that fault did.
 *
 * @param fault the public fault, as a key: counted in {@link FaultLayer#actions()} and told to the listener
 * @param kind what it does
 * @param scope the fake hosts and ports it acts on
 * @param in whether it acts on the host's packets
 * @param out whether it acts on the fake hosts' packets
 * @param probability loss, duplicate, reorder: 0 to 1
 * @param amount bandwidth: bytes per second; mtu; drop-first, drop-nth: packets; unreachable: the ICMP
 *     code; reset-, stall-, blackhole-after: bytes, -1 for a time
 * @param nanos latency: the delay; reset-, stall-, blackhole-after: the time, -1 for bytes; slow-close: the delay
 * @param jitterNanos latency: the jitter
 */
public record FaultEffect(Object fault, Kind kind, Where scope, boolean in, boolean out, double probability,
    long amount, long nanos, long jitterNanos) {

  /** Whether this acts on connections (through the TCP hosts) rather than on packets. */
  public boolean onConnections() {
    return kind == Kind.RESET_AFTER || kind == Kind.STALL_AFTER || kind == Kind.BLACKHOLE_AFTER
        || kind == Kind.SLOW_CLOSE;
  }

  /** The kinds of fault. */
  public enum Kind {
    LATENCY, LOSS, DUPLICATE, REORDER, BANDWIDTH, UNREACHABLE, MTU, DROP_FIRST, DROP_NTH,
    RESET_AFTER, STALL_AFTER, BLACKHOLE_AFTER, SLOW_CLOSE,
    /** Acts elsewhere (the fake DNS server's faults): counted, not applied here. */
    ELSEWHERE
  }

  /** Which fake hosts and ports a fault acts on. */
  @FunctionalInterface
  public interface Where {
    /** Whether fake host {@code address} port {@code port} is in scope (-1: no port, as ICMP). */
    boolean matches(int address, int port);
  }
}
