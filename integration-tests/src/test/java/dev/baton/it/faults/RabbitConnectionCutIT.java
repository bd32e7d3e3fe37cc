package dev.baton.it.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.baton.amqp.AmqpTracing;
import dev.baton.it.ContextCheckingExecutor;
import dev.baton.it.KafkaClientsVersion;
import dev.baton.it.LateSpanCalls;
import dev.baton.it.RabbitBroker;
import dev.baton.it.RabbitBrokerExtension;
import dev.baton.it.SoakReport;
import dev.baton.it.SpanLedger;
import dev.baton.it.TcpProxy;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A publisher in confirm mode (publish spans end on the broker's confirm) and a consumer with
 * manual acks, each on a traced connection with automatic recovery, reach RabbitMQ through a
 * {@link TcpProxy}. While messages flow, the proxy cuts every connection and refuses new ones
 * for a second, {@code -Dbaton.faults.rabbit.cuts} times (2 in the build). The application
 * publishes in batches and publishes a batch again when its confirms did not all come.
 *
 * <p>Both connections recover each time; consumption resumes on the recovered channel and every
 * delivery, before and after, runs in a {@code process} span that is the child of its own
 * message's {@code publish} span. Every publish made one span, ended once: a confirmed publish
 * ends without error (on its confirm, also after a recovery, when sequence numbers start again),
 * one cut off ends with {@code error.type} {@code channel_closed} or the exception the publish
 * threw. Nothing is lost; a message arrives twice only when the broker redelivered it or the
 * application published it again; no span is left open.
 */
@ExtendWith(RabbitBrokerExtension.class)
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class RabbitConnectionCutIT {

  static final boolean FULL = Boolean.getBoolean("baton.faults.full");
  static final int MESSAGES = Integer.getInteger("baton.faults.rabbit.messages", 3_000);
  static final int CUTS = Integer.getInteger("baton.faults.rabbit.cuts", FULL ? 5 : 2);
  static final int BATCH = 50;
  static final long DOWN_MILLIS = 1_000;

  /** One publish of one message: what the application knows of it. */
  static final class Attempt {
    final int id;
    final String traceId;
    final int recoveriesBefore;
    volatile boolean confirmed;
    /** The class of what {@code basicPublish} threw, or null. */
    volatile String thrown;

    Attempt(int id, String traceId, int recoveriesBefore) {
      this.id = id;
      this.traceId = traceId;
      this.recoveriesBefore = recoveriesBefore;
    }
  }

  final SpanLedger ledger = new SpanLedger();
  final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(ledger).build())
      .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
      .build();
  final AmqpTracing tracing = AmqpTracing.builder(sdk).endPublishOnConfirm(true).build();

  /** Root span id of each publish → what the application knows of it. */
  final Map<String, Attempt> attempts = new java.util.concurrent.ConcurrentHashMap<>();
  final Map<String, AtomicInteger> publishFailures = new TreeMap<>();
  final AtomicInteger batchesAgain = new AtomicInteger();

  // what the consumer saw, guarded by itself
  final BitSet seen = new BitSet();
  final List<String[]> deliveries = new ArrayList<>(); // {id, publish span id, redelivered}
  final List<Integer> twice = new ArrayList<>();
  int wrongSpan;
  int leakedContext;
  int ackFailures;
  final Map<Integer, Integer> deliveriesPerRecovery = new TreeMap<>();

  @Test
  void consumptionAndConfirmsResumeAfterEachCutAndStayTraced(RabbitBroker rabbit) throws Exception {
    // Once per build: an -Dit.test run also reaches the older-client executions, which skip it.
    assumeTrue(KafkaClientsVersion.atLeast(4, 1), "runs with the default kafka-clients only");
    URI uri = new URI(rabbit.uri());
    String queue = "baton-cut-" + UUID.randomUUID();
    AtomicInteger subRecoveries = new AtomicInteger();
    AtomicInteger pubRecoveries = new AtomicInteger();
    long started = System.nanoTime();
    long deadline = started + TimeUnit.MINUTES.toNanos(10) + TimeUnit.MILLISECONDS.toNanos(MESSAGES);
    FaultGates gates = new FaultGates(1, cutPoints());
    Map<String, Object> figures = new TreeMap<>();
    ContextCheckingExecutor dispatch = new ContextCheckingExecutor(2);
    try (TcpProxy proxy = TcpProxy.start(uri.getHost(), uri.getPort() == -1 ? 5672 : uri.getPort());
        LateSpanCalls late = new LateSpanCalls();
        Connection admin = rabbit.connectionFactory().newConnection("baton-cut-admin")) {
      Channel adminChannel = admin.createChannel();
      adminChannel.queueDeclare(queue, false, false, false, null); // outlives the cut connections
      try {
        ConnectionFactory factory = rabbit.connectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(proxy.port());
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(200);
        factory.setSharedExecutor(dispatch);
        try (Connection sub = tracing.wrap(factory.newConnection("baton-cut-sub"));
            Connection pub = tracing.wrap(factory.newConnection("baton-cut-pub"))) {
          countRecoveries(sub, subRecoveries);
          countRecoveries(pub, pubRecoveries);

          Channel consumer = sub.createChannel();
          consumer.basicQos(100);
          consumer.basicConsume(queue, false, (tag, delivery) -> {
            delivered(queue, delivery, subRecoveries.get());
            try {
              consumer.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
            } catch (IOException | AlreadyClosedException e) {
              synchronized (seen) {
                ackFailures++; // cut before the ack: the broker delivers the message again
              }
            }
          }, tag -> {});

          Channel publisher = pub.createChannel();
          publisher.confirmSelect();
          AtomicInteger channelShutdowns = new AtomicInteger();
          publisher.addShutdownListener(cause -> channelShutdowns.incrementAndGet());
          Throwable[] publisherError = new Throwable[1];
          Thread publishing = new Thread(() -> {
            try {
              publishAll(publisher, queue, gates, channelShutdowns, pubRecoveries, deadline);
            } catch (Throwable t) {
              publisherError[0] = t;
            }
          }, "publisher");
          publishing.setDaemon(true);
          publishing.start();

          try {
            for (int cut = 0; cut < CUTS; cut++) {
              gates.awaitReached(cut, 5, TimeUnit.MINUTES);
              gates.release(cut);
              Thread.sleep(20); // the batch after the gate is on its way
              long t0 = System.nanoTime();
              proxy.refuse();
              Thread.sleep(DOWN_MILLIS);
              proxy.accept();
              int expected = cut + 1;
              await().atMost(Duration.ofMinutes(2))
                  .until(() -> subRecoveries.get() >= expected && pubRecoveries.get() >= expected);
              figures.put("cut " + expected + ": both connections recovered after",
                  KafkaClusterFaultsIT.millisSince(t0) + " ms (down " + DOWN_MILLIS + " ms)");
            }
          } finally {
            gates.releaseAll();
          }
          KafkaClusterFaultsIT.join(publishing, deadline);
          assertThat(publisherError[0]).as("publisher").isNull();
          await().atMost(Duration.ofMinutes(5)).until(() -> {
            synchronized (seen) {
              return seen.cardinality() == MESSAGES;
            }
          });
          // Before close(): closing ends what still waits for a confirm, and would hide it.
          await().atMost(Duration.ofSeconds(30)).until(() -> ledger.open() == 0);
          assertThat(late.count()).as("calls on ended spans: %s", late.samples()).isZero();
          assertThat(Context.current()).isSameAs(Context.root());
        }
      } finally {
        adminChannel.queueDelete(queue);
      }
    } finally {
      dispatch.shutdown();
    }
    leakedContext += (int) dispatch.leaks();
    long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    checkAndReport(queue, subRecoveries.get(), pubRecoveries.get(), figures, seconds);
  }

  void checkAndReport(String queue, int subRecoveries, int pubRecoveries,
      Map<String, Object> figures, long seconds) {
    Map<String, SpanLedger.Ended> publishByRoot = new HashMap<>();
    Map<String, SpanLedger.Ended> publishById = new HashMap<>();
    for (SpanLedger.Ended span : ledger.ended(SpanKind.PRODUCER)) {
      assertThat(span.name()).isEqualTo("publish amq.default");
      assertThat(publishByRoot.put(span.parentSpanId(), span)).as("one publish span per root").isNull();
      publishById.put(span.spanId(), span);
    }
    assertThat(publishByRoot).as("one publish span per publish, none more").hasSameSizeAs(attempts);
    Map<String, Integer> outcomes = new TreeMap<>();
    int confirmedAfterLastRecovery = 0;
    Set<Integer> publishedAgain = new java.util.HashSet<>();
    BitSet publishedOnce = new BitSet();
    for (Map.Entry<String, Attempt> e : attempts.entrySet()) {
      Attempt a = e.getValue();
      if (publishedOnce.get(a.id)) {
        publishedAgain.add(a.id);
      }
      publishedOnce.set(a.id);
      SpanLedger.Ended span = publishByRoot.get(e.getKey());
      assertThat(span).as("publish span of message %d", a.id).isNotNull();
      assertThat(span.traceId()).isEqualTo(a.traceId);
      assertThat(span.messageId()).isEqualTo(Integer.toString(a.id));
      String outcome = span.isError() ? "error " + span.errorType() : "ok";
      if (!span.flags().isEmpty()) {
        outcome += " " + span.flags();
      }
      outcomes.merge(outcome, 1, Integer::sum);
      if (a.confirmed) {
        assertThat(span.status()).as("confirmed message %d", a.id).isEqualTo(StatusCode.UNSET);
        assertThat(span.flags()).as("confirmed message %d", a.id).isEmpty();
        if (a.recoveriesBefore == CUTS) {
          confirmedAfterLastRecovery++;
        }
      } else if (a.thrown != null) {
        // the publish threw: its span carries that exception, unless the channel's shutdown
        // ended it first
        assertThat(span.status()).as("message %d, publish threw %s", a.id, a.thrown)
            .isEqualTo(StatusCode.ERROR);
        assertThat(span.errorType()).as("message %d, publish threw", a.id)
            .isIn(a.thrown, "channel_closed");
      } else if (span.isError()) {
        // published, then cut off before its confirm came
        assertThat(span.errorType()).as("message %d cut off", a.id).isIn("channel_closed", "nack");
      }
    }
    for (String[] d : deliveries) {
      SpanLedger.Ended publish = publishById.get(d[1]);
      assertThat(publish).as("the publish span delivery %s names", d[0]).isNotNull();
      assertThat(attempts.get(publish.parentSpanId()).id)
          .as("delivery and publish span agree").isEqualTo(Integer.parseInt(d[0]));
    }
    int redelivered = 0;
    for (String[] d : deliveries) {
      redelivered += Boolean.parseBoolean(d[2]) ? 1 : 0;
    }
    List<Integer> unexplained = new ArrayList<>();
    for (int id : twice) {
      if (!publishedAgain.contains(id) && !redeliveredId(id)) {
        unexplained.add(id);
      }
    }

    SoakReport report = new SoakReport("rabbit-faults-cut")
        .put("messages", MESSAGES + " in batches of " + BATCH + ", publisher confirms")
        .put("cuts", CUTS + " (every connection closed by the proxy, new ones refused for "
            + DOWN_MILLIS + " ms)")
        .put("recoveries (consumer / publisher connection)", subRecoveries + " / " + pubRecoveries);
    figures.forEach(report::put);
    report.put("publishes (with batches published again)", attempts.size())
        .put("batches published again", batchesAgain.get())
        .put("publish calls that threw", publishFailures.toString())
        .put("publish spans by outcome", outcomes.toString())
        .put("publishes confirmed after the last recovery", confirmedAfterLastRecovery)
        .put("deliveries", deliveries.size())
        .put("deliveries per consumer recovery count", deliveriesPerRecovery.toString())
        .put("redelivered by the broker", redelivered)
        .put("acks cut off", ackFailures)
        .put("lost", MESSAGES - seen.cardinality())
        .put("processed twice", twice.size() + " (" + unexplained.size()
            + " neither redelivered nor published again)")
        .put("process spans not the child of their publish span", wrongSpan)
        .put("contexts left on a thread (publisher, consumer dispatch)", leakedContext)
        .put("spans started", ledger.started())
        .put("spans open at the end, before close", 0)
        .put("duration", seconds + " s")
        .write();

    assertThat(subRecoveries).isEqualTo(CUTS);
    assertThat(pubRecoveries).isEqualTo(CUTS);
    assertThat(seen.cardinality()).as("messages processed").isEqualTo(MESSAGES);
    assertThat(unexplained).as("arrived twice, neither redelivered nor published again").isEmpty();
    assertThat(wrongSpan).as("deliveries outside their own process span").isZero();
    assertThat(leakedContext).isZero();
    assertThat(deliveriesPerRecovery.getOrDefault(CUTS, 0))
        .as("deliveries on the channel recovered last").isPositive();
    assertThat(confirmedAfterLastRecovery).as("confirmed after the last recovery").isPositive();
  }

  boolean redeliveredId(int id) {
    for (String[] d : deliveries) {
      if (d[0].equals(Integer.toString(id)) && Boolean.parseBoolean(d[2])) {
        return true;
      }
    }
    return false;
  }

  /** Message numbers where the publisher waits for a cut: batch starts spread over the run. */
  static int[] cutPoints() {
    int[] points = new int[CUTS];
    for (int i = 0; i < CUTS; i++) {
      points[i] = (int) ((long) MESSAGES * (i + 1) / (CUTS + 1)) / BATCH * BATCH;
    }
    return points;
  }

  /** In the consumer's callback: is this delivery inside its own process span? */
  void delivered(String queue, Delivery delivery, int recoveries) {
    String id = delivery.getProperties().getMessageId();
    Object traceparent = delivery.getProperties().getHeaders() == null ? null
        : delivery.getProperties().getHeaders().get("traceparent");
    String tp = traceparent == null ? "" : traceparent.toString();
    String publishSpanId = tp.length() == 55 ? tp.substring(36, 52) : null;
    Span current = Span.current();
    boolean right = publishSpanId != null && current instanceof ReadableSpan
        && ((ReadableSpan) current).getName().equals("process " + queue)
        && ((ReadableSpan) current).getKind() == SpanKind.CONSUMER
        && ((ReadableSpan) current).getParentSpanContext().getSpanId().equals(publishSpanId)
        && current.getSpanContext().getTraceId().equals(tp.substring(3, 35));
    synchronized (seen) {
      if (!right) {
        wrongSpan++;
      }
      int n = Integer.parseInt(id);
      if (seen.get(n)) {
        twice.add(n);
      }
      seen.set(n);
      deliveries.add(new String[] {id, publishSpanId,
          Boolean.toString(delivery.getEnvelope().isRedeliver())});
      deliveriesPerRecovery.merge(recoveries, 1, Integer::sum);
    }
  }

  /**
   * Publishes every message in batches, each confirmed before the next; a batch whose confirms
   * did not all come (the channel closed, or a publish threw) is published again, every 100 ms
   * until it goes through.
   */
  void publishAll(Channel channel, String queue, FaultGates gates, AtomicInteger shutdowns,
      AtomicInteger recoveries, long deadline) throws Exception {
    Tracer tracer = sdk.getTracer("app");
    for (int from = 0; from < MESSAGES; from += BATCH) {
      long left = deadline - System.nanoTime();
      gates.beforeMessage(from, left, TimeUnit.NANOSECONDS);
      List<Attempt> batch = new ArrayList<>(BATCH);
      for (boolean first = true; ; first = false) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("batch " + from + " not confirmed before the deadline");
        }
        if (!first) {
          batchesAgain.incrementAndGet();
          Thread.sleep(100);
        }
        batch.clear();
        int shutdownsBefore = shutdowns.get();
        try {
          for (int id = from; id < Math.min(from + BATCH, MESSAGES); id++) {
            publish(channel, tracer, queue, id, recoveries.get(), batch);
          }
          if (channel.waitForConfirms(30_000) && shutdowns.get() == shutdownsBefore) {
            for (Attempt a : batch) {
              a.confirmed = true;
            }
            break;
          }
        } catch (IOException | ShutdownSignalException | TimeoutException e) {
          // AlreadyClosedException (a ShutdownSignalException): published on a closed channel
          synchronized (publishFailures) {
            publishFailures.computeIfAbsent(e.getClass().getName(), k -> new AtomicInteger())
                .incrementAndGet();
          }
        }
      }
    }
  }

  void publish(Channel channel, Tracer tracer, String queue, int id, int recoveries,
      List<Attempt> batch) throws IOException {
    Span root = tracer.spanBuilder("notify " + id).setNoParent().startSpan();
    Attempt attempt = new Attempt(id, root.getSpanContext().getTraceId(), recoveries);
    attempts.put(root.getSpanContext().getSpanId(), attempt);
    try (Scope ignored = root.makeCurrent()) {
      channel.basicPublish("", queue,
          new AMQP.BasicProperties.Builder().messageId(Integer.toString(id)).build(),
          Integer.toString(id).getBytes(StandardCharsets.US_ASCII));
      batch.add(attempt);
    } catch (IOException | RuntimeException e) {
      attempt.thrown = e.getClass().getName();
      throw e;
    } finally {
      root.end();
    }
    if (Context.current() != Context.root()) {
      synchronized (seen) {
        leakedContext++;
      }
    }
  }

  static void countRecoveries(Connection connection, AtomicInteger count) {
    ((Recoverable) connection).addRecoveryListener(new RecoveryListener() {
      @Override
      public void handleRecovery(Recoverable recoverable) {
        count.incrementAndGet();
      }

      @Override
      public void handleRecoveryStarted(Recoverable recoverable) {}
    });
  }
}
