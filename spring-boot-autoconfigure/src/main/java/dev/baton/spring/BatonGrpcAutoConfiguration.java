package dev.baton.spring;

import dev.baton.core.BatonTracing;
import dev.baton.grpc.GrpcTracing;
import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.grpc.client.GlobalClientInterceptor;
import org.springframework.grpc.server.GlobalServerInterceptor;

/**
 * gRPC: Baton's client and server interceptors as beans. With Spring gRPC on the class path they
 * carry its {@code @GlobalClientInterceptor} / {@code @GlobalServerInterceptor}, so every channel
 * and service Spring gRPC builds is traced; otherwise add the beans to your channels and servers
 * (or mark them global in your gRPC integration). Off with {@code baton.grpc.enabled=false}, and
 * absent when the OpenTelemetry Java agent instruments gRPC.
 */
@AutoConfiguration(after = BatonAutoConfiguration.class)
@ConditionalOnClass({ClientInterceptor.class, GrpcTracing.class})
@ConditionalOnBean(BatonTracing.class)
@ConditionalOnBooleanProperty(name = BatonSettings.ENABLED, matchIfMissing = true)
@ConditionalOnBooleanProperty(name = BatonSettings.GRPC_ENABLED, matchIfMissing = true)
@Conditional(BatonGrpcAutoConfiguration.AgentDoesNotTraceGrpc.class)
final class BatonGrpcAutoConfiguration {

  static final String SPRING_GRPC = "org.springframework.grpc.server.GlobalServerInterceptor";

  @Bean
  @ConditionalOnMissingBean
  GrpcTracing batonGrpcTracing(BatonTracing baton, BatonSettings settings) {
    return GrpcTracing.fromConfig(settings.forTransport(BatonSettings.GRPC_PREFIX, baton));
  }

  /** Spring gRPC applies these to every server and channel it builds. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = SPRING_GRPC)
  static final class SpringGrpcInterceptors {

    @Bean
    @GlobalServerInterceptor
    @ConditionalOnMissingBean(name = "batonGrpcServerInterceptor")
    ServerInterceptor batonGrpcServerInterceptor(GrpcTracing grpcTracing) {
      return grpcTracing.serverInterceptor();
    }

    @Bean
    @GlobalClientInterceptor
    @ConditionalOnMissingBean(name = "batonGrpcClientInterceptor")
    ClientInterceptor batonGrpcClientInterceptor(GrpcTracing grpcTracing) {
      return grpcTracing.clientInterceptor();
    }
  }

  /** Without Spring gRPC: plain beans, for grpc-spring's global-interceptor configurers or your own wiring. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass(SPRING_GRPC)
  static final class PlainInterceptors {

    @Bean
    @ConditionalOnMissingBean(name = "batonGrpcServerInterceptor")
    ServerInterceptor batonGrpcServerInterceptor(GrpcTracing grpcTracing) {
      return grpcTracing.serverInterceptor();
    }

    @Bean
    @ConditionalOnMissingBean(name = "batonGrpcClientInterceptor")
    ClientInterceptor batonGrpcClientInterceptor(GrpcTracing grpcTracing) {
      return grpcTracing.clientInterceptor();
    }
  }

  /** The Java agent, when it runs with its gRPC instrumentation on, traces gRPC itself. */
  static final class AgentDoesNotTraceGrpc extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(
        ConditionContext context, AnnotatedTypeMetadata metadata) {
      Coexistence co = new Coexistence(Coexistence.agentRunning(), context.getEnvironment(),
          context.getBeanFactory());
      if (co.agentTraces("grpc")) {
        Coexistence.LOG.info(
            "Baton: the OpenTelemetry Java agent instruments gRPC: the agent traces it and Baton"
                + " defines no gRPC interceptors (set otel.instrumentation.grpc.enabled=false to"
                + " let Baton trace it).");
        return ConditionOutcome.noMatch("the OpenTelemetry Java agent traces gRPC");
      }
      return ConditionOutcome.match("the OpenTelemetry Java agent does not trace gRPC");
    }
  }
}
