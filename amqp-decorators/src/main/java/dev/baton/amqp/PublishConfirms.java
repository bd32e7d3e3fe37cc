package dev.baton.amqp;

import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.baton.core.internal.MessagingMetrics;
import dev.baton.core.internal.PendingSpans;
import dev.baton.core.internal.Spans;
import io.opentelemetry.api.trace.Span;

/**
 * Publish spans of one channel in confirm mode, waiting for the broker's {@code basic.ack} or
 * {@code basic.nack}, keyed by publish sequence number. Registered on the channel as a confirm
 * listener and a shutdown listener: an ack ends the span, a nack ends it as an error, and a
 * channel that closes (or loses its connection, before recovery renumbers the sequence) ends all
 * that are left as errors. The table is the core's {@link PendingSpans}, ordered by sequence
 * number (a {@code multiple} confirm covers every number up to its own): bounded, so when
 * {@code max} spans wait, the oldest ends at once, marked {@link AmqpSpans#CONFIRM_EVICTED}.
 * Publishing threads and the connection's thread share one lock, held only for table operations.
 *
 * <p>Limitation: the sequence number is read just before {@code basicPublish}; when several
 * threads publish on one channel at once (which RabbitMQ advises against) a span may end on the
 * confirm of a neighbouring message, a few microseconds off, or two spans may claim one sequence
 * number, in which case the earlier one ends at once, marked {@link AmqpSpans#CONFIRM_EVICTED}.
 * Every span still ends.
 */
final class PublishConfirms implements ConfirmListener, ShutdownListener {

  static final String ERROR_NACK = "nack";
  static final String ERROR_CLOSED = "channel_closed";

  /** The lock of every operation below. */
  private final PendingSpans pending;

  PublishConfirms(int max) {
    this.pending = new PendingSpans(max, PendingSpans.Order.KEY, AmqpSpans.CONFIRM_EVICTED);
  }

  /**
   * Makes {@code span} wait for the confirm of {@code seqNo}. Should two threads have read the
   * same sequence number before either published, the earlier span can no longer be matched to a
   * confirm, so it ends now rather than never (as does the oldest, when the table is full).
   */
  void track(long seqNo, Span span) {
    Span out;
    synchronized (pending) {
      out = pending.add(seqNo, null, span);
    }
    if (out != null && out != span) {
      pending.endEarly(out, null);
    }
  }

  /** Takes back the span of a publish that failed; returns it, or {@code null} if already gone. */
  Span untrack(long seqNo) {
    synchronized (pending) {
      return pending.take(seqNo);
    }
  }

  int size() {
    synchronized (pending) {
      return pending.size();
    }
  }

  @Override
  public void handleAck(long deliveryTag, boolean multiple) {
    settle(deliveryTag, multiple, false);
  }

  @Override
  public void handleNack(long deliveryTag, boolean multiple) {
    settle(deliveryTag, multiple, true);
  }

  private void settle(long deliveryTag, boolean multiple, boolean nack) {
    String errorType = nack ? ERROR_NACK : null;
    if (!multiple) {
      end(untrack(deliveryTag), errorType, "the broker nacked the message");
      return;
    }
    Span span;
    while ((span = takeOldestUpTo(deliveryTag)) != null) {
      end(span, errorType, "the broker nacked the message");
    }
  }

  private Span takeOldestUpTo(long seqNo) {
    synchronized (pending) {
      return pending.takeOldestUpTo(seqNo);
    }
  }

  @Override
  public void shutdownCompleted(ShutdownSignalException cause) {
    Span span;
    while ((span = takeOldestUpTo(Long.MAX_VALUE)) != null) {
      end(span, ERROR_CLOSED, "the channel closed before the broker confirmed the message");
    }
  }

  private static void end(Span span, String errorType, String description) {
    if (span == null) {
      return;
    }
    if (errorType != null) {
      Spans.markError(span, errorType, description);
    }
    if (!ERROR_CLOSED.equals(errorType)) {
      MessagingMetrics.answered(span); // an ack or a nack: the broker's answer
    }
    span.end();
  }
}
