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
 * Producer spans waiting for the broker's answer, oldest first. On the answer, kafka-clients hands
 * back the record's {@link Headers}: the span is found by that very object and, should another
 * interceptor have swapped the headers for a copy, by the span id in the {@code traceparent}
 * Baton wrote. (Either lookup alone misses in one case: an interceptor after Baton that copies the
 * headers, or one that rewrites {@code traceparent}.)
 *
 * <p>Bounded: when full, the oldest span is ended and marked, so a producer whose answers never
 * come (a broker gone for good, an interceptor chain that drops them) cannot grow memory. One small
 * lock: {@code onSend} runs on application threads, {@code onAcknowledgement} on the I/O thread,
 * and both hold it only for map operations; spans are ended outside it.
 */
final class InFlightSpans {

  /** Set on a span ended without the broker's answer: evicted, or still waiting at close. */
  static final AttributeKey<Boolean> ACK_MISSING = AttributeKey.booleanKey("baton.kafka.ack_missing");

  private final int max;
  private final LinkedHashMap<Long, Pending> bySpanId = new LinkedHashMap<>();
  private final IdentityHashMap<Headers, Pending> byHeaders = new IdentityHashMap<>();

  InFlightSpans(int max) {
    this.max = max;
  }

  void add(Headers headers, long spanId, Span span) {
    Pending pending = new Pending(headers, spanId, span);
    Span evicted = null;
    synchronized (bySpanId) {
      bySpanId.put(spanId, pending);
      byHeaders.put(headers, pending);
      if (bySpanId.size() > max) {
        Iterator<Map.Entry<Long, Pending>> oldest = bySpanId.entrySet().iterator();
        Pending old = oldest.next().getValue();
        oldest.remove();
        byHeaders.remove(old.headers, old);
        evicted = old.span;
      }
    }
    if (evicted != null) {
      evicted.setAttribute(ACK_MISSING, true);
      evicted.addEvent("baton: ended before the broker answered (in-flight table full)");
      evicted.end();
    }
  }

  /** Takes the span of the record with these headers; {@code spanId} is -1 when unknown. */
  Span remove(Headers headers, long spanId) {
    synchronized (bySpanId) {
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
    final Span span;

    Pending(Headers headers, long spanId, Span span) {
      this.headers = headers;
      this.spanId = spanId;
      this.span = span;
    }
  }
}
