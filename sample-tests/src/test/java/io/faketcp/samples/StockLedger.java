package io.faketcp.samples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Application code under test: stock levels in PostgreSQL, through a HikariCP pool and the
 * PostgreSQL JDBC driver, as a service would keep them. Every call borrows a pooled connection.
 */
final class StockLedger implements AutoCloseable {
  private final HikariDataSource pool;
  private final String table;

  /**
   * @param database where PostgreSQL is
   * @param timeout the driver's socket timeout and the pool's validation timeout; the pool waits three
   *     times as long for a new connection (a login derives SCRAM keys: slow on a loaded machine)
   */
  StockLedger(InetSocketAddress database, String user, String password, String name, String table, Duration timeout) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:postgresql://" + database.getHostString() + ":" + database.getPort() + "/" + name);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(1); // one connection: a test knows which one its fault hits
    config.setMinimumIdle(1);
    config.setConnectionTimeout(Math.max(250, 3 * timeout.toMillis()));
    config.setValidationTimeout(Math.max(250, timeout.toMillis()));
    config.setInitializationFailTimeout(-1); // start even while the database is away
    long seconds = Math.max(1, timeout.toSeconds());
    config.addDataSourceProperty("connectTimeout", Long.toString(seconds));
    config.addDataSourceProperty("socketTimeout", Long.toString(seconds));
    config.setPoolName("stock-ledger");
    this.pool = new HikariDataSource(config);
    this.table = table;
  }

  void createTable() throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS " + table + " (sku text PRIMARY KEY, quantity int NOT NULL)");
      s.execute("TRUNCATE " + table);
    }
  }

  void dropTable() throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + table);
    }
  }

  /** Adds {@code delta} to the stock of {@code sku}. */
  void add(String sku, int delta) throws SQLException {
    try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement("INSERT INTO " + table
        + " (sku, quantity) VALUES (?, ?) ON CONFLICT (sku) DO UPDATE SET quantity = " + table + ".quantity + EXCLUDED.quantity")) {
      s.setString(1, sku);
      s.setInt(2, delta);
      s.executeUpdate();
    }
  }

  /** The stock of {@code sku}, 0 when unknown. */
  int stock(String sku) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement("SELECT quantity FROM " + table + " WHERE sku = ?")) {
      s.setString(1, sku);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? r.getInt(1) : 0;
      }
    }
  }

  /** The server process serving the connection a call gets: another one means another connection. */
  int backendPid() throws SQLException {
    try (Connection c = pool.getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
      r.next();
      return r.getInt(1);
    }
  }

  /** Connections the pool holds now. */
  int connections() {
    return pool.getHikariPoolMXBean().getTotalConnections();
  }

  @Override
  public void close() {
    pool.close();
  }
}
