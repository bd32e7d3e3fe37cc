package dev.baton.it;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Counts what the OpenTelemetry SDK says, at FINE on {@code java.util.logging}, when a span is
 * used after it ended: "Calling end() on an ended or ending Span." and its siblings for
 * {@code setAttribute}, {@code setStatus}, {@code addEvent}. The SDK calls span processors once
 * per span whatever happens, so started = ended cannot show a second {@code end()}; this can.
 *
 * <p>Open it around the code under test and close it (try-with-resources): closing restores the
 * logger's level.
 */
public final class LateSpanCalls implements AutoCloseable {

  private static final String SDK_SPAN_LOGGER = "io.opentelemetry.sdk.trace.SdkSpan";

  // JUL keeps loggers weakly: this reference keeps the level set here from being forgotten
  private final Logger logger = Logger.getLogger(SDK_SPAN_LOGGER);
  private final Level levelBefore = logger.getLevel();
  private final AtomicLong count = new AtomicLong();
  private final List<String> samples = new ArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      String message = record.getMessage();
      if (message != null && message.contains("on an ended")) {
        count.incrementAndGet();
        synchronized (samples) {
          if (samples.size() < 5) {
            samples.add(message + " (thread " + Thread.currentThread().getName() + ")");
          }
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  public LateSpanCalls() {
    handler.setLevel(Level.FINE);
    logger.setLevel(Level.FINE);
    logger.addHandler(handler);
  }

  /** How many calls on ended spans the SDK reported. */
  public long count() {
    return count.get();
  }

  /** The first few messages, for an assertion's description. */
  public List<String> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setLevel(levelBefore);
  }
}
