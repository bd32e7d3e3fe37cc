package dev.baton.examples;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifier: consumes the notifications queue through a traced channel, so every delivery
 * runs inside a CONSUMER {@code process {queue}} span, child of the publisher's span, and "tells
 * the customer" by logging. What it delivered can be awaited with {@link #next(Duration)}.
 */
final class Notifier {

  private static final Logger log = LoggerFactory.getLogger(Logs.PREFIX + CheckoutApp.NOTIFIER);

  private final Channel channel;
  private final String queue;
  private final BlockingQueue<String> delivered = new LinkedBlockingQueue<>();

  /** @param channel a traced channel that this notifier owns */
  Notifier(Channel channel, String queue) {
    this.channel = channel;
    this.queue = queue;
  }

  /**
   * Declares the exchange and the queue (both transient: gone when the broker restarts), binds
   * them with {@code routingKey} and starts consuming. The queue is neither exclusive nor
   * auto-delete: Baton would treat such a queue as temporary and leave its name out of the span
   * names, and the demo shows {@code process notifications}.
   */
  void start(String exchange, String routingKey) throws IOException {
    channel.exchangeDeclare(exchange, BuiltinExchangeType.DIRECT, false);
    channel.queueDeclare(queue, false, false, false, null);
    channel.queueBind(queue, exchange, routingKey);
    channel.basicConsume(queue, false, (tag, delivery) -> notify(delivery), tag -> {});
  }

  /** Runs inside the process span that Baton's traced channel starts for the delivery. */
  private void notify(Delivery delivery) throws IOException {
    String text = new String(delivery.getBody(), StandardCharsets.UTF_8);
    log.info("telling the customer: {}", text);
    delivered.add(text);
    channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
  }

  /** The next notification delivered, or null if none arrives within {@code timeout}. */
  String next(Duration timeout) throws InterruptedException {
    return delivered.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
