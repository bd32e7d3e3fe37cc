package dev.baton.kafka;

import dev.baton.core.internal.Faults;
import dev.baton.core.internal.SemConv;
import dev.baton.core.internal.Spans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * What Baton does with one consumer's polls, for the consumer interceptor and for
 * {@link KafkaTracing#wrap(org.apache.kafka.clients.consumer.Consumer)} alike: notes which
 * consumer polled each record ({@link ConsumerIdentities}), optionally starts receive spans, and
 * optionally returns records whose iteration runs inside process spans ({@link TracedRecords}).
 *
 * <p>It also keeps the iterations that hold a record's scope open, so that a loop left by
 * {@code break}, {@code return} or an exception has its scope closed and its span ended at the
 * next poll or on close, before any other record's span starts.
 */
final class ConsumerSide {

  final KafkaTracing tracing;
  final String groupId;
  final String clientId;
  /** Registered until {@link #close()}; names this consumer on the records it polled. */
  final ConsumerIdentities.Consumer identity;
  /** Whether iterating polled records opens process spans. */
  private final boolean processSpans;
  /**
   * A wrapper around a consumer that may also have the interceptor: records already noted by an
   * interceptor are neither noted again nor given receive spans twice.
   */
  private final boolean mayFollowInterceptor;
  /** Iterations with a record's scope open, in the order they opened it. */
  private final List<TracedRecords.ProcessIterator<?, ?>> open = new ArrayList<>(2);

  /**
   * Starts following one consumer's polls.
   *
   * @param wrapped {@code true} for a consumer wrapped by {@link KafkaTracing#wrap}: its iteration
   *     always opens process spans, and it may also have the interceptor; {@code false} for the
   *     interceptor, which opens them only when {@code baton.kafka.consumer.process.spans} says so
   */
  ConsumerSide(KafkaTracing tracing, String groupId, String clientId, boolean wrapped) {
    this.tracing = tracing;
    this.groupId = groupId;
    this.clientId = clientId;
    this.processSpans = wrapped || tracing.settings().processSpans();
    this.mayFollowInterceptor = wrapped;
    this.identity = ConsumerIdentities.opened(groupId, clientId);
  }

  /**
   * Called for every poll, on the polling thread, before the records reach the application. Returns
   * {@code records} unchanged, or records whose iteration runs in process spans; never throws.
   */
  <K, V> ConsumerRecords<K, V> onConsume(ConsumerRecords<K, V> records) {
    closeLeftovers();
    if (records == null || records.isEmpty() || records instanceof TracedRecords) {
      return records;
    }
    try {
      ConsumerIdentities.Consumer polledBy = null;
      if (mayFollowInterceptor) {
        Iterator<ConsumerRecord<K, V>> first = records.iterator();
        polledBy = first.hasNext() ? ConsumerIdentities.of(first.next()) : null;
      }
      if (polledBy == null) {
        polledBy = identity;
        identity.polled(records);
        KafkaMetrics.consumed(tracing.metrics(), records, groupId);
        if (tracing.settings().receiveSpans()) {
          receiveSpans(records);
        }
      }
      if (processSpans) {
        // The context current at poll is the base of every record's span: a scope some earlier
        // loop left open must not become the parent of this batch's spans.
        return TracedRecords.of(records, this, Context.current(), polledBy);
      }
    } catch (RuntimeException e) {
      Faults.report("kafka onConsume", e);
    }
    return records;
  }

  /** One {@code poll {topic}} span per topic in the batch, linked to each record's context. */
  private void receiveSpans(ConsumerRecords<?, ?> records) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (TopicPartition tp : records.partitions()) {
      counts.merge(tp.topic(), records.records(tp).size(), Integer::sum);
    }
    Context parent = Context.current();
    for (Map.Entry<String, Integer> topic : counts.entrySet()) {
      SpanBuilder builder =
          Spans.messaging(
                  tracing.tracer(), SpanKind.CLIENT, SemConv.SYSTEM_KAFKA, SemConv.OP_RECEIVE, "poll",
                  topic.getKey())
              .setParent(parent)
              .setAttribute(SemConv.MESSAGING_BATCH_MESSAGE_COUNT, (long) topic.getValue());
      if (groupId != null) {
        builder.setAttribute(SemConv.MESSAGING_CONSUMER_GROUP_NAME, groupId);
      }
      if (clientId != null) {
        builder.setAttribute(SemConv.MESSAGING_CLIENT_ID, clientId);
      }
      for (ConsumerRecord<?, ?> record : records.records(topic.getKey())) {
        SpanContext remote =
            tracing.propagation().inbound(Context.root(), record.headers()).remote();
        if (remote.isValid()) {
          builder.addLink(remote);
        }
      }
      Span span = builder.startSpan();
      span.end();
    }
  }

  /** An iteration opened a record's scope: it is closed at the next poll unless it ends first. */
  void opened(TracedRecords.ProcessIterator<?, ?> iteration) {
    synchronized (open) {
      open.add(iteration);
    }
  }

  /** An iteration finished, with no scope open. */
  void finished(TracedRecords.ProcessIterator<?, ?> iteration) {
    synchronized (open) {
      open.remove(iteration);
    }
  }

  /**
   * Ends the spans of records whose loop was left without taking the next record, most recent
   * first, closing their scopes where that restores the right context: on the thread that opened
   * them, when they are the current context.
   */
  void closeLeftovers() {
    TracedRecords.ProcessIterator<?, ?>[] left;
    synchronized (open) {
      if (open.isEmpty()) {
        return;
      }
      left = open.toArray(new TracedRecords.ProcessIterator<?, ?>[0]);
      open.clear();
    }
    for (int i = left.length - 1; i >= 0; i--) {
      try {
        left[i].abandoned();
      } catch (RuntimeException e) {
        Faults.report("kafka close abandoned process scope", e);
      }
    }
  }

  /** The consumer closes: leftovers end, and its records are no longer named after it. */
  void close() {
    closeLeftovers();
    ConsumerIdentities.closed(identity);
  }
}
