package dev.baton.it.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A KRaft Kafka node (broker and controller in one process), started by
 * {@code dev.baton.it.LocalKafkaBroker} in a JVM of its own, so that the test JVM can load any
 * kafka-clients version.
 *
 * <p>Arguments: {@code <port> <controller-port> <data-dir> <auto-create-topics>} for a
 * single-node cluster, followed by {@code <node-id> <quorum-voters> <cluster-id>} for one node
 * of a larger cluster ({@code dev.baton.it.LocalKafkaCluster}): every node is a voter of the
 * static quorum {@code <quorum-voters>} ({@code 1@127.0.0.1:p1,2@127.0.0.1:p2,...}), formatted
 * with the shared {@code <cluster-id>}, and the internal topics get one replica per node and
 * {@code min.insync.replicas=2}. It binds 127.0.0.1 only, formats {@code <data-dir>} on first
 * start (a restart on the same directory keeps topics and offsets), prints
 * {@code READY 127.0.0.1:<port>} on stdout once it serves, and shuts down cleanly when its
 * stdin closes (the test JVM ended or asked it to stop) or on SIGTERM. Its logs go to stderr.
 *
 * <p>Compiled against kafka_2.13 but never loaded in the test JVM: failsafe keeps the server
 * jars off the test classpath.
 */
public final class KafkaBrokerMain {

  private static final String HOST = "127.0.0.1";

  private KafkaBrokerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4 && args.length != 7) {
      System.err.println("usage: KafkaBrokerMain <port> <controller-port> <data-dir>"
          + " <auto-create-topics> [<node-id> <quorum-voters> <cluster-id>]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    int controllerPort = Integer.parseInt(args[1]);
    Path dataDir = Paths.get(args[2]).toAbsolutePath();
    boolean autoCreateTopics = Boolean.parseBoolean(args[3]);
    int nodeId = args.length == 7 ? Integer.parseInt(args[4]) : 1;
    String voters = args.length == 7 ? args[5] : "1@" + HOST + ":" + controllerPort;
    String clusterId = args.length == 7 ? args[6] : Uuid.randomUuid().toString();

    // stdout is the protocol channel (READY / STOPPED); everything else goes to stderr
    PrintStream protocol = System.out;
    System.setOut(System.err);

    Properties props =
        serverProperties(port, controllerPort, dataDir, autoCreateTopics, nodeId, voters);
    Path configFile = dataDir.resolve("server.properties");
    Files.createDirectories(dataDir);
    try (OutputStream out = Files.newOutputStream(configFile)) {
      props.store(out, "written by " + KafkaBrokerMain.class.getName());
    }

    // Format once: a restart on the same directory keeps its cluster id, topics and offsets.
    // (Not --ignore-formatted: with a new cluster id it leaves the data unusable.)
    if (!Files.exists(dataDir.resolve("kraft-logs").resolve("meta.properties"))) {
      int formatted = StorageTool.execute(new String[] {
          "format", "--config", configFile.toString(),
          "--cluster-id", clusterId}, System.err);
      if (formatted != 0) {
        System.err.println("storage format failed with exit code " + formatted);
        System.exit(3);
      }
    }

    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    AtomicBoolean stopping = new AtomicBoolean();
    Runnable stop = () -> {
      if (stopping.compareAndSet(false, true)) {
        server.shutdown();
      }
    };
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "kafka-broker-shutdown-hook"));

    server.startup();
    protocol.println("READY " + HOST + ":" + port);

    Thread stdinWatcher = new Thread(() -> {
      awaitEndOfStream(System.in);
      stop.run();
    }, "kafka-broker-stdin-watcher");
    stdinWatcher.setDaemon(true);
    stdinWatcher.start();

    server.awaitShutdown();
    protocol.println("STOPPED");
    // Kafka leaves non-daemon threads behind after shutdown; this process has no other job
    System.exit(0);
  }

  static Properties serverProperties(int port, int controllerPort, Path dataDir,
      boolean autoCreateTopics, int nodeId, String voters) {
    // one replica of everything per node; with 3 nodes or more, acks=all needs two of them
    String replicas = Integer.toString(voters.split(",").length);
    String minIsr = voters.contains(",") ? "2" : "1";
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", Integer.toString(nodeId));
    // a static quorum: formatting needs no --standalone, restarts need nothing
    p.setProperty("controller.quorum.voters", voters);
    p.setProperty("listeners",
        "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("log.dirs", dataDir.resolve("kraft-logs").toString());

    p.setProperty("auto.create.topics.enable", Boolean.toString(autoCreateTopics));
    p.setProperty("num.partitions", "1");
    p.setProperty("default.replication.factor", replicas);
    p.setProperty("min.insync.replicas", minIsr);
    p.setProperty("offsets.topic.replication.factor", replicas);
    p.setProperty("offsets.topic.num.partitions", "1");
    p.setProperty("transaction.state.log.replication.factor", replicas);
    p.setProperty("transaction.state.log.min.isr", minIsr);
    p.setProperty("transaction.state.log.num.partitions", "1");
    p.setProperty("share.coordinator.state.topic.replication.factor", replicas);
    p.setProperty("share.coordinator.state.topic.min.isr", minIsr);
    p.setProperty("share.coordinator.state.topic.num.partitions", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    if (voters.contains(",")) {
      // a killed node is fenced, and its partitions get new leaders, after 4 s instead of 9 s
      p.setProperty("broker.heartbeat.interval.ms", "500");
      p.setProperty("broker.session.timeout.ms", "4000");
    }

    // small footprint on a 2-core machine
    p.setProperty("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
    p.setProperty("num.network.threads", "2");
    p.setProperty("num.io.threads", "2");
    p.setProperty("background.threads", "2");
    p.setProperty("num.recovery.threads.per.data.dir", "1");
    p.setProperty("log.segment.bytes", Integer.toString(16 * 1024 * 1024));
    return p;
  }

  private static void awaitEndOfStream(InputStream in) {
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) >= 0) {
        // the launcher never writes; reading only detects that it went away
      }
    } catch (IOException e) {
      // a broken pipe means the same as end of stream
    }
  }
}
