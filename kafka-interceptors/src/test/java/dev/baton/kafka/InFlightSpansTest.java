package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The in-flight table split into stripes: every span found once, bounds, the odd answers. */
class InFlightSpansTest {

  static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

  /** A span, the headers it was sent with and its id, as {@code onSend} files them. */
  record Sent(Span span, Headers headers, long id) {}

  static Sent sent(long id) {
    Span span = Span.wrap(SpanContext.create(
        TRACE_ID, SpanId.fromLong(id), TraceFlags.getSampled(), TraceState.getDefault()));
    return new Sent(span, new RecordHeaders(), id);
  }

  static long stripeOf(InFlightSpans table, long id) {
    return (id ^ (id >>> 32)) & (table.stripeCount() - 1);
  }

  @Test
  void stripesFollowTheProcessorsWhileEachKeepsAThousandPlaces() {
    assertThat(InFlightSpans.stripes(10_000, 2)).isEqualTo(4);
    assertThat(InFlightSpans.stripes(10_000, 8)).isEqualTo(8);
    assertThat(InFlightSpans.stripes(10_000, 1)).isEqualTo(2);
    assertThat(InFlightSpans.stripes(1_000_000, 64)).isEqualTo(InFlightSpans.MAX_STRIPES);
    assertThat(InFlightSpans.stripes(2_047, 4)).isEqualTo(1);
    assertThat(InFlightSpans.stripes(2, 64)).isEqualTo(1);
    assertThat(new InFlightSpans(2).stripeCount()).isEqualTo(1);
  }

  @Test
  void everySpanIsTakenOnceByItsHeadersOrItsIdWhicheverStripeItIsIn() {
    InFlightSpans table = new InFlightSpans(8_192, 4);
    Random random = new Random(7);
    List<Sent> all = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      Sent s = sent(random.nextLong() | 1);
      all.add(s);
      assertThat(table.add(s.headers(), s.id(), "orders", s.span())).isTrue();
    }
    assertThat(table.size()).isEqualTo(3_000);
    for (int i = 0; i < all.size(); i++) {
      Sent s = all.get(i);
      // every other answer comes with a copy of the headers: found by the id
      Headers answered = i % 2 == 0 ? s.headers() : new RecordHeaders(s.headers().toArray());
      assertThat(table.remove(answered, s.id(), false)).isSameAs(s.span());
      assertThat(table.remove(answered, s.id(), true)).isNull();
    }
    assertThat(table.size()).isZero();
  }

  @Test
  void anAnswerWhoseTraceparentWasRewrittenIsFoundByItsHeadersInAnotherStripe() {
    InFlightSpans table = new InFlightSpans(8_192, 4);
    Sent s = sent(1L);
    long foreign = 2L;
    assertThat(stripeOf(table, foreign)).isNotEqualTo(stripeOf(table, s.id()));
    table.add(s.headers(), s.id(), "orders", s.span());
    // an unsampled foreign traceparent with metrics off: the span cannot be waiting, no search
    assertThat(table.remove(s.headers(), foreign, false)).isNull();
    assertThat(table.remove(s.headers(), foreign, true)).isSameAs(s.span());
    // and with no traceparent left at all, the headers object alone finds it
    Sent t = sent(3L);
    table.add(t.headers(), t.id(), "orders", t.span());
    assertThat(table.remove(t.headers(), -1, false)).isSameAs(t.span());
    assertThat(table.size()).isZero();
  }

  @Test
  void theBoundIsSharedOutAndNeverPassed() {
    InFlightSpans table = new InFlightSpans(4_096, 4);
    Random random = new Random(11);
    for (int i = 0; i < 20_000; i++) {
      Sent s = sent(random.nextLong() | 1);
      table.add(s.headers(), s.id(), "orders", s.span());
      assertThat(table.size()).isLessThanOrEqualTo(4_096);
    }
    assertThat(table.size()).isEqualTo(4_096);
  }

  @Test
  void theFirstAnswerWithoutHeadersTakesTheSpansOfEveryStripe() {
    InFlightSpans one = new InFlightSpans(8_192, 4);
    Sent only = sent(5L);
    one.add(only.headers(), only.id(), "orders", only.span());
    InFlightSpans.Given given = one.noHeaders("orders");
    assertThat(given.spans).containsExactly(only.span());
    assertThat(given.answered).isSameAs(only.span());
    assertThat(one.add(sent(6L).headers(), 6L, "orders", only.span())).isFalse();

    InFlightSpans two = new InFlightSpans(8_192, 4);
    Sent a = sent(1L);
    Sent b = sent(2L);
    two.add(a.headers(), a.id(), "orders", a.span());
    two.add(b.headers(), b.id(), "orders", b.span());
    given = two.noHeaders("orders");
    assertThat(given.spans).containsExactlyInAnyOrder(a.span(), b.span());
    assertThat(given.answered).isNull();
    assertThat(two.size()).isZero();
    assertThat(two.noHeaders("orders")).isNull();
  }

  @Test
  @Timeout(60)
  void eightSendingThreadsAndTheAnsweringThreadLoseNothing() throws Exception {
    InFlightSpans table = new InFlightSpans(1 << 16, 8);
    int threads = 8;
    int perThread = 5_000;
    ConcurrentLinkedQueue<Sent> waiting = new ConcurrentLinkedQueue<>();
    AtomicInteger found = new AtomicInteger();
    CountDownLatch sending = new CountDownLatch(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    try {
      for (int t = 0; t < threads; t++) {
        long base = (long) t << 40;
        pool.execute(() -> {
          Random random = new Random(base);
          for (int i = 0; i < perThread; i++) {
            Sent s = sent(base | (random.nextLong() & 0xFF_FFFF_FFFFL) | 1);
            table.add(s.headers(), s.id(), "orders", s.span());
            waiting.add(s);
          }
          sending.countDown();
        });
      }
      pool.execute(() -> {
        while (sending.getCount() > 0 || !waiting.isEmpty()) {
          Sent s = waiting.poll();
          if (s != null && table.remove(s.headers(), s.id(), true) == s.span()) {
            found.incrementAndGet();
          }
        }
      });
      pool.shutdown();
      assertThat(pool.awaitTermination(50, TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
    }
    assertThat(found.get()).isEqualTo(threads * perThread);
    assertThat(table.size()).isZero();
  }

  @Test
  void aReadableUnsampledFlagIsTheOnlyNo() {
    byte[] sampled = ("00-" + TRACE_ID + "-b7ad6b7169203331-01").getBytes();
    byte[] unsampled = ("00-" + TRACE_ID + "-b7ad6b7169203331-00").getBytes();
    byte[] garbled = ("00-" + TRACE_ID + "-b7ad6b7169203331-zz").getBytes();
    assertThat(InFlightSpans.sampled(sampled)).isTrue();
    assertThat(InFlightSpans.sampled(unsampled)).isFalse();
    assertThat(InFlightSpans.sampled(garbled)).isTrue();
    assertThat(InFlightSpans.sampled(null)).isTrue();
    assertThat(InFlightSpans.sampled("00-short".getBytes())).isTrue();
  }
}
