package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

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
  void nestedAndPackagePrivateTypesAreTold() {
    // InMemoryTelemetry has a private nested span processor: not public, not listed.
    assertThat(PublicTypes.of(InMemoryTelemetry.class))
        .noneMatch(name -> name.contains("Counting"));
  }
}
