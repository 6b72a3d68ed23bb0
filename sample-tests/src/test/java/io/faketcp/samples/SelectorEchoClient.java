package io.faketcp.samples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Application code under test: talks to several echo servers at once from one thread, over
 * non-blocking {@link SocketChannel}s on one {@link Selector}: sends each its payload, reads until the
 * same number of bytes came back, closes. One deadline covers everything.
 */
public final class SelectorEchoClient {
  private final Duration timeout;

  /** Every exchange must be complete within {@code timeout}. */
  public SelectorEchoClient(Duration timeout) {
    this.timeout = timeout;
  }

  /**
   * Sends each server its payload and returns what each sent back.
   *
   * @throws EchoTimeoutException when some server has not echoed everything in time; it names them
   * @throws IOException when a connection fails
   */
  public Map<InetSocketAddress, byte[]> exchange(Map<InetSocketAddress, byte[]> payloads) throws IOException {
    long end = System.nanoTime() + timeout.toNanos();
    Map<InetSocketAddress, byte[]> echoed = new LinkedHashMap<>();
    List<Exchange> open = new ArrayList<>();
    try (Selector selector = Selector.open()) {
      try {
        for (Map.Entry<InetSocketAddress, byte[]> e : payloads.entrySet()) {
          Exchange x = new Exchange(e.getKey(), e.getValue());
          open.add(x);
          x.channel.configureBlocking(false);
          int interest = x.channel.connect(x.server) ? SelectionKey.OP_WRITE | SelectionKey.OP_READ : SelectionKey.OP_CONNECT;
          x.channel.register(selector, interest, x);
        }
        while (echoed.size() < payloads.size()) {
          long left = (end - System.nanoTime()) / 1_000_000;
          if (left <= 0) {
            throw new EchoTimeoutException(describe(open));
          }
          selector.select(left);
          for (SelectionKey key : selector.selectedKeys()) {
            Exchange x = (Exchange) key.attachment();
            if (key.isConnectable() && x.channel.finishConnect()) {
              x.connected = true;
              key.interestOps(SelectionKey.OP_WRITE | SelectionKey.OP_READ);
            }
            if (key.isValid() && key.isWritable()) {
              x.channel.write(x.out);
              if (!x.out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ);
              }
            }
            if (key.isValid() && key.isReadable() && x.read()) {
              echoed.put(x.server, x.in.toByteArray());
              x.channel.close();
              open.remove(x);
            }
          }
          selector.selectedKeys().clear();
        }
        return echoed;
      } finally {
        for (Exchange x : open) {
          x.channel.close();
        }
      }
    }
  }

  private static String describe(List<Exchange> pending) {
    List<String> parts = new ArrayList<>();
    for (Exchange x : pending) {
      parts.add(x.server.getAddress().getHostAddress() + ":" + x.server.getPort() + " ("
          + (x.connected ? "sent " + x.out.position() + " of " + x.out.limit() + " bytes, received " + x.in.size()
              : "connecting") + ")");
    }
    return "no complete echo from " + String.join(", ", parts);
  }

  private static final class Exchange {
    final InetSocketAddress server;
    final ByteBuffer out;
    final ByteArrayOutputStream in = new ByteArrayOutputStream();
    final ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
    final SocketChannel channel;
    boolean connected;

    Exchange(InetSocketAddress server, byte[] payload) throws IOException {
      this.server = server;
      this.out = ByteBuffer.wrap(payload);
      this.channel = SocketChannel.open();
    }

    /** Reads what is there; true once as many bytes came back as were sent. */
    boolean read() throws IOException {
      int n;
      while ((n = channel.read(buffer)) > 0) {
        in.write(buffer.array(), 0, n);
        buffer.clear();
      }
      if (n < 0 && in.size() < out.limit()) {
        throw new IOException(server + " closed the connection after echoing " + in.size() + " of " + out.limit()
            + " bytes");
      }
      return in.size() >= out.limit();
    }
  }

  /** Some server did not echo everything in time. */
  public static final class EchoTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;

    EchoTimeoutException(String message) {
      super(message);
    }
  }
}
