package io.faketcp.samples.boot;

import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Greetings by number, in the table {@code greeting} (schema.sql, data.sql). */
@Repository
public class GreetingRepository {
  private final JdbcTemplate jdbc;

  public GreetingRepository(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  public Optional<String> find(int id) {
    List<String> texts = jdbc.queryForList("SELECT text FROM greeting WHERE id = ?", String.class, id);
    return texts.stream().findFirst();
  }

  public void save(int id, String text) {
    jdbc.update("INSERT INTO greeting (id, text) VALUES (?, ?)", id, text);
  }

  public long count() {
    Long count = jdbc.queryForObject("SELECT count(*) FROM greeting", Long.class);
    return count == null ? 0 : count;
  }
}
