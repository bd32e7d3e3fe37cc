package dev.baton.it;

import io.opentelemetry.context.Context;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fixed pool that checks, before and after every task, that its thread holds no OpenTelemetry
 * context: given to amqp-client as the consumer executor
 * ({@code ConnectionFactory.setSharedExecutor}) or used as a worker pool, it shows that no
 * delivery's context stays on a thread for the next one.
 */
public final class ContextCheckingExecutor extends ThreadPoolExecutor {

  private final AtomicLong tasks = new AtomicLong();
  private final AtomicLong leaks = new AtomicLong();

  public ContextCheckingExecutor(int threads) {
    super(threads, threads, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
  }

  @Override
  protected void beforeExecute(Thread t, Runnable r) {
    if (Context.current() != Context.root()) {
      leaks.incrementAndGet();
    }
  }

  @Override
  protected void afterExecute(Runnable r, Throwable t) {
    tasks.incrementAndGet();
    if (Context.current() != Context.root()) {
      leaks.incrementAndGet();
    }
  }

  /** Tasks run so far. */
  public long tasks() {
    return tasks.get();
  }

  /** Times a thread of the pool held a context before or after a task. */
  public long leaks() {
    return leaks.get();
  }
}
