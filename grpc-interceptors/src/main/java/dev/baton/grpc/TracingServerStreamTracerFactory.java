package dev.baton.grpc;

import dev.baton.core.internal.Faults;
import dev.baton.core.internal.Inbound;
import dev.baton.core.internal.SemConv;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Records a SERVER span for the calls that no handler takes: grpc-java answers a method it does
 * not know with {@code UNIMPLEMENTED} before any server interceptor runs, so the server
 * interceptor never sees them, while a stream tracer sees every stream. Obtained from
 * {@link GrpcTracing#serverStreamTracerFactory()}. Thread-safe.
 *
 * <p>Calls that reach a handler are left to the server interceptor: grpc-java tells a stream
 * tracer {@code serverCallStarted} once it has found the method, before any interceptor runs, and
 * such a stream never gets a span here. A stream that closes without that call and with
 * {@code UNIMPLEMENTED} (method not found, or a request compression the server cannot decode) gets
 * one span: named {@code grpc}, {@code rpc.method} {@code _OTHER} and the client's method name in
 * {@code rpc.method_original}, as the RPC conventions ask for an unrecognised method. Any other
 * close without a started call (the client cancelling before the server looked the method up) is
 * left alone: the server interceptor may still start the call and record it.
 *
 * <p>Per stream the cost is one small object and one {@code System.nanoTime()}; the span and the
 * context extraction happen only for rejected calls.
 */
final class TracingServerStreamTracerFactory extends ServerStreamTracer.Factory {

  private final GrpcTracing tracing;

  TracingServerStreamTracerFactory(GrpcTracing tracing) {
    this.tracing = tracing;
  }

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    return new UnhandledCallTracer(tracing, fullMethodName, headers);
  }

  @Override
  public String toString() {
    return "TracingServerStreamTracerFactory{" + tracing + "}";
  }

  /** One stream: waits to learn whether a handler took the call. */
  static final class UnhandledCallTracer extends ServerStreamTracer {

    private final GrpcTracing tracing;
    private final String fullMethodName;
    private final Metadata headers;
    private final long startNanoTime = System.nanoTime();
    /** Set on the executor thread that looked the method up; read on the transport thread. */
    private volatile boolean callStarted;

    UnhandledCallTracer(GrpcTracing tracing, String fullMethodName, Metadata headers) {
      this.tracing = tracing;
      this.fullMethodName = fullMethodName;
      this.headers = headers;
    }

    @Override
    public void serverCallStarted(ServerCallInfo<?, ?> callInfo) {
      callStarted = true;
    }

    @Override
    public void streamClosed(Status status) {
      if (callStarted || status.getCode() != Status.Code.UNIMPLEMENTED) {
        return;
      }
      try {
        record(status);
      } catch (RuntimeException e) {
        Faults.report("grpc unhandled call span", e);
      }
    }

    private void record(Status status) {
      // The span starts when the stream arrived; both ends are taken from one clock.
      Instant now = Instant.now();
      long endEpochNanos = TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
      long startEpochNanos = endEpochNanos - (System.nanoTime() - startNanoTime);

      Inbound inbound = tracing.propagation().inbound(Context.root(), headers);
      SpanBuilder b =
          tracing
              .tracer()
              .spanBuilder(SemConv.SYSTEM_GRPC)
              .setSpanKind(SpanKind.SERVER)
              .setStartTimestamp(startEpochNanos, TimeUnit.NANOSECONDS)
              .setAttribute(SemConv.RPC_SYSTEM_NAME, SemConv.SYSTEM_GRPC)
              .setAttribute(SemConv.RPC_METHOD, SemConv.RPC_METHOD_OTHER);
      if (fullMethodName != null && !fullMethodName.equals(SemConv.RPC_METHOD_OTHER)) {
        b.setAttribute(SemConv.RPC_METHOD_ORIGINAL, fullMethodName);
      }
      inbound.applyTo(b);
      tracing.capture().applyTo(b, headers);
      Span span = b.startSpan();
      try {
        RpcStatus.server(span, status.getCode(), status.getDescription());
      } finally {
        span.end(endEpochNanos, TimeUnit.NANOSECONDS);
      }
      GrpcMetrics.server(
          tracing.metrics(), startNanoTime, SemConv.RPC_METHOD_OTHER, status.getCode());
    }
  }
}
