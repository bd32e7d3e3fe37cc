package dev.baton.grpc;

import static dev.baton.grpc.TestService.SERVICE;
import static dev.baton.grpc.TestService.request;
import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.assertThat;
import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.equalTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.baton.core.BatonTracing;
import dev.baton.core.InboundPolicy;
import dev.baton.core.internal.SemConv;
import dev.baton.testing.InMemoryTelemetry;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The server stream tracer factory: a call to a method the server does not have gets one SERVER
 * span (gRPC rejects it before any interceptor runs), and a call that reaches a handler gets
 * exactly one SERVER span, the interceptor's, when both are installed.
 */
class UnknownMethodTest {

  private static final String MISSING_NAME = SERVICE + "/Missing";
  private static final String UNARY = SERVICE + "/UnaryRpc";
  private static final MethodDescriptor<SimpleRequest, SimpleResponse> MISSING =
      MethodDescriptor.<SimpleRequest, SimpleResponse>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MISSING_NAME)
          .setRequestMarshaller(ProtoUtils.marshaller(SimpleRequest.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(SimpleResponse.getDefaultInstance()))
          .build();

  private Rig rig = new Rig();

  @AfterEach
  void tearDown() throws Exception {
    rig.close();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void unknownMethodGetsOneServerSpanUnderTheClientSpan(Transport transport) throws Exception {
    Server server = rig.serveWithStreamTracer(transport, new TestService(), true);
    ManagedChannel channel = rig.channel(transport, server);

    Span caller = callerSpan();
    Throwable thrown;
    try (Scope ignored = caller.makeCurrent()) {
      thrown = catchThrowable(() -> callMissing(channel));
    } finally {
      caller.end();
    }

    assertThat(Status.fromThrowable(thrown).getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    List<SpanData> spans = rig.otel.awaitExactly(3, Duration.ofSeconds(10));
    SpanData client = InMemoryTelemetry.only(spans, MISSING_NAME, SpanKind.CLIENT);
    SpanData serverSpan = InMemoryTelemetry.only(spans, "grpc", SpanKind.SERVER);
    assertThat(client)
        .hasTraceId(caller.getSpanContext().getTraceId())
        .hasParentSpanId(caller.getSpanContext().getSpanId())
        .hasAttributesSatisfyingExactly(
            CallKindsTest.expected(transport, server, channel, MISSING_NAME, "UNIMPLEMENTED"));
    assertThat(serverSpan)
        .hasTraceId(client.getTraceId())
        .hasParentSpanId(client.getSpanId())
        .hasStatus(
            StatusData.create(StatusCode.ERROR, "Method not found: " + MISSING_NAME))
        .hasAttributesSatisfyingExactly(
            equalTo(SemConv.RPC_SYSTEM_NAME, "grpc"),
            equalTo(SemConv.RPC_METHOD, "_OTHER"),
            equalTo(SemConv.RPC_METHOD_ORIGINAL, MISSING_NAME),
            equalTo(SemConv.RPC_RESPONSE_STATUS_CODE, "UNIMPLEMENTED"),
            equalTo(SemConv.ERROR_TYPE, "UNIMPLEMENTED"));
    assertThat(serverSpan.getParentSpanContext().isRemote()).isTrue();
    assertThat(serverSpan.getEvents()).isEmpty();
    assertThat(serverSpan.getEndEpochNanos())
        .isGreaterThanOrEqualTo(serverSpan.getStartEpochNanos());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void knownMethodWithFactoryAndInterceptorGetsOneServerSpan(Transport transport)
      throws Exception {
    Server server = rig.serveWithStreamTracer(transport, new TestService(), true);
    ManagedChannel channel = rig.channel(transport, server);

    SimpleResponse response = call(channel, "hi");

    assertThat(response.getResponseMessage()).isEqualTo("echo:hi");
    List<SpanData> spans = rig.otel.awaitExactly(2, Duration.ofSeconds(10));
    SpanData client = InMemoryTelemetry.only(spans, UNARY, SpanKind.CLIENT);
    SpanData serverSpan = InMemoryTelemetry.only(spans, UNARY, SpanKind.SERVER);
    assertThat(serverSpan)
        .hasParentSpanId(client.getSpanId())
        .hasStatus(StatusData.unset())
        .hasAttributesSatisfyingExactly(
            CallKindsTest.expected(transport, server, channel, UNARY, "OK"));
  }

  /** UNIMPLEMENTED from a known method's handler or an inner interceptor: still one span. */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void knownMethodAnsweringUnimplementedGetsOneServerSpan(Transport transport) throws Exception {
    ServerInterceptor rejectsBidi =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            if (call.getMethodDescriptor().getType() == MethodDescriptor.MethodType.BIDI_STREAMING) {
              throw Status.UNIMPLEMENTED.withDescription("not here").asRuntimeException();
            }
            return next.startCall(call, headers);
          }
        };
    Server server = rig.serveWithStreamTracer(transport, new TestService(), true, rejectsBidi);
    ManagedChannel channel = rig.channel(transport, server);

    Throwable fromHandler = catchThrowable(() -> call(channel, "status:UNIMPLEMENTED"));
    Recorder<SimpleResponse> responses = new Recorder<>();
    SimpleServiceGrpc.newStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .bidiStreamingRpc(responses)
        .onCompleted();
    Throwable fromInterceptor = responses.await();

    assertThat(Status.fromThrowable(fromHandler).getCode())
        .isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(Status.fromThrowable(fromInterceptor).getCode())
        .isEqualTo(Status.Code.UNIMPLEMENTED);
    List<SpanData> spans = rig.otel.awaitExactly(4, Duration.ofSeconds(10));
    SpanData unary = InMemoryTelemetry.only(spans, UNARY, SpanKind.SERVER);
    SpanData bidi = InMemoryTelemetry.only(spans, SERVICE + "/BidiStreamingRpc", SpanKind.SERVER);
    assertThat(unary)
        .hasStatus(StatusData.create(StatusCode.ERROR, "scripted"))
        .hasAttributesSatisfyingExactly(
            CallKindsTest.expected(transport, server, channel, UNARY, "UNIMPLEMENTED"));
    assertThat(bidi).hasStatus(StatusData.create(StatusCode.ERROR, "not here"));
    assertThat(spans).filteredOn(s -> s.getKind() == SpanKind.SERVER).hasSize(2);
  }

  /** The factory alone leaves calls that reach a handler alone: no span for them. */
  @Test
  void factoryWithoutInterceptorLeavesKnownMethodsAlone() throws Exception {
    Server server = rig.serveWithStreamTracer(Transport.NETTY, new TestService(), false);
    ManagedChannel channel = rig.channel(Transport.NETTY, server);

    assertThat(call(channel, "hi").getResponseMessage()).isEqualTo("echo:hi");

    List<SpanData> spans = rig.otel.awaitExactly(1, Duration.ofSeconds(10));
    assertThat(spans.get(0)).hasKind(SpanKind.CLIENT).hasName(UNARY);
  }

  /** The inbound policy applies: under LINK the span starts a new trace linked to the client. */
  @Test
  void unknownMethodUnderLinkPolicy() throws Exception {
    rig.close();
    rig =
        new Rig(
            otel ->
                GrpcTracing.builder(
                        BatonTracing.builder(otel.openTelemetry()).inboundPolicy(InboundPolicy.LINK).build())
                    .build());
    Server server = rig.serveWithStreamTracer(Transport.NETTY, new TestService(), true);
    ManagedChannel channel = rig.channel(Transport.NETTY, server);

    catchThrowable(() -> callMissing(channel));

    List<SpanData> spans = rig.otel.awaitExactly(2, Duration.ofSeconds(10));
    SpanData client = InMemoryTelemetry.only(spans, MISSING_NAME, SpanKind.CLIENT);
    SpanData serverSpan = InMemoryTelemetry.only(spans, "grpc", SpanKind.SERVER);
    assertThat(serverSpan).hasParentSpanId("0000000000000000");
    assertThat(serverSpan.getTraceId()).isNotEqualTo(client.getTraceId());
    assertThat(serverSpan.getLinks()).hasSize(1);
    assertThat(serverSpan.getLinks().get(0).getSpanContext().getTraceId())
        .isEqualTo(client.getTraceId());
    assertThat(serverSpan.getLinks().get(0).getSpanContext().getSpanId())
        .isEqualTo(client.getSpanId());
  }

  private Span callerSpan() {
    return rig.otel.openTelemetry().getTracer("test").spanBuilder("caller").setParent(Context.root())
        .startSpan();
  }

  private static SimpleResponse call(ManagedChannel channel, String message) {
    return SimpleServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .unaryRpc(request(message));
  }

  private static SimpleResponse callMissing(ManagedChannel channel) {
    return ClientCalls.blockingUnaryCall(
        channel,
        MISSING,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
        request("anyone?"));
  }
}
