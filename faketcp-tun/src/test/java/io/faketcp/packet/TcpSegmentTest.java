package io.faketcp.packet;

import static io.faketcp.packet.LinuxCapture.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TcpSegmentTest {

    private static final int CLIENT = 0xC0A80001; // 192.168.0.1
    private static final int SERVER = 0xC0A80005; // 192.168.0.5

    private static TcpSegment segment(String hex) throws MalformedPacketException {
        return TcpSegment.wrap(Ipv4Packet.wrap(bytes(hex)));
    }

    private static String rejection(byte[] packet) throws MalformedPacketException {
        Ipv4Packet ip = Ipv4Packet.wrap(packet);
        return catchThrowableOfType(MalformedPacketException.class, () -> TcpSegment.wrap(ip)).reason();
    }

    /** A client-to-server segment with the given raw option bytes and correct checksums. */
    private static byte[] withOptions(int... values) {
        byte[] options = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            options[i] = (byte) values[i];
        }
        return TcpSegment.builder().source(CLIENT).destination(SERVER).sourcePort(1).destinationPort(2)
                .flags(TcpSegment.SYN).options(options).build();
    }

    @Test
    void synWithLinuxOptionsParsesEveryOption() throws Exception {
        byte[] raw = bytes(LinuxCapture.SYN);
        TcpSegment syn = TcpSegment.wrap(Ipv4Packet.wrap(raw));

        assertThat(syn.sourcePort()).isEqualTo(41234).isEqualTo(((raw[20] & 0xFF) << 8) | (raw[21] & 0xFF));
        assertThat(syn.destinationPort()).isEqualTo(4242);
        assertThat(syn.sequenceNumber()).isEqualTo(2670275419L).isEqualTo(0x9f292b5bL);
        assertThat(syn.acknowledgmentNumber()).isZero();
        assertThat(syn.dataOffset()).isEqualTo(40).isEqualTo((raw[32] >> 4 & 0xF) * 4);
        assertThat(syn.flags()).isEqualTo(TcpSegment.SYN).isEqualTo(raw[33]);
        assertThat(syn.syn()).isTrue();
        assertThat(syn.ack() || syn.fin() || syn.rst() || syn.psh() || syn.urg() || syn.ece() || syn.cwr()).isFalse();
        assertThat(syn.window()).isEqualTo(64240);
        assertThat(syn.checksum()).isEqualTo(0xcce5);
        assertThat(syn.urgentPointer()).isZero();
        assertThat(syn.payloadOffset()).isEqualTo(60);
        assertThat(syn.payloadLength()).isZero();

        TcpOptions options = syn.options();
        assertThat(options.mss()).isEqualTo(1460);
        assertThat(options.sackPermitted()).isTrue();
        assertThat(options.hasTimestamps()).isTrue();
        assertThat(options.tsVal()).isEqualTo(2680087271L);
        assertThat(options.tsEcr()).isZero();
        assertThat(options.windowScale()).isEqualTo(10);
        assertThat(options.sackBlockCount()).isZero();
        assertThat(options.length()).isEqualTo(20);
        assertThat(options).hasToString("mss 1460,sackOK,TS val 2680087271 ecr 0,nop,wscale 10");
        assertThat(syn).hasToString("IP 192.168.0.1.41234 > 192.168.0.5.4242: Flags [S], seq 2670275419, win 64240, "
                + "options [mss 1460,sackOK,TS val 2680087271 ecr 0,nop,wscale 10], length 0");
    }

    @Test
    void synAckIsPrintedWithSeqAndAck() throws Exception {
        TcpSegment synAck = segment(LinuxCapture.SYN_ACK);

        assertThat(synAck.flags()).isEqualTo(TcpSegment.SYN | TcpSegment.ACK);
        assertThat(synAck.sequenceNumber()).isEqualTo(4148555280L);
        assertThat(synAck.acknowledgmentNumber()).isEqualTo(2670275420L);
        assertThat(synAck.options().tsEcr()).isEqualTo(2680087271L);
        assertThat(synAck).hasToString("IP 192.168.0.5.4242 > 192.168.0.1.41234: Flags [S.], seq 4148555280, "
                + "ack 2670275420, win 65160, options [mss 1460,sackOK,TS val 440831948 ecr 2680087271,nop,wscale 10], "
                + "length 0");
    }

    @Test
    void pureAckIsPrintedWithoutSeq() throws Exception {
        TcpSegment ack = segment(LinuxCapture.ACK);

        assertThat(ack.options().mss()).isEqualTo(-1);
        assertThat(ack.options().windowScale()).isEqualTo(-1);
        assertThat(ack.options().sackPermitted()).isFalse();
        assertThat(ack).hasToString("IP 192.168.0.1.41234 > 192.168.0.5.4242: Flags [.], ack 4148555281, win 63, "
                + "options [nop,nop,TS val 2680087271 ecr 440831948], length 0");
    }

    @Test
    void dataSegmentWithOddLengthExposesItsPayload() throws Exception {
        TcpSegment data = segment(LinuxCapture.DATA);

        assertThat(data.psh()).isTrue();
        assertThat(data.payloadOffset()).isEqualTo(52);
        assertThat(data.payloadLength()).isEqualTo(5);
        ByteBuffer payload = data.payload();
        assertThat(payload.isReadOnly()).isTrue();
        assertThat(payload.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(payload.position()).isZero();
        assertThat(StandardCharsets.US_ASCII.decode(payload).toString()).isEqualTo("hello");
        assertThatThrownBy(() -> data.payload().put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
        assertThat(data).hasToString("IP 192.168.0.1.41234 > 192.168.0.5.4242: Flags [P.], seq 2670275420:2670275425, "
                + "ack 4148555281, win 63, options [nop,nop,TS val 2680087471 ecr 440831948], length 5");
    }

    @Test
    void finAndRstArePrintedLikeTcpdump() throws Exception {
        assertThat(segment(LinuxCapture.FIN)).hasToString("IP 192.168.0.1.41234 > 192.168.0.5.4242: Flags [F.], "
                + "seq 2670275425, ack 4148555281, win 63, options [nop,nop,TS val 2680087672 ecr 440832148], length 0");
        TcpSegment rst = segment(LinuxCapture.RST);
        assertThat(rst.rst()).isTrue();
        assertThat(rst.dataOffset()).isEqualTo(20);
        assertThat(rst.options().length()).isZero();
        assertThat(rst).hasToString(
                "IP 192.168.0.5.9 > 192.168.0.1.41235: Flags [R.], seq 0, ack 61080830, win 0, length 0");
    }

    @Test
    void parsesInPlaceInADirectBuffer() throws Exception {
        ByteBuffer buf = LinuxCapture.direct(LinuxCapture.DATA, 7);

        TcpSegment data = TcpSegment.wrap(Ipv4Packet.wrap(buf));

        assertThat(data.ip().buffer()).isSameAs(buf);
        assertThat(data.payloadOffset()).isEqualTo(7 + 52);
        assertThat(buf.get(data.payloadOffset())).isEqualTo((byte) 'h');
        assertThat(buf.position()).isEqualTo(7);
        assertThat(data.options()).isSameAs(data.options());
    }

    @Test
    void builderReproducesLinuxSynByteForByte() {
        byte[] built = TcpSegment.builder().source(CLIENT).destination(SERVER).identification(0xb909)
                .sourcePort(41234).destinationPort(4242).sequenceNumber(2670275419L).flags(TcpSegment.SYN)
                .window(64240).mss(1460).sackPermitted(true).timestamps(2680087271L, 0).windowScale(10).build();

        assertThat(LinuxCapture.hex(built)).isEqualTo(LinuxCapture.SYN);
    }

    @Test
    void builderReproducesLinuxSynAckByteForByte() {
        byte[] built = TcpSegment.builder().source(SERVER).destination(CLIENT).sourcePort(4242)
                .destinationPort(41234).sequenceNumber(4148555280L).acknowledgmentNumber(2670275420L)
                .flags(TcpSegment.SYN | TcpSegment.ACK).window(65160).mss(1460).sackPermitted(true)
                .timestamps(440831948L, 2680087271L).windowScale(10).build();

        assertThat(LinuxCapture.hex(built)).isEqualTo(LinuxCapture.SYN_ACK);
    }

    @Test
    void builderReproducesLinuxDataSegmentWithOddPayloadByteForByte() {
        byte[] built = TcpSegment.builder().source(CLIENT).destination(SERVER).identification(0xb90b)
                .sourcePort(41234).destinationPort(4242).sequenceNumber(2670275420L).acknowledgmentNumber(4148555281L)
                .flags(TcpSegment.PSH | TcpSegment.ACK).window(63).timestamps(0x9fbee3afL, 0x1a468fccL)
                .payload("hello".getBytes(StandardCharsets.US_ASCII)).build();

        assertThat(LinuxCapture.hex(built)).isEqualTo(LinuxCapture.DATA);
    }

    @Test
    void withItsChecksumPendingTheFieldHoldsThePseudoHeadersSumAndCompletingItGivesLinuxsChecksum() {
        byte[] built = TcpSegment.builder().source(CLIENT).destination(SERVER).identification(0xb90b)
                .sourcePort(41234).destinationPort(4242).sequenceNumber(2670275420L).acknowledgmentNumber(4148555281L)
                .flags(TcpSegment.PSH | TcpSegment.ACK).window(63).timestamps(0x9fbee3afL, 0x1a468fccL)
                .payload("hello".getBytes(StandardCharsets.US_ASCII)).checksumPending(true).build();
        byte[] linux = bytes(LinuxCapture.DATA);
        ByteBuffer b = ByteBuffer.wrap(built);

        // c0a8 + 0001 + c0a8 + 0005 + 0006 (TCP) + 0025 (37 bytes) = 0x18181, folded 0x8182
        assertThat(b.getShort(20 + 16) & 0xffff).isEqualTo(0x8182);
        b.putShort(20 + 16, (short) Checksum.compute(b, 20, built.length - 20));
        assertThat(built).isEqualTo(linux);
    }

    @Test
    void builderReproducesLinuxRstByteForByte() {
        byte[] built = TcpSegment.builder().source(SERVER).destination(CLIENT).sourcePort(9).destinationPort(41235)
                .acknowledgmentNumber(61080830L).flags(TcpSegment.RST | TcpSegment.ACK).window(0).build();

        assertThat(LinuxCapture.hex(built)).isEqualTo(LinuxCapture.RST);
    }

    static Stream<Arguments> optionCombinations() {
        return Stream.of(
                Arguments.of(-1, -1, false, false, 20, ""),
                Arguments.of(1460, -1, false, false, 24, "mss 1460"),
                Arguments.of(-1, -1, true, false, 24, "nop,nop,sackOK"),
                Arguments.of(-1, 7, false, false, 24, "nop,wscale 7"),
                Arguments.of(-1, -1, false, true, 32, "nop,nop,TS val 1 ecr 4294967295"),
                Arguments.of(1460, 7, true, false, 32, "mss 1460,nop,nop,sackOK,nop,wscale 7"),
                Arguments.of(536, 0, false, true, 40, "mss 536,nop,nop,TS val 1 ecr 4294967295,nop,wscale 0"),
                Arguments.of(1460, 14, true, true, 40, "mss 1460,sackOK,TS val 1 ecr 4294967295,nop,wscale 14"),
                Arguments.of(65535, -1, true, true, 36, "mss 65535,sackOK,TS val 1 ecr 4294967295"));
    }

    @ParameterizedTest(name = "mss {0} wscale {1} sackOK {2} TS {3}")
    @MethodSource("optionCombinations")
    void builtOptionsAreAlignedInLinuxOrderAndParseBack(int mss, int windowScale, boolean sackPermitted,
            boolean timestamps, int dataOffset, String printed) throws Exception {
        TcpSegment.Builder builder = TcpSegment.builder().source(CLIENT).destination(SERVER).flags(TcpSegment.SYN)
                .mss(mss).windowScale(windowScale).sackPermitted(sackPermitted);
        if (timestamps) {
            builder.timestamps(1, 0xFFFFFFFFL);
        }

        TcpSegment syn = TcpSegment.wrap(Ipv4Packet.wrap(builder.build()));

        assertThat(syn.dataOffset()).isEqualTo(dataOffset);
        TcpOptions options = syn.options();
        assertThat(options.mss()).isEqualTo(mss);
        assertThat(options.windowScale()).isEqualTo(windowScale);
        assertThat(options.sackPermitted()).isEqualTo(sackPermitted);
        assertThat(options.hasTimestamps()).isEqualTo(timestamps);
        assertThat(options.tsVal()).isEqualTo(timestamps ? 1 : -1);
        assertThat(options.tsEcr()).isEqualTo(timestamps ? 0xFFFFFFFFL : -1);
        assertThat(options).hasToString(printed);
        assertThat(syn.toString()).contains(printed.isEmpty() ? "win 65535, length 0" : "options [" + printed + "]");
    }

    @Test
    void randomSegmentsRoundTripEveryField() throws Exception {
        Random random = new Random(793);
        TcpSegment.Builder builder = TcpSegment.builder();
        for (int i = 0; i < 500; i++) {
            int source = random.nextInt();
            int destination = random.nextInt();
            int sourcePort = random.nextInt(65536);
            int destinationPort = random.nextInt(65536);
            long seq = random.nextLong() & 0xFFFFFFFFL;
            long ack = random.nextLong() & 0xFFFFFFFFL;
            int flags = random.nextInt(256);
            int window = random.nextInt(65536);
            int urgent = random.nextInt(65536);
            int ttl = random.nextInt(256);
            int tos = random.nextInt(256);
            int id = random.nextInt(65536);
            boolean df = random.nextBoolean();
            int mss = random.nextBoolean() ? random.nextInt(65536) : -1;
            int windowScale = random.nextBoolean() ? random.nextInt(15) : -1;
            boolean sackPermitted = random.nextBoolean();
            boolean timestamps = random.nextBoolean();
            long tsVal = random.nextLong() & 0xFFFFFFFFL;
            long tsEcr = random.nextLong() & 0xFFFFFFFFL;
            byte[] payload = new byte[random.nextInt(80)];
            random.nextBytes(payload);

            builder.reset().source(source).destination(destination).sourcePort(sourcePort)
                    .destinationPort(destinationPort).sequenceNumber(seq).acknowledgmentNumber(ack).flags(flags)
                    .window(window).urgentPointer(urgent).ttl(ttl).tos(tos).identification(id).dontFragment(df)
                    .mss(mss).windowScale(windowScale).sackPermitted(sackPermitted).payload(payload);
            if (timestamps) {
                builder.timestamps(tsVal, tsEcr);
            }
            ByteBuffer out = ByteBuffer.allocateDirect(2048);
            int length = builder.writeTo(out, 3);
            out.position(3).limit(3 + length);

            TcpSegment tcp = TcpSegment.wrap(Ipv4Packet.wrap(out));

            Ipv4Packet ip = tcp.ip();
            assertThat(ip.sourceInt()).isEqualTo(source);
            assertThat(ip.destinationInt()).isEqualTo(destination);
            assertThat(ip.ttl()).isEqualTo(ttl);
            assertThat(ip.tos()).isEqualTo(tos);
            assertThat(ip.identification()).isEqualTo(id);
            assertThat(ip.dontFragment()).isEqualTo(df);
            assertThat(ip.totalLength()).isEqualTo(length).isEqualTo(builder.length());
            assertThat(tcp.sourcePort()).isEqualTo(sourcePort);
            assertThat(tcp.destinationPort()).isEqualTo(destinationPort);
            assertThat(tcp.sequenceNumber()).isEqualTo(seq);
            assertThat(tcp.acknowledgmentNumber()).isEqualTo(ack);
            assertThat(tcp.flags()).isEqualTo(flags);
            assertThat(tcp.window()).isEqualTo(window);
            assertThat(tcp.urgentPointer()).isEqualTo(urgent);
            assertThat(tcp.dataOffset() % 4).isZero();
            assertThat(tcp.options().mss()).isEqualTo(mss);
            assertThat(tcp.options().windowScale()).isEqualTo(windowScale);
            assertThat(tcp.options().sackPermitted()).isEqualTo(sackPermitted);
            assertThat(tcp.options().hasTimestamps()).isEqualTo(timestamps);
            if (timestamps) {
                assertThat(tcp.options().tsVal()).isEqualTo(tsVal);
                assertThat(tcp.options().tsEcr()).isEqualTo(tsEcr);
            }
            byte[] data = new byte[tcp.payloadLength()];
            tcp.payload().get(data);
            assertThat(data).isEqualTo(payload);
        }
    }

    @Test
    void flagsArePrintedInTcpdumpOrder() throws Exception {
        int[][] cases = {{0, 0}, {TcpSegment.FIN | TcpSegment.PSH | TcpSegment.ACK, 0},
            {TcpSegment.SYN | TcpSegment.ECE | TcpSegment.CWR, 0}, {TcpSegment.SYN | TcpSegment.ACK | TcpSegment.ECE, 0},
            {0xFF, 0}, {TcpSegment.URG | TcpSegment.ACK, 0}};
        String[] expected = {"[none]", "[FP.]", "[SEW]", "[S.E]", "[FSRP.UEW]", "[.U]"};
        for (int i = 0; i < cases.length; i++) {
            byte[] packet = TcpSegment.builder().flags(cases[i][0]).urgentPointer(9).build();
            assertThat(TcpSegment.wrap(Ipv4Packet.wrap(packet)).toString()).contains("Flags " + expected[i]);
        }
        byte[] urgent = TcpSegment.builder().flags(TcpSegment.URG | TcpSegment.ACK).urgentPointer(9).build();
        assertThat(Ipv4Packet.wrap(urgent).toString()).endsWith("Flags [.U], ack 0, win 65535, urg 9, length 0");
    }

    @Test
    void dataEndSequenceNumberWrapsAt2To32() throws Exception {
        byte[] packet = TcpSegment.builder().sequenceNumber(0xFFFFFFFEL).flags(TcpSegment.PSH)
                .payload(new byte[5]).build();

        assertThat(Ipv4Packet.wrap(packet).toString()).contains("seq 4294967294:3,");
    }

    @Test
    void builderTakesSequenceNumbersModulo2To32() throws Exception {
        byte[] packet = TcpSegment.builder().sequenceNumber(0x1_0000_0005L).acknowledgmentNumber(-1).build();

        TcpSegment tcp = TcpSegment.wrap(Ipv4Packet.wrap(packet));

        assertThat(tcp.sequenceNumber()).isEqualTo(5);
        assertThat(tcp.acknowledgmentNumber()).isEqualTo(0xFFFFFFFFL);
    }

    @Test
    void builderDefaultsAreWindow65535Ttl64DontFragment() throws Exception {
        TcpSegment tcp = TcpSegment.wrap(Ipv4Packet.wrap(TcpSegment.builder().build()));

        assertThat(tcp.window()).isEqualTo(65535);
        assertThat(tcp.flags()).isZero();
        assertThat(tcp.dataOffset()).isEqualTo(20);
        assertThat(tcp.ip().ttl()).isEqualTo(64);
        assertThat(tcp.ip().dontFragment()).isTrue();
        assertThat(tcp.ip().identification()).isZero();
        assertThat(tcp.ip().tos()).isZero();
    }

    @Test
    void reusedBuilderAfterResetEqualsAFreshOne() {
        TcpSegment.Builder reused = TcpSegment.builder().source(1).destination(2).sourcePort(3).destinationPort(4)
                .sequenceNumber(5).acknowledgmentNumber(6).flags(0xFF).window(7).urgentPointer(8).mss(9)
                .windowScale(10).sackPermitted(true).timestamps(11, 12).payload(new byte[13]).ttl(14).tos(15)
                .identification(16).dontFragment(false).options(new byte[] {1});
        reused.build();

        byte[] again = reused.reset().sourcePort(80).flags(TcpSegment.RST).build();

        assertThat(again).isEqualTo(TcpSegment.builder().sourcePort(80).flags(TcpSegment.RST).build());
    }

    @Test
    void writeToUsesAbsolutePutsAndLeavesBothBuffersAlone() throws Exception {
        ByteBuffer payload = ByteBuffer.allocateDirect(16).put("xhelloy".getBytes(StandardCharsets.US_ASCII));
        payload.position(1).limit(6);
        ByteBuffer out = ByteBuffer.allocateDirect(100).position(11).limit(97);

        int length = TcpSegment.builder().flags(TcpSegment.PSH).payload(payload).writeTo(out, 30);

        assertThat(length).isEqualTo(45);
        assertThat(payload.position()).isEqualTo(1);
        assertThat(payload.limit()).isEqualTo(6);
        assertThat(out.position()).isEqualTo(11);
        assertThat(out.limit()).isEqualTo(97);
        TcpSegment tcp = TcpSegment.wrap(Ipv4Packet.wrap(out.duplicate().position(30).limit(30 + length)));
        assertThat(StandardCharsets.US_ASCII.decode(tcp.payload()).toString()).isEqualTo("hello");
    }

    @Test
    void writeToALittleEndianBufferStillWritesNetworkOrder() {
        ByteBuffer little = ByteBuffer.allocate(60).order(ByteOrder.LITTLE_ENDIAN);
        TcpSegment.Builder builder = TcpSegment.builder().source(CLIENT).destination(SERVER).identification(0xb909)
                .sourcePort(41234).destinationPort(4242).sequenceNumber(2670275419L).flags(TcpSegment.SYN)
                .window(64240).mss(1460).sackPermitted(true).timestamps(2680087271L, 0).windowScale(10);

        builder.writeTo(little, 0);

        assertThat(LinuxCapture.hex(little.array())).isEqualTo(LinuxCapture.SYN);
        assertThat(little.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void writeToRefusesABufferTooSmallNamingBothLengths() {
        ByteBuffer out = ByteBuffer.allocateDirect(100);

        assertThatThrownBy(() -> TcpSegment.builder().mss(1460).writeTo(out, 70))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("packet of 44 bytes does not fit in 30 bytes at offset 70 (buffer limit 100)");
    }

    @Test
    void builderRefusesFieldsOutOfRange() {
        TcpSegment.Builder builder = TcpSegment.builder();

        assertThatThrownBy(() -> builder.sourcePort(65536)).hasMessage("source port must be 0..65535, was 65536");
        assertThatThrownBy(() -> builder.window(-1)).hasMessage("window must be 0..65535, was -1");
        assertThatThrownBy(() -> builder.windowScale(15)).hasMessage("window scale must be 0..14, was 15");
        assertThatThrownBy(() -> builder.flags(0x100)).hasMessage("flags must be 0..255, was 256");
    }

    @Test
    void sackBlocksAreParsedAndPrintedLikeTcpdump() throws Exception {
        ByteBuffer options = ByteBuffer.allocate(20).put(new byte[] {1, 1, 5, 18}).putInt(100).putInt(200)
                .putInt(0xFFFFFFF0).putInt(5);
        byte[] packet = TcpSegment.builder().flags(TcpSegment.ACK).options(options.array()).build();

        TcpOptions parsed = TcpSegment.wrap(Ipv4Packet.wrap(packet)).options();

        assertThat(parsed.sackBlockCount()).isEqualTo(2);
        assertThat(parsed.sackLeft(0)).isEqualTo(100);
        assertThat(parsed.sackRight(0)).isEqualTo(200);
        assertThat(parsed.sackLeft(1)).isEqualTo(0xFFFFFFF0L);
        assertThat(parsed.sackRight(1)).isEqualTo(5);
        assertThat(parsed).hasToString("nop,nop,sack 2 {100:200}{4294967280:5}");
        assertThatThrownBy(() -> parsed.sackLeft(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void unknownOptionsArePrintedWithKindAndHexData() throws Exception {
        byte[] packet = withOptions(0xfd, 4, 0xab, 0xcd, 30, 2, 1, 1);

        TcpOptions options = TcpSegment.wrap(Ipv4Packet.wrap(packet)).options();

        assertThat(options).hasToString("unknown-253 0xabcd,unknown-30,nop,nop");
        assertThat(options.mss()).isEqualTo(-1);
    }

    @Test
    void bytesAfterEndOfListArePaddingAndNotChecked() throws Exception {
        byte[] packet = withOptions(2, 4, 5, 0xb4, 0, 2, 0, 9);

        TcpOptions options = TcpSegment.wrap(Ipv4Packet.wrap(packet)).options();

        assertThat(options.mss()).isEqualTo(1460);
        assertThat(options).hasToString("mss 1460,eol");
    }

    @Test
    void dataOffsetBelowFiveWordsIsRejected() throws Exception {
        byte[] packet = bytes(LinuxCapture.SYN);
        packet[32] = 0x40;

        assertThat(rejection(LinuxCapture.fixTcpChecksum(packet)))
                .isEqualTo("TCP data offset 16 bytes (4 words) is below the minimum 20");
    }

    @Test
    void dataOffsetBeyondTheSegmentIsRejectedWithBothLengths() throws Exception {
        byte[] packet = bytes(LinuxCapture.RST);
        packet[32] = 0x60;

        assertThat(rejection(LinuxCapture.fixTcpChecksum(packet)))
                .isEqualTo("TCP data offset 24 bytes but the segment is 20 bytes");
    }

    @Test
    void optionLengthZeroOrOneIsRejected() throws Exception {
        assertThat(rejection(withOptions(2, 0, 0, 0)))
                .isEqualTo("TCP option kind 2 at header byte 20 has length 0, below the minimum 2");
        assertThat(rejection(withOptions(1, 3, 1, 0)))
                .isEqualTo("TCP option kind 3 at header byte 21 has length 1, below the minimum 2");
    }

    @Test
    void optionOverrunningTheHeaderIsRejected() throws Exception {
        assertThat(rejection(withOptions(1, 1, 8, 10)))
                .isEqualTo("TCP option kind 8 at header byte 22 has length 10 but only 2 option bytes are left");
        assertThat(rejection(withOptions(1, 1, 1, 8)))
                .isEqualTo("TCP option kind 8 at header byte 23 has no length byte");
    }

    @Test
    void knownOptionsWithTheWrongLengthAreRejected() throws Exception {
        assertThat(rejection(withOptions(2, 3, 5, 1))).isEqualTo("TCP MSS option at header byte 20 has length 3, expected 4");
        assertThat(rejection(withOptions(3, 4, 7, 0))).isEqualTo(
                "TCP window scale option at header byte 20 has length 4, expected 3");
        assertThat(rejection(withOptions(4, 3, 0, 1))).isEqualTo(
                "TCP SACK-permitted option at header byte 20 has length 3, expected 2");
        assertThat(rejection(withOptions(8, 8, 0, 0, 0, 0, 0, 0))).isEqualTo(
                "TCP timestamps option at header byte 20 has length 8, expected 10");
        assertThat(rejection(withOptions(5, 6, 0, 0, 0, 0, 1, 1))).isEqualTo(
                "TCP SACK option at header byte 20 has length 6, expected 2 + 8 per block (10, 18, 26 or 34)");
    }

    @Test
    void badChecksumIsRejectedWithStoredAndExpectedValues() throws Exception {
        byte[] packet = bytes(LinuxCapture.DATA);
        packet[56] = 'p'; // "hello" -> "hellp": the odd last byte is the high half of a padded word

        assertThat(rejection(packet)).isEqualTo("bad TCP checksum 0x2245 (expected 0x2145)");
        assertThat(Ipv4Packet.wrap(packet).toString()).endsWith("length 5 [bad tcp cksum 0x2245 -> 0x2145!]");
    }

    @Test
    void segmentShorterThanTwentyBytesIsRejected() throws Exception {
        byte[] packet = Ipv4Packet.builder().protocol(IpProtocol.TCP).payload(new byte[10]).build();

        assertThat(rejection(packet)).isEqualTo("TCP segment of 10 bytes is shorter than the minimum header of 20 bytes");
        assertThat(Ipv4Packet.wrap(packet).toString()).isEqualTo("IP 0.0.0.0.0 > 0.0.0.0.0: tcp 10 "
                + "[bad tcp: TCP segment of 10 bytes is shorter than the minimum header of 20 bytes]");
    }

    @Test
    void fragmentsAreNotParsedAsTcp() throws Exception {
        byte[] segment = Arrays.copyOfRange(bytes(LinuxCapture.SYN), 20, 60);
        byte[] packet = Ipv4Packet.builder().protocol(IpProtocol.TCP).identification(77).dontFragment(false)
                .moreFragments(true).payload(segment).build();

        assertThat(rejection(packet)).isEqualTo(
                "fragment (id 77, offset 0, more fragments) cannot be parsed as TCP; fragments are not reassembled");
    }

    @Test
    void otherProtocolsAreNotTcp() throws Exception {
        assertThat(rejection(bytes(LinuxCapture.UDP))).isEqualTo("protocol 17 is not TCP (6)");
    }

    @Test
    void malformedOptionsStillGiveATranscriptLine() throws Exception {
        assertThat(Ipv4Packet.wrap(withOptions(2, 0, 0, 0)).toString()).isEqualTo("IP 192.168.0.1.1 > 192.168.0.5.2: "
                + "tcp 24 [bad tcp: TCP option kind 2 at header byte 20 has length 0, below the minimum 2]");
    }
}
