package io.faketcp.spring;

import io.faketcp.dns.Zone;
import java.net.Inet4Address;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.core.env.MapPropertySource;

/**
 * The declared names' addresses as properties, known before the context refreshes:
 * {@code faketcp.name.NAME} (the name in lower case, without a trailing dot), the name's addresses in
 * order, comma-separated, a CNAME's those of its target. Names without addresses (only SRV or TXT
 * records) have no property. Enumerable, so that Spring Boot's binder can list them.
 */
final class NamePropertySource extends MapPropertySource {
  static final String NAME = "faketcp.names";
  static final String PREFIX = "faketcp.name.";

  NamePropertySource(Zone names) {
    super(NAME, properties(names));
  }

  private static Map<String, Object> properties(Zone names) {
    Map<String, Object> properties = new LinkedHashMap<>();
    for (String name : names.names()) {
      String addresses = names.addresses(name).stream().map(Inet4Address::getHostAddress)
          .collect(Collectors.joining(","));
      if (!addresses.isEmpty()) {
        String key = name.toLowerCase(Locale.ROOT);
        properties.put(PREFIX + (key.endsWith(".") ? key.substring(0, key.length() - 1) : key), addresses);
      }
    }
    return properties;
  }
}
