package dev.baton.amqp;

import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.baton.core.internal.Spans;
import io.opentelemetry.api.trace.Span;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Publish spans of one channel in confirm mode, waiting for the broker's {@code basic.ack} or
 * {@code basic.nack}, keyed by publish sequence number. Registered on the channel as a confirm
 * listener and a shutdown listener: an ack ends the span, a nack ends it as an error, and a
 * channel that closes (or loses its connection, before recovery renumbers the sequence) ends all
 * that are left as errors. Bounded: when {@code max} spans wait, the oldest ends at once, marked
 * {@link AmqpSpans#CONFIRM_EVICTED}.
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

  private final ConcurrentNavigableMap<Long, Span> pending = new ConcurrentSkipListMap<>();
  // ConcurrentSkipListMap.size() walks the map: count separately.
  private final AtomicInteger size = new AtomicInteger();
  private final int max;

  PublishConfirms(int max) {
    this.max = max;
  }

  /** Makes {@code span} wait for the confirm of {@code seqNo}. */
  void track(long seqNo, Span span) {
    while (size.get() >= max) {
      Map.Entry<Long, Span> oldest = pending.pollFirstEntry();
      if (oldest == null) {
        break;
      }
      size.decrementAndGet();
      Span evicted = oldest.getValue();
      evicted.setAttribute(AmqpSpans.CONFIRM_EVICTED, true);
      evicted.end();
    }
    Span displaced = pending.put(seqNo, span);
    if (displaced == null) {
      size.incrementAndGet();
    } else if (displaced != span) {
      // Two threads read the same sequence number before either published: the earlier span
      // can no longer be matched to a confirm, so it ends now rather than never.
      displaced.setAttribute(AmqpSpans.CONFIRM_EVICTED, true);
      displaced.end();
    }
  }

  /** Takes back the span of a publish that failed; returns it, or {@code null} if already gone. */
  Span untrack(long seqNo) {
    Span span = pending.remove(seqNo);
    if (span != null) {
      size.decrementAndGet();
    }
    return span;
  }

  int size() {
    return size.get();
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
    if (!multiple) {
      end(untrack(deliveryTag), nack ? ERROR_NACK : null, "the broker nacked the message");
      return;
    }
    Map.Entry<Long, Span> e;
    while ((e = pending.firstEntry()) != null && e.getKey() <= deliveryTag) {
      end(untrack(e.getKey()), nack ? ERROR_NACK : null, "the broker nacked the message");
    }
  }

  @Override
  public void shutdownCompleted(ShutdownSignalException cause) {
    Map.Entry<Long, Span> e;
    while ((e = pending.pollFirstEntry()) != null) {
      size.decrementAndGet();
      end(e.getValue(), ERROR_CLOSED, "the channel closed before the broker confirmed the message");
    }
  }

  private static void end(Span span, String errorType, String description) {
    if (span == null) {
      return;
    }
    if (errorType != null) {
      Spans.markError(span, errorType, description);
    }
    span.end();
  }
}
