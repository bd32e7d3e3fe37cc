package dev.baton.spring;

import dev.baton.core.ProcessingScope;

/**
 * The process scope a Kafka record or batch interceptor opened on the consumer thread, kept
 * between the container's call before the listener and its call after it ({@code success},
 * {@code failure}, {@code afterRecord}, {@code clearThreadState}). A scope left open is closed by
 * the next interceptor call: {@link #close} before starting a new scope, so a leftover one is
 * never the new span's parent.
 */
final class OpenScope {

  private final ThreadLocal<ProcessingScope> open = new ThreadLocal<>();

  /** Keeps {@code scope} ({@code null}: none) until the container says the listener is done. */
  void keep(ProcessingScope scope) {
    if (scope != null) {
      open.set(scope);
    }
  }

  /** The listener failed: records its own exception (not Spring's wrapper), then closes. */
  void fail(Exception exception) {
    ProcessingScope scope = open.get();
    if (scope != null) {
      scope.recordException(ListenerErrors.unwrap(exception));
    }
    close();
  }

  /** Closes this thread's scope, if one is open. */
  void close() {
    ProcessingScope scope = open.get();
    if (scope != null) {
      open.remove();
      scope.close();
    }
  }
}
