package dev.baton.grpc;

import static dev.baton.grpc.TestService.SERVICE;
import static dev.baton.grpc.TestService.request;
import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.assertThat;
import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.equalTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.baton.core.internal.SemConv;
import dev.baton.testing.InMemoryTelemetry;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Calls that fail: a deadline, a client cancellation, a throwing handler, every error status,
 * and a call whose start throws. Each span ends exactly once with the right status.
 */
class FailureTest {

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

  @ParameterizedTest
  @EnumSource(Transport.class)
  void deadlineExceeded(Transport transport) throws Exception {
    Server server = rig.serve(transport, service);
    ManagedChannel channel = rig.channel(transport, server);
    // Warm the connection so that the deadline starts counting at the call, not at connecting
    // (a cold Netty connection on a busy machine could eat the deadline before the handler runs).
    SimpleServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .unaryRpc(request("warm"));
    rig.otel.awaitExactly(2, Duration.ofSeconds(10));
    rig.otel.reset();
    service.seen.clear();

    Throwable thrown =
        catchThrowable(
            () ->
                SimpleServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(1, TimeUnit.SECONDS)
                    .unaryRpc(request("hang")));

    assertThat(Status.fromThrowable(thrown).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(service.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
    List<SpanData> spans = rig.otel.awaitExactly(2, Duration.ofSeconds(10));
    SpanData client = InMemoryTelemetry.only(spans, UNARY, SpanKind.CLIENT);
    SpanData serverSpan = InMemoryTelemetry.only(spans, UNARY, SpanKind.SERVER);
    assertThat(client)
        .hasParentSpanId("0000000000000000")
        .hasStatus(StatusData.create(StatusCode.ERROR, client.getStatus().getDescription()))
        .hasAttributesSatisfyingExactly(
            CallKindsTest.expected(transport, server, channel, UNARY, "DEADLINE_EXCEEDED"));
    assertThat(serverSpan)
        .hasTraceId(client.getTraceId())
        .hasParentSpanId(client.getSpanId())
        .hasAttributesSatisfyingExactly(
            CallKindsTest.expected(transport, server, channel, UNARY, "DEADLINE_EXCEEDED"));
    assertThat(serverSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    // The cancel handler ran inside the server span too.
    assertThat(service.seen).hasSize(2).allMatch(sc -> sc.equals(serverSpan.getSpanContext()));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void clientCancellation(Transport transport) throws Exception {
    Server server = rig.serve(transport, service);
    ManagedChannel channel = rig.channel(transport, server);
    CompletableFuture<Throwable> closed = new CompletableFuture<>();

    SimpleServiceGrpc.newStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .serverStreamingRpc(
            request("hang"),
            new ClientResponseObserver<SimpleRequest, SimpleResponse>() {
              ClientCallStreamObserver<SimpleRequest> call;

              @Override
              public void beforeStart(ClientCallStreamObserver<SimpleRequest> requestStream) {
                call = requestStream;
              }

              @Override
              public void onNext(SimpleResponse value) {
                call.cancel("caller gave up", null);
              }

              @Override
              public void onError(Throwable t) {
                closed.complete(t);
              }

              @Override
              public void onCompleted() {
                closed.complete(null);
              }
            });

    Throwable error = closed.get(10, TimeUnit.SECONDS);
    assertThat(Status.fromThrowable(error).getCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(service.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
    String method = SERVICE + "/ServerStreamingRpc";
    List<SpanData> spans = rig.otel.awaitExactly(2, Duration.ofSeconds(10));
    SpanData client = InMemoryTelemetry.only(spans, method, SpanKind.CLIENT);
    SpanData serverSpan = InMemoryTelemetry.only(spans, method, SpanKind.SERVER);
    assertThat(client)
        .hasStatus(StatusData.create(StatusCode.ERROR, "caller gave up"))
        .hasAttributesSatisfyingExactly(
            CallKindsTest.expected(transport, server, channel, method, "CANCELLED"));
    // CANCELLED is not a server error: rpc.response.status_code only, status unset.
    assertThat(serverSpan)
        .hasParentSpanId(client.getSpanId())
        .hasStatus(StatusData.unset())
        .hasAttributesSatisfyingExactly(
            equalTo(SemConv.RPC_SYSTEM_NAME, "grpc"),
            equalTo(SemConv.RPC_METHOD, method),
            equalTo(SemConv.RPC_RESPONSE_STATUS_CODE, "CANCELLED"),
            equalTo(SemConv.SERVER_ADDRESS,
                transport == Transport.NETTY ? "127.0.0.1" : channel.authority()),
            transport == Transport.NETTY
                ? equalTo(SemConv.SERVER_PORT, (long) server.getPort())
                : equalTo(AttributeKey.stringKey("absent"), null));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void throwingHandler(Transport transport) throws Exception {
    Server server = rig.serve(transport, service);
    ManagedChannel channel = rig.channel(transport, server);

    Throwable thrown =
        catchThrowable(
            () ->
                SimpleServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .unaryRpc(request("throw")));

    assertThat(Status.fromThrowable(thrown).getCode()).isEqualTo(Status.Code.UNKNOWN);
    List<SpanData> spans = rig.otel.awaitExactly(2, Duration.ofSeconds(10));
    SpanData client = InMemoryTelemetry.only(spans, UNARY, SpanKind.CLIENT);
    SpanData serverSpan = InMemoryTelemetry.only(spans, UNARY, SpanKind.SERVER);
    assertThat(client)
        .hasAttributesSatisfyingExactly(
            CallKindsTest.expected(transport, server, channel, UNARY, "UNKNOWN"));
    assertThat(client.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(serverSpan)
        .hasParentSpanId(client.getSpanId())
        .hasStatus(StatusData.create(StatusCode.ERROR, "boom"))
        .hasAttributesSatisfyingExactly(
            CallKindsTest.expected(transport, server, channel, UNARY, "UNKNOWN"))
        .hasException(new IllegalStateException("boom"));
  }

  /** Every non-OK code: always an error on the client, only the six named codes on the server. */
  @ParameterizedTest
  @EnumSource(value = Status.Code.class, names = "OK", mode = EnumSource.Mode.EXCLUDE)
  void errorStatus(Status.Code code) throws Exception {
    Server server = rig.serve(Transport.IN_PROCESS, service);
    ManagedChannel channel = rig.channel(Transport.IN_PROCESS, server);

    assertThatThrownBy(
            () ->
                SimpleServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .unaryRpc(request("status:" + code.name())))
        .isInstanceOf(StatusRuntimeException.class);

    List<SpanData> spans = rig.otel.awaitExactly(2, Duration.ofSeconds(10));
    SpanData client = InMemoryTelemetry.only(spans, UNARY, SpanKind.CLIENT);
    SpanData serverSpan = InMemoryTelemetry.only(spans, UNARY, SpanKind.SERVER);
    assertThat(client)
        .hasStatus(StatusData.create(StatusCode.ERROR, "scripted"))
        .hasAttributesSatisfyingExactly(
            CallKindsTest.expected(Transport.IN_PROCESS, server, channel, UNARY, code.name()));
    boolean serverError =
        switch (code) {
          case UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS -> true;
          default -> false;
        };
    assertThat(serverSpan.getAttributes().get(SemConv.RPC_RESPONSE_STATUS_CODE))
        .isEqualTo(code.name());
    if (serverError) {
      assertThat(serverSpan)
          .hasStatus(StatusData.create(StatusCode.ERROR, "scripted"))
          .hasAttributesSatisfyingExactly(
              CallKindsTest.expected(Transport.IN_PROCESS, server, channel, UNARY, code.name()));
    } else {
      assertThat(serverSpan)
          .hasStatus(StatusData.unset())
          .hasAttributesSatisfyingExactly(
              equalTo(SemConv.RPC_SYSTEM_NAME, "grpc"),
              equalTo(SemConv.RPC_METHOD, UNARY),
              equalTo(SemConv.RPC_RESPONSE_STATUS_CODE, code.name()),
              equalTo(SemConv.SERVER_ADDRESS, channel.authority()));
    }
  }

  /** A call whose start throws synchronously: the span ends, the exception is the caller's. */
  @Test
  void startThrows() throws Exception {
    Server server = rig.serve(Transport.IN_PROCESS, service);
    IllegalStateException failure = new IllegalStateException("no start");
    ClientInterceptor throwing =
        new ClientInterceptor() {
          @Override
          public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
              MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(
                next.newCall(method, options)) {
              @Override
              public void start(Listener<RespT> listener, Metadata headers) {
                throw failure;
              }
            };
          }
        };
    ManagedChannel raw = rig.channel(Transport.IN_PROCESS, server, throwing);
    Channel traced = ClientInterceptors.intercept(raw, rig.tracing.clientInterceptor());

    Throwable thrown =
        catchThrowable(
            () ->
                SimpleServiceGrpc.newBlockingStub(traced)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .unaryRpc(request("hi")));

    assertThat(thrown).isSameAs(failure);
    List<SpanData> spans = rig.otel.awaitExactly(1, Duration.ofSeconds(10));
    assertThat(spans.get(0))
        .hasKind(SpanKind.CLIENT)
        .hasName(UNARY)
        .hasStatus(StatusData.create(StatusCode.ERROR, "no start"))
        .hasException(failure)
        .hasAttributesSatisfyingExactly(
            equalTo(SemConv.RPC_SYSTEM_NAME, "grpc"),
            equalTo(SemConv.RPC_METHOD, UNARY),
            equalTo(SemConv.SERVER_ADDRESS, raw.authority()),
            equalTo(SemConv.ERROR_TYPE, IllegalStateException.class.getName()));
  }
}
