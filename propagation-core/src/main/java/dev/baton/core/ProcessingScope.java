package dev.baton.core;

import dev.baton.core.internal.Spans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * An open {@code process} span of one message, current on the thread that opened it. Every
 * transport's {@code startProcessing(...)} returns one: use it in a try-with-resources block on
 * that thread, and report a failure of your code with {@link #recordException(Throwable)} before
 * rethrowing (the try-with-resources block closes the scope before a {@code catch} clause runs):
 *
 * <pre>{@code
 * try (ProcessingScope scope = kafkaTracing.startProcessing(record)) {
 *   try {
 *     handle(record);
 *   } catch (RuntimeException e) {
 *     scope.recordException(e);
 *     throw e;
 *   }
 * }
 * }</pre>
 *
 * {@link #close()} restores the context that was current before and ends the span, exactly once.
 * Not thread-safe: open and close it on the same thread.
 *
 * @since 0.1.0
 */
public final class ProcessingScope implements AutoCloseable {

  private static final ProcessingScope NOOP = new ProcessingScope(Span.getInvalid(), null);

  private final Span span;
  private final Scope scope;
  private boolean closed;

  private ProcessingScope(Span span, Scope scope) {
    this.span = span;
    this.scope = scope;
  }

  /**
   * Makes {@code context} current and returns the scope that ends {@code span} on close. For
   * Baton's transport modules.
   *
   * @param context the context to make current; it holds {@code span}
   * @param span the processing span
   * @return the open scope
   */
  public static ProcessingScope open(Context context, Span span) {
    return new ProcessingScope(span, context.makeCurrent());
  }

  /**
   * Returns a scope that does nothing: processing goes on untraced when Baton could not start a
   * span (a fault of its own, already reported).
   *
   * @return the no-op scope
   */
  public static ProcessingScope noop() {
    return NOOP;
  }

  /**
   * Returns the {@code process} span, for adding attributes or events.
   *
   * @return the span; invalid for the no-op scope
   */
  public Span span() {
    return span;
  }

  /**
   * Records a failure of the processing code on the span: an exception event, {@code error.type}
   * and status ERROR. Does not rethrow.
   *
   * @param error the failure
   */
  public void recordException(Throwable error) {
    Spans.recordException(span, error);
  }

  /** Restores the previous context and ends the span; later calls do nothing. */
  @Override
  public void close() {
    if (closed || scope == null) {
      return;
    }
    closed = true;
    try {
      scope.close();
    } finally {
      span.end();
    }
  }
}
