package dev.baton.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.BatonTracing;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import org.junit.jupiter.api.Test;

class InstrumentationScopeTest {

  @Test
  void tracersCarryTheBuildsVersionAndTheSemanticConventionsSchemaUrl() {
    String buildVersion = System.getProperty("baton.test.project.version");
    assertThat(buildVersion).as("set by propagation-core/pom.xml").isNotBlank();

    TestOtel otel = new TestOtel();
    Spans.tracer(BatonTracing.create(otel.sdk), "dev.baton.test").spanBuilder("s").startSpan().end();

    InstrumentationScopeInfo scope =
        otel.exporter.getFinishedSpanItems().get(0).getInstrumentationScopeInfo();
    assertThat(scope.getName()).isEqualTo("dev.baton.test");
    assertThat(scope.getVersion()).isEqualTo(buildVersion);
    assertThat(scope.getSchemaUrl()).isEqualTo("https://opentelemetry.io/schemas/1.44.0");
  }
}
