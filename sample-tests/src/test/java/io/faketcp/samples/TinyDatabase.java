package io.faketcp.samples;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One table, {@code (id INT, text VARCHAR)}, behind {@link FakePostgres}: the statements a small
 * repository and its schema script send, over PostgreSQL's simple query protocol (pgjdbc with
 * {@code preferQueryMode=simple}, which puts the parameters into the statement's text). Anything else
 * gets an ErrorResponse naming it. Shared by every connection of the server.
 */
public final class TinyDatabase {
  private static final Pattern CREATE = Pattern.compile("create table (?:if not exists )?(\\w+).*", Pattern.CASE_INSENSITIVE);
  private static final Pattern INSERT = Pattern.compile(
      "insert into (\\w+) ?\\(id, ?text\\) values ?\\((.+?), ?\\(?'((?:[^']|'')*)'(?:::\\w+)?\\)?\\)", Pattern.CASE_INSENSITIVE);
  private static final Pattern SELECT_TEXT = Pattern.compile("select text from (\\w+) where id ?= ?(.+)", Pattern.CASE_INSENSITIVE);
  private static final Pattern COUNT = Pattern.compile("select count\\(\\*\\) from (\\w+)", Pattern.CASE_INSENSITIVE);
  private static final int TEXT = 25;
  private static final int INT8 = 20;

  private final String table;
  private final Map<Integer, String> rows = new ConcurrentSkipListMap<>();
  private final AtomicInteger creates = new AtomicInteger();
  private final AtomicInteger queries = new AtomicInteger();

  /** A database with the (not yet created) table {@code table}. */
  public TinyDatabase(String table) {
    this.table = table.toLowerCase(Locale.ROOT);
  }

  /** How often the table was created: once per application context that initialised its schema. */
  public int creates() {
    return creates.get();
  }

  /** Statements answered so far. */
  public int queries() {
    return queries.get();
  }

  /** After the login: AuthenticationOk, the server's parameters, then queries until Terminate or EOF. */
  void serve(DataInputStream in, OutputStream out) throws IOException {
    ByteArrayOutputStream hello = new ByteArrayOutputStream();
    message(hello, 'R', new byte[] {0, 0, 0, 0});                                   // AuthenticationOk
    for (String[] p : new String[][] {{"server_version", "16.4"}, {"server_encoding", "UTF8"},
        {"client_encoding", "UTF8"}, {"DateStyle", "ISO, MDY"}, {"integer_datetimes", "on"},
        {"standard_conforming_strings", "on"}, {"TimeZone", "UTC"}}) {
      message(hello, 'S', cstrings(p));                                               // ParameterStatus
    }
    message(hello, 'K', new byte[] {0, 0, 0, 1, 0, 0, 0, 2});                       // BackendKeyData
    message(hello, 'Z', new byte[] {'I'});                                           // ReadyForQuery
    out.write(hello.toByteArray());
    while (true) {
      int type;
      try {
        type = in.readUnsignedByte();
      } catch (EOFException e) {
        return;
      }
      byte[] body = in.readNBytes(in.readInt() - 4);
      if (type == 'X') {
        return;                                                                       // Terminate
      }
      ByteArrayOutputStream reply = new ByteArrayOutputStream();
      if (type == 'Q') {
        String sql = new String(body, 0, Math.max(0, body.length - 1), StandardCharsets.UTF_8);
        answer(sql, reply);
      } else {
        reply.write(FakePostgres.errorResponse("ERROR", "08P01", "this fake PostgreSQL speaks the simple query"
            + " protocol only (message '" + (char) type + "'): add preferQueryMode=simple to the JDBC URL"));
      }
      message(reply, 'Z', new byte[] {'I'});
      out.write(reply.toByteArray());
    }
  }

  private void answer(String sql, ByteArrayOutputStream reply) throws IOException {
    String s = sql.trim().replaceAll("\\s+", " ").replaceAll(";$", "");
    queries.incrementAndGet();
    Matcher m;
    if (s.isEmpty()) {
      message(reply, 'I', new byte[0]);                                               // EmptyQueryResponse
    } else if ((m = CREATE.matcher(s)).matches() && m.group(1).equalsIgnoreCase(table)) {
      rows.clear();
      creates.incrementAndGet();
      complete(reply, "CREATE TABLE");
    } else if ((m = INSERT.matcher(s)).matches() && m.group(1).equalsIgnoreCase(table)) {
      rows.put(id(m.group(2)), m.group(3).replace("''", "'"));
      complete(reply, "INSERT 0 1");
    } else if ((m = SELECT_TEXT.matcher(s)).matches() && m.group(1).equalsIgnoreCase(table)) {
      String text = rows.get(id(m.group(2)));
      rowDescription(reply, "text", TEXT);
      if (text != null) {
        dataRow(reply, text);
      }
      complete(reply, "SELECT " + (text == null ? 0 : 1));
    } else if ((m = COUNT.matcher(s)).matches() && m.group(1).equalsIgnoreCase(table)) {
      rowDescription(reply, "count", INT8);
      dataRow(reply, String.valueOf(rows.size()));
      complete(reply, "SELECT 1");
    } else if (s.equalsIgnoreCase("show transaction isolation level")) {
      rowDescription(reply, "transaction_isolation", TEXT);
      dataRow(reply, "read committed");
      complete(reply, "SHOW");
    } else if (s.regionMatches(true, 0, "set ", 0, 4)) {
      complete(reply, "SET");
    } else {
      reply.write(FakePostgres.errorResponse("ERROR", "42601", "this fake PostgreSQL does not know: " + sql));
    }
  }

  /** A parameter as pgjdbc writes it into a simple query: {@code 1}, {@code '1'}, {@code '1'::int4}, {@code ('1'::int4)}. */
  private static int id(String literal) {
    String digits = literal.replaceAll("::\\w+", "").replaceAll("[()' ]", "");
    return Integer.parseInt(digits);
  }

  private static void rowDescription(ByteArrayOutputStream reply, String column, int typeOid) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(b);
    d.writeShort(1);
    d.write(cstrings(new String[] {column}));
    d.writeInt(0);                       // no table
    d.writeShort(0);                     // no column number
    d.writeInt(typeOid);
    d.writeShort(typeOid == INT8 ? 8 : -1);
    d.writeInt(-1);                      // no type modifier
    d.writeShort(0);                     // text format
    message(reply, 'T', b.toByteArray());
  }

  private static void dataRow(ByteArrayOutputStream reply, String value) throws IOException {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(b);
    d.writeShort(1);
    d.writeInt(bytes.length);
    d.write(bytes);
    message(reply, 'D', b.toByteArray());
  }

  private static void complete(ByteArrayOutputStream reply, String tag) throws IOException {
    message(reply, 'C', cstrings(new String[] {tag}));
  }

  /** Each value as a C string: its UTF-8 bytes and a 0. */
  private static byte[] cstrings(String[] values) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (String v : values) {
      b.writeBytes(v.getBytes(StandardCharsets.UTF_8));
      b.write(0);
    }
    return b.toByteArray();
  }

  private static void message(ByteArrayOutputStream out, char type, byte[] body) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    d.writeByte(type);
    d.writeInt(4 + body.length);
    d.write(body);
  }

  @Override
  public String toString() {
    return "table " + table + " (" + rows.size() + " rows)";
  }
}
