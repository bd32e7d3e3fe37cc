package dev.baton.core.internal;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;

/**
 * One operation being measured: started when made, recorded once on {@link #end()} into a
 * duration histogram and/or a message counter, with {@code error.type} added when the operation
 * failed. Made by {@link MessagingMetrics} only when some instrument wants it.
 *
 * <p>Part of Baton's internal machinery: no compatibility promise. Not thread-safe, except that
 * a second {@link #end()} does nothing (callers that may race end through {@link SpanEnd} or hold
 * the span in a table that hands it out once).
 */
public final class OperationTimer {

  private final DoubleHistogram duration;
  private final LongCounter counter;
  private final Attributes counterAttributes;
  private final Attributes durationAttributes;
  private final long start;
  /** Whether the duration is recorded only after {@link #answered()}. */
  private final boolean needsAnswer;
  private String errorType;
  private boolean answered;
  private boolean ended;

  OperationTimer(
      DoubleHistogram duration,
      Attributes durationAttributes,
      LongCounter counter,
      Attributes counterAttributes,
      boolean needsAnswer) {
    this(duration, durationAttributes, counter, counterAttributes, needsAnswer, System.nanoTime());
  }

  /** Started at {@code startNanos}, a {@link System#nanoTime()} reading the caller already made. */
  OperationTimer(
      DoubleHistogram duration,
      Attributes durationAttributes,
      LongCounter counter,
      Attributes counterAttributes,
      boolean needsAnswer,
      long startNanos) {
    this.start = startNanos;
    this.needsAnswer = needsAnswer;
    this.duration = duration;
    this.durationAttributes = durationAttributes;
    this.counter = counter;
    this.counterAttributes = counterAttributes;
  }

  /**
   * Marks the operation failed with {@code error}'s class name as {@code error.type}.
   *
   * @param error the failure; ignored when {@code null}
   */
  public void error(Throwable error) {
    if (error != null) {
      errorType = error.getClass().getName();
    }
  }

  /**
   * Marks the operation failed with a low-cardinality identifier as {@code error.type}.
   *
   * @param type the identifier, such as a status code name; ignored when {@code null}
   */
  public void error(String type) {
    if (type != null) {
      errorType = type;
    }
  }

  /**
   * The operation got its answer (a send's acknowledgement, a publish's confirm or return): for a
   * timer that needs one, the duration is recorded only then; without it only the count is.
   */
  public void answered() {
    answered = true;
  }

  /** Records the operation, once. Never throws. */
  public void end() {
    if (ended) {
      return;
    }
    ended = true;
    try {
      String error = errorType;
      if (duration != null && (answered || !needsAnswer)) {
        duration.record(Metrics.secondsSince(start), withError(durationAttributes, error));
      }
      if (counter != null) {
        counter.add(1, withError(counterAttributes, error));
      }
    } catch (RuntimeException e) {
      Faults.report("metrics record", e);
    }
  }

  /** Failures are rare: only they pay for a second attribute set. */
  private static Attributes withError(Attributes attributes, String error) {
    return error == null
        ? attributes
        : attributes.toBuilder().put(SemConv.ERROR_TYPE, error).build();
  }
}
