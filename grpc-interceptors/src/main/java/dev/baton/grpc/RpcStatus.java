package dev.baton.grpc;

import dev.baton.core.internal.SemConv;
import dev.baton.core.internal.Spans;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;

/**
 * How a gRPC status ends a span, per the gRPC semantic conventions v1.44.0
 * ({@code docs/rpc/grpc.md}): {@code rpc.response.status_code} is always the code's name; a client
 * treats every code but {@code OK} as an error, a server only {@code UNKNOWN},
 * {@code DEADLINE_EXCEEDED}, {@code UNIMPLEMENTED}, {@code INTERNAL}, {@code UNAVAILABLE} and
 * {@code DATA_LOSS}. An error sets {@code error.type} to the code's name and the span status to
 * ERROR with the status description; any other code leaves both unset.
 */
final class RpcStatus {

  private static final boolean[] SERVER_ERROR = new boolean[Status.Code.values().length];

  static {
    for (Status.Code c :
        new Status.Code[] {
          Status.Code.UNKNOWN,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.UNIMPLEMENTED,
          Status.Code.INTERNAL,
          Status.Code.UNAVAILABLE,
          Status.Code.DATA_LOSS
        }) {
      SERVER_ERROR[c.ordinal()] = true;
    }
  }

  private RpcStatus() {}

  static boolean isServerError(Status.Code code) {
    return SERVER_ERROR[code.ordinal()];
  }

  /** Sets the status attributes of a client span; does not end it. */
  static void client(Span span, Status status) {
    Status.Code code = status.getCode();
    span.setAttribute(SemConv.RPC_RESPONSE_STATUS_CODE, code.name());
    if (code != Status.Code.OK) {
      Spans.markError(span, code.name(), status.getDescription());
    }
  }

  /** Sets the status attributes of a server span; does not end it. */
  static void server(Span span, Status.Code code, String description) {
    span.setAttribute(SemConv.RPC_RESPONSE_STATUS_CODE, code.name());
    if (isServerError(code)) {
      Spans.markError(span, code.name(), description);
    }
  }
}
