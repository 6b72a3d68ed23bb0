package io.faketcp.peer.internal.servers;

import io.faketcp.peer.internal.tcp.Endpoint;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * An {@link Endpoint} without TCP for unit tests of applications: its send queue is a byte array
 * with a settable room, and it records what the application asked for. Used on one "peer" thread.
 */
final class FakeEndpoint implements Endpoint {
  final ByteArrayOutputStream sent = new ByteArrayOutputStream();
  int room;
  /** The connection's full segment: MTU 65,535's by default. */
  int segmentPayload = 65_483;
  boolean outputShutdown;
  int outputShutdownAt = -1;
  int resets;
  int windowOpenedCalls;
  /** What {@link #blockSumsUsed} says: false as on a device that completes the checksums. */
  boolean blockSumsUsed = true;
  private final int hostAddress;
  private final int hostPort;
  private final int fakeAddress;
  private final int fakePort;

  FakeEndpoint(int room) {
    this(0xc0a80001, 40000, 0xc0a80005, 5432, room);
  }

  FakeEndpoint(int hostAddress, int hostPort, int fakeAddress, int fakePort, int room) {
    this.hostAddress = hostAddress;
    this.hostPort = hostPort;
    this.fakeAddress = fakeAddress;
    this.fakePort = fakePort;
    this.room = room;
  }

  @Override
  public int send(ByteBuffer data) {
    if (outputShutdown) {
      throw new IllegalStateException("send after shutdownOutput");
    }
    int n = Math.min(room, data.remaining());
    byte[] bytes = new byte[n];
    data.get(bytes);
    sent.write(bytes, 0, n);
    room -= n;
    return n;
  }

  @Override
  public int sendRoom() {
    return room;
  }

  @Override
  public boolean blockSumsUsed() {
    return blockSumsUsed;
  }

  @Override
  public int segmentPayload() {
    return segmentPayload;
  }

  @Override
  public void shutdownOutput() {
    if (!outputShutdown) {
      outputShutdown = true;
      outputShutdownAt = sent.size();
    }
  }

  @Override
  public void reset() {
    resets++;
  }

  @Override
  public void receiveWindowOpened() {
    windowOpenedCalls++;
  }

  @Override
  public int hostAddress() {
    return hostAddress;
  }

  @Override
  public int hostPort() {
    return hostPort;
  }

  @Override
  public int fakeAddress() {
    return fakeAddress;
  }

  @Override
  public int fakePort() {
    return fakePort;
  }
}
