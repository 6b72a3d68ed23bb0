# Switches tx checksum offload off on one interface (no ethtool here): SIOCETHTOOL / ETHTOOL_STXCSUM.
# With offload on, captured TCP/UDP checksums are only partial (tcpdump says "incorrect").
import array, fcntl, socket, struct, sys
SIOCETHTOOL, ETHTOOL_GTXCSUM, ETHTOOL_STXCSUM = 0x8946, 0x16, 0x17
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def ethtool(cmd, data=0):
    value = array.array('I', [cmd, data])
    fcntl.ioctl(s.fileno(), SIOCETHTOOL, struct.pack('16sP', sys.argv[1].encode(), value.buffer_info()[0]))
    return value[1]
ethtool(ETHTOOL_STXCSUM, 0)
assert ethtool(ETHTOOL_GTXCSUM) == 0, "tx checksum offload still on"
