package io.faketcp.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.junit5.FakeNetworkExtension;
import io.faketcp.junit5.SubnetLocks;
import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;

/** pgjdbc, unchanged, logs in to a {@link FakePostgres} serving a {@link TinyDatabase} and runs a repository's statements. */
@ResourceLock(providers = SubnetLocks.class)
class TinyDatabaseTest {
  static final TinyDatabase database = new TinyDatabase("greeting");

  @RegisterExtension
  static FakeNetworkExtension network = FakeNetworkExtension.newInstance()
      .subnet("10.62.0.0/24")
      .mode(Mode.REJECT)
      .rule(Rule.of("10.62.0.7", "5432", FakePostgres.serving(database)))
      .build();

  private static Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://10.62.0.7:5432/app?preferQueryMode=simple&connectTimeout=2"
        + "&socketTimeout=5", "app", "secret");
  }

  @Test
  void createsInsertsAndReadsOverTheSimpleQueryProtocol() throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE greeting (id INT PRIMARY KEY, text VARCHAR(200))");
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO greeting (id, text) VALUES (?, ?)")) {
        insert.setInt(1, 3);
        insert.setString(2, "it's me");
        assertThat(insert.executeUpdate()).isEqualTo(1);
      }
      try (PreparedStatement select = c.prepareStatement("SELECT text FROM greeting WHERE id = ?")) {
        select.setInt(1, 3);
        try (ResultSet rs = select.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo("it's me");
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM greeting")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(1);
      }
      assertThat(c.isValid(1)).isTrue();
      assertThatThrownBy(() -> s.execute("DELETE FROM greeting"))
          .hasMessageContaining("this fake PostgreSQL does not know: DELETE FROM greeting");
    }
    assertThat(database.creates()).isEqualTo(1);
  }
}
