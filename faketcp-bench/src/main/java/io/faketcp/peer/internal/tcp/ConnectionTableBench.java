package io.faketcp.peer.internal.tcp;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The endpoints' {@link ConnectionTable} (this class sits in the engine's package, in the bench
 * module): hit and miss lookups in a table of N connections spread over 253 addresses and many ports
 * (the shape of a handshake-rate or connect-many load), and a put+remove cycle.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ConnectionTableBench {
  private static final int HOST = 0xC0A80001;

  @Param({"1000", "100000"})
  int size;

  ConnectionTable table;
  int[] peers;
  int[] ports;
  int i;

  @Setup
  public void setUp() {
    table = new ConnectionTable();
    peers = new int[size];
    ports = new int[size];
    for (int k = 0; k < size; k++) {
      peers[k] = 0xC0A80002 + k % 253;
      ports[k] = 1024 + k / 253;
      table.put(new TcpEndpoint(null, HOST, ports[k], peers[k], 80));
    }
  }

  @Benchmark
  public TcpEndpoint hit() {
    int k = i++ % size;
    if (i == size) {
      i = 0;
    }
    return table.get(HOST, ports[k], peers[k], 80);
  }

  @Benchmark
  public TcpEndpoint miss() {
    int k = i++ % size;
    if (i == size) {
      i = 0;
    }
    return table.get(HOST, ports[k], peers[k], 81);
  }

  @Benchmark
  public int putRemove() {
    TcpEndpoint c = new TcpEndpoint(null, HOST, 40000 + (i++ & 1023), 0xC0A800FE, 8080);
    table.put(c);
    table.remove(c);
    return table.size();
  }
}
