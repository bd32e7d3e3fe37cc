package dev.baton.grpc;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/** The two transports every call-kind test runs over. Netty binds to 127.0.0.1 only. */
enum Transport {
  IN_PROCESS {
    @Override
    ServerBuilder<?> builder() {
      return InProcessServerBuilder.forName(InProcessServerBuilder.generateName());
    }

    @Override
    ManagedChannel channel(Server server, ClientInterceptor interceptor, Executor executor) {
      String name = ((io.grpc.inprocess.InProcessSocketAddress) server.getListenSockets().get(0))
          .getName();
      return InProcessChannelBuilder.forName(name)
          .executor(executor)
          .intercept(interceptor)
          .build();
    }
  },
  NETTY {
    @Override
    ServerBuilder<?> builder() {
      return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    }

    @Override
    ManagedChannel channel(Server server, ClientInterceptor interceptor, Executor executor) {
      return NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
          .usePlaintext()
          .executor(executor)
          .intercept(interceptor)
          .build();
    }
  };

  abstract ServerBuilder<?> builder();

  Server start(ServerServiceDefinition service, Executor executor) throws IOException {
    return start(service, executor, new ServerStreamTracer.Factory[0]);
  }

  /** Starts a server for {@code service} with the given stream tracer factories. */
  Server start(
      ServerServiceDefinition service, Executor executor, ServerStreamTracer.Factory... factories)
      throws IOException {
    ServerBuilder<?> b = builder().executor(executor).addService(service);
    for (ServerStreamTracer.Factory f : factories) {
      b.addStreamTracerFactory(f);
    }
    return b.build().start();
  }

  abstract ManagedChannel channel(
      Server server, ClientInterceptor interceptor, Executor executor);
}
