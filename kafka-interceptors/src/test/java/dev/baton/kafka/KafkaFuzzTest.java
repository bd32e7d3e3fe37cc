package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.fuzz.Entropy;
import dev.baton.testing.fuzz.FuzzRuns;
import dev.baton.testing.fuzz.W3CFuzz;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * Fuzz properties of the Kafka interceptors and processing scope over hostile record headers
 * (null values, duplicates with differing values, non-UTF-8, huge values, read-only headers) and
 * any key/value: nothing thrown into the producer or consumer, the record and the user's headers
 * go through unchanged, one {@code traceparent} out, no parent accepted that the specification
 * rejects, and every span started is ended, once, whatever order the broker's answers come in.
 */
class KafkaFuzzTest {

  /** Baton owns these names in any casing: a stale {@code TraceParent} is removed on inject. */
  static final Set<String> W3C_NAMES = Set.of(W3CFuzz.W3C);
  static final Counting COUNTS = new Counting();
  static final OpenTelemetrySdk SDK =
      OpenTelemetrySdk.builder()
          .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(COUNTS).build())
          .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
          .build();
  static final KafkaTracing TRACING = KafkaTracing.create(SDK);

  @FuzzTest
  void producer(FuzzedDataProvider data) {
    producerPassesRecordsThroughAndEndsEverySpan(Entropy.of(data));
  }

  @Test
  void producerRandom() {
    FuzzRuns.run("kafka producer", KafkaFuzzTest::producerPassesRecordsThroughAndEndsEverySpan);
  }

  @FuzzTest
  void consumer(FuzzedDataProvider data) {
    processingNeverBreaksTheConsumer(Entropy.of(data));
  }

  @Test
  void consumerRandom() {
    FuzzRuns.run("kafka consumer", KafkaFuzzTest::processingNeverBreaksTheConsumer);
  }

  // ---- properties ----

  static void producerPassesRecordsThroughAndEndsEverySpan(Entropy e) {
    long started = COUNTS.started.get();
    long ended = COUNTS.ended.get();
    Map<String, Object> config = new HashMap<>(
        KafkaTracing.builder(SDK).producerInflightMax(1 + e.nextInt(4)).build().producerProperties());
    TracingProducerInterceptor interceptor = new TracingProducerInterceptor();
    interceptor.configure(config);
    int max = 1 + e.nextInt(6);
    List<ProducerRecord<Object, Object>> sent = new ArrayList<>();
    Span parent = e.nextBoolean() ? SDK.getTracer("app").spanBuilder("app").startSpan() : Span.getInvalid();
    try (Scope ignored = parent.makeCurrent()) {
      for (int i = 0; i < max; i++) {
        Headers headers = headers(e);
        List<Map.Entry<String, byte[]>> user = snapshot(headers);
        Object key = e.pick(new Object[] {null, "k", e.bytes(20), 7L});
        Object value = e.pick(new Object[] {null, "v", e.bytes(100), e.text(50)});
        Integer partition = e.oneIn(3) ? null : e.nextInt(100);
        ProducerRecord<Object, Object> record = new ProducerRecord<>(
            e.oneIn(4) ? e.text(10) : "orders", partition, e.oneIn(2) ? null : 1234L, key, value, headers);
        boolean readOnly = e.oneIn(4);
        if (readOnly) { // as kafka-clients leaves them after a first send
          ((RecordHeaders) record.headers()).setReadOnly();
        }

        ProducerRecord<Object, Object> out = interceptor.onSend(record);

        assertThat(out.topic()).isSameAs(record.topic());
        assertThat(out.partition()).isSameAs(record.partition());
        assertThat(out.timestamp()).isSameAs(record.timestamp());
        assertThat(out.key()).isSameAs(key);
        assertThat(out.value()).isSameAs(value);
        if (readOnly) {
          assertThat(snapshot(record.headers())).as("read-only headers untouched")
              .usingElementComparator(KafkaFuzzTest::compareEntries).containsExactlyElementsOf(user);
        }
        List<Map.Entry<String, byte[]>> kept = new ArrayList<>();
        for (Map.Entry<String, byte[]> h : snapshot(out.headers())) {
          if (!W3C_NAMES.contains(h.getKey().toLowerCase(Locale.ROOT))) {
            kept.add(h);
          }
        }
        List<Map.Entry<String, byte[]>> expected = new ArrayList<>();
        for (Map.Entry<String, byte[]> h : user) {
          if (!W3C_NAMES.contains(h.getKey().toLowerCase(Locale.ROOT))) {
            expected.add(h);
          }
        }
        assertThat(kept).as("the user's headers, in order")
            .usingElementComparator(KafkaFuzzTest::compareEntries).containsExactlyElementsOf(expected);
        assertThat(out.headers().headers("traceparent")).hasSize(1);
        String tp = new String(out.headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8);
        assertThat(tp).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]");
        if (parent.getSpanContext().isValid()) {
          assertThat(tp).contains(parent.getSpanContext().getTraceId());
        }
        assertThat(interceptor.inFlightCount()).isLessThanOrEqualTo(4);
        sent.add(out);
      }
    }
    // The broker's answers: in any order, some with errors, some on copied headers, some twice,
    // some never (ended by close()).
    for (int i = 0; i < sent.size() * 2; i++) {
      ProducerRecord<Object, Object> r = sent.get(e.nextInt(sent.size()));
      Headers h = e.oneIn(3) ? new RecordHeaders(r.headers().toArray()) : r.headers();
      Exception error = e.oneIn(4) ? new NotLeaderOrFollowerException("fuzz") : null;
      RecordMetadata md = error != null && e.nextBoolean() ? null
          : new RecordMetadata(new TopicPartition(r.topic(), e.nextInt(3) - 1), e.nextInt(1000) - 1, 0,
              0L, e.nextInt(10) - 1, e.nextInt(10) - 1);
      interceptor.onAcknowledgement(md, error, h);
    }
    interceptor.close();
    parent.end();
    assertThat(interceptor.inFlightCount()).isZero();
    assertThat(COUNTS.started.get() - started).as("spans started")
        .isEqualTo(COUNTS.ended.get() - ended).isEqualTo(sent.size() + (parent.getSpanContext().isValid() ? 1 : 0));
    assertThat(COUNTS.endedTwice.get()).isZero();
  }

  static void processingNeverBreaksTheConsumer(Entropy e) {
    long started = COUNTS.started.get();
    long ended = COUNTS.ended.get();
    Headers headers = headers(e);
    List<Map.Entry<String, byte[]>> before = snapshot(headers);
    Object value = e.oneIn(4) ? null : e.bytes(50);
    ConsumerRecord<Object, Object> record = new ConsumerRecord<>(
        "orders", e.nextInt(4), e.nextInt(1_000_000), 0L, TimestampType.CREATE_TIME,
        -1, e.nextInt(100) - 1, e.pick(new Object[] {null, "k", e.bytes(8)}), value, headers, Optional.empty());
    RuntimeException failure = e.oneIn(3) ? new IllegalStateException("user code failed") : null;
    Span[] seen = new Span[1];
    try {
      TRACING.process(record, r -> {
        assertThat(r).isSameAs(record);
        seen[0] = Span.current();
        if (failure != null) {
          throw failure;
        }
      });
      assertThat(failure).as("no exception of its own").isNull();
    } catch (IllegalStateException thrown) {
      assertThat(thrown).as("the user's exception, unchanged").isSameAs(failure);
    }
    assertThat(Context.current()).isSameAs(Context.root());
    assertThat(snapshot(headers)).usingElementComparator(KafkaFuzzTest::compareEntries)
        .containsExactlyElementsOf(before);
    Matcher expected = W3CFuzz.expectedParent(entries(headers), 8192);
    // A parent that is not sampled makes an unrecorded span, which the processor never sees.
    boolean recorded = expected == null || (Integer.parseInt(expected.group(4), 16) & 1) == 1;
    assertThat(COUNTS.started.get() - started).as("spans started")
        .isEqualTo(recorded ? 1 : 0).isEqualTo(COUNTS.ended.get() - ended);
    if (expected == null) {
      assertThat(seen[0].getSpanContext().getTraceId()).isNotEqualTo("0".repeat(32));
    } else {
      assertThat(seen[0].getSpanContext().getTraceId()).isEqualTo(expected.group(2));
    }
    if (recorded) {
      ReadableSpan process = (ReadableSpan) seen[0];
      assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
      assertThat(process.hasEnded()).isTrue();
      SpanContext parent = process.getParentSpanContext();
      if (expected == null) {
        assertThat(parent.isValid()).as("no parent from %s", before).isFalse();
      } else {
        assertThat(parent.getTraceId()).isEqualTo(expected.group(2));
        assertThat(parent.getSpanId()).isEqualTo(expected.group(3));
      }
    }
    assertThat(COUNTS.endedTwice.get()).isZero();
  }

  // ---- generators and helpers ----

  /** 0 to 8 headers, names sometimes repeated with another value, values sometimes null. */
  static Headers headers(Entropy e) {
    RecordHeaders h = new RecordHeaders();
    int n = e.nextInt(9);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = !names.isEmpty() && e.oneIn(4) ? names.get(e.nextInt(names.size())) : W3CFuzz.name(e);
      names.add(name);
      Object raw = W3CFuzz.raw(e, W3CFuzz.valueFor(e, name, true));
      byte[] value = raw instanceof byte[] ? (byte[]) raw
          : raw instanceof CharSequence ? raw.toString().getBytes(StandardCharsets.UTF_8) : null;
      h.add(name, value);
    }
    return h;
  }

  static List<Map.Entry<String, byte[]>> snapshot(Headers headers) {
    List<Map.Entry<String, byte[]>> out = new ArrayList<>();
    for (Header h : headers) {
      out.add(new SimpleEntry<>(h.key(), h.value()));
    }
    return out;
  }

  static List<Map.Entry<String, Object>> entries(Headers headers) {
    List<Map.Entry<String, Object>> out = new ArrayList<>();
    for (Header h : headers) {
      out.add(new SimpleEntry<>(h.key(), h.value()));
    }
    return out;
  }

  static int compareEntries(Map.Entry<String, byte[]> a, Map.Entry<String, byte[]> b) {
    return a.getKey().equals(b.getKey()) && java.util.Arrays.equals(a.getValue(), b.getValue()) ? 0 : 1;
  }

  /** Counts starts and ends; a span ended twice would reach onEnd twice. */
  static final class Counting implements SpanProcessor {
    final AtomicLong started = new AtomicLong();
    final AtomicLong ended = new AtomicLong();
    final AtomicLong endedTwice = new AtomicLong();
    private final Set<ReadableSpan> endedSpans =
        java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>());

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
      started.incrementAndGet();
    }

    @Override
    public boolean isStartRequired() {
      return true;
    }

    @Override
    public synchronized void onEnd(ReadableSpan span) {
      ended.incrementAndGet();
      if (!endedSpans.add(span)) {
        endedTwice.incrementAndGet();
      }
    }

    @Override
    public boolean isEndRequired() {
      return true;
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
