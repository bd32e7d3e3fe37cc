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
 * 1, 2, 4 and 8 threads sharing <em>one</em> interceptor of the library named by {@code library}
 * ({@code baton} or {@code otel}), as the threads of an application share one
 * {@code KafkaProducer}: Baton's in-flight table and everything else the interceptor keeps is
 * contended. Scores are the average time of one record on one thread; on a machine with fewer
 * cores than threads they grow with the threads even without contention.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KafkaProducerThreadsBenchmark {

  /** One interceptor of the chosen library, shared by every thread. */
  @State(Scope.Benchmark)
  public static class Shared {
    @Param({"SDK"})
    public Telemetry.Mode otel;

    /** Whose interceptor the threads share: {@code baton} or {@code otel}. */
    @Param({"baton", "otel"})
    public String library;

    final KafkaProducerBenchmark.Interceptors interceptors = new KafkaProducerBenchmark.Interceptors();
    ProducerInterceptor<Object, Object> interceptor;

    @Setup
    public void setUp() {
      interceptors.otel = otel;
      interceptors.setUp();
      interceptor = library.equals("baton") ? interceptors.baton : interceptors.openTelemetry;
    }

    @TearDown
    public void tearDown() {
      interceptors.tearDown();
    }
  }

  @Benchmark
  @Threads(1)
  public ProducerRecord<Object, Object> threads_1(Shared s) {
    return KafkaProducerBenchmark.send(s.interceptor);
  }

  @Benchmark
  @Threads(2)
  public ProducerRecord<Object, Object> threads_2(Shared s) {
    return KafkaProducerBenchmark.send(s.interceptor);
  }

  @Benchmark
  @Threads(4)
  public ProducerRecord<Object, Object> threads_4(Shared s) {
    return KafkaProducerBenchmark.send(s.interceptor);
  }

  @Benchmark
  @Threads(8)
  public ProducerRecord<Object, Object> threads_8(Shared s) {
    return KafkaProducerBenchmark.send(s.interceptor);
  }
}
