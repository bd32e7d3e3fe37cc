package dev.baton.core.internal;

import dev.baton.core.BatonTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerBuilder;

/**
 * Helpers that start messaging and RPC spans with the semantic conventions, and record errors.
 * The returned builders carry the attributes samplers need at start; callers add the rest, set the
 * parent and start the span.
 *
 * <p>For Baton's transport modules; not meant for application code. Thread-safe.
 *
 * @since 0.1.0
 */
public final class Spans {

  private Spans() {}

  /**
   * Returns a tracer for one of Baton's instrumentation scopes, such as {@code dev.baton.kafka},
   * on {@code baton}'s {@code OpenTelemetry}. The scope carries Baton's version and the schema URL
   * of the semantic conventions its spans follow ({@code https://opentelemetry.io/schemas/1.44.0}).
   *
   * @param baton the settings
   * @param scope the instrumentation scope name
   * @return the tracer
   */
  public static Tracer tracer(BatonTracing baton, String scope) {
    TracerBuilder b =
        baton.openTelemetry().getTracerProvider().tracerBuilder(scope)
            .setSchemaUrl(BuildInfo.SCHEMA_URL);
    if (BuildInfo.VERSION != null) {
      b.setInstrumentationVersion(BuildInfo.VERSION);
    }
    return b.build();
  }

  /**
   * A messaging span named {@code {operationName} {destination}} (just the operation name when the
   * destination is unknown), with {@code messaging.system}, {@code messaging.operation.type},
   * {@code messaging.operation.name} and {@code messaging.destination.name}.
   *
   * @param tracer the tracer
   * @param kind PRODUCER for create/send, CONSUMER for process, CLIENT for receive/settle
   * @param system e.g. {@link SemConv#SYSTEM_KAFKA}
   * @param operationType one of the {@code SemConv.OP_*} values
   * @param operationName the system-specific name, e.g. {@code send}, {@code publish}, {@code poll}
   * @param destination the destination name, or {@code null}
   * @return a span builder, not started
   */
  public static SpanBuilder messaging(
      Tracer tracer,
      SpanKind kind,
      String system,
      String operationType,
      String operationName,
      String destination) {
    return messaging(tracer, kind, system, operationType, operationName, destination, destination);
  }

  /**
   * Like {@link #messaging(Tracer, SpanKind, String, String, String, String)}, for systems whose
   * {@code messaging.destination.name} is not the name the span is called after (RabbitMQ names a
   * span after the exchange or queue, while the attribute is {@code {exchange}:{routing key}}).
   *
   * @param tracer the tracer
   * @param kind PRODUCER for create/send, CONSUMER for process, CLIENT for receive/settle
   * @param system e.g. {@link SemConv#SYSTEM_RABBITMQ}
   * @param operationType one of the {@code SemConv.OP_*} values
   * @param operationName the system-specific name, e.g. {@code publish}
   * @param spanDestination the destination in the span name, or {@code null}
   * @param destinationName the {@code messaging.destination.name} value, or {@code null}
   * @return a span builder, not started
   */
  public static SpanBuilder messaging(
      Tracer tracer,
      SpanKind kind,
      String system,
      String operationType,
      String operationName,
      String spanDestination,
      String destinationName) {
    boolean named = spanDestination != null && !spanDestination.isEmpty();
    SpanBuilder b =
        tracer
            .spanBuilder(named ? operationName + ' ' + spanDestination : operationName)
            .setSpanKind(kind)
            .setAttribute(SemConv.MESSAGING_SYSTEM, system)
            .setAttribute(SemConv.MESSAGING_OPERATION_TYPE, operationType)
            .setAttribute(SemConv.MESSAGING_OPERATION_NAME, operationName);
    if (destinationName != null && !destinationName.isEmpty()) {
      b.setAttribute(SemConv.MESSAGING_DESTINATION_NAME, destinationName);
    }
    return b;
  }

  /**
   * An RPC span named by the fully-qualified method ({@code package.Service/Method}), with
   * {@code rpc.system.name} and {@code rpc.method}.
   *
   * @param tracer the tracer
   * @param kind CLIENT or SERVER
   * @param system e.g. {@link SemConv#SYSTEM_GRPC}
   * @param fullMethod the fully-qualified method name
   * @return a span builder, not started
   */
  public static SpanBuilder rpc(Tracer tracer, SpanKind kind, String system, String fullMethod) {
    return tracer
        .spanBuilder(fullMethod)
        .setSpanKind(kind)
        .setAttribute(SemConv.RPC_SYSTEM_NAME, system)
        .setAttribute(SemConv.RPC_METHOD, fullMethod);
  }

  /**
   * Records an exception of the user's code (or of the client library) on {@code span}: an
   * exception event, {@code error.type} set to the exception's class name, and status ERROR.
   * Never throws; does not end the span.
   *
   * @param span the span
   * @param error the exception, ignored when {@code null}
   */
  public static void recordException(Span span, Throwable error) {
    if (error == null || span == null) {
      return;
    }
    try {
      span.recordException(error);
      span.setAttribute(SemConv.ERROR_TYPE, error.getClass().getName());
      String message = error.getMessage();
      span.setStatus(StatusCode.ERROR, message == null ? "" : message);
    } catch (RuntimeException e) {
      Faults.report("recordException", e);
    }
  }

  /**
   * Marks {@code span} as failed without an exception: {@code error.type} and status ERROR.
   *
   * @param span the span
   * @param errorType a low-cardinality error identifier, e.g. a status code name
   * @param description the status description, or {@code null}
   */
  public static void markError(Span span, String errorType, String description) {
    if (span == null) {
      return;
    }
    span.setAttribute(SemConv.ERROR_TYPE, errorType == null ? SemConv.ERROR_TYPE_OTHER : errorType);
    span.setStatus(StatusCode.ERROR, description == null ? "" : description);
  }
}
