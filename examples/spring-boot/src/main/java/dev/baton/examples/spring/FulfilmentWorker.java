package dev.baton.examples.spring;

import io.opentelemetry.api.trace.Span;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/** Takes orders from Kafka and tells the customer through RabbitMQ. */
@Component
class FulfilmentWorker {

  private final RabbitTemplate rabbit;
  private final String queue;

  FulfilmentWorker(RabbitTemplate rabbit, @Value("${example.queue}") String queue) {
    this.rabbit = rabbit;
    this.queue = queue;
  }

  @KafkaListener(topics = "${example.topic}", groupId = "fulfilment")
  void fulfil(String order) {
    System.out.println("fulfilment  trace_id=" + Span.current().getSpanContext().getTraceId()
        + "  shipping " + order);
    rabbit.convertAndSend("", queue, order + " shipped");
  }
}
