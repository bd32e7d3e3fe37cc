package dev.baton.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.fuzz.Entropy;
import dev.baton.testing.fuzz.FuzzRuns;
import dev.baton.testing.fuzz.W3CFuzz;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.LongStringHelper;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * Fuzz properties of the traced channel's publish and delivery paths over hostile AMQP header
 * tables: nested tables, lists, {@code LongString}s with any bytes, byte arrays, nulls, numbers,
 * dates, and W3C fields of every kind. Nothing is thrown into the caller but its own (or
 * amqp-client's) exceptions, unchanged; the caller's properties, headers and body are passed on
 * untouched; no parent is accepted that the specification rejects; every span ends once.
 */
class AmqpFuzzTest {

  /** Baton owns these names in any casing: a stale {@code TraceParent} is removed on inject. */
  static final Set<String> W3C_NAMES = Set.of(W3CFuzz.W3C);
  static final Counting COUNTS = new Counting();
  static final OpenTelemetrySdk SDK =
      OpenTelemetrySdk.builder()
          .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(COUNTS).build())
          .setPropagators(ContextPropagators.noop())
          .build();
  static final AmqpTracing TRACING = AmqpTracing.create(SDK);

  @FuzzTest
  void publish(FuzzedDataProvider data) throws IOException {
    publishPassesEverythingOn(Entropy.of(data));
  }

  @Test
  void publishRandom() {
    FuzzRuns.run("amqp publish", e -> {
      try {
        publishPassesEverythingOn(e);
      } catch (IOException ex) {
        throw new AssertionError(ex);
      }
    });
  }

  @FuzzTest
  void delivery(FuzzedDataProvider data) {
    deliveryNeverBreaksTheConsumer(Entropy.of(data));
  }

  @Test
  void deliveryRandom() {
    FuzzRuns.run("amqp delivery", AmqpFuzzTest::deliveryNeverBreaksTheConsumer);
  }

  // ---- properties ----

  static void publishPassesEverythingOn(Entropy e) throws IOException {
    long started = COUNTS.started.get();
    long ended = COUNTS.ended.get();
    FakeChannel fake = new FakeChannel();
    IOException failure = e.oneIn(8) ? new IOException("channel closed") : null;
    fake.failure = failure;
    Channel channel = TRACING.wrap(fake.channel);
    Map<String, Object> headers = e.oneIn(5) ? null : table(e, 0);
    Map<String, Object> before = headers == null ? null : new LinkedHashMap<>(headers);
    AMQP.BasicProperties props = e.oneIn(6) ? null : properties(e, headers);
    byte[] body = e.oneIn(10) ? null : e.bytes(64);
    String exchange = e.pick(new String[] {"", "orders", e.text(10)});
    String routingKey = e.pick(new String[] {"", "created", e.text(10)});
    Span parent = e.nextBoolean() ? SDK.getTracer("app").spanBuilder("app").startSpan() : Span.getInvalid();
    try (Scope ignored = parent.makeCurrent()) {
      channel.basicPublish(exchange, routingKey, e.nextBoolean(), props, body);
      assertThat(failure).as("nothing thrown of Baton's").isNull();
    } catch (IOException thrown) {
      assertThat(thrown).isSameAs(failure);
    }
    parent.end();
    assertThat(Context.current()).isSameAs(Context.root());
    if (headers != null) {
      assertThat(headers).as("the caller's table is never changed").containsExactlyEntriesOf(before);
    }
    if (failure == null) {
      assertThat(fake.publishedBody).isSameAs(body);
      AMQP.BasicProperties out = fake.publishedProps;
      if (props != null) {
        assertThat(out).usingRecursiveComparison().ignoringFields("headers").isEqualTo(props);
      }
      Map<String, Object> sent = out.getHeaders();
      if (headers != null && props != null) {
        for (Map.Entry<String, Object> h : headers.entrySet()) {
          if (!W3C_NAMES.contains(h.getKey().toLowerCase(Locale.ROOT))) {
            assertThat(sent).as("header %s", h.getKey()).containsKey(h.getKey());
            assertThat(sent.get(h.getKey())).isSameAs(h.getValue());
          }
        }
      }
      assertThat(sent.get("traceparent")).isInstanceOf(String.class);
      assertThat((String) sent.get("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]");
      if (parent.getSpanContext().isValid()) {
        assertThat((String) sent.get("traceparent")).contains(parent.getSpanContext().getTraceId());
      }
    }
    long spans = 1 + (parent.getSpanContext().isValid() ? 1 : 0);
    assertThat(COUNTS.started.get() - started).isEqualTo(spans).isEqualTo(COUNTS.ended.get() - ended);
    assertThat(COUNTS.endedTwice.get()).isZero();
  }

  static void deliveryNeverBreaksTheConsumer(Entropy e) {
    long started = COUNTS.started.get();
    long ended = COUNTS.ended.get();
    FakeChannel fake = new FakeChannel();
    Channel channel = TRACING.wrap(fake.channel);
    Map<String, Object> headers = e.oneIn(5) ? null : table(e, 0);
    Map<String, Object> before = headers == null ? null : new LinkedHashMap<>(headers);
    AMQP.BasicProperties props = e.oneIn(8) ? null : properties(e, headers);
    Envelope envelope = e.oneIn(10) ? null
        : new Envelope(e.nextInt(1000), e.nextBoolean(), e.pick(new String[] {"", "orders", e.text(8)}),
            e.pick(new String[] {"", "created", e.text(8)}));
    byte[] body = e.oneIn(10) ? null : e.bytes(64);
    Throwable failure = e.pick(new Throwable[] {null, null, null, new IOException("handler"),
        new IllegalStateException("handler")});
    Object[] seen = new Object[4];
    try {
      channel.basicConsume(e.pick(new String[] {"billing", "", e.text(8)}), new Consumer() {
        @Override
        public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties p, byte[] b)
            throws IOException {
          seen[0] = env;
          seen[1] = p;
          seen[2] = b;
          seen[3] = Span.current();
          if (failure instanceof IOException) {
            throw (IOException) failure;
          }
          if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
          }
        }

        @Override
        public void handleConsumeOk(String consumerTag) {}

        @Override
        public void handleCancelOk(String consumerTag) {}

        @Override
        public void handleCancel(String consumerTag) {}

        @Override
        public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {}

        @Override
        public void handleRecoverOk(String consumerTag) {}
      });
      fake.consumer.handleDelivery("ctag", envelope, props, body);
      assertThat(failure).as("nothing thrown of Baton's").isNull();
    } catch (IOException | RuntimeException thrown) {
      assertThat(thrown).as("the handler's exception, unchanged").isSameAs(failure);
    }
    assertThat(Context.current()).isSameAs(Context.root());
    assertThat(seen[0]).isSameAs(envelope);
    assertThat(seen[1]).isSameAs(props);
    assertThat(seen[2]).isSameAs(body);
    if (headers != null) {
      assertThat(headers).containsExactlyEntriesOf(before);
    }
    // What the consumer sees: BasicProperties keeps a copy of the table, whose iteration order
    // (which decides among differently cased duplicates) may differ from the original's.
    Map<String, Object> delivered = props == null ? null : props.getHeaders();
    Matcher expected = W3CFuzz.expectedParent(entries(delivered), 8192);
    boolean recorded = expected == null || (Integer.parseInt(expected.group(4), 16) & 1) == 1;
    assertThat(COUNTS.started.get() - started).isEqualTo(recorded ? 1 : 0)
        .isEqualTo(COUNTS.ended.get() - ended);
    Span span = (Span) seen[3];
    if (expected != null) {
      assertThat(span.getSpanContext().getTraceId()).as("trace from %s", describe(delivered))
          .isEqualTo(expected.group(2));
    }
    if (recorded) {
      SpanContext parent = ((ReadableSpan) span).getParentSpanContext();
      if (expected == null) {
        assertThat(parent.isValid()).isFalse();
      } else {
        assertThat(parent.getSpanId()).isEqualTo(expected.group(3));
      }
    }
    assertThat(COUNTS.endedTwice.get()).isZero();
  }

  // ---- generators ----

  /** A header table as amqp-client hands it over (LongString text) or as an application builds it. */
  static Map<String, Object> table(Entropy e, int depth) {
    Map<String, Object> t = new HashMap<>();
    int n = e.nextInt(depth == 0 ? 8 : 3);
    for (int i = 0; i < n; i++) {
      String name = W3CFuzz.name(e);
      t.put(name, value(e, name, depth));
    }
    return t;
  }

  static Object value(Entropy e, String name, int depth) {
    switch (e.nextInt(12)) {
      case 0:
        return depth < 2 ? table(e, depth + 1) : null;
      case 1: {
        List<Object> list = new ArrayList<>();
        int n = e.nextInt(3);
        for (int i = 0; i < n; i++) {
          list.add(value(e, name, depth + 1));
        }
        return list;
      }
      case 2:
        return e.pick(new Object[] {null, 42, 7L, new BigDecimal("1.5"), new Date(0L), true, (byte) 1, 2.5d});
      case 3: case 4: case 5: {
        Object raw = W3CFuzz.raw(e, W3CFuzz.valueFor(e, name, true));
        byte[] bytes = raw instanceof byte[] ? (byte[]) raw
            : raw instanceof CharSequence ? raw.toString().getBytes(StandardCharsets.UTF_8) : e.bytes(16);
        return LongStringHelper.asLongString(bytes);
      }
      default:
        return W3CFuzz.raw(e, W3CFuzz.valueFor(e, name, true));
    }
  }

  static AMQP.BasicProperties properties(Entropy e, Map<String, Object> headers) {
    AMQP.BasicProperties.Builder b = new AMQP.BasicProperties.Builder().headers(headers);
    if (e.nextBoolean()) {
      b.messageId(e.text(10)).correlationId("c" + e.nextInt(9)).contentType("application/json");
    }
    if (e.nextBoolean()) {
      b.deliveryMode(1 + e.nextInt(2)).priority(e.nextInt(10)).expiration("60000").appId(e.ascii(5))
          .timestamp(new Date(1000L * e.nextInt(1000))).type("t").userId("guest").replyTo("r");
    }
    return b.build();
  }

  static String describe(Map<String, Object> headers) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Object> h : entries(headers)) {
      Object v = h.getValue();
      String text = v instanceof byte[] ? "bytes:" + new String((byte[]) v, StandardCharsets.ISO_8859_1)
          : v == null ? "null" : v.getClass().getSimpleName() + ":" + v;
      sb.append('[').append(h.getKey()).append("] = [").append(text).append("]\n");
    }
    return sb.toString().replaceAll("[^\\x20-\\x7e\\n]", "?");
  }

  static List<Map.Entry<String, Object>> entries(Map<String, Object> headers) {
    List<Map.Entry<String, Object>> out = new ArrayList<>();
    if (headers != null) {
      for (Map.Entry<String, Object> h : headers.entrySet()) {
        Object v = h.getValue();
        out.add(new SimpleEntry<>(h.getKey(), v instanceof LongString ? ((LongString) v).getBytes() : v));
      }
    }
    return out;
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
