package dev.baton.grpc;

import io.grpc.ForwardingServerCallListener;
import io.grpc.ServerCall;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * Runs every listener callback with the server span's context current, so the handler and
 * everything it calls from any callback belong to the call's trace. An exception of the
 * handler's is recorded on the span as an event and rethrown unchanged (gRPC then answers
 * UNKNOWN, unless the call was already closed); the span's status comes from what the client
 * received, see {@link TracingServerCall}.
 * {@code onComplete} and {@code onCancel} end the span after the application has run.
 */
final class TracingServerCallListener<ReqT>
    extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {

  private final TracingServerCall<ReqT, ?> call;
  private final Context context;

  TracingServerCallListener(
      ServerCall.Listener<ReqT> delegate, TracingServerCall<ReqT, ?> call, Context context) {
    super(delegate);
    this.call = call;
    this.context = context;
  }

  @Override
  public void onMessage(ReqT message) {
    call.received();
    try (Scope ignored = context.makeCurrent()) {
      super.onMessage(message);
    } catch (Throwable t) {
      failed(t);
      throw t;
    }
  }

  @Override
  public void onHalfClose() {
    try (Scope ignored = context.makeCurrent()) {
      super.onHalfClose();
    } catch (Throwable t) {
      failed(t);
      throw t;
    }
  }

  @Override
  public void onReady() {
    try (Scope ignored = context.makeCurrent()) {
      super.onReady();
    } catch (Throwable t) {
      failed(t);
      throw t;
    }
  }

  @Override
  public void onCancel() {
    try (Scope ignored = context.makeCurrent()) {
      super.onCancel();
    } catch (Throwable t) {
      failed(t);
      throw t;
    } finally {
      call.cancelled();
    }
  }

  @Override
  public void onComplete() {
    try (Scope ignored = context.makeCurrent()) {
      super.onComplete();
    } catch (Throwable t) {
      failed(t);
      throw t;
    } finally {
      call.completed();
    }
  }

  private void failed(Throwable t) {
    call.threw(t);
  }
}
