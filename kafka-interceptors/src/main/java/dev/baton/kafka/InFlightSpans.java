package dev.baton.kafka;

import dev.baton.core.internal.PendingSpans;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import java.util.ArrayList;
import java.util.List;
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
 * <p>The table itself is the core's {@link PendingSpans}, in arrival order: bounded (when full,
 * the oldest span is ended and marked, so a producer whose answers never come, a broker gone for
 * good or an interceptor chain that drops them, cannot grow memory), keyed by span id and by the
 * headers object. What is Kafka's here is the kind of answer. One small lock: {@code onSend} runs
 * on application threads, {@code onAcknowledgement} on the I/O thread, and both hold it only for
 * table operations; spans are ended outside it.
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

  /** The lock of every operation below. */
  private final PendingSpans pending;
  /** Written under the lock; read without it on the fast path of {@code onSend}. */
  private volatile int answers = UNKNOWN;
  /** Sends since the start that are not in the table (evicted, or not recorded); under the lock. */
  private int untracked;
  /** The topic of the latest span added; under the lock. */
  private String lastTopic;

  InFlightSpans(int max) {
    this.pending = new PendingSpans(max, PendingSpans.Order.ARRIVAL, ACK_MISSING);
  }

  int answers() {
    return answers;
  }

  /**
   * Adds a span to wait for its answer; returns {@code false}, keeping nothing, when this
   * producer's answers are known to come without headers (the caller ends the span then).
   */
  boolean add(Headers headers, long spanId, String topic, Span span) {
    Span evicted;
    synchronized (pending) {
      if (answers == NO_HEADERS) {
        return false;
      }
      evicted = pending.add(spanId, headers, span);
      lastTopic = topic;
      if (evicted != null) {
        untracked++;
      }
    }
    if (evicted != null) {
      pending.endEarly(evicted, EVICTED_EVENT);
    }
    return true;
  }

  /**
   * Notes a send whose span is not waiting here (not recorded) while the kind of answer is still
   * unknown: the first answer without headers might be that record's.
   */
  void untracked() {
    if (answers == UNKNOWN) {
      synchronized (pending) {
        untracked++;
      }
    }
  }

  /**
   * An answer with headers arrived: takes the span of the record with these headers; {@code
   * spanId} is -1 when unknown.
   */
  Span remove(Headers headers, long spanId) {
    synchronized (pending) {
      if (answers != WITH_HEADERS) {
        answers = WITH_HEADERS;
      }
      if (headers == null) {
        return null;
      }
      Span span = pending.takeByCarrier(headers);
      if (span == null && spanId != -1) {
        span = pending.take(spanId);
      }
      return span;
    }
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
    synchronized (pending) {
      if (answers != UNKNOWN) {
        return null;
      }
      answers = NO_HEADERS;
      // In UNKNOWN, spans leave the table only by eviction (counted in untracked): one span and
      // nothing untracked means exactly one record was sent so far, the latest one.
      boolean sole = pending.size() == 1 && untracked == 0
          && (topic == null || topic.equals(lastTopic));
      List<Span> spans = new ArrayList<>(pending.size());
      for (Span s = pending.takeOldest(); s != null; s = pending.takeOldest()) {
        spans.add(s);
      }
      return new Given(spans, sole ? spans.get(0) : null);
    }
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
    synchronized (pending) {
      return pending.size();
    }
  }

  /** Ends every span still waiting; called when the producer closes. */
  void endAll() {
    List<Span> left = new ArrayList<>();
    synchronized (pending) {
      for (Span s = pending.takeOldest(); s != null; s = pending.takeOldest()) {
        left.add(s);
      }
    }
    for (Span span : left) {
      pending.endEarly(span, CLOSED_EVENT);
    }
  }

  /** Parses the 16 hex digits of a span id; -1 when they are not hex. */
  static long parseSpanId(byte[] traceparent) {
    if (traceparent == null || traceparent.length < 52) {
      return -1;
    }
    long id = 0;
    for (int i = 36; i < 52; i++) {
      int c = traceparent[i];
      int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (v < 0) {
        return -1;
      }
      id = id << 4 | v;
    }
    return id;
  }
}
