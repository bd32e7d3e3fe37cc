package dev.baton.amqp;

import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.Objects;

/**
 * The messages one traced channel delivered with manual acknowledgement and the application has
 * not settled yet, by delivery tag: what lets a settle span name the message's queue and
 * destination on whatever thread the ack comes from, and count the messages a
 * {@code multiple=true} settle covers. Kept only when settle spans are on.
 *
 * <p>Delivery tags grow by one per delivery on a channel, so the table is a ring indexed by tag,
 * from the oldest unsettled message to the newest, growing up to {@link #MAX_WINDOW} tags. A
 * message left unsettled that long is forgotten (its settle span then names no destination, and a
 * batch count leaves it out). When the channel shuts down every unsettled message goes back to
 * its queue and the table is emptied. Thread-safe: deliveries and acks come from different
 * threads.
 */
final class UnsettledMessages implements ShutdownListener {

  static final int MAX_WINDOW = 1 << 16;

  /**
   * The result of settling up to a tag.
   *
   * @param count how many messages were settled
   * @param spanDestination common to every message of the batch, else {@code null}
   * @param destination common to every message of the batch, else {@code null}
   */
  record Batch(int count, String spanDestination, String destination) {}

  private ReceivedMessage[] slots = new ReceivedMessage[64];
  /** Lowest and highest tag held; meaningful while {@code size > 0}. */
  private long low;
  private long high;
  private int size;

  synchronized void add(long tag, ReceivedMessage message) {
    if (tag <= 0 || message == null) {
      return;
    }
    if (size == 0) {
      low = tag;
      high = tag;
      slots[index(tag)] = message;
      size = 1;
      return;
    }
    long from = Math.min(low, tag);
    long to = Math.max(high, tag);
    while (to - from >= slots.length && slots.length < MAX_WINDOW) {
      grow();
    }
    if (to - from >= slots.length) {
      if (tag < low) {
        return; // older than the whole window: not kept
      }
      while (size > 0 && tag - low >= slots.length) {
        evictLowest();
      }
      if (size == 0) {
        add(tag, message);
        return;
      }
    }
    int i = index(tag);
    if (slots[i] == null) {
      size++;
    }
    slots[i] = message;
    low = Math.min(low, tag);
    high = Math.max(high, tag);
  }

  /** Removes and returns the message with {@code tag}; {@code null} when not held. */
  synchronized ReceivedMessage settle(long tag) {
    if (size == 0 || tag < low || tag > high) {
      return null;
    }
    int i = index(tag);
    ReceivedMessage m = slots[i];
    if (m == null) {
      return null;
    }
    slots[i] = null;
    if (--size == 0) {
      return m;
    }
    if (tag == low) {
      advanceLow();
    } else if (tag == high) {
      retreatHigh();
    }
    return m;
  }

  /** Removes every message up to {@code tag} (every message when {@code tag} is 0). */
  synchronized Batch settleUpTo(long tag) {
    if (size == 0) {
      return new Batch(0, null, null);
    }
    long upper = tag == 0 ? high : Math.min(tag, high);
    int count = 0;
    String spanDestination = null;
    String destination = null;
    boolean mixedName = false;
    boolean mixedDestination = false;
    for (long t = low; t <= upper; t++) {
      int i = index(t);
      ReceivedMessage m = slots[i];
      if (m == null) {
        continue;
      }
      slots[i] = null;
      if (count++ == 0) {
        spanDestination = m.spanDestination();
        destination = m.destination();
      } else {
        mixedName |= !Objects.equals(spanDestination, m.spanDestination());
        mixedDestination |= !Objects.equals(destination, m.destination());
      }
    }
    size -= count;
    if (size > 0 && upper >= low) {
      low = upper + 1;
      advanceLow();
    }
    return new Batch(
        count, mixedName ? null : spanDestination, mixedDestination ? null : destination);
  }

  synchronized int size() {
    return size;
  }

  synchronized void clear() {
    if (size > 0) {
      slots = new ReceivedMessage[64];
      size = 0;
    }
  }

  /** The channel closed: the broker requeues what was unsettled, and new tags start over. */
  @Override
  public void shutdownCompleted(ShutdownSignalException cause) {
    clear();
  }

  private int index(long tag) {
    return (int) (tag & (slots.length - 1));
  }

  private void grow() {
    ReceivedMessage[] bigger = new ReceivedMessage[slots.length * 2];
    for (long t = low; t <= high; t++) {
      bigger[(int) (t & (bigger.length - 1))] = slots[index(t)];
    }
    slots = bigger;
  }

  private void evictLowest() {
    slots[index(low)] = null;
    if (--size > 0) {
      advanceLow();
    }
  }

  private void advanceLow() {
    while (slots[index(low)] == null) {
      low++;
    }
  }

  private void retreatHigh() {
    while (slots[index(high)] == null) {
      high--;
    }
  }
}
