package dev.baton.it.interop;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * grpc-testing-proto's {@code SimpleService} over Netty on 127.0.0.1 for the interop and
 * pass-through tests: a server whose unary handler is a function, a plaintext channel, and a
 * server interceptor that keeps the last request metadata it saw.
 */
public final class SimpleGrpc {

  /** The unary method's full name, which is also every instrumentation's span name for it. */
  public static final String UNARY = "grpc.testing.SimpleService/UnaryRpc";

  private SimpleGrpc() {}

  /**
   * Starts a server on a free 127.0.0.1 port; {@code handler} answers unary calls. The last
   * interceptor given is the outermost (it runs first).
   */
  public static Server start(Function<SimpleRequest, String> handler, ServerInterceptor... interceptors)
      throws IOException {
    SimpleServiceGrpc.SimpleServiceImplBase service = new SimpleServiceGrpc.SimpleServiceImplBase() {
      @Override
      public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
        String answer = handler.apply(request);
        responses.onNext(SimpleResponse.newBuilder().setResponseMessage(answer).build());
        responses.onCompleted();
      }
    };
    ServerServiceDefinition definition = ServerInterceptors.intercept(service, interceptors);
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(definition)
        .build()
        .start();
  }

  /** A plaintext channel to {@code server}; the last interceptor given runs first. */
  public static ManagedChannel channel(Server server, ClientInterceptor... interceptors) {
    return NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
        .usePlaintext()
        .intercept(interceptors)
        .build();
  }

  /** Calls the unary method with a 10 s deadline. */
  public static String call(ManagedChannel channel, String message) {
    return SimpleServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .unaryRpc(SimpleRequest.newBuilder().setRequestMessage(message).build())
        .getResponseMessage();
  }

  /** Shuts down channels and servers, waiting up to 5 s for each. */
  public static void shutdown(ManagedChannel channel, Server server) throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** A server interceptor that remembers the metadata of the last call it saw. */
  public static final class MetadataCapture implements ServerInterceptor {
    private volatile Metadata last;

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      last = headers;
      return next.startCall(call, headers);
    }

    /** Every value of the ASCII key {@code name} in the last call's metadata, in order. */
    public java.util.List<String> values(String name) {
      Metadata m = last;
      java.util.List<String> out = new java.util.ArrayList<>();
      if (m != null) {
        Iterable<String> all = m.getAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
        if (all != null) {
          all.forEach(out::add);
        }
      }
      return out;
    }
  }
}
