package dev.baton.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.core.internal.SemConv;
import dev.baton.it.KafkaClientsVersion;
import dev.baton.it.LocalKafkaBroker;
import dev.baton.kafka.KafkaTracing;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker goes away under a Baton-traced producer, on a private broker so that no other test
 * sees it down. Every producer span ends exactly once: on kafka-clients 4.1+ with the send's
 * error (those still in the bounded in-flight table) or marked {@code baton.kafka.ack_missing}
 * (those the table evicted); on 3.9/4.0 in {@code onSend}, as documented. The number of producer
 * spans not yet ended never exceeds the configured in-flight maximum, nothing is left after
 * {@code close()}, and the producer's threads go away with it. A send to a topic the producer has
 * no metadata for fails inside {@code send()} after {@code max.block.ms}; its span ends too. After a
 * restart, sends succeed and are traced again.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaBrokerDownIT {

  static final boolean ENDS_ON_ACK = KafkaClientsVersion.atLeast(4, 1);
  static final AttributeKey<Boolean> ACK_MISSING = AttributeKey.booleanKey("baton.kafka.ack_missing");
  static final int INFLIGHT_MAX = 64;
  static final int SENDS_WHILE_DOWN = 3_000;
  /** Threads other parts of the JVM may start meanwhile (JIT, GC, common pool). */
  static final int THREAD_TOLERANCE = 3;

  /**
   * {@code metadata.recovery.strategy} (kafka-clients 3.8+). Its 4.x default, {@code rebootstrap},
   * may drop the cached metadata once the only broker is unreachable; every later send then waits
   * {@code max.block.ms} in {@code send()} instead of queueing. {@code none} keeps the metadata so
   * that thousands of sends queue up quickly; the blocking path is exercised separately, with a
   * topic the producer never saw.
   */
  static final String METADATA_RECOVERY_STRATEGY = "metadata.recovery.strategy";

  final InMemoryTelemetry spans = InMemoryTelemetry.create(W3CTraceContextPropagator.getInstance());
  final KafkaTracing tracing = KafkaTracing.builder(spans.openTelemetry()).producerInflightMax(INFLIGHT_MAX).build();

  @AfterEach
  void noLeakedScope() {
    assertThat(Context.current()).as("no scope leaked on the test thread").isSameAs(Context.root());
  }

  @Test
  void everyProducerSpanEndsWhileTheBrokerIsDownAndTracingResumesAfterARestart() throws Exception {
    String topic = "down-" + UUID.randomUUID();
    String sendName = "send " + topic;
    try (LocalKafkaBroker broker = LocalKafkaBroker.start(false)) {
      broker.createTopic(topic, 1);
      String unseen = "down-unseen-" + UUID.randomUUID();
      broker.createTopic(unseen, 1); // the producer never learns its metadata before the stop
      int threadsBefore = liveThreads();

      Map<String, Object> config = new HashMap<>(tracing.producerProperties());
      config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000);
      config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2_000);
      config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 500);
      config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
      config.put(METADATA_RECOVERY_STRATEGY, "none");
      config.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 500);
      KafkaProducer<String, String> producer =
          new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
      try {
        // warm: metadata known, so sends while the broker is down queue up instead of blocking
        producer.send(new ProducerRecord<>(topic, "warm")).get(30, TimeUnit.SECONDS);
        assertThat(spans.awaitSpan(sendName, SpanKind.PRODUCER).getStatus().getStatusCode())
            .isEqualTo(StatusCode.UNSET);

        broker.stop();
        AtomicInteger failed = new AtomicInteger();
        CountDownLatch answered = new CountDownLatch(SENDS_WHILE_DOWN);
        long loopDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (int i = 1; i <= SENDS_WHILE_DOWN; i++) {
          assertThat(System.nanoTime()).as("sends queue, they do not block (send %d)", i)
              .isLessThan(loopDeadline);
          producer.send(new ProducerRecord<>(topic, "v" + i), (md, e) -> {
            if (e != null) {
              failed.incrementAndGet();
            }
            answered.countDown();
          });
          if (i % 100 == 0) { // no span waits beyond the in-flight maximum
            int open = 1 + i - spans.spans(sendName, SpanKind.PRODUCER).size();
            assertThat(open).as("producer spans not ended after %d sends", i)
                .isLessThanOrEqualTo(ENDS_ON_ACK ? INFLIGHT_MAX : 0);
          }
        }
        assertThat(answered.await(30, TimeUnit.SECONDS)).as("every send answered").isTrue();
        assertThat(failed.get()).as("every send while down failed").isEqualTo(SENDS_WHILE_DOWN);

        // every span ended (none waits for an answer any more), each once
        List<SpanData> whileDown = awaitEnded(sendName, 1 + SENDS_WHILE_DOWN);
        Set<String> ids = new HashSet<>();
        whileDown.forEach(s -> ids.add(s.getSpanId()));
        assertThat(ids).hasSize(1 + SENDS_WHILE_DOWN);
        if (ENDS_ON_ACK) {
          int errors = 0;
          int evicted = 0;
          for (SpanData s : whileDown.subList(1, whileDown.size())) {
            if (Boolean.TRUE.equals(s.getAttributes().get(ACK_MISSING))) {
              evicted++;
              assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
            } else {
              errors++;
              assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
              assertThat(s.getAttributes().get(SemConv.ERROR_TYPE)).isEqualTo(TimeoutException.class.getName());
            }
          }
          // the last INFLIGHT_MAX sends were never evicted: they end with the send's error
          assertThat(errors).isGreaterThanOrEqualTo(INFLIGHT_MAX);
          assertThat(evicted + errors).isEqualTo(SENDS_WHILE_DOWN);
        }

        // a topic without metadata: send() itself waits max.block.ms, fails, and the span ends
        for (int i = 0; i < 3; i++) {
          Future<RecordMetadata> failing = producer.send(new ProducerRecord<>(unseen, "x" + i));
          assertThatThrownBy(() -> failing.get(30, TimeUnit.SECONDS))
              .isInstanceOf(ExecutionException.class)
              .hasCauseInstanceOf(TimeoutException.class);
        }
        for (SpanData s : awaitEnded("send " + unseen, 3)) {
          if (ENDS_ON_ACK) {
            assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(s.getAttributes().get(SemConv.ERROR_TYPE)).isEqualTo(TimeoutException.class.getName());
          }
        }

        broker.restart();
        Span root = spans.openTelemetry().getTracer("it").spanBuilder("after-restart").startSpan();
        RecordMetadata md;
        try (Scope ignored = root.makeCurrent()) {
          md = producer.send(new ProducerRecord<>(topic, "back")).get(30, TimeUnit.SECONDS);
        } finally {
          root.end();
        }
        List<SpanData> all = awaitEnded(sendName, 2 + SENDS_WHILE_DOWN);
        SpanData back = all.stream()
            .filter(s -> s.getParentSpanId().equals(root.getSpanContext().getSpanId()))
            .findFirst().orElseThrow();
        assertThat(back.getTraceId()).isEqualTo(root.getSpanContext().getTraceId());
        assertThat(back.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        if (ENDS_ON_ACK) {
          assertThat(back.getAttributes().get(SemConv.MESSAGING_KAFKA_OFFSET)).isEqualTo(md.offset());
        }
      } finally {
        producer.close(Duration.ofSeconds(10));
      }
      // close() ends whatever still waited; here nothing did, and nothing starts later
      assertThat(spans.spans(sendName, SpanKind.PRODUCER)).hasSize(2 + SENDS_WHILE_DOWN);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(liveThreads()).as("live threads after close, before: %d", threadsBefore)
              .isLessThanOrEqualTo(threadsBefore + THREAD_TOLERANCE));
    }
  }

  @Test
  void closingTheProducerWhileTheBrokerIsDownEndsEveryWaitingSpan() throws Exception {
    String topic = "down-close-" + UUID.randomUUID();
    String sendName = "send " + topic;
    int sends = 200;
    try (LocalKafkaBroker broker = LocalKafkaBroker.start(false)) {
      broker.createTopic(topic, 1);
      Map<String, Object> config = new HashMap<>(tracing.producerProperties());
      config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
      config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
      config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 500);
      config.put(METADATA_RECOVERY_STRATEGY, "none");
      KafkaProducer<String, String> producer =
          new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
      try {
        producer.send(new ProducerRecord<>(topic, "warm")).get(30, TimeUnit.SECONDS);
        broker.stop();
        for (int i = 0; i < sends; i++) {
          producer.send(new ProducerRecord<>(topic, "v" + i));
        }
        // the delivery timeout is a minute away: only close() can end the waiting spans now
        if (ENDS_ON_ACK) {
          assertThat(spans.spans(sendName, SpanKind.PRODUCER).size())
              .isEqualTo(1 + sends - INFLIGHT_MAX);
        }
      } finally {
        producer.close(Duration.ofSeconds(1));
      }
      List<SpanData> all = awaitEnded(sendName, 1 + sends);
      if (ENDS_ON_ACK) {
        long missing = all.stream()
            .filter(s -> Boolean.TRUE.equals(s.getAttributes().get(ACK_MISSING))).count();
        assertThat(missing).as("evicted, or ended by close() or the producer's abort").isGreaterThan(0);
      }
    }
  }

  /** Waits (up to 30 s) for {@code count} ended PRODUCER spans named {@code name}; fails on more. */
  List<SpanData> awaitEnded(String name, int count) {
    await().atMost(Duration.ofSeconds(30))
        .until(() -> spans.spans(name, SpanKind.PRODUCER).size() >= count);
    List<SpanData> found = spans.spans(name, SpanKind.PRODUCER);
    assertThat(found).hasSize(count);
    return found;
  }

  static int liveThreads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }
}
