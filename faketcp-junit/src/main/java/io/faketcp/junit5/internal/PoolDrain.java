package io.faketcp.junit5.internal;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Kept in JUnit's root store: when JUnit ends the run, waits until every tun device faketcp handed
 * back is closed. Both a {@code CloseableResource} and an {@link AutoCloseable}, so every JUnit from
 * 5.10 on closes it.
 */
@SuppressWarnings("deprecation") // CloseableResource: deprecated in 5.13, still the only kind 5.10 to 5.12 close
final class PoolDrain implements ExtensionContext.Store.CloseableResource,
    AutoCloseable {
  PoolDrain() {}

  @Override
  public void close() {
    DevicePool.instance().drain();
  }
}
