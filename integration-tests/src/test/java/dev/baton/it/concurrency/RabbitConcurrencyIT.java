package dev.baton.it.concurrency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.baton.amqp.AmqpTracing;
import dev.baton.it.ContextCheckingExecutor;
import dev.baton.it.KafkaClientsVersion;
import dev.baton.it.LateSpanCalls;
import dev.baton.it.RabbitBroker;
import dev.baton.it.RabbitBrokerExtension;
import dev.baton.it.SpanCounter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * RabbitMQ channels shared by threads the way amqp-client allows it: eight threads publish on one
 * channel in confirm mode, each {@code basicPublish} in a critical section as the client's
 * documentation requires, each message under a root span of its own; two consumers on one channel
 * hand their deliveries to a pool of four workers, which ack them one at a time on that channel;
 * four threads {@code basicGet} from one channel, process each response with
 * {@code AmqpTracing.process} and ack it there. Settle spans and publish spans ending on confirms
 * are on.
 *
 * <p>Every publish span is the child of its own message's root and ends on its own confirm
 * (without error, not evicted); every process span is the child of its own message's publish
 * span and current where the message is handled; every ack span names its own message and is
 * the child of that message's process span; every span ends once (the SDK reports no call on an
 * ended span); no thread (publishers, amqp-client's dispatch pool, workers) holds a context after
 * a task.
 */
@ExtendWith(RabbitBrokerExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RabbitConcurrencyIT {

  static final int THREADS = 8;
  static final int PER_THREAD = 250;
  static final int TOTAL = THREADS * PER_THREAD;
  static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
  static final AttributeKey<Boolean> EVICTED = AttributeKey.booleanKey("baton.amqp.confirm.evicted");

  @Test
  void sharedChannelsKeepEachMessagesContext(RabbitBroker rabbit) throws Exception {
    assumeTrue(KafkaClientsVersion.atLeast(4, 1), "runs with the default kafka-clients only");
    String pushQueue = "baton-conc-push-" + UUID.randomUUID();
    String pullQueue = "baton-conc-pull-" + UUID.randomUUID();
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    SpanCounter counter = new SpanCounter();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(counter).addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    AmqpTracing tracing = AmqpTracing.builder(sdk).settleSpans(true).endPublishOnConfirm(true).build();
    Map<String, String> rootOf = new ConcurrentHashMap<>(); // message id -> root span id
    Map<String, String> handledIn = new ConcurrentHashMap<>(); // message id -> current span id where handled
    AtomicInteger wrong = new AtomicInteger();
    AtomicInteger leaks = new AtomicInteger();
    AtomicInteger handled = new AtomicInteger();
    ContextCheckingExecutor dispatch = new ContextCheckingExecutor(4);
    ContextCheckingExecutor workers = new ContextCheckingExecutor(4);
    ExecutorService threads = Executors.newFixedThreadPool(THREADS);
    AtomicInteger emptyGets = new AtomicInteger();
    ConnectionFactory factory = rabbit.connectionFactory();
    factory.setSharedExecutor(dispatch);

    try (LateSpanCalls late = new LateSpanCalls();
        Connection connection = tracing.wrap(factory.newConnection("baton-concurrency"))) {
      Channel publisher = connection.createChannel();
      publisher.queueDeclare(pushQueue, false, false, false, null);
      publisher.queueDeclare(pullQueue, false, false, false, null);
      try {
        publisher.confirmSelect();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> sent = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          sent.add(threads.submit(() -> {
            go.await();
            for (int i = 0; i < PER_THREAD; i++) {
              String id = thread + "-" + i;
              Span root = sdk.getTracer("app").spanBuilder("notify " + id).setNoParent().startSpan();
              rootOf.put(id, root.getSpanContext().getSpanId());
              try (Scope ignored = root.makeCurrent()) {
                AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().messageId(id).build();
                byte[] body = id.getBytes(StandardCharsets.US_ASCII);
                synchronized (publisher) { // amqp-client: concurrent publishing needs a critical section
                  publisher.basicPublish("", i % 2 == 0 ? pushQueue : pullQueue, props, body);
                }
              } finally {
                root.end();
              }
              if (Context.current() != Context.root()) {
                leaks.incrementAndGet();
              }
            }
            return null;
          }));
        }
        go.countDown();
        for (Future<?> f : sent) {
          f.get(60, TimeUnit.SECONDS);
        }
        publisher.waitForConfirmsOrDie(60_000);

        // push: two consumers on one channel, deliveries handed to four workers that ack them
        Channel consuming = connection.createChannel();
        consuming.basicQos(200);
        for (int c = 0; c < 2; c++) {
          consuming.basicConsume(pushQueue, false, (tag, delivery) -> {
            String id = delivery.getProperties().getMessageId();
            Span process = Span.current();
            if (!isChildOfPublishSpan(process, delivery.getProperties().getHeaders(), "process " + pushQueue)) {
              wrong.incrementAndGet();
            }
            long deliveryTag = delivery.getEnvelope().getDeliveryTag();
            workers.execute(Context.current().wrap(() -> {
              handledIn.put(id, Span.current().getSpanContext().getSpanId());
              if (Span.current() != process) {
                wrong.incrementAndGet();
              }
              try {
                consuming.basicAck(deliveryTag, false); // one at a time: safe from any thread
              } catch (Exception e) {
                wrong.incrementAndGet();
              }
              handled.incrementAndGet();
            }));
          }, consumerTag -> {});
        }

        // pull: four threads share one channel for basicGet and basicAck
        Channel pulling = connection.createChannel();
        AtomicInteger pulled = new AtomicInteger();
        List<Future<?>> pullers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          pullers.add(threads.submit(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (pulled.get() < TOTAL / 2 && System.nanoTime() < deadline) {
              GetResponse response = pulling.basicGet(pullQueue, false);
              if (response == null) {
                emptyGets.incrementAndGet(); // a get span without a message
                Thread.sleep(5);
                continue;
              }
              pulled.incrementAndGet();
              tracing.process(response, r -> {
                String id = r.getProps().getMessageId();
                handledIn.put(id, Span.current().getSpanContext().getSpanId());
                if (!isChildOfPublishSpan(Span.current(), r.getProps().getHeaders(), "process " + pullQueue)) {
                  wrong.incrementAndGet();
                }
                pulling.basicAck(r.getEnvelope().getDeliveryTag(), false);
                handled.incrementAndGet();
              });
              if (Context.current() != Context.root()) {
                leaks.incrementAndGet();
              }
            }
            return null;
          }));
        }
        for (Future<?> f : pullers) {
          f.get(90, TimeUnit.SECONDS);
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> handled.get() == TOTAL);
        // every ack is written before its span ends; every span has ended once the work is done
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> counter.open() == 0);
        assertThat(late.count()).as("calls on ended spans: %s", late.samples()).isZero();
      } finally {
        publisher.queueDelete(pushQueue);
        publisher.queueDelete(pullQueue);
      }
    } finally {
      threads.shutdownNow();
      workers.shutdown();
      dispatch.shutdown();
    }

    assertThat(handled.get()).isEqualTo(TOTAL);
    assertThat(wrong.get()).as("deliveries handled outside their own process span").isZero();
    assertThat(leaks.get() + workers.leaks() + dispatch.leaks()).as("contexts left on threads").isZero();
    assertThat(dispatch.tasks()).as("amqp-client dispatched through the checking pool").isPositive();

    Map<String, SpanData> publishOf = new HashMap<>();
    Map<String, SpanData> processOf = new HashMap<>();
    Map<String, SpanData> getOf = new HashMap<>();
    Map<String, SpanData> ackOf = new HashMap<>();
    int empty = 0;
    for (SpanData s : exporter.getFinishedSpanItems()) {
      String id = s.getAttributes().get(MESSAGE_ID);
      if (s.getKind() == SpanKind.INTERNAL) {
        continue; // the roots
      }
      if (id == null && s.getName().equals("get " + pullQueue)) {
        empty++;
        continue;
      }
      assertThat(id).as("message id of %s", s).isNotNull();
      Map<String, SpanData> byId = switch (s.getName().substring(0, s.getName().indexOf(' '))) {
        case "publish" -> publishOf;
        case "process" -> processOf;
        case "get" -> getOf;
        case "ack" -> ackOf;
        default -> throw new AssertionError("unexpected span " + s);
      };
      assertThat(byId.put(id, s)).as("one %s span for message %s", s.getName(), id).isNull();
    }
    assertThat(publishOf).hasSize(TOTAL);
    assertThat(processOf).hasSize(TOTAL);
    assertThat(getOf).hasSize(TOTAL / 2);
    assertThat(ackOf).hasSize(TOTAL);
    for (Map.Entry<String, SpanData> e : publishOf.entrySet()) {
      String id = e.getKey();
      SpanData publish = e.getValue();
      boolean push = Integer.parseInt(id.substring(id.indexOf('-') + 1)) % 2 == 0;
      String queue = push ? pushQueue : pullQueue;
      assertThat(publish.getName()).isEqualTo("publish amq.default");
      assertThat(publish.getParentSpanId()).as("publish of %s", id).isEqualTo(rootOf.get(id));
      assertThat(publish.getStatus().getStatusCode()).as("publish of %s", id).isEqualTo(StatusCode.UNSET);
      assertThat(publish.getAttributes().get(EVICTED)).as("publish of %s", id).isNull();
      SpanData process = processOf.get(id);
      assertThat(process.getName()).isEqualTo("process " + queue);
      assertThat(process.getParentSpanId()).as("process of %s", id).isEqualTo(publish.getSpanId());
      assertThat(process.getTraceId()).isEqualTo(publish.getTraceId());
      assertThat(handledIn.get(id)).as("current while %s was handled", id).isEqualTo(process.getSpanId());
      SpanData ack = ackOf.get(id);
      assertThat(ack.getName()).isEqualTo("ack " + queue);
      assertThat(ack.getKind()).isEqualTo(SpanKind.CLIENT);
      assertThat(ack.getParentSpanId()).as("ack of %s", id).isEqualTo(process.getSpanId());
      if (!push) {
        SpanData get = getOf.get(id);
        assertThat(get.getName()).isEqualTo("get " + queue);
        assertThat(get.getParentSpanContext().isValid()).as("get of %s on a bare thread", id).isFalse();
        assertThat(get.getLinks()).hasSize(1);
        assertThat(get.getLinks().get(0).getSpanContext().getSpanId()).isEqualTo(publish.getSpanId());
      }
    }
    assertThat(empty).isEqualTo(emptyGets.get());
    assertThat(counter.started()).isEqualTo(4L * TOTAL + TOTAL / 2 + empty);
    assertThat(counter.open()).isZero();
    assertThat(Context.current()).isSameAs(Context.root());
  }

  /** Whether {@code span} is the CONSUMER span {@code name}, child of the traceparent's span. */
  static boolean isChildOfPublishSpan(Span span, Map<String, Object> headers, String name) {
    Object tp = headers == null ? null : headers.get("traceparent");
    if (tp == null || tp.toString().length() != 55 || !(span instanceof ReadableSpan)) {
      return false;
    }
    ReadableSpan readable = (ReadableSpan) span;
    return readable.getName().equals(name) && readable.getKind() == SpanKind.CONSUMER
        && readable.getParentSpanContext().getSpanId().equals(tp.toString().substring(36, 52))
        && readable.getSpanContext().getTraceId().equals(tp.toString().substring(3, 35));
  }
}
