package io.taskqueue.launcher.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where the load generator ran: what a reader needs to compare figures between machines. */
record Machine(int cores, String cpu, String os, String jvm, long totalMemoryMb) {

  static Machine current() {
    long totalMemory = -1;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      totalMemory = os.getTotalMemorySize() / (1024 * 1024);
    }
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        cpuModel(),
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        totalMemory);
  }

  Map<String, Object> figures() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("cores", cores);
    out.put("cpu", cpu);
    out.put("os", os);
    out.put("jvm", jvm);
    out.put("total_memory_mb", totalMemoryMb);
    return out;
  }

  /** The "model name" line of /proc/cpuinfo on Linux, else "unknown". */
  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or not readable: the model is a nicety
    }
    return "unknown";
  }
}
