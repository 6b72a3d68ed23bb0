package io.faketcp.peer;

/**
 * How the fake hosts answer TCP and UDP. ICMP echo requests are answered in every mode.
 *
 * <table>
 *   <caption>What a kernel client sees</caption>
 *   <tr><th>mode</th><th>TCP reply</th><th>TCP client sees</th><th>UDP</th></tr>
 *   <tr><td>{@link #REJECT}</td><td>RST+ACK to every SYN</td><td>{@code ConnectException: Connection refused}</td>
 *       <td>ICMP port unreachable: a connected socket's next call throws {@code PortUnreachableException}</td></tr>
 *   <tr><td>{@link #ACCEPT}</td><td>handshake, FIN answered, data never acknowledged</td>
 *       <td>connect succeeds; written data piles up in the socket's Send-Q</td><td>silent</td></tr>
 *   <tr><td>{@link #DISCARD}</td><td>as ACCEPT, every in-order byte acknowledged</td><td>writes drain; Send-Q 0</td>
 *       <td>silent</td></tr>
 *   <tr><td>{@link #ECHO}</td><td>as DISCARD, the bytes sent back in order</td><td>a TCP echo server</td>
 *       <td>each datagram sent back</td></tr>
 *   <tr><td>{@link #DROP}</td><td>nothing</td><td>connect times out</td><td>silent</td></tr>
 * </table>
 */
public enum Mode {
  /** Refuse every connection with RST+ACK, every datagram with ICMP port unreachable. */
  REJECT,
  /** Complete handshakes and closes; never acknowledge data. */
  ACCEPT,
  /** Complete handshakes and closes; acknowledge and drop every in-order byte. */
  DISCARD,
  /** As {@link #DISCARD}, and send every byte back in order, within the host's window; datagrams back as they came. */
  ECHO,
  /** Answer no TCP segment at all (connects time out); existing connections go silent too. */
  DROP
}
