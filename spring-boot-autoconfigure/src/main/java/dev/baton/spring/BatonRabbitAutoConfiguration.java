package dev.baton.spring;

import dev.baton.amqp.AmqpTracing;
import dev.baton.core.BatonTracing;
import dev.baton.core.internal.ConfigReader;
import java.util.Set;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;

/**
 * Spring AMQP: {@code RabbitTemplate} sends inject the trace context (a before-publish
 * post-processor), and {@code @RabbitListener} methods of simple and direct containers run inside
 * the message's process span (a listener-container advice). Off with
 * {@code baton.amqp.enabled=false}.
 */
@AutoConfiguration(after = BatonAutoConfiguration.class)
@ConditionalOnClass({RabbitTemplate.class, AmqpTracing.class})
@ConditionalOnBean(BatonTracing.class)
@ConditionalOnBooleanProperty(name = BatonSettings.ENABLED, matchIfMissing = true)
@ConditionalOnBooleanProperty(name = BatonSettings.AMQP_ENABLED, matchIfMissing = true)
final class BatonRabbitAutoConfiguration {

  /** For code that wraps amqp-client channels itself; the Spring wiring reads the properties. */
  @Bean
  @ConditionalOnMissingBean
  AmqpTracing batonAmqpTracing(BatonTracing baton, BatonSettings settings) {
    return AmqpTracing.fromConfig(settings.forTransport(BatonSettings.AMQP_PREFIX, baton));
  }

  /**
   * What the template post-processor and the listener advice share, built when the first template
   * or listener container factory is traced. {@code ConfigReader.of} checks every {@code baton.*}
   * value of the map, as every transport does.
   */
  @Bean
  @Lazy
  RabbitSpans batonRabbitSpans(BatonTracing baton, BatonSettings settings) {
    ConfigReader reader =
        ConfigReader.of(
            settings.forTransport(BatonSettings.AMQP_PREFIX, baton),
            Set.of(
                AmqpTracing.SETTLE_SPANS,
                AmqpTracing.PUBLISH_END_ON_CONFIRM,
                AmqpTracing.PUBLISH_MAX_PENDING_CONFIRMS));
    return new RabbitSpans(baton, reader.bool(AmqpTracing.PUBLISH_END_ON_CONFIRM, false));
  }

  @Bean
  static RabbitTracing batonRabbitTracing(
      ObjectProvider<RabbitSpans> spans, ObjectProvider<Coexistence> coexistence) {
    return new RabbitTracing(spans, coexistence);
  }
}
