package dev.baton.core.internal;

import dev.baton.core.ProcessingScope;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * The one implementation of {@link ProcessingScope}: a span made current on this thread, whose
 * close restores the previous context and ends the span exactly once. Every transport's
 * processing path (Kafka's and AMQP's {@code process}/{@code startProcessing}, AMQP's traced
 * deliveries) runs user code inside one.
 *
 * <p>Part of Baton's internal machinery: no compatibility promise. Not thread-safe: open and
 * close it on the same thread.
 */
public final class ProcessScope implements ProcessingScope {

  private static final ProcessScope NOOP = new ProcessScope(Span.getInvalid(), null, null);

  private final Span span;
  private final Scope scope;
  /** Measures {@code messaging.process.duration}; {@code null} when not measured. */
  private final OperationTimer timer;
  private boolean closed;

  private ProcessScope(Span span, Scope scope, OperationTimer timer) {
    this.span = span;
    this.scope = scope;
    this.timer = timer;
  }

  /**
   * Makes {@code context} current and returns the scope that ends {@code span} on close.
   *
   * @param context the context to make current; it holds {@code span}
   * @param span the processing span
   * @return the open scope
   */
  public static ProcessScope open(Context context, Span span) {
    return new ProcessScope(span, context.makeCurrent(), null);
  }

  /**
   * Like {@link #open(Context, Span)}, also recording the processing's duration (and a failure
   * reported through {@link #recordException}) into {@code timer} on close.
   *
   * @param context the context to make current; it holds {@code span}
   * @param span the processing span
   * @param timer the processing's timer, or {@code null}
   * @return the open scope
   */
  public static ProcessScope open(Context context, Span span, OperationTimer timer) {
    return new ProcessScope(span, context.makeCurrent(), timer);
  }

  /**
   * Runs {@code body} inside {@code scope}: a failure of the body is recorded on the scope and
   * rethrown unchanged, and the scope is closed whatever happens. Kafka's and AMQP's
   * {@code process} conveniences run the user's code through it; AMQP's traced deliveries write
   * the same steps out, so that the per-delivery path allocates no capturing lambda.
   *
   * @param scope the open processing scope; closed on return
   * @param body the processing code
   * @param <E> what the body may throw
   * @throws E what the body threw
   */
  public static <E extends Throwable> void run(ProcessingScope scope, Body<E> body) throws E {
    try {
      body.run();
    } catch (Throwable t) {
      scope.recordException(t);
      throw t;
    } finally {
      scope.close();
    }
  }

  /**
   * Processing code run by {@link #run(ProcessingScope, Body)}.
   *
   * @param <E> what it may throw
   */
  @FunctionalInterface
  public interface Body<E extends Throwable> {
    /**
     * Runs the processing.
     *
     * @throws E what the processing threw
     */
    void run() throws E;
  }

  /**
   * Returns a scope that does nothing: processing goes on untraced when Baton could not start a
   * span (a fault of its own, already reported).
   *
   * @return the no-op scope
   */
  public static ProcessScope noop() {
    return NOOP;
  }

  @Override
  public Span span() {
    return span;
  }

  @Override
  public void recordException(Throwable error) {
    Spans.recordException(span, error);
    if (timer != null) {
      timer.error(error);
    }
  }

  @Override
  public void close() {
    if (closed || scope == null) {
      return;
    }
    closed = true;
    try {
      scope.close();
    } finally {
      if (timer != null) {
        timer.end();
      }
      span.end();
    }
  }
}
