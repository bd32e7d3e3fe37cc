package dev.baton.examples.spring;

import dev.baton.testing.EmbeddedKafkaBroker;
import dev.baton.testing.LocalRabbitMq;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.UUID;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.amqp.core.Queue;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * An orders service written the usual Spring way, with {@code baton-spring-boot-starter} on the
 * class path and no Baton code: {@link OrderDesk} sends an order with {@code KafkaTemplate},
 * {@link FulfilmentWorker} takes it in a {@code @KafkaListener} and tells the customer through
 * {@code RabbitTemplate}, and {@link Notifier} receives that in a {@code @RabbitListener}. The one
 * thing the application brings is its OpenTelemetry SDK (an {@code OpenTelemetry} bean; Spring
 * Boot's OpenTelemetry support would do as well); here it keeps the spans to print the trace.
 *
 * <p>Kafka: {@code BATON_KAFKA_BOOTSTRAP}, else a KRaft broker started in this JVM. RabbitMQ:
 * {@code BATON_AMQP_URI}, else 127.0.0.1:5672 (guest/guest).
 */
@SpringBootApplication
public class OrdersApplication {

  /** Starts the brokers and the application, places two orders, prints their traces, exits. */
  public static void main(String[] args) throws Exception {
    String kafka = System.getenv("BATON_KAFKA_BOOTSTRAP");
    EmbeddedKafkaBroker embedded = null;
    if (kafka == null || kafka.isBlank()) {
      embedded = EmbeddedKafkaBroker.start();
      kafka = embedded.bootstrapServers();
    }
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(OrdersApplication.class)
            .properties(
                "spring.kafka.bootstrap-servers=" + kafka,
                "spring.rabbitmq.addresses=" + LocalRabbitMq.uri(),
                "example.topic=orders-" + suffix,
                "example.queue=notifications-" + suffix)
            .run(args)) {
      OrderDesk desk = context.getBean(OrderDesk.class);
      desk.placeAndFollow("o-1", "2 x book");
      desk.placeAndFollow("o-2", "1 x lamp");
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  @Bean
  SpanTree spanTree() {
    return new SpanTree();
  }

  /** The application's SDK: W3C propagation, every span kept by {@link SpanTree}. */
  @Bean(destroyMethod = "close")
  OpenTelemetrySdk openTelemetry(SpanTree spanTree) {
    return OpenTelemetrySdk.builder()
        .setTracerProvider(
            SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(spanTree.exporter()))
                .build())
        .setPropagators(
            ContextPropagators.create(
                TextMapPropagator.composite(
                    W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
        .build();
  }

  @Bean
  NewTopic orders(@Value("${example.topic}") String topic) {
    return new NewTopic(topic, 1, (short) 1);
  }

  @Bean
  Queue notifications(@Value("${example.queue}") String queue) {
    return new Queue(queue, false, false, true);
  }
}
