package dev.baton.kafka;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Producer spans waiting for the broker's answer, keyed by span id, oldest first. Bounded: when
 * full, the oldest span is ended and marked, so a producer whose acknowledgements never come
 * (a broker gone for good, an interceptor chain that drops them) cannot grow memory. One small lock:
 * {@code onSend} runs on application threads, {@code onAcknowledgement} on the I/O thread, and both
 * hold it only for a map operation; spans are ended outside it.
 */
final class InFlightSpans {

  /** Set on a span ended without the broker's answer: evicted, or still waiting at close. */
  static final AttributeKey<Boolean> ACK_MISSING = AttributeKey.booleanKey("baton.kafka.ack_missing");

  private final int max;
  private final LinkedHashMap<Long, Span> spans = new LinkedHashMap<>();

  InFlightSpans(int max) {
    this.max = max;
  }

  void add(long spanId, Span span) {
    Span evicted = null;
    synchronized (spans) {
      spans.put(spanId, span);
      if (spans.size() > max) {
        Iterator<Map.Entry<Long, Span>> oldest = spans.entrySet().iterator();
        evicted = oldest.next().getValue();
        oldest.remove();
      }
    }
    if (evicted != null) {
      evicted.setAttribute(ACK_MISSING, true);
      evicted.addEvent("baton: ended before the broker answered (in-flight table full)");
      evicted.end();
    }
  }

  Span remove(long spanId) {
    synchronized (spans) {
      return spans.remove(spanId);
    }
  }

  int size() {
    synchronized (spans) {
      return spans.size();
    }
  }

  /** Ends every span still waiting; called when the producer closes. */
  void endAll() {
    List<Span> left;
    synchronized (spans) {
      left = new ArrayList<>(spans.values());
      spans.clear();
    }
    for (Span span : left) {
      span.setAttribute(ACK_MISSING, true);
      span.addEvent("baton: ended when the producer closed, before the broker answered");
      span.end();
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
