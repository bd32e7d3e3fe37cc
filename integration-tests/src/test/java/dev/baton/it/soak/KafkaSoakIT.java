package dev.baton.it.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.baton.core.ProcessingScope;
import dev.baton.it.KafkaBroker;
import dev.baton.it.KafkaBrokerExtension;
import dev.baton.it.KafkaClientsVersion;
import dev.baton.it.SoakReport;
import dev.baton.it.SpanCounter;
import dev.baton.it.Vitals;
import dev.baton.kafka.KafkaTracing;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Records through Baton's producer interceptor, the broker, and {@code startProcessing} scopes on
 * the consumer: {@code -Dbaton.soak.kafka.records} of them (10,000 in the normal build; the long
 * run in docs/reliability.md uses 1,000,000). Every record arrives and is processed once, every
 * process span is the child of its record's send span, every span ends (none open once the
 * producer has flushed, i.e. the in-flight table is empty), heap after full GC stays flat between
 * the end of the warm-up (10%) and the end, and the clients' threads go away on close.
 */
@ExtendWith(KafkaBrokerExtension.class)
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class KafkaSoakIT {

  static final int RECORDS = Integer.getInteger("baton.soak.kafka.records", 10_000);
  static final long HEAP_TOLERANCE = 64L << 20;

  @Test
  void everyRecordArrivesOnceAndEverySpanEnds(KafkaBroker kafka) {
    // Once per build: an -Dit.test run also reaches the older-client executions, which skip it.
    assumeTrue(KafkaClientsVersion.atLeast(4, 1), "runs with the default kafka-clients only");
    String topic = "soak-" + UUID.randomUUID();
    kafka.createTopic(topic, 3);
    SpanCounter spans = new SpanCounter();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(spans).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    KafkaTracing tracing = KafkaTracing.create(sdk);
    int threadsBefore = Vitals.threads();

    Map<String, Object> pc = new HashMap<>(tracing.producerProperties());
    pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    pc.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    pc.put(ProducerConfig.ACKS_CONFIG, "all");
    Map<String, Object> cc = new HashMap<>(tracing.consumerProperties());
    cc.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    cc.put(ConsumerConfig.GROUP_ID_CONFIG, "soak-" + UUID.randomUUID());
    cc.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    cc.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);

    BitSet seen = new BitSet(RECORDS);
    long[] counts = new long[3]; // duplicates, wrong parents, processed
    AtomicLong sendErrors = new AtomicLong();
    long started = System.nanoTime();
    long heapWarm;
    long heapEnd;
    int threadsRunning;
    try (KafkaProducer<String, String> producer =
            new KafkaProducer<>(pc, new StringSerializer(), new StringSerializer());
        KafkaConsumer<String, String> consumer =
            new KafkaConsumer<>(cc, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      int warmUp = Math.max(1, RECORDS / 10);
      sendAndProcess(tracing, producer, consumer, topic, 0, warmUp, seen, counts, sendErrors);
      heapWarm = Vitals.heapAfterGc();
      sendAndProcess(tracing, producer, consumer, topic, warmUp, RECORDS, seen, counts, sendErrors);
      producer.flush();
      heapEnd = Vitals.heapAfterGc();
      threadsRunning = Vitals.threads();
      assertThat(spans.open()).as("spans open once every answer is in (in-flight table empty)").isZero();
    }
    long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    int threadsAfter = Vitals.threads();
    long lost = RECORDS - seen.cardinality();
    new SoakReport("kafka-soak")
        .put("records sent", RECORDS)
        .put("records processed", counts[2])
        .put("lost", lost)
        .put("processed twice", counts[0])
        .put("process spans with the wrong parent", counts[1])
        .put("send errors", sendErrors.get())
        .put("spans started", spans.started())
        .put("spans ended", spans.ended())
        .put("spans open after close", spans.open())
        .put("heap after GC, end of warm-up", Vitals.mib(heapWarm))
        .put("heap after GC, end", Vitals.mib(heapEnd))
        .put("threads before clients / running / after close", threadsBefore + " / " + threadsRunning + " / " + threadsAfter)
        .put("duration", seconds + " s (" + (2L * RECORDS / seconds) + " sends+processes/s)")
        .write();

    assertThat(lost).isZero();
    assertThat(counts[0]).isZero();
    assertThat(counts[1]).isZero();
    assertThat(sendErrors.get()).isZero();
    assertThat(spans.started()).isEqualTo(2L * RECORDS);
    assertThat(spans.open()).isZero();
    assertThat(heapEnd).as("heap after GC stays flat").isLessThan(heapWarm + HEAP_TOLERANCE);
    assertThat(threadsAfter).as("client threads gone").isLessThanOrEqualTo(threadsBefore + 2);
    assertThat(Context.current()).isSameAs(Context.root());
  }

  static void sendAndProcess(KafkaTracing tracing, KafkaProducer<String, String> producer, KafkaConsumer<String, String> consumer,
      String topic, int from, int to, BitSet seen, long[] counts, AtomicLong sendErrors) {
    for (int i = from; i < to; i++) {
      producer.send(new ProducerRecord<>(topic, Integer.toString(i), Integer.toString(i)), (md, e) -> {
        if (e != null) {
          sendErrors.incrementAndGet();
        }
      });
    }
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (counts[2] < to && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
        try (ProcessingScope scope = tracing.startProcessing(record)) {
          int id = Integer.parseInt(record.value());
          if (seen.get(id)) {
            counts[0]++;
          }
          seen.set(id);
          Header tp = record.headers().lastHeader("traceparent");
          String sendSpanId = tp == null ? "" : new String(tp.value(), 36, 16, StandardCharsets.US_ASCII);
          if (!((ReadableSpan) scope.span()).getParentSpanContext().getSpanId().equals(sendSpanId)) {
            counts[1]++;
          }
          counts[2]++;
        }
      }
    }
  }
}
