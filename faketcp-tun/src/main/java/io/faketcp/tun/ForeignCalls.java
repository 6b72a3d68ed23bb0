package io.faketcp.tun;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * {@link NativeCalls} through the Foreign Function and Memory API of JDK 22 and later, reached by
 * reflection at class initialisation so that this class compiles with {@code --release 17}.
 *
 * <p>Each downcall handle takes the pointer arguments as {@code long} (x86-64 and aarch64 pass a
 * pointer and a 64-bit integer in the same register) and, first, the memory segment the linker
 * captures errno into, typed {@code Object}; the handles live in static final fields, so
 * {@code invokeExact} compiles to a direct native call. {@code read} and {@code write} on the
 * non-blocking tun fd are linked as critical (they never block and never call back into Java);
 * {@code poll}, which blocks, is not. Capturing errno is a call into the VM after every downcall
 * (about 2 % of the peer's time in the ICMP flood's profile), so {@code read} and {@code write} also
 * have handles without it, for the calls whose failure needs no reason or can be repeated to learn it.
 */
final class ForeignCalls extends NativeCalls {
  private final Object errnoSegment;
  private final ByteBuffer errnoView;

  ForeignCalls() {
    errnoSegment = Handles.allocateCallState();
    errnoView = Handles.view(errnoSegment);
  }

  @Override
  long read(int fd, long address, long count) {
    try {
      return (long) Handles.READ.invokeExact(errnoSegment, fd, address, count);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  long readWithoutErrno(int fd, long address, long count) {
    try {
      return (long) Handles.READ_UNCAPTURED.invokeExact(fd, address, count);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * Writes without capturing errno (the capture is a call into the VM after every downcall, a few
   * per cent of the peer's time per packet); only a failed write is made again with the capturing
   * handle, to learn why. Making it again is safe: a tun or eventfd write that fails has sent nothing.
   */
  @Override
  long write(int fd, long address, long count) {
    try {
      long n = (long) Handles.WRITE_UNCAPTURED.invokeExact(fd, address, count);
      if (n >= 0) {
        return n;
      }
      return (long) Handles.WRITE.invokeExact(errnoSegment, fd, address, count);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  long readv(int fd, long iov, int iovcnt) {
    try {
      return (long) Handles.READV.invokeExact(errnoSegment, fd, iov, iovcnt);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  long writev(int fd, long iov, int iovcnt) {
    try {
      return (long) Handles.WRITEV.invokeExact(errnoSegment, fd, iov, iovcnt);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  int poll(long fds, long nfds, int timeoutMillis) {
    try {
      return (int) Handles.POLL.invokeExact(errnoSegment, fds, nfds, timeoutMillis);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  int errno() {
    return errnoView.getInt(Handles.ERRNO_OFFSET);
  }

  /** Whether read and write were linked as critical downcalls (for reports). */
  static boolean critical() {
    return Handles.CRITICAL;
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException) {
      return (RuntimeException) t;
    }
    if (t instanceof Error) {
      throw (Error) t;
    }
    return new IllegalStateException("native call failed: " + t, t);
  }

  /** The handles, made once; initialising this class fails when FFM is unavailable. */
  static final class Handles {
    static final MethodHandle READ;
    static final MethodHandle WRITE;
    static final MethodHandle WRITE_UNCAPTURED;
    static final MethodHandle READ_UNCAPTURED;
    static final MethodHandle POLL;
    /** readv and writev, for a device with checksum offload: linked as read and write are. */
    static final MethodHandle READV;
    static final MethodHandle WRITEV;
    static final int ERRNO_OFFSET;
    static final boolean CRITICAL;
    private static final Object CALL_STATE_LAYOUT;
    private static final Method OF_AUTO;
    private static final Method ALLOCATE;
    private static final Method AS_BYTE_BUFFER;

    static {
      try {
        Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
        Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
        Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
        Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> valueLayoutClass = Class.forName("java.lang.foreign.ValueLayout");
        Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
        Class<?> lookupClass = Class.forName("java.lang.foreign.SymbolLookup");
        Class<?> pathClass = Class.forName("java.lang.foreign.MemoryLayout$PathElement");
        Class<?> arenaClass = Class.forName("java.lang.foreign.Arena");

        Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
        Object lookup = linkerClass.getMethod("defaultLookup").invoke(linker);
        Object javaInt = valueLayoutClass.getField("JAVA_INT").get(null);
        Object javaLong = valueLayoutClass.getField("JAVA_LONG").get(null);
        Method descriptorOf = descriptorClass.getMethod("of", layoutClass, layoutClass.arrayType());
        Method find = lookupClass.getMethod("find", String.class);
        Method downcall = linkerClass.getMethod("downcallHandle", segmentClass, descriptorClass, optionClass.arrayType());
        Object captureErrno = optionClass.getMethod("captureCallState", String[].class)
            .invoke(null, (Object) new String[] {"errno"});
        Object critical = optionClass.getMethod("critical", boolean.class).invoke(null, false);

        Object readWriteDescriptor = descriptorOf.invoke(null, javaLong, layouts(layoutClass, javaInt, javaLong, javaLong));
        Object pollDescriptor = descriptorOf.invoke(null, javaInt, layouts(layoutClass, javaLong, javaLong, javaInt));
        Object normal = options(optionClass, captureErrno);
        Object fast = options(optionClass, captureErrno, critical);

        MethodType readWriteType = MethodType.methodType(long.class, Object.class, int.class, long.class, long.class);
        MethodHandle read;
        MethodHandle write;
        boolean isCritical = true;
        try {
          read = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "read"), readWriteDescriptor, fast);
          write = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "write"), readWriteDescriptor, fast);
        } catch (InvocationTargetException e) {
          if (!(e.getCause() instanceof IllegalArgumentException)) {
            throw e;
          }
          // A JDK that refuses critical together with errno capture: plain downcalls.
          isCritical = false;
          read = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "read"), readWriteDescriptor, normal);
          write = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "write"), readWriteDescriptor, normal);
        }
        MethodHandle poll = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "poll"), pollDescriptor, normal);
        Object vectorDescriptor = descriptorOf.invoke(null, javaLong, layouts(layoutClass, javaInt, javaLong, javaInt));
        Object vectorOptions = isCritical ? fast : normal;
        MethodType vectorType = MethodType.methodType(long.class, Object.class, int.class, long.class, int.class);
        READV = ((MethodHandle) downcall.invoke(linker, symbol(find, lookup, "readv"), vectorDescriptor, vectorOptions))
            .asType(vectorType);
        WRITEV = ((MethodHandle) downcall.invoke(linker, symbol(find, lookup, "writev"), vectorDescriptor, vectorOptions))
            .asType(vectorType);
        MethodHandle readUncaptured = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "read"),
            readWriteDescriptor, options(optionClass, isCritical ? new Object[] {critical} : new Object[0]));
        MethodHandle writeUncaptured = (MethodHandle) downcall.invoke(linker, symbol(find, lookup, "write"),
            readWriteDescriptor, options(optionClass, isCritical ? new Object[] {critical} : new Object[0]));
        READ = read.asType(readWriteType);
        WRITE = write.asType(readWriteType);
        WRITE_UNCAPTURED = writeUncaptured;
        READ_UNCAPTURED = readUncaptured;
        POLL = poll.asType(MethodType.methodType(int.class, Object.class, long.class, long.class, int.class));
        CRITICAL = isCritical;

        CALL_STATE_LAYOUT = optionClass.getMethod("captureStateLayout").invoke(null);
        Object errnoPath = Array.newInstance(pathClass, 1);
        Array.set(errnoPath, 0, pathClass.getMethod("groupElement", String.class).invoke(null, "errno"));
        ERRNO_OFFSET = (int) (long) layoutClass.getMethod("byteOffset", pathClass.arrayType()).invoke(CALL_STATE_LAYOUT, errnoPath);
        OF_AUTO = arenaClass.getMethod("ofAuto");
        ALLOCATE = arenaClass.getMethod("allocate", layoutClass);
        AS_BYTE_BUFFER = segmentClass.getMethod("asByteBuffer");
      } catch (ReflectiveOperationException e) {
        Throwable cause = e instanceof InvocationTargetException && e.getCause() != null ? e.getCause() : e;
        throw new IllegalStateException("cannot link read/write/poll through java.lang.foreign: " + cause, cause);
      }
    }

    private Handles() {}

    /** Runs the static initialiser: throws when FFM is unavailable. */
    static void check() {
      if (READ == null) {
        throw new IllegalStateException("FFM handles missing");
      }
    }

    /** A zeroed call-state segment (errno lands in it), freed by the GC with its owner. */
    static Object allocateCallState() {
      try {
        return ALLOCATE.invoke(OF_AUTO.invoke(null), CALL_STATE_LAYOUT);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot allocate the errno capture segment: " + e, e);
      }
    }

    static ByteBuffer view(Object segment) {
      try {
        return ((ByteBuffer) AS_BYTE_BUFFER.invoke(segment)).order(ByteOrder.nativeOrder());
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot view the errno capture segment: " + e, e);
      }
    }

    private static Object symbol(Method find, Object lookup, String name) throws ReflectiveOperationException {
      Optional<?> found = (Optional<?>) find.invoke(lookup, name);
      return found.orElseThrow(() -> new IllegalStateException("the C library has no symbol " + name));
    }

    private static Object layouts(Class<?> layoutClass, Object... layouts) {
      Object array = Array.newInstance(layoutClass, layouts.length);
      for (int i = 0; i < layouts.length; i++) {
        Array.set(array, i, layouts[i]);
      }
      return array;
    }

    private static Object options(Class<?> optionClass, Object... options) {
      Object array = Array.newInstance(optionClass, options.length);
      for (int i = 0; i < options.length; i++) {
        Array.set(array, i, options[i]);
      }
      return array;
    }
  }
}
