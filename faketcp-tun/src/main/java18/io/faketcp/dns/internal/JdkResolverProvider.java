package io.faketcp.dns.internal;

import io.faketcp.dns.FakeDns;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The JDK's resolver (JDK 18 and later) while a fake DNS server is {@linkplain FakeDns#activate active}:
 * names go to it, except those a machine answers itself ({@code localhost}, this machine's host name,
 * the names in {@code /etc/hosts}), which go to the built-in resolver as they would through glibc's
 * "files" source. With no fake DNS active, every lookup is the built-in resolver's. Reverse lookups are
 * always the built-in resolver's. Not API: found by {@link java.util.ServiceLoader}.
 */
public final class JdkResolverProvider extends InetAddressResolverProvider {

  /** Made by the service loader. */
  public JdkResolverProvider() {}

  @Override
  public InetAddressResolver get(Configuration configuration) {
    InetAddressResolver builtin = configuration.builtinResolver();
    Set<String> local = localNames(configuration.lookupLocalHostName());
    return new InetAddressResolver() {
      @Override
      public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
        Optional<Inet4Address> dns = FakeDns.active(host);
        String name = host.toLowerCase(Locale.ROOT);
        if (dns.isEmpty() || local.contains(name.endsWith(".") ? name.substring(0, name.length() - 1) : name)) {
          return builtin.lookupByName(host, policy);
        }
        int wanted = policy.characteristics();
        List<InetAddress> four = new java.util.ArrayList<>();
        if ((wanted & LookupPolicy.IPV4) != 0) {
          try {
            four.addAll(FakeDns.lookup(dns.get(), host));
          } catch (UnknownHostException e) {
            if ((wanted & LookupPolicy.IPV6) == 0 || !e.getMessage().contains("No address")) {
              throw e;
            }
          }
        }
        List<InetAddress> six = new java.util.ArrayList<>();
        if ((wanted & LookupPolicy.IPV6) != 0) {
          six.addAll(FakeDns.lookup6(dns.get(), host));
        }
        if (four.isEmpty() && six.isEmpty()) {
          throw new UnknownHostException(host + ": No address associated with hostname");
        }
        List<InetAddress> all = new java.util.ArrayList<>();
        boolean sixFirst = (wanted & LookupPolicy.IPV6_FIRST) != 0;
        all.addAll(sixFirst ? six : four);
        all.addAll(sixFirst ? four : six);
        return all.stream();
      }

      @Override
      public String lookupByAddress(byte[] address) throws UnknownHostException {
        return builtin.lookupByAddress(address);
      }
    };
  }

  /** localhost, this machine's name and the names of /etc/hosts, in lower case. */
  private static Set<String> localNames(String hostName) {
    Set<String> names = new HashSet<>(List.of("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"));
    names.add(hostName.toLowerCase(Locale.ROOT));
    try {
      for (String line : Files.readAllLines(Path.of("/etc/hosts"))) {
        int hash = line.indexOf('#');
        String[] words = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
        for (int i = 1; i < words.length; i++) {
          names.add(words[i].toLowerCase(Locale.ROOT));
        }
      }
    } catch (IOException | RuntimeException e) {
      System.getLogger(JdkResolverProvider.class.getName()).log(System.Logger.Level.DEBUG,
          "no /etc/hosts to read: {0}", e.toString());
    }
    return names;
  }

  @Override
  public String name() {
    return "faketcp";
  }
}
