package io.faketcp.junit5.internal;

import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import io.faketcp.tun.internal.DeviceAccess;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
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
 * <p>Opening a device or a pcap handle and closing either wait for kernel RCU grace periods (5 to
 * 25 ms here, far more on a busy machine), some of it holding the kernel's RTNL lock, which every
 * address change of the next test then waits for. So devices are reused: a returned device loses its
 * address at once (its routes go with it, so the next device on the same subnet gets all the
 * traffic), and a background thread discards what it still holds and makes it a spare again, its
 * capture still open and reading. For devices named by pattern ({@code tun%d}) a couple of spares per
 * configuration are prepared in the background when none comes back in time — opened, their address
 * removed again, the pcap handle opened — so that the next test only has to give one its address
 * back. In a run of tests one after another, no device is opened or closed after the first few. Each
 * device keeps its fake peer's thread ({@link KeptPeerThreads}), ended when the device is closed: no test
 * starts or joins a thread either.
 *
 * <p>{@link #drain()} (called when JUnit closes the root store, and from a shutdown hook) closes the
 * spares and waits until every device is gone: closed, and its interface removed by the kernel, which
 * can be later than the close when another thread or process still holds the device file
 * ({@link InterfaceRemoval}).
 */
final class DevicePool {
  private static final System.Logger LOG = System.getLogger(DevicePool.class.getName());
  private static final DevicePool INSTANCE = new DevicePool();
  private static final int SPARES = 3;
  /** How long a device handed back may take to become a spare again (its capture's ring read to the end). */
  private static final long RECYCLE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int MAX_CLOSING = 64;
  /** Where {@link #discardQueued} reads into: one per thread that hands devices out or recycles them, not one per test. */
  private static final ThreadLocal<ByteBuffer> DISCARD_BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(65536));
  private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);
  /** How long a closed device's interface may take to go (another holder of the device file lets go). */
  private static final long REMOVAL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** Held while addresses change and while the namespace is checked, so a check never sees a spare's address. */
  private final ReentrantLock configure = new ReentrantLock();
  private final Object monitor = new Object();
  private final Map<Settings.DeviceKey, Deque<Prepared>> spares = new HashMap<>();
  /** Per configuration: spares being opened or recycled, and devices in use (each comes back as a spare). */
  private final Map<Settings.DeviceKey, Integer> preparing = new HashMap<>();
  private final Map<Settings.DeviceKey, Integer> inUse = new HashMap<>();
  /** Devices handed back that keep their address for the next test of their configuration; never overlapping. */
  private final List<Prepared> parked = new ArrayList<>();
  /** The subnets of the networks open (a dual-stack one's IPv4 subnet and prefix share one holder). */
  private final Map<Subnet, Holder> active = new HashMap<>();
  private final Set<String> closingNames = ConcurrentHashMap.newKeySet();
  private final Set<String> own = ConcurrentHashMap.newKeySet();
  /** The interface index of each device the pool opened, to wait for its removal after the close. */
  private final Map<TunDevice, Integer> indexes = new ConcurrentHashMap<>();
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
   * Waits while another test holds an overlapping subnet or IPv6 prefix (only when the subnet resource
   * lock was not declared), then takes the device parked by the last test of the same configuration on
   * these subnets, if any (the namespace was checked when it was first taken); else checks that nothing
   * else in the namespace overlaps and gives a spare (or a new device) the addresses.
   *
   * @throws ExtensionConfigurationException when an address or route of the namespace overlaps
   */
  Prepared acquire(Settings settings, String holder) {
    List<Subnet> subnets = subnetsOf(settings);
    Settings.DeviceKey key = settings.deviceKey();
    reserve(subnets, holder);
    boolean ok = false;
    try {
      Prepared parkedHere = unpark(settings);
      if (parkedHere != null) {
        ok = true;
        return parkedHere;
      }
      if (!settings.namePattern()) {
        awaitNameFree(settings.deviceName());
      }
      awaitClosingBelow(MAX_CLOSING);
      Prepared prepared;
      configure.lock();
      try {
        for (Subnet subnet : subnets) {
          Optional<String> overlap = NamespaceCheck.overlap(subnet, own);
          if (overlap.isPresent()) {
            boolean prefix = subnet.isIpv6();
            String attribute = prefix ? "subnet6" : "subnet";
            throw new ExtensionConfigurationException(Settings.describe(settings.origin(), attribute, subnet.toString())
                + " overlaps " + overlap.get() + " already present in this network namespace: choose"
                + (prefix ? " a prefix" : " a subnet") + " that does not overlap it (run the tests in a private namespace"
                + " with bin/faketcp-netns)");
          }
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
        synchronized (monitor) {
          inUse.merge(key, 1, Integer::sum);
        }
      } finally {
        configure.unlock();
      }
      if (settings.capture() && prepared.capture() == null) {
        try {
          prepared = new Prepared(key, prepared.device(), Captures.open(prepared.device().name(), prepared.device().mtu()));
        } catch (RuntimeException e) {
          release(prepared, true);
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
        unreserve(subnets);
      }
    }
  }

  /**
   * Takes the device back. A device that can serve again is parked as it is, address and all: the next
   * test with the same configuration takes it without changing anything in the kernel (see
   * {@link #unpark}). Otherwise its address is removed now (the subnet is free for the next test at once)
   * and it is closed in the background.
   *
   * @param reusable false when something may still use the device (a peer thread that did not stop)
   */
  void release(Prepared prepared, boolean reusable) {
    notInUse(prepared.key());
    if (reusable) {
      boolean parkedNow = false;
      synchronized (monitor) {
        if (!draining) {
          parked.add(prepared);
          parkedNow = true;
        }
      }
      if (parkedNow) {
        unreserve(subnetsOf(prepared.device()));
        return;
      }
    }
    if (withdraw(prepared)) {
      closeLater(prepared);
    }
    unreserve(subnetsOf(prepared.device()));
  }

  /**
   * For a test that holds {@code settings}' subnets: the parked device of the same configuration, made
   * ready (what it still held discarded), or null. Parked devices of other configurations on an
   * overlapping subnet or prefix lose their addresses and go back to the spares.
   */
  private Prepared unpark(Settings settings) {
    List<Subnet> subnets = subnetsOf(settings);
    Settings.DeviceKey key = settings.deviceKey();
    Prepared same = null;
    List<Prepared> others = new ArrayList<>();
    synchronized (monitor) {
      for (Iterator<Prepared> it = parked.iterator(); it.hasNext(); ) {
        Prepared p = it.next();
        if (overlapping(subnetsOf(p.device()), subnets) != null) {
          it.remove();
          if (same == null && p.key().equals(key)) {
            same = p;
          } else {
            others.add(p);
          }
        }
      }
    }
    for (Prepared p : others) {
      if (withdraw(p)) {
        recycleLater(p);
      }
    }
    if (same == null) {
      return null;
    }
    if (!emptied(same, "parked device")) {
      if (withdraw(same)) {
        closeLater(same);
      }
      return null;
    }
    synchronized (monitor) {
      inUse.merge(key, 1, Integer::sum);
    }
    return same;
  }

  /** Removes the device's address; when that fails (device deleted from outside) closes it now: false then. */
  private boolean withdraw(Prepared prepared) {
    configure.lock();
    try {
      DeviceAccess.<TunDevice>get().withdrawAddress(prepared.device());
      return true;
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "could not remove the address of {0}: {1}", prepared, e);
    } finally {
      configure.unlock();
    }
    try {
      prepared.close();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "closing " + prepared + " failed: " + e, e);
    } finally {
      own.remove(prepared.device().name());
      indexes.remove(prepared.device());
    }
    return false;
  }

  private void notInUse(Settings.DeviceKey key) {
    synchronized (monitor) {
      inUse.merge(key, -1, Integer::sum);
      inUse.remove(key, 0);
    }
  }

  /** A withdrawn device goes back to the spares of its configuration, in the background. */
  private void recycleLater(Prepared prepared) {
    Settings.DeviceKey key = prepared.key();
    synchronized (monitor) {
      if (draining || !key.name().contains("%d")) {
        closeLater(prepared); // a fixed name is opened anew when needed: a spare would hold it
        return;
      }
      preparing.merge(key, 1, Integer::sum);
    }
    preparer.execute(() -> recycle(prepared));
  }

  /**
   * Whether {@code prepared} can serve another test: its device is open, the packets queued for the
   * peer are discarded and the capture has read its ring to the end. {@code what} names it in the log.
   */
  private boolean emptied(Prepared prepared, String what) {
    try {
      return prepared.device().isOpen() && discardQueued(prepared.device())
          && (prepared.capture() == null || prepared.capture().recycle(RECYCLE_WAIT_NANOS));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, what + " " + prepared + " not reused: " + e, e);
      return false;
    }
  }

  /**
   * On a background thread: the device has no address any more, so nothing new arrives. Discards the
   * packets still queued for the peer and lets the capture read what its ring holds, then offers the
   * device as a spare: a test that takes it sees none of the packets of the test before.
   */
  private void recycle(Prepared prepared) {
    boolean reusable = false;
    try {
      reusable = emptied(prepared, "spare");
    } finally {
      Settings.DeviceKey key = prepared.key();
      synchronized (monitor) {
        preparing.merge(key, -1, Integer::sum);
        preparing.remove(key, 0);
        Deque<Prepared> q = spares.computeIfAbsent(key, k -> new ArrayDeque<>());
        if (reusable && !draining && q.size() < SPARES) {
          q.addLast(prepared);
        } else {
          closeLater(prepared); // counted as closing before a drain can see "nothing preparing"
        }
        monitor.notifyAll();
      }
    }
  }

  /** Reads and drops what the kernel queued on {@code device}; false if it does not run dry. */
  private static boolean discardQueued(TunDevice device) {
    ByteBuffer buffer = DISCARD_BUFFER.get(); // no packet is larger: a device's MTU is at most 65535
    for (int i = 0; i < 100_000; i++) {
      if (device.read(buffer) == 0) {
        return true;
      }
    }
    return false;
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
      idle.addAll(parked);
      parked.clear();
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

  /** Takes {@code subnets} for {@code holder} all at once, waiting while another holder has an overlapping one. */
  private void reserve(List<Subnet> subnets, String holder) {
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (true) {
      Runnable yield;
      String from;
      synchronized (monitor) {
        Subnet[] pair = overlapping(active.keySet(), subnets);
        if (pair == null) {
          Holder mine = new Holder(holder);
          subnets.forEach(s -> active.put(s, mine));
          return;
        }
        Holder other = active.get(pair[0]);
        if (System.nanoTime() >= deadline) {
          throw new IllegalStateException(waitedTooLong(holder, pair[1], pair[0], other));
        }
        yield = other.yield;
        other.yield = null;
        from = other.name;
        if (yield == null) {
          waitOn(deadline);
          continue;
        }
      }
      LOG.log(System.Logger.Level.DEBUG, "{0} takes subnet {1} over from {2}", holder, subnets, from);
      try {
        yield.run(); // outside the monitor: it closes that network, whose release wakes this loop
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "closing the network of " + from + " for " + holder + " failed: " + e, e);
      }
    }
  }

  /**
   * Lets the holder of {@code subnet}, if it is {@code name}, give it up when another network needs an
   * overlapping subnet: {@code yield} (which closes the holder's network) runs at most once, on the
   * thread that wants the subnet, outside the pool's lock.
   */
  void yieldOnDemand(Subnet subnet, String name, Runnable yield) {
    synchronized (monitor) {
      Holder h = active.get(subnet);
      if (h != null && h.name.equals(name)) {
        h.yield = yield;
        monitor.notifyAll();
      }
    }
  }

  /** The first of {@code held} that overlaps one of {@code wanted}, and that one; null when none does. */
  private static Subnet[] overlapping(java.util.Collection<Subnet> held, List<Subnet> wanted) {
    for (Subnet h : held) {
      for (Subnet w : wanted) {
        if (h.overlaps(w)) {
          return new Subnet[] {h, w};
        }
      }
    }
    return null;
  }

  /** The 60 s message: what the holder is doing decides the cause named. */
  static String waitedTooLong(String waiter, Subnet wanted, Subnet held, Holder holder) {
    String start = waiter + " waited 60 s for " + (wanted.isIpv6() ? "prefix " : "subnet ") + wanted + ", held by "
        + holder.name + " (" + held + ")";
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
    /** Closes the holder's network when another one needs the subnet; null: the holder keeps it. */
    Runnable yield;

    Holder(String name) {
      this.name = name;
    }
  }

  private void unreserve(List<Subnet> subnets) {
    synchronized (monitor) {
      subnets.forEach(active::remove);
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

  /** The subnets a device was reserved for: its IPv4 one, its IPv6 prefix, or both. */
  private static List<Subnet> subnetsOf(TunDevice device) {
    List<Subnet> subnets = new ArrayList<>(2);
    if (device.hasIpv4()) {
      subnets.add(device.subnet());
    }
    device.subnet6().ifPresent(subnets::add);
    return subnets;
  }

  /** The subnets a network holds: its IPv4 one, its IPv6 prefix, or both. */
  private static List<Subnet> subnetsOf(Settings settings) {
    if (settings.ipv6Only() || settings.subnet6() == null) {
      return List.of(settings.subnet());
    }
    return List.of(settings.subnet(), settings.subnet6());
  }

  private TunDevice openDevice(Settings settings) {
    TunDevice.Builder builder = TunDevice.builder().name(settings.deviceName()).mtu(settings.mtu());
    if (!settings.ipv6Only()) {
      builder.subnet(settings.subnet());
    }
    if (settings.subnet6() != null) {
      builder.subnet(settings.subnet6());
    }
    TunDevice device = builder.open();
    own.add(device.name());
    // Taken now, while the name is surely this device's: after a deletion from outside another device may have it.
    indexes.put(device, InterfaceRemoval.index(device.name()));
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
      // a device in use comes back as a spare
      wanted = SPARES - q.size() - inProgress - inUse.getOrDefault(key, 0);
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
        spare = new Prepared(key, device, null); // from here on closed below, should anything fail
        // The spare must not take traffic: its routes were appended after those of the device in
        // use, and go now, before anyone can look.
        DeviceAccess.<TunDevice>get().withdrawAddress(device);
      } finally {
        configure.unlock();
      }
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
        } else if (spare != null) {
          closeLater(spare); // counted as closing before a drain can see "nothing preparing"
        }
        monitor.notifyAll();
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
      Integer index = indexes.remove(prepared.device());
      try {
        prepared.close();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "closing " + prepared + " failed: " + e, e);
      } finally {
        awaitRemoved(name, index == null ? -1 : index);
        own.remove(name);
        synchronized (monitor) {
          closing--;
          closingNames.remove(name);
          monitor.notifyAll();
        }
      }
    });
  }

  /**
   * Waits until the kernel has removed the interface of a device just closed (see {@link InterfaceRemoval}):
   * the device counts as closing until then, so that a drain returns, and a fixed name is taken again,
   * only once the interface is gone.
   */
  private static void awaitRemoved(String name, int index) {
    long waited = InterfaceRemoval.awaitGone(name, index, REMOVAL_WAIT_NANOS);
    if (waited < 0) {
      LOG.log(System.Logger.Level.WARNING, "interface {0} (index {1}) is still there {2} s after its tun device was"
          + " closed: another thread or process holds the device file (a thread blocked on its fd, a child process"
          + " forked meanwhile that has not exec''d)", name, String.valueOf(index),
          String.valueOf(TimeUnit.NANOSECONDS.toSeconds(REMOVAL_WAIT_NANOS)));
    } else if (waited > 0) {
      LOG.log(System.Logger.Level.DEBUG, "interface {0} was removed {1} µs after its tun device was closed", name,
          String.valueOf(TimeUnit.NANOSECONDS.toMicros(waited)));
    }
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
