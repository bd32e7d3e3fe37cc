package dev.baton.kafka;

import dev.baton.core.internal.LowerHex;
import dev.baton.core.internal.PendingSpans;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.header.Headers;

/**
 * Producer spans waiting for the broker's answer, oldest first, and what this producer's answers
 * turned out to look like.
 *
 * <p>On the answer, kafka-clients 4.1+ hands back the record's {@link Headers}: the span is found
 * by that very object and, should another interceptor have swapped the headers for a copy, by the
 * span id in the {@code traceparent} Baton wrote. (Either lookup alone misses in one case: an
 * interceptor after Baton that copies the headers, or one that rewrites {@code traceparent}.)
 *
 * <p>A caller may forward only {@code onAcknowledgement(RecordMetadata, Exception)}, without the
 * headers (Spring's {@code KafkaTemplate} interceptor hook, {@code CompositeProducerInterceptor},
 * wrappers written for older clients). Such an answer cannot be tied to a record, so the first
 * one switches this table to {@link #NO_HEADERS}: it takes no more spans (they end in
 * {@code onSend}) and gives up the ones waiting. A later answer with headers switches it back.
 *
 * <p>The table is the core's {@link PendingSpans}, in arrival order: bounded (when full, the
 * oldest span is ended and marked, so a producer whose answers never come, a broker gone for good
 * or an interceptor chain that drops them, cannot grow memory), keyed by span id and by the
 * headers object. {@code onSend} runs on application threads and the answers on the I/O thread,
 * so a large table is split into {@link #stripes} stripes by span id, each with its own lock and
 * an equal share of the bound: threads sending at once rarely meet on one lock, and "oldest" is
 * the oldest of the stripe. A table too small for stripes of {@link #MIN_STRIPE} places is one
 * stripe, with the exact arrival order. Spans are ended outside the locks.
 *
 * <p>An answer whose {@code traceparent} is not the one Baton wrote (another interceptor rewrote
 * it) names no stripe: its headers object is looked for in every stripe, but only when the span
 * may be waiting at all (metrics on, or the answer's {@code traceparent} says sampled), so that
 * the answers of the many records that were never tracked cost one stripe's lock, not all.
 */
final class InFlightSpans {

  /** Set on a span ended without the broker's answer: evicted, or still waiting at close. */
  static final AttributeKey<Boolean> ACK_MISSING = AttributeKey.booleanKey("baton.kafka.ack_missing");

  static final String EVICTED_EVENT =
      "baton: ended before the broker answered (in-flight table full)";
  static final String CLOSED_EVENT =
      "baton: ended when the producer closed, before the broker answered";

  /** No answer has arrived yet. */
  static final int UNKNOWN = 0;
  /** Answers arrive with the record's headers: spans wait for theirs. */
  static final int WITH_HEADERS = 1;
  /** Answers arrive without headers: spans end in {@code onSend}; the table stays empty. */
  static final int NO_HEADERS = 2;

  /** The fewest places a stripe has: a smaller table keeps one stripe. */
  static final int MIN_STRIPE = 1024;
  /** The most stripes, whatever the processor count. */
  static final int MAX_STRIPES = 16;

  /** Each stripe is also its own lock. */
  private final PendingSpans[] stripes;
  private final int mask;
  /** Written under every stripe's lock; read without one on the fast paths. */
  private volatile int answers = UNKNOWN;
  /** Sends since the start that are not in the table (evicted, or not recorded). */
  private final AtomicInteger untracked = new AtomicInteger();
  /** The topic of the latest span added. */
  private volatile String lastTopic;

  InFlightSpans(int max) {
    this(max, stripes(max, Runtime.getRuntime().availableProcessors()));
  }

  /** With exactly {@code stripeCount} stripes, a power of two, each of {@code max / stripeCount}. */
  InFlightSpans(int max, int stripeCount) {
    if (Integer.bitCount(stripeCount) != 1 || max / stripeCount < 1) {
      throw new IllegalArgumentException(stripeCount + " stripes for " + max + " spans");
    }
    stripes = new PendingSpans[stripeCount];
    for (int i = 0; i < stripeCount; i++) {
      stripes[i] = new PendingSpans(max / stripeCount, PendingSpans.Order.ARRIVAL, ACK_MISSING);
    }
    mask = stripeCount - 1;
  }

  /**
   * How many stripes a table of {@code max} spans gets on {@code processors} processors: twice
   * the processors rounded up to a power of two, at most {@link #MAX_STRIPES}, fewer while a
   * stripe would have less than {@link #MIN_STRIPE} places.
   */
  static int stripes(int max, int processors) {
    int n = Math.min(MAX_STRIPES, Integer.highestOneBit(Math.max(1, 2 * processors - 1)) << 1);
    while (n > 1 && max / n < MIN_STRIPE) {
      n >>= 1;
    }
    return n;
  }

  int stripeCount() {
    return stripes.length;
  }

  private PendingSpans stripe(long spanId) {
    return stripes[(int) (spanId ^ (spanId >>> 32)) & mask];
  }

  int answers() {
    return answers;
  }

  /**
   * Adds a span to wait for its answer; returns {@code false}, keeping nothing, when this
   * producer's answers are known to come without headers (the caller ends the span then).
   */
  boolean add(Headers headers, long spanId, String topic, Span span) {
    PendingSpans stripe = stripe(spanId);
    Span evicted;
    synchronized (stripe) {
      if (answers == NO_HEADERS) {
        return false;
      }
      evicted = stripe.add(spanId, headers, span);
      lastTopic = topic;
      if (evicted != null) {
        untracked.incrementAndGet();
      }
    }
    if (evicted != null) {
      stripe.endEarly(evicted, EVICTED_EVENT);
    }
    return true;
  }

  /**
   * Notes a send whose span is not waiting here (not recorded) while the kind of answer is still
   * unknown: the first answer without headers might be that record's.
   */
  void untracked() {
    if (answers == UNKNOWN) {
      untracked.incrementAndGet();
    }
  }

  /**
   * An answer with headers arrived: takes the span of the record with these headers. {@code
   * spanId} is the one in the answer's {@code traceparent}, -1 when there is none; {@code
   * mayWait} says whether a span whose {@code traceparent} was rewritten could be waiting, so
   * that the other stripes are worth searching.
   */
  Span remove(Headers headers, long spanId, boolean mayWait) {
    if (answers != WITH_HEADERS) {
      withEveryLock(() -> answers = WITH_HEADERS);
    }
    if (headers == null) {
      return null;
    }
    // With one stripe, or a span id to go by, one stripe is looked in first; with no span id in
    // the answer (another interceptor took traceparent away), only the headers object is left.
    PendingSpans home = stripes.length == 1 ? stripes[0] : spanId == -1 ? null : stripe(spanId);
    if (home != null) {
      synchronized (home) {
        Span span = home.takeByCarrier(headers);
        if (span == null && spanId != -1) {
          span = home.take(spanId);
        }
        if (span != null || stripes.length == 1 || !mayWait) {
          return span;
        }
      }
    }
    for (PendingSpans other : stripes) {
      if (other != home) {
        synchronized (other) {
          Span span = other.takeByCarrier(headers);
          if (span != null) {
            return span;
          }
        }
      }
    }
    return null;
  }

  /**
   * An answer without headers arrived. Returns {@code null} when that changes nothing (answers
   * with headers were seen, or this one is not the first without); else switches to
   * {@link #NO_HEADERS} and hands over every waiting span.
   */
  Given noHeaders(String topic) {
    if (answers != UNKNOWN) {
      return null;
    }
    Given[] given = new Given[1];
    withEveryLock(() -> {
      if (answers != UNKNOWN) {
        return;
      }
      answers = NO_HEADERS;
      List<Span> spans = takeAll();
      // In UNKNOWN, spans leave the table only by eviction (counted in untracked): one span and
      // nothing untracked means exactly one record was sent so far, the latest one.
      boolean sole = spans.size() == 1 && untracked.get() == 0
          && (topic == null || topic.equals(lastTopic));
      given[0] = new Given(spans, sole ? spans.get(0) : null);
    });
    return given[0];
  }

  /** The spans handed over on the first answer without headers. */
  static final class Given {
    /** Every span that was waiting. */
    final List<Span> spans;
    /**
     * The span the answer belongs to, when that is certain: it was the only record sent so far
     * (nothing evicted, nothing unrecorded) and of the answer's topic. Else {@code null}.
     */
    final Span answered;

    Given(List<Span> spans, Span answered) {
      this.spans = spans;
      this.answered = answered;
    }
  }

  int size() {
    int[] size = new int[1];
    withEveryLock(() -> {
      for (PendingSpans stripe : stripes) {
        size[0] += stripe.size();
      }
    });
    return size[0];
  }

  /** Ends every span still waiting; called when the producer closes. */
  void endAll() {
    List<Span> left = new ArrayList<>();
    withEveryLock(() -> left.addAll(takeAll()));
    for (Span span : left) {
      stripes[0].endEarly(span, CLOSED_EVENT);
    }
  }

  /** Every waiting span, oldest first within each stripe; the caller holds every lock. */
  private List<Span> takeAll() {
    List<Span> spans = new ArrayList<>();
    for (PendingSpans stripe : stripes) {
      for (Span s = stripe.takeOldest(); s != null; s = stripe.takeOldest()) {
        spans.add(s);
      }
    }
    return spans;
  }

  /** Runs {@code action} holding every stripe's lock, taken in stripe order. */
  private void withEveryLock(Runnable action) {
    withLocksFrom(0, action);
  }

  private void withLocksFrom(int i, Runnable action) {
    if (i == stripes.length) {
      action.run();
      return;
    }
    synchronized (stripes[i]) {
      withLocksFrom(i + 1, action);
    }
  }

  /**
   * Whether a {@code traceparent} says sampled, or cannot be read (then the span may have been
   * recorded: only a readable unsampled flag says it was not).
   */
  static boolean sampled(byte[] traceparent) {
    if (traceparent == null || traceparent.length < 55) {
      return true;
    }
    int flags = LowerHex.value(traceparent[54]);
    return flags < 0 || (flags & 1) != 0;
  }

  /** Parses the 16 hex digits of a span id; -1 when they are not hex. */
  static long parseSpanId(byte[] traceparent) {
    return traceparent == null || traceparent.length < 52 ? -1 : LowerHex.parse16(traceparent, 36);
  }
}
