package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.BatonTracing;
import dev.baton.testing.InMemoryTelemetry;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import org.junit.jupiter.api.Test;

class InstrumentationScopeTest {

  @Test
  void tracersCarryTheBuildsVersionAndTheSemanticConventionsSchemaUrl() {
    String buildVersion = System.getProperty("baton.test.project.version");
    assertThat(buildVersion).as("set by propagation-core/pom.xml").isNotBlank();

    InMemoryTelemetry otel = InMemoryTelemetry.create();
    Spans.tracer(BatonTracing.create(otel.openTelemetry()), "dev.baton.test").spanBuilder("s").startSpan().end();

    InstrumentationScopeInfo scope =
        otel.spans().get(0).getInstrumentationScopeInfo();
    assertThat(scope.getName()).isEqualTo("dev.baton.test");
    assertThat(scope.getVersion()).isEqualTo(buildVersion);
    assertThat(scope.getSchemaUrl()).isEqualTo("https://opentelemetry.io/schemas/1.44.0");
  }
}
