package io.faketcp.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumTest {

    /** Textbook RFC 1071: 16-bit words, end-around carry, no tricks. */
    private static int reference(byte[] data, int offset, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            int hi = data[offset + i] & 0xFF;
            int lo = i + 1 < length ? data[offset + i + 1] & 0xFF : 0;
            sum += hi << 8 | lo;
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) ~sum & 0xFFFF;
    }

    @Test
    void rfc1071WorkedExampleGivesTheComplementOfDdf2() {
        // RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2.
        ByteBuffer b = ByteBuffer.wrap(new byte[] {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5,
                (byte) 0xf6, (byte) 0xf7});

        assertThat(Checksum.compute(b, 0, 8)).isEqualTo(~0xddf2 & 0xFFFF);
    }

    @Test
    void oddLengthIsPaddedWithAZeroByte() {
        ByteBuffer odd = ByteBuffer.wrap(new byte[] {0x12, 0x34, 0x56});
        ByteBuffer padded = ByteBuffer.wrap(new byte[] {0x12, 0x34, 0x56, 0x00});

        assertThat(Checksum.compute(odd, 0, 3)).isEqualTo(Checksum.compute(padded, 0, 4))
                .isEqualTo(~(0x1234 + 0x5600) & 0xFFFF);
    }

    @Test
    void matchesTheTextbookAlgorithmForEveryLengthAndAlignment() {
        Random random = new Random(1071);
        byte[] data = new byte[300];
        for (int round = 0; round < 20; round++) {
            random.nextBytes(data);
            ByteBuffer heap = ByteBuffer.wrap(data);
            ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
            for (int offset = 0; offset < 9; offset++) {
                for (int length = 0; length <= 270; length++) {
                    int expected = reference(data, offset, length);
                    assertThat(Checksum.compute(heap, offset, length)).as("offset %d length %d", offset, length)
                            .isEqualTo(expected);
                    assertThat(Checksum.compute(direct, offset, length)).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void matchesTheTextbookAlgorithmAcrossTheChunksOfBigSegments() {
        // From 128 bytes on the sum copies 4 KiB chunks of longs: lengths around the chunk edges,
        // from every offset in a long, up to the largest IPv4 payload.
        Random random = new Random(9293);
        byte[] data = new byte[65535 + 16];
        random.nextBytes(data);
        ByteBuffer heap = ByteBuffer.wrap(data);
        ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
        ByteBuffer little = ByteBuffer.allocateDirect(data.length).put(data).flip().order(ByteOrder.LITTLE_ENDIAN);
        int[] lengths = {127, 128, 129, 135, 136, 4095, 4096, 4097, 4103, 4104, 8191, 8192, 8200, 12289,
                1448, 8948, 65483, 65515, 65535};
        for (int offset = 0; offset < 9; offset++) {
            for (int length : lengths) {
                int expected = reference(data, offset, length);
                assertThat(Checksum.compute(heap, offset, length)).as("offset %d length %d", offset, length)
                        .isEqualTo(expected);
                assertThat(Checksum.compute(direct, offset, length)).as("direct, offset %d length %d", offset, length)
                        .isEqualTo(expected);
                assertThat(Checksum.compute(little, offset, length)).as("little-endian, offset %d length %d", offset, length)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void heapBuffersThatStartInsideTheirArrayAndReadOnlyOnesSumTheirOwnBytes() {
        // A heap buffer is summed from its array (a separate path from a direct buffer's): a slice
        // starts at its array offset, a read-only buffer has no accessible array and takes the other path.
        Random random = new Random(1624);
        byte[] data = new byte[70_000];
        random.nextBytes(data);
        for (int start : new int[] {1, 3, 8, 4099}) {
            ByteBuffer slice = ByteBuffer.wrap(data, start, data.length - start).slice();
            ByteBuffer readOnly = ByteBuffer.wrap(data).asReadOnlyBuffer();
            for (int length : new int[] {0, 1, 2, 7, 8, 9, 15, 16, 17, 129, 4096, 4101, 65535}) {
                for (int offset = 0; offset < 3; offset++) {
                    int expected = reference(data, start + offset, length);
                    assertThat(Checksum.compute(slice, offset, length)).as("slice at %d, offset %d length %d", start, offset, length)
                            .isEqualTo(expected);
                    assertThat(Checksum.compute(readOnly, start + offset, length)).as("read-only, offset %d length %d",
                            start + offset, length).isEqualTo(expected);
                    assertThat(Checksum.compute(data, start + offset, length)).as("array, offset %d length %d",
                            start + offset, length).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void rfc1071WorkedExampleRepeatedOverAFullSegmentSumsAsOften() {
        // 8,184 copies of RFC 1071's example (65,472 bytes): 8,184 * 0xddf2 folded, complemented.
        ByteBuffer b = ByteBuffer.allocateDirect(65472);
        for (int i = 0; i < 8184; i++) {
            b.put(new byte[] {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7});
        }
        long sum = 8184L * 0xddf2;
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }

        assertThat(Checksum.compute(b, 0, 65472)).isEqualTo((int) ~sum & 0xFFFF);
    }

    @Test
    void allOnesDataDoesNotOverflowTheAccumulator() {
        byte[] data = new byte[65535];
        java.util.Arrays.fill(data, (byte) 0xFF);

        assertThat(Checksum.compute(ByteBuffer.wrap(data), 0, data.length)).isEqualTo(reference(data, 0, data.length));
    }

    @Test
    void littleEndianBufferGivesTheSameChecksumAndKeepsItsOrderAndPosition() {
        byte[] data = LinuxCapture.bytes(LinuxCapture.DATA);
        ByteBuffer little = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).position(3);

        assertThat(Checksum.compute(little, 0, 20)).isZero();
        assertThat(Checksum.tcpUdp(little, 0, IpProtocol.TCP, 20, data.length - 20)).isZero();
        assertThat(little.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(little.position()).isEqualTo(3);
    }

    @Test
    void capturedHeadersAndSegmentsVerifyToZero() {
        for (String hex : new String[] {LinuxCapture.SYN, LinuxCapture.SYN_ACK, LinuxCapture.ACK, LinuxCapture.DATA,
                LinuxCapture.FIN, LinuxCapture.RST}) {
            ByteBuffer b = LinuxCapture.buffer(hex);
            assertThat(Checksum.compute(b, 0, 20)).as(hex).isZero();
            assertThat(Checksum.tcpUdp(b, 0, IpProtocol.TCP, 20, b.limit() - 20)).as(hex).isZero();
        }
        ByteBuffer udp = LinuxCapture.buffer(LinuxCapture.UDP);
        assertThat(Checksum.tcpUdp(udp, 0, IpProtocol.UDP, 20, udp.limit() - 20)).isZero();
        ByteBuffer icmp = LinuxCapture.buffer(LinuxCapture.ECHO_REQUEST);
        assertThat(Checksum.compute(icmp, 20, icmp.limit() - 20)).isZero();
    }

    @Test
    void computingWithTheFieldZeroedReproducesTheCapturedValues() {
        // The odd-length data segment: TCP checksum 0x2245 at byte 36, IP checksum 0x005d at byte 10.
        ByteBuffer b = LinuxCapture.buffer(LinuxCapture.DATA);
        b.putShort(36, (short) 0);
        b.putShort(10, (short) 0);

        assertThat(Checksum.tcpUdp(b, 0, IpProtocol.TCP, 20, 37)).isEqualTo(0x2245);
        assertThat(Checksum.compute(b, 0, 20)).isEqualTo(0x005d);
    }

    @Test
    void regionOutsideTheArrayIsRejected() {
        assertThatThrownBy(() -> Checksum.compute(new byte[8], 4, 5)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Checksum.compute(new byte[8], -1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void regionOutsideTheBufferIsRejected() {
        ByteBuffer b = ByteBuffer.allocate(10).limit(8);

        assertThatThrownBy(() -> Checksum.compute(b, 4, 6)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Checksum.tcpUdp(b, 0, 6, 0, 8)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
