package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The span lifecycle pieces the transports use: the pending-span table and end-once (the process
 * scope is covered in {@code SpansTest}).
 */
class SpanLifecycleTest {

  static final AttributeKey<Boolean> EARLY = AttributeKey.booleanKey("test.ended_early");

  final InMemoryTelemetry telemetry = InMemoryTelemetry.create();

  @AfterEach
  void close() {
    telemetry.close();
  }

  Span span(String name) {
    return telemetry.openTelemetry().getTracer("t").spanBuilder(name).startSpan();
  }

  @Test
  void arrivalOrderEvictsTheFirstAddedAndFindsSpansByKeyOrByCarrierIdentity() {
    PendingSpans table = new PendingSpans(2, PendingSpans.Order.ARRIVAL, EARLY);
    Object carrierA = new Object();
    Span a = span("a");
    Span b = span("b");
    Span c = span("c");
    assertThat(table.add(30, carrierA, a)).isNull();
    assertThat(table.add(10, null, b)).isNull();
    // full: the first added (key 30) goes, not the lowest key
    assertThat(table.add(20, new Object(), c)).isSameAs(a);
    assertThat(table.takeByCarrier(carrierA)).isNull();
    assertThat(table.size()).isEqualTo(2);
    assertThat(table.take(10)).isSameAs(b);
    assertThat(table.take(10)).isNull();
    assertThat(table.takeOldest()).isSameAs(c);
    assertThat(table.takeOldest()).isNull();
    assertThatThrownBy(() -> table.takeOldestUpTo(5)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aCarrierLookupAndAKeyLookupNeverHandOutOneSpanTwice() {
    PendingSpans table = new PendingSpans(10, PendingSpans.Order.ARRIVAL, EARLY);
    Object carrier = new Object();
    Span a = span("a");
    table.add(1, carrier, a);
    assertThat(table.takeByCarrier(carrier)).isSameAs(a);
    assertThat(table.take(1)).isNull();
    table.add(2, carrier, a);
    assertThat(table.take(2)).isSameAs(a);
    assertThat(table.takeByCarrier(carrier)).isNull();
    assertThat(table.size()).isZero();
  }

  @Test
  void keyOrderTakesEverySpanUpToAKeyLowestFirst() {
    PendingSpans table = new PendingSpans(3, PendingSpans.Order.KEY, EARLY);
    Span five = span("5");
    Span four = span("4");
    Span six = span("6");
    table.add(5, null, five);
    table.add(4, null, four); // out of order, as racing publishers may add
    table.add(6, null, six);
    assertThat(table.add(7, null, span("7"))).isSameAs(four); // the lowest key is the oldest
    assertThat(table.takeOldestUpTo(6)).isSameAs(five);
    assertThat(table.takeOldestUpTo(6)).isSameAs(six);
    assertThat(table.takeOldestUpTo(6)).isNull();
    assertThat(table.size()).isEqualTo(1);
  }

  @Test
  void aSecondSpanUnderOneKeyDisplacesTheFirstWithoutEvictingAnother() {
    PendingSpans table = new PendingSpans(2, PendingSpans.Order.KEY, EARLY);
    Span first = span("first");
    Span other = span("other");
    Span second = span("second");
    table.add(7, null, first);
    table.add(8, null, other);
    assertThat(table.add(7, null, second)).isSameAs(first);
    assertThat(table.take(8)).isSameAs(other);
    assertThat(table.take(7)).isSameAs(second);
  }

  @Test
  void endEarlyMarksTheSpanAndSaysWhy() {
    PendingSpans table = new PendingSpans(1, PendingSpans.Order.ARRIVAL, EARLY);
    table.add(1, null, span("a"));
    table.endEarly(table.add(2, null, span("b")), "gone");
    table.endEarly(table.takeOldest(), null);
    List<SpanData> spans = telemetry.spans();
    assertThat(spans).extracting(SpanData::getName).containsExactly("a", "b");
    assertThat(spans.get(0).getAttributes().get(EARLY)).isTrue();
    assertThat(spans.get(0).getEvents()).extracting(e -> e.getName()).containsExactly("gone");
    assertThat(spans.get(1).getAttributes().get(EARLY)).isTrue();
    assertThat(spans.get(1).getEvents()).isEmpty();
    assertThatThrownBy(() -> new PendingSpans(0, PendingSpans.Order.KEY, EARLY))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void spanEndLetsExactlyOneOfManyRacingThreadsEndTheSpan() throws Exception {
    int threads = 8;
    for (int round = 0; round < 200; round++) {
      SpanEnd ending = new SpanEnd(span("r" + round));
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<Boolean>> claims = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        claims.add(pool.submit(() -> {
          go.await();
          return ending.claim();
        }));
      }
      go.countDown();
      int won = 0;
      for (Future<Boolean> f : claims) {
        won += f.get(10, TimeUnit.SECONDS) ? 1 : 0;
      }
      pool.shutdown();
      assertThat(won).isEqualTo(1);
      assertThat(ending.claimed()).isTrue();
      ending.end(); // claimed already: does nothing
    }
    assertThat(telemetry.spans()).isEmpty();
    SpanEnd once = new SpanEnd(span("once"));
    once.end();
    once.end();
    assertThat(telemetry.spans()).extracting(SpanData::getName).containsExactly("once");
  }
}
