package dev.baton.it.faults;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Sends records {@code <name>:0} to {@code <name>:<records - 1>} through a traced producer, each
 * under a root span of its own, as an application that must lose nothing would: a send that fails
 * is sent again (a new record, so a new send span) until one succeeds. At most {@code window}
 * records wait for an answer; {@code rate} (per second, 0 = as fast as possible) spreads the new
 * records over time, and the {@link FaultGates} stop it where faults go.
 *
 * <p>With {@code keepAttempts}, every send is remembered by the span id its {@code traceparent}
 * carries, with its record, root span and answer, for the test to match against the spans.
 */
final class KafkaSender implements Runnable {

  /** One send of one record: what the application knows of it. */
  static final class Attempt {
    final String sender;
    final int id;
    final String rootSpanId;
    final String traceId;
    /** Null until answered; then "ok" or the class name of the send's exception. */
    volatile String outcome;

    Attempt(String sender, int id, Span root) {
      this.sender = sender;
      this.id = id;
      this.rootSpanId = root.getSpanContext().getSpanId();
      this.traceId = root.getSpanContext().getTraceId();
    }
  }

  final String name;
  private final KafkaProducer<String, String> producer;
  private final String topic;
  private final Tracer tracer;
  final int records;
  private final int rate;
  private final FaultGates gates;
  private final long deadlineNanos;
  private final boolean keepAttempts;
  private final Semaphore window;

  final Map<String, Attempt> attempts = new ConcurrentHashMap<>();
  final AtomicLong sends = new AtomicLong();
  final AtomicLong failures = new AtomicLong();
  final Map<String, LongAdder> failureTypes = new ConcurrentHashMap<>();
  /** Ids with at least one failed send. */
  private final BitSet failedOnce = new BitSet();
  private final BitSet acked = new BitSet();
  private final AtomicInteger ackedCount = new AtomicInteger();
  private final ConcurrentLinkedQueue<Integer> toResend = new ConcurrentLinkedQueue<>();
  private final AtomicInteger noTraceparent = new AtomicInteger();
  volatile Throwable error;

  KafkaSender(String name, KafkaProducer<String, String> producer, String topic, Tracer tracer,
      int records, int rate, int window, FaultGates gates, long deadlineNanos,
      boolean keepAttempts) {
    this.name = name;
    this.producer = producer;
    this.topic = topic;
    this.tracer = tracer;
    this.records = records;
    this.rate = rate;
    this.window = new Semaphore(window);
    this.gates = gates;
    this.deadlineNanos = deadlineNanos;
    this.keepAttempts = keepAttempts;
  }

  @Override
  public void run() {
    try {
      long paceFrom = System.nanoTime();
      int pacedFrom = 0;
      int next = 0;
      while (ackedCount.get() < records) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException(name + ": " + ackedCount.get() + " of " + records
              + " records acknowledged before the deadline");
        }
        Integer id = toResend.poll();
        if (id == null) {
          if (next == records) {
            Thread.sleep(5); // every record sent once; waiting for answers or failures
            continue;
          }
          if (gates.beforeMessage(next, left, TimeUnit.NANOSECONDS)) {
            paceFrom = System.nanoTime();
            pacedFrom = next;
          }
          if (rate > 0) {
            long due = paceFrom + (next - pacedFrom) * 1_000_000_000L / rate;
            long early = due - System.nanoTime();
            if (early > 0) {
              LockSupport.parkNanos(early);
            }
          }
          id = next++;
        }
        if (!window.tryAcquire(left, TimeUnit.NANOSECONDS)) {
          throw new TimeoutException(name + ": no answer to " + window + " sends");
        }
        send(id);
      }
    } catch (Throwable t) {
      error = t;
    }
  }

  private void send(int id) {
    String value = name + ":" + id;
    Span root = tracer.spanBuilder("order " + value).setNoParent().startSpan();
    Attempt attempt = keepAttempts ? new Attempt(name, id, root) : null;
    ProducerRecord<String, String> record = new ProducerRecord<>(topic, value, value);
    sends.incrementAndGet();
    try (Scope ignored = root.makeCurrent()) {
      producer.send(record, (metadata, exception) -> answered(id, attempt, exception));
    } finally {
      root.end();
    }
    if (attempt != null) {
      String spanId = spanIdOf(record.headers().lastHeader("traceparent"));
      attempts.put(spanId != null ? spanId : "none-" + noTraceparent.incrementAndGet(), attempt);
    }
  }

  private void answered(int id, Attempt attempt, Exception exception) {
    window.release();
    if (attempt != null) {
      attempt.outcome = exception == null ? "ok" : exception.getClass().getName();
    }
    if (exception == null) {
      synchronized (acked) {
        if (!acked.get(id)) {
          acked.set(id);
          ackedCount.incrementAndGet();
        }
      }
    } else {
      failures.incrementAndGet();
      failureTypes.computeIfAbsent(exception.getClass().getName(), k -> new LongAdder())
          .increment();
      synchronized (failedOnce) {
        failedOnce.set(id);
      }
      toResend.add(id);
    }
  }

  int acknowledged() {
    return ackedCount.get();
  }

  boolean failedOnce(int id) {
    synchronized (failedOnce) {
      return failedOnce.get(id);
    }
  }

  int idsWithFailures() {
    synchronized (failedOnce) {
      return failedOnce.cardinality();
    }
  }

  /** The span id a {@code traceparent} header carries, or null. */
  static String spanIdOf(Header traceparent) {
    if (traceparent == null || traceparent.value() == null || traceparent.value().length < 52) {
      return null;
    }
    return new String(traceparent.value(), 36, 16, StandardCharsets.US_ASCII);
  }

  /** The trace id a {@code traceparent} header carries, or null. */
  static String traceIdOf(Header traceparent) {
    if (traceparent == null || traceparent.value() == null || traceparent.value().length < 52) {
      return null;
    }
    return new String(traceparent.value(), 3, 32, StandardCharsets.US_ASCII);
  }
}
