package dev.baton.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * A KRaft cluster of {@code size} nodes on 127.0.0.1, each a {@link LocalKafkaBroker} in a child
 * JVM acting as broker and controller, all of them voters of one static quorum (so any minority
 * may be stopped or killed). Every topic gets one replica per node, and the brokers'
 * {@code min.insync.replicas} is 2: with {@code acks=all} a record the cluster acknowledged is on
 * two nodes at least. A killed node is fenced, and loses its leaderships, after 4 s.
 *
 * <p>About 300 MB and a few seconds of start-up per node (much more on a loaded machine). Close
 * it: the nodes stop and their data is deleted (a shutdown hook does the same for a forgotten
 * one).
 *
 * <p>Thread-safe.
 */
public final class LocalKafkaCluster implements AutoCloseable {

  private static final String HOST = "127.0.0.1";
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final List<LocalKafkaBroker> nodes;
  private final String bootstrapServers;
  private Admin admin;

  private LocalKafkaCluster(List<LocalKafkaBroker> nodes) {
    this.nodes = List.copyOf(nodes);
    List<String> addresses = new ArrayList<>();
    for (LocalKafkaBroker node : nodes) {
      addresses.add(node.bootstrapServers());
    }
    this.bootstrapServers = String.join(",", addresses);
  }

  /** Starts {@code size} nodes (node ids 1 to {@code size}) at once, and waits until all serve. */
  public static LocalKafkaCluster start(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("size < 1: " + size);
    }
    int[] ports = new int[size];
    int[] controllerPorts = new int[size];
    List<String> voters = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      ports[i] = LocalKafkaBroker.freePort();
      controllerPorts[i] = LocalKafkaBroker.freePort();
      voters.add((i + 1) + "@" + HOST + ":" + controllerPorts[i]);
    }
    String clusterId = Uuid.randomUuid().toString();
    List<LocalKafkaBroker> nodes = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      nodes.add(LocalKafkaBroker.clusterNode(
          i + 1, ports[i], controllerPorts[i], String.join(",", voters), clusterId));
    }
    LocalKafkaCluster cluster = new LocalKafkaCluster(nodes);
    long startNanos = System.nanoTime();
    // No node reports READY before a quorum of voters runs: start them side by side.
    List<Thread> starters = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (LocalKafkaBroker node : nodes) {
      Thread starter = new Thread(() -> {
        try {
          node.startNode();
        } catch (RuntimeException | Error e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
      }, "kafka-node-" + node.nodeId() + "-starter");
      starter.start();
      starters.add(starter);
    }
    try {
      for (Thread starter : starters) {
        starter.join(); // each start is bounded by LocalKafkaBroker's start timeout
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failures.add(e);
    }
    if (!failures.isEmpty()) {
      cluster.close();
      IllegalStateException failure = new IllegalStateException(
          "the " + size + "-node Kafka cluster did not start", failures.get(0));
      failures.subList(1, failures.size()).forEach(failure::addSuppressed);
      throw failure;
    }
    System.err.printf("[baton-it] %d-node Kafka cluster at %s started in %d ms%n", size,
        cluster.bootstrapServers, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    return cluster;
  }

  /** Every node's address: clients reach the cluster while any node runs. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The nodes, in node id order. */
  public List<LocalKafkaBroker> nodes() {
    return nodes;
  }

  /** The node with KRaft id {@code nodeId} (1 to size). */
  public LocalKafkaBroker node(int nodeId) {
    return nodes.get(nodeId - 1);
  }

  /** Creates a topic with one replica per node and waits until every partition has a leader. */
  public void createTopic(String name, int partitions) {
    Topics.create(bootstrapServers, name, partitions, (short) nodes.size());
  }

  /** The node id leading {@code partition} of {@code topic} now, or -1 while none does. */
  public int leader(String topic, int partition) {
    for (TopicPartitionInfo p : describe(topic).partitions()) {
      if (p.partition() == partition) {
        Node leader = p.leader();
        return leader == null || leader.isEmpty() ? -1 : leader.id();
      }
    }
    throw new IllegalArgumentException(topic + " has no partition " + partition);
  }

  /**
   * Waits until {@code partition} of {@code topic} has a leader other than {@code notNode} (after
   * that node was stopped or killed), and returns its node id.
   */
  public int awaitLeader(String topic, int partition, int notNode, Duration timeout)
      throws TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        int leader = leader(topic, partition);
        if (leader != -1 && leader != notNode) {
          return leader;
        }
        last = "leader " + leader;
      } catch (IllegalStateException e) {
        last = e.toString(); // no answer yet: the cluster may be electing a controller
      }
      pause();
    }
    throw new TimeoutException(topic + "-" + partition + " has no leader other than node "
        + notNode + " after " + timeout + " (" + last + ")");
  }

  /**
   * Waits until every partition of the topics named has a leader and all its replicas in sync:
   * after a restart, the node has caught up.
   */
  public void awaitInSync(Duration timeout, String... topics) throws TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      boolean done = true;
      for (String topic : topics) {
        try {
          for (TopicPartitionInfo p : describe(topic).partitions()) {
            Node leader = p.leader();
            if (leader == null || leader.isEmpty()
                || !Set.copyOf(p.isr()).equals(Set.copyOf(p.replicas()))) {
              done = false;
              last = topic + " " + p;
            }
          }
        } catch (IllegalStateException e) {
          done = false; // no answer yet: the cluster may be electing a controller
          last = e.toString();
        }
      }
      if (done) {
        return;
      }
      pause();
    }
    throw new TimeoutException("not in sync within " + timeout + ": " + last);
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private TopicDescription describe(String topic) {
    try {
      Map<String, TopicDescription> all = admin().describeTopics(List.of(topic)).allTopicNames()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return all.get(topic);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot describe " + topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private synchronized Admin admin() {
    if (admin == null) {
      Properties config = new Properties();
      config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
      config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
          Long.toString(ADMIN_TIMEOUT.toMillis()));
      admin = Admin.create(config);
    }
    return admin;
  }

  /** Stops every node and deletes its data. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (admin != null) {
        admin.close(Duration.ofSeconds(5));
        admin = null;
      }
    }
    // side by side, like the start: a node waiting for a quorum that is going away stops late
    List<Thread> stoppers = new ArrayList<>();
    for (LocalKafkaBroker node : nodes) {
      Thread stopper = new Thread(node::close, "kafka-node-" + node.nodeId() + "-stopper");
      stopper.start();
      stoppers.add(stopper);
    }
    for (Thread stopper : stoppers) {
      try {
        stopper.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public String toString() {
    return nodes.size() + "-node local Kafka cluster at " + bootstrapServers;
  }
}
