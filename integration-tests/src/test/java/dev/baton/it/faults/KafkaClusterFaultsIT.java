package dev.baton.it.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.baton.it.KafkaClientsVersion;
import dev.baton.it.LateSpanCalls;
import dev.baton.it.LocalKafkaBroker;
import dev.baton.it.LocalKafkaCluster;
import dev.baton.it.SoakReport;
import dev.baton.it.SpanCounter;
import dev.baton.it.SpanLedger;
import dev.baton.it.Vitals;
import dev.baton.kafka.KafkaTracing;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Broker faults under traced producers and consumers, on a 3-node KRaft cluster in child JVMs
 * (every node broker and controller, topics with replication factor 3, {@code min.insync.replicas}
 * 2, producers with {@code acks=all}).
 *
 * <ul>
 *   <li>{@link #partitionLeaderStoppedAndKilledDuringSends}: while two producers send to a topic
 *       with one partition, its leader is killed (SIGKILL) and restarted; in the full run it is
 *       first stopped cleanly and restarted, then the next leader is killed. One producer retries
 *       by itself (the default, idempotent); the other has {@code retries=0}, and its application
 *       sends a failed record again. Every send made one span, ended once: with the send's
 *       exception as {@code error.type} when the send failed, without error when it succeeded;
 *       every record arrived; a record arrived twice only if a send of it had failed; every
 *       process span is the child of the send span of the very record it processes.
 *   <li>{@link #brokersKilledAndRestartedDuringASoak}: records flow as fast as the cluster takes
 *       them while the leader of a partition is killed and restarted (twice in the full run).
 *       Nothing lost, nothing processed twice, no send error, every span ended, heap flat.
 * </ul>
 *
 * <p>Sizes: {@code -Dbaton.faults.kafka.leader.records} (per producer, 3,000 in the build) at
 * {@code -Dbaton.faults.kafka.leader.rate} records/s per producer (1,000),
 * {@code -Dbaton.faults.kafka.soak.records} (10,000); {@code -Dbaton.faults.full=true} for two
 * faults per test. Runs in the default failsafe execution only (kafka-clients 4.1+: send spans
 * end on the broker's answer).
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class KafkaClusterFaultsIT {

  /** Two faults per test instead of one. */
  static final boolean FULL = Boolean.getBoolean("baton.faults.full");
  static final int LEADER_RECORDS = Integer.getInteger("baton.faults.kafka.leader.records", 3_000);
  static final int LEADER_RATE = Integer.getInteger("baton.faults.kafka.leader.rate", 1_000);
  static final int SOAK_RECORDS = Integer.getInteger("baton.faults.kafka.soak.records", 10_000);
  static final Duration CLUSTER_WAIT = Duration.ofMinutes(3);
  static final long HEAP_TOLERANCE = 64L << 20;

  static LocalKafkaCluster cluster;

  @BeforeAll
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  static void startCluster() {
    // Once per build: an -Dit.test run also reaches the older-client executions, which skip it.
    assumeTrue(KafkaClientsVersion.atLeast(4, 1), "runs with the default kafka-clients only");
    cluster = LocalKafkaCluster.start(3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void partitionLeaderStoppedAndKilledDuringSends() throws Exception {
    String topic = "faults-leader-" + UUID.randomUUID();
    cluster.createTopic(topic, 1);
    SpanLedger ledger = new SpanLedger();
    OpenTelemetrySdk sdk = sdk(ledger);
    KafkaTracing tracing = KafkaTracing.create(sdk);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10)
        + TimeUnit.SECONDS.toNanos(2L * LEADER_RECORDS / LEADER_RATE);

    Map<String, Object> retrying = producerConfig(tracing);
    Map<String, Object> noRetries = producerConfig(tracing);
    noRetries.put(ProducerConfig.RETRIES_CONFIG, 0);
    noRetries.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    // in the build the leader is killed once; the full run first stops it cleanly, then kills
    // the next one
    String[] faults = FULL ? new String[] {"clean stop", "kill"} : new String[] {"kill"};
    FaultGates gates = FULL
        ? new FaultGates(2, LEADER_RECORDS / 4, LEADER_RECORDS * 5 / 8)
        : new FaultGates(2, LEADER_RECORDS / 3);
    Map<String, Object> figures = new TreeMap<>();
    List<KafkaSender> senders = new ArrayList<>();
    KafkaReader reader = new KafkaReader(tracing, cluster.bootstrapServers(), topic, 1, true);
    try (LateSpanCalls late = new LateSpanCalls();
        KafkaProducer<String, String> p1 =
            new KafkaProducer<>(retrying, new StringSerializer(), new StringSerializer());
        KafkaProducer<String, String> p2 =
            new KafkaProducer<>(noRetries, new StringSerializer(), new StringSerializer())) {
      senders.add(new KafkaSender("retrying", p1, topic, sdk.getTracer("app"), LEADER_RECORDS,
          LEADER_RATE, 2_000, gates, deadline, true));
      senders.add(new KafkaSender("no-retries", p2, topic, sdk.getTracer("app"), LEADER_RECORDS,
          LEADER_RATE, 2_000, gates, deadline, true));
      List<Thread> threads = start(senders, reader);

      try {
        for (int f = 0; f < faults.length; f++) {
          gates.awaitReached(f, 5, TimeUnit.MINUTES);
          int leader = cluster.leader(topic, 0);
          long failedBefore = senders.get(1).failures.get();
          gates.release(f);
          long t0 = System.nanoTime();
          LocalKafkaBroker node = cluster.node(leader);
          String fault = (f + 1) + " " + faults[f] + " of the leader (node " + leader + ")";
          if (faults[f].equals("clean stop")) {
            node.stop();
            figures.put(fault + ": stopped after", millisSince(t0) + " ms");
          } else {
            node.kill();
          }
          int next = cluster.awaitLeader(topic, 0, leader, CLUSTER_WAIT);
          figures.put(fault + ": new leader after", millisSince(t0) + " ms (node " + next + ")");
          node.restart();
          cluster.awaitInSync(CLUSTER_WAIT, topic);
          figures.put(fault + ": back in sync after", millisSince(t0) + " ms");
          figures.put(fault + ": no-retries sends failed meanwhile",
              senders.get(1).failures.get() - failedBefore);
        }
      } finally {
        gates.releaseAll();
      }
      joinSenders(threads, senders, deadline);
      p1.flush();
      p2.flush();
      awaitDistinct(reader, 2 * LEADER_RECORDS, deadline);
      reader.stop();
      join(threads.get(threads.size() - 1), deadline);
      assertThat(reader.error).as("reader").isNull();

      // Before close(): close() would end whatever still waited, and hide a stranded span.
      assertThat(ledger.open()).as("spans open once every send was answered").isZero();
      assertThat(late.count()).as("calls on ended spans: %s", late.samples()).isZero();
    }

    Map<String, KafkaSender.Attempt> attempts = new HashMap<>();
    for (KafkaSender sender : senders) {
      attempts.putAll(sender.attempts);
    }
    Map<String, SpanLedger.Ended> sendSpans = new HashMap<>();
    for (SpanLedger.Ended span : ledger.ended(SpanKind.PRODUCER)) {
      assertThat(sendSpans.put(span.spanId(), span)).as("span ids are unique").isNull();
    }
    long errorSpans = 0;
    for (Map.Entry<String, KafkaSender.Attempt> e : attempts.entrySet()) {
      KafkaSender.Attempt a = e.getValue();
      SpanLedger.Ended span = sendSpans.get(e.getKey());
      assertThat(span).as("the send span of %s:%d (%s)", a.sender, a.id, e.getKey()).isNotNull();
      assertThat(span.name()).isEqualTo("send " + topic);
      assertThat(span.parentSpanId()).as("parent of %s:%d", a.sender, a.id).isEqualTo(a.rootSpanId);
      assertThat(span.traceId()).isEqualTo(a.traceId);
      assertThat(a.outcome).as("answer to %s:%d", a.sender, a.id).isNotNull();
      if (a.outcome.equals("ok")) {
        assertThat(span.status()).as("%s:%d succeeded", a.sender, a.id).isEqualTo(StatusCode.UNSET);
        assertThat(span.errorType()).isNull();
      } else {
        errorSpans++;
        assertThat(span.status()).as("%s:%d failed", a.sender, a.id).isEqualTo(StatusCode.ERROR);
        assertThat(span.errorType()).isEqualTo(a.outcome);
      }
      assertThat(span.flags()).as("flags of %s:%d", a.sender, a.id).isEmpty();
    }
    assertThat(sendSpans).as("one send span per send, none more").hasSameSizeAs(attempts);

    for (String[] r : reader.processedRecords) {
      KafkaSender.Attempt a = attempts.get(r[2]);
      assertThat(a).as("the send that wrote %s:%s", r[0], r[1]).isNotNull();
      assertThat(a.sender + ":" + a.id).as("record and send span agree").isEqualTo(r[0] + ":" + r[1]);
    }

    KafkaSender withRetries = senders.get(0);
    KafkaSender withoutRetries = senders.get(1);
    SoakReport report = new SoakReport("kafka-faults-leader")
        .put("cluster", "3 KRaft nodes (broker+controller), topic with 1 partition, replication factor 3, min.insync.replicas 2, acks=all")
        .put("records per producer", LEADER_RECORDS + " at " + LEADER_RATE + "/s")
        .put("faults", String.join(", then ", faults));
    for (KafkaSender s : senders) {
      report.put(s.name + ": sends (with resends)", s.sends.get())
          .put(s.name + ": failed sends", s.failures.get() + " " + counts(s.failureTypes))
          .put(s.name + ": records acknowledged", s.acknowledged())
          .put(s.name + ": records processed", reader.seen(s.name))
          .put(s.name + ": lost", s.records - reader.seen(s.name))
          .put(s.name + ": processed twice", reader.twice(s.name).size());
    }
    figures.forEach(report::put);
    report.put("process spans with the wrong parent", reader.wrongParent.get())
        .put("contexts left after processing", reader.leakedContext.get())
        .put("send spans", sendSpans.size() + " (" + errorSpans + " ended as errors)")
        .put("spans started", ledger.started())
        .put("spans open once every send was answered", 0)
        .write();

    assertThat(withRetries.failures.get()).as("the retrying producer retried by itself").isZero();
    assertThat(withoutRetries.failures.get())
        .as("sends failed while the leader went away (no retries)").isPositive();
    for (KafkaSender s : senders) {
      assertThat(reader.seen(s.name)).as("%s: records processed", s.name).isEqualTo(s.records);
      for (int id : reader.twice(s.name)) {
        assertThat(s.failedOnce(id))
            .as("%s:%d arrived twice: only a record sent again may", s.name, id).isTrue();
      }
    }
    assertThat(reader.wrongParent.get()).isZero();
    assertThat(reader.leakedContext.get()).isZero();
    assertThat(errorSpans).isEqualTo(withoutRetries.failures.get());
    assertThat(Context.current()).isSameAs(Context.root());
  }

  @Test
  void brokersKilledAndRestartedDuringASoak() throws Exception {
    String topic = "faults-soak-" + UUID.randomUUID();
    cluster.createTopic(topic, 3);
    SpanCounter spans = new SpanCounter();
    OpenTelemetrySdk sdk = sdk(spans);
    KafkaTracing tracing = KafkaTracing.create(sdk);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15)
        + TimeUnit.MILLISECONDS.toNanos(SOAK_RECORDS / 2);
    int threadsBefore = Vitals.threads();
    int warmUp = Math.max(1, SOAK_RECORDS / 10);
    int kills = FULL ? 2 : 1;
    FaultGates gates = FULL
        ? new FaultGates(1, warmUp, SOAK_RECORDS / 3, SOAK_RECORDS * 2 / 3)
        : new FaultGates(1, warmUp, SOAK_RECORDS / 2);
    Map<String, Object> figures = new TreeMap<>();
    KafkaReader reader = new KafkaReader(tracing, cluster.bootstrapServers(), topic, 3, false);
    long heapWarm;
    long heapEnd;
    int threadsRunning;
    KafkaSender sender;
    long started = System.nanoTime();
    try (LateSpanCalls late = new LateSpanCalls();
        KafkaProducer<String, String> producer = new KafkaProducer<>(
            producerConfig(tracing), new StringSerializer(), new StringSerializer())) {
      sender = new KafkaSender("soak", producer, topic, sdk.getTracer("app"), SOAK_RECORDS, 0,
          10_000, gates, deadline, false);
      List<Thread> threads = start(List.of(sender), reader);
      try {
        gates.awaitReached(0, 5, TimeUnit.MINUTES);
        awaitDistinct(reader, warmUp, deadline);
        heapWarm = Vitals.heapAfterGc();
        gates.release(0);
        for (int fault = 1; fault <= kills; fault++) {
          gates.awaitReached(fault, 10, TimeUnit.MINUTES);
          int victim = cluster.leader(topic, fault - 1);
          gates.release(fault);
          long t0 = System.nanoTime();
          LocalKafkaBroker node = cluster.node(victim);
          node.kill();
          figures.put(fault + " killed node", victim + " (leader of partition " + (fault - 1) + ")");
          int next = cluster.awaitLeader(topic, fault - 1, victim, CLUSTER_WAIT);
          figures.put(fault + " new leader after", millisSince(t0) + " ms (node " + next + ")");
          node.restart();
          figures.put(fault + " restarted after", millisSince(t0) + " ms");
          cluster.awaitInSync(CLUSTER_WAIT, topic);
          figures.put(fault + " back in sync after", millisSince(t0) + " ms");
        }
      } finally {
        gates.releaseAll();
      }
      joinSenders(threads, List.of(sender), deadline);
      producer.flush();
      awaitDistinct(reader, SOAK_RECORDS, deadline);
      reader.stop();
      join(threads.get(1), deadline);
      assertThat(reader.error).as("reader").isNull();
      heapEnd = Vitals.heapAfterGc();
      threadsRunning = Vitals.threads();
      assertThat(spans.open()).as("spans open once every send was answered").isZero();
      assertThat(late.count()).as("calls on ended spans: %s", late.samples()).isZero();
    }
    long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    Thread.sleep(500);
    int threadsAfter = Vitals.threads();
    long lost = SOAK_RECORDS - reader.seen("soak");
    SoakReport report = new SoakReport("kafka-faults-soak")
        .put("cluster", "3 KRaft nodes (broker+controller), topic with 3 partitions, replication factor 3, min.insync.replicas 2, acks=all, idempotent producer")
        .put("records sent", SOAK_RECORDS)
        .put("faults", kills + " × leader of a partition killed (SIGKILL), then restarted")
        .put("sends (with resends)", sender.sends.get())
        .put("records processed", reader.processed.get())
        .put("lost", lost)
        .put("processed twice", reader.twice("soak").size())
        .put("process spans with the wrong parent", reader.wrongParent.get())
        .put("contexts left after processing", reader.leakedContext.get())
        .put("send errors", sender.failures.get() + " " + counts(sender.failureTypes));
    figures.forEach(report::put);
    report.put("spans started", spans.started())
        .put("spans ended", spans.ended())
        .put("spans ended as errors", spans.errors())
        .put("spans open once every send was answered", 0)
        .put("heap after GC, end of warm-up", Vitals.mib(heapWarm))
        .put("heap after GC, end", Vitals.mib(heapEnd))
        .put("threads before clients / running / after close",
            threadsBefore + " / " + threadsRunning + " / " + threadsAfter)
        .put("duration", seconds + " s")
        .write();

    assertThat(lost).isZero();
    assertThat(reader.twice("soak")).isEmpty();
    assertThat(reader.wrongParent.get()).isZero();
    assertThat(reader.leakedContext.get()).isZero();
    assertThat(sender.failures.get()).isZero();
    assertThat(spans.errors()).isZero();
    // root + send per send, process per record processed
    assertThat(spans.started()).isEqualTo(2 * sender.sends.get() + reader.processed.get());
    assertThat(spans.open()).isZero();
    assertThat(heapEnd).as("heap after GC stays flat").isLessThan(heapWarm + HEAP_TOLERANCE);
    assertThat(threadsAfter).as("client threads gone").isLessThanOrEqualTo(threadsBefore + 2);
    assertThat(Context.current()).isSameAs(Context.root());
  }

  static OpenTelemetrySdk sdk(SpanProcessor processor) {
    return OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(processor).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  static Map<String, Object> producerConfig(KafkaTracing tracing) {
    Map<String, Object> config = new HashMap<>(tracing.producerProperties());
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    // a killed leader's requests time out in 5 s instead of 30 s; delivery still waits 2 min
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    return config;
  }

  static List<Thread> start(List<KafkaSender> senders, KafkaReader reader) {
    List<Thread> threads = new ArrayList<>();
    for (KafkaSender s : senders) {
      threads.add(new Thread(s, "sender-" + s.name));
    }
    threads.add(new Thread(reader, "reader"));
    for (Thread t : threads) {
      t.setDaemon(true);
      t.start();
    }
    return threads;
  }

  static void joinSenders(List<Thread> threads, List<KafkaSender> senders, long deadline)
      throws InterruptedException, TimeoutException {
    for (int i = 0; i < senders.size(); i++) {
      join(threads.get(i), deadline);
      assertThat(senders.get(i).error).as("sender %s", senders.get(i).name).isNull();
    }
  }

  static void join(Thread thread, long deadline) throws InterruptedException, TimeoutException {
    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    if (thread.isAlive()) {
      throw new TimeoutException(thread.getName() + " still runs at the deadline");
    }
  }

  static void awaitDistinct(KafkaReader reader, int count, long deadline)
      throws InterruptedException, TimeoutException {
    while (reader.distinct() < count) {
      if (reader.error != null || System.nanoTime() > deadline) {
        TimeoutException e = new TimeoutException(
            "processed " + reader.distinct() + " of " + count + " records before the deadline");
        e.initCause(reader.error);
        throw e;
      }
      Thread.sleep(20);
    }
  }

  static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  static String counts(Map<String, ? extends Number> byType) {
    return byType.isEmpty() ? "" : new TreeMap<>(byType).toString();
  }
}
