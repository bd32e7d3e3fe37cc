package dev.baton.core.internal;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The semantic-convention attribute keys and values Baton writes (messaging and RPC conventions as
 * of semantic-conventions v1.44.0, schema {@code https://opentelemetry.io/schemas/1.44.0}), in one
 * place. Each constant is named after its attribute. Attributes the v1.44.0 registry marks
 * deprecated (such as {@code rpc.grpc.status_code} or {@code rpc.system}) are not written; the one
 * exception is the opt-in {@code rpc.message} event, see {@link #RPC_MESSAGE_EVENT}.
 *
 * <p>For Baton's transport modules and for tests asserting on spans.
 *
 * @since 0.1.0
 */
public final class SemConv {

  private SemConv() {}

  // messaging, common
  /** {@code messaging.system}. */
  public static final AttributeKey<String> MESSAGING_SYSTEM =
      AttributeKey.stringKey("messaging.system");
  /** {@code messaging.operation.type}: one of the {@code OP_*} values. */
  public static final AttributeKey<String> MESSAGING_OPERATION_TYPE =
      AttributeKey.stringKey("messaging.operation.type");
  /** {@code messaging.operation.name}: the system-specific operation, e.g. {@code send}. */
  public static final AttributeKey<String> MESSAGING_OPERATION_NAME =
      AttributeKey.stringKey("messaging.operation.name");
  /** {@code messaging.destination.name}. */
  public static final AttributeKey<String> MESSAGING_DESTINATION_NAME =
      AttributeKey.stringKey("messaging.destination.name");
  /**
   * {@code messaging.destination.temporary}: set, to {@code true}, only on spans of a destination
   * that may not exist any more once its messages are processed.
   */
  public static final AttributeKey<Boolean> MESSAGING_DESTINATION_TEMPORARY =
      AttributeKey.booleanKey("messaging.destination.temporary");
  /**
   * {@code messaging.destination.anonymous}: set, to {@code true}, only on spans of a destination
   * without a name or with a generated one.
   */
  public static final AttributeKey<Boolean> MESSAGING_DESTINATION_ANONYMOUS =
      AttributeKey.booleanKey("messaging.destination.anonymous");
  /** {@code messaging.destination.partition.id}. */
  public static final AttributeKey<String> MESSAGING_DESTINATION_PARTITION_ID =
      AttributeKey.stringKey("messaging.destination.partition.id");
  /** {@code messaging.destination.subscription.name}. */
  /** The values of {@link #MESSAGING_DESTINATION_PARTITION_ID} for partitions 0 to 255, made once. */
  private static final String[] PARTITION_IDS = new String[256];

  static {
    for (int i = 0; i < PARTITION_IDS.length; i++) {
      PARTITION_IDS[i] = Integer.toString(i);
    }
  }

  /**
   * The value of {@link #MESSAGING_DESTINATION_PARTITION_ID} for {@code partition}: the decimal
   * number, shared for the first 256 partitions rather than made per message.
   *
   * @param partition the partition
   * @return its id
   */
  public static String partitionId(int partition) {
    return partition >= 0 && partition < PARTITION_IDS.length
        ? PARTITION_IDS[partition]
        : Integer.toString(partition);
  }

  public static final AttributeKey<String> MESSAGING_DESTINATION_SUBSCRIPTION_NAME =
      AttributeKey.stringKey("messaging.destination.subscription.name");
  /** {@code messaging.consumer.group.name}. */
  public static final AttributeKey<String> MESSAGING_CONSUMER_GROUP_NAME =
      AttributeKey.stringKey("messaging.consumer.group.name");
  /** {@code messaging.client.id}. */
  public static final AttributeKey<String> MESSAGING_CLIENT_ID =
      AttributeKey.stringKey("messaging.client.id");
  /** {@code messaging.message.id}. */
  public static final AttributeKey<String> MESSAGING_MESSAGE_ID =
      AttributeKey.stringKey("messaging.message.id");
  /** {@code messaging.message.conversation_id}. */
  public static final AttributeKey<String> MESSAGING_MESSAGE_CONVERSATION_ID =
      AttributeKey.stringKey("messaging.message.conversation_id");
  /** {@code messaging.message.body.size}. */
  public static final AttributeKey<Long> MESSAGING_MESSAGE_BODY_SIZE =
      AttributeKey.longKey("messaging.message.body.size");
  /**
   * {@code messaging.batch.message_count}: only on spans of a batch operation, never on a
   * single-message one.
   */
  public static final AttributeKey<Long> MESSAGING_BATCH_MESSAGE_COUNT =
      AttributeKey.longKey("messaging.batch.message_count");

  // messaging, Kafka
  /** {@code messaging.kafka.message.key}. */
  public static final AttributeKey<String> MESSAGING_KAFKA_MESSAGE_KEY =
      AttributeKey.stringKey("messaging.kafka.message.key");
  /** {@code messaging.kafka.offset}. */
  public static final AttributeKey<Long> MESSAGING_KAFKA_OFFSET =
      AttributeKey.longKey("messaging.kafka.offset");
  /** {@code messaging.kafka.message.tombstone}. */
  public static final AttributeKey<Boolean> MESSAGING_KAFKA_MESSAGE_TOMBSTONE =
      AttributeKey.booleanKey("messaging.kafka.message.tombstone");

  // messaging, RabbitMQ
  /** {@code messaging.rabbitmq.destination.routing_key}. */
  public static final AttributeKey<String> MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY =
      AttributeKey.stringKey("messaging.rabbitmq.destination.routing_key");
  /** {@code messaging.rabbitmq.message.delivery_tag}. */
  public static final AttributeKey<Long> MESSAGING_RABBITMQ_MESSAGE_DELIVERY_TAG =
      AttributeKey.longKey("messaging.rabbitmq.message.delivery_tag");

  // RPC
  /** {@code rpc.system.name}. */
  public static final AttributeKey<String> RPC_SYSTEM_NAME = AttributeKey.stringKey("rpc.system.name");
  /**
   * {@code rpc.method}: the fully-qualified method, {@code package.Service/Method}, when the method
   * is recognised; {@link #RPC_METHOD_OTHER} when it is not.
   */
  public static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  /**
   * {@code rpc.method_original}: the method name the client sent, set only when it differs from
   * {@code rpc.method} (that is, when {@code rpc.method} is {@link #RPC_METHOD_OTHER}).
   */
  public static final AttributeKey<String> RPC_METHOD_ORIGINAL =
      AttributeKey.stringKey("rpc.method_original");
  /** {@code rpc.method} value for a method the server does not recognise. */
  public static final String RPC_METHOD_OTHER = "_OTHER";
  /**
   * {@code rpc.response.status_code}: the status code as a string; for gRPC the code's name, e.g.
   * {@code DEADLINE_EXCEEDED}.
   */
  public static final AttributeKey<String> RPC_RESPONSE_STATUS_CODE =
      AttributeKey.stringKey("rpc.response.status_code");

  /**
   * Name of the optional per-message event on RPC spans. Deprecated in v1.44.0 (obsoleted, no
   * replacement) together with its two attributes below; Baton writes it only when asked to.
   */
  public static final String RPC_MESSAGE_EVENT = "rpc.message";
  /** {@code rpc.message.type}: {@code SENT} or {@code RECEIVED}. */
  public static final AttributeKey<String> RPC_MESSAGE_TYPE = AttributeKey.stringKey("rpc.message.type");
  /** {@code rpc.message.id}: counts from 1 in each direction. */
  public static final AttributeKey<Long> RPC_MESSAGE_ID = AttributeKey.longKey("rpc.message.id");
  /** Prefix of {@code rpc.request.metadata.<key>}, the captured request metadata values. */
  public static final String RPC_REQUEST_METADATA_PREFIX = "rpc.request.metadata.";

  // general
  /** {@code error.type}. */
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  /** {@code server.address}. */
  public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  /** {@code server.port}. */
  public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  /** {@code network.peer.address}. */
  public static final AttributeKey<String> NETWORK_PEER_ADDRESS =
      AttributeKey.stringKey("network.peer.address");
  /** {@code network.peer.port}. */
  public static final AttributeKey<Long> NETWORK_PEER_PORT = AttributeKey.longKey("network.peer.port");

  // values
  /** {@code messaging.operation.type} of a span that creates a message without sending it. */
  public static final String OP_CREATE = "create";
  /** {@code messaging.operation.type} of a send or publish. */
  public static final String OP_SEND = "send";
  /** {@code messaging.operation.type} of a pull (poll, get). */
  public static final String OP_RECEIVE = "receive";
  /** {@code messaging.operation.type} of processing a message. */
  public static final String OP_PROCESS = "process";
  /** {@code messaging.operation.type} of ack, nack or reject. */
  public static final String OP_SETTLE = "settle";

  /** {@code messaging.system} value for Kafka. */
  public static final String SYSTEM_KAFKA = "kafka";
  /** {@code messaging.system} value for RabbitMQ. */
  public static final String SYSTEM_RABBITMQ = "rabbitmq";
  /** {@code rpc.system.name} value for gRPC. */
  public static final String SYSTEM_GRPC = "grpc";
  /** {@code error.type} when the reason is not known more precisely. */
  public static final String ERROR_TYPE_OTHER = "_OTHER";
}
