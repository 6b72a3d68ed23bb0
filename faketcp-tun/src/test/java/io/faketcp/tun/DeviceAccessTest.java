package io.faketcp.tun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faketcp.tun.internal.DeviceAccess;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The internal door to withdrawAddress/restoreAddress, as faketcp-junit's device pool uses it. */
@ExtendWith(RequiresTun.class)
class DeviceAccessTest {
  private static final Subnet SUBNET = Subnet.parse("192.168.4.0/24");

  @Test
  void withdrawTakesTheHostAddressAndRouteOffAndRestoreGivesThemBack() throws Exception {
    DeviceAccess<TunDevice> access = DeviceAccess.get();
    try (TunDevice tun = TunDevice.builder().subnet(SUBNET).open()) {
      String route = tun.name() + "\t0004A8C0";
      assertThat(canBindHostAddress()).isTrue();

      access.withdrawAddress(tun);
      assertThat(Files.readString(Path.of("/proc/net/route"))).doesNotContain(route);
      assertThat(canBindHostAddress()).as("the host address is gone from the interface").isFalse();
      assertThat(tun.isOpen()).isTrue();

      access.restoreAddress(tun);
      assertThat(Files.readString(Path.of("/proc/net/route"))).contains(route);
      assertThat(canBindHostAddress()).isTrue();
    }
  }

  @Test
  void aClosedDeviceIsRefusedByName() {
    TunDevice tun = TunDevice.builder().subnet(SUBNET).open();
    tun.close();
    assertThatThrownBy(() -> DeviceAccess.<TunDevice>get().withdrawAddress(tun))
        .isInstanceOf(TunException.class)
        .hasMessage("withdrawAddress(" + tun.name() + ") on a closed tun device");
    assertThatThrownBy(() -> DeviceAccess.<TunDevice>get().restoreAddress(tun))
        .isInstanceOf(TunException.class)
        .hasMessageStartingWith("restoreAddress(");
  }

  @Test
  void aSecondImplementationIsRefused() {
    assertThat(TunDevice.nativeCalls()).isNotEmpty(); // TunDevice is initialised: its implementation is installed
    assertThatThrownBy(() -> DeviceAccess.install(DeviceAccess.get()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("installed once");
  }

  private static boolean canBindHostAddress() throws Exception {
    try (DatagramSocket socket = new DatagramSocket(null)) {
      socket.bind(new InetSocketAddress(SUBNET.hostAddress(), 0));
      return true;
    } catch (BindException e) {
      return false;
    }
  }
}
