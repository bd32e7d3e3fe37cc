package dev.baton.grpc;

import dev.baton.core.BatonTracing;
import dev.baton.core.internal.RpcMetrics;
import dev.baton.core.internal.SemConv;
import io.grpc.Status;

/**
 * What gRPC records into the core's {@link RpcMetrics} (see {@code docs/metrics.md}): one
 * duration per call, client and server, as long as the call's span lasts, with the status code's
 * name in {@code rpc.response.status_code} and, when the code is an error for that side (as
 * {@link RpcStatus} decides for spans), in {@code error.type} too. A client call that fails before
 * any status (its {@code start} threw) has no status code and the exception's class as
 * {@code error.type}. A call to a method the server does not have is recorded as {@code _OTHER}.
 */
final class GrpcMetrics {

  private GrpcMetrics() {}

  /** The histograms for {@code baton}, or {@code null} when none records anything. */
  static RpcMetrics create(BatonTracing baton) {
    return RpcMetrics.create(baton, GrpcTracing.SCOPE, SemConv.SYSTEM_GRPC);
  }

  /** A client call ended with {@code status}, or with {@code failure} before any status. */
  static void client(
      RpcMetrics metrics, long startNanos, String method, Status status, Throwable failure) {
    if (metrics == null) {
      return;
    }
    if (status == null) {
      metrics.client(startNanos, method, null,
          failure == null ? SemConv.ERROR_TYPE_OTHER : failure.getClass().getName());
      return;
    }
    Status.Code code = status.getCode();
    metrics.client(startNanos, method, code.name(), code == Status.Code.OK ? null : code.name());
  }

  /** A server call ended with {@code code}. */
  static void server(RpcMetrics metrics, long startNanos, String method, Status.Code code) {
    if (metrics != null) {
      metrics.server(startNanos, method, code.name(),
          RpcStatus.isServerError(code) ? code.name() : null);
    }
  }
}
