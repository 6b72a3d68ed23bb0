package io.faketcp.junit5.internal;

import io.faketcp.tun.TunDevice;

/** An open tun device and, when the settings capture, the capture already open on it. */
record Prepared(Settings.DeviceKey key, TunDevice device, PacketCapture capture) {
  /** Closes in reverse order of opening: capture, the device's kept peer thread, then device. Slow (kernel RCU waits). */
  void close() {
    try {
      if (capture != null) {
        capture.close();
      }
    } finally {
      try {
        KeptPeerThreads.end(device);
      } finally {
        device.close();
      }
    }
  }

  @Override
  public String toString() {
    return device.toString();
  }
}
