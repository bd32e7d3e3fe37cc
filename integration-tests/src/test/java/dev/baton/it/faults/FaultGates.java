package dev.baton.it.faults;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where a load stops for a fault: every sender waits at each threshold (a count of new messages)
 * until the driver has injected the fault that belongs there. So a fault always lands in the
 * middle of the load, however fast or slow the machine is, and the load goes on while the fault
 * lasts.
 */
final class FaultGates {

  private final int[] thresholds;
  private final CountDownLatch[] reached;
  private final CountDownLatch[] released;

  /** @param senders how many senders pass the gates */
  FaultGates(int senders, int... thresholds) {
    this.thresholds = thresholds.clone();
    this.reached = new CountDownLatch[thresholds.length];
    this.released = new CountDownLatch[thresholds.length];
    for (int i = 0; i < thresholds.length; i++) {
      reached[i] = new CountDownLatch(senders);
      released[i] = new CountDownLatch(1);
    }
  }

  int faults() {
    return thresholds.length;
  }

  /**
   * Called by a sender before its new message number {@code n}: waits at a gate's threshold.
   * Returns whether {@code n} was one (the sender may have waited).
   */
  boolean beforeMessage(int n, long timeout, TimeUnit unit)
      throws InterruptedException, TimeoutException {
    boolean gate = false;
    for (int i = 0; i < thresholds.length; i++) {
      if (n == thresholds[i]) {
        gate = true;
        reached[i].countDown();
        if (!released[i].await(timeout, unit)) {
          throw new TimeoutException("fault " + (i + 1) + " was not injected within "
              + timeout + " " + unit);
        }
      }
    }
    return gate;
  }

  /** Called by the driver: waits until every sender reached gate {@code i}. */
  void awaitReached(int i, long timeout, TimeUnit unit)
      throws InterruptedException, TimeoutException {
    if (!reached[i].await(timeout, unit)) {
      throw new TimeoutException("the senders did not reach message " + thresholds[i]
          + " within " + timeout + " " + unit);
    }
  }

  /** Called by the driver once fault {@code i} is under way: the senders go on. */
  void release(int i) {
    released[i].countDown();
  }

  /** Lets every sender through every gate (the driver failed and gives up). */
  void releaseAll() {
    for (CountDownLatch latch : released) {
      latch.countDown();
    }
  }
}
