package io.faketcp.junit5.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes captured packets as a pcap file (the format of libpcap, tcpdump and Wireshark): a global header
 * (nanosecond timestamps, link type RAW, the capture's snap length), then per packet a record header
 * giving the bytes kept and the length on the wire, as {@code tcpdump -s} writes a packet it cut, and the
 * bytes kept. Written here, not by libpcap: pcap4j's dumper records every packet as whole.
 */
final class PcapFile {
  private static final int MAGIC_NANOS = 0xa1b23c4d;
  private static final int LINKTYPE_RAW = 101;

  private PcapFile() {}

  /** Writes {@code packets} to {@code file}, creating its directory, with {@code snapLength} in the header. */
  static void write(Path file, List<CaptureRecord> packets, int snapLength) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
      write(out, packets, snapLength);
    }
  }

  /** Writes the file's bytes to {@code out}. */
  static void write(OutputStream out, List<CaptureRecord> packets, int snapLength) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(MAGIC_NANOS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
        .putInt(snapLength).putInt(LINKTYPE_RAW);
    out.write(header.array());
    ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    for (CaptureRecord r : packets) {
      byte[] bytes = r.bytes();
      int kept = Math.min(bytes.length, snapLength);
      record.clear();
      record.putInt((int) Math.floorDiv(r.epochNanos(), 1_000_000_000L))
          .putInt((int) Math.floorMod(r.epochNanos(), 1_000_000_000L))
          .putInt(kept)
          .putInt(Math.max(r.originalLength(), kept));
      out.write(record.array());
      out.write(bytes, 0, kept);
    }
  }
}
