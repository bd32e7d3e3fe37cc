package dev.baton.benchmarks;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.baton.kafka.KafkaTracing;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One poll of {@value #BATCH} records (one topic, 4 partitions, each record with one application
 * header and the trace headers the producing benchmarks send: {@code traceparent}, a two-entry
 * {@code tracestate} and a three-entry {@code baggage}), made new for every operation as a real
 * poll makes them, then processed one record at a time inside the record's trace.
 *
 * <ul>
 *   <li>Baton: {@code TracingConsumerInterceptor.onConsume(batch)}, then
 *       {@code KafkaTracing.process(record, processor)} per record: a CONSUMER
 *       {@code process orders} span per record, current while the processor runs.
 *   <li>OpenTelemetry: {@code OpenTelemetryConsumerInterceptor.onConsume(batch)} (which wraps the
 *       batch), then a plain loop over the returned batch: its iterator starts a {@code process}
 *       span per record, current until the next record is taken.
 * </ul>
 *
 * {@code baton_processOnly} is Baton's {@code process} without the interceptor. Neither makes a
 * receive/poll span (both libraries' default). Scores are per record
 * ({@code @OperationsPerInvocation}); {@code baseline} builds and iterates the same batch without
 * any interceptor.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(KafkaConsumerBenchmark.BATCH)
public class KafkaConsumerBenchmark {

  static final int BATCH = 100;
  static final int PARTITIONS = 4;
  static final String TOPIC = "orders";

  /**
   * The trace headers as both producer benchmarks write them from {@link Fixtures#SENDING_CONTEXT}
   * (OpenTelemetry keeps {@code tracestate} newest first and baggage sorted by key).
   */
  static final byte[] TRACESTATE = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7".getBytes(US_ASCII);
  static final byte[] BAGGAGE = "order.id=4711,region=eu-west-1,tenant=acme".getBytes(US_ASCII);

  /** Both interceptors, configured the way a consumer configures them. */
  @State(Scope.Thread)
  public static class Interceptors {
    @Param({"SDK", "PROPAGATION"})
    public Telemetry.Mode otel;

    Telemetry telemetry;
    KafkaTracing kafkaTracing;
    ConsumerInterceptor<Object, Object> baton;
    ConsumerInterceptor<Object, Object> openTelemetry;
    KafkaTracing.RecordProcessor<Object, Object, RuntimeException> processor;
    long lastOffset;

    @Setup
    public void setUp() {
      telemetry = Telemetry.create(otel);
      kafkaTracing = KafkaTracing.create(telemetry.openTelemetry());
      baton = KafkaInterceptors.batonConsumer(kafkaTracing);
      openTelemetry = KafkaInterceptors.otelConsumer(telemetry.openTelemetry());

      // built once: the processing code is not what is measured
      processor = record -> lastOffset = record.offset();
    }

    @TearDown
    public void tearDown() {
      baton.close();
      openTelemetry.close();
      telemetry.close();
    }
  }

  static ConsumerRecords<Object, Object> newBatch() {
    Map<TopicPartition, List<ConsumerRecord<Object, Object>>> byPartition = new LinkedHashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      TopicPartition tp = new TopicPartition(TOPIC, p);
      List<ConsumerRecord<Object, Object>> records = new ArrayList<>(BATCH / PARTITIONS);
      for (int i = 0; i < BATCH / PARTITIONS; i++) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("x-source", KafkaProducerBenchmark.SOURCE);
        headers.add("traceparent", Fixtures.TRACEPARENT_BYTES);
        headers.add("tracestate", TRACESTATE);
        headers.add("baggage", BAGGAGE);
        records.add(
            new ConsumerRecord<>(
                TOPIC, p, i, 1_700_000_000_000L, TimestampType.CREATE_TIME, 10,
                KafkaProducerBenchmark.VALUE.length, "order-" + i, KafkaProducerBenchmark.VALUE,
                headers, Optional.empty()));
      }
      byPartition.put(tp, records);
    }
    return new ConsumerRecords<>(byPartition, Map.of());
  }

  @Benchmark
  public void baseline(Blackhole bh) {
    for (ConsumerRecord<Object, Object> record : newBatch()) {
      bh.consume(record);
    }
  }

  @Benchmark
  public long baton(Interceptors s) {
    ConsumerRecords<Object, Object> polled = s.baton.onConsume(newBatch());
    for (ConsumerRecord<Object, Object> record : polled) {
      s.kafkaTracing.process(record, s.processor);
    }
    return s.lastOffset;
  }

  /**
   * {@code KafkaTracing.process} alone, without the consumer interceptor: each record's context is
   * read from its headers when processing starts (the path the design allows when the interceptor
   * is not registered). Isolates what the interceptor's per-record bookkeeping costs.
   */
  @Benchmark
  public long baton_processOnly(Interceptors s) {
    for (ConsumerRecord<Object, Object> record : newBatch()) {
      s.kafkaTracing.process(record, s.processor);
    }
    return s.lastOffset;
  }

  @Benchmark
  public long otel(Interceptors s) {
    ConsumerRecords<Object, Object> polled = s.openTelemetry.onConsume(newBatch());
    for (ConsumerRecord<Object, Object> record : polled) {
      s.lastOffset = record.offset(); // the same "processing" as Baton's processor
    }
    return s.lastOffset;
  }
}
