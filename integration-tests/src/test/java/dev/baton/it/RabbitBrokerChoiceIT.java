package dev.baton.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.baton.it.RabbitBroker.Source;
import dev.baton.it.RabbitBrokerExtension.Probe;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The RabbitMQ fixture's decision order, {@code BATON_AMQP_URI} → 127.0.0.1:5672 → a Docker
 * engine for Testcontainers → a failure naming what to start, each probe run only when the
 * earlier ones leave the question open. Needs no Docker engine: the decision is fed its probe
 * results, and the checks against this machine run only where they cannot start a container.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class RabbitBrokerChoiceIT {

  private static final String ENV_URI = "amqp://user:secret@rabbit.example:5672/vhost";

  private final List<String> asked = new ArrayList<>();

  private BooleanSupplier probe(String name, boolean answer) {
    return () -> {
      asked.add(name);
      return answer;
    };
  }

  @Test
  void theEnvironmentUriWinsWithoutAnyProbe() {
    assertThat(RabbitBroker.choose(ENV_URI, probe("local", true), probe("docker", true)))
        .isEqualTo(Source.ENVIRONMENT);
    assertThat(RabbitBroker.choose(ENV_URI, probe("local", false), probe("docker", false)))
        .isEqualTo(Source.ENVIRONMENT);
    assertThat(asked).as("neither the local port nor Docker is asked").isEmpty();
  }

  @Test
  void aBlankEnvironmentUriCountsAsUnset() {
    assertThat(RabbitBroker.choose("  ", probe("local", true), probe("docker", true)))
        .isEqualTo(Source.LOCAL);
    assertThat(asked).containsExactly("local");
  }

  @Test
  void theLocalBrokerWinsWithoutAskingDocker() {
    assertThat(RabbitBroker.choose(null, probe("local", true), probe("docker", true)))
        .isEqualTo(Source.LOCAL);
    assertThat(asked).containsExactly("local");
  }

  @Test
  void dockerIsAskedOnlyWhenTheLocalPortDoesNotAnswer() {
    assertThat(RabbitBroker.choose(null, probe("local", false), probe("docker", true)))
        .isEqualTo(Source.TESTCONTAINERS);
    assertThat(asked).containsExactly("local", "docker");
  }

  @Test
  void withNothingThereTheFailureNamesWhatToStart() {
    assertThat(RabbitBroker.choose(null, probe("local", false), probe("docker", false)))
        .isEqualTo(Source.NONE);
    assertThat(asked).containsExactly("local", "docker");

    String message = RabbitBroker.noBrokerMessage(
        new RabbitBroker(RabbitBroker.DEFAULT_URI), new ConnectException("refused"));
    assertThat(message)
        .contains("amqp://guest:***@127.0.0.1:5672", "refused")
        .contains("rabbitmq-server -detached", "BATON_AMQP_URI",
            "or a Docker engine for Testcontainers")
        .doesNotContain("guest:guest");
  }

  /** The fixture's own decision on this machine: the usual path never asks Docker. */
  @Test
  void onThisMachineTheLocalBrokerIsUsedAndDockerIsNotAsked() throws Exception {
    assumeTrue(System.getenv(RabbitBroker.ENV) == null, "BATON_AMQP_URI is set here");
    assumeTrue(new RabbitBroker(RabbitBroker.DEFAULT_URI).connectOnce() == null,
        "no broker on 127.0.0.1:5672 here (DESIGN.md: there is one on every machine)");
    int dockerChecks = Probe.dockerChecks();
    try (Probe probe = Probe.run()) {
      assertThat(probe.failure).isNull();
      assertThat(probe.source).isEqualTo(Source.LOCAL);
      assertThat(probe.broker.uri()).isEqualTo(RabbitBroker.DEFAULT_URI);
    }
    assertThat(Probe.dockerChecks()).isEqualTo(dockerChecks);
  }

  /**
   * With no broker on the probed port and no Docker engine (this machine: a {@code docker} CLI,
   * no daemon), the whole decision takes well under the 2 s connect timeout and ends in the
   * failure message. Skipped where a Docker engine answers: there it would start a container.
   */
  @Test
  void withoutABrokerOrDockerTheFixtureFailsQuicklyAndClearly() throws Exception {
    boolean docker = assertTimeoutPreemptively(Duration.ofSeconds(10),
        RabbitContainer::dockerAvailable, "Testcontainers' Docker check must answer quickly");
    assumeFalse(docker, "a Docker engine answers here");

    long start = System.nanoTime();
    // port 1 on the loopback refuses at once, as 5672 would with no broker behind it
    try (Probe probe = Probe.run(null, new RabbitBroker("amqp://guest:guest@127.0.0.1:1"),
        RabbitContainer::dockerAvailable)) {
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(probe.source).isEqualTo(Source.NONE);
      assertThat(probe.broker).isNull();
      assertThat(probe.failure).hasMessageContaining("127.0.0.1:1")
          .hasMessageContaining("rabbitmq-server -detached")
          .hasMessageContaining("or a Docker engine for Testcontainers");
      assertThat(took).isLessThan(Duration.ofSeconds(5));
    }
  }
}
