package io.faketcp.tun;

/** For the kill -9 test: a JVM that opens a tun device, prints its name, and waits to be killed. */
public final class OpenAndWait {
  private OpenAndWait() {}

  public static void main(String[] args) throws InterruptedException {
    TunDevice device = TunDevice.builder().subnet(Subnet.parse(args[0])).open();
    System.out.println(device.name());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
