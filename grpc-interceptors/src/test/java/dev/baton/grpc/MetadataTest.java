package dev.baton.grpc;

import static dev.baton.grpc.TestService.SERVICE;
import static dev.baton.grpc.TestService.request;
import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.InMemoryTelemetry;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Trace context in gRPC metadata: injection replaces what the caller put there, binary keys are
 * ignored, and bad input restarts the trace without failing the call.
 */
class MetadataTest {

  private static final String UNARY = SERVICE + "/UnaryRpc";
  private static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> TRACESTATE =
      Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<byte[]> TRACEPARENT_BIN =
      Metadata.Key.of("traceparent-bin", Metadata.BINARY_BYTE_MARSHALLER);
  private static final String STALE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  private Rig rig;
  private final List<Metadata> received = new ArrayList<>();
  private final ServerInterceptor recordHeaders =
      new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          synchronized (received) {
            received.add(headers);
          }
          return next.startCall(call, headers);
        }
      };

  @BeforeEach
  void setUp() {
    rig = new Rig();
  }

  @AfterEach
  void tearDown() throws Exception {
    rig.close();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void callerTraceparentIsReplacedNeverDuplicated(Transport transport) throws Exception {
    Server server = rig.serve(transport, new TestService(), recordHeaders);
    ManagedChannel channel = rig.channel(transport, server);
    Metadata stale = new Metadata();
    stale.put(TRACEPARENT, STALE);
    stale.put(TRACEPARENT, STALE);
    stale.put(TRACESTATE, "stale=1");

    SimpleServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(stale))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .unaryRpc(request("hi"));

    List<SpanData> spans = rig.otel.awaitExactly(2, Duration.ofSeconds(10));
    SpanData client = InMemoryTelemetry.only(spans, UNARY, SpanKind.CLIENT);
    SpanData serverSpan = InMemoryTelemetry.only(spans, UNARY, SpanKind.SERVER);
    Metadata headers = received.get(0);
    // One value, the client span's; flags 01, or 03 with the Level 2 random-id flag.
    assertThat(headers.getAll(TRACEPARENT))
        .singleElement()
        .asString()
        .matches("00-" + client.getTraceId() + "-" + client.getSpanId() + "-0[13]");
    assertThat(headers.getAll(TRACESTATE)).as("stale tracestate removed").isNull();
    assertThat(serverSpan).hasParentSpanId(client.getSpanId()).hasTraceId(client.getTraceId());
    assertThat(client.getTraceId()).isNotEqualTo(STALE.substring(3, 35));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void binaryTraceparentIsIgnored(Transport transport) throws Exception {
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT_BIN, STALE.getBytes(StandardCharsets.US_ASCII));
    SpanData serverSpan = serverSpanFor(transport, headers);
    assertThat(serverSpan).hasParentSpanId("0000000000000000");
    assertThat(serverSpan.getTraceId()).isNotEqualTo("0af7651916cd43dd8448eb211c80319c");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void garbageTraceparentRestartsTheTrace(Transport transport) throws Exception {
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, "00-garbage-\u007f-zz");
    headers.put(TRACESTATE, "=,=,,");
    SpanData serverSpan = serverSpanFor(transport, headers);
    assertThat(serverSpan).hasParentSpanId("0000000000000000");
    assertThat(serverSpan.getLinks()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void twoTraceparentsRestartTheTrace(Transport transport) throws Exception {
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, STALE);
    headers.put(TRACEPARENT, "00-11111111111111111111111111111111-2222222222222222-01");
    SpanData serverSpan = serverSpanFor(transport, headers);
    assertThat(serverSpan).hasParentSpanId("0000000000000000");
  }

  @Test
  void validTraceparentIsContinued() throws Exception {
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, STALE);
    SpanData serverSpan = serverSpanFor(Transport.IN_PROCESS, headers);
    assertThat(serverSpan)
        .hasTraceId("0af7651916cd43dd8448eb211c80319c")
        .hasParentSpanId("b7ad6b7169203331");
    assertThat(serverSpan.getParentSpanContext().isRemote()).isTrue();
  }

  /** Calls without the client interceptor, with {@code headers} as they are. */
  private SpanData serverSpanFor(Transport transport, Metadata headers) throws Exception {
    Server server = rig.serve(transport, new TestService());
    ClientInterceptor raw = MetadataUtils.newAttachHeadersInterceptor(headers);
    ManagedChannel channel = rig.channel(transport, server, raw);
    String answer =
        SimpleServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .unaryRpc(request("hi"))
            .getResponseMessage();
    assertThat(answer).isEqualTo("echo:hi");
    List<SpanData> spans = rig.otel.awaitExactly(1, Duration.ofSeconds(10));
    return InMemoryTelemetry.only(spans, UNARY, SpanKind.SERVER);
  }
}
