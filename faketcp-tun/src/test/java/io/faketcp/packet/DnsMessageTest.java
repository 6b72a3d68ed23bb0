package io.faketcp.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DnsMessageTest {
    /**
     * The queries glibc 2.36 sent for {@code getent ahostsv4 db.test} and Python's getaddrinfo, captured on a
     * UDP socket playing the resolv.conf nameserver: an A query (id 0x3de2, RD) and an AAAA query.
     */
    private static final String GLIBC_A = "3de20100000100000000000002646204746573740000010001";
    private static final String GLIBC_AAAA = "02e401000001000000000000026462047465737400001c0001";
    /**
     * An answer as RFC 1035 lays it out, with the owner name compressed (pointer 0xc00c to the question):
     * id 0x3de2, QR AA RD RA, 1 question, 1 answer db.test A 192.168.0.5 TTL 30.
     */
    private static final String COMPRESSED_ANSWER = "3de28580000100010000000002646204746573740000010001"
            + "c00c000100010000001e0004c0a80005";

    private static ByteBuffer hex(String text) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(text));
    }

    @Test
    void glibcQueriesAreRead() throws Exception {
        DnsMessage a = DnsMessage.parse(hex(GLIBC_A));
        assertThat(a.id()).isEqualTo(0x3de2);
        assertThat(a.isResponse()).isFalse();
        assertThat(a.recursionDesired()).isTrue();
        assertThat(a.opcode()).isZero();
        assertThat(a.questionName()).isEqualTo("db.test");
        assertThat(a.questionType()).isEqualTo(DnsMessage.A);
        assertThat(a.questionClass()).isEqualTo(1);
        assertThat(a).hasToString("15842+ A? db.test. (25)");
        assertThat(DnsMessage.parse(hex(GLIBC_AAAA))).hasToString("740+ AAAA? db.test. (25)");
    }

    @Test
    void theBuilderWritesGlibcsQuery() {
        assertThat(DnsMessage.query(0x3de2, "db.test", DnsMessage.A).build()).isEqualTo(HexFormat.of().parseHex(GLIBC_A));
    }

    @Test
    void aCompressedAnswerIsReadAndTheBuilderWritesItUncompressed() throws Exception {
        DnsMessage answer = DnsMessage.parse(hex(COMPRESSED_ANSWER));
        Inet4Address five = (Inet4Address) InetAddress.getByName("192.168.0.5");
        assertThat(answer.isResponse()).isTrue();
        assertThat(answer.authoritative()).isTrue();
        assertThat(answer.rcode()).isEqualTo(DnsMessage.NOERROR);
        assertThat(answer.answers()).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("db.test");
            assertThat(r.ttl()).isEqualTo(30);
        });
        assertThat(answer.addresses()).containsExactly(five);
        assertThat(answer).hasToString("15842* 1/0/0 A 192.168.0.5 (41)");

        byte[] built = DnsMessage.answer(DnsMessage.parse(hex(GLIBC_A))).authoritative(true).a("db.test", 30, five).build();
        assertThat(HexFormat.of().formatHex(built)).isEqualTo("3de28580000100010000000002646204746573740000010001"
                + "026462047465737400000100010000001e0004c0a80005");
    }

    @Test
    void everyRecordTypeRoundTrips() throws Exception {
        DnsMessage query = DnsMessage.query(7, "x.test", DnsMessage.ANY).build().length > 0
                ? DnsMessage.parse(ByteBuffer.wrap(DnsMessage.query(7, "x.test", DnsMessage.ANY).build())) : null;
        byte[] bytes = DnsMessage.answer(query).cname("x.test", 5, "y.test").srv("y.test", 5, 0, 5, 5432, "db.test")
                .txt("y.test", 5, "a".repeat(300)).rcode(DnsMessage.NOERROR).build();
        DnsMessage m = DnsMessage.parse(ByteBuffer.wrap(bytes));
        assertThat(m.answers()).extracting(DnsMessage.Record::toString).containsExactly("CNAME y.test.",
                "SRV db.test.:5432 0 5", "TXT \"" + "a".repeat(255) + "\" \"" + "a".repeat(45) + "\"");
        assertThat(m.answers().get(0).target()).isEqualTo("y.test");
        assertThat(DnsMessage.parse(ByteBuffer.wrap(DnsMessage.answer(query).rcode(DnsMessage.NXDOMAIN).build())))
                .hasToString("7 NXDomain 0/0/0 (24)");
    }

    @Test
    void malformedMessagesAreRefusedWithTheOffset() {
        assertThatThrownBy(() -> DnsMessage.parse(hex("3de201"))).isInstanceOf(MalformedPacketException.class)
                .hasMessage("DNS message of 3 bytes is shorter than the 12-byte header");
        assertThatThrownBy(() -> DnsMessage.parse(hex(GLIBC_A.substring(0, 38))))
                .hasMessage("DNS message of 19 bytes ends before a label of 4 bytes (offset 16)");
        assertThatThrownBy(() -> DnsMessage.parse(hex("3de20100000200000000000000" + "00010001")))
                .hasMessage("DNS message with 2 questions; exactly 1 is expected");
        // a name that points at itself
        assertThatThrownBy(() -> DnsMessage.parse(hex("3de201000001000000000000" + "c00c00010001")))
                .hasMessageContaining("more than 32 pointers (a loop)");
        assertThatThrownBy(() -> DnsMessage.query(1, "a..test", DnsMessage.A))
                .hasMessageContaining("has a label of 0 characters");
    }
}
