package dev.baton.grpc;

import static dev.baton.grpc.TestService.SERVICE;
import static dev.baton.grpc.TestService.request;
import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.core.BatonTracing;
import dev.baton.core.InboundPolicy;
import dev.baton.core.internal.SemConv;
import dev.baton.testing.InMemoryTelemetry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The entry point: its settings, message events, metadata capture and inbound policies. */
class GrpcTracingTest {

  private static final String UNARY = SERVICE + "/UnaryRpc";
  private static final String BIDI = SERVICE + "/BidiStreamingRpc";

  private Rig rig;

  @AfterEach
  void tearDown() throws Exception {
    if (rig != null) {
      rig.close();
    }
  }

  @Test
  void interceptorsAreBuiltOnce() {
    GrpcTracing tracing = GrpcTracing.create(OpenTelemetry.noop());
    assertThat(tracing.clientInterceptor()).isSameAs(tracing.clientInterceptor());
    assertThat(tracing.serverInterceptor()).isSameAs(tracing.serverInterceptor());
    assertThat(tracing.serverStreamTracerFactory()).isSameAs(tracing.serverStreamTracerFactory());
    assertThat(tracing.toString()).contains("messageEvents=false");
  }

  @Test
  void withoutAnInstanceTheGlobalOneIsFoundAtTheFirstCallNotWhenBuilt() {
    io.opentelemetry.api.GlobalOpenTelemetry.resetForTest();
    try {
      GrpcTracing tracing = GrpcTracing.fromConfig(Map.of());
      tracing.clientInterceptor();
      assertThat(io.opentelemetry.api.GlobalOpenTelemetry.isSet())
          .as("building the interceptors left the global instance alone").isFalse();
      InMemoryTelemetry otel = InMemoryTelemetry.create();

      io.opentelemetry.api.GlobalOpenTelemetry.set(otel.openTelemetry()); // would throw had it been locked

      assertThat(tracing.tracer().spanBuilder("x").startSpan().isRecording()).isTrue();
    } finally {
      io.opentelemetry.api.GlobalOpenTelemetry.resetForTest();
    }
  }

  /** The RPC keys are those of semantic conventions v1.44.0 (model/rpc/registry.yaml). */
  @Test
  void rpcAttributeNamesAreThoseOfSemanticConventions144() {
    assertThat(SemConv.RPC_SYSTEM_NAME.getKey()).isEqualTo("rpc.system.name");
    assertThat(SemConv.RPC_METHOD.getKey()).isEqualTo("rpc.method");
    assertThat(SemConv.RPC_METHOD_ORIGINAL.getKey()).isEqualTo("rpc.method_original");
    assertThat(SemConv.RPC_RESPONSE_STATUS_CODE.getKey()).isEqualTo("rpc.response.status_code");
    assertThat(SemConv.RPC_METHOD_OTHER).isEqualTo("_OTHER");
    assertThat(SemConv.RPC_REQUEST_METADATA_PREFIX).isEqualTo("rpc.request.metadata.");
  }

  @Test
  void nullsFailAtConfigurationTime() {
    assertThatThrownBy(() -> GrpcTracing.create(null)).hasMessage("openTelemetry == null");
    assertThatThrownBy(() -> GrpcTracing.builder((BatonTracing) null)).hasMessage("baton == null");
    assertThatThrownBy(() -> GrpcTracing.fromConfig(null)).hasMessage("config == null");
    assertThatThrownBy(() -> GrpcTracing.builder(OpenTelemetry.noop()).captureMetadata(null))
        .hasMessage("keys == null");
  }

  @Test
  void fromConfigReadsGrpcKeys() {
    Map<String, Object> config = new HashMap<>();
    config.put("baton.opentelemetry", OpenTelemetry.noop());
    config.put(GrpcTracing.MESSAGE_EVENTS, "true");
    config.put(GrpcTracing.CAPTURE_METADATA, "X-Tenant, x-region");
    config.put("baton.inbound.policy", "link");
    config.put("grpc.not.ours", "ignored");
    GrpcTracing tracing = GrpcTracing.fromConfig(config);
    assertThat(tracing.messageEvents()).isTrue();
    assertThat(tracing.capture().names()).containsExactly("x-tenant", "x-region");
    assertThat(tracing.toString()).contains("inboundPolicy=LINK");
  }

  @Test
  void fromConfigRejectsBadSettings() {
    assertThatThrownBy(() -> GrpcTracing.fromConfig(Map.of("baton.grpc.nope", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baton.grpc.nope");
    assertThatThrownBy(
            () ->
                GrpcTracing.fromConfig(
                    Map.of("baton.opentelemetry", OpenTelemetry.noop(),
                        GrpcTracing.MESSAGE_EVENTS, "yes")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(GrpcTracing.MESSAGE_EVENTS);
    assertThatThrownBy(
            () ->
                GrpcTracing.fromConfig(
                    Map.of("baton.opentelemetry", OpenTelemetry.noop(),
                        GrpcTracing.CAPTURE_METADATA, "ok, secret-bin")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(GrpcTracing.CAPTURE_METADATA)
        .hasMessageContaining("secret-bin");
    assertThatThrownBy(
            () -> GrpcTracing.builder(OpenTelemetry.noop()).captureMetadata(List.of("bad key")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'bad key'");
  }

  @Test
  void messageEventsOnStreamingCallsWhenEnabled() throws Exception {
    rig = new Rig(otel -> GrpcTracing.builder(otel.openTelemetry()).messageEvents(true).build());
    ManagedChannel channel = start(new TestService());
    bidi(channel, "a", "b");
    SimpleServiceGrpc.newBlockingStub(channel).unaryRpc(request("u"));

    List<SpanData> spans = rig.otel.awaitExactly(4, Duration.ofSeconds(10));
    for (SpanKind kind : new SpanKind[] {SpanKind.CLIENT, SpanKind.SERVER}) {
      SpanData span = InMemoryTelemetry.only(spans, BIDI, kind);
      assertThat(messages(span, "SENT")).as("%s sent", kind).containsExactly(1L, 2L);
      assertThat(messages(span, "RECEIVED")).as("%s received", kind).containsExactly(1L, 2L);
      assertThat(InMemoryTelemetry.only(spans, UNARY, kind).getEvents()).as("unary: none").isEmpty();
    }
  }

  @Test
  void noMessageEventsByDefault() throws Exception {
    rig = new Rig();
    bidi(start(new TestService()), "a", "b");
    for (SpanData span : rig.otel.awaitExactly(2, Duration.ofSeconds(10))) {
      assertThat(span.getEvents()).isEmpty();
    }
  }

  @Test
  void capturesOnlyAllowedMetadata() throws Exception {
    rig =
        new Rig(
            otel ->
                GrpcTracing.builder(otel.openTelemetry())
                    .captureMetadata(List.of("X-Tenant", "x-multi", "x-absent"))
                    .build());
    ManagedChannel channel = start(new TestService());
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER), "acme");
    headers.put(Metadata.Key.of("x-multi", Metadata.ASCII_STRING_MARSHALLER), "1");
    headers.put(Metadata.Key.of("x-multi", Metadata.ASCII_STRING_MARSHALLER), "2");
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "secret");
    SimpleServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .unaryRpc(request("hi"));

    for (SpanData span : rig.otel.awaitExactly(2, Duration.ofSeconds(10))) {
      assertThat(span.getAttributes().get(AttributeKey.stringArrayKey(
              "rpc.request.metadata.x-tenant")))
          .as(span.getKind().name())
          .containsExactly("acme");
      assertThat(span.getAttributes().get(AttributeKey.stringArrayKey(
              "rpc.request.metadata.x-multi")))
          .containsExactly("1", "2");
      assertThat(span.getAttributes().asMap().keySet())
          .extracting(AttributeKey::getKey)
          .noneMatch(k -> k.contains("authorization") || k.contains("x-absent"));
    }
  }

  @Test
  void linkPolicyStartsANewTraceLinkedToTheCaller() throws Exception {
    rig = new Rig(policy(InboundPolicy.LINK));
    SimpleServiceGrpc.newBlockingStub(start(new TestService())).unaryRpc(request("hi"));
    List<SpanData> spans = rig.otel.awaitExactly(2, Duration.ofSeconds(10));
    SpanData client = InMemoryTelemetry.only(spans, UNARY, SpanKind.CLIENT);
    SpanData serverSpan = InMemoryTelemetry.only(spans, UNARY, SpanKind.SERVER);
    assertThat(serverSpan).hasParentSpanId("0000000000000000");
    assertThat(serverSpan.getTraceId()).isNotEqualTo(client.getTraceId());
    assertThat(serverSpan.getLinks()).hasSize(1);
    assertThat(serverSpan.getLinks().get(0).getSpanContext().getSpanId())
        .isEqualTo(client.getSpanId());
  }

  @Test
  void ignorePolicyDoesNotReadTheCaller() throws Exception {
    rig = new Rig(policy(InboundPolicy.IGNORE));
    SimpleServiceGrpc.newBlockingStub(start(new TestService())).unaryRpc(request("hi"));
    List<SpanData> spans = rig.otel.awaitExactly(2, Duration.ofSeconds(10));
    SpanData serverSpan = InMemoryTelemetry.only(spans, UNARY, SpanKind.SERVER);
    assertThat(serverSpan).hasParentSpanId("0000000000000000");
    assertThat(serverSpan.getLinks()).isEmpty();
  }

  private static Function<InMemoryTelemetry, GrpcTracing> policy(InboundPolicy policy) {
    return otel ->
        GrpcTracing.builder(BatonTracing.builder(otel.openTelemetry()).inboundPolicy(policy).build()).build();
  }

  private ManagedChannel start(TestService service) throws Exception {
    Server server = rig.serve(Transport.IN_PROCESS, service);
    return rig.channel(Transport.IN_PROCESS, server);
  }

  private static void bidi(ManagedChannel channel, String... messages) throws Exception {
    Recorder<SimpleResponse> responses = new Recorder<>();
    StreamObserver<SimpleRequest> requests =
        SimpleServiceGrpc.newStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .bidiStreamingRpc(responses);
    for (String m : messages) {
      requests.onNext(request(m));
    }
    requests.onCompleted();
    assertThat(responses.await()).isNull();
  }

  private static List<Long> messages(SpanData span, String type) {
    List<Long> ids = new ArrayList<>();
    for (EventData e : span.getEvents()) {
      assertThat(e.getName()).isEqualTo("rpc.message");
      if (type.equals(e.getAttributes().get(MessageEvents.RPC_MESSAGE_TYPE))) {
        ids.add(e.getAttributes().get(MessageEvents.RPC_MESSAGE_ID));
      }
    }
    return ids;
  }
}
