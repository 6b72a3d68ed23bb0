package io.faketcp.tun.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;

/**
 * The C library calls faketcp needs, bound with JNA direct mapping (one JNI hop per call, no proxy).
 *
 * <p>Calls on the per-packet path ({@link #read}, {@link #write}, {@link #poll}) do not declare
 * {@link LastErrorException}: a non-blocking read that finds no packet is the normal end of every
 * batch, and an exception per batch would cost more than the read. Read errno with
 * {@link Native#getLastError()} after a negative result instead. Set-up calls throw.
 */
public final class LibC {
  static {
    Native.register(Platform.C_LIBRARY_NAME);
  }

  /** {@code open(2)} flag: read and write. */
  public static final int O_RDWR = 2;
  /** {@code open(2)} flag: non-blocking I/O. */
  public static final int O_NONBLOCK = 0x800;
  /** {@code open(2)} flag: close on exec, so a forked program does not keep the device alive. */
  public static final int O_CLOEXEC = 0x80000;
  /** {@code eventfd(2)} flag: non-blocking. */
  public static final int EFD_NONBLOCK = O_NONBLOCK;
  /** {@code eventfd(2)} flag: close on exec. */
  public static final int EFD_CLOEXEC = O_CLOEXEC;
  /** {@code socket(2)} domain: IPv4. */
  public static final int AF_INET = 2;
  /** {@code socket(2)} domain: IPv6. */
  public static final int AF_INET6 = 10;
  /** {@code socket(2)} type: datagram, used only as a handle for interface ioctls. */
  public static final int SOCK_DGRAM = 2;
  /** {@code poll(2)} event: data to read. */
  public static final short POLLIN = 0x1;
  /** {@code poll(2)} event: error condition. */
  public static final short POLLERR = 0x8;
  /** {@code poll(2)} event: hang up. */
  public static final short POLLHUP = 0x10;
  /** {@code poll(2)} event: invalid descriptor. */
  public static final short POLLNVAL = 0x20;
  /** errno: interrupted system call. */
  public static final int EINTR = 4;
  /** errno: resource temporarily unavailable (nothing to read on a non-blocking fd). */
  public static final int EAGAIN = 11;
  /** errno: no buffer space available (the kernel dropped the packet). */
  public static final int ENOBUFS = 105;
  /** errno: file descriptor in bad state (a tun fd whose interface was deleted). */
  public static final int EBADFD = 77;
  /** errno: invalid argument. */
  public static final int EINVAL = 22;
  /** errno: operation not permitted. */
  public static final int EPERM = 1;
  /** errno: no such device. */
  public static final int ENODEV = 19;
  /** errno: I/O error (written to a tun device that is down). */
  public static final int EIO = 5;

  private LibC() {}

  /** {@code open(2)}. */
  public static native int open(String path, int flags) throws LastErrorException;

  /** {@code close(2)}. */
  public static native int close(int fd) throws LastErrorException;

  /**
   * {@code getrusage(2)} into the {@code struct rusage} at {@code usage}; -1 on failure. Called by the
   * peer thread around its waits while a timing fault is set, so it throws nothing.
   */
  public static native int getrusage(int who, long usage);

  /**
   * {@code syscall(2)} with four arguments (pass 0 for those a call does not take), for the calls libc
   * does not wrap ({@code sched_getattr}, {@code sched_setattr}); -1 and errno as for {@link #read}.
   */
  public static native long syscall(long number, long a1, long a2, long a3, long a4);

  /**
   * {@code read(2)} into native memory at {@code address} (a pointer passed as a 64-bit integer, so
   * that no {@code Pointer} is made per call); returns -1 and leaves errno in
   * {@link Native#getLastError()} on failure.
   */
  public static native long read(int fd, long address, long count);

  /** {@code write(2)} from native memory at {@code address}; -1 and errno as for {@link #read}. */
  public static native long write(int fd, long address, long count);

  /**
   * {@code readv(2)} into the {@code struct iovec} array at {@code iov} (16 bytes each: address,
   * length); -1 and errno as for {@link #read}.
   */
  public static native long readv(int fd, long iov, int iovcnt);

  /** {@code writev(2)} from the {@code struct iovec} array at {@code iov}; -1 and errno as for {@link #read}. */
  public static native long writev(int fd, long iov, int iovcnt);

  /** {@code ioctl(2)} with an integer argument (TUNSETOFFLOAD). */
  public static native int ioctl(int fd, NativeLong request, NativeLong argument) throws LastErrorException;

  /** {@code poll(2)} over an array of {@code struct pollfd} (8 bytes each) at {@code fds}. */
  public static native int poll(long fds, long nfds, int timeoutMillis);

  /** {@code ioctl(2)} with a pointer argument (an {@code ifreq}). */
  public static native int ioctl(int fd, NativeLong request, Ifreq ifreq) throws LastErrorException;

  /**
   * {@code ioctl(2)} with a pointer to {@code bytes} (copied in and back out): for structures
   * such as {@code struct in6_ifreq} that the kernel reads.
   */
  public static native int ioctl(int fd, NativeLong request, byte[] bytes) throws LastErrorException;

  /** {@code eventfd(2)}. */
  public static native int eventfd(int initval, int flags) throws LastErrorException;

  /** {@code fcntl(2)} with an int argument. */
  public static native int fcntl(int fd, int cmd, int arg) throws LastErrorException;

  /** {@code socket(2)}. */
  public static native int socket(int domain, int type, int protocol) throws LastErrorException;

  /** {@code setsockopt(2)} with the option's value in native memory at {@code value}. */
  public static native int setsockopt(int fd, int level, int name, long value, int length) throws LastErrorException;

  /** {@code bind(2)} to the socket address in native memory at {@code address}. */
  public static native int bind(int fd, long address, int length) throws LastErrorException;

  /** {@code mmap(2)}; returns the mapping's address. */
  public static native long mmap(long address, long length, int protection, int flags, int fd, long offset)
      throws LastErrorException;

  /** {@code munmap(2)}. */
  public static native int munmap(long address, long length) throws LastErrorException;

  /** {@code if_nametoindex(3)}: the interface's index, 0 when there is none of that name. */
  public static native int if_nametoindex(String name);

  /** {@code strerror(3)}: the text for an errno value. */
  public static native String strerror(int errnum);
}
