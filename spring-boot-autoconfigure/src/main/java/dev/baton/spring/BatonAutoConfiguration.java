package dev.baton.spring;

import dev.baton.core.BatonTracing;
import dev.baton.core.internal.ConfigReader;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Spring Boot auto-configuration of Baton's core: the {@link BatonTracing} settings every transport
 * shares, built from the application's {@code OpenTelemetry} bean (Spring Boot's OpenTelemetry
 * auto-configuration, or your own) and the {@code baton.*} properties of {@code docs/configuration.md}.
 * Baton never creates an OpenTelemetry SDK: without an {@code OpenTelemetry} bean it uses
 * {@code GlobalOpenTelemetry}, and says so once at INFO.
 *
 * <p>The transports (Spring Kafka, Spring AMQP, gRPC) are wired by their own auto-configurations
 * when their libraries are on the class path; see {@code docs/spring.md}. Define your own
 * {@code BatonTracing} bean to replace this one; set {@code baton.enabled=false} to switch Baton
 * off entirely.
 *
 * @since 0.1.0
 */
@AutoConfiguration(
    afterName = "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration")
@ConditionalOnBooleanProperty(name = BatonSettings.ENABLED, matchIfMissing = true)
public final class BatonAutoConfiguration {

  BatonAutoConfiguration() {}

  @Bean
  static BatonSettings batonSettings(Environment environment) {
    return BatonSettings.bind(environment);
  }

  @Bean
  static Coexistence batonCoexistence(Environment environment, ListableBeanFactory beans) {
    return new Coexistence(Coexistence.agentRunning(), environment, beans);
  }

  @Bean
  @ConditionalOnMissingBean
  BatonTracing batonTracing(ObjectProvider<OpenTelemetry> openTelemetry, BatonSettings settings) {
    OpenTelemetry otel = openTelemetry.getIfAvailable();
    if (otel == null) {
      otel = GlobalOpenTelemetry.get();
      Coexistence.LOG.info(
          "Baton: no OpenTelemetry bean in the application context: Baton uses"
              + " GlobalOpenTelemetry. Add Spring Boot's OpenTelemetry support"
              + " (spring-boot-starter-opentelemetry) or define an OpenTelemetry bean to choose"
              + " the SDK.");
    }
    Map<String, Object> config = settings.core();
    config.put(BatonTracing.OPEN_TELEMETRY, otel);
    return ConfigReader.of(config, Set.of()).batonTracing();
  }
}
