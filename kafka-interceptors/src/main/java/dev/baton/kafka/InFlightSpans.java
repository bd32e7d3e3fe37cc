package dev.baton.kafka;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Bounded: when full, the oldest span is ended and marked, so a producer whose answers never
 * come (a broker gone for good, an interceptor chain that drops them) cannot grow memory. One small
 * lock: {@code onSend} runs on application threads, {@code onAcknowledgement} on the I/O thread,
 * and both hold it only for map operations; spans are ended outside it.
 */
final class InFlightSpans {

  /** Set on a span ended without the broker's answer: evicted, or still waiting at close. */
  static final AttributeKey<Boolean> ACK_MISSING = AttributeKey.booleanKey("baton.kafka.ack_missing");

  /** No answer has arrived yet. */
  static final int UNKNOWN = 0;
  /** Answers arrive with the record's headers: spans wait for theirs. */
  static final int WITH_HEADERS = 1;
  /** Answers arrive without headers: spans end in {@code onSend}; the table stays empty. */
  static final int NO_HEADERS = 2;

  private final int max;
  private final LinkedHashMap<Long, Pending> bySpanId = new LinkedHashMap<>();
  private final IdentityHashMap<Headers, Pending> byHeaders = new IdentityHashMap<>();
  /** Written under the lock; read without it on the fast path of {@code onSend}. */
  private volatile int answers = UNKNOWN;
  /** Sends since the start that are not in the table (evicted, or not recorded); under the lock. */
  private int untracked;

  InFlightSpans(int max) {
    this.max = max;
  }

  int answers() {
    return answers;
  }

  /**
   * Adds a span to wait for its answer; returns {@code false}, keeping nothing, when this
   * producer's answers are known to come without headers (the caller ends the span then).
   */
  boolean add(Headers headers, long spanId, String topic, Span span) {
    Span evicted = null;
    synchronized (bySpanId) {
      if (answers == NO_HEADERS) {
        return false;
      }
      Pending pending = new Pending(headers, spanId, topic, span);
      bySpanId.put(spanId, pending);
      byHeaders.put(headers, pending);
      if (bySpanId.size() > max) {
        Iterator<Map.Entry<Long, Pending>> oldest = bySpanId.entrySet().iterator();
        Pending old = oldest.next().getValue();
        oldest.remove();
        byHeaders.remove(old.headers, old);
        evicted = old.span;
        untracked++;
      }
    }
    if (evicted != null) {
      evicted.setAttribute(ACK_MISSING, true);
      evicted.addEvent("baton: ended before the broker answered (in-flight table full)");
      evicted.end();
    }
    return true;
  }

  /**
   * Notes a send whose span is not waiting here (not recorded) while the kind of answer is still
   * unknown: the first answer without headers might be that record's.
   */
  void untracked() {
    if (answers == UNKNOWN) {
      synchronized (bySpanId) {
        untracked++;
      }
    }
  }

  /**
   * An answer with headers arrived: takes the span of the record with these headers; {@code
   * spanId} is -1 when unknown.
   */
  Span remove(Headers headers, long spanId) {
    synchronized (bySpanId) {
      if (answers != WITH_HEADERS) {
        answers = WITH_HEADERS;
      }
      if (headers == null) {
        return null;
      }
      Pending pending = byHeaders.remove(headers);
      if (pending == null && spanId != -1) {
        pending = bySpanId.get(spanId);
        if (pending != null) {
          byHeaders.remove(pending.headers, pending);
        }
      }
      if (pending == null) {
        return null;
      }
      bySpanId.remove(pending.spanId, pending);
      return pending.span;
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
    synchronized (bySpanId) {
      if (answers != UNKNOWN) {
        return null;
      }
      answers = NO_HEADERS;
      List<Span> spans = new ArrayList<>(bySpanId.size());
      Span sole = null;
      if (bySpanId.size() == 1 && untracked == 0) {
        Pending only = bySpanId.values().iterator().next();
        if (topic == null || topic.equals(only.topic)) {
          sole = only.span;
        }
      }
      for (Pending p : bySpanId.values()) {
        spans.add(p.span);
      }
      bySpanId.clear();
      byHeaders.clear();
      return new Given(spans, sole);
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
    synchronized (bySpanId) {
      return bySpanId.size();
    }
  }

  /** Ends every span still waiting; called when the producer closes. */
  void endAll() {
    List<Pending> left;
    synchronized (bySpanId) {
      left = new ArrayList<>(bySpanId.values());
      bySpanId.clear();
      byHeaders.clear();
    }
    for (Pending p : left) {
      p.span.setAttribute(ACK_MISSING, true);
      p.span.addEvent("baton: ended when the producer closed, before the broker answered");
      p.span.end();
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

  private static final class Pending {
    final Headers headers;
    final long spanId;
    final String topic;
    final Span span;

    Pending(Headers headers, long spanId, String topic, Span span) {
      this.headers = headers;
      this.spanId = spanId;
      this.topic = topic;
      this.span = span;
    }
  }
}
