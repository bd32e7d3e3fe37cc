package dev.baton.benchmarks;

import dev.baton.core.BatonTracing;
import dev.baton.grpc.GrpcTracing;
import dev.baton.kafka.KafkaTracing;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
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

/**
 * What Baton's metrics add to its own per-message cost: the same three cases with
 * {@code baton.metrics.enabled} {@code true} and {@code false}, both on an SDK with a tracer
 * provider (spans recorded, then dropped) and a meter provider whose reader is registered but
 * never collects (so instruments really aggregate, and nothing is exported).
 *
 * <ul>
 *   <li>{@code kafkaSend}: one record through {@code onSend} and
 *       {@code onAcknowledgement(metadata, null, headers)} (counter and send duration);
 *   <li>{@code kafkaConsume}: one poll of {@value KafkaConsumerBenchmark#BATCH} records through the
 *       consumer interceptor, then {@code KafkaTracing.process} per record (consumed counter,
 *       process duration, wait time); scored per record;
 *   <li>{@code grpcUnary}: one in-process unary call through Baton's client and server
 *       interceptors (client and server call durations).
 * </ul>
 *
 * The budget (issue 14): metrics on may add at most 15 % to the metrics-off time of each case.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MetricsCostBenchmark {

  /** Baton's Kafka interceptors and gRPC endpoint, with metrics on or off. */
  @State(Scope.Thread)
  public static class Baton {
    @Param({"true", "false"})
    public boolean metrics;

    Telemetry telemetry;
    KafkaTracing kafkaTracing;
    ProducerInterceptor<Object, Object> producer;
    ConsumerInterceptor<Object, Object> consumer;
    KafkaTracing.RecordProcessor<Object, Object, RuntimeException> processor;
    GrpcBenchmark.Endpoint grpc;
    long lastOffset;

    @Setup
    public void setUp() throws IOException {
      // aggregates like any reader (cumulative, reusing its data) and is never asked to collect
      telemetry =
          Telemetry.withMetrics(
              InMemoryMetricReader.builder().setMemoryMode(MemoryMode.REUSABLE_DATA).build());
      BatonTracing baton =
          BatonTracing.builder(telemetry.openTelemetry()).metricsEnabled(metrics).build();
      kafkaTracing = KafkaTracing.builder(baton).build();
      producer = KafkaInterceptors.batonProducer(kafkaTracing);
      consumer = KafkaInterceptors.batonConsumer(kafkaTracing);
      processor = record -> lastOffset = record.offset();

      GrpcTracing grpcTracing = GrpcTracing.builder(baton).build();
      grpc = new GrpcBenchmark.Endpoint(grpcTracing.serverInterceptor(), grpcTracing.clientInterceptor());
    }

    @TearDown
    public void tearDown() throws InterruptedException {
      producer.close();
      consumer.close();
      grpc.close();
      telemetry.close();
    }
  }

  @Benchmark
  public ProducerRecord<Object, Object> kafkaSend(Baton s) {
    return KafkaProducerBenchmark.send(s.producer);
  }

  /** Scored per record. */
  @Benchmark
  @OperationsPerInvocation(KafkaConsumerBenchmark.BATCH)
  public long kafkaConsume(Baton s) {
    ConsumerRecords<Object, Object> polled = s.consumer.onConsume(KafkaConsumerBenchmark.newBatch());
    for (ConsumerRecord<Object, Object> record : polled) {
      s.kafkaTracing.process(record, s.processor);
    }
    return s.lastOffset;
  }

  @Benchmark
  public byte[] grpcUnary(Baton s) {
    return s.grpc.call();
  }
}
