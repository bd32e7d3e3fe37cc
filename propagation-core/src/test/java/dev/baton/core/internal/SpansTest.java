package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.ProcessingScope;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;

class SpansTest {

  final InMemoryTelemetry otel = InMemoryTelemetry.create();

  @Test
  void messagingSpanNameKindAndAttributes() {
    Spans.messaging(otel.openTelemetry().getTracer("t"), SpanKind.PRODUCER, SemConv.SYSTEM_KAFKA,
            SemConv.OP_SEND, "send", "orders")
        .startSpan()
        .end();
    SpanData s = otel.spans().get(0);
    assertThat(s.getName()).isEqualTo("send orders");
    assertThat(s.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(s.getAttributes().get(SemConv.MESSAGING_SYSTEM)).isEqualTo("kafka");
    assertThat(s.getAttributes().get(SemConv.MESSAGING_OPERATION_TYPE)).isEqualTo("send");
    assertThat(s.getAttributes().get(SemConv.MESSAGING_OPERATION_NAME)).isEqualTo("send");
    assertThat(s.getAttributes().get(SemConv.MESSAGING_DESTINATION_NAME)).isEqualTo("orders");
  }

  @Test
  void messagingSpanNamedAfterOneDestinationCarryingAnother() {
    Spans.messaging(otel.openTelemetry().getTracer("t"), SpanKind.PRODUCER, SemConv.SYSTEM_RABBITMQ,
            SemConv.OP_SEND, "publish", "notifications", "notifications:order.shipped")
        .startSpan()
        .end();
    SpanData s = otel.spans().get(0);
    assertThat(s.getName()).isEqualTo("publish notifications");
    assertThat(s.getAttributes().get(SemConv.MESSAGING_DESTINATION_NAME))
        .isEqualTo("notifications:order.shipped");
  }

  @Test
  void messagingSpanWithoutDestination() {
    Spans.messaging(otel.openTelemetry().getTracer("t"), SpanKind.CLIENT, "kafka", "receive", "poll", null)
        .startSpan()
        .end();
    SpanData s = otel.spans().get(0);
    assertThat(s.getName()).isEqualTo("poll");
    assertThat(s.getAttributes().get(SemConv.MESSAGING_DESTINATION_NAME)).isNull();
  }

  @Test
  void rpcSpan() {
    Spans.rpc(otel.openTelemetry().getTracer("t"), SpanKind.CLIENT, SemConv.SYSTEM_GRPC, "inventory.Inventory/Reserve")
        .startSpan()
        .end();
    SpanData s = otel.spans().get(0);
    assertThat(s.getName()).isEqualTo("inventory.Inventory/Reserve");
    assertThat(s.getAttributes().get(SemConv.RPC_SYSTEM_NAME)).isEqualTo("grpc");
    assertThat(s.getAttributes().get(SemConv.RPC_METHOD)).isEqualTo("inventory.Inventory/Reserve");
  }

  @Test
  void recordExceptionSetsErrorTypeEventAndStatus() {
    Span span = otel.openTelemetry().getTracer("t").spanBuilder("s").startSpan();
    Spans.recordException(span, new IllegalStateException("out of stock"));
    span.end();
    SpanData s = otel.spans().get(0);
    assertThat(s.getAttributes().get(SemConv.ERROR_TYPE)).isEqualTo("java.lang.IllegalStateException");
    assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(s.getStatus().getDescription()).isEqualTo("out of stock");
    assertThat(s.getEvents()).extracting(e -> e.getName()).containsExactly("exception");
  }

  @Test
  void markErrorWithoutException() {
    Span span = otel.openTelemetry().getTracer("t").spanBuilder("s").startSpan();
    Spans.markError(span, "UNAVAILABLE", null);
    span.end();
    SpanData s = otel.spans().get(0);
    assertThat(s.getAttributes().get(SemConv.ERROR_TYPE)).isEqualTo("UNAVAILABLE");
    assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(s.getEvents()).isEmpty();
  }

  @Test
  void processingScopeIsCurrentUntilClosedAndEndsTheSpanOnce() {
    Span span = otel.openTelemetry().getTracer("t").spanBuilder("process q").startSpan();
    ProcessingScope scope = ProcessScope.open(io.opentelemetry.context.Context.root().with(span), span);
    assertThat(Span.current()).isSameAs(span);
    scope.recordException(new IllegalStateException("x"));
    scope.close();
    scope.close();
    assertThat(io.opentelemetry.context.Context.current()).isSameAs(io.opentelemetry.context.Context.root());
    assertThat(otel.spans()).hasSize(1);
    assertThat(otel.spans().get(0).getStatus().getStatusCode())
        .isEqualTo(StatusCode.ERROR);
    ProcessScope.noop().recordException(new IllegalStateException());
    ProcessScope.noop().close();
    assertThat(ProcessScope.noop().span().getSpanContext().isValid()).isFalse();
  }

  @Test
  void faultsNeverSwallowFatalErrors() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Faults.report("test", new StackOverflowError()))
        .isInstanceOf(StackOverflowError.class);
    long before = Faults.count();
    Faults.report("test", new IllegalStateException());
    assertThat(Faults.count()).isEqualTo(before + 1);
  }
}
