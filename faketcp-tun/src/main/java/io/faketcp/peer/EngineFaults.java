package io.faketcp.peer;

import io.faketcp.peer.internal.faults.FaultEffect;
import io.faketcp.peer.internal.faults.FaultEffect.Kind;
import io.faketcp.peer.internal.faults.FaultEvents;
import io.faketcp.peer.internal.faults.FaultLayer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The public faults as the engine applies them: the one place that turns each {@link Fault} into the
 * fault engine's {@link FaultEffect}, and the engine's {@link FaultEvents} back into a
 * {@link FaultListener}'s calls.
 */
final class EngineFaults {
  private EngineFaults() {
  }

  /** Puts the faults of {@code rules} in force in {@code layer}, with the rules' seed or else {@code fallbackSeed}. */
  static void install(FaultLayer layer, Rules rules, long fallbackSeed) {
    layer.install(of(rules), rules.seed().orElse(fallbackSeed));
  }

  /** The faults of {@code rules}, in order, as the engine applies them. */
  static List<FaultEffect> of(Rules rules) {
    List<FaultEffect> effects = new ArrayList<>();
    for (Fault f : rules.faults()) {
      effects.add(of(f));
    }
    return effects;
  }

  /** How often each fault of {@code layer} acted, in order. */
  static Map<Fault, Long> actions(FaultLayer layer) {
    Map<Fault, Long> actions = new LinkedHashMap<>();
    layer.actions().forEach((f, n) -> actions.put((Fault) f, n));
    return actions;
  }

  /** {@code listener} as the engine tells it; null for null. */
  static FaultEvents events(FaultListener listener) {
    if (listener == null) {
      return null;
    }
    return (action, fault, direction, packet, delayNanos) ->
        listener.acted(action(action), (Fault) fault, direction(direction), packet, delayNanos);
  }

  private static FaultEffect of(Fault f) {
    if (f instanceof Fault.Latency) {
      Fault.Latency l = (Fault.Latency) f;
      return effect(f, Kind.LATENCY, l.flow(), 0, 0, l.delay().toNanos(), l.jitter().toNanos());
    } else if (f instanceof Fault.Loss) {
      return effect(f, Kind.LOSS, ((Fault.Loss) f).flow(), ((Fault.Loss) f).percent() / 100, 0, 0, 0);
    } else if (f instanceof Fault.Duplicate) {
      return effect(f, Kind.DUPLICATE, Fault.Flow.OUT, ((Fault.Duplicate) f).percent() / 100, 0, 0, 0);
    } else if (f instanceof Fault.Reorder) {
      return effect(f, Kind.REORDER, Fault.Flow.OUT, ((Fault.Reorder) f).percent() / 100, 0, 0, 0);
    } else if (f instanceof Fault.Bandwidth) {
      return effect(f, Kind.BANDWIDTH, ((Fault.Bandwidth) f).flow(), 0, ((Fault.Bandwidth) f).bytesPerSecond(), 0, 0);
    } else if (f instanceof Fault.Unreachable) {
      return effect(f, Kind.UNREACHABLE, Fault.Flow.IN, 0, ((Fault.Unreachable) f).code().icmp, 0, 0);
    } else if (f instanceof Fault.Mtu) {
      return effect(f, Kind.MTU, Fault.Flow.IN, 0, ((Fault.Mtu) f).mtu(), 0, 0);
    } else if (f instanceof Fault.DropFirst) {
      return effect(f, Kind.DROP_FIRST, Fault.Flow.IN, 0, ((Fault.DropFirst) f).packets(), 0, 0);
    } else if (f instanceof Fault.DropNth) {
      return effect(f, Kind.DROP_NTH, Fault.Flow.IN, 0, ((Fault.DropNth) f).n(), 0, 0);
    } else if (f instanceof Fault.ResetAfter) {
      return after(f, Kind.RESET_AFTER, ((Fault.ResetAfter) f).after());
    } else if (f instanceof Fault.StallAfter) {
      return after(f, Kind.STALL_AFTER, ((Fault.StallAfter) f).after());
    } else if (f instanceof Fault.BlackholeAfter) {
      return after(f, Kind.BLACKHOLE_AFTER, ((Fault.BlackholeAfter) f).after());
    } else if (f instanceof Fault.SlowClose) {
      return effect(f, Kind.SLOW_CLOSE, Fault.Flow.IN, 0, 0, ((Fault.SlowClose) f).delay().toNanos(), 0);
    }
    return effect(f, Kind.ELSEWHERE, Fault.Flow.IN, 0, 0, 0, 0); // Dns, DnsDelay: the fake DNS server's
  }

  /** A connection fault acting after a byte count (its amount; nanos -1) or a time (its nanos; amount -1). */
  private static FaultEffect after(Fault f, Kind kind, Fault.After after) {
    long bytes = after instanceof Fault.After.Bytes ? ((Fault.After.Bytes) after).count() : -1;
    long nanos = after instanceof Fault.After.Time ? ((Fault.After.Time) after).time().toNanos() : -1;
    return effect(f, kind, Fault.Flow.IN, 0, bytes, nanos, 0);
  }

  private static FaultEffect effect(Fault f, Kind kind, Fault.Flow flow, double probability, long amount, long nanos,
      long jitterNanos) {
    Scope scope = f.scope();
    return new FaultEffect(f, kind, scope::matches, flow.in(), flow.out(), probability, amount, nanos, jitterNanos);
  }

  private static FaultListener.Action action(FaultEvents.Action action) {
    switch (action) {
      case DROPPED: return FaultListener.Action.DROPPED;
      case DELAYED: return FaultListener.Action.DELAYED;
      case DUPLICATED: return FaultListener.Action.DUPLICATED;
      default: return FaultListener.Action.FORGED;
    }
  }

  private static Direction direction(FaultEvents.Direction direction) {
    return direction == FaultEvents.Direction.TO_PEER ? Direction.TO_PEER : Direction.FROM_PEER;
  }
}
