package io.faketcp.samples;

import io.faketcp.peer.Server;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Just enough of PostgreSQL's wire protocol (v3) for a test: it declines TLS and GSS encryption
 * ({@code N}), reads the client's startup message, then refuses the login with an ErrorResponse, goes
 * silent, or lets a {@link TinyDatabase} answer the session's simple queries. The startup parameters
 * are kept for the test to check. Also used by the Spring Boot sample (samples/spring-boot).
 */
public final class FakePostgres implements Server {
  private static final int SSL_REQUEST = 80877103;
  private static final int GSSENC_REQUEST = 80877104;
  private static final int PROTOCOL_3 = 196608;

  private final String sqlState;
  private final String message;
  private final TinyDatabase database;
  final Map<String, String> startup = new ConcurrentHashMap<>();

  private FakePostgres(String sqlState, String message, TinyDatabase database) {
    this.sqlState = sqlState;
    this.message = message;
    this.database = database;
  }

  private FakePostgres(String sqlState, String message) {
    this(sqlState, message, null);
  }

  /** Accepts every login (no password asked) and answers the simple queries from {@code database}. */
  public static FakePostgres serving(TinyDatabase database) {
    return new FakePostgres(null, null, database);
  }

  /** Refuses every login: FATAL 28P01, "password authentication failed for user ...". */
  static FakePostgres refusingLogins() {
    return new FakePostgres("28P01", "password authentication failed for user \"%s\"");
  }

  /** Takes the startup message and never answers it. */
  static FakePostgres silentAfterStartup() {
    return new FakePostgres(null, null);
  }

  // tag::server-code[]
  @Override
  public void serve(Connection connection) throws IOException {
    DataInputStream in = new DataInputStream(connection.input());
    OutputStream out = connection.output();
    int length = in.readInt();
    int code = in.readInt();
    while (length == 8 && (code == SSL_REQUEST || code == GSSENC_REQUEST)) {
      out.write('N');                                  // no encryption here: go on in plain text
      length = in.readInt();
      code = in.readInt();
    }
    if (code != PROTOCOL_3) {
      throw new IOException("expected a v3 startup message, got code " + code);
    }
    byte[] parameters = in.readNBytes(length - 8);
    startup.putAll(parse(parameters));
    if (database != null) {
      database.serve(in, out);                         // logged in: queries until the client terminates
      return;
    }
    if (sqlState == null) {
      connection.input().transferTo(OutputStream.nullOutputStream());   // silent until the client gives up
      return;
    }
    out.write(errorResponse("FATAL", sqlState, String.format(message, startup.get("user"))));
    connection.close();
  }
  // end::server-code[]

  private static Map<String, String> parse(byte[] parameters) {
    Map<String, String> map = new LinkedHashMap<>();
    String[] parts = new String(parameters, StandardCharsets.UTF_8).split("\0");
    for (int i = 0; i + 1 < parts.length; i += 2) {
      map.put(parts[i], parts[i + 1]);
    }
    return map;
  }

  /** 'E', length, then (field code, C string) pairs, then a 0. */
  static byte[] errorResponse(String severity, String sqlState, String message) throws IOException {
    ByteArrayOutputStream fields = new ByteArrayOutputStream();
    field(fields, 'S', severity);
    field(fields, 'V', severity);
    field(fields, 'C', sqlState);
    field(fields, 'M', message);
    fields.write(0);
    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    DataOutputStream data = new DataOutputStream(packet);
    data.writeByte('E');
    data.writeInt(4 + fields.size());
    fields.writeTo(data);
    return packet.toByteArray();
  }

  private static void field(ByteArrayOutputStream out, char code, String value) {
    out.write(code);
    out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
    out.write(0);
  }

  @Override
  public String toString() {
    return database != null ? "fake PostgreSQL serving " + database
        : sqlState == null ? "fake PostgreSQL, silent after startup" : "fake PostgreSQL refusing logins";
  }
}
