package dev.baton.core.internal;

import dev.baton.core.BatonTracing;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;

/**
 * The messaging instruments of one transport on one settings object (semantic conventions
 * v1.44.0, {@code docs/messaging/messaging-metrics.md}), plus Baton's own wait time:
 *
 * <ul>
 *   <li>{@code messaging.client.sent.messages} and {@code messaging.client.operation.duration}
 *       of sends, both recorded when the send's span ends ({@link #timeSend});
 *   <li>{@code messaging.client.consumed.messages} ({@link #consumed}, or with a receive);
 *   <li>{@code messaging.client.operation.duration} of receives ({@link #startReceive},
 *       {@link #receiveEnded});
 *   <li>{@code messaging.process.duration} ({@link #startProcess});
 *   <li>{@code baton.messaging.wait.duration}: from the message's timestamp to the start of its
 *       processing ({@link #startProcess}).
 * </ul>
 *
 * Attributes are the conventions' only: {@code messaging.system}, {@code messaging.operation.name},
 * {@code messaging.operation.type} (operation duration only), {@code messaging.destination.name}
 * (the caller passes {@code null} for a temporary or anonymous destination, which then goes
 * without one), {@code messaging.consumer.group.name} (consumer side) and {@code error.type} on
 * failure. Sets are built once per destination and bounded ({@link AttributeCache}).
 *
 * <p>Made once per settings (never per message) by {@link #create}, which returns {@code null}
 * when nothing would be recorded, so that the per-message cost of metrics switched off is one
 * {@code null} check. Part of Baton's internal machinery: no compatibility promise. Thread-safe.
 */
public final class MessagingMetrics {

  /** Baton's own histogram: the conventions have no wait time. */
  public static final String WAIT_DURATION = "baton.messaging.wait.duration";

  private final LongCounter sent;
  private final LongCounter consumed;
  private final DoubleHistogram operation;
  private final DoubleHistogram process;
  private final DoubleHistogram wait;
  private final AttributeCache sentSets;
  private final AttributeCache sendSets;
  private final AttributeCache consumedSets;
  private final AttributeCache receivedSets;
  private final AttributeCache receiveSets;
  private final AttributeCache processSets;

  private MessagingMetrics(
      BatonTracing baton,
      Meter meter,
      String system,
      String sendOperation,
      String consumeOperation,
      String receiveOperation,
      String processOperation) {
    boolean messages = baton.metricEnabled(BatonTracing.METRICS_MESSAGES_ENABLED);
    sent = messages
        ? Metrics.messages(meter, "messaging.client.sent.messages",
            "Number of messages the producer attempted to send to the broker.")
        : null;
    consumed = messages
        ? Metrics.messages(meter, "messaging.client.consumed.messages",
            "Number of messages that were delivered to the application.")
        : null;
    operation = baton.metricEnabled(BatonTracing.METRICS_OPERATION_DURATION_ENABLED)
        ? Metrics.seconds(meter, "messaging.client.operation.duration",
            "Duration of messaging operation initiated by a producer or consumer client.",
            Metrics.DURATION_BUCKETS)
        : null;
    process = baton.metricEnabled(BatonTracing.METRICS_PROCESS_DURATION_ENABLED)
        ? Metrics.seconds(meter, "messaging.process.duration", "Duration of processing operation.",
            Metrics.DURATION_BUCKETS)
        : null;
    wait = baton.metricEnabled(BatonTracing.METRICS_WAIT_ENABLED)
        ? Metrics.seconds(meter, WAIT_DURATION,
            "Time a message waited from its timestamp until its processing started.",
            Metrics.WAIT_BUCKETS)
        : null;
    sentSets = new AttributeCache(base(system, sendOperation, null));
    sendSets = new AttributeCache(base(system, sendOperation, SemConv.OP_SEND));
    consumedSets = new AttributeCache(base(system, consumeOperation, null));
    receivedSets = receiveOperation == null
        ? null
        : new AttributeCache(base(system, receiveOperation, null));
    receiveSets = receiveOperation == null
        ? null
        : new AttributeCache(base(system, receiveOperation, SemConv.OP_RECEIVE));
    processSets = new AttributeCache(base(system, processOperation, null));
  }

  private static Attributes base(String system, String operationName, String operationType) {
    return operationType == null
        ? Attributes.of(
            SemConv.MESSAGING_SYSTEM, system, SemConv.MESSAGING_OPERATION_NAME, operationName)
        : Attributes.of(
            SemConv.MESSAGING_SYSTEM, system,
            SemConv.MESSAGING_OPERATION_NAME, operationName,
            SemConv.MESSAGING_OPERATION_TYPE, operationType);
  }

  /**
   * Returns the instruments for {@code baton} (the settings in effect, {@code resolved()}), or
   * {@code null} when none would record anything.
   *
   * @param baton the settings in effect
   * @param scope the instrumentation scope, such as {@code dev.baton.kafka}
   * @param system the {@code messaging.system} value
   * @param sendOperation {@code messaging.operation.name} of sends, such as {@code send}
   * @param consumeOperation {@code messaging.operation.name} of {@link #consumed}, such as
   *     {@code poll}
   * @param receiveOperation {@code messaging.operation.name} of receive operations, or
   *     {@code null} when the transport has none
   * @param processOperation {@code messaging.operation.name} of processing, such as
   *     {@code process}
   * @return the instruments, or {@code null}
   */
  public static MessagingMetrics create(
      BatonTracing baton,
      String scope,
      String system,
      String sendOperation,
      String consumeOperation,
      String receiveOperation,
      String processOperation) {
    if (!Metrics.supported() || !baton.metricsEnabled()) {
      return null;
    }
    try {
      Meter meter = Metrics.meter(baton, scope);
      if (meter == null) {
        return null;
      }
      MessagingMetrics m = new MessagingMetrics(baton, meter, system, sendOperation,
          consumeOperation, receiveOperation, processOperation);
      return m.sent == null && m.operation == null && m.consumed == null && m.process == null
          && m.wait == null ? null : m;
    } catch (RuntimeException | LinkageError e) {
      Faults.report("metrics setup", e);
      return null;
    }
  }

  /**
   * Returns {@code span} measuring its send: when it ends, the send is counted and, if it was
   * {@link #answered}, its duration recorded, with {@code error.type} when one was set on the span. Unchanged when neither
   * instrument is on.
   *
   * @param span the started send span
   * @param destination the low-cardinality destination, or {@code null}
   * @return the span to use in its place
   */
  public Span timeSend(Span span, String destination) {
    if (sent == null && operation == null) {
      return span;
    }
    return new MeteredSpan(span, new OperationTimer(
        operation, operation == null ? null : sendSets.get(destination, null),
        sent, sent == null ? null : sentSets.get(destination, null), true));
  }

  /**
   * A send span from {@link #timeSend} got the broker's answer (or the call's failure) and is
   * about to end: its duration is recorded. A send span that ends without one (ended at once
   * because no answer will come, evicted from a full table, or left when the client closed) is
   * only counted. Does nothing for other spans.
   *
   * @param span a span
   */
  public static void answered(Span span) {
    if (span instanceof MeteredSpan) {
      ((MeteredSpan) span).timer.answered();
    }
  }

  /**
   * Whether {@code span} came from {@link #timeSend}: it must end even when not recording, for
   * the metric's sake.
   *
   * @param span a span
   * @return whether it measures a send
   */
  public static boolean isTimed(Span span) {
    return span instanceof MeteredSpan;
  }

  /**
   * Counts {@code count} messages delivered to the application.
   *
   * @param destination the low-cardinality destination, or {@code null}
   * @param group the consumer group, or {@code null}
   * @param count how many
   */
  public void consumed(String destination, String group, long count) {
    if (consumed != null && count > 0) {
      try {
        consumed.add(count, consumedSets.get(destination, group));
      } catch (RuntimeException e) {
        Faults.report("metrics consumed", e);
      }
    }
  }

  /**
   * Counts one message a receive operation (such as {@code basicGet}) brought, under the receive
   * operation's name.
   *
   * @param destination the low-cardinality destination, or {@code null}
   */
  public void received(String destination) {
    if (consumed != null && receivedSets != null) {
      try {
        consumed.add(1, receivedSets.get(destination, null));
      } catch (RuntimeException e) {
        Faults.report("metrics consumed", e);
      }
    }
  }

  /**
   * Starts timing a receive (a pull of one message); end the timer when the call returns, after
   * {@link #consumed} for the message it brought, if any. {@code null} when not measured.
   *
   * @param destination the low-cardinality destination, or {@code null}
   * @return the timer, or {@code null}
   */
  public OperationTimer startReceive(String destination) {
    if (operation == null || receiveSets == null) {
      return null;
    }
    return new OperationTimer(operation, receiveSets.get(destination, null), null, null, false);
  }

  /**
   * A receive that brought messages, or failed, ended now: records its duration since
   * {@code startNanos} under the receive operation's name, for transports that learn what a
   * receive brought only when it returns (a Kafka poll names its topics in its records). Does
   * nothing when not measured.
   *
   * @param startNanos a {@link System#nanoTime()} reading taken when the receive started
   * @param destination the low-cardinality destination, or {@code null} (several, or none)
   * @param group the consumer group, or {@code null}
   * @param error what the receive threw, or {@code null}
   */
  public void receiveEnded(long startNanos, String destination, String group, Throwable error) {
    if (operation == null || receiveSets == null) {
      return;
    }
    OperationTimer timer = new OperationTimer(
        operation, receiveSets.get(destination, group), null, null, false, startNanos);
    timer.error(error);
    timer.end();
  }

  /**
   * Processing of one message starts: records how long it waited since {@code timestampMillis}
   * (skipped when that is not positive, or in the future of this clock) and returns the timer of
   * the processing, {@code null} when not measured.
   *
   * @param destination the low-cardinality destination, or {@code null}
   * @param group the consumer group, or {@code null}
   * @param timestampMillis when the message was made, epoch milliseconds; 0 or less when unknown
   * @return the timer, or {@code null}
   */
  public OperationTimer startProcess(String destination, String group, long timestampMillis) {
    if (process == null && wait == null) {
      return null;
    }
    Attributes attributes = processSets.get(destination, group);
    // One clock read serves both: the processing's start and, through the pairing of clocks in
    // Metrics, the wall-clock time the wait is measured to.
    long now = System.nanoTime();
    if (wait != null && timestampMillis > 0) {
      long waited = Metrics.epochMillisAt(now) - timestampMillis;
      if (waited >= 0) {
        wait.record(waited / 1e3, attributes);
      }
    }
    return process == null
        ? null
        : new OperationTimer(process, attributes, null, null, false, now);
  }
}
