package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.core.BatonTracing;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {

  static MessagingMetrics kafka(BatonTracing baton) {
    return MessagingMetrics.create(baton, "dev.baton.test", "kafka", "send", "poll", null, "process");
  }

  @Test
  void aNoopMeterProviderCostsNoInstrument() {
    assertThat(kafka(BatonTracing.create(OpenTelemetry.noop()))).isNull();
    assertThat(RpcMetrics.create(BatonTracing.create(OpenTelemetry.noop()), "s", "grpc")).isNull();
    // an SDK with tracing only: its meter provider is the no-op one
    try (OpenTelemetrySdk tracingOnly =
        OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder().build()).build()) {
      assertThat(kafka(BatonTracing.create(tracingOnly))).isNull();
    }
    // a meter provider without any reader hands out the no-op meter
    try (OpenTelemetrySdk noReader =
        OpenTelemetrySdk.builder().setMeterProvider(SdkMeterProvider.builder().build()).build()) {
      assertThat(kafka(BatonTracing.create(noReader))).isNull();
      assertThat(RpcMetrics.create(BatonTracing.create(noReader), "s", "grpc")).isNull();
    }
  }

  @Test
  void switchesTurnInstrumentsOff() {
    try (InMemoryTelemetry telemetry = InMemoryTelemetry.create()) {
      OpenTelemetry otel = telemetry.openTelemetry();
      assertThat(kafka(BatonTracing.builder(otel).metricsEnabled(false).build())).isNull();
      assertThat(RpcMetrics.create(
          BatonTracing.builder(otel).metricEnabled(BatonTracing.METRICS_RPC_ENABLED, false).build(),
          "s", "grpc")).isNull();
      BatonTracing.Builder b = BatonTracing.builder(otel);
      for (String key : new String[] {BatonTracing.METRICS_MESSAGES_ENABLED,
          BatonTracing.METRICS_OPERATION_DURATION_ENABLED,
          BatonTracing.METRICS_PROCESS_DURATION_ENABLED, BatonTracing.METRICS_WAIT_ENABLED}) {
        b.metricEnabled(key, false);
      }
      assertThat(kafka(b.build())).isNull();

      MessagingMetrics waitOnly = kafka(BatonTracing.builder(otel)
          .metricEnabled(BatonTracing.METRICS_MESSAGES_ENABLED, false)
          .metricEnabled(BatonTracing.METRICS_OPERATION_DURATION_ENABLED, false)
          .metricEnabled(BatonTracing.METRICS_PROCESS_DURATION_ENABLED, false)
          .build());
      Span span = Span.getInvalid();
      assertThat(waitOnly.timeSend(span, "orders")).isSameAs(span);
      assertThat(waitOnly.startProcess("orders", "g", System.currentTimeMillis() - 1500)).isNull();
      waitOnly.consumed("orders", "g", 3);
      assertThat(telemetry.metrics()).extracting(m -> m.getName())
          .containsExactly(MessagingMetrics.WAIT_DURATION);
      assertThat(telemetry.histogram(MessagingMetrics.WAIT_DURATION, Attributes.of(
              SemConv.MESSAGING_SYSTEM, "kafka", SemConv.MESSAGING_OPERATION_NAME, "process",
              SemConv.MESSAGING_DESTINATION_NAME, "orders",
              SemConv.MESSAGING_CONSUMER_GROUP_NAME, "g")).getMin())
          // the wait is dated by the monotonic clock paired with the wall clock: to the
          // millisecond, which may land one below this test's own currentTimeMillis reading
          .isBetween(1.499, 2.5);
    }
  }

  @Test
  void settingsReadFromAMapAndWrittenBack() {
    BatonTracing baton = ConfigReader.of(Map.of(
        BatonTracing.OPEN_TELEMETRY, OpenTelemetry.noop(),
        BatonTracing.METRICS_WAIT_ENABLED, "false"), null).batonTracing();
    assertThat(baton.metricsEnabled()).isTrue();
    assertThat(baton.metricEnabled(BatonTracing.METRICS_WAIT_ENABLED)).isFalse();
    assertThat(baton.metricEnabled(BatonTracing.METRICS_RPC_ENABLED)).isTrue();
    BatonTracing again = ConfigReader.of(baton.config(), null).batonTracing();
    assertThat(again.toString()).isEqualTo(baton.toString());

    BatonTracing off = ConfigReader.of(Map.of(BatonTracing.METRICS_ENABLED, false), null)
        .batonTracing();
    assertThat(off.metricEnabled(BatonTracing.METRICS_RPC_ENABLED)).isFalse();
    assertThatThrownBy(() -> off.metricEnabled("baton.metrics.nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baton.metrics.nope");
  }

  @Test
  void theWaitClockFollowsTheWallClockFromOneMonotonicReading() throws InterruptedException {
    long before = System.currentTimeMillis();
    long at = Metrics.epochMillisAt(System.nanoTime());
    long after = System.currentTimeMillis();
    // the pairing may be up to a second old: the monotonic clock carries it forward exactly
    assertThat(at).isBetween(before - 2, after + 2);
    // a reading older than the pairing is carried back by the monotonic clock
    long wallBefore = System.currentTimeMillis();
    long old = System.nanoTime() - 2 * Metrics.ANCHOR_NANOS;
    long wallAfter = System.currentTimeMillis();
    assertThat(Metrics.epochMillisAt(old)).isBetween(wallBefore - 2_002, wallAfter - 1_998);
    // and past the pairing's second a new pairing is taken, still on the wall clock
    Thread.sleep(1_100);
    long later = System.currentTimeMillis();
    assertThat(Metrics.epochMillisAt(System.nanoTime()))
        .isBetween(later - 2, System.currentTimeMillis() + 2);
  }

  @Test
  void destinationsPastTheBoundShareOneSetWithoutADestination() {
    AttributeCache cache = new AttributeCache(Attributes.of(SemConv.MESSAGING_SYSTEM, "rabbitmq"));
    for (int i = 0; i < AttributeCache.MAX + 50; i++) {
      cache.get("queue-" + i, null);
    }
    assertThat(cache.size()).isEqualTo(AttributeCache.MAX);
    Attributes late = cache.get("queue-" + (AttributeCache.MAX + 10), null);
    assertThat(late).isEqualTo(Attributes.of(SemConv.MESSAGING_SYSTEM, "rabbitmq"));
    assertThat(cache.get("queue-1", "group"))
        .isEqualTo(Attributes.of(SemConv.MESSAGING_SYSTEM, "rabbitmq",
            SemConv.MESSAGING_CONSUMER_GROUP_NAME, "group"));
    // a set once built is the same object on every message
    assertThat(cache.get("queue-1", null)).isSameAs(cache.get("queue-1", null));
    // the last set asked for is answered by name and group, not only by the last name
    AttributeCache fresh = new AttributeCache(Attributes.empty());
    Attributes withGroup = fresh.get("queue-1", "group");
    assertThat(fresh.get("queue-1", null)).isEqualTo(Attributes.of(
        SemConv.MESSAGING_DESTINATION_NAME, "queue-1"));
    assertThat(fresh.get(new String("queue-1"), "group")).isSameAs(withGroup);
    assertThat(fresh.get("queue-2", "group")).isEqualTo(Attributes.of(
        SemConv.MESSAGING_DESTINATION_NAME, "queue-2",
        SemConv.MESSAGING_CONSUMER_GROUP_NAME, "group"));
    assertThat(fresh.get("queue-1", "group")).isSameAs(withGroup);
  }

  @Test
  void aSendSpanIsCountedWhenItEndsAndTimedOnlyWhenAnswered() {
    try (InMemoryTelemetry telemetry = InMemoryTelemetry.create()) {
      MessagingMetrics m = kafka(BatonTracing.create(telemetry.openTelemetry()));
      Span answered = m.timeSend(Span.getInvalid(), "orders");
      assertThat(MessagingMetrics.isTimed(answered)).isTrue();
      answered.setAttribute(SemConv.ERROR_TYPE, "org.example.Boom");
      MessagingMetrics.answered(answered);
      answered.end();
      answered.end(); // once
      m.timeSend(Span.getInvalid(), "orders").end(); // never answered: counted only

      Attributes sent = Attributes.of(SemConv.MESSAGING_SYSTEM, "kafka",
          SemConv.MESSAGING_OPERATION_NAME, "send", SemConv.MESSAGING_DESTINATION_NAME, "orders");
      assertThat(telemetry.counter("messaging.client.sent.messages", sent)).isEqualTo(1);
      assertThat(telemetry.counter("messaging.client.sent.messages",
          sent.toBuilder().put(SemConv.ERROR_TYPE, "org.example.Boom").build())).isEqualTo(1);
      assertThat(telemetry.histogram("messaging.client.operation.duration",
              sent.toBuilder().put(SemConv.MESSAGING_OPERATION_TYPE, "send")
                  .put(SemConv.ERROR_TYPE, "org.example.Boom").build())
          .getCount()).isEqualTo(1);
      assertThat(telemetry.attributeSets("messaging.client.operation.duration")).hasSize(1);
    }
  }
}
