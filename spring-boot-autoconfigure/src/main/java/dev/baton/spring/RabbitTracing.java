package dev.baton.spring;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import org.aopalliance.aop.Advice;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.amqp.rabbit.config.AbstractRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.config.BaseRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.core.Ordered;
import org.springframework.util.ReflectionUtils;

/**
 * Traces every {@code RabbitTemplate} (Spring Boot's and the application's) with a before-publish
 * post-processor, and every simple and direct listener container factory with a first advice, so
 * {@code @RabbitListener} methods run inside their process span. A template or factory that
 * Spring's observation traces (with a Micrometer tracer) is left alone, and so are all of them
 * when the Java agent instruments RabbitMQ.
 */
final class RabbitTracing implements BeanPostProcessor, Ordered {

  static final String[] AGENT_NAMES = {"rabbitmq", "spring-rabbit"};

  static final String AGENT_MESSAGE =
      "the OpenTelemetry Java agent instruments RabbitMQ: the agent traces it and Baton adds"
          + " nothing to RabbitTemplate or @RabbitListener (set"
          + " otel.instrumentation.rabbitmq.enabled=false and"
          + " otel.instrumentation.spring-rabbit.enabled=false to let Baton trace them).";

  private final ObjectProvider<RabbitSpans> spans;
  private final ObjectProvider<Coexistence> coexistence;

  RabbitTracing(ObjectProvider<RabbitSpans> spans, ObjectProvider<Coexistence> coexistence) {
    this.spans = spans;
    this.coexistence = coexistence;
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE; // after the application's own post-processors
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof RabbitTemplate) {
      trace((RabbitTemplate) bean, beanName);
    } else if (bean instanceof AbstractRabbitListenerContainerFactory) {
      trace((AbstractRabbitListenerContainerFactory<?>) bean, beanName);
    }
    return bean;
  }

  private void trace(RabbitTemplate template, String beanName) {
    Coexistence co = coexistence.getObject();
    if (co.backsOff(
        AGENT_NAMES, "amqp.agent", AGENT_MESSAGE, observationEnabled(template),
        "amqp.template." + beanName,
        "Spring's Micrometer observation traces RabbitTemplate '" + beanName
            + "' (observation-enabled, with a Micrometer tracer); Baton does not inject there.")) {
      return;
    }
    if (template.getBeforePublishPostProcessors() != null) {
      for (Object p : template.getBeforePublishPostProcessors()) {
        if (p instanceof TracingPublishPostProcessor) {
          return;
        }
      }
    }
    template.addBeforePublishPostProcessors(
        new TracingPublishPostProcessor(spans.getObject(), template));
    co.info("amqp.template." + beanName, "Baton traces RabbitTemplate '" + beanName + "'.");
  }

  private void trace(AbstractRabbitListenerContainerFactory<?> factory, String beanName) {
    Coexistence co = coexistence.getObject();
    if (co.backsOff(
        AGENT_NAMES, "amqp.agent", AGENT_MESSAGE, observationEnabled(factory),
        "amqp.listener." + beanName, Coexistence.listenersObserved(beanName))) {
      return;
    }
    Advice[] chain = factory.getAdviceChain();
    int length = chain == null ? 0 : chain.length;
    for (int i = 0; i < length; i++) {
      if (chain[i] instanceof TracingListenerAdvice) {
        return;
      }
    }
    // First in the chain: one process span per delivery, around retries and the other advice.
    Advice[] traced = new Advice[length + 1];
    traced[0] = new TracingListenerAdvice(spans.getObject());
    if (length > 0) {
      System.arraycopy(chain, 0, traced, 1, length);
    }
    factory.setAdviceChain(traced);
    co.info(
        "amqp.listener." + beanName,
        "Baton traces the @RabbitListener methods of '" + beanName + "' (process spans).");
  }

  /** RabbitTemplate keeps its observation flag private: read it, or assume off. */
  static boolean observationEnabled(RabbitTemplate template) {
    Field field = ReflectionUtils.findField(RabbitTemplate.class, "observationEnabled");
    if (field == null || field.getType() != boolean.class) {
      return false;
    }
    try {
      ReflectionUtils.makeAccessible(field);
      return field.getBoolean(template);
    } catch (IllegalAccessException | RuntimeException e) {
      return false;
    }
  }

  /** The factory's flag has a protected getter only. */
  static boolean observationEnabled(BaseRabbitListenerContainerFactory<?> factory) {
    Method getter =
        ReflectionUtils.findMethod(BaseRabbitListenerContainerFactory.class, "getObservationEnabled");
    if (getter == null) {
      return false;
    }
    try {
      ReflectionUtils.makeAccessible(getter);
      return Boolean.TRUE.equals(getter.invoke(factory));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }
}
