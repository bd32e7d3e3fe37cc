package dev.baton.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node KRaft Kafka broker (broker and controller) inside the demo's JVM, for when
 * {@code BATON_KAFKA_BOOTSTRAP} names no cluster. It listens on 127.0.0.1 only, on two free
 * ports, keeps its data in a temporary directory deleted on {@link #close()}, and lets topics be
 * created on first use. About 3 s to start.
 */
final class EmbeddedKafka implements AutoCloseable {

  private static final String HOST = "127.0.0.1";

  private final Path dataDir;
  private final KafkaRaftServer server;
  private final String bootstrapServers;

  private EmbeddedKafka(Path dataDir, KafkaRaftServer server, String bootstrapServers) {
    this.dataDir = dataDir;
    this.server = server;
    this.bootstrapServers = bootstrapServers;
  }

  static EmbeddedKafka start() throws IOException {
    Path dataDir = TempDirs.create("baton-demo-kafka-");
    try {
      int port = FreePorts.next();
      Properties config = config(port, FreePorts.next(), dataDir.resolve("log"));
      format(config, dataDir.resolve("server.properties"));
      KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
      server.startup();
      return new EmbeddedKafka(dataDir, server, HOST + ":" + port);
    } catch (IOException | RuntimeException e) {
      TempDirs.delete(dataDir);
      throw e;
    }
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void close() {
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      TempDirs.delete(dataDir);
    }
  }

  private static Properties config(int port, int controllerPort, Path logDir) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("listeners",
        "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", logDir.toString());
    // one node: every internal topic with one replica, consumers join without delay
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "1");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("num.partitions", "1");
    // small: the demo runs on laptops
    p.setProperty("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
    p.setProperty("num.network.threads", "2");
    p.setProperty("num.io.threads", "2");
    return p;
  }

  /** Formats the log directory with a fresh cluster id, as {@code kafka-storage.sh format} does. */
  private static void format(Properties config, Path configFile) throws IOException {
    try (OutputStream out = Files.newOutputStream(configFile)) {
      config.store(out, null);
    }
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    int exitCode = StorageTool.execute(new String[] {
        "format", "--config", configFile.toString(),
        "--cluster-id", Uuid.randomUuid().toString()}, quiet);
    if (exitCode != 0) {
      throw new IOException("formatting the Kafka log directory failed (exit code " + exitCode + ")");
    }
  }
}
