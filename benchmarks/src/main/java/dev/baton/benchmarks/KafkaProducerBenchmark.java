package dev.baton.benchmarks;

import dev.baton.kafka.KafkaTracing;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One record's whole life in a producer interceptor, without a broker: a new
 * {@code ProducerRecord} (with one application header) is handed to {@code onSend} while the
 * sending context is current, then {@code onAcknowledgement(metadata, null, headers)} is called,
 * as kafka-clients 4.1+ does on the I/O thread. Baton ends its span there; OpenTelemetry's
 * interceptor ends its span inside {@code onSend} and ignores the acknowledgement.
 *
 * <p>{@code baseline} does the same without an interceptor: subtract it to get the
 * instrumentation's own cost.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KafkaProducerBenchmark {

  static final String TOPIC = "orders";
  static final byte[] VALUE = "{\"order\":4711,\"total\":99.5}".getBytes(StandardCharsets.UTF_8);
  static final byte[] SOURCE = "checkout".getBytes(StandardCharsets.UTF_8);
  static final RecordMetadata METADATA =
      new RecordMetadata(new TopicPartition(TOPIC, 3), 1_000L, 0, 1_700_000_000_000L, 9, VALUE.length);

  /** Both interceptors, configured the way a producer configures them. */
  @State(Scope.Thread)
  public static class Interceptors {
    @Param({"SDK", "PROPAGATION"})
    public Telemetry.Mode otel;

    Telemetry telemetry;
    ProducerInterceptor<Object, Object> baton;
    ProducerInterceptor<Object, Object> openTelemetry;

    @Setup
    public void setUp() {
      telemetry = Telemetry.create(otel);
      baton = KafkaInterceptors.batonProducer(KafkaTracing.create(telemetry.openTelemetry()));
      openTelemetry = KafkaInterceptors.otelProducer(telemetry.openTelemetry());
    }

    @TearDown
    public void tearDown() {
      baton.close();
      openTelemetry.close();
      telemetry.close();
    }
  }

  static ProducerRecord<Object, Object> newRecord() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("x-source", SOURCE);
    return new ProducerRecord<>(TOPIC, null, "order-4711", VALUE, headers);
  }

  static ProducerRecord<Object, Object> send(ProducerInterceptor<Object, Object> interceptor) {
    ProducerRecord<Object, Object> sent;
    try (var ignored = Fixtures.SENDING_CONTEXT.makeCurrent()) {
      sent = interceptor.onSend(newRecord());
    }
    // kafka-clients calls this on its I/O thread, where no application context is current
    interceptor.onAcknowledgement(METADATA, null, sent.headers());
    return sent;
  }

  @Benchmark
  public ProducerRecord<Object, Object> baseline() {
    try (var ignored = Fixtures.SENDING_CONTEXT.makeCurrent()) {
      return newRecord();
    }
  }

  @Benchmark
  public ProducerRecord<Object, Object> baton(Interceptors s) {
    return send(s.baton);
  }

  @Benchmark
  public ProducerRecord<Object, Object> otel(Interceptors s) {
    return send(s.openTelemetry);
  }
}
