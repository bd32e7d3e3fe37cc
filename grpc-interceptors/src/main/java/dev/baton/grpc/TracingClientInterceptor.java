package dev.baton.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import io.opentelemetry.context.Context;

/**
 * Traces outgoing calls: each {@link ClientCall} becomes a CLIENT span, a child of the context
 * current when the call is created, started when the call starts and ended when it closes.
 * Obtained from {@link GrpcTracing#clientInterceptor()}. Thread-safe; one instance serves any
 * number of channels.
 */
final class TracingClientInterceptor implements ClientInterceptor {

  private final GrpcTracing tracing;
  private final ServerAddress.Cache addresses = new ServerAddress.Cache();

  TracingClientInterceptor(GrpcTracing tracing) {
    this.tracing = tracing;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    // The caller's context, taken now as gRPC takes its own Context at newCall: the call may be
    // started, and its listener called, on other threads.
    Context parent = Context.current();
    ClientCall<ReqT, RespT> call = next.newCall(method, callOptions);
    String authority = callOptions.getAuthority();
    if (authority == null) {
      authority = next.authority();
    }
    return new TracingClientCall<>(call, tracing, method, parent, addresses.get(authority));
  }

  @Override
  public String toString() {
    return "TracingClientInterceptor{" + tracing + "}";
  }
}
