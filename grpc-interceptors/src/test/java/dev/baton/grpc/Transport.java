package dev.baton.grpc;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
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
    Server start(ServerServiceDefinition service, Executor executor) throws IOException {
      String name = InProcessServerBuilder.generateName();
      return InProcessServerBuilder.forName(name)
          .executor(executor)
          .addService(service)
          .build()
          .start();
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
    Server start(ServerServiceDefinition service, Executor executor) throws IOException {
      return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
          .executor(executor)
          .addService(service)
          .build()
          .start();
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

  abstract Server start(ServerServiceDefinition service, Executor executor) throws IOException;

  abstract ManagedChannel channel(
      Server server, ClientInterceptor interceptor, Executor executor);
}
