package io.faketcp.spring;

import io.faketcp.tun.Subnet;
import org.springframework.core.env.PropertySource;

/**
 * The context network's addresses as properties, known before the context refreshes:
 * {@code faketcp.subnet}, {@code faketcp.host} and {@code faketcp.address.N} (the subnet's Nth address).
 */
final class NetworkPropertySource extends PropertySource<Subnet> {
  static final String NAME = "faketcp";
  private static final String ADDRESS = "faketcp.address.";

  NetworkPropertySource(Subnet subnet) {
    super(NAME, subnet);
  }

  @Override
  public Object getProperty(String name) {
    if (!name.startsWith("faketcp.")) {
      return null;
    }
    Subnet subnet = getSource();
    if (name.equals("faketcp.subnet")) {
      return subnet.toString();
    }
    if (name.equals("faketcp.host")) {
      return subnet.hostAddress().getHostAddress();
    }
    if (name.startsWith(ADDRESS)) {
      String n = name.substring(ADDRESS.length());
      try {
        return subnet.address(Integer.parseInt(n)).getHostAddress();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("property " + name + ": " + subnet + " has no address number " + n
            + " (" + e.getMessage() + ")", e);
      }
    }
    return null;
  }
}
