package dev.baton.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.it.KafkaClientsVersion;
import java.io.File;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Proves which kafka-clients each failsafe execution runs on, and that the broker's jars stay
 * in the broker JVM. The expected version is set per execution in the pom.
 */
class KafkaClientVersionIT {

  @Test
  void runsOnTheKafkaClientsVersionOfThisExecution() {
    // AppInfoParser.getVersion(), wherever this kafka-clients keeps it
    String expected = System.getProperty("baton.expected.kafka-clients.version");
    assertThat(expected).as("set by failsafe in integration-tests/pom.xml").isNotBlank();
    assertThat(KafkaClientsVersion.current()).isEqualTo(expected);
  }

  @Test
  void brokerClassesAreNotOnTheTestClasspath() {
    ClassLoader loader = getClass().getClassLoader();
    assertThatThrownBy(() -> Class.forName("kafka.server.KafkaRaftServer", false, loader))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("org.apache.kafka.server.common.MetadataVersion",
        false, loader)).isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("scala.Option", false, loader))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void exactlyOneKafkaClientsJarIsOnTheClasspath() {
    assertThat(System.getProperty("java.class.path").split(File.pathSeparator))
        .filteredOn(entry -> Path.of(entry).getFileName().toString().startsWith("kafka"))
        .singleElement()
        .satisfies(jar -> assertThat(jar).endsWith("kafka-clients-" + KafkaClientsVersion.current()
            + ".jar"));
  }
}
