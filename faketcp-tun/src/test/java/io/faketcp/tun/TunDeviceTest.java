package io.faketcp.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RequiresTun.class)
class TunDeviceTest {

  @Test
  void openCreatesAnInterfaceWithTheHostAddressAndCloseRemovesIt() throws Exception {
    String name;
    try (TunDevice tun = TunDevice.builder().subnet(Subnet.parse("192.168.3.0/24")).mtu(1400).open()) {
      name = tun.name();
      assertThat(name).startsWith("tun");
      Path sys = Path.of("/sys/class/net", name);
      assertThat(sys).exists();
      assertThat(Files.readString(sys.resolve("mtu")).trim()).isEqualTo("1400");
      assertThat(Files.readString(sys.resolve("tx_queue_len")).trim()).isEqualTo("4096");
      assertThat(Integer.decode(Files.readString(sys.resolve("flags")).trim()) & 1).isEqualTo(1);
      assertThat(Files.readString(Path.of("/proc/sys/net/ipv6/conf", name, "disable_ipv6")).trim()).isEqualTo("1");
      assertThat(Files.readString(Path.of("/proc/net/route"))).contains(name + "\t0003A8C0");
    }
    assertThat(Path.of("/sys/class/net", name)).doesNotExist();
  }

  @Test
  void aDatagramToThePeerSubnetIsReadFromTheDevice() throws Exception {
    try (TunDevice tun = TunDevice.builder().name("faketcp-t1").open();
        DatagramSocket socket = new DatagramSocket()) {
      assertThat(tun.name()).isEqualTo("faketcp-t1");
      byte[] hello = "hello".getBytes();
      socket.send(new DatagramPacket(hello, hello.length, new InetSocketAddress("192.168.0.9", 9999)));
      ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
      assertThat(tun.awaitReadable(2000)).isTrue();
      int n = tun.read(buffer);
      assertThat(n).isEqualTo(20 + 8 + 5);
      assertThat(buffer.get(0) >>> 4).isEqualTo(4);
      assertThat(buffer.get(9)).isEqualTo((byte) 17);
      assertThat(buffer.getInt(16)).isEqualTo(0xc0a80009);
      assertThat(tun.read(buffer)).as("nothing more waiting").isZero();
    }
  }

  @Test
  void closeWakesAThreadWaitingForPacketsAndRemovesTheInterfaceAtOnce() throws Exception {
    TunDevice tun = TunDevice.builder().open();
    CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
      try {
        tun.awaitReadable(-1);
        return null;
      } catch (Throwable t) {
        return t;
      }
    });
    Thread.sleep(100);
    assertThat(reader).isNotDone();
    tun.close();
    assertThat(reader.get(2, TimeUnit.SECONDS)).isInstanceOf(TunException.class).hasMessageContaining("closed");
    assertThat(Path.of("/sys/class/net", tun.name())).doesNotExist();
    assertThatThrownBy(() -> tun.read(ByteBuffer.allocateDirect(2048))).isInstanceOf(TunException.class);
    tun.close(); // idempotent
  }

  @Test
  void wakeupMakesAWaitReturnFalse() throws Exception {
    try (TunDevice tun = TunDevice.builder().open()) {
      CompletableFuture<Boolean> reader = CompletableFuture.supplyAsync(() -> tun.awaitReadable(10_000));
      Thread.sleep(50);
      tun.wakeup();
      assertThat(reader.get(2, TimeUnit.SECONDS)).isFalse();
    }
  }

  @Test
  void anAttachedThreadReadsAndWritesAndIsWokenWhenAnotherThreadCloses() throws Exception {
    TunDevice tun = TunDevice.builder().name("faketcp-t2").open();
    CompletableFuture<ByteBuffer> attached = new CompletableFuture<>();
    CompletableFuture<Throwable> ended = new CompletableFuture<>();
    Thread io = new Thread(() -> {
      try (TunDevice.Attachment a = tun.attach();
          DatagramSocket socket = new DatagramSocket()) {
        assertThatThrownBy(tun::attach).isInstanceOf(IllegalStateException.class).hasMessageContaining("already attached");
        socket.send(new DatagramPacket(new byte[3], 3, new InetSocketAddress("192.168.0.9", 9999)));
        ByteBuffer in = ByteBuffer.allocateDirect(2048);
        tun.awaitReadable(2000);
        tun.read(in);
        attached.complete(ByteBuffer.allocateDirect(2048).put(in).flip());
        while (true) {
          tun.awaitReadable(-1);
        }
      } catch (Throwable t) {
        ended.complete(t);
      }
    });
    io.start();
    long start;
    try {
      ByteBuffer packet = attached.get(5, TimeUnit.SECONDS);
      assertThat(packet.remaining()).isEqualTo(20 + 8 + 3);
      assertThatThrownBy(tun::attach).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already attached to faketcp-t2");
      tun.write(packet); // another thread may still write (the locked path): the datagram goes back in
    } finally {
      start = System.nanoTime();
      tun.close();
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("close does not wait for its timeout")
        .isLessThan(2000);
    assertThat(ended.get(2, TimeUnit.SECONDS)).isInstanceOf(TunException.class).hasMessageContaining("closed");
    assertThat(Path.of("/sys/class/net/faketcp-t2")).doesNotExist();
    io.join(2000);
  }

  @Test
  void anAttachedThreadDrainsABurstPacketByPacketThenReadsNothingUntilTheNextPacket() throws Exception {
    try (TunDevice tun = TunDevice.builder().open();
        TunDevice.Attachment a = tun.attach();
        DatagramSocket socket = new DatagramSocket()) {
      for (int size = 1; size <= 3; size++) {
        socket.send(new DatagramPacket(new byte[size], size, new InetSocketAddress("192.168.0.9", 9999)));
      }
      ByteBuffer in = ByteBuffer.allocateDirect(2048);
      List<Integer> lengths = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (lengths.size() < 3 && System.nanoTime() < deadline) {
        tun.awaitReadable(1000);
        int n;
        while ((n = tun.read(in)) > 0) { // after a packet, the next read does not capture errno
          if (in.get(9) == 17) { // UDP: ours (the kernel may send IGMP or router solicitations too)
            lengths.add(n);
          }
        }
      }
      assertThat(lengths).containsExactly(29, 30, 31);
      assertThat(tun.read(in)).as("a read after the batch ended (errno captured): nothing").isZero();
      socket.send(new DatagramPacket(new byte[4], 4, new InetSocketAddress("192.168.0.9", 9999)));
      assertThat(tun.awaitReadable(2000)).isTrue();
      int n;
      do {
        n = tun.read(in);
      } while (n > 0 && in.get(9) != 17);
      assertThat(n).isEqualTo(32);
    }
  }

  @Test
  void closeOnTheAttachedThreadItselfDoesNotWait() {
    TunDevice tun = TunDevice.builder().open();
    try (TunDevice.Attachment a = tun.attach()) {
      long start = System.nanoTime();
      tun.close();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2000);
      assertThatThrownBy(() -> tun.read(ByteBuffer.allocateDirect(2048))).isInstanceOf(TunException.class)
          .hasMessageContaining("closed");
    }
    assertThatThrownBy(tun::attach).isInstanceOf(TunException.class).hasMessageContaining("closed");
  }

  @Test
  void aMultiQueueDeviceSpreadsFlowsOverItsQueuesAndGoesAwayWithTheLast() throws Exception {
    TunDevice first = TunDevice.builder().name("faketcp-mq").multiQueue(true).open();
    TunDevice second = first.addQueue();
    try {
      assertThat(second.name()).isEqualTo("faketcp-mq");
      int[] seen = new int[2];
      try (DatagramSocket socket = new DatagramSocket()) {
        ByteBuffer in = ByteBuffer.allocateDirect(2048);
        for (int port = 10000; port < 10064; port++) {
          socket.send(new DatagramPacket(new byte[1], 1, new InetSocketAddress("192.168.0.9", port)));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (seen[0] + seen[1] < 64 && System.nanoTime() < deadline) {
          TunDevice[] queues = {first, second};
          for (int q = 0; q < 2; q++) {
            while (queues[q].read(in) > 0) {
              seen[q]++;
            }
          }
        }
      }
      assertThat(seen[0] + seen[1]).as("datagrams read from either queue").isEqualTo(64);
      assertThat(seen[0]).as("flows on the first queue").isPositive();
      assertThat(seen[1]).as("flows on the second queue").isPositive();
      first.close();
      assertThat(Path.of("/sys/class/net/faketcp-mq")).as("the second queue keeps the interface").exists();
      second.close();
      assertThat(Path.of("/sys/class/net/faketcp-mq")).doesNotExist();
    } finally {
      first.close();
      second.close();
    }
    try (TunDevice single = TunDevice.builder().open()) {
      assertThatThrownBy(single::addQueue).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("multiQueue(true)");
    }
  }

  @Test
  void aNameAlreadyInUseIsRefusedWithTheReason() {
    try (TunDevice first = TunDevice.builder().name("faketcp-dup").open()) {
      assertThatThrownBy(() -> TunDevice.builder().name("faketcp-dup").subnet(Subnet.parse("10.9.0.0/24")).open())
          .isInstanceOf(TunException.class)
          .hasMessageContaining("ioctl(TUNSETIFF, faketcp-dup) failed: Device or resource busy")
          .hasMessageContaining("already exists");
    }
  }

  @Test
  void badNamesAreRejectedBeforeAnySyscall() {
    assertThatThrownBy(() -> TunDevice.builder().name("a-name-that-is-too-long"))
        .hasMessageContaining("23 characters").hasMessageContaining("shorter than 16");
    assertThatThrownBy(() -> TunDevice.builder().name("tün0")).hasMessageContaining("character 'ü'");
    assertThatThrownBy(() -> TunDevice.builder().name("tun%s")).hasMessageContaining("only one '%d'");
    assertThatThrownBy(() -> TunDevice.builder().name("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> TunDevice.builder().mtu(100)).hasMessageContaining("mtu 100");
  }
}
