package dev.baton.core;

import io.opentelemetry.api.trace.Span;

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
public interface ProcessingScope extends AutoCloseable {

  /**
   * Returns the {@code process} span, for adding attributes or events.
   *
   * @return the span; invalid when Baton could not start one
   */
  Span span();

  /**
   * Records a failure of the processing code on the span: an exception event, {@code error.type}
   * and status ERROR. Does not rethrow.
   *
   * @param error the failure
   */
  void recordException(Throwable error);

  /** Restores the previous context and ends the span; later calls do nothing. */
  @Override
  void close();
}
