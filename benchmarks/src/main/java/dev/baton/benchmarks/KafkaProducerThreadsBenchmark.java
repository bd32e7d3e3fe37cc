package dev.baton.benchmarks;

import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * {@link KafkaProducerBenchmark}'s record life ({@code onSend} + {@code onAcknowledgement}) with
 * 1, 2, 4 and 8 threads sharing <em>one</em> interceptor of each library, as the threads of an
 * application share one {@code KafkaProducer}: Baton's in-flight table and everything else the
 * interceptor keeps is contended. Scores are the average time of one record on one thread; on
 * a machine with fewer cores than threads they grow with the threads even without contention.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KafkaProducerThreadsBenchmark {

  /** One interceptor per library, shared by every thread. */
  @State(Scope.Benchmark)
  public static class Shared {
    @Param({"SDK"})
    public Telemetry.Mode otel;

    final KafkaProducerBenchmark.Interceptors interceptors = new KafkaProducerBenchmark.Interceptors();

    @Setup
    public void setUp() {
      interceptors.otel = otel;
      interceptors.setUp();
    }

    @TearDown
    public void tearDown() {
      interceptors.tearDown();
    }

    ProducerInterceptor<Object, Object> baton() {
      return interceptors.baton;
    }

    ProducerInterceptor<Object, Object> openTelemetry() {
      return interceptors.openTelemetry;
    }
  }

  @Benchmark
  @Threads(1)
  public ProducerRecord<Object, Object> baton_1(Shared s) {
    return KafkaProducerBenchmark.send(s.baton());
  }

  @Benchmark
  @Threads(2)
  public ProducerRecord<Object, Object> baton_2(Shared s) {
    return KafkaProducerBenchmark.send(s.baton());
  }

  @Benchmark
  @Threads(4)
  public ProducerRecord<Object, Object> baton_4(Shared s) {
    return KafkaProducerBenchmark.send(s.baton());
  }

  @Benchmark
  @Threads(8)
  public ProducerRecord<Object, Object> baton_8(Shared s) {
    return KafkaProducerBenchmark.send(s.baton());
  }

  @Benchmark
  @Threads(1)
  public ProducerRecord<Object, Object> otel_1(Shared s) {
    return KafkaProducerBenchmark.send(s.openTelemetry());
  }

  @Benchmark
  @Threads(2)
  public ProducerRecord<Object, Object> otel_2(Shared s) {
    return KafkaProducerBenchmark.send(s.openTelemetry());
  }

  @Benchmark
  @Threads(4)
  public ProducerRecord<Object, Object> otel_4(Shared s) {
    return KafkaProducerBenchmark.send(s.openTelemetry());
  }

  @Benchmark
  @Threads(8)
  public ProducerRecord<Object, Object> otel_8(Shared s) {
    return KafkaProducerBenchmark.send(s.openTelemetry());
  }
}
