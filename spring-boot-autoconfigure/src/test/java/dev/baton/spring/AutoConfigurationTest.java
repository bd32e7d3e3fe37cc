package dev.baton.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.amqp.AmqpTracing;
import dev.baton.core.BatonTracing;
import dev.baton.core.InboundPolicy;
import dev.baton.grpc.GrpcTracing;
import dev.baton.kafka.KafkaTracing;
import dev.baton.kafka.TracingConsumerInterceptor;
import dev.baton.kafka.TracingProducerInterceptor;
import dev.baton.testing.InMemoryTelemetry;
import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.OpenTelemetry;
import java.util.Arrays;
import java.util.Map;
import org.aopalliance.aop.Advice;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.grpc.client.GlobalClientInterceptor;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.listener.CompositeRecordInterceptor;
import org.springframework.kafka.listener.RecordInterceptor;

/**
 * What the auto-configuration puts in a context, without brokers (Boot's Kafka and RabbitMQ
 * factories connect lazily): which beans exist, how the factories are customized, each part's
 * switch, backing off for the application's own beans, and the property checks.
 */
class AutoConfigurationTest {

  static final InMemoryTelemetry TELEMETRY = InMemoryTelemetry.create();

  final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  KafkaAutoConfiguration.class,
                  RabbitAutoConfiguration.class,
                  BatonAutoConfiguration.class,
                  BatonKafkaAutoConfiguration.class,
                  BatonRabbitAutoConfiguration.class,
                  BatonGrpcAutoConfiguration.class))
          .withBean(OpenTelemetry.class, TELEMETRY::openTelemetry);

  @AfterAll
  static void close() {
    TELEMETRY.close();
  }

  @Test
  void everyPartIsWiredWithTheApplicationsOpenTelemetry() {
    runner.run(
        context -> {
          assertThat(context).hasSingleBean(BatonTracing.class);
          assertThat(context.getBean(BatonTracing.class).openTelemetry())
              .isSameAs(TELEMETRY.openTelemetry());
          assertThat(context).hasSingleBean(KafkaTracing.class);
          assertThat(context).hasSingleBean(AmqpTracing.class);
          assertThat(context).hasSingleBean(GrpcTracing.class);

          DefaultKafkaProducerFactory<?, ?> producers =
              context.getBean(DefaultKafkaProducerFactory.class);
          assertThat(producers.getConfigurationProperties())
              .containsEntry(
                  ProducerConfig.INTERCEPTOR_CLASSES_CONFIG,
                  TracingProducerInterceptor.class.getName())
              .containsEntry(BatonTracing.OPEN_TELEMETRY, TELEMETRY.openTelemetry());
          assertThat(consumerConfig(context))
              .containsEntry("interceptor.classes", TracingConsumerInterceptor.class.getName());
          assertThat(
                  context.getBean(ConcurrentKafkaListenerContainerFactory.class)
                      .getRecordInterceptor())
              .isInstanceOf(TracingRecordInterceptor.class);
          assertThat(context.getBean(ConcurrentKafkaListenerContainerFactory.class)
                  .getBatchInterceptor())
              .isInstanceOf(TracingBatchInterceptor.class);

          assertThat(context.getBean(RabbitTemplate.class).getBeforePublishPostProcessors())
              .hasExactlyElementsOfTypes(TracingPublishPostProcessor.class);
          assertThat(context.getBean(SimpleRabbitListenerContainerFactory.class).getAdviceChain())
              .hasExactlyElementsOfTypes(TracingListenerAdvice.class);

          // Spring gRPC picks these up as global interceptors by their annotations
          assertThat(context.getBean("batonGrpcServerInterceptor"))
              .isInstanceOf(ServerInterceptor.class);
          assertThat(context.findAnnotationOnBean(
                  "batonGrpcServerInterceptor", GlobalServerInterceptor.class))
              .isNotNull();
          assertThat(context.getBean("batonGrpcClientInterceptor"))
              .isInstanceOf(ClientInterceptor.class);
          assertThat(context.findAnnotationOnBean(
                  "batonGrpcClientInterceptor", GlobalClientInterceptor.class))
              .isNotNull();
        });
  }

  @Test
  void theApplicationsInterceptorsStayAndBatonsComeAfterThem() {
    runner
        .withPropertyValues(
            "spring.kafka.producer.properties.interceptor.classes=com.example.AuditInterceptor")
        .withBean("auditRecords", RecordInterceptor.class, () -> (record, consumer) -> record)
        .withBean(
            "auditAdvice",
            Advice.class,
            () -> (org.aopalliance.intercept.MethodInterceptor) inv -> inv.proceed())
        .run(
            context -> {
              assertThat(
                      producerConfig(context)
                          .get(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG))
                  .isEqualTo(
                      "com.example.AuditInterceptor," + TracingProducerInterceptor.class.getName());
              // Boot hands its factory the application's RecordInterceptor; Baton's goes first
              assertThat(
                      context.getBean(ConcurrentKafkaListenerContainerFactory.class)
                          .getRecordInterceptor())
                  .isInstanceOf(CompositeRecordInterceptor.class);
            });
  }

  @Test
  void kafkaSwitchesOff() {
    runner
        .withPropertyValues("baton.kafka.enabled=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(KafkaTracing.class);
              assertThat(producerConfig(context))
                  .doesNotContainKey(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG);
              assertThat(context.getBean(ConcurrentKafkaListenerContainerFactory.class)
                      .getRecordInterceptor())
                  .isNull();
              assertThat(context.getBean(RabbitTemplate.class).getBeforePublishPostProcessors())
                  .hasSize(1);
            });
  }

  @Test
  void amqpSwitchesOff() {
    runner
        .withPropertyValues("baton.amqp.enabled=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(AmqpTracing.class);
              assertThat(context.getBean(RabbitTemplate.class).getBeforePublishPostProcessors())
                  .isNull();
              assertThat(context.getBean(SimpleRabbitListenerContainerFactory.class)
                      .getAdviceChain())
                  .isNullOrEmpty();
              assertThat(context).hasSingleBean(KafkaTracing.class);
            });
  }

  @Test
  void grpcSwitchesOff() {
    runner
        .withPropertyValues("baton.grpc.enabled=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(GrpcTracing.class);
              assertThat(context).doesNotHaveBean(ServerInterceptor.class);
              assertThat(context).doesNotHaveBean(ClientInterceptor.class);
            });
  }

  @Test
  void batonSwitchesOff() {
    runner
        .withPropertyValues("baton.enabled=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(BatonTracing.class);
              assertThat(context).doesNotHaveBean(KafkaTracing.class);
              assertThat(context).doesNotHaveBean(AmqpTracing.class);
              assertThat(context).doesNotHaveBean(GrpcTracing.class);
              assertThat(producerConfig(context))
                  .doesNotContainKey(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG);
              assertThat(context.getBean(RabbitTemplate.class).getBeforePublishPostProcessors())
                  .isNull();
            });
  }

  @Test
  void propertiesUseTheDocumentedKeysWithRelaxedBinding() {
    runner
        .withPropertyValues(
            "baton.inbound.policy=link",
            "baton.baggage.outbound.allow[0]=tenant.id",
            "baton.baggage.outbound.allow[1]=region",
            "baton.kafka.producer.span.end=send",
            "baton.kafka.capture.message.key=true")
        .run(
            context -> {
              BatonTracing baton = context.getBean(BatonTracing.class);
              assertThat(baton.inboundPolicy()).isEqualTo(InboundPolicy.LINK);
              assertThat(baton.config().get(BatonTracing.BAGGAGE_OUTBOUND))
                  .isIn("tenant.id,region", "region,tenant.id");
              assertThat(producerConfig(context))
                  .containsEntry("baton.kafka.producer.span.end", "send")
                  .containsEntry("baton.kafka.capture.message.key", "true");
            });
  }

  @Test
  void anUnknownBatonKeyFailsStartupNamingIt() {
    runner
        .withPropertyValues("baton.kafka.producer.span.ends=ack")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("Unknown Baton setting 'baton.kafka.producer.span.ends'"));
  }

  @Test
  void anInvalidValueFailsStartupNamingTheKey() {
    runner
        .withPropertyValues("baton.kafka.producer.inflight.max=0")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("baton.kafka.producer.inflight.max"));
  }

  @Test
  void theApplicationsOwnTracingBeansWin() {
    KafkaTracing own =
        KafkaTracing.builder(TELEMETRY.openTelemetry()).captureMessageKey(true).build();
    BatonTracing ownBaton =
        BatonTracing.builder(TELEMETRY.openTelemetry()).inboundPolicy(InboundPolicy.IGNORE).build();
    runner
        .withBean(KafkaTracing.class, () -> own)
        .withBean(BatonTracing.class, () -> ownBaton)
        .run(
            context -> {
              assertThat(context.getBean(KafkaTracing.class)).isSameAs(own);
              assertThat(context.getBean(BatonTracing.class)).isSameAs(ownBaton);
              assertThat(producerConfig(context))
                  .containsEntry("baton.kafka.capture.message.key", true);
              assertThat(context.getBean(GrpcTracing.class)).isNotNull();
            });
  }

  @Test
  void withoutAnOpenTelemetryBeanBatonCreatesNoSdk() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BatonAutoConfiguration.class))
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(OpenTelemetry.class);
              assertThat(context.getBean(BatonTracing.class).openTelemetry())
                  .isSameAs(io.opentelemetry.api.GlobalOpenTelemetry.get());
            });
  }

  private static Map<String, Object> producerConfig(ApplicationContext context) {
    return ((DefaultKafkaProducerFactory<?, ?>) context.getBean(DefaultKafkaProducerFactory.class))
        .getConfigurationProperties();
  }

  private static Map<String, Object> consumerConfig(ApplicationContext context) {
    return ((DefaultKafkaConsumerFactory<?, ?>) context.getBean(DefaultKafkaConsumerFactory.class))
        .getConfigurationProperties();
  }

  @Test
  void interceptorClassesAppendKeepsEveryForm() {
    String baton = TracingProducerInterceptor.class.getName();
    assertThat(InterceptorClasses.append(null, TracingProducerInterceptor.class)).isEqualTo(baton);
    assertThat(InterceptorClasses.append(" a.B , c.D", TracingProducerInterceptor.class))
        .isEqualTo("a.B,c.D," + baton);
    assertThat(InterceptorClasses.append("a.B," + baton, TracingProducerInterceptor.class))
        .isEqualTo("a.B," + baton);
    assertThat(InterceptorClasses.append(String.class, TracingProducerInterceptor.class))
        .isEqualTo(Arrays.asList(String.class, baton));
    assertThat(
            InterceptorClasses.append(
                Arrays.asList(TracingProducerInterceptor.class), TracingProducerInterceptor.class))
        .isEqualTo(Arrays.asList(TracingProducerInterceptor.class));
  }
}
