package io.faketcp.cli;

import io.faketcp.packet.Tcpdump;
import io.faketcp.peer.Mode;
import io.faketcp.peer.ConnectMany;
import io.faketcp.peer.ConnectManyResult;
import io.faketcp.peer.FakePeer;
import io.faketcp.peer.FaultListener;
import io.faketcp.peer.PacketListener;
import io.faketcp.dns.DnsServer;
import io.faketcp.dns.Zone;
import io.faketcp.peer.Rules;
import io.faketcp.tun.Prerequisites;
import io.faketcp.tun.Subnet;
import io.faketcp.tun.TunDevice;
import io.faketcp.tun.TunException;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code faketcp} command: plays a fake subnet on a tun device like the classic C programs
 * (icmpecho, rejectall, acceptall, discardall, echoall, connectmany), printing one tcpdump-style
 * line per packet. Run it through {@code ./faketcp} at the repository root, which builds it when
 * needed and starts it in a private network namespace.
 *
 * <pre>
 * ./faketcp icmpecho -- ping -c 3 192.168.0.7
 * ./faketcp reject --subnet 10.9.0.0/24
 * ./faketcp connect-many 192.168.0.1 8080 10000
 * </pre>
 */
public final class Main {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");

  private final PrintStream out;
  private final PrintStream err;

  Main(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Runs the command line; exits with 0, 1 (failure) or 2 (bad arguments). */
  public static void main(String[] args) {
    PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
        false, StandardCharsets.UTF_8);
    int status = new Main(out, System.err).run(args);
    out.flush();
    System.exit(status);
  }

  int run(String[] args) {
    CommandLine line;
    try {
      line = CommandLine.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("faketcp: " + e.getMessage());
      err.println(CommandLine.USAGE);
      return USAGE;
    }
    if (line.help) {
      out.println(CommandLine.USAGE);
      return OK;
    }
    String missing = Prerequisites.missing().orElse(null);
    if (missing != null) {
      err.println("faketcp: cannot create a tun device: " + missing);
      return FAILED;
    }
    try {
      return serve(line);
    } catch (TunException | IllegalStateException e) {
      err.println("faketcp: " + e.getMessage());
      return FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return FAILED;
    }
  }

  private int serve(CommandLine line) throws InterruptedException {
    TunDevice.Builder deviceBuilder = TunDevice.builder().name(line.device).mtu(line.mtu)
        .multiQueue(line.queues > 1);
    if (line.ipv4 || line.subnet6 == null) {
      deviceBuilder.subnet(line.subnet);
    }
    if (line.subnet6 != null) {
      deviceBuilder.subnet(line.subnet6);
    }
    TunDevice device = deviceBuilder.open();
    List<TunDevice> devices = new ArrayList<>();
    List<FakePeer> peers = new ArrayList<>();
    devices.add(device);
    PacketListener printer = line.quiet ? null : (direction, packet) -> {
      synchronized (out) {
        out.print(LocalTime.now().format(TIME));
        out.print(' ');
        out.println(Tcpdump.format(packet));
      }
    };
    FaultListener faultPrinter = line.quiet ? null : (action, fault, direction, packet, delay) -> {
      synchronized (out) {
        out.print(LocalTime.now().format(TIME));
        out.print(" fault ");
        out.print(fault);
        out.print(": ");
        out.print(action.name().toLowerCase(java.util.Locale.ROOT));
        if (action == FaultListener.Action.DELAYED) {
          out.print(" " + delay / 1000 + "us");
        }
        out.print(' ');
        out.println(Tcpdump.format(packet));
      }
    };
    try {
      for (int q = 1; q < line.queues; q++) {
        devices.add(device.addQueue());
      }
      // One peer per queue, each with the connections it opened; the kernel keeps most flows on one
      // queue, and the peers hand each other the segments it does not. Connect-many runs on the first.
      java.util.concurrent.atomic.AtomicReference<FakePeer> first = new java.util.concurrent.atomic.AtomicReference<>();
      Rules rules = line.rules;
      if (!line.names.isEmpty()) {
        DnsServer dns = new DnsServer(line.names,
            () -> first.get() == null ? line.rules.faults() : first.get().rules().faults());
        rules = dns.addTo(rules, line.dnsAddress());
        if (line.dns6()) {
          rules = dns.addTo(rules, line.subnet6.dnsAddress()); // the same names on the prefix's ::ff
        }
      }
      for (TunDevice queue : devices) {
        FakePeer.Builder builder = FakePeer.builder(queue).rules(rules).listener(printer)
            .faultListener(faultPrinter).onFailure(t -> err.println("faketcp: " + t));
        if (line.seed != null) {
          builder.seed(line.seed);
        }
        peers.add((peers.isEmpty() ? builder : builder.queueOf(peers.get(0))).start());
        first.compareAndSet(null, peers.get(0));
      }
    } catch (RuntimeException e) {
      closeAll(peers, devices);
      throw e;
    }
    FakePeer peer = peers.get(0);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread shutdown = new Thread(() -> {
      closeAll(peers, devices);
      synchronized (out) {
        for (int q = 0; q < peers.size(); q++) {
          out.println((peers.size() == 1 ? "counters: " : "counters (queue " + q + "): ") + peers.get(q).counters());
        }
        out.flush();
      }
      stopped.countDown();
    }, "faketcp-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    Thread flusher = new Thread(() -> {
      while (true) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
        synchronized (out) {
          out.flush();
        }
      }
    }, "faketcp-flush");
    flusher.setDaemon(true);
    flusher.start();
    synchronized (out) {
      out.println("ready " + device);
      if (!line.names.isEmpty()) {
        out.println(dnsLine(line));
      }
      if (!line.rules.faults().isEmpty()) {
        out.println("faults " + line.rules.faults() + " seed " + peer.seed() + " (replay with --seed "
            + peer.seed() + ")");
      }
      if (Prerequisites.inPrivateNamespace() && line.program.length == 0) {
        out.println("private network namespace: enter it with  nsenter -t " + ProcessHandle.current().pid()
            + " -n <command>   (e.g. ping " + line.subnet.address(2).getHostAddress() + ")");
      }
      out.flush();
    }
    Process program = null;
    if (line.program.length > 0) {
      program = startProgram(line.program);
    }
    if (line.connectMany != null) {
      if (program != null) {
        awaitListener(line.connectMany.target().getPort(), program);
      }
      ConnectManyResult result = peer.connectMany(line.connectMany);
      synchronized (out) {
        out.println(result);
        out.flush();
      }
    }
    if (program != null) {
      int status = program.waitFor();
      return status;
    }
    stopped.await(); // until Ctrl-C or SIGTERM; the shutdown hook removes the device
    return OK;
  }

  /**
   * The line saying where the fake DNS server answers: {@code dns 10.57.0.254:53 names ...}, on a dual-stack
   * network {@code dns 10.57.0.254:53 [fd00:57::ff]:53 names ...} (each server a word, "names" after them).
   */
  static String dnsLine(CommandLine line) {
    String servers = line.dnsAddress().getHostAddress() + ":53";
    if (line.dns6()) {
      servers += " [" + io.faketcp.packet.Ipv6Packet.toText((java.net.Inet6Address) line.subnet6.dnsAddress()) + "]:53";
    }
    return "dns " + servers + " names " + line.names;
  }

  private static void closeAll(List<FakePeer> peers, List<TunDevice> devices) {
    for (int i = peers.size() - 1; i >= 0; i--) {
      peers.get(i).close();
    }
    for (int i = devices.size() - 1; i >= 0; i--) {
      devices.get(i).close();
    }
  }

  private Process startProgram(String[] command) {
    try {
      return new ProcessBuilder(command).inheritIO().start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start '" + String.join(" ", command) + "': " + e.getMessage(), e);
    }
  }

  /** Waits (up to 30 s) until something listens on TCP {@code port}, so connect-many meets a server. */
  private static void awaitListener(int port, Process program) throws InterruptedException {
    String needle = String.format(":%04X 00000000:0000 0A", port);
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline && program.isAlive()) {
      try {
        if (new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/net/tcp")),
            StandardCharsets.US_ASCII).contains(needle)) {
          return;
        }
      } catch (IOException e) {
        return;
      }
      Thread.sleep(20);
    }
  }

  /** The parsed command line. */
  static final class CommandLine {
    static final String USAGE = String.join("\n",
        "usage: faketcp [options] COMMAND [ARGS] [-- PROGRAM [ARGS...]]",
        "",
        "commands (every address of the subnet but the host's is a fake host):",
        "  icmpecho                          answer ping; TCP and UDP are ignored",
        "  reject                            RST+ACK to every SYN: connections are refused;",
        "                                    ICMP port unreachable to every UDP datagram",
        "  accept                            complete handshakes and closes, never ack data",
        "  discard                           as accept, and ack (drop) all data",
        "  echo                              as discard, and send the data back; UDP datagrams too",
        "  drop                              answer no TCP at all: connects time out",
        "  connect-many HOST PORT COUNT      open COUNT connections to a server on HOST:PORT",
        "                                    (HOST is the host's address, e.g. 192.168.0.1)",
        "options:",
        "  --subnet CIDR                     default 192.168.0.0/24; the host gets the first address;",
        "                                    an IPv6 prefix (/64 to /120, e.g. fd00:fa:ce::/64) alone is",
        "                                    IPv6 only; give one of each family for dual stack",
        "  --device NAME                     interface name or pattern, default tun%d",
        "  --mtu N                           default 1500",
        "  --rule ADDRESSES:PORTS=BEHAVIOUR  e.g. 192.168.0.5:*=reject, *:8000-8999=echo (repeatable)",
        "  --relay ADDRESS:PORT=HOST:PORT    connections to the fake ADDRESS:PORT are carried to the real",
        "                                    service HOST:PORT (e.g. 192.168.0.5:5432=127.0.0.1:5432);",
        "                                    faults apply on the fake leg (repeatable; see README)",
        "  --fault SPEC[@ADDRESSES:PORTS]    e.g. latency=100ms, loss=5%, reset-after=1000@192.168.0.5:80,",
        "                                    unreachable=host, mtu=1280 (repeatable; see README)",
        "  --seed N                          the seed of the random faults (default -Dfaketcp.seed, else",
        "                                    random); --fault seed=N is still read",
        "  --host NAME=ADDRESS               a name the fake DNS server (last address of the subnet, UDP",
        "                                    and TCP 53) answers, e.g. db.test=192.168.0.5; also",
        "                                    api.test=192.168.0.6,192.168.0.7, www.test=CNAME api.test,",
        "                                    faults dns=nxdomain@db.test, dns-delay=2s (repeatable)",
        "  --in-flight N                     connect-many: handshakes in flight, default 512",
        "  --queues N                        a multi-queue device with one peer thread per queue",
        "                                    (default 1; more use more cores: see BENCHMARKS.md)",
        "  --quiet                           no line per packet",
        "  -h, --help                        this text",
        "",
        "Prints 'ready DEVICE HOST/PREFIX' once up (and with --host 'dns ADDRESS:53 names ...', on a",
        "dual-stack network 'dns ADDRESS:53 [ADDRESS6]:53 names ...': the server on the subnet's last",
        "address and on the prefix's ::ff), then one tcpdump-style line per packet (DNS queries and",
        "answers as tcpdump shows them), and the counters on exit (Ctrl-C or SIGTERM remove the",
        "device). With -- PROGRAM, the program runs once the device is ready (for connect-many: first,",
        "as the server) and faketcp exits with its status. ./faketcp runs all this in a private network",
        "namespace. With --fault, a line 'faults [SPECS] seed N (replay with --seed N)' follows",
        "'ready', and each thing a fault does is a line 'fault SPEC: dropped|delayed Nus|forged PACKET'.");

    Subnet subnet = Subnet.DEFAULT;
    /** Whether --subnet gave an IPv4 subnet. */
    boolean ipv4;
    /** The IPv6 prefix --subnet gave, or null. */
    Subnet subnet6;
    String device = "tun%d";
    int mtu = 1500;
    int queues = 1;
    Rules rules;
    /** The seed given with --seed, or null. */
    Long seed;
    /** The names given with --host; empty for none (then no DNS server runs). */
    Zone names = new Zone();
    boolean quiet;
    boolean help;
    ConnectMany connectMany;
    String[] program = new String[0];

    /** Whether the fake DNS server also answers on the prefix's {@code ::ff}: on a dual-stack network. */
    boolean dns6() {
      return subnet6 != null && ipv4;
    }

    /** Where the fake DNS server answers: the subnet's last usable address. */
    java.net.Inet4Address dnsAddress() {
      return subnet.address(subnet.usableAddresses());
    }

    static CommandLine parse(String[] args) {
      CommandLine line = new CommandLine();
      java.util.List<String> words = new java.util.ArrayList<>();
      java.util.List<io.faketcp.peer.Rule> rules = new java.util.ArrayList<>();
      java.util.List<String> faults = new java.util.ArrayList<>();
      int inFlight = 512;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        switch (arg) {
          case "--":
            line.program = java.util.Arrays.copyOfRange(args, i + 1, args.length);
            if (line.program.length == 0) {
              throw new IllegalArgumentException("'--' must be followed by a program to run");
            }
            i = args.length;
            break;
          case "-h":
          case "--help":
            line.help = true;
            break;
          case "--quiet":
          case "-q":
            line.quiet = true;
            break;
          case "--subnet":
            Subnet given = Subnet.parse(value(args, ++i, arg));
            if (given.isIpv6() ? line.subnet6 != null : line.ipv4) {
              throw new IllegalArgumentException("--subnet " + given + ": a second " + (given.isIpv6() ? "IPv6" : "IPv4")
                  + " subnet; give at most one of each family (both for dual stack)");
            }
            if (given.isIpv6()) {
              line.subnet6 = given;
            } else {
              line.subnet = given;
              line.ipv4 = true;
            }
            break;
          case "--device":
            line.device = value(args, ++i, arg);
            TunDevice.builder().name(line.device); // validates the name now, before any syscall
            break;
          case "--mtu":
            line.mtu = number(value(args, ++i, arg), arg, 576, 65535);
            break;
          case "--queues":
            line.queues = number(value(args, ++i, arg), arg, 1, 64);
            break;
          case "--in-flight":
            inFlight = number(value(args, ++i, arg), arg, 1, 1_000_000);
            break;
          case "--rule":
            rules.add(rule(value(args, ++i, arg)));
            break;
          case "--relay":
            rules.add(relay(value(args, ++i, arg)));
            break;
          case "--host":
            String spec = value(args, ++i, arg);
            try {
              line.names.add(spec);
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException("--host " + e.getMessage(), e);
            }
            break;
          case "--fault":
            String fault = value(args, ++i, arg);
            try {
              Rules.of(Mode.ACCEPT).withFaults(fault); // checked now, in the order given
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException("--fault: " + e.getMessage(), e);
            }
            faults.add(fault);
            break;
          case "--seed":
            String seed = value(args, ++i, arg);
            try {
              line.seed = Long.parseLong(seed.trim());
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--seed '" + seed + "' is not a whole number (64-bit): write e.g."
                  + " --seed 42", e);
            }
            break;
          default:
            if (arg.startsWith("-") && !arg.equals("-")) {
              throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
            words.add(arg);
        }
      }
      if (line.help) {
        return line;
      }
      for (java.net.Inet4Address a : line.names.allAddresses()) {
        if (!line.subnet.contains(a) || a.equals(line.subnet.hostAddress()) || a.equals(line.dnsAddress())) {
          throw new IllegalArgumentException("--host: address " + a.getHostAddress() + " is not a fake host of "
              + line.subnet + ": give one from " + line.subnet.address(2).getHostAddress() + " to "
              + line.subnet.address(line.subnet.usableAddresses() - 1).getHostAddress()
              + " (the last one is the fake DNS server's)");
        }
      }
      if (line.subnet6 != null && line.ipv4) {
        line.names.ipv6(line.subnet, line.subnet6);
      }
      if (words.isEmpty()) {
        throw new IllegalArgumentException("no command given");
      }
      String command = words.get(0);
      Mode mode;
      switch (command) {
        case "icmpecho":
          mode = Mode.DROP;
          break;
        case "reject":
        case "accept":
        case "discard":
        case "echo":
        case "drop":
          mode = Mode.valueOf(command.toUpperCase(java.util.Locale.ROOT));
          break;
        case "connect-many":
          mode = Mode.ACCEPT;
          if (words.size() != 4) {
            throw new IllegalArgumentException("connect-many takes HOST PORT COUNT, got " + (words.size() - 1)
                + " argument(s)");
          }
          String host = words.get(1);
          int port = number(words.get(2), "PORT", 1, 65535);
          int count = number(words.get(3), "COUNT", 1, Integer.MAX_VALUE);
          InetSocketAddress target = new InetSocketAddress(host, port);
          if (target.isUnresolved() || !line.subnet.hostAddress().equals(target.getAddress())) {
            throw new IllegalArgumentException("connect-many HOST '" + host + "' must be the host's address "
                + line.subnet.hostAddress().getHostAddress() + " (the first address of --subnet " + line.subnet + ")");
          }
          line.connectMany = ConnectMany.to(target, count).inFlight(inFlight);
          break;
        default:
          throw new IllegalArgumentException("unknown command '" + command + "'");
      }
      if (line.connectMany == null && words.size() > 1) {
        throw new IllegalArgumentException(command + " takes no arguments, got '" + words.get(1) + "'");
      }
      Rules result = Rules.of(mode);
      for (io.faketcp.peer.Rule rule : rules) {
        result = result.with(rule);
      }
      result = result.withFaults(faults.toArray(new String[0]));
      line.rules = result;
      return line;
    }

    private static io.faketcp.peer.Rule rule(String text) {
      int equals = text.lastIndexOf('=');
      int colon = equals < 0 ? -1 : text.lastIndexOf(':', equals);
      if (equals < 0 || colon < 0) {
        throw new IllegalArgumentException("--rule '" + text + "' is not ADDRESSES:PORTS=BEHAVIOUR");
      }
      String name = text.substring(equals + 1).trim().toUpperCase(java.util.Locale.ROOT);
      Mode mode;
      try {
        mode = Mode.valueOf(name);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--rule '" + text + "': mode '" + text.substring(equals + 1)
            + "' is not one of reject, accept, discard, echo, drop");
      }
      return io.faketcp.peer.Rule.of(text.substring(0, colon), text.substring(colon + 1, equals), mode);
    }

    private static io.faketcp.peer.Rule relay(String text) {
      int equals = text.indexOf('=');
      int colon = equals < 0 ? -1 : text.lastIndexOf(':', equals);
      if (equals < 0 || colon < 0) {
        throw new IllegalArgumentException("--relay '" + text + "' is not ADDRESS:PORT=HOST:PORT"
            + " (e.g. 192.168.0.5:5432=127.0.0.1:5432)");
      }
      try {
        return io.faketcp.peer.Rule.of(text.substring(0, colon), text.substring(colon + 1, equals),
            io.faketcp.peer.Relay.parse(text.substring(equals + 1)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--relay '" + text + "': " + e.getMessage(), e);
      }
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }

    private static int number(String text, String what, int min, int max) {
      try {
        int n = Integer.parseInt(text);
        if (n >= min && n <= max) {
          return n;
        }
      } catch (NumberFormatException e) {
        // fall through
      }
      throw new IllegalArgumentException(what + " '" + text + "' is not a number from " + min + " to " + max);
    }
  }
}
