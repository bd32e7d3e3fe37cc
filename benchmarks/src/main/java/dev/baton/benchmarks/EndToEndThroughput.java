package dev.baton.benchmarks;

import dev.baton.kafka.KafkaTracing;
import dev.baton.testing.EmbeddedKafkaBroker;
import io.opentelemetry.context.Scope;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * End-to-end throughput on a real single-node KRaft broker in this JVM (listening on 127.0.0.1):
 * producing 1 KiB records with {@code linger.ms=5} ({@code acks=all}), then consuming them: plain,
 * with the three trace headers but no instrumentation (the wire's floor), and with Baton's
 * interceptors, in rotating order so that drift in the machine's load hits every variant alike.
 * With Baton the producer sends inside a sampled context (spans on the OpenTelemetry SDK,
 * dropped, not exported) and the consumer runs every record through {@code KafkaTracing.process}.
 *
 * <p>Each round produces one topic per variant, then reads each topic {@code passes} times, each
 * time with a new consumer group, the variants interleaved pass by pass: one read of 100 000
 * records takes well under a second, too short to measure alone on a shared machine. The clock of
 * a read starts when its first batch has arrived (the group has joined) and stops at its last
 * record. Besides records per second, each read measures the consumer thread's CPU time, which
 * the other work on the machine hardly moves: the difference per record between Baton and the
 * headers-only variant is Baton's own work on the polling thread, the figure the consumer
 * microbenchmark estimates. One whole round runs first and is discarded: the consumer's code,
 * Baton's included, is still being compiled for several hundred thousand records.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.baton.benchmarks.EndToEndThroughput [records]
 * [rounds] [output file] [passes]}; defaults 100 000 records, 5 rounds, 4 passes. Prints each
 * round, then medians over the rounds: rates, ratios Baton / plain and Baton / headers only, and
 * the consumer thread's CPU time per record.
 */
public final class EndToEndThroughput {

  static final int RECORD_BYTES = 1024;
  static final byte[] TRACEPARENT = Fixtures.TRACEPARENT_BYTES;
  static final byte[] TRACESTATE = Fixtures.TRACESTATE.getBytes(StandardCharsets.US_ASCII);
  static final byte[] BAGGAGE = Fixtures.BAGGAGE.getBytes(StandardCharsets.US_ASCII);

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private EndToEndThroughput() {}

  /** What runs on the producer and the consumer. */
  enum Variant {
    /** No instrumentation, no headers. */
    PLAIN,
    /**
     * No instrumentation, but every record carries the three trace headers Baton writes
     * (preformatted, the same for every record): the floor any propagation pays on the wire.
     */
    HEADERS,
    /** Baton's interceptors on both sides, {@code KafkaTracing.process} per record. */
    BATON
  }

  /** What one variant measured in one round. */
  static final class Result {
    double produced;
    long consumedRecords;
    long consumingNanos;
    long consumingCpuNanos;
    long gcMillis;

    double consumed() {
      return consumedRecords / (consumingNanos / 1e9);
    }

    /** CPU time of the consuming thread per record, in microseconds. */
    double cpuMicros() {
      return consumingCpuNanos / 1e3 / consumedRecords;
    }
  }

  public static void main(String[] args) throws Exception {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path out = args.length > 2 ? Path.of(args[2]) : null;
    int passes = args.length > 3 ? Integer.parseInt(args[3]) : 4;
    List<String> lines = new ArrayList<>();
    Variant[] variants = Variant.values();
    int plain = Variant.PLAIN.ordinal();
    int headers = Variant.HEADERS.ordinal();
    int baton = Variant.BATON.ordinal();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        Telemetry telemetry = Telemetry.create(Telemetry.Mode.SDK)) {
      KafkaTracing tracing = KafkaTracing.create(telemetry.openTelemetry());
      // one unmeasured round, the same shape, to warm the broker, the clients and the JIT
      round(broker, tracing, records, passes, 0, "warm");
      double[][] produced = new double[variants.length][rounds];
      double[][] consumed = new double[variants.length][rounds];
      double[][] cpu = new double[variants.length][rounds];
      long[] gc = new long[variants.length];
      for (int r = 0; r < rounds; r++) {
        Result[] results = round(broker, tracing, records, passes, r, "r" + r);
        StringBuilder line = new StringBuilder("round " + r + ":");
        for (int i = 0; i < variants.length; i++) {
          produced[i][r] = results[i].produced;
          consumed[i][r] = results[i].consumed();
          cpu[i][r] = results[i].cpuMicros();
          gc[i] += results[i].gcMillis;
          line.append(
              String.format(
                  Locale.ROOT,
                  " %s produce %.0f rec/s, consume %.0f rec/s (consumer thread CPU %.2f us/rec);",
                  variants[i], produced[i][r], consumed[i][r], cpu[i][r]));
        }
        lines.add(line.toString());
      }
      lines.add(summary("produce", produced, rounds, records, ""));
      lines.add(
          summary(
              "consume", consumed, rounds, records,
              ", each topic read " + passes + " times per round, new group each time"));
      lines.add(
          String.format(
              Locale.ROOT,
              "consumer thread CPU per record: plain %.2f us, headers only %.2f us, baton %.2f us;"
                  + " baton - headers-only %.2f us, headers-only - plain %.2f us (medians)",
              median(cpu[plain]),
              median(cpu[headers]),
              median(cpu[baton]),
              median(difference(cpu[baton], cpu[headers])),
              median(difference(cpu[headers], cpu[plain]))));
      lines.add(
          "GC time while consuming, all measured rounds: plain " + gc[plain] + " ms, headers only "
              + gc[headers] + " ms, baton " + gc[baton] + " ms");
      lines.add("spans ended (SDK, dropped), warm-up included: " + telemetry.endedSpans());
    }
    PrintStream stdout = System.out;
    for (String line : lines) {
      stdout.println(line);
    }
    if (out != null) {
      Files.write(out, lines, StandardCharsets.UTF_8);
    }
  }

  private static String summary(
      String direction, double[][] rate, int rounds, int records, String how) {
    int plain = Variant.PLAIN.ordinal();
    int headers = Variant.HEADERS.ordinal();
    int baton = Variant.BATON.ordinal();
    return String.format(
        Locale.ROOT,
        "%s: plain %.0f rec/s, headers only %.0f rec/s, baton %.0f rec/s;"
            + " baton/plain %.3f, baton/headers-only %.3f, headers-only/plain %.3f"
            + " (medians of %d rounds of %d records of %d B, linger.ms=5%s)",
        direction,
        median(rate[plain]),
        median(rate[headers]),
        median(rate[baton]),
        median(ratio(rate[baton], rate[plain])),
        median(ratio(rate[baton], rate[headers])),
        median(ratio(rate[headers], rate[plain])),
        rounds,
        records,
        RECORD_BYTES,
        how);
  }

  /**
   * One round: each variant produces {@code records} to a new topic, in an order rotated by
   * {@code r}; then each topic is read {@code passes} times, the variants interleaved.
   */
  static Result[] round(
      EmbeddedKafkaBroker broker, KafkaTracing tracing, int records, int passes, int r, String name)
      throws InterruptedException, ExecutionException {
    Variant[] variants = Variant.values();
    Result[] results = new Result[variants.length];
    String[] topics = new String[variants.length];
    for (int k = 0; k < variants.length; k++) {
      int i = (k + r) % variants.length;
      results[i] = new Result();
      topics[i] = "e2e-" + variants[i] + "-" + name;
      results[i].produced = produce(broker, tracing, variants[i], records, topics[i]);
    }
    for (int p = 0; p < passes; p++) {
      for (int k = 0; k < variants.length; k++) {
        int i = (k + r + p) % variants.length;
        consume(broker, tracing, variants[i], records + 1, topics[i], name + "-" + p, results[i]);
      }
    }
    return results;
  }

  /** Produces {@code records} to the new {@code topic}; records per second. */
  static double produce(
      EmbeddedKafkaBroker broker, KafkaTracing kafkaTracing, Variant variant, int records,
      String topic)
      throws InterruptedException, ExecutionException {
    KafkaTracing tracing = variant == Variant.BATON ? kafkaTracing : null;
    byte[] value = new byte[RECORD_BYTES];
    Arrays.fill(value, (byte) 'x');

    Map<String, Object> producerConfig = new HashMap<>();
    if (tracing != null) {
      producerConfig.putAll(tracing.producerProperties());
    }
    producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
    producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "e2e-producer-" + topic);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
      // the topic exists before the clock starts
      producer.send(new ProducerRecord<>(topic, value)).get();
      long start = System.nanoTime();
      Future<RecordMetadata> last = null;
      try (Scope ignored = Fixtures.SENDING_CONTEXT.makeCurrent()) {
        for (int i = 0; i < records; i++) {
          ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, value);
          if (variant == Variant.HEADERS) {
            record.headers().add("traceparent", TRACEPARENT.clone());
            record.headers().add("tracestate", TRACESTATE.clone());
            record.headers().add("baggage", BAGGAGE.clone());
          }
          last = producer.send(record);
        }
      }
      producer.flush();
      last.get();
      return records / ((System.nanoTime() - start) / 1e9);
    }
  }

  /**
   * Reads the {@code total} records of {@code topic} with a new consumer group, and adds to
   * {@code result} the records, the time from the first record to the last, the consuming
   * thread's CPU time over the same span, and the GC time.
   */
  static void consume(
      EmbeddedKafkaBroker broker, KafkaTracing kafkaTracing, Variant variant, int total,
      String topic, String group, Result result) {
    KafkaTracing tracing = variant == Variant.BATON ? kafkaTracing : null;
    Map<String, Object> consumerConfig = new HashMap<>();
    if (tracing != null) {
      consumerConfig.putAll(tracing.consumerProperties());
    }
    consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-" + group);
    consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "e2e-consumer-" + topic + "-" + group);
    long gcBefore = gcMillis();
    long[] bytes = new long[1];
    KafkaTracing.RecordProcessor<byte[], byte[], RuntimeException> processor =
        record -> bytes[0] += record.value().length;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      int seen = 0;
      // the group joins and the first batch arrives before the clock starts
      ConsumerRecords<byte[], byte[]> batch = ConsumerRecords.empty();
      while (batch.isEmpty()) {
        batch = consumer.poll(Duration.ofMillis(100));
      }
      long start = System.nanoTime();
      long cpuStart = THREADS.getCurrentThreadCpuTime();
      while (true) {
        for (ConsumerRecord<byte[], byte[]> record : batch) {
          if (tracing != null) {
            tracing.process(record, processor);
          } else {
            processor.process(record);
          }
          seen++;
        }
        if (seen >= total) {
          break;
        }
        batch = consumer.poll(Duration.ofMillis(100));
      }
      result.consumingCpuNanos += THREADS.getCurrentThreadCpuTime() - cpuStart;
      result.consumingNanos += System.nanoTime() - start;
      result.consumedRecords += seen;
    }
    result.gcMillis += gcMillis() - gcBefore;
  }

  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  private static double[] ratio(double[] a, double[] b) {
    double[] r = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[i] / b[i];
    }
    return r;
  }

  private static double[] difference(double[] a, double[] b) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i] - b[i];
    }
    return d;
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
