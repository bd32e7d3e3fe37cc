package dev.baton.examples.spring;

import io.opentelemetry.api.trace.Span;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/** Tells the customer; remembers which trace each order's notification ran in. */
@Component
class Notifier {

  private final Map<String, String> traceIds = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> waiting = new ConcurrentHashMap<>();

  @RabbitListener(queues = "${example.queue}")
  void notifyCustomer(String notification) {
    String traceId = Span.current().getSpanContext().getTraceId();
    System.out.println("notifier    trace_id=" + traceId + "  telling the customer: " + notification);
    String orderId = notification.substring(0, notification.indexOf(':'));
    traceIds.put(orderId, traceId);
    latch(orderId).countDown();
  }

  String awaitNotification(String orderId) throws InterruptedException {
    return latch(orderId).await(30, TimeUnit.SECONDS) ? traceIds.get(orderId) : null;
  }

  private CountDownLatch latch(String orderId) {
    return waiting.computeIfAbsent(orderId, id -> new CountDownLatch(1));
  }
}
