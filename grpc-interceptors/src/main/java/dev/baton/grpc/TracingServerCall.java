package dev.baton.grpc;

import dev.baton.core.internal.Faults;
import dev.baton.core.internal.RpcMetrics;
import dev.baton.core.internal.SpanEnd;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The server side of one traced call: remembers the status the call is closed with (the only
 * place a server learns it), counts sent messages, and ends the span exactly once with the status
 * the client received. gRPC reports the end through the listener ({@code onComplete} or
 * {@code onCancel}), possibly on another thread than {@code close}, hence the volatile fields and
 * the core's {@link SpanEnd}.
 *
 * <p>What the client receives, and so what the span records: the status of the first
 * {@code close} (gRPC ignores any later one); else, when the application threw from a listener
 * callback, {@code UNKNOWN}; else, when the interceptor chain or handler threw while starting the
 * call, {@code Status.fromThrowable} of that exception (what grpc-java answers); else {@code OK}
 * on completion, {@code CANCELLED} or {@code DEADLINE_EXCEEDED} on cancellation. An exception
 * never decides the span status by itself: one thrown after an {@code OK} close leaves the span
 * {@code OK}, with the exception as an event.
 */
final class TracingServerCall<ReqT, RespT>
    extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {

  static final long DEADLINE_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final Span span;
  private final SpanEnd ending;
  private final boolean messageEvents;
  /** The call's own gRPC context, for its deadline. */
  private final io.grpc.Context grpcContext;

  private volatile Status closeStatus;
  private volatile Throwable thrown;
  private long sent;
  private long received;
  /** {@code rpc.server.call.duration}; {@code null} when not recorded. */
  private final RpcMetrics metrics;
  private final long startNanos = System.nanoTime();

  TracingServerCall(
      ServerCall<ReqT, RespT> delegate, Span span, boolean messageEvents, RpcMetrics metrics) {
    super(delegate);
    this.metrics = metrics;
    this.span = span;
    this.ending = new SpanEnd(span);
    this.messageEvents =
        MessageEvents.wanted(messageEvents, delegate.getMethodDescriptor()) && span.isRecording();
    this.grpcContext = io.grpc.Context.current();
  }

  @Override
  public void sendMessage(RespT message) {
    super.sendMessage(message);
    if (messageEvents) {
      MessageEvents.add(span, MessageEvents.SENT, ++sent);
    }
  }

  @Override
  public void close(Status status, Metadata trailers) {
    if (closeStatus == null) {
      // Only the first close reaches the client; gRPC rejects a second one.
      closeStatus = status;
    }
    super.close(status, trailers);
  }

  void received() {
    if (messageEvents) {
      MessageEvents.add(span, MessageEvents.RECEIVED, ++received);
    }
  }

  /**
   * A listener callback of the application threw: recorded as an event; gRPC answers the client
   * with {@code UNKNOWN} unless the call was closed already.
   */
  void threw(Throwable t) {
    if (thrown == null) {
      thrown = t;
    }
    recordException(t);
  }

  /**
   * Starting the call (the rest of the interceptor chain, then the handler) threw. grpc-java then
   * closes the stream with {@code Status.fromThrowable(t)} and never calls a listener: end here.
   */
  void startFailed(Throwable t) {
    recordException(t);
    Status s = closeStatus;
    if (s != null) {
      end(s.getCode(), s.getDescription());
      return;
    }
    Status fromThrown = Status.fromThrowable(t);
    String description = fromThrown.getDescription();
    end(fromThrown.getCode(), description != null ? description : t.getMessage());
  }

  /** The call completed: the status is the one the call was closed with. */
  void completed() {
    Status s = closeStatus;
    Throwable t = thrown;
    if (s != null) {
      end(s.getCode(), s.getDescription());
    } else if (t != null) {
      end(Status.Code.UNKNOWN, t.getMessage());
    } else {
      end(Status.Code.OK, null);
    }
  }

  /** The call was cancelled: by the client, by its deadline, or by gRPC after a handler threw. */
  void cancelled() {
    Status s = closeStatus;
    Throwable t = thrown;
    if (s != null && !s.isOk()) {
      end(s.getCode(), s.getDescription());
    } else if (t != null && s == null) {
      end(Status.Code.UNKNOWN, t.getMessage());
    } else {
      end(deadlinePassed() ? Status.Code.DEADLINE_EXCEEDED : Status.Code.CANCELLED, null);
    }
  }

  /** An exception event only: the status the call ends with decides error or not. */
  private void recordException(Throwable t) {
    if (ending.claimed()) {
      return;
    }
    try {
      span.recordException(t);
    } catch (RuntimeException e) {
      Faults.report("grpc server exception", e);
    }
  }

  /**
   * Whether the cancel came from the call's deadline. The server's own deadline timer and the
   * client's (which resets the stream when its deadline passes) race: the server's is set from
   * the {@code grpc-timeout} header on arrival, so it fires a network hop after the client's. A
   * cancel within {@link #DEADLINE_SLACK_NANOS} of the deadline is taken as the deadline's.
   * Limitation: a genuine client cancel that close to the deadline is reported as
   * {@code DEADLINE_EXCEEDED}.
   */
  private boolean deadlinePassed() {
    if (grpcContext.cancellationCause() instanceof TimeoutException) {
      return true;
    }
    Deadline deadline = grpcContext.getDeadline();
    return deadline != null && deadline.timeRemaining(TimeUnit.NANOSECONDS) <= DEADLINE_SLACK_NANOS;
  }

  void end(Status.Code code, String description) {
    if (!ending.claim()) {
      return;
    }
    try {
      if (span.isRecording()) {
        RpcStatus.server(span, code, description);
      }
    } catch (RuntimeException e) {
      Faults.report("grpc server status", e);
    } finally {
      GrpcMetrics.server(
          metrics, startNanos, getMethodDescriptor().getFullMethodName(), code);
      span.end();
    }
  }
}
