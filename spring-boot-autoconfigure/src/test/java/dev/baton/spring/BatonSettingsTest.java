package dev.baton.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class BatonSettingsTest {

  @Test
  void environmentVariablesBindWithRelaxedNames() {
    StandardEnvironment env = environment(Map.of(), Map.of("BATON_INBOUND_POLICY", "ignore",
        "BATON_KAFKA_PRODUCER_SPAN_END", "send"));
    BatonSettings settings = BatonSettings.bind(env);
    assertThat(settings.core()).containsEntry("baton.inbound.policy", "ignore");
  }

  @Test
  void otherBatonEnvironmentVariablesAreNotBatonSettings() {
    // the test fixtures' own BATON_AMQP_URI and BATON_KAFKA_BOOTSTRAP must not fail startup
    StandardEnvironment env = environment(Map.of(),
        Map.of("BATON_AMQP_URI", "amqp://x", "BATON_KAFKA_BOOTSTRAP", "h:1"));
    assertThat(BatonSettings.bind(env).core()).isEmpty();
  }

  @Test
  void anUnknownKeyInTheApplicationsPropertiesFailsNamingItAndItsSource() {
    StandardEnvironment env = environment(Map.of("baton.amqp.settle.span", "true"), Map.of());
    assertThatThrownBy(() -> BatonSettings.bind(env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'baton.amqp.settle.span'")
        .hasMessageContaining("application");
  }

  @Test
  void anEmptyAllowListMeansNone() {
    StandardEnvironment env = environment(Map.of("baton.baggage.inbound.allow", ""), Map.of());
    assertThat(BatonSettings.bind(env).core()).containsEntry("baton.baggage.inbound.allow", "");
  }

  @Test
  void theConfigurationMetadataListsEverySetting() throws IOException {
    String json;
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("\"name\": \"(baton\\.[^\"]+)\"").matcher(json);
    while (m.find()) {
      names.add(m.group(1));
    }
    assertThat(names).containsAll(BatonSettings.KEYS);
    assertThat(BatonSettings.KEYS).containsAll(
        names.stream().filter(n -> !n.equals("baton")).toList());
  }

  private static StandardEnvironment environment(Map<String, Object> app, Map<String, Object> os) {
    StandardEnvironment env = new StandardEnvironment();
    env.getPropertySources().replace(
        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
        new SystemEnvironmentPropertySource(
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, os));
    env.getPropertySources().addFirst(new MapPropertySource("application", app));
    return env;
  }
}
