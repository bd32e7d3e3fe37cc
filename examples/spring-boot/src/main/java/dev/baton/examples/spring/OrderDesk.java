package dev.baton.examples.spring;

import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/** Places orders on Kafka and prints each order's trace once the customer has been told. */
@Component
class OrderDesk {

  private final KafkaTemplate<String, String> kafka;
  private final Notifier notifier;
  private final SpanTree spans;
  private final String topic;

  OrderDesk(
      KafkaTemplate<String, String> kafka,
      Notifier notifier,
      SpanTree spans,
      @Value("${example.topic}") String topic) {
    this.kafka = kafka;
    this.notifier = notifier;
    this.spans = spans;
    this.topic = topic;
  }

  void placeAndFollow(String orderId, String items) throws Exception {
    System.out.println();
    System.out.println("== placing order " + orderId + " (" + items + ")");
    kafka.send(topic, orderId, orderId + ": " + items).get(30, TimeUnit.SECONDS);
    String traceId = notifier.awaitNotification(orderId);
    if (traceId == null) {
      System.out.println("no notification for " + orderId + " within 30 s");
      return;
    }
    spans.awaitQuiet();
    System.out.println(spans.render(traceId));
  }
}
