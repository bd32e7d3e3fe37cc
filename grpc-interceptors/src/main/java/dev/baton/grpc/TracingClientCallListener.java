package dev.baton.grpc;

import io.grpc.ClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.Status;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * The response listener of a traced client call. Every callback runs with the caller's context
 * current (the context the call was created in), never the client span's: that is what gRPC
 * does with its own {@code io.grpc.Context}, and it keeps the client span from leaking into
 * code that runs after the call. {@code onClose} ends the span before the application hears of
 * the close.
 */
final class TracingClientCallListener<RespT>
    extends ForwardingClientCallListener.SimpleForwardingClientCallListener<RespT> {

  private final TracingClientCall<?, RespT> call;
  private final Context parent;

  TracingClientCallListener(
      ClientCall.Listener<RespT> delegate, TracingClientCall<?, RespT> call, Context parent) {
    super(delegate);
    this.call = call;
    this.parent = parent;
  }

  @Override
  public void onHeaders(Metadata headers) {
    try (Scope ignored = parent.makeCurrent()) {
      super.onHeaders(headers);
    }
  }

  @Override
  public void onMessage(RespT message) {
    call.received();
    try (Scope ignored = parent.makeCurrent()) {
      super.onMessage(message);
    }
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    call.end(status);
    try (Scope ignored = parent.makeCurrent()) {
      super.onClose(status, trailers);
    }
  }

  @Override
  public void onReady() {
    try (Scope ignored = parent.makeCurrent()) {
      super.onReady();
    }
  }
}
