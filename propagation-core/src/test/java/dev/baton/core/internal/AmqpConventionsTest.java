package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import org.junit.jupiter.api.Test;

class AmqpConventionsTest {

  @Test
  void destinationNamesFollowTheConventions() {
    assertThat(AmqpConventions.publishDestination("ex", "rk")).isEqualTo("ex:rk");
    assertThat(AmqpConventions.publishDestination("ex", "")).isEqualTo("ex");
    assertThat(AmqpConventions.publishDestination("", "rk")).isEqualTo("rk");
    assertThat(AmqpConventions.publishDestination("", "")).isEqualTo("amq.default");
    assertThat(AmqpConventions.publishDestination(null, null)).isEqualTo("amq.default");
    assertThat(AmqpConventions.receiveDestination("ex", "rk", "q")).isEqualTo("ex:rk:q");
    assertThat(AmqpConventions.receiveDestination("", "q", "q")).isEqualTo("q");
    assertThat(AmqpConventions.receiveDestination("ex", "q", "q")).isEqualTo("ex:q");
    assertThat(AmqpConventions.receiveDestination("ex", "", "q")).isEqualTo("ex:q");
    assertThat(AmqpConventions.receiveDestination("", "rk", "q")).isEqualTo("rk:q");
    assertThat(AmqpConventions.receiveDestination("ex", "rk", null)).isEqualTo("ex:rk");
    assertThat(AmqpConventions.receiveDestination("", "", "")).isEqualTo("amq.default");
  }

  @Test
  void messageAttributesAndRoutingKeyOnlyWhenKnown() {
    try (InMemoryTelemetry telemetry = InMemoryTelemetry.create()) {
      Span full = telemetry.openTelemetry().getTracer("t").spanBuilder("full").startSpan();
      AmqpConventions.setRoutingKey(full, "rk");
      AmqpConventions.setMessageAttributes(full, "m-1", "c-1", 0);
      full.end();
      Span none = telemetry.openTelemetry().getTracer("t").spanBuilder("none").startSpan();
      AmqpConventions.setRoutingKey(none, "");
      AmqpConventions.setRoutingKey(none, null);
      AmqpConventions.setMessageAttributes(none, null, null, -1);
      none.end();

      assertThat(telemetry.awaitSpan("full", SpanKind.INTERNAL).getAttributes().asMap())
          .isEqualTo(
              Attributes.builder()
                  .put(SemConv.MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY, "rk")
                  .put(SemConv.MESSAGING_MESSAGE_ID, "m-1")
                  .put(SemConv.MESSAGING_MESSAGE_CONVERSATION_ID, "c-1")
                  .put(SemConv.MESSAGING_MESSAGE_BODY_SIZE, 0L)
                  .build()
                  .asMap());
      assertThat(telemetry.awaitSpan("none", SpanKind.INTERNAL).getAttributes().isEmpty())
          .isTrue();
    }
  }
}
