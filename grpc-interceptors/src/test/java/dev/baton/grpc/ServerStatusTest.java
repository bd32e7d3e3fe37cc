package dev.baton.grpc;

import static dev.baton.grpc.TestService.SERVICE;
import static dev.baton.grpc.TestService.request;
import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.assertThat;
import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.equalTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.baton.core.internal.SemConv;
import dev.baton.testing.InMemoryTelemetry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.assertj.AttributeAssertion;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The server span carries the status the client received, whatever way the call ended: an inner
 * interceptor that rejects the call by throwing, and application code that throws after the call
 * was already answered with {@code OK}.
 */
class ServerStatusTest {

  private static final String UNARY = SERVICE + "/UnaryRpc";

  private Rig rig;
  private TestService service;

  @BeforeEach
  void setUp() {
    rig = new Rig();
    service = new TestService();
  }

  @AfterEach
  void tearDown() throws Exception {
    rig.close();
  }

  /** An interceptor inside Baton's that throws instead of calling the handler. */
  private static ServerInterceptor throwing(RuntimeException failure) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        throw failure;
      }
    };
  }

  /** A non-error code for servers: the span records it, and is not an error. */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void interceptorRejectsWithStatus(Transport transport) throws Exception {
    RuntimeException failure =
        Status.UNAUTHENTICATED.withDescription("no token").asRuntimeException();
    Server server = rig.serve(transport, service, throwing(failure));
    ManagedChannel channel = rig.channel(transport, server);

    Throwable thrown = catchThrowable(() -> call(channel, "hi"));

    assertThat(Status.fromThrowable(thrown).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    List<SpanData> spans = rig.otel.awaitExactly(2, Duration.ofSeconds(10));
    SpanData client = InMemoryTelemetry.only(spans, UNARY, SpanKind.CLIENT);
    SpanData serverSpan = InMemoryTelemetry.only(spans, UNARY, SpanKind.SERVER);
    assertThat(client)
        .hasStatus(StatusData.create(StatusCode.ERROR, "no token"))
        .hasAttributesSatisfyingExactly(
            CallKindsTest.expected(transport, server, channel, UNARY, "UNAUTHENTICATED"));
    assertThat(serverSpan)
        .hasParentSpanId(client.getSpanId())
        .hasStatus(StatusData.unset())
        .hasAttributesSatisfyingExactly(
            withoutErrorType(transport, server, channel, "UNAUTHENTICATED"))
        .hasException(failure);
    assertThat(service.seen).isEmpty();
  }

  /** A server-error code thrown as a status: ERROR, error.type the code, its description. */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void interceptorRejectsWithServerErrorStatus(Transport transport) throws Exception {
    RuntimeException failure = Status.UNAVAILABLE.withDescription("draining").asRuntimeException();
    Server server = rig.serve(transport, service, throwing(failure));
    ManagedChannel channel = rig.channel(transport, server);

    Throwable thrown = catchThrowable(() -> call(channel, "hi"));

    assertThat(Status.fromThrowable(thrown).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    List<SpanData> spans = rig.otel.awaitExactly(2, Duration.ofSeconds(10));
    SpanData client = InMemoryTelemetry.only(spans, UNARY, SpanKind.CLIENT);
    SpanData serverSpan = InMemoryTelemetry.only(spans, UNARY, SpanKind.SERVER);
    assertThat(serverSpan)
        .hasParentSpanId(client.getSpanId())
        .hasStatus(StatusData.create(StatusCode.ERROR, "draining"))
        .hasAttributesSatisfyingExactly(
            CallKindsTest.expected(transport, server, channel, UNARY, "UNAVAILABLE"))
        .hasException(failure);
  }

  /** Any other exception: gRPC answers UNKNOWN, and so does the span (not the class name). */
  @Test
  void interceptorThrowsPlainException() throws Exception {
    RuntimeException failure = new IllegalArgumentException("bad header");
    Server server = rig.serve(Transport.IN_PROCESS, service, throwing(failure));
    ManagedChannel channel = rig.channel(Transport.IN_PROCESS, server);

    Throwable thrown = catchThrowable(() -> call(channel, "hi"));

    assertThat(Status.fromThrowable(thrown).getCode()).isEqualTo(Status.Code.UNKNOWN);
    List<SpanData> spans = rig.otel.awaitExactly(2, Duration.ofSeconds(10));
    SpanData serverSpan = InMemoryTelemetry.only(spans, UNARY, SpanKind.SERVER);
    assertThat(serverSpan)
        .hasStatus(StatusData.create(StatusCode.ERROR, "bad header"))
        .hasAttributesSatisfyingExactly(
            CallKindsTest.expected(Transport.IN_PROCESS, server, channel, UNARY, "UNKNOWN"))
        .hasException(failure);
  }

  /** The handler answers OK, then throws: the client saw OK, so the span is OK. */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void exceptionAfterOkCloseKeepsTheSpanOk(Transport transport) throws Exception {
    Server server = rig.serve(transport, service);
    ManagedChannel channel = rig.channel(transport, server);

    SimpleResponse response = call(channel, "complete-then-throw");

    assertThat(response.getResponseMessage()).isEqualTo("done");
    assertOkWithOneException(transport, server, channel, "after the answer");
  }

  /** The handler's close handler ({@code onComplete}) throws after an OK answer. */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void exceptionInOnCompleteKeepsTheSpanOk(Transport transport) throws Exception {
    Server server = rig.serve(transport, service);
    ManagedChannel channel = rig.channel(transport, server);

    SimpleResponse response = call(channel, "close-handler-throws");

    assertThat(response.getResponseMessage()).isEqualTo("done");
    SpanData serverSpan = assertOkWithOneException(transport, server, channel, "in onComplete");
    // the handler, then its close handler, both inside the server span
    assertThat(service.seen).hasSize(2).allMatch(sc -> sc.equals(serverSpan.getSpanContext()));
  }

  private SpanData assertOkWithOneException(
      Transport transport, Server server, ManagedChannel channel, String message)
      throws InterruptedException {
    List<SpanData> spans = rig.otel.awaitExactly(2, Duration.ofSeconds(10));
    SpanData client = InMemoryTelemetry.only(spans, UNARY, SpanKind.CLIENT);
    SpanData serverSpan = InMemoryTelemetry.only(spans, UNARY, SpanKind.SERVER);
    assertThat(client)
        .hasStatus(StatusData.unset())
        .hasAttributesSatisfyingExactly(
            CallKindsTest.expected(transport, server, channel, UNARY, "OK"));
    assertThat(serverSpan)
        .hasParentSpanId(client.getSpanId())
        .hasStatus(StatusData.unset())
        .hasAttributesSatisfyingExactly(
            CallKindsTest.expected(transport, server, channel, UNARY, "OK"));
    // The exception is still on the span as an event, once.
    List<EventData> events = serverSpan.getEvents();
    assertThat(events).hasSize(1);
    assertThat(events.get(0).getName()).isEqualTo("exception");
    assertThat(events.get(0).getAttributes().get(
            io.opentelemetry.api.common.AttributeKey.stringKey("exception.message")))
        .isEqualTo(message);
    return serverSpan;
  }

  private static SimpleResponse call(ManagedChannel channel, String message) {
    return SimpleServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .unaryRpc(request(message));
  }

  private static AttributeAssertion[] withoutErrorType(
      Transport transport, Server server, ManagedChannel channel, String code) {
    List<AttributeAssertion> all = CallKindsTest.expected(transport, server, channel, UNARY, "OK");
    all.set(2, equalTo(SemConv.RPC_RESPONSE_STATUS_CODE, code));
    return all.toArray(new AttributeAssertion[0]);
  }
}
