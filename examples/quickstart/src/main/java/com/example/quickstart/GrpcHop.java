package com.example.quickstart;

import dev.baton.grpc.GrpcTracing;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** gRPC: a unary call from a traced client to a traced server, in one trace. */
final class GrpcHop {

  /** {@code quickstart.Greeter/Hello}: a string in, a string out (no protoc needed). */
  static final MethodDescriptor<String, String> HELLO =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("quickstart.Greeter/Hello")
          .setRequestMarshaller(Utf8.INSTANCE)
          .setResponseMarshaller(Utf8.INSTANCE)
          .build();

  private GrpcHop() {}

  /** The server answers with the trace id it runs in. */
  static BindableService greeter() {
    return () -> ServerServiceDefinition.builder("quickstart.Greeter")
        .addMethod(HELLO, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(Span.current().getSpanContext().getTraceId());
          response.onCompleted();
        }))
        .build();
  }

  /** Calls the server in the current trace and returns the trace id the server ran in. */
  static String run(OpenTelemetry openTelemetry) throws Exception {
    BindableService greeter = greeter();
    // tag::grpc[]
    GrpcTracing grpcTracing = GrpcTracing.create(openTelemetry);
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(greeter, grpcTracing.serverInterceptor()))
        .addStreamTracerFactory(grpcTracing.serverStreamTracerFactory()) // calls to unknown methods
        .build()
        .start();
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort())
        .usePlaintext()
        .intercept(grpcTracing.clientInterceptor())
        .build();
    // end::grpc[]
    try {
      return ClientCalls.blockingUnaryCall(
          channel, HELLO, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
          "hello");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** UTF-8 strings as gRPC messages. */
  private enum Utf8 implements MethodDescriptor.Marshaller<String> {
    INSTANCE;

    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
