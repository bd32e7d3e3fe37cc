package dev.baton.it.interop;

import static dev.baton.it.interop.SimpleGrpc.UNARY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.grpc.GrpcTracing;
import dev.baton.testing.InMemoryTelemetry;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.instrumentation.grpc.v1_6.GrpcTelemetry;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Baton and OpenTelemetry's own gRPC library instrumentation ({@code opentelemetry-grpc-1.6},
 * {@code GrpcTelemetry}) calling each other, both directions inside one trace, over Netty on
 * 127.0.0.1:
 *
 * <pre>
 * INTERNAL it-root
 * └── CLIENT grpc.testing.SimpleService/UnaryRpc          (OpenTelemetry's client interceptor)
 *     └── SERVER grpc.testing.SimpleService/UnaryRpc      (Baton's server interceptor: "front")
 *         └── CLIENT grpc.testing.SimpleService/UnaryRpc  (Baton's client interceptor, in the handler)
 *             └── SERVER grpc.testing.SimpleService/UnaryRpc  (OpenTelemetry's server interceptor)
 * </pre>
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrpcInteropIT {

  static final String BATON_SCOPE = "dev.baton.grpc";
  static final String OTEL_SCOPE = "io.opentelemetry.grpc-1.6";

  final InMemoryTelemetry spans = InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance());
  final GrpcTracing baton = GrpcTracing.create(spans.openTelemetry());
  final GrpcTelemetry otel = GrpcTelemetry.create(spans.openTelemetry());

  @AfterEach
  void noLeakedScope() {
    assertThat(Context.current()).as("no scope leaked on the test thread").isSameAs(Context.root());
  }

  @Test
  void otelClientToBatonServerToBatonClientToOtelServerIsOneTrace() throws Exception {
    AtomicReference<Span> inBackend = new AtomicReference<>();
    AtomicReference<Span> inFront = new AtomicReference<>();
    Server backend = null;
    Server front = null;
    ManagedChannel toBackend = null;
    ManagedChannel toFront = null;
    try {
      backend = SimpleGrpc.start(request -> {
        inBackend.set(Span.current());
        return "backend:" + request.getRequestMessage();
      }, otel.createServerInterceptor());
      toBackend = SimpleGrpc.channel(backend, baton.clientInterceptor());
      ManagedChannel downstream = toBackend;
      front = SimpleGrpc.start(request -> {
        inFront.set(Span.current());
        return "front:" + SimpleGrpc.call(downstream, request.getRequestMessage());
      }, baton.serverInterceptor());
      toFront = SimpleGrpc.channel(front, otel.createClientInterceptor());

      Span root = spans.openTelemetry().getTracer("it").spanBuilder("it-root").startSpan();
      String answer;
      try (Scope ignored = root.makeCurrent()) {
        answer = SimpleGrpc.call(toFront, "hi");
      } finally {
        root.end();
      }
      assertThat(answer).isEqualTo("front:backend:hi");

      SpanData otelClient = awaitOne(OTEL_SCOPE, SpanKind.CLIENT);
      SpanData batonServer = awaitOne(BATON_SCOPE, SpanKind.SERVER);
      SpanData batonClient = awaitOne(BATON_SCOPE, SpanKind.CLIENT);
      SpanData otelServer = awaitOne(OTEL_SCOPE, SpanKind.SERVER);
      assertThat(spans.spans()).as("the root and four RPC spans").hasSize(5);
      assertThat(List.of(otelClient, batonServer, batonClient, otelServer))
          .extracting(SpanData::getName)
          .containsOnly(UNARY);

      String traceId = root.getSpanContext().getTraceId();
      assertThat(List.of(otelClient, batonServer, batonClient, otelServer))
          .extracting(SpanData::getTraceId)
          .containsOnly(traceId);
      assertThat(otelClient.getParentSpanId()).isEqualTo(root.getSpanContext().getSpanId());
      // OpenTelemetry's client -> Baton's server
      assertThat(batonServer.getParentSpanId()).isEqualTo(otelClient.getSpanId());
      assertThat(batonServer.getParentSpanContext().isRemote()).isTrue();
      assertThat(batonClient.getParentSpanId()).isEqualTo(batonServer.getSpanId());
      // Baton's client -> OpenTelemetry's server
      assertThat(otelServer.getParentSpanId()).isEqualTo(batonClient.getSpanId());
      assertThat(otelServer.getParentSpanContext().isRemote()).isTrue();

      // each server's own span is current in its handler
      assertThat(inFront.get().getSpanContext()).isEqualTo(batonServer.getSpanContext());
      assertThat(inBackend.get().getSpanContext()).isEqualTo(otelServer.getSpanContext());
    } finally {
      SimpleGrpc.shutdown(toFront, front);
      SimpleGrpc.shutdown(toBackend, backend);
    }
  }

  SpanData awaitOne(String scope, SpanKind kind) {
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !find(scope, kind).isEmpty());
    List<SpanData> found = find(scope, kind);
    assertThat(found).as("%s %s spans among %s", scope, kind, spans.spans()).hasSize(1);
    return found.get(0);
  }

  List<SpanData> find(String scope, SpanKind kind) {
    List<SpanData> out = new ArrayList<>();
    for (SpanData s : spans.spans()) {
      if (s.getInstrumentationScopeInfo().getName().equals(scope) && s.getKind() == kind) {
        out.add(s);
      }
    }
    return out;
  }
}
