package io.faketcp.packet;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A DNS message (RFC 1035) as a UDP datagram or a TCP frame carries it: the header, the one question,
 * and the answer records, parsed into a small immutable object; and a {@link Builder} for queries and
 * answers with A, CNAME, SRV and TXT records (names written uncompressed).
 *
 * <pre>{@code
 * DnsMessage query = DnsMessage.parse(udp.payload());
 * byte[] answer = DnsMessage.answer(query).authoritative(true)
 *         .a(query.questionName(), 30, address).build();
 * }</pre>
 *
 * <p>Parsing accepts compressed names (with a bound on pointers, so a loop is refused) and ignores the
 * authority and additional sections (an EDNS OPT record among them). Malformed input is refused with a
 * {@link MalformedPacketException} naming the offset and what is wrong.
 */
public final class DnsMessage {
    /** Record type A: an IPv4 address. */
    public static final int A = 1;
    /** Record type CNAME: the canonical name of an alias. */
    public static final int CNAME = 5;
    /** Record type SOA. */
    public static final int SOA = 6;
    /** Record type TXT: text strings. */
    public static final int TXT = 16;
    /** Record type AAAA: an IPv6 address. */
    public static final int AAAA = 28;
    /** Record type SRV: priority, weight, port and target of a service. */
    public static final int SRV = 33;
    /** Query type ANY (*). */
    public static final int ANY = 255;

    /** Response code: no error. */
    public static final int NOERROR = 0;
    /** Response code: the server could not read the query. */
    public static final int FORMERR = 1;
    /** Response code: the server failed. */
    public static final int SERVFAIL = 2;
    /** Response code: the name does not exist. */
    public static final int NXDOMAIN = 3;
    /** Response code: the kind of query is not implemented. */
    public static final int NOTIMP = 4;
    /** Response code: the server refuses to answer. */
    public static final int REFUSED = 5;

    static final int HEADER_LENGTH = 12;
    private static final int CLASS_IN = 1;
    private static final String[] RCODES = {"NoError", "FormErr", "ServFail", "NXDomain", "NotImp", "Refused"};

    private final int id;
    private final int flags;
    private final String questionName;
    private final int questionType;
    private final int questionClass;
    private final List<Record> answers;
    private final int length;

    private DnsMessage(int id, int flags, String questionName, int questionType, int questionClass, List<Record> answers,
            int length) {
        this.id = id;
        this.flags = flags;
        this.questionName = questionName;
        this.questionType = questionType;
        this.questionClass = questionClass;
        this.answers = answers;
        this.length = length;
    }

    /**
     * Parses the message in {@code data[position, limit)}; the buffer's position is not changed.
     *
     * @param data one DNS message (without the 2-byte length of a TCP frame)
     * @return the message
     * @throws MalformedPacketException if it is not a well-formed message with exactly one question
     */
    public static DnsMessage parse(ByteBuffer data) throws MalformedPacketException {
        ByteBuffer b = data.slice().order(java.nio.ByteOrder.BIG_ENDIAN);
        int length = b.remaining();
        if (length < HEADER_LENGTH) {
            throw new MalformedPacketException("DNS message of " + length + " bytes is shorter than the 12-byte header");
        }
        int id = b.getShort(0) & 0xFFFF;
        int flags = b.getShort(2) & 0xFFFF;
        int questions = b.getShort(4) & 0xFFFF;
        int answerCount = b.getShort(6) & 0xFFFF;
        if (questions != 1) {
            throw new MalformedPacketException("DNS message with " + questions + " questions; exactly 1 is expected");
        }
        int[] at = {HEADER_LENGTH};
        String name = name(b, at);
        need(b, at[0], 4, "the question's type and class");
        int type = b.getShort(at[0]) & 0xFFFF;
        int klass = b.getShort(at[0] + 2) & 0xFFFF;
        at[0] += 4;
        List<Record> answers = new ArrayList<>(answerCount);
        for (int i = 0; i < answerCount; i++) {
            String owner = name(b, at);
            need(b, at[0], 10, "answer " + i + "'s type, class, TTL and length");
            int rtype = b.getShort(at[0]) & 0xFFFF;
            long ttl = b.getInt(at[0] + 4) & 0xFFFF_FFFFL;
            int rdlength = b.getShort(at[0] + 8) & 0xFFFF;
            int rdata = at[0] + 10;
            need(b, rdata, rdlength, "answer " + i + "'s data of " + rdlength + " bytes");
            String target = null;
            if (rtype == CNAME || rtype == SRV) {
                int[] t = {rtype == SRV ? rdata + 6 : rdata};
                if (rtype == SRV && rdlength < 7) {
                    throw new MalformedPacketException("SRV record of " + rdlength + " bytes at offset " + rdata
                            + " is shorter than 7");
                }
                target = name(b, t);
            }
            byte[] bytes = new byte[rdlength];
            b.get(rdata, bytes);
            answers.add(new Record(owner, rtype, ttl, bytes, target));
            at[0] = rdata + rdlength;
        }
        return new DnsMessage(id, flags, name, type, klass, Collections.unmodifiableList(answers), length);
    }

    private static void need(ByteBuffer b, int at, int count, String what) throws MalformedPacketException {
        if (at + count > b.limit()) {
            throw new MalformedPacketException("DNS message of " + b.limit() + " bytes ends before " + what
                    + " (offset " + at + ")");
        }
    }

    /** Reads the (possibly compressed) name at {@code at[0]}, leaving {@code at[0]} after it. */
    private static String name(ByteBuffer b, int[] at) throws MalformedPacketException {
        StringBuilder sb = new StringBuilder();
        int i = at[0];
        int end = -1;
        for (int jumps = 0; ; ) {
            need(b, i, 1, "a name's label");
            int len = b.get(i) & 0xFF;
            if (len == 0) {
                i++;
                break;
            }
            if ((len & 0xC0) == 0xC0) {
                need(b, i, 2, "a name's pointer");
                if (++jumps > 32) {
                    throw new MalformedPacketException("DNS name at offset " + at[0] + " has more than 32 pointers (a loop)");
                }
                if (end < 0) {
                    end = i + 2;
                }
                i = b.getShort(i) & 0x3FFF;
                continue;
            }
            if ((len & 0xC0) != 0) {
                throw new MalformedPacketException("DNS label at offset " + i + " has the reserved length bits 0x"
                        + Integer.toHexString(len & 0xC0));
            }
            need(b, i + 1, len, "a label of " + len + " bytes");
            if (sb.length() > 0) {
                sb.append('.');
            }
            for (int k = 0; k < len; k++) {
                sb.append((char) (b.get(i + 1 + k) & 0xFF));
            }
            if (sb.length() > 253) {
                throw new MalformedPacketException("DNS name at offset " + at[0] + " is longer than 253 characters");
            }
            i += 1 + len;
        }
        at[0] = end >= 0 ? end : i;
        return sb.toString();
    }

    /**
     * The message ID.
     *
     * @return 0..65535
     */
    public int id() {
        return id;
    }

    /**
     * Whether this is a response (QR set).
     *
     * @return true for a response
     */
    public boolean isResponse() {
        return (flags & 0x8000) != 0;
    }

    /**
     * The opcode; 0 is a standard query.
     *
     * @return 0..15
     */
    public int opcode() {
        return (flags >> 11) & 0xF;
    }

    /**
     * Whether the answer is authoritative (AA).
     *
     * @return the flag
     */
    public boolean authoritative() {
        return (flags & 0x0400) != 0;
    }

    /**
     * Whether the message was truncated (TC): the client should ask again over TCP.
     *
     * @return the flag
     */
    public boolean truncated() {
        return (flags & 0x0200) != 0;
    }

    /**
     * Whether recursion was desired (RD).
     *
     * @return the flag
     */
    public boolean recursionDesired() {
        return (flags & 0x0100) != 0;
    }

    /**
     * The response code, e.g. {@link #NXDOMAIN}.
     *
     * @return 0..15
     */
    public int rcode() {
        return flags & 0xF;
    }

    /**
     * The question's name, without the trailing dot, as sent (case kept).
     *
     * @return the name
     */
    public String questionName() {
        return questionName;
    }

    /**
     * The question's type, e.g. {@link #A}.
     *
     * @return 0..65535
     */
    public int questionType() {
        return questionType;
    }

    /**
     * The question's class; 1 is IN.
     *
     * @return 0..65535
     */
    public int questionClass() {
        return questionClass;
    }

    /**
     * The answer records, in order.
     *
     * @return an unmodifiable list
     */
    public List<Record> answers() {
        return answers;
    }

    /**
     * The IPv4 addresses among the answers, in order (after any CNAME records leading to them).
     *
     * @return the addresses of the A records
     */
    public List<Inet4Address> addresses() {
        List<Inet4Address> addresses = new ArrayList<>();
        for (Record r : answers) {
            if (r.type() == A && r.data().length == 4) {
                addresses.add(Ipv4Packet.toInet4Address(ByteBuffer.wrap(r.data()).getInt()));
            }
        }
        return addresses;
    }

    /**
     * The IPv6 addresses of the answer's AAAA records, in order.
     *
     * @return the addresses; empty when there are none
     */
    public List<java.net.Inet6Address> addresses6() {
        List<java.net.Inet6Address> addresses = new ArrayList<>();
        for (Record r : answers) {
            if (r.type() == AAAA && r.data().length == 16) {
                ByteBuffer b = ByteBuffer.wrap(r.data());
                addresses.add(Ipv6Packet.toInet6Address(b.getLong(0), b.getLong(8)));
            }
        }
        return addresses;
    }

    /** The name of a record type, as tcpdump prints it ({@code A}, {@code SRV}, or the number). */
    static String typeName(int type) {
        switch (type) {
            case A: return "A";
            case CNAME: return "CNAME";
            case SOA: return "SOA";
            case TXT: return "TXT";
            case AAAA: return "AAAA";
            case SRV: return "SRV";
            case ANY: return "ANY";
            default: return "Type" + type;
        }
    }

    /**
     * A summary as {@code tcpdump -nn} prints it after the addresses: {@code 4660+ A? db.test. (25)} for
     * a query, {@code 4660* 2/0/0 A 192.168.0.5, A 192.168.0.6 (57)} for an answer,
     * {@code 4660 NXDomain* 0/0/0 (25)} for an error.
     *
     * @return the summary
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(64).append(id);
        if (!isResponse()) {
            sb.append(recursionDesired() ? "+" : "").append(' ').append(typeName(questionType)).append("? ")
                    .append(questionName).append(". (").append(length).append(')');
            return sb.toString();
        }
        if (rcode() != NOERROR) {
            sb.append(' ').append(rcode() < RCODES.length ? RCODES[rcode()] : "Rcode" + rcode());
        }
        sb.append(authoritative() ? "*" : "").append(truncated() ? "|" : "").append(recursionDesired() ? "" : "-");
        sb.append(' ').append(answers.size()).append("/0/0");
        for (int i = 0; i < answers.size(); i++) {
            sb.append(i == 0 ? " " : ", ").append(answers.get(i));
        }
        return sb.append(" (").append(length).append(')').toString();
    }

    /**
     * A builder for a query: ID {@code id}, recursion desired, one question.
     *
     * @param id 0..65535
     * @param name the name asked for, without a trailing dot
     * @param type the record type asked for, e.g. {@link #A}
     * @return the builder
     */
    public static Builder query(int id, String name, int type) {
        return new Builder(id, 0x0100, name, type);
    }

    /**
     * A builder for the answer to {@code query}: its ID, question and RD flag, QR and RA set, NOERROR.
     *
     * @param query the query answered
     * @return the builder
     */
    public static Builder answer(DnsMessage query) {
        return new Builder(query.id, 0x8080 | (query.flags & 0x0100), query.questionName, query.questionType);
    }

    /** One resource record of an answer. */
    public static final class Record {
        private final String name;
        private final int type;
        private final long ttl;
        private final byte[] data;
        private final String target;

        Record(String name, int type, long ttl, byte[] data, String target) {
            this.name = name;
            this.type = type;
            this.ttl = ttl;
            this.data = data;
            this.target = target;
        }

        /**
         * The owner name, without the trailing dot.
         *
         * @return the name
         */
        public String name() {
            return name;
        }

        /**
         * The record type, e.g. {@link #A}.
         *
         * @return 0..65535
         */
        public int type() {
            return type;
        }

        /**
         * The time to live, in seconds.
         *
         * @return 0..2^32-1
         */
        public long ttl() {
            return ttl;
        }

        /**
         * The record's data as sent (a copy).
         *
         * @return the RDATA bytes
         */
        public byte[] data() {
            return data.clone();
        }

        /**
         * The name a CNAME or SRV record points to; null for other types.
         *
         * @return the target
         */
        public String target() {
            return target;
        }

        /** As tcpdump prints a record: {@code A 192.168.0.5}, {@code CNAME db.test.}, {@code SRV db.test.:5432 0 5}. */
        @Override
        public String toString() {
            ByteBuffer b = ByteBuffer.wrap(data);
            switch (type) {
                case A:
                    return data.length == 4 ? "A " + Ipv4Packet.toDottedQuad(b.getInt()) : "A";
                case CNAME:
                    return "CNAME " + target + ".";
                case SRV:
                    return "SRV " + target + ".:" + (b.getShort(4) & 0xFFFF) + " " + (b.getShort(0) & 0xFFFF) + " "
                            + (b.getShort(2) & 0xFFFF);
                case TXT:
                    StringBuilder sb = new StringBuilder("TXT");
                    for (int i = 0; i < data.length; ) {
                        int len = data[i] & 0xFF;
                        sb.append(" \"").append(new String(data, i + 1, Math.min(len, data.length - i - 1),
                                StandardCharsets.UTF_8)).append('"');
                        i += 1 + len;
                    }
                    return sb.toString();
                default:
                    return typeName(type);
            }
        }
    }

    /** Writes one DNS message: header, the question, answer records. Names are written uncompressed. */
    public static final class Builder {
        private final int id;
        private int flags;
        private final String name;
        private final int type;
        private final ByteArrayOutputStream records = new ByteArrayOutputStream();
        private int count;

        private Builder(int id, int flags, String name, int type) {
            this.id = IpBuilder.checkRange("id", id, 0xFFFF);
            this.flags = flags;
            this.name = checkName(name);
            this.type = IpBuilder.checkRange("type", type, 0xFFFF);
        }

        /**
         * Sets the response code.
         *
         * @param rcode e.g. {@link #NXDOMAIN}
         * @return this builder
         */
        public Builder rcode(int rcode) {
            flags = (flags & ~0xF) | IpBuilder.checkRange("rcode", rcode, 0xF);
            return this;
        }

        /**
         * Sets or clears the authoritative-answer flag.
         *
         * @param authoritative the flag
         * @return this builder
         */
        public Builder authoritative(boolean authoritative) {
            flags = authoritative ? flags | 0x0400 : flags & ~0x0400;
            return this;
        }

        /**
         * Sets or clears the truncation flag.
         *
         * @param truncated the flag
         * @return this builder
         */
        public Builder truncated(boolean truncated) {
            flags = truncated ? flags | 0x0200 : flags & ~0x0200;
            return this;
        }

        /**
         * Adds an A record.
         *
         * @param owner the record's name
         * @param ttl seconds
         * @param address the IPv4 address
         * @return this builder
         */
        public Builder a(String owner, long ttl, Inet4Address address) {
            return record(owner, A, ttl, address.getAddress());
        }

        /**
         * Adds an AAAA record.
         *
         * @param owner the record's name
         * @param ttl seconds
         * @param address the IPv6 address
         * @return this builder
         */
        public Builder aaaa(String owner, long ttl, java.net.Inet6Address address) {
            return record(owner, AAAA, ttl, address.getAddress());
        }

        /**
         * Adds a CNAME record.
         *
         * @param owner the alias
         * @param ttl seconds
         * @param target the canonical name
         * @return this builder
         */
        public Builder cname(String owner, long ttl, String target) {
            return record(owner, CNAME, ttl, encode(target));
        }

        /**
         * Adds an SRV record.
         *
         * @param owner the service name, e.g. {@code _pg._tcp.test}
         * @param ttl seconds
         * @param priority 0..65535, lower first
         * @param weight 0..65535
         * @param port 0..65535
         * @param target the host
         * @return this builder
         */
        public Builder srv(String owner, long ttl, int priority, int weight, int port, String target) {
            byte[] t = encode(target);
            ByteBuffer b = ByteBuffer.allocate(6 + t.length);
            b.putShort((short) IpBuilder.checkRange("priority", priority, 0xFFFF))
                    .putShort((short) IpBuilder.checkRange("weight", weight, 0xFFFF))
                    .putShort((short) IpBuilder.checkRange("port", port, 0xFFFF)).put(t);
            return record(owner, SRV, ttl, b.array());
        }

        /**
         * Adds a TXT record: the UTF-8 bytes of {@code text} in strings of at most 255 bytes.
         *
         * @param owner the record's name
         * @param ttl seconds
         * @param text the text
         * @return this builder
         */
        public Builder txt(String owner, long ttl, String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int i = 0;
            do {
                int len = Math.min(255, bytes.length - i);
                out.write(len);
                out.write(bytes, i, len);
                i += len;
            } while (i < bytes.length);
            return record(owner, TXT, ttl, out.toByteArray());
        }

        private Builder record(String owner, int rtype, long ttl, byte[] rdata) {
            if (ttl < 0 || ttl > 0x7FFF_FFFFL) {
                throw new IllegalArgumentException("TTL " + ttl + " must be 0.." + 0x7FFF_FFFF + " seconds");
            }
            byte[] n = encode(checkName(owner));
            records.write(n, 0, n.length);
            ByteBuffer b = ByteBuffer.allocate(10);
            b.putShort((short) rtype).putShort((short) CLASS_IN).putInt((int) ttl).putShort((short) rdata.length);
            records.write(b.array(), 0, 10);
            records.write(rdata, 0, rdata.length);
            count++;
            return this;
        }

        /**
         * The message's bytes.
         *
         * @return a new array
         */
        public byte[] build() {
            byte[] q = encode(name);
            ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH + q.length + 4 + records.size());
            b.putShort((short) id).putShort((short) flags).putShort((short) 1).putShort((short) count)
                    .putShort((short) 0).putShort((short) 0).put(q).putShort((short) type).putShort((short) CLASS_IN)
                    .put(records.toByteArray());
            return b.array();
        }

        private static String checkName(String name) {
            if (name == null) {
                throw new IllegalArgumentException("the DNS name is null");
            }
            encode(name);
            return name;
        }

        /** The name as labels, uncompressed, ending in the root label. */
        private static byte[] encode(String name) {
            String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!n.isEmpty()) {
                for (String label : n.split("\\.", -1)) {
                    byte[] l = label.getBytes(StandardCharsets.ISO_8859_1);
                    if (l.length == 0 || l.length > 63) {
                        throw new IllegalArgumentException("DNS name '" + name + "' has a label of " + l.length
                                + " characters: each must have 1 to 63");
                    }
                    out.write(l.length);
                    out.write(l, 0, l.length);
                }
            }
            out.write(0);
            if (out.size() > 255) {
                throw new IllegalArgumentException("DNS name '" + name + "' is longer than 255 bytes encoded");
            }
            return out.toByteArray();
        }
    }

    /** {@code name} in lower case, without a trailing dot: the form names are compared in. */
    public static String canonical(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return n.toLowerCase(Locale.ROOT);
    }
}
