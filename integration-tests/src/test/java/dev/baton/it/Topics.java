package dev.baton.it;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Topic administration through the test JVM's kafka-clients. Uses only Admin API that exists
 * in every supported client version (3.9 to 4.x).
 */
final class Topics {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Topics() {}

  static void create(String bootstrapServers, String name, int partitions, Short replication) {
    if (name == null) {
      throw new NullPointerException("name == null");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions < 1: " + partitions);
    }
    try (Admin admin = admin(bootstrapServers)) {
      NewTopic topic = new NewTopic(name, Optional.of(partitions), Optional.ofNullable(replication));
      try {
        admin.createTopics(List.of(topic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("cannot create topic " + name, e.getCause());
        }
      }
      awaitLeaders(admin, name);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("topic " + name + " not created within " + TIMEOUT, e);
    }
  }

  /** Fails when no broker answers at {@code bootstrapServers} within {@code timeout}. */
  static void checkReachable(String bootstrapServers, Duration timeout) throws Exception {
    try (Admin admin = admin(bootstrapServers)) {
      admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  // Right after CreateTopics the partition leaders may not be known to the broker yet.
  private static void awaitLeaders(Admin admin, String name)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        TopicDescription description = admin.describeTopics(List.of(name)).allTopicNames()
            .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(name);
        if (description.partitions().stream().map(TopicPartitionInfo::leader)
            .allMatch(leader -> leader != null && !leader.isEmpty())) {
          return;
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw new IllegalStateException("cannot describe topic " + name, e.getCause());
        }
      }
      Thread.sleep(50);
    }
    throw new TimeoutException("no leader for every partition of " + name);
  }

  private static Admin admin(String bootstrapServers) {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
    return Admin.create(config);
  }
}
