package dev.baton.grpc;

import dev.baton.testing.InMemoryTelemetry;
import io.grpc.BindableService;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Servers and channels for one test, all shut down by {@link #close()} (called in
 * {@code @AfterEach}). Servers run on an executor the test owns, so tests can look at the state
 * its threads are left in.
 */
final class Rig implements AutoCloseable {

  final InMemoryTelemetry otel = InMemoryTelemetry.create();
  final GrpcTracing tracing;
  final ExecutorService serverExecutor = Executors.newFixedThreadPool(4);
  final ExecutorService clientExecutor = Executors.newFixedThreadPool(2);
  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  Rig() {
    this(null);
  }

  Rig(java.util.function.Function<InMemoryTelemetry, GrpcTracing> tracingFactory) {
    this.tracing =
        tracingFactory == null ? GrpcTracing.create(otel.openTelemetry()) : tracingFactory.apply(otel);
  }

  /**
   * Starts {@code service} behind the server interceptor; {@code inner} interceptors run inside
   * it, between the tracing interceptor and the service.
   */
  Server serve(Transport transport, BindableService service, ServerInterceptor... inner)
      throws IOException {
    Server server =
        transport.start(
            ServerInterceptors.intercept(
                ServerInterceptors.intercept(service, inner), tracing.serverInterceptor()),
            serverExecutor);
    servers.add(server);
    return server;
  }

  /**
   * Starts {@code service} with the server stream tracer factory, and behind the server
   * interceptor when {@code intercepted} ({@code inner} interceptors run inside it).
   */
  Server serveWithStreamTracer(
      Transport transport,
      BindableService service,
      boolean intercepted,
      ServerInterceptor... inner)
      throws IOException {
    ServerServiceDefinition definition = ServerInterceptors.intercept(service, inner);
    if (intercepted) {
      definition = ServerInterceptors.intercept(definition, tracing.serverInterceptor());
    }
    Server server =
        transport.start(definition, serverExecutor, tracing.serverStreamTracerFactory());
    servers.add(server);
    return server;
  }

  /** A channel to {@code server} with the client interceptor. */
  ManagedChannel channel(Transport transport, Server server) {
    return channel(transport, server, tracing.clientInterceptor());
  }

  ManagedChannel channel(Transport transport, Server server, ClientInterceptor interceptor) {
    ManagedChannel channel = transport.channel(server, interceptor, clientExecutor);
    channels.add(channel);
    return channel;
  }

  @Override
  public void close() throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (Server s : servers) {
      s.shutdownNow();
    }
    for (ManagedChannel c : channels) {
      c.awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Server s : servers) {
      s.awaitTermination(5, TimeUnit.SECONDS);
    }
    serverExecutor.shutdownNow();
    clientExecutor.shutdownNow();
    serverExecutor.awaitTermination(5, TimeUnit.SECONDS);
    clientExecutor.awaitTermination(5, TimeUnit.SECONDS);
    otel.close();
  }
}
