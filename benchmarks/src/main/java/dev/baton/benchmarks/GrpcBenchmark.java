package dev.baton.benchmarks;

import dev.baton.grpc.GrpcTracing;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.instrumentation.grpc.v1_6.GrpcTelemetry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One blocking unary call over grpc-java's in-process transport, client and server both on
 * {@code directExecutor} (the whole call runs on the benchmark thread), with the sending context
 * current on the client: a CLIENT span, metadata injected, a SERVER span extracted from it.
 * {@code baseline} is the same call with no interceptors; Baton and OpenTelemetry each install
 * their own client and server interceptor.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GrpcBenchmark {

  static final byte[] REQUEST = "{\"sku\":\"A-1\",\"quantity\":2}".getBytes(StandardCharsets.UTF_8);
  private static final AtomicInteger NAMES = new AtomicInteger();

  /** One in-process server and channel. */
  static final class Endpoint {
    final Server server;
    final ManagedChannel channel;

    Endpoint(ServerInterceptor serverInterceptor, ClientInterceptor clientInterceptor)
        throws IOException {
      String name = "baton-bench-" + NAMES.incrementAndGet();
      InProcessServerBuilder sb = InProcessServerBuilder.forName(name).directExecutor();
      sb.addService(
          serverInterceptor == null
              ? EchoService.definition()
              : ServerInterceptors.intercept(EchoService.definition(), serverInterceptor));
      server = sb.build().start();
      InProcessChannelBuilder cb = InProcessChannelBuilder.forName(name).directExecutor();
      if (clientInterceptor != null) {
        cb.intercept(clientInterceptor);
      }
      channel = cb.build();
    }

    byte[] call() {
      try (var ignored = Fixtures.SENDING_CONTEXT.makeCurrent()) {
        return ClientCalls.blockingUnaryCall(channel, EchoService.ECHO, CallOptions.DEFAULT, REQUEST);
      }
    }

    void close() throws InterruptedException {
      channel.shutdownNow();
      server.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** No interceptors. */
  @State(Scope.Thread)
  public static class Plain {
    Endpoint endpoint;

    @Setup
    public void setUp() throws IOException {
      endpoint = new Endpoint(null, null);
    }

    @TearDown
    public void tearDown() throws InterruptedException {
      endpoint.close();
    }
  }

  /** Baton's and OpenTelemetry's interceptors, each on its own server and channel. */
  @State(Scope.Thread)
  public static class Traced {
    @Param({"SDK", "PROPAGATION"})
    public Telemetry.Mode otel;

    Telemetry telemetry;
    Endpoint baton;
    Endpoint openTelemetry;

    @Setup
    public void setUp() throws IOException {
      telemetry = Telemetry.create(otel);
      GrpcTracing b = GrpcTracing.create(telemetry.openTelemetry());
      baton = new Endpoint(b.serverInterceptor(), b.clientInterceptor());
      GrpcTelemetry o = GrpcTelemetry.create(telemetry.openTelemetry());
      openTelemetry = new Endpoint(o.createServerInterceptor(), o.createClientInterceptor());
    }

    @TearDown
    public void tearDown() throws InterruptedException {
      baton.close();
      openTelemetry.close();
      telemetry.close();
    }
  }

  @Benchmark
  public byte[] baseline(Plain s) {
    return s.endpoint.call();
  }

  @Benchmark
  public byte[] baton(Traced s) {
    return s.baton.call();
  }

  @Benchmark
  public byte[] otel(Traced s) {
    return s.openTelemetry.call();
  }
}
