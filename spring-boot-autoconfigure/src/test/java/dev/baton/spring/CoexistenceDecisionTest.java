package dev.baton.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.mock.env.MockEnvironment;

/** When the OpenTelemetry Java agent runs, Baton leaves the transports the agent instruments. */
class CoexistenceDecisionTest {

  @Test
  void withoutTheAgentBatonTracesEverything() {
    Coexistence co = new Coexistence(false, new MockEnvironment(), new DefaultListableBeanFactory());
    assertThat(co.agentTraces(BatonKafkaAutoConfiguration.AGENT_NAMES)).isFalse();
    assertThat(co.agentTraces("grpc")).isFalse();
  }

  @Test
  void theAgentTracesWhatItsInstrumentationsCover() {
    Coexistence co = new Coexistence(true, new MockEnvironment(), new DefaultListableBeanFactory());
    assertThat(co.agentTraces(BatonKafkaAutoConfiguration.AGENT_NAMES)).isTrue();
    assertThat(co.agentTraces(RabbitTracing.AGENT_NAMES)).isTrue();
    assertThat(co.agentTraces("grpc")).isTrue();
  }

  @Test
  void anAgentInstrumentationSwitchedOffLeavesTheTransportToBaton() {
    MockEnvironment env =
        new MockEnvironment()
            .withProperty("otel.instrumentation.kafka.enabled", "false")
            .withProperty("otel.instrumentation.kafka-clients.enabled", "false")
            .withProperty("otel.instrumentation.spring-kafka.enabled", "false");
    Coexistence co = new Coexistence(true, env, new DefaultListableBeanFactory());
    assertThat(co.agentTraces(BatonKafkaAutoConfiguration.AGENT_NAMES)).isFalse();
    assertThat(co.agentTraces(RabbitTracing.AGENT_NAMES)).isTrue();
  }

  @Test
  void agentInstrumentationsOffByDefaultNeedTurningOnOneByOne() {
    MockEnvironment env =
        new MockEnvironment()
            .withProperty("otel.instrumentation.common.default-enabled", "false")
            .withProperty("otel.instrumentation.grpc.enabled", "true");
    Coexistence co = new Coexistence(true, env, new DefaultListableBeanFactory());
    assertThat(co.agentTraces("grpc")).isTrue();
    assertThat(co.agentTraces(RabbitTracing.AGENT_NAMES)).isFalse();
  }

  @Test
  void noAgentInThisJvm() {
    assertThat(Coexistence.agentRunning()).isFalse();
  }
}
