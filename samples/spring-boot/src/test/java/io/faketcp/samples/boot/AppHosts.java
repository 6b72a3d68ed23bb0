package io.faketcp.samples.boot;

import io.faketcp.peer.Mode;
import io.faketcp.peer.Rule;
import io.faketcp.peer.Rules;
import io.faketcp.samples.FakePostgres;
import io.faketcp.samples.FakeQuoteService;
import io.faketcp.samples.TinyDatabase;
import java.util.function.Supplier;

// tag::app-hosts[]
/** The price service at 10.80.0.5:8080 and the database at 10.80.0.7:5432; every other address refuses. */
public final class AppHosts implements Supplier<Rules> {
  static final FakeQuoteService PRICES = new FakeQuoteService("42.00", 0, 0, () -> null);
  static final TinyDatabase DATABASE = new TinyDatabase("greeting");

  @Override
  public Rules get() {   // read once, when the application context starts
    return Rules.of(Mode.REJECT)
        .with(Rule.of("10.80.0.5", "8080", PRICES))
        .with(Rule.of("10.80.0.7", "5432", FakePostgres.serving(DATABASE)));
  }
}
// end::app-hosts[]
