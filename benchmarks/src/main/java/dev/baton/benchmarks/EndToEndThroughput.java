package dev.baton.benchmarks;

import dev.baton.kafka.KafkaTracing;
import dev.baton.testing.EmbeddedKafkaBroker;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
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
 * <p>Usage: {@code java -cp benchmarks.jar dev.baton.benchmarks.EndToEndThroughput [records]
 * [rounds] [output file]}; defaults 100 000 records, 3 rounds. Prints records per second per
 * round and the median ratio Baton / plain for each direction.
 */
public final class EndToEndThroughput {

  static final int RECORD_BYTES = 1024;
  static final byte[] TRACEPARENT = Fixtures.TRACEPARENT_BYTES;
  static final byte[] TRACESTATE = Fixtures.TRACESTATE.getBytes(StandardCharsets.US_ASCII);
  static final byte[] BAGGAGE = Fixtures.BAGGAGE.getBytes(StandardCharsets.US_ASCII);

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

  public static void main(String[] args) throws Exception {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path out = args.length > 2 ? Path.of(args[2]) : null;
    List<String> lines = new ArrayList<>();
    Variant[] variants = Variant.values();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        Telemetry telemetry = Telemetry.create(Telemetry.Mode.SDK)) {
      KafkaTracing tracing = KafkaTracing.create(telemetry.openTelemetry());
      // unmeasured rounds to warm the broker, the clients and the JIT
      for (int w = 0; w < 2; w++) {
        for (Variant v : variants) {
          run(broker, tracing, v, records / 2, "warm-" + w);
        }
      }
      Arrays.fill(GC_MILLIS_CONSUMING, 0);
      double[][][] rate = new double[variants.length][2][rounds];
      for (int r = 0; r < rounds; r++) {
        StringBuilder line = new StringBuilder("round " + r + ":");
        for (int k = 0; k < variants.length; k++) {
          // a different order each round, so drift in the machine's load hits every variant
          int i = (k + r) % variants.length;
          double[] result = run(broker, tracing, variants[i], records, "r" + r);
          rate[i][0][r] = result[0];
          rate[i][1][r] = result[1];
          line.append(
              String.format(
                  Locale.ROOT,
                  " %s produce %.0f rec/s consume %.0f rec/s;",
                  variants[i], result[0], result[1]));
        }
        lines.add(line.toString());
      }
      String[] direction = {"produce", "consume"};
      for (int d = 0; d < 2; d++) {
        int plain = Variant.PLAIN.ordinal();
        int headers = Variant.HEADERS.ordinal();
        int baton = Variant.BATON.ordinal();
        lines.add(
            String.format(
                Locale.ROOT,
                "%s: plain %.0f rec/s, headers only %.0f rec/s, baton %.0f rec/s;"
                    + " baton/plain %.3f, baton/headers-only %.3f, headers-only/plain %.3f"
                    + " (medians of %d rounds of %d records of %d B, linger.ms=5)",
                direction[d],
                median(rate[plain][d]),
                median(rate[headers][d]),
                median(rate[baton][d]),
                median(ratio(rate[baton][d], rate[plain][d])),
                median(ratio(rate[baton][d], rate[headers][d])),
                median(ratio(rate[headers][d], rate[plain][d])),
                rounds,
                records,
                RECORD_BYTES));
      }
      lines.add(
          "GC time while consuming, all rounds: plain " + GC_MILLIS_CONSUMING[0] + " ms, headers only "
              + GC_MILLIS_CONSUMING[1] + " ms, baton " + GC_MILLIS_CONSUMING[2] + " ms");
      lines.add("spans ended (SDK, dropped): " + telemetry.endedSpans());
    }
    PrintStream stdout = System.out;
    for (String line : lines) {
      stdout.println(line);
    }
    if (out != null) {
      Files.write(out, lines, StandardCharsets.UTF_8);
    }
  }

  /** Produces then consumes {@code records} on a new topic; records per second of each. */
  static double[] run(
      EmbeddedKafkaBroker broker, KafkaTracing kafkaTracing, Variant variant, int records, String name)
      throws IOException, InterruptedException, ExecutionException {
    KafkaTracing tracing = variant == Variant.BATON ? kafkaTracing : null;
    name = variant + "-" + name;
    String topic = "e2e-" + name;
    byte[] value = new byte[RECORD_BYTES];
    Arrays.fill(value, (byte) 'x');

    Map<String, Object> producerConfig = new HashMap<>();
    if (tracing != null) {
      producerConfig.putAll(tracing.producerProperties());
    }
    producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
    producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "e2e-producer-" + name);
    double produced;
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
      produced = records / ((System.nanoTime() - start) / 1e9);
    }

    Map<String, Object> consumerConfig = new HashMap<>();
    if (tracing != null) {
      consumerConfig.putAll(tracing.consumerProperties());
    }
    consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-" + name);
    consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "e2e-consumer-" + name);
    double consumed;
    long gcBefore = gcMillis();
    long[] bytes = new long[1];
    KafkaTracing.RecordProcessor<byte[], byte[], RuntimeException> processor =
        record -> bytes[0] += record.value().length;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      int seen = 0;
      int total = records + 1;
      // the group joins and the first batch arrives before the clock starts
      ConsumerRecords<byte[], byte[]> batch = ConsumerRecords.empty();
      while (batch.isEmpty()) {
        batch = consumer.poll(Duration.ofMillis(100));
      }
      long start = System.nanoTime();
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
      consumed = seen / ((System.nanoTime() - start) / 1e9);
    }
    GC_MILLIS_CONSUMING[variant.ordinal()] += gcMillis() - gcBefore;
    return new double[] {produced, consumed};
  }

  /** GC time (all collectors) while each variant consumed, summed over the measured rounds. */
  static final long[] GC_MILLIS_CONSUMING = new long[Variant.values().length];

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

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
