package dev.baton.examples;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.baton.kafka.KafkaTracing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fulfilment worker: one thread polls the orders topic and hands each record to a pool of
 * worker threads; a worker processes the record inside its trace ({@link KafkaTracing#process})
 * and publishes a notification to RabbitMQ through a traced channel.
 *
 * <p>The poll thread logs nothing per record: no trace is current there. The trace becomes current
 * on the worker thread, where the {@code process} span starts. The poll thread's one line, the
 * partitions it was assigned, is at DEBUG: it belongs to no trace.
 */
final class FulfilmentWorker implements AutoCloseable {

  static final String POLL_THREAD = "fulfilment-poll";
  static final String WORKER_THREAD_PREFIX = "fulfilment-worker-";

  private static final Logger log =
      LoggerFactory.getLogger(Logs.PREFIX + CheckoutApp.FULFILMENT_WORKER);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);

  private final KafkaTracing kafkaTracing;
  private final Consumer<String, String> consumer;
  private final String ordersTopic;
  private final Channel notifications;
  private final String exchange;
  private final String routingKey;
  private final Object publishLock = new Object(); // a Channel is not safe for concurrent publishes
  private final ExecutorService workers;
  private final Thread pollThread;
  private final CountDownLatch assigned = new CountDownLatch(1);
  private volatile boolean running = true;

  /**
   * @param consumer a consumer with Baton's consumer interceptor; this worker owns and closes it
   * @param notifications a traced channel; this worker publishes on it but does not close it
   */
  FulfilmentWorker(
      KafkaTracing kafkaTracing,
      Consumer<String, String> consumer,
      String ordersTopic,
      Channel notifications,
      String exchange,
      String routingKey,
      int threads) {
    this.kafkaTracing = kafkaTracing;
    this.consumer = consumer;
    this.ordersTopic = ordersTopic;
    this.notifications = notifications;
    this.exchange = exchange;
    this.routingKey = routingKey;
    AtomicInteger count = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(
        threads, r -> new Thread(r, WORKER_THREAD_PREFIX + count.incrementAndGet()));
    this.pollThread = new Thread(this::pollLoop, POLL_THREAD);
  }

  /** Starts polling and waits until the topic's partitions are assigned to this consumer. */
  void start(Duration timeout) throws InterruptedException {
    pollThread.start();
    if (!assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("no partition of " + ordersTopic + " assigned in " + timeout);
    }
  }

  private void pollLoop() {
    try {
      consumer.subscribe(List.of(ordersTopic), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          log.debug("polling {}", partitions); // belongs to no trace: kept out of the demo
          assigned.countDown();
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}
      });
      while (running) {
        for (ConsumerRecord<String, String> record : consumer.poll(POLL_TIMEOUT)) {
          workers.execute(() -> handle(record));
        }
      }
    } catch (WakeupException e) {
      // close() woke the consumer up
    } catch (RuntimeException e) {
      log.error("polling {} stopped", ordersTopic, e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** On a worker thread: the record's trace becomes current inside {@code process}. */
  private void handle(ConsumerRecord<String, String> record) {
    try {
      kafkaTracing.process(record, r -> {
        try {
          fulfil(Order.parse(r.value()));
        } catch (IOException | RuntimeException e) {
          log.error("record {} at offset {} not fulfilled", r.key(), r.offset(), e);
          throw e;
        }
      });
    } catch (IOException | RuntimeException e) {
      // logged inside the trace above, and recorded on the process span by KafkaTracing
    }
  }

  private void fulfil(Order order) throws IOException {
    log.info("fulfilling order {}", order);
    String text = "order " + order.id() + " shipped: " + order.quantity() + " x " + order.sku();
    AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
        .messageId("n-" + order.id())
        .contentType("text/plain")
        .build();
    synchronized (publishLock) {
      // Baton's traced channel starts a PRODUCER span here, child of the process span
      notifications.basicPublish(
          exchange, routingKey, properties, text.getBytes(StandardCharsets.UTF_8));
    }
    log.info("notification for order {} published to {}", order.id(), exchange);
  }

  /** Stops polling, lets the workers finish what they hold, and closes the consumer. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    pollThread.join(TimeUnit.SECONDS.toMillis(10));
    workers.shutdown();
    if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
      workers.shutdownNow();
    }
  }
}
