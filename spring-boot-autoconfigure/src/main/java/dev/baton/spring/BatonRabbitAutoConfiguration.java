package dev.baton.spring;

import dev.baton.amqp.AmqpTracing;
import dev.baton.core.BatonTracing;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

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

  BatonRabbitAutoConfiguration() {}

  /** For code that wraps amqp-client channels itself; the Spring wiring reads the properties. */
  @Bean
  @ConditionalOnMissingBean
  AmqpTracing batonAmqpTracing(BatonTracing baton, BatonSettings settings) {
    return AmqpTracing.fromConfig(settings.forTransport(BatonSettings.AMQP_PREFIX, baton));
  }

  @Bean
  static RabbitTracing batonRabbitTracing(
      ObjectProvider<BatonTracing> baton,
      ObjectProvider<BatonSettings> settings,
      ObjectProvider<AmqpTracing> amqpTracing,
      ObjectProvider<Coexistence> coexistence) {
    return new RabbitTracing(baton, settings, amqpTracing, coexistence);
  }
}
