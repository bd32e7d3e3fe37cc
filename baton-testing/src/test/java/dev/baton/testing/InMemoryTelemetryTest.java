package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InMemoryTelemetryTest {

  @Test
  void countsOpenSpansAndFindsEndedOnesByNameAndKind() {
    try (InMemoryTelemetry telemetry = InMemoryTelemetry.create()) {
      Tracer tracer = telemetry.openTelemetry().getTracer("test");
      Span open = tracer.spanBuilder("send orders").setSpanKind(SpanKind.PRODUCER).startSpan();
      tracer.spanBuilder("process orders").setSpanKind(SpanKind.CONSUMER).startSpan().end();

      assertThat(telemetry.openSpans()).isEqualTo(1);
      assertThat(telemetry.awaitSpan("process orders", SpanKind.CONSUMER).getName())
          .isEqualTo("process orders");
      assertThat(telemetry.spans("send orders", SpanKind.PRODUCER)).isEmpty();

      open.end();
      assertThat(telemetry.openSpans()).isZero();
      assertThat(telemetry.startedSpans()).isEqualTo(2);
      assertThat(telemetry.awaitSpan("send orders", SpanKind.PRODUCER).getKind())
          .isEqualTo(SpanKind.PRODUCER);

      telemetry.reset();
      assertThat(telemetry.spans()).isEmpty();
      assertThat(telemetry.startedSpans()).isZero();
    }
  }

  @Test
  void waitingForASpanThatNeverEndsFailsNamingWhatDidEnd() {
    try (InMemoryTelemetry telemetry = InMemoryTelemetry.create()) {
      telemetry.openTelemetry().getTracer("test").spanBuilder("other").startSpan().end();
      assertThatThrownBy(
              () -> telemetry.awaitSpans("missing", SpanKind.CLIENT, 1, Duration.ofMillis(50)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("'missing'")
          .hasMessageContaining("INTERNAL other");
    }
  }

  @Test
  void twoSpansOfOneNameAreNotOne() {
    try (InMemoryTelemetry telemetry = InMemoryTelemetry.create()) {
      Tracer tracer = telemetry.openTelemetry().getTracer("test");
      tracer.spanBuilder("twice").startSpan().end();
      tracer.spanBuilder("twice").startSpan().end();
      assertThatThrownBy(() -> telemetry.awaitSpan("twice", SpanKind.INTERNAL))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("expected one");
    }
  }

  @Test
  void exactCountsAndSingleSpansFailWhenThereAreMoreOrFewer() {
    try (InMemoryTelemetry telemetry = InMemoryTelemetry.create()) {
      Tracer tracer = telemetry.openTelemetry().getTracer("test");
      tracer.spanBuilder("a").setSpanKind(SpanKind.CLIENT).startSpan().end();
      tracer.spanBuilder("b").setSpanKind(SpanKind.SERVER).startSpan().end();
      java.util.List<io.opentelemetry.sdk.trace.data.SpanData> two =
          telemetry.awaitExactly(2, Duration.ofSeconds(5));
      assertThat(InMemoryTelemetry.only(two, "a", SpanKind.CLIENT).getName()).isEqualTo("a");
      assertThat(telemetry.only(SpanKind.SERVER).getName()).isEqualTo("b");
      assertThatThrownBy(() -> telemetry.awaitExactly(1, Duration.ofSeconds(5)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("exactly 1");
      assertThatThrownBy(() -> InMemoryTelemetry.only(two, "a", SpanKind.SERVER))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("got none");
      tracer.spanBuilder("c").setSpanKind(SpanKind.SERVER).startSpan().end();
      assertThatThrownBy(() -> telemetry.only(SpanKind.SERVER)).isInstanceOf(AssertionError.class);
    }
  }

  @Test
  void eachServiceRecordsIntoTheSameSpansUnderItsOwnName() {
    try (InMemoryTelemetry telemetry = InMemoryTelemetry.create()) {
      assertThat(telemetry.service("checkout")).isSameAs(telemetry.service("checkout"));
      Span open = telemetry.service("checkout").getTracer("test").spanBuilder("place").startSpan();
      telemetry.service("inventory").getTracer("test").spanBuilder("reserve").startSpan().end();
      telemetry.openTelemetry().getTracer("test").spanBuilder("main").startSpan().end();

      assertThat(telemetry.openSpans()).isEqualTo(1);
      open.end();
      AttributeKey<String> serviceName = AttributeKey.stringKey("service.name");
      assertThat(telemetry.spans()).extracting(SpanData::getName, s -> s.getResource().getAttribute(serviceName))
          .containsExactly(
              tuple("reserve", "inventory"),
              tuple("main", Resource.getDefault().getAttribute(serviceName)),
              tuple("place", "checkout"));
      assertThatThrownBy(() -> telemetry.service(null)).isInstanceOf(NullPointerException.class)
          .hasMessage("serviceName == null");
    }
  }
}
