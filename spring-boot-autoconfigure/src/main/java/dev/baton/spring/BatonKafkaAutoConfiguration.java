package dev.baton.spring;

import dev.baton.core.BatonTracing;
import dev.baton.kafka.KafkaTracing;
import dev.baton.kafka.TracingConsumerInterceptor;
import dev.baton.kafka.TracingProducerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Spring Kafka: Baton's producer and consumer interceptors on every producer and consumer factory
 * Spring Boot creates (appended to the application's {@code interceptor.classes}, through Boot's
 * factory customizers), and {@code @KafkaListener} methods inside the record's process span. Off
 * with {@code baton.kafka.enabled=false}.
 */
@AutoConfiguration(after = BatonAutoConfiguration.class)
@ConditionalOnClass({
  KafkaTemplate.class,
  KafkaTracing.class,
  DefaultKafkaProducerFactoryCustomizer.class
})
@ConditionalOnBean(BatonTracing.class)
@ConditionalOnBooleanProperty(name = BatonSettings.ENABLED, matchIfMissing = true)
@ConditionalOnBooleanProperty(name = BatonSettings.KAFKA_ENABLED, matchIfMissing = true)
final class BatonKafkaAutoConfiguration {

  /** The Java agent's instrumentations of kafka-clients and Spring Kafka. */
  static final String[] AGENT_NAMES = {"kafka", "kafka-clients", "spring-kafka"};

  static final String AGENT_MESSAGE =
      "the OpenTelemetry Java agent instruments Kafka: the agent traces it and Baton adds nothing"
          + " to Kafka (set otel.instrumentation.kafka.enabled=false and"
          + " otel.instrumentation.spring-kafka.enabled=false to let Baton trace it).";

  static final String TEMPLATE_OBSERVATION = "spring.kafka.template.observation-enabled";
  static final String LISTENER_OBSERVATION = "spring.kafka.listener.observation-enabled";

  @Bean
  @ConditionalOnMissingBean
  KafkaTracing batonKafkaTracing(BatonTracing baton, BatonSettings settings) {
    return KafkaTracing.fromConfig(settings.forTransport(BatonSettings.KAFKA_PREFIX, baton));
  }

  @Bean
  DefaultKafkaProducerFactoryCustomizer batonKafkaProducerFactoryCustomizer(
      KafkaTracing kafkaTracing, Coexistence coexistence) {
    return factory -> {
      if (backsOff(coexistence, TEMPLATE_OBSERVATION, "KafkaTemplate sends")) {
        return;
      }
      factory.updateConfigs(
          InterceptorClasses.withInterceptor(
              kafkaTracing.producerProperties(),
              factory.getConfigurationProperties(),
              ProducerConfig.INTERCEPTOR_CLASSES_CONFIG,
              TracingProducerInterceptor.class));
      coexistence.info("kafka.producer", "Baton traces Kafka producers (send spans).");
    };
  }

  @Bean
  DefaultKafkaConsumerFactoryCustomizer batonKafkaConsumerFactoryCustomizer(
      KafkaTracing kafkaTracing, Coexistence coexistence) {
    return factory -> {
      if (backsOff(coexistence, LISTENER_OBSERVATION, "Kafka listeners")) {
        return;
      }
      factory.updateConfigs(
          InterceptorClasses.withInterceptor(
              kafkaTracing.consumerProperties(),
              factory.getConfigurationProperties(),
              ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG,
              TracingConsumerInterceptor.class));
    };
  }

  private static boolean backsOff(Coexistence coexistence, String observation, String what) {
    return coexistence.backsOff(
        AGENT_NAMES, "kafka.agent", AGENT_MESSAGE,
        coexistence.observationEnabled(observation),
        "kafka." + observation,
        "Spring's Micrometer observation traces " + what + " (" + observation
            + "=true, with a Micrometer tracer); Baton's interceptor is not added.");
  }

  @Bean
  static KafkaListenerTracing batonKafkaListenerTracing(
      ObjectProvider<KafkaTracing> kafkaTracing,
      ObjectProvider<BatonTracing> baton,
      ObjectProvider<Coexistence> coexistence) {
    return new KafkaListenerTracing(kafkaTracing, baton, coexistence);
  }
}
