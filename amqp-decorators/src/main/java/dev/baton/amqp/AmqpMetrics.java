package dev.baton.amqp;

import com.rabbitmq.client.AMQP;
import dev.baton.core.BatonTracing;
import dev.baton.core.internal.MessagingMetrics;
import dev.baton.core.internal.OperationTimer;
import dev.baton.core.internal.SemConv;
import io.opentelemetry.api.trace.Span;
import java.util.Date;

/**
 * What RabbitMQ records into the core's {@link MessagingMetrics} (see {@code docs/metrics.md}):
 * publishes ({@code publish}, counted and timed as long as their span lasts: to the confirm with
 * {@code baton.amqp.publish.end.on.confirm}, else the {@code basicPublish} call), {@code basicGet}
 * ({@code get}: timed, and counted when it brings a message), and deliveries ({@code process}:
 * counted, timed, with the wait since the {@code timestamp} property).
 *
 * <p>The destination on metrics is the one in the span's name, never the routing key (which often
 * names an entity): the exchange on publish ({@code amq.default} for the default exchange), the
 * queue on receive. A temporary or anonymous queue, or any queue named by the server
 * ({@code amq.gen-…}, even one declared elsewhere), goes without a destination.
 *
 * <p>AMQP's {@code timestamp} property has whole seconds only, so a wait is up to a second longer
 * than it was (never shorter); messages without the property record no wait.
 */
final class AmqpMetrics {

  /** The prefix RabbitMQ gives the queues it names. */
  private static final String SERVER_NAMED = "amq.gen-";

  private AmqpMetrics() {}

  /** The instruments for {@code baton}, or {@code null} when none records anything. */
  static MessagingMetrics create(BatonTracing baton) {
    return MessagingMetrics.create(
        baton,
        AmqpSpans.INSTRUMENTATION_SCOPE,
        SemConv.SYSTEM_RABBITMQ,
        AmqpSpans.OP_PUBLISH,
        AmqpSpans.OP_PROCESS,
        AmqpSpans.OP_GET,
        AmqpSpans.OP_PROCESS);
  }

  /** The low-cardinality destination of a queue: {@code null} when temporary, anonymous or generated. */
  static String queue(String queue, int queueFlags) {
    if (queueFlags != 0 || queue == null || queue.isEmpty() || queue.startsWith(SERVER_NAMED)) {
      return null;
    }
    return queue;
  }

  /** The publish span, measuring the publish when metrics are on. */
  static Span timePublish(MessagingMetrics metrics, Span span, String exchange) {
    if (metrics == null) {
      return span;
    }
    return metrics.timeSend(
        span, exchange == null || exchange.isEmpty() ? AmqpSpans.DEFAULT_EXCHANGE : exchange);
  }

  /** A {@code basicGet} starts: returns its timer, or {@code null}. */
  static OperationTimer startGet(MessagingMetrics metrics, String queue, int queueFlags) {
    return metrics == null ? null : metrics.startReceive(queue(queue, queueFlags));
  }

  /**
   * A {@code basicGet} returned ({@code gotMessage} when the queue had one) or threw
   * {@code error}: the message is counted and the call timed. Never throws.
   */
  static void endGet(MessagingMetrics metrics, OperationTimer timer, String queue,
      int queueFlags, boolean gotMessage, Throwable error) {
    if (metrics == null) {
      return;
    }
    if (gotMessage) {
      metrics.received(queue(queue, queueFlags));
    }
    if (timer != null) {
      timer.error(error);
      timer.end();
    }
  }

  /** A delivery reaches the application: counted; returns the timer of its processing. */
  static OperationTimer delivered(
      MessagingMetrics metrics, String queue, int queueFlags, AMQP.BasicProperties props) {
    if (metrics == null) {
      return null;
    }
    String destination = queue(queue, queueFlags);
    metrics.consumed(destination, null, 1);
    return startProcess(metrics, destination, props);
  }

  /** Processing starts: the wait is recorded; returns the processing's timer. */
  static OperationTimer startProcess(
      MessagingMetrics metrics, String destination, AMQP.BasicProperties props) {
    if (metrics == null) {
      return null;
    }
    Date timestamp = props == null ? null : props.getTimestamp();
    return metrics.startProcess(destination, null, timestamp == null ? -1 : timestamp.getTime());
  }
}
