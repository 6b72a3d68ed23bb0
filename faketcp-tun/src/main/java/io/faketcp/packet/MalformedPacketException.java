package io.faketcp.packet;

/**
 * Thrown when bytes are not a well-formed packet of the expected kind. The message says why, with the
 * numbers involved (for example {@code "total length 60 but 52 bytes read"}).
 *
 * <p>The fake peer meets this for every hostile or garbled packet in its read loop, so the exception is
 * cheap: it has no stack trace and no cause.
 */
public final class MalformedPacketException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param reason why the input is not a well-formed packet, with the numbers involved
     */
    public MalformedPacketException(String reason) {
        super(reason, null, false, false);
    }

    /**
     * Why the input was rejected; the same text as {@link #getMessage()}.
     *
     * @return the reason, never {@code null}
     */
    public String reason() {
        return getMessage();
    }
}
