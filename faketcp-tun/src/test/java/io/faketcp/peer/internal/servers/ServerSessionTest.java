package io.faketcp.peer.internal.servers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.peer.Server;
import io.faketcp.peer.TestAccess;
import io.faketcp.peer.internal.tcp.Application;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerSession} and {@link ServerPool} against a {@link FakeEndpoint}, no tun: a
 * single-thread executor plays the peer thread, as the contract of {@link Application} wants.
 */
class ServerSessionTest {
  private static final AtomicLong POOLS = new AtomicLong();

  private final ExecutorService peer = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-peer"));
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private final String poolName = "unit" + POOLS.incrementAndGet();
  private final ServerPool pool = new ServerPool(poolName, task -> {
    peer.execute(task);
    return true;
  }, failures::add);

  @AfterEach
  void stopPool() throws Exception {
    onPeer(pool::stop);
    assertThat(pool.awaitStopped(Duration.ofSeconds(5))).as("server threads ended").isTrue();
    peer.shutdownNow();
  }

  @Test
  void echoServerSendsEveryByteBackInOrderThenFin() throws Exception {
    FakeEndpoint endpoint = new FakeEndpoint(Integer.MAX_VALUE);
    ServerSession session = open(Server.echo(), endpoint);
    byte[] data = random(300_000);

    hostSends(session, data);
    onPeer(() -> session.inputShutdown(endpoint));

    await(() -> onPeer(() -> endpoint.outputShutdown), "FIN queued");
    assertThat(onPeer(() -> endpoint.sent.toByteArray())).isEqualTo(data);
    assertThat(onPeer(() -> endpoint.outputShutdownAt)).isEqualTo(data.length);
    await(() -> pool.serving().isEmpty(), "server finished");
    assertThat(failures).isEmpty();
    assertThat(onPeer(() -> endpoint.resets)).isZero();
  }

  @Test
  void echoServerSumsEveryWholeBlockThatPassesItsRingsAcrossTheirWraps() throws Exception {
    FakeEndpoint endpoint = new FakeEndpoint(0);
    ServerSession session = open(Server.echo(), endpoint);
    byte[] data = random(1_000_003);

    hostSendsWithChangingRoom(session, endpoint, data, 70_001); // odd pieces: the rings wrap at odd places
    onPeer(() -> session.inputShutdown(endpoint));

    await(() -> onPeer(() -> endpoint.outputShutdown), "FIN queued");
    assertThat(onPeer(() -> endpoint.sent.toByteArray())).isEqualTo(data);
    assertThat(knownBlockSums(session, data)).as("blocks whose sums are known (those that passed the rings)")
        .isGreaterThan(data.length / Application.SUM_BLOCK / 3);
  }

  @Test
  void transferToItsOwnOutputCountsEveryByteSentStraightOrThroughTheRings() throws Exception {
    FakeEndpoint endpoint = new FakeEndpoint(0);
    CompletableFuture<Long> moved = new CompletableFuture<>();
    ServerSession session = open(connection -> {
      moved.complete(connection.input().transferTo(connection.output()));
      connection.close();
    }, endpoint);
    awaitBlocked();
    byte[] data = random(400_009);

    hostSendsWithChangingRoom(session, endpoint, data, 20_011);
    onPeer(() -> session.inputShutdown(endpoint));

    assertThat(moved.get(10, TimeUnit.SECONDS)).isEqualTo(data.length);
    await(() -> onPeer(() -> endpoint.outputShutdown), "FIN queued");
    assertThat(onPeer(() -> endpoint.sent.toByteArray())).isEqualTo(data);
    assertThat(failures).isEmpty();
  }

  @Test
  void theConnectionsSegmentSizeDecidesWhetherThePeerSplicesNotAPiecesLength() throws Exception {
    byte[] piece = random(8_192); // bytes put back together after a loss: one piece, larger than a segment
    assertThat(splicedAtOnce(1_448, piece)).as("MTU 1,500: through the rings, on the server's thread").isZero();
    assertThat(splicedAtOnce(8_948, piece)).as("MTU 9,000: queued by the peer thread itself").isEqualTo(piece.length);
    assertThat(failures).isEmpty();
  }

  /** What the send queue holds right after the peer thread passed {@code piece} to a transferring echo. */
  private int splicedAtOnce(int segmentPayload, byte[] piece) throws Exception {
    FakeEndpoint endpoint = new FakeEndpoint(Integer.MAX_VALUE);
    endpoint.segmentPayload = segmentPayload;
    ServerSession session = open(Server.echo(), endpoint);
    awaitBlocked();
    int sentAtOnce = onPeer(() -> {
      session.received(ByteBuffer.wrap(piece));
      return endpoint.sent.size();
    });
    await(() -> onPeer(() -> endpoint.sent.size()) == piece.length, "the piece echoed");
    onPeer(() -> session.inputShutdown(endpoint));
    await(() -> onPeer(() -> endpoint.outputShutdown), "FIN queued");
    return sentAtOnce;
  }

  @Test
  void transferToAnotherConnectionsOutputCarriesEveryByteAndItsSums() throws Exception {
    CompletableFuture<Server.Connection> relayed = new CompletableFuture<>();
    CountDownLatch relayDone = new CountDownLatch(1);
    FakeEndpoint toEndpoint = new FakeEndpoint(0xc0a80001, 40001, 0xc0a80006, 80, Integer.MAX_VALUE);
    ServerSession to = open(connection -> {
      relayed.complete(connection);
      relayDone.await(); // the other connection's server writes to this one's output
    }, toEndpoint);
    FakeEndpoint fromEndpoint = new FakeEndpoint(Integer.MAX_VALUE);
    CompletableFuture<Long> moved = new CompletableFuture<>();
    ServerSession from = open(connection -> {
      Server.Connection target = relayed.get(5, TimeUnit.SECONDS);
      moved.complete(connection.input().transferTo(target.output()));
      target.close();
      relayDone.countDown();
    }, fromEndpoint);
    byte[] data = random(700_001);

    hostSendsInPieces(from, data, 30_011);
    onPeer(() -> from.inputShutdown(fromEndpoint));

    assertThat(moved.get(10, TimeUnit.SECONDS)).isEqualTo(data.length);
    await(() -> onPeer(() -> toEndpoint.outputShutdown), "FIN on the other connection");
    assertThat(onPeer(() -> toEndpoint.sent.toByteArray())).isEqualTo(data);
    assertThat(onPeer(() -> fromEndpoint.sent.size())).as("bytes sent back on the first connection").isZero();
    assertBlockSums(to, data);
    assertThat(failures).isEmpty();
  }

  @Test
  void onADeviceThatCompletesTheChecksumsTheServerSumsNothingAndEveryByteStillGoes() throws Exception {
    FakeEndpoint endpoint = new FakeEndpoint(Integer.MAX_VALUE);
    endpoint.blockSumsUsed = false;
    CompletableFuture<Long> echoed = new CompletableFuture<>();
    ServerSession session = open(connection -> echoed.complete(connection.input().transferTo(connection.output())),
        endpoint);
    byte[] data = random(300_007);

    hostSendsWithChangingRoom(session, endpoint, data, 20_011); // through the rings and spliced
    onPeer(() -> session.inputShutdown(endpoint));

    assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo(data.length);
    await(() -> onPeer(() -> endpoint.sent.size()) == data.length, "every byte sent");
    assertThat(onPeer(() -> endpoint.sent.toByteArray())).isEqualTo(data);
    assertThat(knownBlockSums(session, data)).as("blocks summed by the server's thread").isZero();
    assertThat(failures).isEmpty();
  }

  @Test
  void transferToAnyOtherStreamCarriesEveryByteInOrder() throws Exception {
    FakeEndpoint endpoint = new FakeEndpoint(Integer.MAX_VALUE);
    java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
    CompletableFuture<Long> moved = new CompletableFuture<>();
    ServerSession session = open(connection -> moved.complete(connection.input().transferTo(sink)), endpoint);
    byte[] data = random(300_007);

    hostSendsInPieces(session, data, 9_001);
    onPeer(() -> session.inputShutdown(endpoint));

    assertThat(moved.get(10, TimeUnit.SECONDS)).isEqualTo(data.length);
    assertThat(sink.toByteArray()).isEqualTo(data);
  }

  @Test
  void transferToFailsWhenTheHostResetsAndIsNoFailure() throws Exception {
    FakeEndpoint endpoint = new FakeEndpoint(0); // nothing leaves: the output fills, the transfer blocks
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    ServerSession session = open(connection -> {
      try {
        connection.input().transferTo(connection.output());
      } catch (IOException e) {
        thrown.complete(e);
        throw e;
      }
    }, endpoint);
    hostSendsInPieces(session, random(ServerSession.OUTPUT_CAPACITY + 5_000), 10_000);
    awaitBlocked();

    onPeer(() -> session.closed("reset by the host"));

    assertThat(thrown.get(5, TimeUnit.SECONDS)).isInstanceOf(SocketException.class).hasMessageContaining("reset by the host");
    await(() -> pool.serving().isEmpty(), "server finished");
    assertThat(failures).isEmpty();
  }

  @Test
  void echoServerWaitsForRoomInTheSendQueueAndLosesNoByteOnTheWay() throws Exception {
    FakeEndpoint endpoint = new FakeEndpoint(0); // the host does not read at first
    ServerSession session = open(Server.echo(), endpoint);
    byte[] data = random(5 * ServerSession.OUTPUT_CAPACITY + 12_345);
    CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
      try {
        hostSends(session, data);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });

    awaitBlocked(); // output full, input full: the window closed
    assertThat(onPeer(() -> endpoint.sent.size())).isZero();
    while (onPeer(() -> endpoint.sent.size()) < data.length) {
      onPeer(() -> {
        endpoint.room += 30_000; // the host acknowledged some
        session.writable();
      });
      Thread.sleep(5);
    }
    sent.get(10, TimeUnit.SECONDS);
    onPeer(() -> session.inputShutdown(endpoint));
    await(() -> onPeer(() -> endpoint.outputShutdown), "FIN queued");
    assertThat(onPeer(() -> endpoint.sent.toByteArray())).isEqualTo(data);
    assertThat(failures).isEmpty();
  }

  @Test
  void serverThatDoesNotReadClosesTheReceiveWindowUntilItReads() throws Exception {
    CountDownLatch startReading = new CountDownLatch(1);
    CompletableFuture<byte[]> read = new CompletableFuture<>();
    FakeEndpoint endpoint = new FakeEndpoint(0);
    ServerSession session = open(connection -> {
      startReading.await();
      read.complete(connection.input().readAllBytes());
    }, endpoint);
    byte[] data = random(ServerSession.INPUT_CAPACITY);

    hostSends(session, data);

    assertThat(onPeer(session::receiveWindow)).as("window once 64 KiB wait unread").isZero();
    Thread.sleep(100);
    assertThat(onPeer(session::receiveWindow)).isZero();
    assertThat(onPeer(() -> endpoint.windowOpenedCalls)).isZero();

    startReading.countDown();
    // Read: the window opens again, the buffer grown by what the server read (as Linux's receive buffer grows).
    await(() -> onPeer(session::receiveWindow) == 2 * ServerSession.INPUT_CAPACITY, "window open again, grown");
    assertThat(onPeer(() -> endpoint.windowOpenedCalls)).as("window updates asked for").isPositive();
    onPeer(() -> session.inputShutdown(endpoint));
    assertThat(read.get(5, TimeUnit.SECONDS)).isEqualTo(data);
  }

  @Test
  void writeBlocksWhileTheEndpointHasNoRoomAndResumesInOrder() throws Exception {
    FakeEndpoint endpoint = new FakeEndpoint(0);
    byte[] data = random(ServerSession.OUTPUT_CAPACITY * 3);
    AtomicLong written = new AtomicLong();
    AtomicReference<Thread> serverThread = new AtomicReference<>();
    ServerSession session = open(connection -> {
      serverThread.set(Thread.currentThread());
      for (int i = 0; i < data.length; i += 1000) {
        int n = Math.min(1000, data.length - i);
        connection.output().write(data, i, n);
        written.addAndGet(n);
      }
    }, endpoint);

    await(() -> serverThread.get() != null && serverThread.get().getState() == Thread.State.WAITING, "writer blocked");
    assertThat(written.get()).as("bytes written before blocking").isLessThanOrEqualTo(ServerSession.OUTPUT_CAPACITY);
    assertThat(onPeer(() -> endpoint.sent.size())).isZero();

    for (int i = 0; i < 10 && onPeer(() -> endpoint.sent.size()) < data.length; i++) {
      onPeer(() -> {
        endpoint.room = 50_000; // the host acknowledged some: room in the send queue
        session.writable();
      });
      Thread.sleep(20);
    }
    await(() -> onPeer(() -> endpoint.outputShutdown), "FIN after the server returned");
    assertThat(onPeer(() -> endpoint.sent.toByteArray())).isEqualTo(data);
    assertThat(written.get()).isEqualTo(data.length);
  }

  @Test
  void serverThatThrowsResetsTheConnectionAndIsRecorded() throws Exception {
    IllegalStateException boom = new IllegalStateException("the server's own bug");
    FakeEndpoint endpoint = new FakeEndpoint(1000);
    ServerSession session = open(connection -> {
      connection.input().read();
      throw boom;
    }, endpoint);
    hostSends(session, new byte[] {'x'});

    await(() -> !failures.isEmpty(), "failure recorded");
    assertThat(failures).containsExactly(boom);
    await(() -> onPeer(() -> endpoint.resets) == 1, "RST sent");
    assertThat(onPeer(() -> endpoint.outputShutdown)).as("no FIN").isFalse();
    await(() -> pool.serving().isEmpty(), "thread back in the pool");
  }

  @Test
  void resetByTheHostWakesABlockedReadWithAnIoExceptionThatIsNoFailure() throws Exception {
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    FakeEndpoint endpoint = new FakeEndpoint(1000);
    ServerSession session = open(connection -> {
      try {
        connection.input().read();
      } catch (IOException e) {
        thrown.complete(e);
        throw e;
      }
    }, endpoint);
    awaitBlocked();

    onPeer(() -> session.closed("reset by the host"));

    assertThat(thrown.get(5, TimeUnit.SECONDS)).isInstanceOf(SocketException.class)
        .hasMessageContaining("reset by the host").hasMessageContaining("192.168.0.5:5432");
    await(() -> pool.serving().isEmpty(), "server finished");
    assertThat(failures).isEmpty();
    assertThat(onPeer(() -> endpoint.resets)).as("no RST after the host's").isZero();
  }

  @Test
  void peerStoppingInterruptsRunningServersAndResetsTheirConnections() throws Exception {
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    FakeEndpoint sleeping = new FakeEndpoint(1000);
    FakeEndpoint reading = new FakeEndpoint(0xc0a80001, 40001, 0xc0a80006, 80, 1000);
    open(connection -> {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        thrown.complete(e);
        throw e;
      }
    }, sleeping);
    open(connection -> connection.input().read(), reading);
    await(() -> serverThreads().size() == 2, "two servers running");

    onPeer(pool::stop);

    assertThat(pool.awaitStopped(Duration.ofSeconds(5))).isTrue();
    assertThat(thrown.get(1, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
    assertThat(onPeer(() -> sleeping.resets)).isEqualTo(1);
    assertThat(onPeer(() -> reading.resets)).isEqualTo(1);
    assertThat(pool.serving()).isEmpty();
    assertThat(serverThreads()).as("server threads left").isEmpty();
    assertThat(failures).as("a stopped server is no failure").isEmpty();
  }

  @Test
  void aServerStartedAfterTheStopIsResetAtOnce() throws Exception {
    onPeer(pool::stop);
    FakeEndpoint endpoint = new FakeEndpoint(1000);
    open(connection -> {
      throw new AssertionError("never runs");
    }, endpoint);
    assertThat(onPeer(() -> endpoint.resets)).isEqualTo(1);
    assertThat(failures).isEmpty();
  }

  @Test
  void serverHalfClosesAndKeepsReading() throws Exception {
    CompletableFuture<String> request = new CompletableFuture<>();
    FakeEndpoint endpoint = new FakeEndpoint(1000);
    ServerSession session = open(connection -> {
      connection.output().write("hello".getBytes(StandardCharsets.US_ASCII));
      connection.shutdownOutput();
      assertThatThrownBy(() -> connection.output().write('x')).isInstanceOf(SocketException.class)
          .hasMessageContaining("output was shut down");
      request.complete(new String(connection.input().readAllBytes(), StandardCharsets.US_ASCII));
    }, endpoint);

    await(() -> onPeer(() -> endpoint.outputShutdown), "FIN queued");
    assertThat(onPeer(() -> endpoint.sent.toString(StandardCharsets.US_ASCII))).isEqualTo("hello");
    hostSends(session, "still listening".getBytes(StandardCharsets.US_ASCII));
    onPeer(() -> session.inputShutdown(endpoint));
    assertThat(request.get(5, TimeUnit.SECONDS)).isEqualTo("still listening");
    await(() -> pool.serving().isEmpty(), "server finished");
    assertThat(failures).isEmpty();
  }

  @Test
  void hostHalfClosesAndTheServerStillAnswers() throws Exception {
    FakeEndpoint endpoint = new FakeEndpoint(1000);
    ServerSession session = open(connection -> {
      byte[] request = connection.input().readAllBytes(); // until the host's FIN
      connection.output().write(("got " + request.length).getBytes(StandardCharsets.US_ASCII));
    }, endpoint);

    hostSends(session, new byte[1234]);
    onPeer(() -> session.inputShutdown(endpoint));

    await(() -> onPeer(() -> endpoint.outputShutdown), "FIN after the answer");
    assertThat(onPeer(() -> endpoint.sent.toString(StandardCharsets.US_ASCII))).isEqualTo("got 1234");
  }

  @Test
  void closeDiscardsWhatTheHostStillSends() throws Exception {
    CountDownLatch closed = new CountDownLatch(1);
    FakeEndpoint endpoint = new FakeEndpoint(1000);
    ServerSession session = open(connection -> {
      connection.close();
      assertThatThrownBy(() -> connection.input().read()).isInstanceOf(SocketException.class)
          .hasMessageContaining("closed by the server");
      closed.countDown();
    }, endpoint);
    assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();

    hostSends(session, random(200_000));

    assertThat(onPeer(session::receiveWindow)).isEqualTo(ServerSession.INPUT_CAPACITY);
    await(() -> onPeer(() -> endpoint.outputShutdown), "FIN");
    assertThat(failures).isEmpty();
  }

  @Test
  void resetByTheServerSendsRstAndDropsUnsentOutput() throws Exception {
    FakeEndpoint endpoint = new FakeEndpoint(0);
    open(connection -> {
      connection.output().write(new byte[100]);
      connection.reset();
      assertThatThrownBy(() -> connection.output().write(1)).isInstanceOf(SocketException.class)
          .hasMessageContaining("reset by the server");
    }, endpoint);

    await(() -> onPeer(() -> endpoint.resets) == 1, "RST");
    onPeer(() -> {
      endpoint.room = 1000;
      return null;
    });
    await(() -> pool.serving().isEmpty(), "server finished");
    assertThat(onPeer(() -> endpoint.sent.size())).isZero();
    assertThat(onPeer(() -> endpoint.outputShutdown)).isFalse();
    assertThat(failures).isEmpty();
  }

  @Test
  void serverSeesTheAddressesAndRunsOnAThreadNamedAfterTheConnection() throws Exception {
    CompletableFuture<String> seen = new CompletableFuture<>();
    open(connection -> seen.complete(connection.localAddress() + " " + connection.remoteAddress() + " "
        + Thread.currentThread().getName() + " " + Thread.currentThread().isDaemon()), new FakeEndpoint(10));

    assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo("/192.168.0.5:5432 /192.168.0.1:40000 "
        + "faketcp-server 192.168.0.5:5432 <- 192.168.0.1:40000 true");
  }

  @Test
  void interruptingAServerBlockedInReadGivesInterruptedIoException() throws Exception {
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    open(connection -> {
      try {
        connection.input().read();
      } catch (InterruptedIOException e) {
        thrown.complete(e);
      }
    }, new FakeEndpoint(10));
    awaitBlocked();
    serverThreads().get(0).interrupt();
    assertThat(thrown.get(5, TimeUnit.SECONDS)).hasMessageContaining("interrupted while waiting on 192.168.0.5:5432");
  }

  @Test
  void greetingSpeaksFirstThenDiscardsUntilTheHostCloses() throws Exception {
    FakeEndpoint endpoint = new FakeEndpoint(1000);
    ServerSession session = open(Server.greeting("220 ready\r\n"), endpoint);

    await(() -> onPeer(() -> endpoint.sent.size()) == 11, "greeting");
    hostSends(session, random(100_000));
    assertThat(onPeer(() -> endpoint.outputShutdown)).as("no FIN before the host's").isFalse();
    onPeer(() -> session.inputShutdown(endpoint));

    await(() -> onPeer(() -> endpoint.outputShutdown), "FIN");
    assertThat(onPeer(() -> endpoint.sent.toString(StandardCharsets.UTF_8))).isEqualTo("220 ready\r\n");
  }

  @Test
  void fixedResponseAnswersTheFirstBytesThenFin() throws Exception {
    FakeEndpoint endpoint = new FakeEndpoint(1000);
    ServerSession session = open(Server.fixedResponse("HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n"), endpoint);
    Thread.sleep(50);
    assertThat(onPeer(() -> endpoint.sent.size())).as("silent before the request").isZero();

    hostSends(session, "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

    await(() -> onPeer(() -> endpoint.outputShutdown), "FIN after the response");
    assertThat(onPeer(() -> endpoint.sent.toString(StandardCharsets.UTF_8)))
        .isEqualTo("HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n");
    hostSends(session, random(70_000));
    onPeer(() -> session.inputShutdown(endpoint));
    await(() -> pool.serving().isEmpty(), "server finished");
    assertThat(failures).isEmpty();
  }

  @Test
  void readyServersRefuseNullBytesWithAClearMessage() {
    assertThatThrownBy(() -> Server.greeting((byte[]) null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("greeting is null");
    assertThatThrownBy(() -> Server.fixedResponse((String) null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("response is null");
  }

  @Test
  void endpointPassingMoreThanTheWindowIsAnError() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    ServerSession session = open(connection -> never.await(), new FakeEndpoint(10));
    hostSends(session, random(ServerSession.INPUT_CAPACITY));
    assertThatThrownBy(() -> onPeer(() -> session.received(ByteBuffer.allocate(1))))
        .hasRootCauseInstanceOf(IllegalStateException.class)
        .hasStackTraceContaining("passed 1 bytes but the receive window was 0");
    never.countDown();
  }

  @Test
  void ringGrowsOnDemandKeepsTheOrderAcrossWrapsAndReleasesItsArray() {
    Ring ring = new Ring(10_000);
    Random random = new Random(7);
    java.io.ByteArrayOutputStream in = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    assertThat(ring.bytes).isEmpty();
    for (int round = 0; round < 2000; round++) {
      byte[] chunk = new byte[random.nextInt(3000)];
      random.nextBytes(chunk);
      int n = random.nextBoolean() ? ring.put(chunk, 0, chunk.length) : putFromBuffer(ring, chunk);
      in.write(chunk, 0, n);
      byte[] taken = new byte[random.nextInt(3000)];
      out.write(taken, 0, ring.take(taken, 0, taken.length));
      assertThat(ring.bytes.length).isLessThanOrEqualTo(10_000);
    }
    byte[] rest = new byte[ring.size];
    out.write(rest, 0, ring.take(rest, 0, rest.length));
    assertThat(out.toByteArray()).isEqualTo(in.toByteArray());
    assertThat(ring.free()).isEqualTo(10_000);
    ring.release();
    assertThat(ring.bytes).isEmpty();
  }

  @Test
  void aTakeCopyingOutsideTheLockKeepsItsBytesWhenThePutGrowsTheRingAndAReleaseDropsCommits() {
    Ring ring = new Ring(100_000);
    byte[] first = random(3000);
    ring.put(first, 0, first.length);
    // the taker snapshots its part, then the putter makes the array grow before the take commits
    byte[] takenFrom = ring.bytes;
    int head = ring.head;
    int epoch = ring.epoch;
    byte[] second = random(20_000);
    int tail = ring.reserve(second.length);
    assertThat(ring.bytes).as("grown").isNotSameAs(takenFrom);
    Ring.copy(second, 0, ring.bytes, tail, second.length);
    byte[] taken = new byte[first.length];
    Ring.copyOut(takenFrom, head, taken, 0, taken.length);
    assertThat(ring.commitTake(taken.length, epoch)).isTrue();
    assertThat(ring.commitPut(second.length, epoch)).isTrue();
    assertThat(taken).isEqualTo(first);
    byte[] rest = new byte[second.length];
    assertThat(ring.take(rest, 0, rest.length)).isEqualTo(second.length);
    assertThat(rest).isEqualTo(second);

    // a take that empties the ring while a put is under way leaves the head where the put goes
    ring.put(first, 0, first.length);
    epoch = ring.epoch;
    tail = ring.reserve(second.length);
    Ring.copy(second, 0, ring.bytes, tail, second.length);
    assertThat(ring.take(taken, 0, taken.length)).isEqualTo(first.length);
    assertThat(ring.commitPut(second.length, epoch)).isTrue();
    assertThat(ring.take(rest, 0, rest.length)).isEqualTo(second.length);
    assertThat(rest).isEqualTo(second);

    // released (reset, close) while copies were under way: neither commit counts
    ring.put(first, 0, first.length);
    epoch = ring.epoch;
    tail = ring.reserve(10);
    ring.release();
    assertThat(ring.commitPut(10, epoch)).isFalse();
    assertThat(ring.commitTake(first.length, epoch)).isFalse();
    assertThat(ring.size).isZero();
    assertThat(ring.free()).isEqualTo(100_000);
  }

  private static int putFromBuffer(Ring ring, byte[] chunk) {
    int n = Math.min(chunk.length, ring.free());
    ring.put(ByteBuffer.wrap(chunk, 0, n), n);
    return n;
  }

  // ---- helpers ----

  private ServerSession open(Server server, FakeEndpoint endpoint) throws Exception {
    ServerSession session = pool.session(TestAccess.handler(server));
    onPeer(() -> session.opened(endpoint));
    return session;
  }

  /** The host sends {@code data}, as fast as the receive window allows (10 s at most). */
  private void hostSends(ServerSession session, byte[] data) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int offset = 0;
    while (offset < data.length) {
      int from = offset;
      int n = onPeer(() -> {
        int k = Math.min(session.receiveWindow(), data.length - from);
        if (k > 0) {
          session.received(ByteBuffer.wrap(data, from, k));
        }
        return k;
      });
      offset += n;
      if (n == 0) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("window stayed closed after " + offset + " of " + data.length + " bytes");
        }
        Thread.sleep(1);
      }
    }
  }

  /** The host sends {@code data} in pieces of at most {@code piece} bytes, each as the window allows. */
  private void hostSendsInPieces(ServerSession session, byte[] data, int piece) throws Exception {
    for (int at = 0; at < data.length; at += piece) {
      hostSends(session, java.util.Arrays.copyOfRange(data, at, Math.min(data.length, at + piece)));
    }
  }

  /**
   * The host sends {@code data} in pieces of at most {@code piece} bytes while the send queue takes
   * some pieces whole (the peer thread hands them over itself when the server transfers into its own
   * output), some in part and some not at all (they wait in the rings for the server's thread).
   */
  private void hostSendsWithChangingRoom(ServerSession session, FakeEndpoint endpoint, byte[] data, int piece)
      throws Exception {
    for (int at = 0, k = 0; at < data.length; at += piece, k++) {
      int room = k % 3 == 0 ? Integer.MAX_VALUE : k % 3 == 1 ? 7_000 : 0;
      onPeer(() -> {
        endpoint.room = room;
        session.writable();
      });
      hostSends(session, java.util.Arrays.copyOfRange(data, at, Math.min(data.length, at + piece)));
    }
    onPeer(() -> {
      endpoint.room = Integer.MAX_VALUE;
      session.writable();
    });
  }

  /** The session knows the sum of every whole block of its output, {@code sent}, and they are right. */
  private void assertBlockSums(ServerSession session, byte[] sent) throws Exception {
    assertThat(knownBlockSums(session, sent)).isEqualTo(sent.length / Application.SUM_BLOCK);
  }

  /** How many whole blocks of its output, {@code sent}, the session knows the sum of; each known one is right. */
  private int knownBlockSums(ServerSession session, byte[] sent) throws Exception {
    int block = Application.SUM_BLOCK;
    int known = 0;
    for (int k = 0; k < sent.length / block; k++) {
      int b = k;
      int sum = onPeer(() -> session.blockSum(b));
      if (sum >= 0) {
        assertThat(sum).as("sum of block %d", k).isEqualTo(BlockSumsTest.reference(sent, k * block, block));
        known++;
      }
    }
    return known;
  }

  private <T> T onPeer(Callable<T> task) throws Exception {
    return peer.submit(task).get(5, TimeUnit.SECONDS);
  }

  private void onPeer(Runnable task) throws Exception {
    peer.submit(task).get(5, TimeUnit.SECONDS);
  }

  private List<Thread> serverThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && (t.getName().startsWith("faketcp-server-" + poolName + "-")
            || t.getName().startsWith("faketcp-server 192.168.0.")))
        .collect(Collectors.toList());
  }

  private void awaitBlocked() {
    await(() -> serverThreads().stream().anyMatch(t -> t.getState() == Thread.State.WAITING), "server blocked");
  }

  private static byte[] random(int n) {
    byte[] bytes = new byte[n];
    new Random(n).nextBytes(bytes);
    return bytes;
  }

  static void await(CheckedCondition condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    try {
      while (!condition.holds()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("timed out waiting for: " + what);
        }
        Thread.sleep(5);
      }
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError("while waiting for " + what, e);
    }
  }

  /** A condition that may throw (it asks the peer thread). */
  interface CheckedCondition {
    boolean holds() throws Exception;
  }
}
