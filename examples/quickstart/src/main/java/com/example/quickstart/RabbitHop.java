package com.example.quickstart;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.baton.amqp.AmqpTracing;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** RabbitMQ: publish on a wrapped channel, consume on another, in one trace. */
final class RabbitHop {

  private RabbitHop() {}

  /** Publishes one message in the current trace and returns the trace id its consumer saw. */
  static String run(OpenTelemetry openTelemetry, ConnectionFactory factory) throws Exception {
    String queue = "quickstart-" + UUID.randomUUID();
    try (Connection connection = factory.newConnection("baton-quickstart")) {
      // tag::rabbit[]
      AmqpTracing amqpTracing = AmqpTracing.create(openTelemetry);
      Channel channel = amqpTracing.wrap(connection.createChannel());
      channel.queueDeclare(queue, false, false, false, null);

      CompletableFuture<String> seen = new CompletableFuture<>();
      channel.basicConsume(queue, true, new DefaultConsumer(channel) {
        @Override
        public void handleDelivery(String consumerTag, Envelope envelope,
            AMQP.BasicProperties properties, byte[] body) {
          // runs inside "process <queue>", a child of the publisher's span
          seen.complete(Span.current().getSpanContext().getTraceId());
        }
      });
      channel.basicPublish("", queue, null, "order 42".getBytes(StandardCharsets.UTF_8));
      // end::rabbit[]
      String traceId = seen.get(30, TimeUnit.SECONDS);
      channel.queueDelete(queue);
      channel.close();
      return traceId;
    }
  }
}
