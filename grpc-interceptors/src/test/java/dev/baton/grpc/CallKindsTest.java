package dev.baton.grpc;

import static dev.baton.grpc.TestService.SERVICE;
import static dev.baton.grpc.TestService.request;
import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.assertThat;
import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.equalTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.internal.SemConv;
import dev.baton.testing.InMemoryTelemetry;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.assertj.AttributeAssertion;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * All four call kinds, in-process and over Netty: the exact span tree caller -> CLIENT -> SERVER,
 * one trace, the attributes of each span, the server span current in every handler callback and
 * the caller's span current in every client callback.
 */
class CallKindsTest {

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
  void unary(Transport transport) throws Exception {
    Server server = rig.serve(transport, service);
    ManagedChannel channel = rig.channel(transport, server);
    Span caller = callerSpan();
    SimpleResponse response;
    try (Scope ignored = caller.makeCurrent()) {
      response =
          SimpleServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .unaryRpc(request("hi"));
    } finally {
      caller.end();
    }
    assertThat(response.getResponseMessage()).isEqualTo("echo:hi");
    SpanData server1 = assertTree(transport, server, channel, "UnaryRpc");
    assertThat(service.seen).hasSize(1).allMatch(sc -> sc.equals(server1.getSpanContext()));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void clientStreaming(Transport transport) throws Exception {
    Server server = rig.serve(transport, service);
    ManagedChannel channel = rig.channel(transport, server);
    Span caller = callerSpan();
    Recorder<SimpleResponse> responses = new Recorder<>();
    try (Scope ignored = caller.makeCurrent()) {
      StreamObserver<SimpleRequest> requests =
          SimpleServiceGrpc.newStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .clientStreamingRpc(responses);
      requests.onNext(request("a"));
      requests.onNext(request("b"));
      requests.onNext(request("c"));
      requests.onCompleted();
    }
    assertThat(responses.await()).isNull();
    caller.end();
    assertThat(responses.messages).extracting(SimpleResponse::getResponseMessage)
        .containsExactly("count:3");
    assertThat(responses.seen).allMatch(sc -> sc.equals(caller.getSpanContext()));
    SpanData serverSpan = assertTree(transport, server, channel, "ClientStreamingRpc");
    // start, three messages, half-close
    assertThat(service.seen).hasSize(5).allMatch(sc -> sc.equals(serverSpan.getSpanContext()));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void serverStreaming(Transport transport) throws Exception {
    Server server = rig.serve(transport, service);
    ManagedChannel channel = rig.channel(transport, server);
    Span caller = callerSpan();
    List<String> parts = new ArrayList<>();
    try (Scope ignored = caller.makeCurrent()) {
      Iterator<SimpleResponse> it =
          SimpleServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .serverStreamingRpc(request("go"));
      while (it.hasNext()) {
        parts.add(it.next().getResponseMessage());
      }
    } finally {
      caller.end();
    }
    assertThat(parts).containsExactly("part:1", "part:2", "part:3");
    SpanData serverSpan = assertTree(transport, server, channel, "ServerStreamingRpc");
    assertThat(service.seen).hasSize(1).allMatch(sc -> sc.equals(serverSpan.getSpanContext()));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void bidiStreaming(Transport transport) throws Exception {
    Server server = rig.serve(transport, service);
    ManagedChannel channel = rig.channel(transport, server);
    Span caller = callerSpan();
    Recorder<SimpleResponse> responses = new Recorder<>();
    try (Scope ignored = caller.makeCurrent()) {
      StreamObserver<SimpleRequest> requests =
          SimpleServiceGrpc.newStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .bidiStreamingRpc(responses);
      requests.onNext(request("x"));
      requests.onNext(request("y"));
      requests.onCompleted();
    }
    assertThat(responses.await()).isNull();
    caller.end();
    assertThat(responses.messages).extracting(SimpleResponse::getResponseMessage)
        .containsExactly("echo:x", "echo:y");
    assertThat(responses.seen).hasSize(3).allMatch(sc -> sc.equals(caller.getSpanContext()));
    SpanData serverSpan = assertTree(transport, server, channel, "BidiStreamingRpc");
    assertThat(service.seen).hasSize(4).allMatch(sc -> sc.equals(serverSpan.getSpanContext()));
  }

  private Span callerSpan() {
    return rig.otel.openTelemetry().getTracer("test").spanBuilder("caller").setParent(Context.root())
        .startSpan();
  }

  /** Asserts caller -> CLIENT -> SERVER, all OK, and returns the server span. */
  private SpanData assertTree(
      Transport transport, Server server, ManagedChannel channel, String method)
      throws InterruptedException {
    String fullMethod = SERVICE + "/" + method;
    List<SpanData> spans = rig.otel.awaitExactly(3, Duration.ofSeconds(10));
    SpanData caller = InMemoryTelemetry.only(spans, "caller", SpanKind.INTERNAL);
    SpanData client = InMemoryTelemetry.only(spans, fullMethod, SpanKind.CLIENT);
    SpanData serverSpan = InMemoryTelemetry.only(spans, fullMethod, SpanKind.SERVER);

    assertThat(client)
        .hasTraceId(caller.getTraceId())
        .hasParentSpanId(caller.getSpanId())
        .hasStatus(io.opentelemetry.sdk.trace.data.StatusData.unset())
        .hasAttributesSatisfyingExactly(
            expected(transport, server, channel, fullMethod, "OK"));
    assertThat(serverSpan)
        .hasTraceId(caller.getTraceId())
        .hasParentSpanId(client.getSpanId())
        .hasStatus(io.opentelemetry.sdk.trace.data.StatusData.unset())
        .hasAttributesSatisfyingExactly(
            expected(transport, server, channel, fullMethod, "OK"));
    assertThat(serverSpan.getSpanContext().isRemote()).isFalse();
    assertThat(client.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    return serverSpan;
  }

  static List<AttributeAssertion> expected(
      Transport transport, Server server, ManagedChannel channel, String fullMethod,
      String code) {
    List<AttributeAssertion> a = new ArrayList<>();
    a.add(equalTo(SemConv.RPC_SYSTEM_NAME, "grpc"));
    a.add(equalTo(SemConv.RPC_METHOD, fullMethod));
    a.add(equalTo(SemConv.RPC_RESPONSE_STATUS_CODE, code));
    if (transport == Transport.NETTY) {
      a.add(equalTo(SemConv.SERVER_ADDRESS, "127.0.0.1"));
      a.add(equalTo(SemConv.SERVER_PORT, (long) server.getPort()));
    } else {
      a.add(equalTo(SemConv.SERVER_ADDRESS, channel.authority()));
    }
    if (!code.equals("OK")) {
      a.add(equalTo(SemConv.ERROR_TYPE, code));
    }
    return a;
  }
}
