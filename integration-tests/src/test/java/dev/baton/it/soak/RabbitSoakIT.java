package dev.baton.it.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.baton.amqp.AmqpTracing;
import dev.baton.it.RabbitBroker;
import dev.baton.it.RabbitBrokerExtension;
import dev.baton.it.KafkaClientsVersion;
import dev.baton.it.SoakReport;
import dev.baton.it.SpanCounter;
import dev.baton.it.Vitals;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Messages through a traced channel in confirm mode (publish spans end on the broker's confirm)
 * and a traced consumer with manual acks: {@code -Dbaton.soak.rabbit.messages} of them (2,000 in
 * the normal build; 200,000 in the long run of docs/reliability.md). Every message arrives and is
 * processed once, inside a {@code process} span that is the child of its {@code publish} span;
 * every confirm arrives and every span ends; heap after full GC stays flat between the end of the
 * warm-up (10%) and the end; the connections' threads go away on close.
 */
@ExtendWith(RabbitBrokerExtension.class)
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class RabbitSoakIT {

  static final int MESSAGES = Integer.getInteger("baton.soak.rabbit.messages", 2_000);
  static final long HEAP_TOLERANCE = 64L << 20;

  @Test
  void everyMessageArrivesOnceAndEverySpanEnds(RabbitBroker rabbit) throws Exception {
    // Once per build: an -Dit.test run also reaches the older-client executions, which skip it.
    assumeTrue(KafkaClientsVersion.atLeast(4, 1), "runs with the default kafka-clients only");
    String queue = "baton-soak-" + UUID.randomUUID();
    SpanCounter spans = new SpanCounter();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(spans).build())
        .setPropagators(ContextPropagators.noop())
        .build();
    AmqpTracing tracing = AmqpTracing.builder(sdk).endPublishOnConfirm(true).build();
    int threadsBefore = Vitals.threads();
    BitSet seen = new BitSet(MESSAGES);
    long[] counts = new long[3]; // duplicates, wrong parents, processed
    long started = System.nanoTime();
    long heapWarm;
    long heapEnd;
    int threadsRunning;
    try (Connection pubConnection = tracing.wrap(rabbit.connectionFactory().newConnection("baton-soak-pub"));
        Connection subConnection = tracing.wrap(rabbit.connectionFactory().newConnection("baton-soak-sub"))) {
      Channel publisher = pubConnection.createChannel();
      publisher.queueDeclare(queue, false, false, false, null);
      try {
        publisher.confirmSelect();
        Channel consumer = subConnection.createChannel();
        consumer.basicQos(500);
        consumer.basicConsume(queue, false, (tag, delivery) -> {
          int id = Integer.parseInt(delivery.getProperties().getMessageId());
          Object tp = delivery.getProperties().getHeaders().get("traceparent");
          String publishSpanId = tp == null ? "" : tp.toString().substring(36, 52);
          synchronized (counts) {
            if (seen.get(id)) {
              counts[0]++;
            }
            seen.set(id);
            if (!((ReadableSpan) Span.current()).getParentSpanContext().getSpanId().equals(publishSpanId)) {
              counts[1]++;
            }
            counts[2]++;
            counts.notifyAll();
          }
          consumer.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
        }, tag -> {});

        int warmUp = Math.max(1, MESSAGES / 10);
        publishAndAwait(publisher, queue, 0, warmUp, counts);
        heapWarm = Vitals.heapAfterGc();
        publishAndAwait(publisher, queue, warmUp, MESSAGES, counts);
        heapEnd = Vitals.heapAfterGc();
        threadsRunning = Vitals.threads();
        assertThat(spans.open()).as("spans open once every confirm is in").isZero();
      } finally {
        publisher.queueDelete(queue);
      }
    }
    long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    Thread.sleep(500); // amqp-client's threads end asynchronously after close
    int threadsAfter = Vitals.threads();
    long lost = MESSAGES - seen.cardinality();
    new SoakReport("rabbit-soak")
        .put("messages published (confirm mode)", MESSAGES)
        .put("messages processed", counts[2])
        .put("lost", lost)
        .put("processed twice", counts[0])
        .put("process spans with the wrong parent", counts[1])
        .put("spans started", spans.started())
        .put("spans ended", spans.ended())
        .put("spans ended as errors", spans.errors())
        .put("spans open after close", spans.open())
        .put("heap after GC, end of warm-up", Vitals.mib(heapWarm))
        .put("heap after GC, end", Vitals.mib(heapEnd))
        .put("threads before connections / running / after close", threadsBefore + " / " + threadsRunning + " / " + threadsAfter)
        .put("duration", seconds + " s (" + (2L * MESSAGES / seconds) + " publishes+processes/s)")
        .write();

    assertThat(lost).isZero();
    assertThat(counts[0]).isZero();
    assertThat(counts[1]).isZero();
    assertThat(spans.started()).isEqualTo(2L * MESSAGES);
    assertThat(spans.errors()).isZero();
    assertThat(spans.open()).isZero();
    assertThat(heapEnd).as("heap after GC stays flat").isLessThan(heapWarm + HEAP_TOLERANCE);
    assertThat(threadsAfter).as("connection threads gone").isLessThanOrEqualTo(threadsBefore + 2);
    assertThat(Context.current()).isSameAs(Context.root());
  }

  /** Publishes {@code [from, to)} in confirm mode, then waits until all are confirmed and processed. */
  static void publishAndAwait(Channel publisher, String queue, int from, int to, long[] counts)
      throws Exception {
    for (int i = from; i < to; i++) {
      publisher.basicPublish("", queue,
          new AMQP.BasicProperties.Builder().messageId(Integer.toString(i)).build(),
          Integer.toString(i).getBytes(StandardCharsets.US_ASCII));
      if (i % 1000 == 999) {
        publisher.waitForConfirmsOrDie(60_000);
      }
    }
    publisher.waitForConfirmsOrDie(60_000);
    long deadline = System.currentTimeMillis() + 120_000;
    synchronized (counts) {
      while (counts[2] < to && System.currentTimeMillis() < deadline) {
        counts.wait(1_000);
      }
    }
  }
}
