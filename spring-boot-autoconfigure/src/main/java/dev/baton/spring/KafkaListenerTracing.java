package dev.baton.spring;

import dev.baton.core.BatonTracing;
import dev.baton.kafka.KafkaTracing;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.listener.BatchInterceptor;
import org.springframework.kafka.listener.CompositeBatchInterceptor;
import org.springframework.kafka.listener.CompositeRecordInterceptor;
import org.springframework.kafka.listener.RecordInterceptor;

/**
 * Puts Baton's record and batch interceptors in front of whatever interceptors each Kafka
 * listener container factory already has (Spring Boot's {@code kafkaListenerContainerFactory} and
 * the application's own), so every {@code @KafkaListener} runs inside its process span. A factory
 * whose containers Spring's observation traces (with a Micrometer tracer) is left alone, and so
 * are all of them when the Java agent instruments Kafka.
 */
final class KafkaListenerTracing implements BeanPostProcessor {

  private final ObjectProvider<KafkaTracing> kafkaTracing;
  private final ObjectProvider<BatonTracing> baton;
  private final ObjectProvider<Coexistence> coexistence;

  KafkaListenerTracing(
      ObjectProvider<KafkaTracing> kafkaTracing,
      ObjectProvider<BatonTracing> baton,
      ObjectProvider<Coexistence> coexistence) {
    this.kafkaTracing = kafkaTracing;
    this.baton = baton;
    this.coexistence = coexistence;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (!(bean instanceof AbstractKafkaListenerContainerFactory)) {
      return bean;
    }
    AbstractKafkaListenerContainerFactory factory = (AbstractKafkaListenerContainerFactory) bean;
    Coexistence co = coexistence.getObject();
    if (co.backsOff(
        BatonKafkaAutoConfiguration.AGENT_NAMES, "kafka.agent",
        BatonKafkaAutoConfiguration.AGENT_MESSAGE,
        factory.getContainerProperties().isObservationEnabled(),
        "kafka.listener." + beanName, Coexistence.listenersObserved(beanName))) {
      return bean;
    }
    RecordInterceptor existing = factory.getRecordInterceptor();
    if (!contains(existing)) {
      RecordInterceptor ours = new TracingRecordInterceptor(kafkaTracing.getObject());
      factory.setRecordInterceptor(
          existing == null ? ours : new CompositeRecordInterceptor(ours, existing));
    }
    BatchInterceptor existingBatch = factory.getBatchInterceptor();
    if (!(existingBatch instanceof TracingBatchInterceptor)) {
      BatchInterceptor ours = new TracingBatchInterceptor(baton.getObject());
      factory.setBatchInterceptor(
          existingBatch == null ? ours : new CompositeBatchInterceptor(ours, existingBatch));
    }
    co.info(
        "kafka.listener." + beanName,
        "Baton traces the @KafkaListener methods of '" + beanName + "' (process spans).");
    return bean;
  }

  private static boolean contains(RecordInterceptor<?, ?> interceptor) {
    return interceptor instanceof TracingRecordInterceptor;
  }
}
