package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.trace.Span;
import org.junit.jupiter.api.Test;

class FaultsTest {

  @Test
  void abandonCountsTheFaultEndsTheStartedSpanAndClearsIt() {
    InMemoryTelemetry otel = InMemoryTelemetry.create();
    Span span = otel.openTelemetry().getTracer("t").spanBuilder("send t").startSpan();
    long before = Faults.count();

    Span left = Faults.abandon("test abandon", new IllegalStateException("boom"), span);

    assertThat(left).isNull();
    assertThat(Faults.count()).isEqualTo(before + 1);
    assertThat(otel.openSpans()).isZero();
    assertThat(otel.spans()).extracting(s -> s.getName()).containsExactly("send t");
  }

  @Test
  void abandonWithoutASpanOnlyCountsTheFault() {
    long before = Faults.count();
    assertThat(Faults.abandon("test abandon", new IllegalStateException("boom"), null)).isNull();
    assertThat(Faults.count()).isEqualTo(before + 1);
  }

  @Test
  void aFatalErrorPassesThrough() {
    assertThatThrownBy(() -> Faults.abandon("test abandon", new OutOfMemoryError("fatal"), null))
        .isInstanceOf(OutOfMemoryError.class);
  }
}
