package dev.baton.it.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.core.BatonTracing;
import dev.baton.grpc.GrpcTracing;
import dev.baton.it.interop.SimpleGrpc;
import dev.baton.testing.InMemoryTelemetry;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Baton's gRPC call-duration histograms over Netty on 127.0.0.1: one point per call on each side,
 * the status code's name, {@code error.type} as each side's conventions decide, {@code _OTHER}
 * for a method the server does not have, and nothing with {@code baton.metrics.enabled=false}.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class GrpcMetricsIT {

  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("rpc.system.name");
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("rpc.method");
  static final AttributeKey<String> STATUS = AttributeKey.stringKey("rpc.response.status_code");
  static final AttributeKey<String> ERROR = AttributeKey.stringKey("error.type");

  final InMemoryTelemetry telemetry = InMemoryTelemetry.create();
  Server server;
  ManagedChannel channel;

  @AfterEach
  void close() throws InterruptedException {
    SimpleGrpc.shutdown(channel, server);
    telemetry.close();
  }

  void start(GrpcTracing tracing) throws Exception {
    SimpleServiceGrpc.SimpleServiceImplBase service = new SimpleServiceGrpc.SimpleServiceImplBase() {
      @Override
      public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
        switch (request.getRequestMessage()) {
          case "missing":
            responses.onError(Status.NOT_FOUND.withDescription("no such order").asRuntimeException());
            return;
          case "boom":
            throw new IllegalStateException("handler bug");
          default:
            responses.onNext(SimpleResponse.newBuilder().setResponseMessage("ok").build());
            responses.onCompleted();
        }
      }
    };
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(service, tracing.serverInterceptor()))
        .addStreamTracerFactory(tracing.serverStreamTracerFactory())
        .build()
        .start();
    channel = SimpleGrpc.channel(server, tracing.clientInterceptor());
  }

  static Attributes attrs(String method, String status) {
    return Attributes.of(SYSTEM, "grpc", METHOD, method, STATUS, status);
  }

  @Test
  void everyCallIsTimedOnBothSidesWithItsStatus() throws Exception {
    start(GrpcTracing.create(telemetry.openTelemetry()));
    for (int i = 0; i < 3; i++) {
      assertThat(SimpleGrpc.call(channel, "order-" + i)).isEqualTo("ok");
    }
    assertThatThrownBy(() -> SimpleGrpc.call(channel, "missing"))
        .isInstanceOf(StatusRuntimeException.class);
    assertThatThrownBy(() -> SimpleGrpc.call(channel, "boom"))
        .isInstanceOf(StatusRuntimeException.class);
    MethodDescriptor<SimpleRequest, SimpleResponse> unknown =
        SimpleServiceGrpc.getUnaryRpcMethod().toBuilder()
            .setFullMethodName("grpc.testing.SimpleService/NoSuchMethod")
            .build();
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, unknown,
              CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
              SimpleRequest.getDefaultInstance()))
          .isInstanceOf(StatusRuntimeException.class);
    }

    String unary = SimpleGrpc.UNARY;
    // client: every code but OK is an error
    assertThat(telemetry.histogram("rpc.client.call.duration", attrs(unary, "OK")).getCount())
        .isEqualTo(3);
    assertThat(telemetry.histogram("rpc.client.call.duration",
            attrs(unary, "NOT_FOUND").toBuilder().put(ERROR, "NOT_FOUND").build())
        .getCount()).isEqualTo(1);
    assertThat(telemetry.histogram("rpc.client.call.duration",
            attrs(unary, "UNKNOWN").toBuilder().put(ERROR, "UNKNOWN").build())
        .getCount()).isEqualTo(1);
    // the client knows the method it called: its own name, never the server's _OTHER
    assertThat(telemetry.histogram("rpc.client.call.duration",
            attrs("grpc.testing.SimpleService/NoSuchMethod", "UNIMPLEMENTED").toBuilder()
                .put(ERROR, "UNIMPLEMENTED").build())
        .getCount()).isEqualTo(2);
    assertThat(telemetry.attributeSets("rpc.client.call.duration")).hasSize(4);

    // server: the points arrive when each call ends there, possibly after the client's answer
    await().atMost(Duration.ofSeconds(10)).until(() -> serverCalls() == 7);
    HistogramPointData ok = telemetry.histogram("rpc.server.call.duration", attrs(unary, "OK"));
    assertThat(ok.getCount()).isEqualTo(3);
    assertThat(ok.getMin()).isGreaterThan(0);
    // NOT_FOUND is not a server error
    assertThat(telemetry.histogram("rpc.server.call.duration", attrs(unary, "NOT_FOUND"))
        .getCount()).isEqualTo(1);
    assertThat(telemetry.histogram("rpc.server.call.duration",
            attrs(unary, "UNKNOWN").toBuilder().put(ERROR, "UNKNOWN").build())
        .getCount()).isEqualTo(1);
    assertThat(telemetry.histogram("rpc.server.call.duration",
            attrs("_OTHER", "UNIMPLEMENTED").toBuilder().put(ERROR, "UNIMPLEMENTED").build())
        .getCount()).isEqualTo(2);
    assertThat(telemetry.attributeSets("rpc.server.call.duration")).hasSize(4);
  }

  private long serverCalls() {
    long n = 0;
    for (io.opentelemetry.sdk.metrics.data.PointData p : telemetry.points("rpc.server.call.duration")) {
      n += ((HistogramPointData) p).getCount();
    }
    return n;
  }

  @Test
  void metricsSwitchedOffRecordNothing() throws Exception {
    start(GrpcTracing.builder(
        BatonTracing.builder(telemetry.openTelemetry()).metricsEnabled(false).build()).build());
    assertThat(SimpleGrpc.call(channel, "order")).isEqualTo("ok");
    await().atMost(Duration.ofSeconds(10)).until(() -> telemetry.spans().size() == 2);
    assertThat(telemetry.metrics()).isEmpty();
  }
}
