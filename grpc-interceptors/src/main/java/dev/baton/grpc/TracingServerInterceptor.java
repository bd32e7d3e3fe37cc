package dev.baton.grpc;

import dev.baton.core.internal.Faults;
import dev.baton.core.internal.Inbound;
import dev.baton.core.internal.SemConv;
import dev.baton.core.internal.Spans;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * Traces incoming calls: a SERVER span from the request metadata (under the inbound policy),
 * current while the rest of the interceptor chain and the handler start the call and around every
 * listener callback, ended exactly once when the call completes or is cancelled. Obtained from
 * {@link GrpcTracing#serverInterceptor()}. Thread-safe.
 */
final class TracingServerInterceptor implements ServerInterceptor {

  private final GrpcTracing tracing;
  private final ServerAddress.Cache addresses = new ServerAddress.Cache();

  TracingServerInterceptor(GrpcTracing tracing) {
    this.tracing = tracing;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Context base = Context.current();
    Span span;
    Context context;
    try {
      Inbound inbound = tracing.propagation().inbound(base, headers);
      SpanBuilder b =
          Spans.rpc(
              tracing.tracer(),
              SpanKind.SERVER,
              SemConv.SYSTEM_GRPC,
              call.getMethodDescriptor().getFullMethodName());
      inbound.applyTo(b);
      addresses.get(call.getAuthority()).applyTo(b);
      tracing.capture().applyTo(b, headers);
      span = b.startSpan();
      context = inbound.parent().with(span);
    } catch (RuntimeException e) {
      Faults.report("grpc server span", e);
      return next.startCall(call, headers);
    }

    TracingServerCall<ReqT, RespT> tracingCall =
        new TracingServerCall<>(call, span, tracing.messageEvents(), tracing.metrics());
    ServerCall.Listener<ReqT> listener;
    try (Scope ignored = context.makeCurrent()) {
      listener = next.startCall(tracingCall, headers);
    } catch (Throwable t) {
      // An inner interceptor or the handler threw (an auth check's StatusRuntimeException, say):
      // gRPC answers with Status.fromThrowable(t) and never calls a listener, so end here.
      tracingCall.startFailed(t);
      throw t;
    }
    return new TracingServerCallListener<>(listener, tracingCall, context);
  }

  @Override
  public String toString() {
    return "TracingServerInterceptor{" + tracing + "}";
  }
}
