package dev.baton.core.internal;

import io.opentelemetry.api.trace.Span;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A span that more than one callback may try to end, possibly on different threads (a gRPC call
 * closed by its listener while its {@code start} throws; a server call completed while it is
 * cancelled): the first {@link #claim()} wins, and only the winner sets the final status and ends
 * the span. Everyone else does nothing, so the span ends exactly once.
 *
 * <p>Where one callback is the only one that can end a span, a {@code try/finally} is enough;
 * where a later callback ends it, {@link PendingSpans} decides who ends it. Thread-safe.
 *
 * <p>Part of Baton's internal machinery: no compatibility promise.
 */
public final class SpanEnd {

  private static final VarHandle ENDED;

  static {
    try {
      ENDED = MethodHandles.lookup().findVarHandle(SpanEnd.class, "ended", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Span span;

  private volatile int ended;

  /**
   * Wraps a started span.
   *
   * @param span the span
   */
  public SpanEnd(Span span) {
    this.span = span;
  }

  /**
   * Returns the span.
   *
   * @return the span
   */
  public Span span() {
    return span;
  }

  /**
   * Claims the end of the span: {@code true} for exactly one caller, which must then end it
   * ({@link #end()} ends it without more ado).
   *
   * @return whether this caller ends the span
   */
  public boolean claim() {
    return ENDED.compareAndSet(this, 0, 1);
  }

  /**
   * Returns whether the end has been claimed.
   *
   * @return true once someone claimed it
   */
  public boolean claimed() {
    return ended != 0;
  }

  /** Ends the span unless someone claimed its end already. */
  public void end() {
    if (claim()) {
      span.end();
    }
  }
}
