package dev.baton.grpc;

import dev.baton.core.internal.Faults;
import dev.baton.core.internal.SemConv;
import dev.baton.core.internal.SpanEnd;
import dev.baton.core.internal.Spans;
import io.grpc.ClientCall;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * One traced client call. The span starts in {@link #start}, where the context is injected into
 * the request metadata, and ends exactly once: in the listener's {@code onClose}, or in
 * {@code start} itself when that throws. A call cancelled before it starts has no span.
 *
 * <p>gRPC calls the {@code ClientCall} methods serially, never concurrently, and so are the
 * listener callbacks; the message counters rely on that. Only {@link #end} may race (a
 * listener's {@code onClose} against a throwing {@code start}), hence the core's {@link SpanEnd}. A
 * {@code cancel} needs nothing here: the listener's {@code onClose} follows with
 * {@code CANCELLED}.
 */
final class TracingClientCall<ReqT, RespT>
    extends ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT> {

  private final GrpcTracing tracing;
  private final MethodDescriptor<ReqT, RespT> method;
  private final Context parent;
  private final ServerAddress address;
  private final boolean messageEvents;

  private Span span;
  /** Set with {@link #span} in {@code start}. */
  private SpanEnd ending;
  private Context spanContext;
  private long sent;
  private long received;
  /** When {@code start} was called, for {@code rpc.client.call.duration}. */
  private long startNanos;
  /** What {@code start} threw, if it did. */
  private volatile Throwable startFailure;

  TracingClientCall(
      ClientCall<ReqT, RespT> delegate,
      GrpcTracing tracing,
      MethodDescriptor<ReqT, RespT> method,
      Context parent,
      ServerAddress address) {
    super(delegate);
    this.tracing = tracing;
    this.method = method;
    this.parent = parent;
    this.address = address;
    this.messageEvents = MessageEvents.wanted(tracing.messageEvents(), method);
  }

  @Override
  public void start(Listener<RespT> responseListener, Metadata headers) {
    startNanos = System.nanoTime();
    Span s = startSpan(headers);
    span = s;
    ending = new SpanEnd(s);
    spanContext = parent.with(s);
    tracing.propagation().inject(spanContext, headers);
    try (Scope ignored = spanContext.makeCurrent()) {
      super.start(new TracingClientCallListener<>(responseListener, this, parent), headers);
    } catch (Throwable t) {
      // Thrown synchronously: gRPC will not call the listener, so the span ends here.
      Spans.recordException(s, t);
      startFailure = t;
      end(null);
      throw t;
    }
  }

  private Span startSpan(Metadata headers) {
    try {
      SpanBuilder b =
          Spans.rpc(
                  tracing.tracer(),
                  SpanKind.CLIENT,
                  SemConv.SYSTEM_GRPC,
                  method.getFullMethodName())
              .setParent(parent);
      address.applyTo(b);
      tracing.capture().applyTo(b, headers);
      return b.startSpan();
    } catch (RuntimeException e) {
      Faults.report("grpc client span", e);
      // Keep the caller's trace flowing even without a span of our own.
      // A non-recording wrapper: ending it must not end the caller's span.
      return Span.wrap(Span.fromContext(parent).getSpanContext());
    }
  }

  @Override
  public void sendMessage(ReqT message) {
    Context c = spanContext;
    if (c == null) {
      // Not started: gRPC will reject this; let it do so untouched.
      super.sendMessage(message);
      return;
    }
    try (Scope ignored = c.makeCurrent()) {
      super.sendMessage(message);
    }
    if (messageEvents && span.isRecording()) {
      MessageEvents.add(span, MessageEvents.SENT, ++sent);
    }
  }

  @Override
  public void halfClose() {
    Context c = spanContext;
    if (c == null) {
      super.halfClose();
      return;
    }
    try (Scope ignored = c.makeCurrent()) {
      super.halfClose();
    }
  }

  void received() {
    if (messageEvents && span.isRecording()) {
      MessageEvents.add(span, MessageEvents.RECEIVED, ++received);
    }
  }

  /** Ends the span once; {@code status} is {@code null} when the call failed before one. */
  void end(Status status) {
    SpanEnd once = ending;
    if (once == null || !once.claim()) {
      return;
    }
    Span s = once.span();
    try {
      if (status != null && s.isRecording()) {
        RpcStatus.client(s, status);
        Throwable cause = status.getCause();
        if (cause != null) {
          s.recordException(cause);
        }
      }
    } catch (RuntimeException e) {
      Faults.report("grpc client status", e);
    } finally {
      GrpcMetrics.client(tracing.metrics(), startNanos, method.getFullMethodName(), status,
          startFailure);
      s.end();
    }
  }
}
