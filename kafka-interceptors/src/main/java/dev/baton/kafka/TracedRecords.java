package dev.baton.kafka;

import dev.baton.core.internal.Faults;
import dev.baton.core.internal.OperationTimer;
import dev.baton.core.internal.Spans;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.AbstractList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of one poll, whose iteration runs each loop body inside that record's CONSUMER
 * {@code process {topic}} span: {@link #iterator()}, {@link #records(TopicPartition)},
 * {@link #records(String)} and {@link #forEach} open a record's span, current, when the loop takes
 * the record, and end it when the loop takes the next one or finishes. Everything else
 * ({@code count()}, {@code partitions()}, {@code nextOffsets()} on kafka-clients 4.x, indexed
 * {@code get} on a partition's list) is the poll's own, untraced.
 *
 * <p>A loop left early ({@code break}, {@code return}, an exception) leaves its record's scope
 * open: the next poll of the same consumer, or its {@code close()}, ends it (see
 * {@link ConsumerSide#closeLeftovers()}), and every span of a batch has the context of its poll as
 * base, so a scope left open never becomes another record's parent. {@code forEach} also records
 * an exception of the action on the span before rethrowing it.
 *
 * <p>Works on kafka-clients 3.9 (no {@code nextOffsets}) and 4.x (built with the two-argument
 * constructor, so {@code nextOffsets()} stays the poll's).
 */
final class TracedRecords<K, V> extends ConsumerRecords<K, V> {

  /** kafka-clients 4.0+: {@code ConsumerRecords(Map, Map)} and {@code nextOffsets()}. */
  private static final boolean HAS_NEXT_OFFSETS = hasNextOffsets();

  private final ConsumerSide side;
  private final Context base;
  private final ConsumerIdentities.Consumer polledBy;

  @SuppressWarnings("removal") // the only constructor kafka-clients 3.9 has
  private TracedRecords(
      Map<TopicPartition, List<ConsumerRecord<K, V>>> records,
      ConsumerSide side,
      Context base,
      ConsumerIdentities.Consumer polledBy) {
    super(records);
    this.side = side;
    this.base = base;
    this.polledBy = polledBy;
  }

  /** kafka-clients 4.x only: never called where the two-argument constructor is missing. */
  private TracedRecords(
      Map<TopicPartition, List<ConsumerRecord<K, V>>> records,
      Map<TopicPartition, OffsetAndMetadata> nextOffsets,
      ConsumerSide side,
      Context base,
      ConsumerIdentities.Consumer polledBy) {
    super(records, nextOffsets);
    this.side = side;
    this.base = base;
    this.polledBy = polledBy;
  }

  private static boolean hasNextOffsets() {
    try {
      ConsumerRecords.class.getConstructor(Map.class, Map.class);
      ConsumerRecords.class.getMethod("nextOffsets");
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  static <K, V> TracedRecords<K, V> of(
      ConsumerRecords<K, V> records,
      ConsumerSide side,
      Context base,
      ConsumerIdentities.Consumer polledBy) {
    Map<TopicPartition, List<ConsumerRecord<K, V>>> byPartition = new LinkedHashMap<>();
    for (TopicPartition tp : records.partitions()) {
      byPartition.put(tp, records.records(tp));
    }
    return HAS_NEXT_OFFSETS
        ? new TracedRecords<>(byPartition, records.nextOffsets(), side, base, polledBy)
        : new TracedRecords<>(byPartition, side, base, polledBy);
  }

  @Override
  public Iterator<ConsumerRecord<K, V>> iterator() {
    return new ProcessIterator<>(super.iterator(), this);
  }

  @Override
  public List<ConsumerRecord<K, V>> records(TopicPartition partition) {
    List<ConsumerRecord<K, V>> records = super.records(partition);
    return records.isEmpty() ? records : new TracedList<>(records, this);
  }

  @Override
  public Iterable<ConsumerRecord<K, V>> records(String topic) {
    return new TracedIterable<>(super.records(topic), this);
  }

  @Override
  public void forEach(Consumer<? super ConsumerRecord<K, V>> action) {
    forEach(iterator(), action);
  }

  /** Runs {@code action} per record in its span; an exception is recorded, then rethrown. */
  static <K, V> void forEach(
      Iterator<ConsumerRecord<K, V>> iterator, Consumer<? super ConsumerRecord<K, V>> action) {
    Objects.requireNonNull(action, "action == null");
    ProcessIterator<K, V> it = (ProcessIterator<K, V>) iterator;
    while (it.hasNext()) {
      ConsumerRecord<K, V> record = it.next();
      try {
        action.accept(record);
      } catch (Throwable t) {
        it.failed(t);
        throw t;
      }
    }
  }

  /** Starts the span of {@code record} and makes it current; {@code null} on a fault of Baton's. */
  OpenRecord open(ConsumerRecord<K, V> record) {
    try {
      Context context = side.tracing.processContext(record, base, polledBy);
      OperationTimer timer = KafkaMetrics.startProcess(side.tracing.metrics(), record, polledBy);
      return new OpenRecord(Span.fromContext(context), context, context.makeCurrent(), timer);
    } catch (RuntimeException e) {
      Faults.report("kafka process span", e);
      return null;
    }
  }

  /** One record's span and the scope that made it current, on the thread that opened it. */
  static final class OpenRecord {
    private static final AtomicIntegerFieldUpdater<OpenRecord> ENDED =
        AtomicIntegerFieldUpdater.newUpdater(OpenRecord.class, "ended");

    final Span span;
    final Context context;
    final Scope scope;
    final Thread thread = Thread.currentThread();
    /** {@code messaging.process.duration}; {@code null} when not measured. */
    final OperationTimer timer;
    private volatile int ended;

    OpenRecord(Span span, Context context, Scope scope, OperationTimer timer) {
      this.span = span;
      this.context = context;
      this.scope = scope;
      this.timer = timer;
    }

    /** Ends the span, once: the loop's thread and the consumer's next poll may both try. */
    void endSpan() {
      if (ENDED.compareAndSet(this, 0, 1)) {
        if (timer != null) {
          timer.end();
        }
        span.end();
      }
    }

    /**
     * On the thread that opened it: closes the scope if it is the current context (closing it
     * under a context the application made current after it would restore the wrong one), and
     * ends the span.
     */
    void close() {
      try {
        if (Thread.currentThread() == thread && Context.current() == context) {
          scope.close();
        }
      } finally {
        endSpan();
      }
    }
  }

  /**
   * Iteration over a poll's records (or one partition's, or one topic's), each record in its span
   * while the loop body runs. Not thread-safe, like any iterator, except that the consumer's next
   * poll may end an open record from the polling thread.
   */
  static final class ProcessIterator<K, V> implements Iterator<ConsumerRecord<K, V>> {

    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<ProcessIterator, OpenRecord> OPEN =
        AtomicReferenceFieldUpdater.newUpdater(ProcessIterator.class, OpenRecord.class, "open");

    private final Iterator<ConsumerRecord<K, V>> records;
    private final TracedRecords<K, V> owner;
    /** The record the loop body is in, or {@code null}; taken by exactly one closer. */
    private volatile OpenRecord open;
    /** Whether this iteration is in its consumer's list of open ones. */
    private boolean registered;

    ProcessIterator(Iterator<ConsumerRecord<K, V>> records, TracedRecords<K, V> owner) {
      this.records = records;
      this.owner = owner;
    }

    @Override
    public boolean hasNext() {
      boolean more = records.hasNext();
      if (!more) {
        closeOpen();
        if (registered) {
          registered = false;
          owner.side.finished(this);
        }
      }
      return more;
    }

    @Override
    public ConsumerRecord<K, V> next() {
      closeOpen();
      ConsumerRecord<K, V> record = records.next();
      OpenRecord opened = owner.open(record);
      if (opened != null) {
        open = opened;
        if (!registered) {
          registered = true;
          owner.side.opened(this);
        }
      }
      return record;
    }

    @Override
    public void remove() {
      records.remove();
    }

    /** The loop body of the open record threw {@code error}: recorded, and the record ends. */
    void failed(Throwable error) {
      OpenRecord current = OPEN.getAndSet(this, null);
      if (current != null) {
        Spans.recordException(current.span, error);
        if (current.timer != null) {
          current.timer.error(error);
        }
        current.close();
      }
    }

    private void closeOpen() {
      OpenRecord current = OPEN.getAndSet(this, null);
      if (current != null) {
        current.close();
      }
    }

    /**
     * The consumer polled again or closed while this loop still held a record open. On the loop's
     * own thread the record ends, scope and span. On another thread only the span ends: a scope
     * can only be closed where it was opened, which this loop does when it goes on.
     */
    void abandoned() {
      registered = false;
      OpenRecord current = open;
      if (current == null) {
        return;
      }
      if (current.thread == Thread.currentThread()) {
        if (OPEN.compareAndSet(this, current, null)) {
          current.close();
        }
      } else {
        current.endSpan();
      }
    }
  }

  /**
   * One partition's records: indexed access as polled; iteration in process spans, as a topic's
   * records ({@link TracedIterable}) are iterated.
   */
  private static final class TracedList<K, V> extends AbstractList<ConsumerRecord<K, V>> {
    private final List<ConsumerRecord<K, V>> records;
    private final TracedIterable<K, V> traced;

    TracedList(List<ConsumerRecord<K, V>> records, TracedRecords<K, V> owner) {
      this.records = records;
      this.traced = new TracedIterable<>(records, owner);
    }

    @Override
    public ConsumerRecord<K, V> get(int index) {
      return records.get(index);
    }

    @Override
    public int size() {
      return records.size();
    }

    @Override
    public Iterator<ConsumerRecord<K, V>> iterator() {
      return traced.iterator();
    }

    @Override
    public void forEach(Consumer<? super ConsumerRecord<K, V>> action) {
      traced.forEach(action);
    }
  }

  /** One topic's records, iterated in process spans. */
  private static final class TracedIterable<K, V> implements Iterable<ConsumerRecord<K, V>> {
    private final Iterable<ConsumerRecord<K, V>> records;
    private final TracedRecords<K, V> owner;

    TracedIterable(Iterable<ConsumerRecord<K, V>> records, TracedRecords<K, V> owner) {
      this.records = records;
      this.owner = owner;
    }

    @Override
    public Iterator<ConsumerRecord<K, V>> iterator() {
      return new ProcessIterator<>(records.iterator(), owner);
    }

    @Override
    public void forEach(Consumer<? super ConsumerRecord<K, V>> action) {
      TracedRecords.forEach(iterator(), action);
    }
  }
}
