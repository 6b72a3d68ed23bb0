package io.faketcp.bench;

import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;

/** Experiment: sets a custom EEVDF slice on the threads of this JVM whose name starts with a prefix. */
final class SchedSlice {
  static void apply(String prefix, long sliceNanos) throws Exception {
    com.sun.jna.Function syscall = NativeLibrary.getInstance("c").getFunction("syscall");
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        String comm = Files.readString(t.resolve("comm")).trim();
        if (!comm.startsWith(prefix)) {
          continue;
        }
        Memory a = new Memory(56);
        a.clear();
        a.setInt(0, 56);
        a.setInt(4, 0); // SCHED_NORMAL
        a.setLong(24, sliceNanos); // sched_runtime
        int r = syscall.invokeInt(new Object[] {314L, Long.parseLong(t.getFileName().toString()), a, 0});
        System.err.println("sched_setattr " + comm + " slice " + sliceNanos + ": " + r);
      }
    }
  }
}
