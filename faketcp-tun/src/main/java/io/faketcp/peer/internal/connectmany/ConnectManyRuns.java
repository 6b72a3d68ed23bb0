package io.faketcp.peer.internal.connectmany;

import io.faketcp.peer.internal.ip.FamilyTranslator;
import io.faketcp.peer.internal.tcp.TcpDemux;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Internal, not API. A peer's connect-many runs: started from any thread, driven by the peer thread's loop until every
 * connection is established or failed, and the connections they opened, closed on request.
 */
public final class ConnectManyRuns {
  private final TunDevice device;
  private final Subnet subnet;
  /** Carries the IPv6 subnet through the IPv4 engine; null without one. */
  private final FamilyTranslator translator;
  private final TcpDemux tcp;
  /** Runs a task on the peer thread. */
  private final Consumer<Runnable> tasks;
  /** The peer's failure, if it failed. */
  private final Supplier<Optional<Throwable>> failures;
  private final List<ConnectManyRun> runs = new ArrayList<>();
  private final List<ConnectManyRun> finishedRuns = new ArrayList<>();
  private final ConnectManyRun.Sources sources;
  private final ConnectManyRun.Sources sources6;
  private final ClientPool clients = new ClientPool();

  /**
   * @param translator carries the IPv6 subnet through the IPv4 engine; null without one
   * @param tasks runs a task on the peer thread
   * @param failures the peer's failure, if it failed
   */
  public ConnectManyRuns(TunDevice device, FamilyTranslator translator, TcpDemux tcp, Consumer<Runnable> tasks,
      Supplier<Optional<Throwable>> failures) {
    this.device = device;
    this.subnet = device.subnet();
    this.translator = translator;
    this.tcp = tcp;
    this.tasks = tasks;
    this.failures = failures;
    this.sources = new ConnectManyRun.Sources(subnet);
    // IPv6 sources: the prefix's ::2 to ::fe, as many fake hosts as an IPv4 /24 has
    this.sources6 = new ConnectManyRun.Sources(translator == null ? 0 : translator.idAt(2), 253,
        device.subnet6().map(Subnet::toString).orElse("no IPv6 subnet"));
  }

  /**
   * Starts a connect-many run on the peer's thread ({@code FakePeer.connectManyAsync}).
   *
   * @throws IllegalArgumentException if the target is not the host's address on this device
   */
  public CompletableFuture<ConnectManyRun.Outcome> start(ConnectManyRun.Plan plan) {
    java.net.InetAddress target = plan.target.getAddress();
    ConnectManyRun run;
    if (target instanceof java.net.Inet6Address) {
      if (translator == null || !target.equals(translator.address(translator.hostId()))) {
        throw new IllegalArgumentException("connect-many target " + target.getHostAddress() + " is not the host's"
            + " IPv6 address on " + device.name() + ": " + (translator == null ? "the device has no IPv6 subnet"
            : "use " + translator.address(translator.hostId()).getHostAddress() + " (a server listening on it or"
            + " on ::)"));
      }
      run = new ConnectManyRun(plan, tcp, sources6, clients, translator.hostId());
    } else {
      if (!(target instanceof Inet4Address) || Subnet.toInt((Inet4Address) target) != subnet.hostAddressInt()
          || !device.hasIpv4()) {
        throw new IllegalArgumentException("connect-many target " + target.getHostAddress()
            + " is not the host's address on " + device.name() + ": use " + subnet.hostAddress().getHostAddress()
            + " (a server listening on it or on 0.0.0.0)");
      }
      run = new ConnectManyRun(plan, tcp, sources, clients);
    }
    CompletableFuture<ConnectManyRun.Outcome> result = run.future.copy();
    tasks.accept(() -> {
      runs.add(run);
      run.start(System.nanoTime());
    });
    return result;
  }

  /** Runs {@code plan} and waits for its outcome ({@code FakePeer.connectMany}); {@code request} names it in errors. */
  public ConnectManyRun.Outcome run(ConnectManyRun.Plan plan, Object request) {
    CompletableFuture<ConnectManyRun.Outcome> future = start(plan);
    try {
      return future.get(plan.timeout.plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + request, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(request + " did not finish: "
          + failures.get().map(Throwable::toString).orElse(e.toString()), e);
    }
  }

  /** Closes every connection connect-many opened, with FIN or RST ({@code FakePeer.closeClientConnections}). */
  public void closeAll(boolean reset) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    tasks.accept(() -> {
      for (ConnectManyRun run : runs) {
        run.closeAll(reset);
      }
      for (ConnectManyRun run : finishedRuns) {
        run.closeAll(reset);
      }
      finishedRuns.clear();
      done.complete(null);
    });
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("closing client connections failed: "
          + failures.get().map(Throwable::toString).orElse(e.toString()), e);
    }
  }

  /**
   * On the peer thread: fires the runs' timers and sends what they may send now; a run that is done
   * leaves for the finished ones. Returns {@code next}, or the runs' next deadline when sooner.
   */
  public long fireTimers(long now, long next) {
    for (int i = 0; i < runs.size(); i++) {
      ConnectManyRun run = runs.get(i);
      run.fireTimers(now);
      run.pump(now);
      if (run.done()) {
        runs.remove(i--);
        finishedRuns.add(run);
      } else {
        next = Math.min(next, run.nextDeadline());
      }
    }
    return next;
  }

  /** On whichever thread ends the peer: the runs still going fail with the peer's failure. */
  public void stop() {
    for (ConnectManyRun run : runs) {
      run.future.completeExceptionally(failures.get()
          .orElse(new IllegalStateException("the peer stopped")));
    }
  }
}
