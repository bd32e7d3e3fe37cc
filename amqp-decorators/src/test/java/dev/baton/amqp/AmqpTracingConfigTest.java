package dev.baton.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.ShutdownSignalException;
import dev.baton.core.BatonTracing;
import dev.baton.core.internal.SemConv;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Settings parsed from maps and the builder, and the confirm table on its own. */
class AmqpTracingConfigTest {

  private final InMemoryTelemetry tracing =
      InMemoryTelemetry.create(TextMapPropagator.noop());

  @AfterEach
  void close() {
    tracing.close();
  }

  @Test
  void settingsAreReadFromAMapOfStringsOrTypedValues() {
    AmqpTracing fromStrings =
        AmqpTracing.fromConfig(
            Map.of(
                BatonTracing.OPEN_TELEMETRY, tracing.openTelemetry(),
                "baton.amqp.settle.spans", "TRUE",
                "baton.amqp.publish.end.on.confirm", "true",
                "baton.amqp.publish.max.pending.confirms", "500",
                "baton.inbound.policy", "link",
                "spring.rabbitmq.host", "ignored"));
    assertThat(fromStrings.toString())
        .isEqualTo(
            "AmqpTracing{settleSpans=true, endPublishOnConfirm=true, maxPendingConfirms=500}");

    AmqpTracing typed =
        AmqpTracing.fromConfig(
            Map.of(BatonTracing.OPEN_TELEMETRY, tracing.openTelemetry(), "baton.amqp.settle.spans", true));
    assertThat(typed.toString()).contains("settleSpans=true", "endPublishOnConfirm=false",
        "maxPendingConfirms=10000");
  }

  @Test
  void withoutAnInstanceTheGlobalOneIsFoundAtTheFirstMessageNotWhenBuilt() throws Exception {
    io.opentelemetry.api.GlobalOpenTelemetry.resetForTest();
    try {
      com.rabbitmq.client.Channel channel = AmqpTracing.fromConfig(Map.of()).wrap(new FakeChannel().channel);
      assertThat(io.opentelemetry.api.GlobalOpenTelemetry.isSet())
          .as("building and wrapping left the global instance alone").isFalse();

      io.opentelemetry.api.GlobalOpenTelemetry.set(tracing.openTelemetry()); // would throw had it been locked
      channel.basicPublish("orders", "created", null, new byte[] {1});

      assertThat(tracing.spans()).extracting(SpanData::getName).containsExactly("publish orders");
    } finally {
      io.opentelemetry.api.GlobalOpenTelemetry.resetForTest();
    }
  }

  @Test
  void anUnknownKeyOrABadValueFailsNamingTheKey() {
    assertThatThrownBy(() -> AmqpTracing.fromConfig(Map.of("baton.amqp.settle.span", "true")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baton.amqp.settle.span")
        .hasMessageContaining("baton.amqp.settle.spans");
    assertThatThrownBy(() -> AmqpTracing.fromConfig(Map.of("baton.amqp.settle.spans", "yes")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baton.amqp.settle.spans");
    assertThatThrownBy(
            () -> AmqpTracing.fromConfig(Map.of("baton.amqp.publish.max.pending.confirms", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baton.amqp.publish.max.pending.confirms");
    assertThatThrownBy(() -> AmqpTracing.builder(tracing.openTelemetry()).maxPendingConfirms(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AmqpTracing.create(null)).hasMessage("openTelemetry == null");
  }

  @Test
  void confirmsEndSpansOnAckNackAndShutdownAndEvictTheOldestWhenFull() {
    PublishConfirms confirms = new PublishConfirms(3);
    for (long seq = 1; seq <= 4; seq++) {
      confirms.track(seq, span("p" + seq));
    }
    // Full at 3: span 1 was evicted.
    assertThat(confirms.size()).isEqualTo(3);
    confirms.handleAck(2, false);
    confirms.handleNack(3, true);
    confirms.track(5, span("p5"));
    confirms.shutdownCompleted(new ShutdownSignalException(false, false, null, null));
    assertThat(confirms.size()).isZero();

    List<SpanData> spans = tracing.spans();
    assertThat(spans).extracting(SpanData::getName).containsExactly("p1", "p2", "p3", "p4", "p5");
    assertThat(spans.get(0).getAttributes().get(AmqpSpans.CONFIRM_EVICTED)).isTrue();
    assertThat(spans.get(1).getAttributes().get(SemConv.ERROR_TYPE)).isNull();
    assertThat(spans.get(2).getAttributes().get(SemConv.ERROR_TYPE)).isEqualTo("nack");
    assertThat(spans.get(3).getAttributes().get(SemConv.ERROR_TYPE)).isEqualTo("channel_closed");
    assertThat(spans.get(4).getAttributes().get(SemConv.ERROR_TYPE)).isEqualTo("channel_closed");
  }

  @Test
  void twoSpansClaimingOneSequenceNumberBothEnd() {
    PublishConfirms confirms = new PublishConfirms(10);
    confirms.track(7, span("first"));
    confirms.track(7, span("second")); // a neighbour read the same sequence number
    assertThat(confirms.size()).isEqualTo(1);
    confirms.handleAck(7, true);
    List<SpanData> spans = tracing.spans();
    assertThat(spans).extracting(SpanData::getName).containsExactly("first", "second");
    assertThat(spans.get(0).getAttributes().get(AmqpSpans.CONFIRM_EVICTED)).isTrue();
    assertThat(spans.get(1).getAttributes().get(AmqpSpans.CONFIRM_EVICTED)).isNull();
    assertThat(confirms.size()).isZero();
  }

  private Span span(String name) {
    return tracing.openTelemetry().getTracer("test").spanBuilder(name).startSpan();
  }
}
