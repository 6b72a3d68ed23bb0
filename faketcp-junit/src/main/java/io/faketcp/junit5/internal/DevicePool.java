package io.faketcp.junit5.internal;

import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import io.faketcp.tun.internal.DeviceAccess;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Hands out tun devices (with their pcap handle) and takes them back, keeping the kernel's slow
 * parts off the test's critical path.
 *
 * <p>Opening a pcap handle and closing a device or handle each wait for a kernel RCU grace period
 * (5 to 25 ms here). So: a returned device loses its address at once (its routes go with it, so the
 * next device on the same subnet gets all the traffic) and is closed by background threads; and for
 * devices named by pattern ({@code tun%d}) a couple of spares per configuration are prepared in the
 * background — opened, their address removed again, the pcap handle opened — so that the next test
 * only has to give one its address back.
 *
 * <p>{@link #drain()} (called when JUnit closes the root store, and from a shutdown hook) closes the
 * spares and waits until every device is gone.
 */
final class DevicePool {
  private static final System.Logger LOG = System.getLogger(DevicePool.class.getName());
  private static final DevicePool INSTANCE = new DevicePool();
  private static final int SPARES = 4;
  private static final int MAX_CLOSING = 64;
  private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** Held while addresses change and while the namespace is checked, so a check never sees a spare's address. */
  private final ReentrantLock configure = new ReentrantLock();
  private final Object monitor = new Object();
  private final Map<Settings.DeviceKey, Deque<Prepared>> spares = new HashMap<>();
  private final Map<Settings.DeviceKey, Integer> preparing = new HashMap<>();
  private final Map<Subnet, Holder> active = new HashMap<>();
  private final Set<String> closingNames = ConcurrentHashMap.newKeySet();
  private final Set<String> own = ConcurrentHashMap.newKeySet();
  private int closing;
  private boolean draining;
  private final ExecutorService closer = executor("faketcp-closer", 4);
  private final ExecutorService preparer = executor("faketcp-prepare", 4);

  private DevicePool() {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> drain(TimeUnit.SECONDS.toNanos(5)), "faketcp-drain"));
  }

  /** The pool of this JVM. */
  static DevicePool instance() {
    return INSTANCE;
  }

  /**
   * A device for {@code settings}, configured and capturing, for {@code holder} (a test's name).
   * Waits while another test holds an overlapping subnet (only when the subnet resource lock was not
   * declared), then checks that nothing else in the namespace overlaps.
   *
   * @throws ExtensionConfigurationException when an address or route of the namespace overlaps
   */
  Prepared acquire(Settings settings, String holder) {
    Subnet subnet = settings.subnet();
    Settings.DeviceKey key = settings.deviceKey();
    reserve(subnet, holder, settings);
    boolean ok = false;
    try {
      if (!settings.namePattern()) {
        awaitNameFree(settings.deviceName());
      }
      awaitClosingBelow(MAX_CLOSING);
      Prepared prepared;
      configure.lock();
      try {
        Optional<String> overlap = NamespaceCheck.overlap(subnet, own);
        if (overlap.isPresent()) {
          throw new ExtensionConfigurationException(Settings.describe(settings.origin(), "subnet", subnet.toString())
              + " overlaps " + overlap.get() + " already present in this network namespace: choose a subnet that"
              + " does not overlap it (run the tests in a private namespace with bin/faketcp-netns)");
        }
        prepared = takeSpare(key);
        if (prepared != null) {
          try {
            DeviceAccess.<TunDevice>get().restoreAddress(prepared.device());
          } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "spare {0} unusable: {1}", prepared, e);
            closeLater(prepared);
            prepared = null;
          }
        }
        if (prepared == null) {
          prepared = new Prepared(key, openDevice(settings), null);
        }
      } finally {
        configure.unlock();
      }
      if (settings.capture() && prepared.capture() == null) {
        try {
          prepared = new Prepared(key, prepared.device(), Captures.open(prepared.device().name(), prepared.device().mtu()));
        } catch (RuntimeException e) {
          release(prepared);
          throw e;
        }
      }
      if (settings.namePattern()) {
        prepareSpares(settings);
      }
      ok = true;
      return prepared;
    } finally {
      if (!ok) {
        unreserve(subnet);
      }
    }
  }

  /**
   * Takes the device back: its address is removed now (the subnet is free for the next test at
   * once); capture and device are closed in the background.
   */
  void release(Prepared prepared) {
    configure.lock();
    try {
      DeviceAccess.<TunDevice>get().withdrawAddress(prepared.device());
    } catch (RuntimeException e) {
      // The device may be gone already (deleted from outside): close it now rather than later.
      LOG.log(System.Logger.Level.DEBUG, "could not remove the address of {0}: {1}", prepared, e);
      configure.unlock();
      try {
        prepared.close();
      } finally {
        own.remove(prepared.device().name());
        unreserve(prepared.device().subnet());
      }
      return;
    }
    configure.unlock();
    unreserve(prepared.device().subnet());
    closeLater(prepared);
  }

  /** Names of the devices faketcp holds (in use, spare or closing): not "already present" for the check. */
  Set<String> ownDevices() {
    return own;
  }

  /** Closes the spares and waits until every device handed back is closed. */
  void drain() {
    drain(TimeUnit.SECONDS.toNanos(60));
  }

  private void drain(long timeoutNanos) {
    List<Prepared> idle = new ArrayList<>();
    synchronized (monitor) {
      draining = true;
      for (Deque<Prepared> q : spares.values()) {
        idle.addAll(q);
      }
      spares.clear();
    }
    for (Prepared p : idle) {
      closeLater(p);
    }
    long deadline = System.nanoTime() + timeoutNanos;
    synchronized (monitor) {
      while ((closing > 0 || !preparing.isEmpty()) && System.nanoTime() < deadline) {
        waitOn(deadline);
      }
      if (closing > 0) {
        LOG.log(System.Logger.Level.WARNING, "{0} tun devices still closing after the drain timeout", closing);
      }
      draining = false;
    }
  }

  private void reserve(Subnet subnet, String holder, Settings settings) {
    long deadline = System.nanoTime() + WAIT_NANOS;
    synchronized (monitor) {
      while (true) {
        Map.Entry<Subnet, Holder> other = overlappingHolder(subnet);
        if (other == null) {
          active.put(subnet, new Holder(holder));
          return;
        }
        if (System.nanoTime() >= deadline) {
          throw new IllegalStateException(waitedTooLong(holder, subnet, other.getKey(), other.getValue()));
        }
        waitOn(deadline);
      }
    }
  }

  private Map.Entry<Subnet, Holder> overlappingHolder(Subnet subnet) {
    for (Map.Entry<Subnet, Holder> e : active.entrySet()) {
      if (e.getKey().overlaps(subnet)) {
        return e;
      }
    }
    return null;
  }

  /** The 60 s message: what the holder is doing decides the cause named. */
  static String waitedTooLong(String waiter, Subnet wanted, Subnet held, Holder holder) {
    String start = waiter + " waited 60 s for subnet " + wanted + ", held by " + holder.name + " (" + held + ")";
    long finished = holder.finishedNanos;
    if (finished != 0) {
      long ago = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - finished);
      return start + ", which finished " + ago + " s ago but never closed its fake network: JUnit "
          + JUnitVersion.jupiter() + " did not close the extension's store value when that test ended"
          + " (faketcp's values are both CloseableResource and AutoCloseable, which every JUnit from 5.10 on"
          + " closes); a JUnit extension that replaces the store, or an engine stopped half-way, can do this."
          + " Report it to faketcp with this message";
    }
    return start + ", which is still running: with parallel execution give concurrent tests distinct subnets,"
        + " or let JUnit keep them apart: " + JUnitVersion.lockAdvice();
  }

  /** The holder of {@code subnet}, if it is {@code name}, has finished (its network should close next). */
  void holderFinished(Subnet subnet, String name) {
    synchronized (monitor) {
      Holder h = active.get(subnet);
      if (h != null && h.name.equals(name) && h.finishedNanos == 0) {
        h.finishedNanos = System.nanoTime();
      }
    }
  }

  /** Who holds a subnet, and since when it has finished (0: still running). */
  static final class Holder {
    final String name;
    volatile long finishedNanos;

    Holder(String name) {
      this.name = name;
    }
  }

  private void unreserve(Subnet subnet) {
    synchronized (monitor) {
      active.remove(subnet);
      monitor.notifyAll();
    }
  }

  private void awaitNameFree(String name) {
    long deadline = System.nanoTime() + WAIT_NANOS;
    synchronized (monitor) {
      while (closingNames.contains(name) && System.nanoTime() < deadline) {
        waitOn(deadline);
      }
    }
  }

  private void awaitClosingBelow(int max) {
    long deadline = System.nanoTime() + WAIT_NANOS;
    synchronized (monitor) {
      while (closing >= max && System.nanoTime() < deadline) {
        waitOn(deadline);
      }
    }
  }

  private void waitOn(long deadline) {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      return;
    }
    try {
      TimeUnit.NANOSECONDS.timedWait(monitor, left);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a fake network", e);
    }
  }

  private Prepared takeSpare(Settings.DeviceKey key) {
    synchronized (monitor) {
      Deque<Prepared> q = spares.get(key);
      return q == null ? null : q.pollFirst();
    }
  }

  private TunDevice openDevice(Settings settings) {
    TunDevice device = TunDevice.builder().name(settings.deviceName()).subnet(settings.subnet()).mtu(settings.mtu()).open();
    own.add(device.name());
    return device;
  }

  private void prepareSpares(Settings settings) {
    Settings.DeviceKey key = settings.deviceKey();
    int wanted;
    synchronized (monitor) {
      if (draining) {
        return;
      }
      Deque<Prepared> q = spares.computeIfAbsent(key, k -> new ArrayDeque<>());
      int inProgress = preparing.getOrDefault(key, 0);
      wanted = SPARES - q.size() - inProgress;
      if (wanted <= 0) {
        return;
      }
      preparing.put(key, inProgress + wanted);
    }
    for (int i = 0; i < wanted; i++) {
      preparer.execute(() -> prepareSpare(settings));
    }
  }

  private void prepareSpare(Settings settings) {
    Settings.DeviceKey key = settings.deviceKey();
    Prepared spare = null;
    try {
      TunDevice device;
      configure.lock();
      try {
        device = openDevice(settings);
        // The spare must not take traffic: its routes were appended after those of the device in
        // use, and go now, before anyone can look.
        DeviceAccess.<TunDevice>get().withdrawAddress(device);
      } finally {
        configure.unlock();
      }
      spare = new Prepared(key, device, null);
      if (key.capture()) {
        spare = new Prepared(key, device, Captures.open(device.name(), device.mtu()));
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "could not prepare a spare device for " + key + ": " + e, e);
      if (spare != null) {
        closeLater(spare);
      }
      spare = null;
    } finally {
      synchronized (monitor) {
        preparing.merge(key, -1, Integer::sum);
        preparing.remove(key, 0);
        if (spare != null && !draining) {
          spares.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(spare);
          spare = null;
        }
        monitor.notifyAll();
      }
      if (spare != null) {
        closeLater(spare);
      }
    }
  }

  private void closeLater(Prepared prepared) {
    String name = prepared.device().name();
    synchronized (monitor) {
      closing++;
      closingNames.add(name);
    }
    closer.execute(() -> {
      try {
        prepared.close();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "closing " + prepared + " failed: " + e, e);
      } finally {
        own.remove(name);
        synchronized (monitor) {
          closing--;
          closingNames.remove(name);
          monitor.notifyAll();
        }
      }
    });
  }

  private static ExecutorService executor(String name, int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 2, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, name + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }
}
