package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.fuzz.W3CFuzz;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The module's public types, each one a decision, and each listed in the README. */
class PublicApiTest {

  @Test
  void publicTypes() {
    assertThat(PublicTypes.of(InMemoryTelemetry.class))
        .containsExactly(
            "dev.baton.testing.EmbeddedKafkaBroker",
            "dev.baton.testing.InMemoryTelemetry",
            "dev.baton.testing.LocalRabbitMq",
            "dev.baton.testing.PublicTypes");
    assertThat(PublicTypes.notListedIn(Path.of("README.md"), InMemoryTelemetry.class)).isEmpty();
  }

  @Test
  void fuzzPackageTypes() {
    assertThat(PublicTypes.of(W3CFuzz.class))
        .containsExactly(
            "dev.baton.testing.fuzz.Entropy",
            "dev.baton.testing.fuzz.FuzzRuns",
            "dev.baton.testing.fuzz.W3CFuzz");
    assertThat(PublicTypes.notListedIn(Path.of("README.md"), W3CFuzz.class)).isEmpty();
  }

  @Test
  void nestedAndPackagePrivateTypesAreTold() {
    // InMemoryTelemetry has a private nested span processor: not public, not listed.
    assertThat(PublicTypes.of(InMemoryTelemetry.class))
        .noneMatch(name -> name.contains("Counting"));
  }
}
