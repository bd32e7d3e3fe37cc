package dev.baton.it.passthrough;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.grpc.GrpcTracing;
import dev.baton.it.interop.SimpleGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A gRPC service in the middle with no SDK (a propagating {@code OpenTelemetry}, W3C Trace Context
 * only): Baton's server interceptor reads the caller's context, and the handler's own call through
 * Baton's client interceptor carries the caller's {@code traceparent} unchanged — trace id, parent
 * id and flags — and its {@code tracestate}. Nothing is recorded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrpcPassthroughIT {

  static final String TRACESTATE = "vendor=opaque";

  final OpenTelemetry propagating =
      OpenTelemetry.propagating(ContextPropagators.create(W3CTraceContextPropagator.getInstance()));
  final GrpcTracing tracing = GrpcTracing.create(propagating);

  @AfterEach
  void noLeakedScope() {
    assertThat(Context.current()).as("no scope leaked on the test thread").isSameAs(Context.root());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
      "00-1234567890abcdef1234567890abcdef-1234567890abcdef-03"})
  void theServersOwnCallCarriesTheIncomingTraceparentUnchanged(String incoming) throws Exception {
    SimpleGrpc.MetadataCapture downstreamSaw = new SimpleGrpc.MetadataCapture();
    List<Boolean> recordingInHandler = new CopyOnWriteArrayList<>();
    List<String> traceIdInHandler = new CopyOnWriteArrayList<>();
    Metadata upstream = new Metadata();
    upstream.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), incoming);
    upstream.put(Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER), TRACESTATE);
    Server downstream = null;
    Server middle = null;
    ManagedChannel toDownstream = null;
    ManagedChannel toMiddle = null;
    try {
      downstream = SimpleGrpc.start(request -> "down", downstreamSaw);
      toDownstream = SimpleGrpc.channel(downstream, tracing.clientInterceptor());
      ManagedChannel out = toDownstream;
      middle = SimpleGrpc.start(request -> {
        recordingInHandler.add(Span.current().isRecording());
        traceIdInHandler.add(Span.current().getSpanContext().getTraceId());
        return "middle:" + SimpleGrpc.call(out, request.getRequestMessage());
      }, tracing.serverInterceptor());
      toMiddle = SimpleGrpc.channel(middle, MetadataUtils.newAttachHeadersInterceptor(upstream));

      assertThat(SimpleGrpc.call(toMiddle, "hi")).isEqualTo("middle:down");
      assertThat(downstreamSaw.values("traceparent")).containsExactly(incoming);
      assertThat(downstreamSaw.values("tracestate")).containsExactly(TRACESTATE);
      assertThat(traceIdInHandler).containsExactly(incoming.substring(3, 35));
      assertThat(recordingInHandler).containsExactly(false);
    } finally {
      SimpleGrpc.shutdown(toMiddle, middle);
      SimpleGrpc.shutdown(toDownstream, downstream);
    }
  }
}
