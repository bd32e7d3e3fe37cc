package dev.baton.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.PublicTypes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The module's public types, each one a decision: one entry type (with its builder and callback
 * interfaces) plus what users must name; everything else is package-private. A type added here
 * fails this test until it is added to the list and to the README's "Public types" section.
 */
class PublicApiTest {

  @Test
  void publicTypes() {
    assertThat(PublicTypes.of(GrpcTracing.class))
        .containsExactly(
            "dev.baton.grpc.GrpcTracing",
            "dev.baton.grpc.GrpcTracing.Builder");
    assertThat(PublicTypes.notListedIn(Path.of("README.md"), GrpcTracing.class)).isEmpty();
  }
}
