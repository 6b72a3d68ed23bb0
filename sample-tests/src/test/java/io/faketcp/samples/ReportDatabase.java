package io.faketcp.samples;

import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/**
 * Application code: counts the rows of the reports table in PostgreSQL, through the PostgreSQL
 * JDBC driver, with a budget for logging in; any failure becomes one exception that says which
 * database and why.
 */
final class ReportDatabase {
  private final String host;
  private final int port;
  private final String user;
  private final Duration loginTimeout;

  ReportDatabase(InetSocketAddress server, String user, Duration loginTimeout) {
    this(server.getAddress().getHostAddress(), server.getPort(), user, loginTimeout);
  }

  /** By host name, as a configuration file gives it ({@code db.internal}): the driver resolves it. */
  ReportDatabase(String host, int port, String user, Duration loginTimeout) {
    this.host = host;
    this.port = port;
    this.user = user;
    this.loginTimeout = loginTimeout;
  }

  long countReports() {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", "secret");
    properties.setProperty("loginTimeout", Long.toString(loginTimeout.toSeconds()));
    properties.setProperty("connectTimeout", Long.toString(loginTimeout.toSeconds()));
    String url = "jdbc:postgresql://" + host + ":" + port + "/reports";
    try (Connection connection = DriverManager.getConnection(url, properties);
         Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("select count(*) from reports")) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new ReportsUnavailableException("reports database " + host + ":" + port + " unavailable: "
          + e.getMessage(), e);
    }
  }

  /** The reports cannot be counted now. */
  static final class ReportsUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ReportsUnavailableException(String message, SQLException cause) {
      super(message, cause);
    }

    /** The SQLSTATE the driver reported, e.g. 28P01 for a refused password. */
    String sqlState() {
      return ((SQLException) getCause()).getSQLState();
    }
  }
}
