package dev.baton.it;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** Heap after full GC and live threads, for the soak tests' before/after figures. */
public final class Vitals {

  private Vitals() {}

  /** Used heap in bytes after asking for full collections until it stops shrinking. */
  public static long heapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      long used = memory.getHeapMemoryUsage().getUsed();
      if (used >= best) {
        break;
      }
      best = used;
    }
    return best;
  }

  public static int threads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  public static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / 1048576.0);
  }
}
