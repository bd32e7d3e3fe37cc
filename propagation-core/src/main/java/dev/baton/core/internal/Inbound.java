package dev.baton.core.internal;

import dev.baton.core.InboundPolicy;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;

/**
 * What extraction under an {@link InboundPolicy} yields: the parent to start the receiving span
 * under and, for {@link InboundPolicy#LINK}, the incoming span context to link to. Immutable.
 *
 * <p>For Baton's transport modules; not meant for application code.
 *
 * @param parent the context to use as the parent of the receiving span, never {@code null}
 * @param link the span context to add as a link, or an invalid one when there is none
 * @param remote the span context the carrier brought, also under {@link InboundPolicy#LINK};
 *     invalid when it brought none, and under {@link InboundPolicy#IGNORE}, where the carrier is
 *     not read
 * @since 0.1.0
 */
public record Inbound(Context parent, SpanContext link, SpanContext remote) {

  /**
   * Sets the parent and, when there is one, the link on {@code builder}.
   *
   * @param builder a span builder
   * @return the same builder
   */
  public SpanBuilder applyTo(SpanBuilder builder) {
    builder.setParent(parent);
    if (link.isValid()) {
      builder.addLink(link);
    }
    return builder;
  }

  static Inbound of(InboundPolicy policy, Context base, Context extracted) {
    Span extractedSpan = Span.fromContext(extracted);
    if (extractedSpan == Span.fromContext(base)) {
      // The carrier brought no trace context: the receiver's own context (and any baggage that
      // did come) is the parent, whatever the policy.
      return new Inbound(extracted, SpanContext.getInvalid(), SpanContext.getInvalid());
    }
    SpanContext remote = extractedSpan.getSpanContext();
    switch (policy) {
      case IGNORE:
        return new Inbound(base, SpanContext.getInvalid(), SpanContext.getInvalid());
      case LINK:
        // A new trace: no parent span, but the (filtered) baggage that came in is kept.
        return new Inbound(extracted.with(Span.getInvalid()), remote, remote);
      case CONTINUE:
      default:
        return new Inbound(extracted, SpanContext.getInvalid(), remote);
    }
  }
}
